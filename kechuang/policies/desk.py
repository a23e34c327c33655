"""The policies app's part of the home desk: 兑现 this year (bureau, finance) and what an
enterprise may confirm."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.urls import reverse

from kechuang.core.desk import DeskChart, Todo
from kechuang.core.roles import Role


def todos(user) -> list[Todo]:
    from .models import Case

    role = getattr(user, "role", "")
    if role == Role.BUREAU_STAFF:
        n = Case.objects.restrict(user, "view").filter(status="candidate").count()
        return [Todo(f"免申即享候选案件 {n} 件待核实", reverse("policies:cases") + "?status=candidate", n, "warn")] if n else []
    if role == Role.FINANCE_OFFICER:  # 公示期满、待拨付
        from django.utils import timezone

        from .services import PUBLICITY_DAYS

        ended = timezone.localdate() - dt.timedelta(days=PUBLICITY_DAYS)
        n = Case.objects.restrict(user, "view").filter(status="publicized", publicized_on__lte=ended).count()
        return [Todo(f"公示期满的兑现案件 {n} 件待拨付", reverse("policies:cases") + "?status=publicized", n, "warn")] if n else []
    if role in (Role.ENTERPRISE_USER, Role.COMMISSIONER):  # a commissioner confirms their own 后补助
        n = Case.objects.restrict(user, "view").filter(status="verified").count()
        who = "贵企业" if role == Role.ENTERPRISE_USER else "您"
        return [Todo(f"政策兑现 {n} 项待{who}确认", reverse("policies:cases") + "?status=verified", n, "warn")] if n else []
    return []


def charts(user) -> list[DeskChart]:
    from .models import Case, is_finance

    if getattr(user, "role", "") != Role.BUREAU_STAFF and not is_finance(user):
        return []
    year = dt.date.today().year
    rows = (Case.objects.restrict(user, "view").filter(year=year).values("status")
            .annotate(n=Count("pk"), total=Sum("amount")).order_by("status"))
    labels = dict(Case.Status.choices)
    order = [s for s, _ in Case.Status.choices]
    rows = sorted(rows, key=lambda r: order.index(r["status"]) if r["status"] in order else 99)
    return [DeskChart("desk-redemption", f"{year}年政策兑现", "bar", [str(labels.get(r["status"], "其他")) for r in rows],
                      [float(r["total"] or 0) for r in rows], reverse("policies:cases"), unit="万元",
                      note="按案件状态合计的兑现金额（万元）", series_name="金额")]


def lists(user) -> list[dict]:
    """An enterprise: the measures it is a candidate for or may confirm."""
    from kechuang.core.templatetags.ui import wan_text

    from .models import Case

    if getattr(user, "role", "") != Role.ENTERPRISE_USER:
        return []
    cases = (Case.objects.restrict(user, "view").exclude(status__in=["rejected", "waived"])
             .select_related("measure").order_by("-year", "status")[:8])
    items = [{"text": f"{c.year}年 {c.measure.title}", "note": f"{wan_text(c.amount)} 万元 · {c.get_status_display()}",
              "url": reverse("policies:case", args=[c.pk])} for c in cases]
    return [{"title": "可享受的政策", "items": items, "empty": "暂无兑现案件；可用政策计算器测算。",
             "url": reverse("policies:cases")}]
