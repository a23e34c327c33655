"""Reads of the 科技特派员 module: public roster, proposals for a need, coverage, counts in the seed's
units, assessment figures. Every read that shows rows to a person takes ``user`` and goes through
``restrict`` (the public roster is the one anonymous read: recognised rows, personal data masked)."""
from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from kechuang.core.models import Region
from kechuang.core.roles import Role

from .models import (
    FARMING_FIELDS,
    AssessmentRule,
    Commissioner,
    Kind,
    Level,
    Need,
    Recognition,
    ServiceLog,
    Village,
)

# --------------------------------------------------------------------------- public roster (contract §8)


def public_roster(year: int | None = None) -> list[dict]:
    """Recognised commissioners of ``year`` (default: the current year), for /public/commissioners/:
    kind, level, field, 派出单位; an individual's name masked, no phone."""
    year = year or timezone.localdate().year
    today = timezone.localdate()
    qs = (Commissioner.objects.filter(status=Commissioner.Status.RECOGNISED, valid_until__gte=min(today, dt.date(year, 12, 31)))
          .filter(Q(recognised_year=year) | Q(recognitions__year=year)).distinct()
          .prefetch_related("townships").order_by("level", "kind", "name"))
    items = []
    for c in qs:
        items.append({
            "id": c.pk, "name": c.masked_name, "kind": c.kind, "kind_label": c.get_kind_display(),
            "level": c.level, "level_label": c.get_level_display(), "source": c.source,
            "field": c.fields_label, "fields": list(c.fields or []), "dispatch_unit": c.dispatch_unit,
            "service_area": "、".join(t.name for t in c.townships.all()), "year": year,
            "valid_until": c.valid_until.isoformat(), "demo": c.demo,
        })
    return items


# --------------------------------------------------------------------------- proposals (订单式)
_ENGINE_LOCK = threading.Lock()
_ENGINE: dict = {}


def _engine():
    """A hybrid index (kechuang.search) over recognised commissioners: profile (name, expertise,
    fields, industries) and the content of their confirmed service records; rebuilt when they change."""
    from kechuang.search.documents import Document
    from kechuang.search.embedders import get_embedder
    from kechuang.search.engine import SearchEngine

    active = Commissioner.objects.filter(status=Commissioner.Status.RECOGNISED)
    logs = ServiceLog.objects.filter(status=ServiceLog.Status.CONFIRMED)
    import os

    key = (active.count(), max(active.order_by("-id").values_list("id", flat=True)[:1] or [0]),
           logs.count(), max(logs.order_by("-id").values_list("id", flat=True)[:1] or [0]),
           os.environ.get("KECHUANG_EMBEDDER", "default"))
    with _ENGINE_LOCK:
        if _ENGINE.get("key") == key:
            return _ENGINE["engine"]
        history = defaultdict(list)
        for cid, content in logs.order_by("-served_on").values_list("commissioner_id", "content")[:5000]:
            if len(history[cid]) < 20:
                history[cid].append(content[:200])
        docs = [Document(id=str(c.pk), title=f"{c.name} {c.title}".strip(),
                         abstract="。".join([c.expertise] + history.get(c.pk, [])),
                         keywords=tuple(list(c.fields or []) + [w for w in c.industries.replace("，", "、").split("、") if w]))
                for c in active]
        engine = SearchEngine(embedder=get_embedder())
        if docs:
            engine.add(docs)
        _ENGINE.update(key=key, engine=engine)
        return engine


def distance_steps(commissioner: Commissioner, need: Need) -> int:
    """Distance to the service area in administrative steps (the region data carries no coordinates):
    0 serves the need's village, 1 its township, 2 another township of the county, 3 from outside."""
    r = need.recipient
    if r.village_id and commissioner.villages.filter(pk=r.village_id).exists():
        return 0
    towns = set(commissioner.townships.values_list("id", flat=True))
    if r.township_id in towns:
        return 1
    if towns or commissioner.source in ("", "本地"):
        return 2
    return 3


DISTANCE_LABELS = {0: "服务本村", 1: "服务本乡镇", 2: "服务本市其他乡镇", 3: "市外（跨区域）选派"}
TEXT_WEIGHT, DISTANCE_WEIGHT = Decimal("0.7"), Decimal("0.3")


def proposals(need: Need, k: int = 5) -> list[dict]:
    """Commissioners proposed for a need: hybrid search of the need's text over profiles and past
    service records (weight 0.7) combined with the distance to the service area (weight 0.3)."""
    today = timezone.localdate()
    engine = _engine()
    query = f"{need.title} {need.field} {need.description}"[:1900]
    hits = {h.id: h for h in engine.search(query, k=50)} if len(engine) else {}
    out = []
    cands = Commissioner.objects.filter(status=Commissioner.Status.RECOGNISED, valid_until__gte=today)
    for c in cands.prefetch_related("townships", "villages"):
        h = hits.get(str(c.pk))
        text = Decimal(str(h.score)) if h else Decimal("0")
        if need.field and need.field in (c.fields or []):
            text = max(text, Decimal("0.5"))
        if text <= 0:
            continue
        steps = distance_steps(c, need)
        score = (TEXT_WEIGHT * min(text, Decimal("1")) + DISTANCE_WEIGHT * (Decimal(3 - steps) / 3)).quantize(
            Decimal("0.0001"))
        why = list(h.why[:2]) if h else []
        if need.field and need.field in (c.fields or []):
            why.append(f"服务领域：{need.field}")
        why.append(DISTANCE_LABELS[steps])
        out.append({"commissioner": c, "score": score, "why": why, "distance": steps})
    out.sort(key=lambda d: (-d["score"], d["distance"], d["commissioner"].pk))
    return out[:k]


# --------------------------------------------------------------------------- coverage and counts
def counted_logs(year: int):
    """The logs that count: confirmed by the recipient (or confirmed after a dispute was resolved)."""
    return ServiceLog.objects.filter(status=ServiceLog.Status.CONFIRMED, served_on__year=year)


def coverage(user, year: int) -> dict:
    """Townships (and their known villages) with and without confirmed service in ``year``, scoped:
    a township clerk sees their own township only."""
    towns = list(Region.townships())
    if getattr(user, "role", "") == Role.TOWNSHIP_CLERK:
        towns = [t for t in towns if t.pk == user.township_id]
    logs = counted_logs(year).restrict(user, "view")
    by_town = {r["recipient__township"]: r for r in logs.values("recipient__township").annotate(
        n=Count("id"), days=Sum("days"), people=Sum("people"))}
    served_villages = set(logs.exclude(recipient__village=None).values_list("recipient__village", flat=True))
    villages = defaultdict(list)
    for v in Village.objects.filter(township__in=towns).order_by("name"):
        villages[v.township_id].append(v)
    assigned = dict(Commissioner.objects.filter(status=Commissioner.Status.RECOGNISED, townships__in=towns)
                    .values_list("townships").annotate(n=Count("id", distinct=True)))
    rows = []
    for t in towns:
        hit = by_town.get(t.pk) or {}
        vs = villages.get(t.pk, [])
        rows.append({
            "township": t, "name": t.name, "logs": hit.get("n", 0), "days": hit.get("days") or Decimal("0"),
            "people": hit.get("people") or 0, "covered": bool(hit), "commissioners": assigned.get(t.pk, 0),
            "villages": len(vs), "villages_served": sum(1 for v in vs if v.pk in served_villages),
            "villages_unserved": [v.name for v in vs if v.pk not in served_villages],
        })
    covered = sum(1 for r in rows if r["covered"])
    n_vill = sum(r["villages"] for r in rows)
    n_vill_served = sum(r["villages_served"] for r in rows)
    return {"year": year, "rows": rows, "townships": len(rows), "covered": covered,
            "villages": n_vill, "villages_served": n_vill_served,
            "full_coverage": bool(rows) and covered == len(rows) and n_vill_served == n_vill}


UNIT = {Kind.INDIVIDUAL: "人次", Kind.TEAM: "组次", Kind.LEGAL: "家次"}


def recognition_counts(user=None, years=None) -> list[dict]:
    """Recognitions per year, level and kind in the seed's own units (个人 人次, 团队 组次, 法人 家次)."""
    qs = Recognition.objects.all() if user is None else Recognition.objects.restrict(user, "view")
    if years:
        qs = qs.filter(year__in=list(years))
    counts = Counter(qs.values_list("year", "level", "commissioner__kind"))
    out = []
    for year in sorted({y for y, _l, _k in counts}, reverse=True):
        for level in Level.values:
            row = {"year": year, "level": level, "level_label": Level(level).label}
            for kind in Kind.values:
                row[kind] = counts.get((year, level, kind), 0)
            row["text"] = "，".join(f"{row[k]}{UNIT[k]}{Kind(k).label.replace('科技特派员', '')}" for k in Kind.values)
            out.append(row)
    return out


def service_breakdown(user, year: int) -> dict:
    """Confirmed services of the year by field (farming vs 二三产业) and by kind (teams vs individuals)."""
    logs = counted_logs(year).restrict(user, "view")
    by_field = Counter(logs.values_list("field", flat=True))
    by_kind = Counter(logs.values_list("commissioner__kind", flat=True))
    farming = sum(n for f, n in by_field.items() if f in FARMING_FIELDS)
    return {
        "fields": [{"field": f or "未填", "logs": n} for f, n in by_field.most_common()],
        "farming": farming, "secondary_tertiary": sum(by_field.values()) - farming,
        "kinds": [{"kind": k, "label": Kind(k).label, "logs": by_kind.get(k, 0)} for k in Kind.values],
        "online": logs.filter(online=True).count(), "total": sum(by_field.values()),
    }


# --------------------------------------------------------------------------- assessment
DEFAULT_RULE = {
    # 待核实: the 专项资金管理办法 and DB35/T 2019-2021's assessment numbers are not in our texts.
    "weights": {"days": "0.4", "recipients": "0.2", "results": "0.2", "rating": "0.2"},
    "targets": {"days": "30", "recipients": "5", "results": "3"},
    "grade_lines": {"优秀": "85", "合格": "60"},
    "subsidy": {"优秀": "2", "合格": "1", "不合格": "0"},
    "citation": "待核实（默认参数，待科技局按专项资金管理办法核定）",
}


def rule_on(on: dt.date) -> tuple[AssessmentRule | None, dict]:
    """The assessment rule in force on ``on``: the latest dated rule, else the default (待核实)."""
    rule = AssessmentRule.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if rule is None:
        return None, DEFAULT_RULE
    return rule, {"weights": rule.weights, "grade_lines": rule.grade_lines, "subsidy": rule.subsidy,
                  "targets": rule.targets or DEFAULT_RULE["targets"], "citation": rule.citation}


def _pct(value: Decimal, target: Decimal) -> Decimal:
    if target <= 0:
        return Decimal("100")
    return min(Decimal("100"), value * 100 / target)


def assessment_rows(*, year: int, params: dict) -> list[dict]:
    """Scores of every commissioner recognised for ``year`` from the year's confirmed logs only."""
    from .services import quantize_score

    weights = {k: Decimal(str(v)) for k, v in params["weights"].items()}
    targets = {k: Decimal(str(v)) for k, v in params["targets"].items()}
    lines = sorted(((Decimal(str(v)), g) for g, v in params["grade_lines"].items()), reverse=True)
    cs = Commissioner.objects.filter(Q(recognised_year=year) | Q(recognitions__year=year)).distinct()
    agg = {r["commissioner"]: r for r in counted_logs(year).values("commissioner").annotate(
        logs=Count("id"), days=Sum("days"), recipients=Count("recipient", distinct=True),
        varieties=Sum("new_varieties"), techniques=Sum("new_techniques"), income=Sum("income_increase"),
        rated=Count("rating"), rating_sum=Sum("rating"),
        income_logs=Count("id", filter=Q(income_increase__gt=0)), online=Count("id", filter=Q(online=True)))}
    rows = []
    for c in cs:
        a = agg.get(c.pk, {})
        days = Decimal(a.get("days") or 0)
        results = (a.get("varieties") or 0) + (a.get("techniques") or 0) + (a.get("income_logs") or 0)
        rating = (Decimal(a["rating_sum"]) / a["rated"]) if a.get("rated") else Decimal("0")
        parts = {"days": _pct(days, targets["days"]), "recipients": _pct(Decimal(a.get("recipients") or 0),
                                                                          targets["recipients"]),
                 "results": _pct(Decimal(results), targets["results"]), "rating": rating * 20}
        score = quantize_score(sum(weights.get(k, Decimal("0")) * v for k, v in parts.items()))
        grade = next((g for line, g in lines if score >= line), "不合格")
        rows.append({"commissioner_id": c.pk, "score": score, "grade": grade, "figures": {
            "logs": a.get("logs", 0), "days": str(days), "recipients": a.get("recipients", 0), "results": results,
            "income": str(a.get("income") or 0), "rating": str(rating.quantize(Decimal("0.01"))),
            "online": a.get("online", 0), "parts": {k: str(quantize_score(v)) for k, v in parts.items()},
            "weights": {k: str(v) for k, v in weights.items()}}})
    return rows


def unit_assessment(assessments) -> list[dict]:
    """Per 派出单位: commissioners, average score, grades and confirmed service days."""
    units = defaultdict(lambda: {"n": 0, "score": Decimal("0"), "grades": Counter(), "days": Decimal("0"),
                                 "subsidy": Decimal("0")})
    for a in assessments:
        u = units[a.commissioner.dispatch_unit]
        u["n"] += 1
        u["score"] += a.score
        u["grades"][a.grade] += 1
        u["days"] += Decimal(a.figures.get("days") or 0)
        u["subsidy"] += a.subsidy
    out = []
    for name, u in units.items():
        out.append({"unit": name, "commissioners": u["n"], "average": (u["score"] / u["n"]).quantize(Decimal("0.01")),
                    "excellent": u["grades"].get("优秀", 0), "passed": u["grades"].get("合格", 0),
                    "failed": u["grades"].get("不合格", 0), "days": u["days"], "subsidy": u["subsidy"]})
    out.sort(key=lambda r: (-r["average"], r["unit"]))
    return out


LEDGER_TASK = "NZB2021-67-A1-7"   # 南政办〔2021〕67号 附件1 第7项 健全新型科技特派员跨界服务模式


def crossborder_summary(user, year: int) -> dict:
    """What the 工作台账 task 附件1 第7项 (新型科技特派员跨界服务模式) can cite from the rows: services
    beyond farming, cross-region commissioners, teams and legal persons, online services; and the
    task itself when the user may see it in the targets module."""
    from kechuang.targets.models import Task

    active = Commissioner.objects.filter(status=Commissioner.Status.RECOGNISED).filter(
        Q(recognised_year=year) | Q(recognitions__year=year)).distinct()
    b = service_breakdown(user, year)
    return {
        "task": Task.objects.restrict(user, "view").filter(code=LEDGER_TASK).first(),
        "secondary_tertiary": b["secondary_tertiary"], "online": b["online"],
        "cross_region": active.exclude(source__in=["", "本地"]).count(),
        "teams": active.filter(kind=Kind.TEAM).count(), "legal": active.filter(kind=Kind.LEGAL).count(),
    }


def ledger_task_figures(user, year: int) -> list[dict]:
    """The 工作台账 task 附件1 第7项 (健全新型科技特派员跨界服务模式) as the rows show it, for the targets
    module (``kechuang.targets.derived.register_task_figures``). Seed 000 sets no numeric indicator for
    科技特派员 (附件2 has none), so these figures feed the task, not an indicator's derived actuals.
    Row-scoped: a township clerk sees their own township's services."""
    cov = coverage(user, year)
    b = service_breakdown(user, year)
    x = crossborder_summary(user, year)
    return [
        {"label": "有已确认服务的乡镇（街道）", "value": cov["covered"], "unit": f"/ {cov['townships']} 个",
         "note": "乡镇（村）全覆盖" + ("已实现" if cov["full_coverage"] else "尚未实现")},
        {"label": "有已确认服务的村", "value": cov["villages_served"], "unit": f"/ {cov['villages']} 个",
         "note": "只计已登记的村"},
        {"label": "经服务对象确认的服务", "value": b["total"], "unit": "次", "note": "特派员本人记录、未经确认的不计"},
        {"label": "其中 二三产业服务", "value": b["secondary_tertiary"], "unit": "次",
         "note": "跨界服务：加工制造、社会治理、文旅康养、数字经济、金融服务等"},
        {"label": "其中 网上科技特派员服务", "value": b["online"], "unit": "次", "note": ""},
        {"label": "跨区域选派的特派员", "value": x["cross_region"], "unit": "名（组、家）", "note": "选派来源非本地"},
        {"label": "团队科技特派员", "value": x["teams"], "unit": "组", "note": ""},
        {"label": "法人科技特派员", "value": x["legal"], "unit": "家", "note": ""},
    ]

