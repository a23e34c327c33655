from django.apps import AppConfig

from kechuang.core.roles import Role


class SupervisionConfig(AppConfig):
    name = "kechuang.supervision"
    label = "supervision"
    verbose_name = "项目与监管"
    default_auto_field = "django.db.models.BigAutoField"

    def nav_items(self, user):
        """看板, 双随机抽查 for the bureau; 科研信用 for those who may read it."""
        from django.urls import reverse

        from kechuang.core.navigation import NavItem

        items = [
            NavItem("项目与监管", reverse("supervision:home"), perm="supervision.dashboard.view"),
            NavItem("科技计划项目", reverse("supervision:projects"), perm="supervision.project.view"),
            NavItem("申报指南", reverse("supervision:calls"), perm="supervision.project.view"),
            NavItem("评审任务", reverse("supervision:reviews"), perm="supervision.review.score"),
            NavItem("评审专家库", reverse("supervision:experts"), perm="supervision.expert.manage"),
            NavItem("双随机抽查", reverse("supervision:inspections"), perm="supervision.inspection.view"),
            NavItem("科研信用", reverse("supervision:credit"), perm="supervision.credit.view"),
        ]
        role = getattr(user, "role", "")
        return items if role and role not in (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN) else []

    def home_cards(self, user):
        """Results overdue for 公示 and pending appeals, for the bureau."""
        from django.urls import reverse
        from django.utils import timezone

        from kechuang.core.navigation import HomeCard
        from kechuang.core.permissions import can

        from .models import CreditRecord, InspectionResult

        if not can(user, "supervision.dashboard.view"):
            return []
        today = timezone.localdate()
        overdue = InspectionResult.objects.restrict(user, "view").filter(publicized_on__isnull=True,
                                                                         publish_due__lt=today).count()
        appeals = CreditRecord.objects.restrict(user, "view").filter(appeal_state="pending").count()
        return [HomeCard("逾期未公示的抽查结果", overdue, reverse("supervision:home"),
                         note=f"{appeals} 件信用申诉待答复" if appeals else "")]
