"""The registry's part of the home desk: an enterprise's qualifications with validity and renewal,
and qualifications expiring soon (enterprise, bureau, clerks)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from kechuang.core.desk import Todo
from kechuang.core.roles import Role

RENEWAL_WINDOW = dt.timedelta(days=180)  # 待核实: how early to remind of a renewal (no text fixes it)


def todos(user) -> list[Todo]:
    from kechuang.enterprises.models import Qualification

    role = getattr(user, "role", "")
    if role not in (Role.ENTERPRISE_USER, Role.BUREAU_STAFF, Role.TOWNSHIP_CLERK):
        return []
    today = dt.date.today()
    n = Qualification.objects.restrict(user, "view").filter(
        valid_until__gte=today, valid_until__lte=today + RENEWAL_WINDOW).count()
    if not n:
        return []
    url = reverse("enterprises:detail", args=[user.enterprise_id]) if role == Role.ENTERPRISE_USER else reverse("enterprises:list")
    who = "贵企业" if role == Role.ENTERPRISE_USER else "辖区企业"
    return [Todo(f"{who}有 {n} 项资质将在半年内到期，请提前申请重新认定（复核）", url, n, "warn")]


def lists(user) -> list[dict]:
    from kechuang.enterprises.models import Qualification

    if getattr(user, "role", "") != Role.ENTERPRISE_USER or not user.enterprise_id:
        return []
    today = dt.date.today()
    items = []
    for q in Qualification.objects.restrict(user, "view").filter(enterprise_id=user.enterprise_id).order_by("-valid_until"):
        valid = q.valid_until is None or q.valid_until >= today
        note = (f"有效期至 {q.valid_until:%Y-%m-%d}" if q.valid_until else "长期有效") if valid else \
            f"已于 {q.valid_until:%Y-%m-%d} 到期"
        items.append({"text": q.get_kind_display(), "note": note, "bad": not valid,
                      "url": reverse("enterprises:detail", args=[user.enterprise_id])})
    return [{"title": "我的资质", "items": items, "empty": "企业库中还没有资质记录。",
             "url": reverse("diagnosis:enterprise", args=[user.enterprise_id])}]
