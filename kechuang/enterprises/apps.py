from django.apps import AppConfig

from kechuang.core.roles import Role


class EnterprisesConfig(AppConfig):
    name = "kechuang.enterprises"
    label = "enterprises"
    verbose_name = "企业库"

    def nav_items(self, user):
        """企业列表 for every role that sees enterprises; 批量导入 for bureau staff and township clerks."""
        from django.urls import reverse

        from kechuang.core.navigation import NavItem

        role = getattr(user, "role", "")
        items = []
        if role == Role.ENTERPRISE_USER and user.enterprise_id:
            items.append(NavItem("本企业信息", reverse("enterprises:detail", args=[user.enterprise_id])))
        else:
            items.append(NavItem("企业列表", reverse("enterprises:list"), perm="enterprises.enterprise.view"))
            items.append(NavItem("批量导入", reverse("enterprises:import"), perm="enterprises.enterprise.import"))
        return items

    def home_cards(self, user):
        """Enterprises in scope and 高企 certificates expiring within 90 days (counted through restrict())."""
        import datetime as dt

        from django.urls import reverse

        from kechuang.core.navigation import HomeCard
        from kechuang.core.permissions import has_perm
        from kechuang.enterprises.models import Enterprise, Qualification

        if not has_perm(user, "enterprises.enterprise.import"):
            return []
        today = dt.date.today()
        n = Enterprise.objects.restrict(user, "view").count()
        expiring = (Qualification.objects.restrict(user, "view")
                    .filter(kind="hnte", valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=90)).count())
        url = reverse("enterprises:list")
        return [HomeCard("企业库企业", n, url),
                HomeCard("90 天内到期的高企证书", expiring, url + "?qualification=hnte&validity=expiring", note="请提醒企业及时重新认定")]

    def desk_todos(self, user):
        """The home desk's todos of this app (kechuang/enterprises/desk.py)."""
        from kechuang.enterprises import desk

        return desk.todos(user)

    def desk_lists(self, user):
        """The home desk's lists of this app (kechuang/enterprises/desk.py)."""
        from kechuang.enterprises import desk

        return desk.lists(user)
