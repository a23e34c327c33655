"""Scoping cases for the technology market's 揭榜挂帅 pages: challenge detail, applications, review, award, milestones; dispatch attachments (merged into scoping_cases.CASES)."""

CASES: dict = {}
