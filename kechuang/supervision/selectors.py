"""Reads of the 项目与监管 module. Every read goes through the row-scoping choke point; the public
selectors read as an anonymous visitor, so only rows a model declares public come out."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from .models import CreditRecord, Draw, DrawPurpose, InspectionObject, InspectionResult, Severity, SubjectKind

ANONYMOUS = AnonymousUser()


def public_credit_items(on: dt.date) -> list[dict]:
    """/public/credit/: serious records in force on ``on``; persons masked, no ID numbers."""
    qs = CreditRecord.objects.restrict(ANONYMOUS, "view").filter(CreditRecord.in_force_q(on),
                                                                  severity=Severity.SERIOUS)
    return [{
        "id": r.pk, "subject": r.display_subject, "subject_kind": r.get_subject_kind_display(),
        "behaviour": r.behaviour, "severity": r.get_severity_display(), "outcome": r.outcome,
        "authority": r.authority, "basis": r.basis, "effective_on": r.effective_on.isoformat(),
        "ends_on": r.ends_on.isoformat() if r.ends_on else None, "is_demo": r.is_demo,
    } for r in qs.order_by("-effective_on", "id")[:2000]]


def _inspector_names(draw_row: Draw) -> dict[str, str]:
    return {row[0]: row[1] for row in draw_row.inspectors_roster}


def public_draw_item(draw_row: Draw) -> dict:
    """One published inspection draw as the public page and JSON show it, with its publicised results."""
    names = {row[0]: row[1] for row in draw_row.objects_roster}
    people = _inspector_names(draw_row)
    results = {r.object_ref: r for r in InspectionResult.objects.restrict(ANONYMOUS, "view").filter(draw=draw_row)}
    drawn = []
    for d in draw_row.result.get("drawn", []):
        r = results.get(d["object"])
        drawn.append({
            "object": d["object"], "name": names.get(d["object"], ""),
            "inspectors": [people.get(i, i) for i in d["inspectors"]], "inspector_ids": d["inspectors"],
            "result": None if r is None else {
                "outcome": r.get_outcome_display(), "finding": r.finding, "basis": r.basis,
                "inspected_on": r.inspected_on.isoformat(), "publicized_on": r.publicized_on.isoformat(),
                "rectify_due": r.rectify_due.isoformat() if r.rectify_due else None,
                "rectified_on": r.rectified_on.isoformat() if r.rectified_on else None},
        })
    rule = draw_row.rule
    base = reverse("supervision_public:inspection_file", kwargs={"pk": draw_row.pk, "name": "draw.json"})
    return {
        "id": draw_row.pk, "title": draw_row.title, "item": rule.item.name if rule else "",
        "item_basis": rule.item.basis if rule else "", "seed": draw_row.seed, "seed_source": draw_row.seed_source,
        "seed_entered_at": (timezone.localtime(draw_row.seed_entered_at).strftime("%Y-%m-%d %H:%M")
                            if draw_row.seed_entered_at else None),
        "announced_on": draw_row.announced_on.isoformat(), "draw_on": draw_row.draw_on.isoformat(),
        "published_on": draw_row.published_on.isoformat() if draw_row.published_on else None,
        "input_digest": draw_row.input_digest, "ratio": float(draw_row.ratio), "per_object": draw_row.per_object,
        "population": len(draw_row.objects_roster), "drawn": drawn, "is_demo": draw_row.is_demo,
        "files": {n: base.replace("draw.json", n) for n in ("draw.json", "objects.csv", "inspectors.csv",
                                                            "conflicts.csv")},
    }


def public_draws() -> list[Draw]:
    return list(Draw.objects.restrict(ANONYMOUS, "view").select_related("rule__item").order_by("-draw_on", "-id")[:500])


#: 全覆盖 is counted over this many years up to this one (the national rule asks every object of
#: the library to be inspected within a cycle; our texts give no cycle length — 待核实)
COVERAGE_CYCLE_YEARS = 5


def dashboard(user, today: dt.date) -> dict:
    """The bureau's 项目与监管 board: the draws of this year, 全覆盖 of the object library (this year
    and over the cycle, by kind, with the objects not yet drawn), results due for 公示, and credit
    records in force by subject kind and severity."""
    from .models import ObjectKind

    draws = Draw.objects.restrict(user, "view").filter(purpose=DrawPurpose.INSPECTION, status=Draw.Status.PUBLISHED)
    first_year = today.year - COVERAGE_CYCLE_YEARS + 1
    cycle_draws = list(draws.filter(draw_on__year__gte=first_year, draw_on__lte=today).select_related("rule__item"))
    year_draws = [d for d in cycle_draws if d.draw_on.year == today.year]
    covered_year = {d["object"] for dr in year_draws for d in dr.result.get("drawn", [])}
    covered_cycle = {d["object"] for dr in cycle_draws for d in dr.result.get("drawn", [])}
    library = list(InspectionObject.objects.restrict(user, "view").filter(active=True)
                   .values_list("ref", "kind", "name"))
    labels = dict(ObjectKind.choices)
    by_kind: dict[str, dict] = {}
    for ref, kind, name in library:
        row = by_kind.setdefault(kind, {"kind": kind, "label": labels.get(kind, kind), "library": 0, "year": 0,
                                        "cycle": 0, "missing": []})
        row["library"] += 1
        row["year"] += ref in covered_year
        if ref in covered_cycle:
            row["cycle"] += 1
        elif len(row["missing"]) < 20:
            row["missing"].append(name)
    order = {k: i for i, k in enumerate(ObjectKind.values)}
    coverage = sorted(by_kind.values(), key=lambda r: order.get(r["kind"], 99))
    for r in coverage:
        r["year_pct"] = round(100 * r["year"] / r["library"]) if r["library"] else 0
        r["cycle_pct"] = round(100 * r["cycle"] / r["library"]) if r["library"] else 0
        r["full"], r["gap"] = r["cycle"] == r["library"], r["library"] - r["cycle"]
    refs = {r for r, _k, _n in library}
    results = InspectionResult.objects.restrict(user, "view")
    overdue = list(results.filter(publicized_on__isnull=True, publish_due__lt=today).order_by("publish_due")[:50])
    rectify_open = list(results.filter(outcome="rectify", rectified_on__isnull=True).order_by("rectify_due")[:50])
    credit = CreditRecord.objects.restrict(user, "view")
    in_force = credit.filter(CreditRecord.in_force_q(today))
    counts: dict[str, dict[str, int]] = {}
    for r in in_force.values("subject_kind", "severity", "watchlist").annotate(n=Count("id")).order_by():
        c = counts.setdefault(r["subject_kind"], {"serious": 0, "general": 0, "watchlist": 0})
        c[r["severity"]] = c.get(r["severity"], 0) + r["n"]
        if r["watchlist"]:
            c["watchlist"] += r["n"]
    credit_rows = [{"kind": label, **counts[k]} for k, label in SubjectKind.choices if k in counts]
    return {
        "year": today.year, "year_draws": year_draws, "covered": len(covered_year & refs),
        "covered_cycle": len(covered_cycle & refs), "cycle_first_year": first_year,
        "cycle_years": COVERAGE_CYCLE_YEARS, "library": len(library), "coverage": coverage,
        "full_coverage": bool(library) and covered_cycle >= refs,
        "overdue_publicity": overdue, "rectify_open": rectify_open, "credit_rows": credit_rows,
        "credit_totals": {k: sum(r[k] for r in credit_rows) for k in ("serious", "general", "watchlist")},
        "pending_appeals": credit.filter(appeal_state="pending").count(),
    }


def projects_dashboard(user, today: dt.date) -> dict:
    """Projects by stage and category, overdue milestones (容缺材料, 中期检查, 验收), and per-category
    performance from the records (结题率 among closed projects, money approved and paid)."""
    from decimal import Decimal

    from django.db.models import Sum

    from .models import Instalment, MissingDocument, Project, ProjectStatus

    qs = Project.objects.restrict(user, "view")
    statuses = list(ProjectStatus.choices)
    table: dict[str, dict[str, int]] = {}
    for cat, status, n in qs.values_list("call__category__name", "status").annotate(n=Count("id")):
        table.setdefault(cat, {})[status] = n
    rows = [{"category": c, "counts": [d.get(v, 0) for v, _ in statuses]} for c, d in sorted(table.items())]
    overdue = []
    for m in (MissingDocument.objects.restrict(user, "view").filter(submitted_on__isnull=True, due_on__lt=today)
              .select_related("project")[:50]):
        overdue.append({"project": m.project, "what": f"容缺材料“{m.name}”逾期未补交（承诺 {m.due_on}）"})
    live = qs.filter(status="in_progress")
    for p in live.filter(midterm_on__isnull=True, midterm_due__lt=today)[:50]:
        overdue.append({"project": p, "what": f"中期检查逾期（期限 {p.midterm_due}）"})
    for p in live.filter(end_on__lt=today)[:50]:
        overdue.append({"project": p, "what": f"实施期已满未验收（{p.end_on} 到期）"})
    for i in (Instalment.objects.restrict(user, "view").filter(project__in=live, paid_on__isnull=True,
                                                               planned_on__lt=today).select_related("project")[:50]):
        overdue.append({"project": i.project, "what": f"第{i.seq}期拨款 {i.amount.normalize():f} 万元逾期未拨付（计划 {i.planned_on}）"})
    perf = []
    money = {r["call__category__name"]: r["s"] for r in qs.values("call__category__name").annotate(s=Sum("approved_amount"))}
    paid = {r["project__call__category__name"]: r["s"] for r in Instalment.objects.restrict(user, "view")
            .filter(paid_on__isnull=False).values("project__call__category__name").annotate(s=Sum("amount"))}
    for cat, d in sorted(table.items()):
        done, failed = d.get("completed", 0), d.get("terminated", 0) + d.get("revoked", 0)
        perf.append({"category": cat, "completed": done, "terminated": failed,
                     "rate": f"{round(100 * done / (done + failed))}%" if done + failed else "—",
                     "approved": (money.get(cat) or Decimal(0)).normalize(), "paid": (paid.get(cat) or Decimal(0)).normalize()})
    return {"project_statuses": statuses, "project_table": rows, "overdue_projects": overdue, "performance": perf}
