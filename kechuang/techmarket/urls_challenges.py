"""URLs of the technology market's 揭榜挂帅 pages: challenge detail, applications, review, award, milestones; dispatch attachments."""
from django.urls import path

from . import views_challenges as v

urlpatterns: list = [
    path("challenges/new/", v.challenge_new, name="challenge_new"),
    path("challenges/<int:pk>/", v.challenge_detail, name="challenge_detail"),
    path("public/challenges/", v.public_challenges, name="public_challenges"),
    path("dispatches/attachments/<int:pk>/", v.dispatch_attachment, name="dispatch_attachment"),
]
