"""Reads of the targets app: targets per township and year, the assessment of a period (completion,
early warning, score, ranking), the dashboard series and the ledger summary. Every read of
reports goes through the row-scoping choke point with the acting user."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max

from kechuang.core.models import ChangeLog, Region
from kechuang.core.roles import Role

from .assessment import (
    RankedUnit,
    ScoringConfig,
    assess_indicator,
    rank_units,
    score_unit,
    talent_team_equivalent,
)
from .derived import derived_actuals, has_derived
from .ledger import milestone_status
from .models import Indicator, Period, PlanDocument, Report, TargetPlan, Task
from .parameters import current_parameters
from .plans import PlanChain
from .warning import Thresholds, Warning, early_warning

NANAN_DOCUMENT = "南政办〔2021〕67号"
DERIVED_CACHE_SECONDS = 60


def _plans_cache_key(document: str | None) -> str:
    stamp = TargetPlan.objects.aggregate(m=Max("id"), n=Count("id"))
    docs = PlanDocument.objects.aggregate(m=Max("id"), n=Count("id"))
    return f"targets:plans:{document or '*'}:{stamp['m']}:{stamp['n']}:{docs['m']}:{docs['n']}"


def plan_spans() -> dict[str, tuple[int, int]]:
    """``{文号: (first_year, last_year)}`` of every plan document."""
    return {d: (a, b) for d, a, b in PlanDocument.objects.values_list("document", "first_year", "last_year")}


def plan_entries(document: str | None = None) -> dict[tuple[int, str], object]:
    """``{(region_id, indicator_code): entry}``: the PlanEntry of one document, or — without a
    document — a PlanChain across every plan document, each giving the targets of its own years
    (67号 2021—2025, the next plan 2026—2030). Computed rules are cached until a plan changes."""
    key = _plans_cache_key(document)
    entries = cache.get(key)
    if entries is None:
        rows = TargetPlan.objects.select_related("indicator")
        if document is not None:
            entries = {(p.region_id, p.indicator.code): p.to_entry() for p in rows.filter(document=document)}
        else:
            spans = plan_spans()
            parts: dict[tuple[int, str], list] = {}
            for p in rows:
                entry = p.to_entry()
                years = list(entry.targets) + list(entry.period or ())
                first, last = spans.get(p.document) or ((min(years), max(years)) if years else (0, 0))
                parts.setdefault((p.region_id, p.indicator.code), []).append((first, last, entry))
            entries = {k: PlanChain(tuple(sorted(v, key=lambda part: (part[0], part[1])))) for k, v in parts.items()}
        cache.set(key, entries, 300)
    return entries


def plan_years() -> list[int]:
    """Every year some township plan covers (2021—2025 from 67号, then each later plan's)."""
    township_docs = TargetPlan.objects.filter(region__in=Region.townships()).values("document")
    spans = list(PlanDocument.objects.filter(document__in=township_docs).values_list("first_year", "last_year"))
    if not spans:
        return list(range(2021, 2026))
    return list(range(min(a for a, _ in spans), max(b for _, b in spans) + 1))


def township_indicators():
    """Indicators some plan sets for the townships (those a clerk reports), in display order."""
    return (Indicator.objects.filter(plans__region__in=Region.townships()).distinct().order_by("sort_order"))


def covering_document(year: int) -> PlanDocument | None:
    """The township plan document that gives the targets of ``year`` (newest first)."""
    township_docs = TargetPlan.objects.filter(region__in=Region.townships()).values("document")
    return (PlanDocument.objects.filter(document__in=township_docs, first_year__lte=year, last_year__gte=year)
            .order_by("-first_year").first())


def assessed_indicators() -> list[Indicator]:
    """Indicators with a weight > 0 (those that enter the score), in display order."""
    return list(Indicator.objects.filter(weight__gt=0).order_by("sort_order"))


@dataclass
class Cell:
    """One township × indicator in a period."""

    region: Region
    indicator: Indicator
    target: Decimal | None
    baseline: Decimal | None
    report: Report | None
    actual: Decimal | None  # approved value
    derived: Decimal | None
    rate: Decimal | None
    warning: Warning | None

    @property
    def differs(self) -> bool:
        """Reported and derived figures disagree."""
        return (self.report is not None and self.derived is not None and self.report.value != self.derived)


@dataclass
class PeriodAssessment:
    """The assessment of one period: cells, scores and ranking (staff), or own cells (others)."""

    period: Period
    on: dt.date
    indicators: list[Indicator]
    regions: list[Region]
    cells: dict[tuple[int, int], Cell]
    ranking: list[RankedUnit] = field(default_factory=list)
    config: ScoringConfig | None = None

    def cell(self, region: Region, indicator: Indicator) -> Cell:
        return self.cells[(region.pk, indicator.pk)]


def _derived(code: str, year: int, on: dt.date):
    key = f"targets:derived:{code}:{year}:{on.isoformat()}"
    value = cache.get(key, "miss")
    if value == "miss":
        value = derived_actuals(code, year, on)
        cache.set(key, value, DERIVED_CACHE_SECONDS)
    return value


def period_assessment(*, user, period: Period, on: dt.date | None = None) -> PeriodAssessment:
    """Completion, early warning, score and ranking of ``period`` as of ``on`` (default: today
    within the period, else its end). Staff see all 27 townships and the ranking; a township
    clerk sees their own township only and no ranking; other roles are refused."""
    role = getattr(user, "role", "")
    if role not in (Role.BUREAU_STAFF, Role.TOWNSHIP_CLERK):
        raise PermissionDenied("只有科技局工作人员和乡镇填报员可以查看考核情况")
    on = on or min(max(dt.date.today(), period.starts_on), period.ends_on)
    regions = list(Region.townships())
    if role == Role.TOWNSHIP_CLERK:
        regions = [r for r in regions if r.pk == user.township_id]
    indicators = assessed_indicators()
    entries = plan_entries()
    params = current_parameters()
    thresholds = Thresholds(params.warning_green, params.warning_yellow)
    reports = {(r.region_id, r.indicator_id): r for r in
               Report.objects.restrict(user).filter(period=period).select_related("indicator")}
    projects = {r.region_id: r.value for r in reports.values()
                if r.indicator.code == "talent_project" and r.status == Report.Status.APPROVED}
    a_class = set(params.talent_a_class_townships)
    previous = {(rid, iid): value for rid, iid, value in
                Report.objects.restrict(user).filter(period__year=period.year - 1, period__kind="FY",
                                                     status=Report.Status.APPROVED)
                .values_list("region_id", "indicator_id", "value")}
    cells: dict[tuple[int, int], Cell] = {}
    results: dict[int, list] = {r.pk: [] for r in regions}
    for ind in indicators:
        derived = _derived(ind.code, period.year, on) if has_derived(ind.code) else None
        for region in regions:
            entry = entries.get((region.pk, ind.code))
            target = entry.target_for(period.year) if entry else None
            baseline = None
            if ind.kind != "flow" and entry is not None:
                baseline = previous.get((region.pk, ind.pk))
                if baseline is None:
                    baseline = entry.value_for(period.year - 1)
            report = reports.get((region.pk, ind.pk))
            actual = report.value if report and report.status == Report.Status.APPROVED else None
            if ind.code == "talent_team" and (region.short_name in a_class) and region.pk in projects:
                # 附件2 备注：A类乡镇每个泉州市高层次人才创新创业项目视同完成0.5个人才团队
                actual = talent_team_equivalent(actual or 0, projects[region.pk], a_class=True,
                                                factor=params.talent_project_factor)
            rate, warning = None, None
            if target is not None:
                result = assess_indicator(ind.code, target, actual, direction=ind.direction)
                results[region.pk].append(result)
                rate = result.rate
                if actual is not None and target > 0:
                    warning = early_warning(actual=actual, target=target, kind=ind.kind, on=on,
                                            start=dt.date(period.year, 1, 1), end=dt.date(period.year, 12, 31),
                                            baseline=baseline, thresholds=thresholds)
            cells[(region.pk, ind.pk)] = Cell(region, ind, target, baseline, report, actual,
                                              None if derived is None else derived.get(region.pk, Decimal(0)),
                                              rate, warning)
    assessment = PeriodAssessment(period, on, indicators, regions, cells)
    if role == Role.BUREAU_STAFF:
        config = ScoringConfig(weights={i.code: i.weight for i in indicators}, cap=params.scoring_cap)
        scores = [score_unit(r.short_name or r.name, results[r.pk], config) for r in regions]
        assessment.ranking = rank_units(scores)
        assessment.config = config
    return assessment


def missing_reports(*, user, period: Period) -> list[tuple[Region, Indicator]]:
    """Township × indicator pairs with a target in the period's year but no report yet (scoped)."""
    entries = plan_entries()
    indicators = list(township_indicators())
    reported = set(Report.objects.restrict(user).filter(period=period).values_list("region_id", "indicator_id"))
    regions = list(Region.townships())
    if getattr(user, "role", "") != Role.BUREAU_STAFF and not getattr(user, "is_system", False):
        regions = [r for r in regions if r.pk == getattr(user, "township_id", None)]
    return [(r, i) for i in indicators for r in regions
            if (e := entries.get((r.pk, i.code))) is not None and e.target_for(period.year) is not None
            and (r.pk, i.pk) not in reported]


def data_stamp() -> str:
    """A cheap version of everything the dashboard reads: the newest change-log row (every write
    to reports, periods, plans, weights and the registry is logged, core/changes.py) and the
    parameters file. One indexed query instead of an aggregate over every table read."""
    last = ChangeLog.objects.order_by("-id").values_list("id", flat=True).first()
    return hashlib.sha1(repr((last, current_parameters())).encode()).hexdigest()[:16]


def dashboard_series(*, user, year: int) -> dict:
    """Data of the dashboard charts for ``year``: heat map (township × indicator completion),
    city totals per year (targets vs approved actuals) and the ranking bars.

    Cached per (role, own unit, year, data stamp, day): a new or reviewed report, a period or
    a weight change gives a new stamp, so the cache is never stale beyond the derived figures'
    own 60-second cache."""
    key = (f"targets:dashboard:{getattr(user, 'role', '')}:{getattr(user, 'township_id', '')}:"
           f"{year}:{data_stamp()}:{dt.date.today().isoformat()}")
    data = cache.get(key)
    if data is None:
        data = _dashboard_series(user=user, year=year)
        cache.set(key, data, DERIVED_CACHE_SECONDS)
    return data


def _dashboard_series(*, user, year: int) -> dict:
    # the latest period of the year with approved figures (全年 before 上半年), else any period of the year
    with_data = set(Report.objects.filter(period__year=year, status=Report.Status.APPROVED)
                    .values_list("period__kind", flat=True).distinct())
    kinds = [k for k in ("FY", "H1") if k in with_data] or ["FY", "H1"]
    period = next((p for k in kinds for p in Period.objects.filter(year=year, kind=k)), None)
    indicators = assessed_indicators()
    entries = plan_entries()
    heat, ranking, names = [], [], []
    if period is not None:
        a = period_assessment(user=user, period=period)
        names = [r.short_name or r.name for r in a.regions]
        for x, ind in enumerate(indicators):
            for y, region in enumerate(a.regions):
                c = a.cell(region, ind)
                if c.rate is not None:
                    heat.append([x, y, float((c.rate * 100).quantize(Decimal("0.1")))])
        ranking = [{"unit": r.unit, "score": float(r.score), "praised": r.praised, "penalised": r.penalised}
                   for r in a.ranking if r.score is not None]
    region_ids = {r.pk for r in Region.townships()} if getattr(user, "role", "") == Role.BUREAU_STAFF else (
        {user.township_id} if getattr(user, "township_id", None) else set())
    if period is None:
        names = [r.short_name or r.name for r in Region.townships() if r.pk in region_ids]
    years = plan_years()
    actual_rows = (Report.objects.restrict(user).filter(period__kind="FY", status=Report.Status.APPROVED)
                   .values_list("period__year", "indicator__code", "value"))
    actual_totals: dict[tuple[int, str], Decimal] = {}
    for y, code, value in actual_rows:
        actual_totals[(y, code)] = actual_totals.get((y, code), Decimal(0)) + value
    trends = []
    for ind in indicators:
        if ind.aggregation != "sum":
            continue
        targets = []
        for y in years:
            vals = [e.target_for(y) for (rid, code), e in entries.items() if code == ind.code and rid in region_ids]
            vals = [v for v in vals if v is not None]
            targets.append(float(sum(vals)) if vals else None)
        actuals = [float(actual_totals[(y, ind.code)]) if (y, ind.code) in actual_totals else None for y in years]
        rates = [round(a / t * 100, 1) if a is not None and t else None for a, t in zip(actuals, targets, strict=True)]
        trends.append({"indicator": ind.name, "unit": ind.unit, "targets": targets, "actuals": actuals,
                       "rates": rates})
    return {"year": year, "period": period.label if period else None, "indicators": [i.name for i in indicators],
            "townships": names, "heat": heat, "ranking": ranking, "years": years, "trends": trends}


def ledger_rows(*, user, today: dt.date | None = None) -> list[dict]:
    """Tasks visible to ``user`` with their units, latest progress and milestone status counts."""
    today = today or dt.date.today()
    tasks = (Task.objects.restrict(user).prefetch_related("lead_units", "responsible_units", "milestones", "updates")
             .order_by("sort_order"))
    rows = []
    for t in tasks:
        statuses = [milestone_status(m.due, m.done_on, today) for m in t.milestones.all()]
        latest = next(iter(t.updates.all()), None)
        overdue_task = t.due is not None and today > t.due and (latest is None or latest.percent < 100)
        rows.append({"task": t, "leads": [u.short_name or u.name for u in t.lead_units.all()],
                     "responsible": [u.short_name or u.name for u in t.responsible_units.all()]
                     + ([t.other_units] if t.other_units else []),
                     "milestones": list(zip(t.milestones.all(), statuses, strict=True)),
                     "overdue": statuses.count("overdue") + (1 if overdue_task else 0),
                     "due_soon": statuses.count("due_soon"), "latest": latest})
    return rows


def ledger_summary(rows: list[dict]) -> dict:
    """Counts for the leadership group: tasks, milestones overdue / due soon, tasks without progress."""
    return {"tasks": len(rows), "overdue": sum(1 for r in rows if r["overdue"]),
            "due_soon": sum(1 for r in rows if r["due_soon"]),
            "no_progress": sum(1 for r in rows if r["latest"] is None),
            "milestones": sum(len(r["milestones"]) for r in rows)}


__all__ = ["Cell", "PeriodAssessment", "assessed_indicators", "dashboard_series", "ledger_rows", "ledger_summary",
           "missing_reports", "period_assessment", "plan_entries"]
