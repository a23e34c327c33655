from django.apps import AppConfig

from kechuang.core.roles import ADMIN_ROLES, Role


class TechmarketConfig(AppConfig):
    name = "kechuang.techmarket"
    label = "techmarket"
    verbose_name = "技术市场"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Any change to an achievement queues the search index job on commit (catalogue.py)."""
        from django.db.models.signals import post_delete, post_save

        from .catalogue import achievement_changed
        from .models import Achievement

        post_save.connect(achievement_changed, sender=Achievement, dispatch_uid="techmarket-index-save")
        post_delete.connect(achievement_changed, sender=Achievement, dispatch_uid="techmarket-index-delete")

    def nav_items(self, user):
        """Menu links: search, needs, workbench and contracts for business roles."""
        from django.urls import reverse

        from kechuang.core.navigation import NavItem

        if getattr(user, "role", "") in ADMIN_ROLES:
            return []
        p = "techmarket.market.view"
        return [NavItem("成果检索", reverse("techmarket:search"), perm=p),
                NavItem("技术需求", reverse("techmarket:needs"), perm=p),
                NavItem("派单工作台", reverse("techmarket:workbench"), perm="techmarket.dispatch.work"),
                NavItem("技术合同", reverse("techmarket:contracts"), perm="techmarket.contract.view"),
                NavItem("揭榜挂帅", reverse("techmarket:challenges"), perm=p),
                NavItem("科研机构与仪器", reverse("techmarket:institutes"), perm=p),
                NavItem("成果审核", reverse("techmarket:moderation"), perm="techmarket.achievement.moderate"),
                NavItem("对接成效", reverse("techmarket:outcomes"), perm="techmarket.outcomes.view")]

    def home_cards(self, user):
        """Open dispatches (brokers, staff) and open needs (enterprises), counted through the choke point."""
        from django.urls import reverse

        from kechuang.core.navigation import HomeCard
        from kechuang.techmarket.models import Dispatch, Need

        role = getattr(user, "role", "")
        if role in (Role.BROKER, Role.BUREAU_STAFF):
            n = Dispatch.objects.restrict(user, "view").exclude(stage__in=["done", "dropped"]).count()
            return [HomeCard("在办派单", n, reverse("techmarket:workbench"))]
        if role == Role.ENTERPRISE_USER:
            n = Need.objects.restrict(user, "view").filter(enterprise_id=user.enterprise_id, status="open").count()
            return [HomeCard("征集中的技术需求", n, reverse("techmarket:needs"))]
        return []

    def desk_todos(self, user):
        """The home desk's todos of this app (kechuang/techmarket/desk.py)."""
        from kechuang.techmarket import desk

        return desk.todos(user)

    def desk_lists(self, user):
        """The home desk's lists of this app (kechuang/techmarket/desk.py)."""
        from kechuang.techmarket import desk

        return desk.lists(user)
