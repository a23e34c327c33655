"""Scoping cases for the technology market's catalogue pages: achievements, moderation, institutes, instruments, match outcomes (merged into scoping_cases.CASES)."""

CASES: dict = {}
