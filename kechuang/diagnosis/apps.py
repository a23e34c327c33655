from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "kechuang.diagnosis"
    label = "diagnosis"
    verbose_name = "资格预诊断"

    def nav_items(self, user):
        """Side-menu links by role (企业：本企业报告；科技局/乡镇：培育库；所有人：自测)."""
        from django.urls import reverse

        from kechuang.core.navigation import NavItem

        role = getattr(user, "role", "")
        items = []
        if role == "enterprise_user" and getattr(user, "enterprise_id", None):
            items.append(NavItem("本企业预诊断", reverse("diagnosis:enterprise", args=[user.enterprise_id])))
        if role in ("bureau_staff", "township_clerk"):
            items.append(NavItem("培育库", reverse("diagnosis:pipeline")))
        if role in ("bureau_staff", "township_clerk", "enterprise_user", "dept_liaison", "broker"):
            items.append(NavItem("资格自测", reverse("diagnosis:selfcheck")))
        return items

    def home_cards(self, user):
        """高企培育库 count of the latest run (scoped to the user's rows)."""
        from django.urls import reverse

        from kechuang.core.navigation import HomeCard
        from kechuang.diagnosis.models import DiagnosisResult, DiagnosisRun

        if getattr(user, "role", "") not in ("bureau_staff", "township_clerk"):
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
