"""The technology market's part of the home desk: a broker's first contacts due, an enterprise's needs."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from kechuang.core.desk import Todo
from kechuang.core.roles import Role


def todos(user) -> list[Todo]:
    from kechuang.techmarket.models import Dispatch

    if getattr(user, "role", "") != Role.BROKER:
        return []
    today = dt.date.today()
    waiting = Dispatch.objects.restrict(user, "view").filter(stage="contact", first_contact_at__isnull=True)
    late = waiting.filter(first_contact_due__lt=today).count()
    due = waiting.count() - late
    out = []
    if late:
        out.append(Todo(f"{late} 个派单已超过首次对接期限", reverse("techmarket:workbench"), late, "bad"))
    if due:
        out.append(Todo(f"{due} 个派单待首次对接", reverse("techmarket:workbench"), due, "warn"))
    return out


def lists(user) -> list[dict]:
    from kechuang.techmarket.models import Need

    if getattr(user, "role", "") != Role.ENTERPRISE_USER:
        return []
    needs = Need.objects.restrict(user, "view").filter(enterprise_id=user.enterprise_id).order_by("-id")[:6]
    items = [{"text": n.title, "note": n.get_status_display(), "url": reverse("techmarket:need_detail", args=[n.pk])}
             for n in needs]
    return [{"title": "我的技术需求", "items": items, "empty": "还没有发布技术需求。", "url": reverse("techmarket:needs")}]
