"""The 科技资源 entrance (产业大脑): one search over institutes, shared instruments, published
achievements, policy measures, financial products, service organisations and 技术经理人, and an
overview by seed industry chain.

The search reuses the hybrid search of ``kechuang.search`` (jieba + BM25 fused with dense vectors
of the configured embedder, with reasons): published achievements through the technology
market's own catalogue engine (``techmarket.catalogue.catalogue_engine``, persisted and kept in
step there), the other resources through a small engine of their own, rebuilt incrementally when
a row's text changes (segment vectors come from a vector cache of its own under the search
directory, so unchanged text is never embedded twice). Where no embedder can be loaded the search falls back to BM25 alone.

A hit is kept when it shares a term with the query, or is one of the few nearest by meaning
(``SEMANTIC_NEIGHBOURS``), so an unrelated row never fills the list. Only rows the user may see
are returned: every hit is re-read through the scoping choke point, and each action offered
(book, apply for a voucher, post a need, dispatch a broker …) is shown only when the user holds
its permission.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading

from django.urls import reverse

from kechuang.core.permissions import can
from kechuang.search.documents import Document
from kechuang.search.embedders import EmbedderError, get_embedder
from kechuang.search.engine import SearchEngine, SearchError
from kechuang.search.text import normalize
from kechuang.search.vector_cache import VectorCache

from .models import SEED_CHAINS, FinancialProduct, InstituteProfile, InstrumentProfile, ServiceOrg

KIND_LABELS = {"institute": "大院大所", "instrument": "共享仪器", "achievement": "科技成果",
               "measure": "科技政策", "product": "金融产品", "service_org": "科技服务机构",
               "broker": "技术经理人"}
SEMANTIC_NEIGHBOURS = 3      # hits found by meaning alone kept per engine (the nearest ones)
MAX_HITS = 30
# In the all-resources search at most this many achievements (the catalogue holds thousands of
# papers, which would crowd out the institutes, instruments and services); the achievements filter
# or the technology market's 成果检索 shows them all.
MAX_ACHIEVEMENTS_MIXED = 6
MAX_PER_KIND_MIXED = 8       # likewise for each other kind (a general word such as 企业 matches many measures)

_lock = threading.Lock()
_memo: dict = {"spec": None, "embedder": None, "engine": None, "prints": {}}


def _spec() -> str:
    return os.environ.get("KECHUANG_EMBEDDER", "default")


def _embedder():
    """The configured embedder, loaded once per spec; None where it cannot be loaded."""
    spec = _spec()
    if _memo["spec"] != spec:
        try:
            emb = get_embedder()
        except EmbedderError:
            emb = None
        _memo.update(spec=spec, embedder=emb, engine=None, prints={})
    return _memo["embedder"]


def _documents() -> list[Document]:
    """Search documents of every resource kind except achievements (the catalogue engine's)."""
    from kechuang.policies.models import Measure
    from kechuang.techmarket.models import Broker

    docs = []
    for p in InstituteProfile.objects.select_related("institute").order_by("pk"):
        i = p.institute
        docs.append(Document(id=f"institute:{i.pk}", title=i.name,
                             abstract=f"{p.summary} {' '.join(i.platforms or [])} "
                                      f"{' '.join(e.get('field', '') for e in i.experts or [])}",
                             keywords=tuple(p.fields or []) + tuple(p.industry_chains or []),
                             attrs={"kind": "institute"}))
    for p in InstrumentProfile.objects.select_related("instrument__owner").order_by("pk"):
        x = p.instrument
        docs.append(Document(id=f"instrument:{x.pk}", title=x.name,
                             abstract=f"{p.main_functions} {p.technical_indicators} {x.description}",
                             keywords=tuple(k for k in (x.category, p.model_no, p.maker, x.owner.name) if k),
                             attrs={"kind": "instrument"}))
    for m in (Measure.objects.filter(policy__status="published", policy__is_sandbox=False)
              .select_related("policy").order_by("pk")):
        docs.append(Document(id=f"measure:{m.pk}", title=m.title, abstract=m.text or "",
                             keywords=tuple(k for k in (m.policy.title, m.citation) if k),
                             attrs={"kind": "measure"}))
    for o in ServiceOrg.objects.prefetch_related("offerings").order_by("pk"):
        docs.append(Document(id=f"service_org:{o.pk}", title=o.name,
                             abstract=" ".join(f"{s.name} {s.description}" for s in o.offerings.all()),
                             keywords=(o.get_kind_display(), *(o.qualifications or []), *(o.industry_chains or [])),
                             attrs={"kind": "service_org"}))
    for f in FinancialProduct.objects.order_by("pk"):
        docs.append(Document(id=f"product:{f.pk}", title=f.name, abstract=f"{f.description} {f.provider}",
                             keywords=(f.get_kind_display(), f.provider), attrs={"kind": "product"}))
    for b in Broker.objects.order_by("pk"):
        docs.append(Document(id=f"broker:{b.pk}", title=f"{b.name}（技术经理人）",
                             abstract=f"服务领域：{'、'.join(b.fields or [])}。{b.institution}",
                             keywords=tuple(b.fields or []) + ((b.institution,) if b.institution else ()),
                             attrs={"kind": "broker"}))
    return docs


def _print(doc: Document) -> str:
    return hashlib.sha1(json.dumps([doc.title, doc.abstract, list(doc.keywords)], ensure_ascii=False)
                        .encode()).hexdigest()


def engine() -> SearchEngine:
    """The engine over the resources (not achievements), in step with the database: rows whose
    text changed or that were removed are taken out, new and changed ones added."""
    from kechuang.techmarket.catalogue import index_root

    docs = _documents()
    prints = {d.id: _print(d) for d in docs}
    with _lock:
        emb = _embedder()
        eng, known = _memo["engine"], _memo["prints"]
        if eng is None:
            # a cache file of its own: the catalogue engine saves the shared one from its own copy,
            # and two writers of one file would drop each other's vectors
            slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in emb.name) if emb is not None else ""
            cache = VectorCache(index_root() / f"resources-vector-cache-{slug}.npz") if emb is not None else VectorCache()
            eng, known = SearchEngine(embedder=emb, cache=cache), {}
        stale = [i for i, fp in known.items() if prints.get(i) != fp]
        new = [d for d in docs if known.get(d.id) != prints[d.id]]
        if stale or new:
            eng.remove(stale)
            eng.add(new)
            if emb is not None and new:
                try:
                    eng.cache.save()
                except OSError:   # a read-only var directory only costs re-embedding after a restart
                    pass
        _memo.update(engine=eng, prints=prints)
        return eng


def _ranked(eng: SearchEngine | None, query: str, k: int) -> list[tuple[float, object]]:
    """(coverage, hit) of one engine's hits that share a term with the query, or are among the
    nearest by meaning; coverage is the share of the query's terms the resource's text holds (the
    engines' scores are normalised per engine, so coverage is what makes hits of the two engines
    comparable: a resource matching 石材 and 检测 ranks above one matching 检测 alone)."""
    if eng is None or not len(eng):
        return []
    mode = "hybrid" if eng.embedder is not None else "lexical"
    hits = eng.search(query, k=k, mode=mode)
    terms = [t for t in dict.fromkeys(eng.tokenizer.query_tokens(query)) if len(t) > 1 or not t.isascii()]
    out = []
    for h in hits:
        if h.lexical_rank is None and (h.semantic_rank is None or h.semantic_rank > SEMANTIC_NEIGHBOURS):
            continue
        doc = eng.docs[eng._pos[h.id]]
        text = normalize(" ".join(doc.text_fields().values()))
        out.append((sum(1 for t in terms if t in text) / len(terms) if terms else 0.0, h))
    return out


def _achievement_engine():
    from django.db import DatabaseError

    from kechuang.techmarket.catalogue import catalogue_engine

    try:
        return catalogue_engine()
    except (DatabaseError, EmbedderError):
        return None


def _visible(user, kind: str, ids: list[int]) -> dict[int, object]:
    """The rows of ``kind`` among ``ids`` that ``user`` may see (the scoping choke point)."""
    from kechuang.policies.models import Measure
    from kechuang.techmarket.models import Achievement, Broker

    if kind == "institute":
        qs = InstituteProfile.objects.restrict(user, "view").filter(institute_id__in=ids).select_related("institute")
        return {p.institute_id: p for p in qs}
    if kind == "instrument":
        qs = (InstrumentProfile.objects.restrict(user, "view").filter(instrument_id__in=ids)
              .select_related("instrument__owner"))
        return {p.instrument_id: p for p in qs}
    if kind == "achievement":
        return {a.pk: a for a in Achievement.objects.restrict(user, "view").filter(pk__in=ids)
                .select_related("owner_institute")}
    if kind == "measure":
        return {m.pk: m for m in Measure.objects.restrict(user, "view").filter(pk__in=ids).select_related("policy")}
    if kind == "service_org":
        return {o.pk: o for o in ServiceOrg.objects.restrict(user, "view").filter(pk__in=ids)}
    if kind == "broker":
        return {b.pk: b for b in Broker.objects.restrict(user, "view").filter(pk__in=ids)}
    return {p.pk: p for p in FinancialProduct.objects.restrict(user, "view").filter(pk__in=ids)}


def _detail(kind: str, obj) -> str:
    """One line on what the resource is."""
    if kind == "institute":
        return f"{obj.get_category_display()} · {obj.get_level_display()} · {'、'.join(obj.fields or []) or '—'}"
    if kind == "instrument":
        p = obj
        price = f"原值 {p.value.normalize():f} 万元" if p.value is not None else ""
        return " · ".join(x for x in (p.instrument.owner.name, p.model_no, p.get_sharing_mode_display(), price) if x)
    if kind == "achievement":
        owner = obj.owner_institute.name if obj.owner_institute else obj.owner_name
        return " · ".join(x for x in (owner, obj.field) if x)
    if kind == "measure":
        return f"{obj.policy.title} {obj.article}"
    if kind == "service_org":
        return f"{obj.get_kind_display()} · {'已备案' if obj.registered else '未备案'}"
    if kind == "broker":
        return " · ".join(x for x in (obj.institution, "、".join(obj.fields or [])) if x)
    return f"{obj.get_kind_display()} · {obj.provider}"


def _actions(user, kind: str, obj) -> list[tuple[str, str]]:
    """What the user can do with the resource: only the actions the user's permissions allow."""
    out: list[tuple[str, str]] = []
    need = can(user, "techmarket.need.post") and bool(getattr(user, "enterprise_id", None))
    voucher = can(user, "resources.voucher.apply") and bool(getattr(user, "enterprise_id", None))
    if kind == "instrument":
        url = reverse("resources:instrument_detail", args=[obj.instrument_id])
        out.append(("预约仪器" if can(user, "resources.booking.request") else "仪器详情", url))
        if voucher:
            out.append(("申领创新券", reverse("resources:vouchers") + "#apply"))
    elif kind == "institute":
        out.append(("机构主页", reverse("resources_public:institute", args=[obj.institute_id])))
        if need:
            out.append(("发布技术需求", reverse("techmarket:need_new")))
    elif kind == "achievement":
        out.append(("查看成果", reverse("techmarket:achievement_detail", args=[obj.pk])))
        if need:
            out.append(("发布技术需求", reverse("techmarket:need_new")))
        if can(user, "techmarket.dispatch.assign"):
            out.append(("派技术经理人对接", reverse("techmarket:needs")))
    elif kind == "measure":
        out.append(("政策条款", reverse("policies:policy", args=[obj.policy.code])))
        if getattr(user, "enterprise_id", None) and can(user, "policies.case.view"):
            out.append(("测算本企业可享政策", reverse("policies:enterprise", args=[user.enterprise_id])))
        elif can(user, "policies.finder.use"):
            out.append(("政策找企", reverse("policies:finder")))
        else:
            out.append(("政策计算器", reverse("policies:public_calculator")))
    elif kind == "service_org":
        out.append(("机构详情", reverse("resources:service_org_detail", args=[obj.pk])))
        if voucher:
            out.append(("申领创新券", reverse("resources:vouchers") + "#apply"))
    elif kind == "broker":
        if can(user, "techmarket.dispatch.assign"):
            out.append(("派单对接", reverse("techmarket:needs")))
        if need:
            out.append(("发布需求，请技术经理人对接", reverse("techmarket:need_new")))
    else:
        out.append(("准入条件与是否符合" if getattr(user, "enterprise_id", None) else "产品详情",
                    reverse("resources:products") + f"#product-{obj.pk}"))
    return out


def search(user, query: str, k: int = MAX_HITS, kind: str = "") -> list[dict]:
    """Ranked hits the user may see: {kind, kind_label, title, detail, why, actions}; ``kind``
    narrows to one kind of resource (otherwise each kind is capped so that no kind crowds out the
    others). Raises SearchError on a bad query."""
    if not query.strip():
        raise SearchError("查询不能为空")
    hits = []
    if kind in ("", "achievement"):
        found = sorted(_ranked(_achievement_engine(), query, k),
                       key=lambda t: (-round(t[0], 3), t[1].lexical_rank is None, -t[1].score))
        hits += [(cov, "achievement", int(h.id.split("-", 1)[1]), h)
                 for cov, h in found[:k if kind else MAX_ACHIEVEMENTS_MIXED * 2]]
    if kind != "achievement":
        for cov, h in _ranked(engine(), query, k * 3):
            hk, _, pk = h.id.partition(":")
            if not kind or hk == kind:
                hits.append((cov, hk, int(pk), h))
    # most of the query's terms first, then term matches before meaning-only neighbours, then score
    hits.sort(key=lambda t: (-round(t[0], 3), t[3].lexical_rank is None, -t[3].score))
    hits = [(hk, pk, h) for _, hk, pk, h in hits]
    by_kind: dict[str, list[int]] = {}
    for hk, pk, _ in hits:
        by_kind.setdefault(hk, []).append(pk)
    visible = {hk: _visible(user, hk, ids) for hk, ids in by_kind.items()}
    out, shown = [], {}
    for hk, pk, h in hits:
        obj = visible[hk].get(pk)
        if obj is None:
            continue
        if not kind:
            shown[hk] = shown.get(hk, 0) + 1
            if shown[hk] > (MAX_ACHIEVEMENTS_MIXED if hk == "achievement" else MAX_PER_KIND_MIXED):
                continue
        out.append({"kind": hk, "kind_label": KIND_LABELS[hk], "title": h.title, "detail": _detail(hk, obj),
                    "why": h.why[:2], "score": h.score, "actions": _actions(user, hk, obj)})
        if len(out) >= k:
            break
    return out


def overview(user) -> list[dict]:
    """Per seed industry chain: institutes, instruments (via their institute), service
    organisations and 技术经理人 whose fields name the chain — only rows the user may see."""
    from kechuang.techmarket.models import Broker

    insts = list(InstituteProfile.objects.restrict(user, "view").select_related("institute"))
    orgs = list(ServiceOrg.objects.restrict(user, "view"))
    brokers = list(Broker.objects.restrict(user, "view"))
    n_instr: dict[int, int] = {}
    for p in InstrumentProfile.objects.restrict(user, "view").values_list("instrument__owner_id", flat=True):
        n_instr[p] = n_instr.get(p, 0) + 1
    rows = []
    for chain in SEED_CHAINS:
        ci = [p for p in insts if chain in (p.industry_chains or [])]
        co = [o for o in orgs if chain in (o.industry_chains or [])]
        cb = [b for b in brokers if any(chain in f or (f and f in chain) for f in (b.fields or []))]
        rows.append({"chain": chain, "institutes": [p.institute for p in ci],
                     "instruments": sum(n_instr.get(p.institute_id, 0) for p in ci), "service_orgs": co,
                     "brokers": cb})
    return rows
