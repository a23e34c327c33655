from django.apps import AppConfig

from kechuang.core.roles import Role


class DiagnosisConfig(AppConfig):
    name = "kechuang.diagnosis"
    label = "diagnosis"
    verbose_name = "资格预诊断"

    def nav_items(self, user):
        """Side-menu links by role (企业：本企业报告；科技局/乡镇：培育库；所有人：自测)."""
        from django.urls import reverse

        from kechuang.core.navigation import NavItem

        items = []
        if getattr(user, "role", "") == Role.ENTERPRISE_USER and getattr(user, "enterprise_id", None):
            items.append(NavItem("本企业预诊断", reverse("diagnosis:enterprise", args=[user.enterprise_id])))
        items.append(NavItem("培育库", reverse("diagnosis:pipeline"), perm="diagnosis.pipeline.view"))
        items.append(NavItem("资格自测", reverse("diagnosis:selfcheck"), perm="diagnosis.selfcheck.use"))
        return items

    def home_cards(self, user):
        """高企培育库 count of the latest run (scoped to the user's rows)."""
        from django.urls import reverse

        from kechuang.core.navigation import HomeCard
        from kechuang.core.permissions import has_perm
        from kechuang.diagnosis.models import DiagnosisResult, DiagnosisRun

        if not has_perm(user, "diagnosis.pipeline.view"):
            return []
        run = DiagnosisRun.objects.restrict(user, "view").first()
        if run is None:
            return []
        n = DiagnosisResult.objects.restrict(user, "view").filter(run=run, hnte_pool=True).count()
        return [HomeCard("高企培育库", n, reverse("diagnosis:pipeline") + "?pool=1",
                         note=f"评价日 {run.evaluated_on:%Y-%m-%d}")]

    def desk_charts(self, user):
        """The home desk's charts of this app (kechuang/diagnosis/desk.py)."""
        from kechuang.diagnosis import desk

        return desk.charts(user)
