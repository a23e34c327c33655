"""URLs of the technology market's 揭榜挂帅 pages: challenge detail, applications, review, award, milestones; dispatch attachments."""

urlpatterns: list = []
