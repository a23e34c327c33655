from django.apps import AppConfig


class CarriersConfig(AppConfig):
    name = "kechuang.carriers"
    label = "carriers"
    verbose_name = "创新载体"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """The targets module counts platforms from carrier rows (derived actuals)."""
        from kechuang.targets.derived import register_derived_source

        from . import selectors

        register_derived_source("provincial_platform", selectors.provincial_platforms)
        register_derived_source("quanzhou_platform", selectors.quanzhou_platforms)
        register_derived_source("new_provincial_platforms", selectors.new_provincial_innovation_platforms)

    def nav_items(self, user):
        """载体名录 for business roles that see carriers; 年度评价 for the bureau."""
        from django.urls import reverse

        from kechuang.core.models import ADMIN_ROLES, Role
        from kechuang.core.navigation import NavItem

        role = getattr(user, "role", "")
        if not role or role in ADMIN_ROLES or role not in (Role.BUREAU_STAFF, Role.TOWNSHIP_CLERK,
                                                            Role.ENTERPRISE_USER):
            return []
        items = [NavItem("载体名录", reverse("carriers:list"))]
        items.append(NavItem("年度评价", reverse("carriers:evaluations"), perm="carriers.evaluation.run"))
        items.append(NavItem("登记载体", reverse("carriers:new"), perm="carriers.carrier.register"))
        items.append(NavItem("年度数据导入", reverse("carriers:import"), perm="carriers.report.import"))
        return items

    def home_cards(self, user):
        from django.urls import reverse

        from kechuang.core.models import Role
        from kechuang.core.navigation import HomeCard

        from .models import Carrier

        if getattr(user, "role", "") != Role.BUREAU_STAFF:
            return []
        proposed = Carrier.objects.restrict(user, "view").filter(cancellation_proposed=True,
                                                                 status=Carrier.Status.ACTIVE).count()
        n = Carrier.objects.restrict(user, "view").filter(status=Carrier.Status.ACTIVE).count()
        return [HomeCard("创新载体", n, reverse("carriers:list"),
                         note=f"{proposed} 家建议撤销" if proposed else "")]
