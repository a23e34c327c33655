"""Django app config of the policy engine (政策计算器 · 免申即享 · 兑现 · 政策沙盘)."""

from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    """政策兑现."""

    name = "kechuang.policies"
    label = "policies"
    verbose_name = "政策兑现"
    default_auto_field = "django.db.models.BigAutoField"

    def nav_items(self, user):
        """Side-menu links for the acting role (each declares the permission it needs)."""
        from django.urls import reverse

        from kechuang.core.models import ADMIN_ROLES, Role
        from kechuang.core.navigation import NavItem

        if getattr(user, "role", "") in ADMIN_ROLES:
            return []
        items = [NavItem("政策文件", reverse("policies:index")),
                 NavItem("政策计算器", reverse("policies:public_calculator"))]
        if getattr(user, "role", "") == Role.ENTERPRISE_USER and user.enterprise_id:
            items.append(NavItem("我的可享政策", reverse("policies:enterprise", args=[user.enterprise_id])))
        items.append(NavItem("兑现案件", reverse("policies:cases"), perm="policies.case.view"))
        items.append(NavItem("兑现公示", reverse("policies:publicity"), perm="policies.publicity.view"))
        items.append(NavItem("政策找企", reverse("policies:finder"), perm="policies.finder.use"))
        items.append(NavItem("免申即享筛查", reverse("policies:screening"), perm="policies.screening.run"))
        return items

    def home_cards(self, user):
        """Counts of open cases (through the choke point)."""
        from django.urls import reverse

        from kechuang.core.navigation import HomeCard
        from kechuang.core.permissions import has_perm

        from .models import Case

        if not has_perm(user, "policies.case.view"):
            return []
        n = Case.objects.restrict(user, "view").exclude(status__in=["paid", "rejected", "waived"]).count()
        return [HomeCard("待办兑现案件", n, reverse("policies:cases"))]

    def desk_todos(self, user):
        """The home desk's todos of this app (kechuang/policies/desk.py)."""
        from kechuang.policies import desk

        return desk.todos(user)

    def desk_charts(self, user):
        """The home desk's charts of this app (kechuang/policies/desk.py)."""
        from kechuang.policies import desk

        return desk.charts(user)

    def desk_lists(self, user):
        """The home desk's lists of this app (kechuang/policies/desk.py)."""
        from kechuang.policies import desk

        return desk.lists(user)
