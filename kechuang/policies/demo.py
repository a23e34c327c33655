"""Demo data for ``kechuang serve --demo``: policy events for some demo enterprises and one screening run.

Deterministic and idempotent: events are marked with the source “演示数据” and not added twice.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps

from .models import PolicyEvent

DEMO_SOURCE = "演示数据"

#: (event kind, month, extra fields) cycled over the demo enterprises
PATTERN = [
    ("hnte_recognized", 3, {"first_time": True}),
    ("srdi_provincial_recognized", 5, {"first_time": True}),
    ("challenge_project_accepted", 6, {"subsidy": "120"}),
    ("incubator_recognized", 9, {"level": "quanzhou"}),
    ("little_giant_recognized", 7, {"first_time": True}),
    ("hnte_recognized", 11, {"first_time": False}),
    ("postgraduate_trained", 12, {"degree": "master", "months": 10}),
    ("incubator_filed", 4, {}),
]


def load_demo(stdout=None) -> None:
    """Add demo policy events (this year) for up to 40 demo enterprises, then screen this year."""
    Enterprise = apps.get_model("enterprises", "Enterprise")
    if PolicyEvent.objects.filter(source=DEMO_SOURCE).exists():
        return
    qs = Enterprise.objects.all()
    if any(f.name == "is_demo" for f in Enterprise._meta.get_fields()):
        qs = qs.filter(is_demo=True)
    year = dt.date.today().year
    events = []
    for i, ent in enumerate(qs.order_by("id")[:40]):
        kind, month, fields = PATTERN[i % len(PATTERN)]
        events.append(PolicyEvent(enterprise=ent, kind=kind, date=min(dt.date(year, month, 15), dt.date.today()), fields=fields,
                                  source=DEMO_SOURCE))
    for e in events:
        e.save()
    if events:
        from kechuang.core.permissions import system_actor

        from .services import screening_run

        actor = system_actor("command:demo policies")
        run = screening_run(user=actor, year=year, reason="年度筛查（加载演示数据）")
        ready = _demo_case_ready_to_pay(actor)
        if stdout is not None:
            stdout.write(f"政策兑现演示数据：{len(events)} 条政策事件，筛查候选 {run.candidate_count} 项"
                         + (f"；待拨付 1 项（{ready.enterprise.name}，财政局 caizheng_demo 可拨付）" if ready else "")
                         + "\n")


def _demo_case_ready_to_pay(actor):
    """Carry one fixed-amount case through 核实 → 确认 (the enterprise's written 代办 request on file)
    → 公示 six days ago, so the 财政局 demo account sees a case it may pay (公示期 5 days over)."""
    from .models import Case
    from .services import PUBLICITY_DAYS, case_confirm, case_proxy_authorize, case_publicize, case_verify

    case = next((c for c in Case.objects.filter(status="candidate").select_related("enterprise").order_by("id")
                 if c.amount_max is not None and c.amount == c.amount_max), None)
    if case is None:
        return None
    today = dt.date.today()
    case_verify(user=actor, case=case, today=today - dt.timedelta(days=PUBLICITY_DAYS + 3))
    case_proxy_authorize(user=actor, case=case, kind="request", signed_by="演示企业法定代表人",
                         request_text="演示数据：本企业委托市科技局代为确认享受本项奖励并登记收款账户。")
    case_confirm(user=actor, case=case, bank_account="6222020000000000001", bank_name="演示银行南安支行",
                 today=today - dt.timedelta(days=PUBLICITY_DAYS + 2))
    case_publicize(user=actor, case=case, today=today - dt.timedelta(days=PUBLICITY_DAYS + 1))
    return case
