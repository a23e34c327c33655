"""The 科技资源 entrance (产业大脑): one search over institutes, instruments, published
achievements, service organisations and financial products, and an overview by seed industry
chain. The search reuses ``kechuang.search.engine.SearchEngine`` (jieba + BM25, the lexical half
of the hybrid search; the corpus is small and changes often, so no vectors are computed per
change). The engine is rebuilt only when the rows it indexes change (a fingerprint of counts and
last ids), and only rows the user may see are returned (every hit is re-read through the scoping
choke point).
"""
from __future__ import annotations

import threading

from django.db.models import Max
from django.urls import reverse

from kechuang.search.documents import Document
from kechuang.search.engine import SearchEngine

from .models import SEED_CHAINS, FinancialProduct, InstituteProfile, InstrumentProfile, ServiceOrg

KIND_LABELS = {"institute": "大院大所", "instrument": "共享仪器", "achievement": "科技成果",
               "service_org": "科技服务机构", "product": "金融产品"}

_lock = threading.Lock()
_cache: dict = {"key": None, "engine": None}


def _fingerprint():
    from kechuang.techmarket.models import Achievement, Institute, Instrument

    parts = []
    for m in (Institute, Instrument, InstituteProfile, InstrumentProfile, ServiceOrg, FinancialProduct):
        agg = m.objects.aggregate(n=Max("id"))
        parts.append((m.objects.count(), agg["n"]))
    parts.append(Achievement.objects.filter(status="published").count())
    return tuple(parts)


def _documents() -> list[Document]:
    from kechuang.techmarket.models import Achievement

    docs = []
    for p in InstituteProfile.objects.select_related("institute"):
        i = p.institute
        docs.append(Document(id=f"institute:{i.pk}", title=i.name,
                             abstract=f"{p.summary} {' '.join(i.platforms or [])} "
                                      f"{' '.join(e.get('field', '') for e in i.experts or [])}",
                             keywords=tuple(p.fields or []) + tuple(p.industry_chains or []),
                             attrs={"kind": "institute"}))
    for p in InstrumentProfile.objects.select_related("instrument__owner"):
        x = p.instrument
        docs.append(Document(id=f"instrument:{x.pk}", title=x.name,
                             abstract=f"{p.main_functions} {p.technical_indicators} {x.description}",
                             keywords=tuple(k for k in (x.category, p.model_no, x.owner.name) if k),
                             attrs={"kind": "instrument"}))
    for a in Achievement.objects.filter(status="published").only("id", "title", "abstract", "keywords", "field")[:5000]:
        docs.append(Document(id=f"achievement:{a.pk}", title=a.title, abstract=a.abstract or "",
                             keywords=tuple(a.keywords or []) + ((a.field,) if a.field else ()),
                             attrs={"kind": "achievement"}))
    for o in ServiceOrg.objects.prefetch_related("offerings"):
        docs.append(Document(id=f"service_org:{o.pk}", title=o.name,
                             abstract=" ".join(f"{s.name} {s.description}" for s in o.offerings.all()),
                             keywords=(o.get_kind_display(), *(o.qualifications or []), *(o.industry_chains or [])),
                             attrs={"kind": "service_org"}))
    for f in FinancialProduct.objects.all():
        docs.append(Document(id=f"product:{f.pk}", title=f.name, abstract=f"{f.description} {f.provider}",
                             keywords=(f.get_kind_display(), f.provider), attrs={"kind": "product"}))
    return docs


def engine() -> SearchEngine:
    key = _fingerprint()
    with _lock:
        if _cache["key"] != key:
            e = SearchEngine(embedder=None)
            e.add(_documents())
            _cache.update(key=key, engine=e)
        return _cache["engine"]


def _visible(user, kind: str, ids: list[int]) -> dict[int, object]:
    from kechuang.techmarket.models import Achievement

    if kind == "institute":
        qs = InstituteProfile.objects.restrict(user, "view").filter(institute_id__in=ids).select_related("institute")
        return {p.institute_id: p.institute for p in qs}
    if kind == "instrument":
        qs = InstrumentProfile.objects.restrict(user, "view").filter(instrument_id__in=ids).select_related("instrument")
        return {p.instrument_id: p.instrument for p in qs}
    if kind == "achievement":
        return {a.pk: a for a in Achievement.objects.restrict(user, "view").filter(pk__in=ids)}
    if kind == "service_org":
        return {o.pk: o for o in ServiceOrg.objects.restrict(user, "view").filter(pk__in=ids)}
    return {p.pk: p for p in FinancialProduct.objects.restrict(user, "view").filter(pk__in=ids)}


def _actions(kind: str, obj) -> list[tuple[str, str]]:
    if kind == "instrument":
        return [("预约仪器", reverse("resources:instrument_detail", args=[obj.pk])),
                ("申领创新券", reverse("resources:vouchers"))]
    if kind == "institute":
        return [("机构主页", reverse("resources_public:institute", args=[obj.pk])),
                ("发布技术需求", reverse("techmarket:need_new"))]
    if kind == "achievement":
        return [("查看成果", reverse("techmarket:achievement_detail", args=[obj.pk])),
                ("发布技术需求", reverse("techmarket:need_new"))]
    if kind == "service_org":
        return [("机构详情", reverse("resources:service_org_detail", args=[obj.pk])),
                ("申领创新券", reverse("resources:vouchers"))]
    return [("金融产品", reverse("resources:products"))]


def search(user, query: str, k: int = 30) -> list[dict]:
    """Ranked hits the user may see: {kind, kind_label, title, why, actions}."""
    hits = engine().search(query, k=k * 2, mode="lexical")
    by_kind: dict[str, list[int]] = {}
    for h in hits:
        kind, _, pk = h.id.partition(":")
        by_kind.setdefault(kind, []).append(int(pk))
    visible = {kind: _visible(user, kind, ids) for kind, ids in by_kind.items()}
    out = []
    for h in hits:
        kind, _, pk = h.id.partition(":")
        obj = visible[kind].get(int(pk))
        if obj is None:
            continue
        out.append({"kind": kind, "kind_label": KIND_LABELS[kind], "title": h.title, "why": h.why[:2],
                    "actions": _actions(kind, obj)})
        if len(out) >= k:
            break
    return out


def overview(user) -> list[dict]:
    """Per seed industry chain: institutes, instruments (via their institute), service organisations."""
    insts = list(InstituteProfile.objects.restrict(user, "view").select_related("institute"))
    orgs = list(ServiceOrg.objects.restrict(user, "view"))
    n_instr: dict[int, int] = {}
    for p in InstrumentProfile.objects.restrict(user, "view").values_list("instrument__owner_id", flat=True):
        n_instr[p] = n_instr.get(p, 0) + 1
    rows = []
    for chain in SEED_CHAINS:
        ci = [p for p in insts if chain in (p.industry_chains or [])]
        co = [o for o in orgs if chain in (o.industry_chains or [])]
        rows.append({"chain": chain, "institutes": [p.institute for p in ci],
                     "instruments": sum(n_instr.get(p.institute_id, 0) for p in ci), "service_orgs": co})
    return rows
