from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "kechuang.talent"
    label = "talent"
    verbose_name = "人才"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """The targets module counts talent teams and projects from these rows (derived actuals)."""
        from kechuang.targets.derived import register_derived_source

        from . import selectors

        register_derived_source("talent_team", selectors.harbour_teams)
        register_derived_source("talent_project", selectors.talent_projects)

    def nav_items(self, user):
        from django.urls import reverse

        from kechuang.core.navigation import NavItem

        return [NavItem("人才认定", reverse("talent:recognitions"), perm="talent.recognition.confirm"),
                NavItem("人才库", reverse("talent:persons"), perm="talent.person.view"),
                NavItem("团队与项目", reverse("talent:teams"), perm="talent.person.view"),
                NavItem("研究生生活补贴", reverse("talent:graduates"), perm="talent.person.view"),
                NavItem("人才待遇与奖励", reverse("talent:benefits"), perm="talent.person.view")]

    def home_cards(self, user):
        from django.urls import reverse

        from kechuang.core.navigation import HomeCard
        from kechuang.core.permissions import has_perm

        from .models import Recognition

        if not has_perm(user, "talent.recognition.confirm"):
            return []
        n = Recognition.objects.restrict(user, "view").filter(status=Recognition.Status.PROPOSED).count()
        return [HomeCard("待确认人才认定", n, reverse("talent:recognitions"), note="含免申即认")]
