"""Django admin, split by the 三员分立 roles: 系统管理员 keeps reference data, 安全管理员 manages
accounts and roles, 审计管理员 reads the logs. Nobody else enters the admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from kechuang.core import audit
from kechuang.core.models import AuditEvent, OrgUnit, Region, Role, User


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


@admin.register(User)
class UserAdmin(RoleAdmin, BaseUserAdmin):
    role = Role.SEC_ADMIN
    list_display = ("username", "last_name", "first_name", "role", "township", "org_unit", "enterprise",
                    "is_active", "locked_until")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name")
    autocomplete_fields = ()
    raw_id_fields = ("enterprise",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("last_name", "first_name", "email", "phone")}),
        ("角色与范围", {"fields": ("role", "township", "org_unit", "enterprise", "is_active", "is_staff")}),
        ("安全状态", {"fields": ("password_changed_at", "failed_logins", "locked_until", "totp_confirmed",
                             "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2", "role", "township", "org_unit",
                           "enterprise")}),
    )
    readonly_fields = ("password_changed_at", "failed_logins", "totp_confirmed", "last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        tracked = ("role", "township_id", "org_unit_id", "enterprise_id", "is_active", "is_staff")
        before = {}
        if change:
            old = User.objects.get(pk=obj.pk)
            before = {f: getattr(old, f) for f in tracked}
        if obj.role in {Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN}:
            obj.is_staff = True
        super().save_model(request, obj, form, change)
        after = {f: getattr(obj, f) for f in tracked}
        if not change:
            audit.record(AuditEvent.Kind.USER_CREATED, request=request, object_ref=f"user:{obj.username}",
                         detail={"after": after})
        elif before != after:
            audit.record(AuditEvent.Kind.ROLE_CHANGED, request=request, object_ref=f"user:{obj.username}",
                         detail={"before": before, "after": after})


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdmin):
    role = Role.AUDIT_ADMIN
    read_only = True
    list_display = ("at", "kind", "result", "who", "ip", "ref")
    list_filter = ("kind", "outcome")
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
