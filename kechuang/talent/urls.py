"""URLs of the talent module, mounted at /talent/ (no public list of persons)."""
from django.urls import path

from . import views

app_name = "talent"

urlpatterns = [
    path("", views.recognitions, name="recognitions"),
    path("recognitions/<int:pk>/decide/", views.recognition_decide, name="recognition_decide"),
    path("persons/", views.persons, name="persons"),
    path("persons/new/", views.person_new, name="person_new"),
    path("persons/<int:pk>/", views.person, name="person"),
    path("persons/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("persons/<int:pk>/land/", views.person_land, name="person_land"),
    path("persons/<int:pk>/nominate/", views.person_nominate, name="person_nominate"),
    path("persons/<int:pk>/competition/", views.person_competition, name="person_competition"),
    path("persons/<int:pk>/self/", views.person_self, name="person_self"),
    path("listings/import/", views.listing_import, name="listing_import"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team, name="team"),
    path("teams/<int:pk>/project/", views.team_project, name="team_project"),
    path("graduates/", views.graduates, name="graduates"),
    path("benefits/", views.benefits, name="benefits"),
    path("benefits/refer/", views.benefits_refer, name="benefits_refer"),
    path("benefits/recruitment/", views.recruitment_new, name="recruitment_new"),
    path("benefits/mentor/", views.mentor_new, name="mentor_new"),
]
