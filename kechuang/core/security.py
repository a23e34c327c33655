"""The effective security policy: the 安全管理员's SecurityPolicy row over the settings defaults,
kept for a few seconds so that a busy page does not read it on every request."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

_TTL = 10.0
_cache: dict = {}


@dataclass(frozen=True)
class Policy:
    lockout_threshold: int
    lockout_minutes: int
    idle_minutes: int
    password_max_age_days: int


def defaults() -> Policy:
    return Policy(settings.KECHUANG_LOCKOUT_THRESHOLD, settings.KECHUANG_LOCKOUT_MINUTES,
                  settings.KECHUANG_IDLE_MINUTES, settings.KECHUANG_PASSWORD_MAX_AGE_DAYS)


def policy() -> Policy:
    """The policy in force (the stored row, or the settings defaults when none is stored)."""
    hit = _cache.get("row")
    now = time.monotonic()
    if hit is None or hit[0] <= now:
        from kechuang.core.models import SecurityPolicy

        row = SecurityPolicy.objects.order_by("pk").values_list(
            "lockout_threshold", "lockout_minutes", "idle_minutes", "password_max_age_days").first()
        hit = (now + _TTL, row)
        _cache["row"] = hit
    return defaults() if hit[1] is None else Policy(*hit[1])


def forget() -> None:
    """Drop the cached policy (after the 安全管理员 changed it)."""
    _cache.clear()
