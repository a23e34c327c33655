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
        from .services import screening_run

        run = screening_run(user=None, year=year)
        if stdout is not None:
            stdout.write(f"政策兑现演示数据：{len(events)} 条政策事件，筛查候选 {run.candidate_count} 项\n")
