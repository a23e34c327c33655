from django.apps import AppConfig

from kechuang.core.roles import Role


class ResourcesConfig(AppConfig):
    name = "kechuang.resources"
    label = "resources"
    verbose_name = "创新资源"
    default_auto_field = "django.db.models.BigAutoField"

    def nav_items(self, user):
        """Menu: the 科技资源 entrance, instruments, bookings, vouchers, organisations, finance; the
        bureau's settlement, loans, annual report and import; the 财政局's settlement."""
        from django.urls import reverse

        from kechuang.core.navigation import NavItem

        role = getattr(user, "role", "")
        if role in (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN, ""):
            return []
        if role == Role.FINANCE_OFFICER:
            return [NavItem("创新券结算", reverse("resources:settlements"), perm="resources.report.view"),
                    NavItem("科技贷放款", reverse("resources:loans"), perm="resources.report.view")]
        items = [NavItem("科技资源", reverse("resources:portal")), NavItem("共享仪器", reverse("resources:instruments"))]
        if role in (Role.ENTERPRISE_USER, Role.INSTITUTE_USER, Role.BUREAU_STAFF):
            items.append(NavItem("仪器预约", reverse("resources:bookings")))
        if role in (Role.ENTERPRISE_USER, Role.BUREAU_STAFF, Role.TOWNSHIP_CLERK):
            items.append(NavItem("科技创新券", reverse("resources:vouchers")))
        items += [NavItem("科技服务机构", reverse("resources:service_orgs")), NavItem("金融产品", reverse("resources:products"))]
        if role == Role.BUREAU_STAFF:
            items += [NavItem("创新券结算", reverse("resources:settlements"), perm="resources.report.view"),
                      NavItem("科技贷放款", reverse("resources:loans"), perm="resources.report.view"),
                      NavItem("仪器共享评价", reverse("resources:report"), perm="resources.report.view"),
                      NavItem("资源导入", reverse("resources:import") + "?kind=instruments",
                              perm="resources.instrument.import")]
        if role == Role.INSTITUTE_USER:
            from .models import account_of

            items.append(NavItem("仪器共享评价", reverse("resources:report")))
            acc = account_of(user)
            if acc is not None and acc.institute_id:
                items.append(NavItem("本单位档案与仪器", reverse("resources:institute_edit", args=[acc.institute_id]),
                                     perm="resources.institute.manage"))
        if role == Role.SERVICE_ORG_USER:
            from .models import account_of

            acc = account_of(user)
            if acc is not None and acc.service_org_id:
                items.append(NavItem("本机构信息", reverse("resources:service_org_edit", args=[acc.service_org_id]),
                                     perm="resources.service_org.manage"))
        return items

    def home_cards(self, user):
        """Pending bookings (institutes, bureau), usable vouchers (enterprises), vouchers to review (bureau)."""
        from django.urls import reverse

        from kechuang.core.navigation import HomeCard

        from .models import Booking, Voucher

        role = getattr(user, "role", "")
        if role in (Role.INSTITUTE_USER, Role.BUREAU_STAFF):
            cards = [HomeCard("待审核仪器预约", Booking.objects.restrict(user, "view").filter(status="requested").count(),
                              reverse("resources:bookings") + "?status=requested")]
            if role == Role.BUREAU_STAFF:
                cards.append(HomeCard("待审核创新券", Voucher.objects.restrict(user, "view").filter(status="applied").count(),
                                      reverse("resources:vouchers") + "?status=applied"))
            return cards
        if role == Role.ENTERPRISE_USER:
            n = Voucher.objects.restrict(user, "view").filter(status="issued", balance__gt=0).count()
            return [HomeCard("可用科技创新券", n, reverse("resources:vouchers"))]
        return []
