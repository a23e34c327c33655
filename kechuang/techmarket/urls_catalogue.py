"""URLs of the technology market's catalogue pages: achievements, moderation, institutes, instruments, match outcomes."""

urlpatterns: list = []
