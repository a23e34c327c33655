"""Django admin, split by the 三员分立 roles: 系统管理员 keeps reference data, 安全管理员 manages
accounts and roles, 审计管理员 reads the logs. Nobody else enters the admin."""

from django.contrib import admin

from kechuang.core.models import AuditEvent, OrgUnit, Region, Role


class RoleAdmin(admin.ModelAdmin):
    """A ModelAdmin usable by exactly one administrator role."""

    role = None
    read_only = False

    def _ok(self, request):
        return request.user.is_active and request.user.role == self.role

    def has_module_permission(self, request):
        return self._ok(request)

    def has_view_permission(self, request, obj=None):
        return self._ok(request)

    def has_add_permission(self, request):
        return self._ok(request) and not self.read_only

    def has_change_permission(self, request, obj=None):
        return self._ok(request) and not self.read_only

    def has_delete_permission(self, request, obj=None):
        return self._ok(request) and not self.read_only


@admin.register(Region)
class RegionAdmin(RoleAdmin):
    role = Role.SYS_ADMIN
    list_display = ("name", "short_name", "code", "level", "parent", "assessed")
    list_filter = ("level", "assessed")
    search_fields = ("name", "short_name", "code")


@admin.register(OrgUnit)
class OrgUnitAdmin(RoleAdmin):
    role = Role.SYS_ADMIN
    list_display = ("name", "short_name", "kind")
    search_fields = ("name", "short_name")


# User is not in the admin: accounts are managed in the product (账户管理, kechuang.core.views_accounts)
# by the 系统管理员, audited; the 三员 accounts are never created, reset or given through the web.


class OutcomeFilter(admin.SimpleListFilter):
    """结果 in words (the stored values are success / failure)."""

    title = "结果"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [("success", "成功"), ("failure", "失败")]

    def queryset(self, request, queryset):
        if self.value() == "success":
            return queryset.filter(outcome="success")
        if self.value() == "failure":
            return queryset.exclude(outcome="success")
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdmin):
    role = Role.AUDIT_ADMIN
    read_only = True
    list_display = ("at", "kind", "result", "who", "ip", "ref")
    list_filter = ("kind", OutcomeFilter)
    search_fields = ("username", "object_ref", "ip")

    @admin.display(description="结果", ordering="outcome")
    def result(self, obj):
        return "成功" if obj.outcome == "success" else "失败"

    @admin.display(description="账户", ordering="username")
    def who(self, obj):
        return "系统" if obj.username == "system" else obj.username

    @admin.display(description="对象", ordering="object_ref")
    def ref(self, obj):
        from kechuang.core.templatetags.ui import object_ref

        return object_ref(obj.object_ref)


# ChangeLog is not in the admin: business change logs hold business data, which no 三员
# administrator reads (the 变更记录 tab on each object serves the business roles).
