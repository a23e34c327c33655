"""Reads of the technology market; the turnover functions feed the targets module."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from .models import Match, TechContract


def contract_turnover(*, start: date, end: date, township=None, user=None) -> Decimal:
    """技术合同成交额 (万元) of contracts registered in [start, end], for one township or all.

    ``user`` (optional) applies row scoping; the targets module calls it without a user.
    """
    if end < start:
        raise ValueError("contract_turnover: end 早于 start")
    qs = TechContract.objects.all() if user is None else TechContract.objects.restrict(user)
    qs = qs.filter(registered_on__gte=start, registered_on__lte=end)
    if township is not None:
        qs = qs.filter(township=township)
    return qs.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def contract_turnover_by_township(*, start: date, end: date, user=None) -> dict[int, Decimal]:
    """{township id: 技术合同成交额 (万元)} for contracts registered in [start, end]."""
    qs = TechContract.objects.all() if user is None else TechContract.objects.restrict(user)
    rows = (qs.filter(registered_on__gte=start, registered_on__lte=end)
            .values("township_id").annotate(total=Sum("amount")).order_by("township_id"))
    return {r["township_id"]: r["total"] for r in rows}


def match_outcomes_by_field(*, user=None) -> list[dict]:
    """Per need field, the suggestion-level figures: suggestions, answered, 有意向. Dispatches, deals
    and contracts are counted per need (views_catalogue.outcome_rows): a need with no fitting
    achievement is dispatched without a suggestion, so counting them through suggestions missed it."""
    qs = Match.objects.all() if user is None else Match.objects.restrict(user)
    rows = (qs.values("need__field").annotate(
        suggestions=Count("id"), answered=Count("id", filter=~Q(feedback="")),
        interested=Count("id", filter=Q(feedback="interested")))
        .order_by("need__field"))
    return [{"field": r["need__field"] or "未分类",
             **{k: r[k] for k in ("suggestions", "answered", "interested")}} for r in rows]


def achievement_candidates(*, achievement, user=None, k: int = 10) -> list[dict]:
    """Candidate enterprises for an achievement, with a score in (0, 1] and reasons.

    Two sources: the enterprises' open needs (lexical BM25 of the needs' title and
    description against the achievement's title and keywords), and their registry profile
    (高新技术领域 or tags equal to the achievement's field). Needs are read through the
    choke point when ``user`` is given.
    """
    from kechuang.enterprises.models import Enterprise
    from kechuang.search.documents import Document
    from kechuang.search.engine import SearchEngine

    from .models import Need

    needs = Need.objects.all() if user is None else Need.objects.restrict(user)
    needs = list(needs.filter(status=Need.Status.OPEN).select_related("enterprise"))
    scores: dict[int, float] = {}
    reasons: dict[int, list[str]] = {}
    query = " ".join([achievement.title, *achievement.keywords])
    if needs:
        engine = SearchEngine(embedder=None)
        engine.add([Document(id=str(n.pk), title=n.title, abstract=n.description[:2000]) for n in needs])
        by_pk = {str(n.pk): n for n in needs}
        for hit in engine.search(query, k=k * 2, mode="lexical"):
            n = by_pk[hit.id]
            e = n.enterprise_id
            if hit.score > scores.get(e, 0):
                scores[e] = hit.score
            reasons.setdefault(e, []).append(f"需求「{n.title}」：" + "；".join(hit.why[:2]))
    if achievement.field:
        ents = Enterprise.objects.all() if user is None else Enterprise.objects.restrict(user)
        profile = set(ents.filter(high_tech_field=achievement.field).values_list("pk", flat=True)[:200])
        # JSON "contains" is not available on SQLite: tags are matched in Python
        profile |= {pk for pk, tags in ents.exclude(tags=[]).values_list("pk", "tags")
                    if achievement.field in (tags or [])}
        for pk in sorted(profile)[:200]:
            scores[pk] = scores.get(pk, 0) + 0.3
            reasons.setdefault(pk, []).append(f"企业画像：领域「{achievement.field}」")
    top = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    names = dict(Enterprise.objects.filter(pk__in=[pk for pk, _ in top]).values_list("pk", "name"))
    best = top[0][1] if top else 1.0
    return [{"enterprise_id": pk, "name": names.get(pk, ""), "score": round(s / best, 4), "why": reasons[pk]}
            for pk, s in top]


def need_resources(*, need, k: int = 5) -> dict[str, list[dict]]:
    """Experts (from institutes) and shared instruments for a need, ranked by BM25 with reasons.

    Experts are documents of name, title, field and institute platforms; instruments of name,
    category and description. Institutes and instruments are public reference rows.
    """
    from kechuang.search.documents import Document
    from kechuang.search.engine import SearchEngine

    from .models import Institute, Instrument
    from .services import need_query_text

    query = need_query_text(need)
    out: dict[str, list[dict]] = {"experts": [], "instruments": []}
    experts = []
    for inst in Institute.objects.all():
        for i, ex in enumerate(inst.experts or []):
            experts.append((f"{inst.pk}-{i}", inst, ex))
    if experts:
        eng = SearchEngine(embedder=None)
        eng.add([Document(id=key, title=f"{ex.get('name', '')} {ex.get('field', '')}",
                          abstract=" ".join([ex.get("title", ""), *(inst.platforms or [])]),
                          keywords=tuple(filter(None, [ex.get("field", "")])))
                 for key, inst, ex in experts])
        by_key = {key: (inst, ex) for key, inst, ex in experts}
        for h in eng.search(query, k=k, mode="lexical"):
            inst, ex = by_key[h.id]
            out["experts"].append({"name": ex.get("name", ""), "institute": inst.name, "field": ex.get("field", ""),
                                   "score": h.score, "why": h.why})
    instruments = list(Instrument.objects.filter(available=True).select_related("owner"))
    if instruments:
        eng = SearchEngine(embedder=None)
        eng.add([Document(id=str(x.pk), title=x.name, abstract=x.description, keywords=(x.category,) if x.category else ())
                 for x in instruments])
        by_pk = {str(x.pk): x for x in instruments}
        for h in eng.search(query, k=k, mode="lexical"):
            x = by_pk[h.id]
            out["instruments"].append({"name": x.name, "owner": x.owner.name, "fee": x.fee, "score": h.score,
                                       "why": h.why})
    return out
