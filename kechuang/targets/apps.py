from django.apps import AppConfig

from kechuang.core.roles import Role


class TargetsConfig(AppConfig):
    name = "kechuang.targets"
    label = "targets"
    verbose_name = "目标任务与考核"
    default_auto_field = "django.db.models.BigAutoField"

    def nav_items(self, user):
        """Menu links by role: staff everything; clerks report and see their township; liaisons report and ledger."""
        from django.urls import reverse

        from kechuang.core.navigation import NavItem

        return [NavItem("目标考核看板", reverse("targets:dashboard"), perm="targets.assessment.view"),
                NavItem("数据填报", reverse("targets:report"), perm="targets.report.submit"),
                NavItem("填报审核与考核", reverse("targets:review"), perm="targets.report.approve"),
                NavItem("任务分解表", reverse("targets:plans"), perm="targets.target.view"),
                NavItem("工作台账", reverse("targets:ledger"), perm="targets.target.view")]

    def home_cards(self, user):
        """Reports awaiting review (staff) or returned to the user's unit (clerks, liaisons)."""
        from django.urls import reverse

        from kechuang.core.navigation import HomeCard
        from kechuang.targets.models import Report

        role = getattr(user, "role", "")
        if role == Role.BUREAU_STAFF:
            n = Report.objects.restrict(user, "view").filter(status="submitted").count()
            return [HomeCard("待审核填报", n, reverse("targets:review"))]
        if role in (Role.TOWNSHIP_CLERK, Role.DEPT_LIAISON):
            n = Report.objects.restrict(user, "view").filter(status="returned").count()
            return [HomeCard("被退回的填报", n, reverse("targets:report"), note="请更正后重新提交")]
        return []

    def desk_todos(self, user):
        """The home desk's todos of this app (kechuang/targets/desk.py)."""
        from kechuang.targets import desk

        return desk.todos(user)

    def desk_charts(self, user):
        """The home desk's charts of this app (kechuang/targets/desk.py)."""
        from kechuang.targets import desk

        return desk.charts(user)
