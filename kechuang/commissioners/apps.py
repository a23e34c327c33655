from django.apps import AppConfig

from kechuang.core.roles import Role


class CommissionersConfig(AppConfig):
    name = "kechuang.commissioners"
    label = "commissioners"
    verbose_name = "科技特派员"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Feed the targets module's 工作台账 task 附件1 第7项 with the confirmed services."""
        from kechuang.targets.derived import register_task_figures

        from . import selectors

        register_task_figures(selectors.LEDGER_TASK, selectors.ledger_task_figures)

    def nav_items(self, user):
        """Menu: workbench, roster, needs, menu, agreements, logs, Q&A for the roles that use them;
        selection, assessment and coverage for the bureau (coverage also for townships)."""
        from django.urls import reverse

        from kechuang.core.navigation import NavItem

        role = getattr(user, "role", "")
        if role in (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN, ""):
            return []
        u = lambda name: reverse(f"commissioners:{name}")  # noqa: E731
        return [
            NavItem("特派员工作台", u("home"), perm="commissioners.need.view"),
            NavItem("科技特派员名录", u("roster"), perm="commissioners.commissioner.view"),
            NavItem("选认管理", u("rounds"), perm="commissioners.round.manage"),
            NavItem("订单式需求", u("needs"), perm="commissioners.need.view"),
            NavItem("菜单式服务", u("menu"), perm="commissioners.need.view"),
            NavItem("三方协议", u("agreements"), perm="commissioners.agreement.view"),
            NavItem("服务日志", u("logs"), perm="commissioners.log.view"),
            NavItem("网上科技特派员", u("questions"), perm="commissioners.need.view"),
            NavItem("年度考核与后补助", u("assessment"), perm="commissioners.assessment.view"),
            NavItem("服务覆盖与统计", u("coverage"), perm="commissioners.stats.view"),
        ]

    def home_cards(self, user):
        """Logs waiting for this user's confirmation (recipients) or assignments waiting (commissioners)."""
        from django.urls import reverse

        from kechuang.core.navigation import HomeCard

        from .models import Assignment, ServiceLog

        role = getattr(user, "role", "")
        if role == Role.COMMISSIONER:
            n = Assignment.objects.restrict(user, "view").filter(status="pending").count()
            return [HomeCard("待回复的需求指派", n, reverse("commissioners:home"))]
        if role in (Role.TOWNSHIP_CLERK, Role.ENTERPRISE_USER):
            n = sum(1 for log in ServiceLog.objects.restrict(user, "view").filter(status="pending")
                    .select_related("recipient")[:500] if log.recipient.is_confirmer(user))
            return [HomeCard("待确认的特派员服务", n, reverse("commissioners:home"))]
        return []
