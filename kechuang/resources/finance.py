"""Financial products (科技贷, 技术创新基金白名单, 科创天使基金, bank products): conditions as data
over enterprise facts, and the loan statistics per township and ladder rung.

A product's ``conditions`` is a list of ``{"fact", "op", "value", "label"}``; facts are derived
from the registry's contract-2 facts (``kechuang.enterprises.facts``):

- ``qualifications``: kinds in force on the day (hnte, tsme, innovative_sme, srdi_sme,
  little_giant, above_designated_size); ops ``has`` / ``has_any`` / ``not_has``
- ``employees``, ``rd_staff``, ``age_years``, ``invention_patents``, ``operating_revenue``,
  ``rd_expense``, ``rd_ratio`` (latest year); ops ``>=``, ``<=``, ``>``, ``<``
- ``serious_dishonesty``, ``abnormal_operation_listed``: op ``==``

A missing fact never passes: the reason says what the registry lacks.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from kechuang.enterprises.vocab import QUALIFICATION_KINDS

FACT_LABELS = {
    "qualifications": "资质", "employees": "职工人数", "rd_staff": "研发人员数", "age_years": "成立年限（年）",
    "invention_patents": "有效发明专利（件）", "operating_revenue": "上年营业收入（万元）",
    "rd_expense": "上年研发费用（万元）", "rd_ratio": "研发费用占营业收入比例",
    "serious_dishonesty": "科研严重失信", "abnormal_operation_listed": "经营异常名录",
}
OPS = {">=", "<=", ">", "<", "==", "has", "has_any", "not_has"}

# 梯次培育 ladder (docs: 科技型中小企业 → 高企 → 高成长 → 领军); the rung is the highest qualification held.
RUNGS = [("little_giant", "专精特新“小巨人”"), ("hnte", "高新技术企业"), ("srdi_sme", "专精特新中小企业"),
         ("innovative_sme", "创新型中小企业"), ("tsme", "科技型中小企业")]
NO_RUNG = "尚未入梯"


def enterprise_facts(enterprise, on: dt.date | None = None) -> dict:
    """The flat facts the product conditions read."""
    from kechuang.enterprises.facts import enterprise_facts as registry_facts

    on = on or timezone.localdate()
    f = registry_facts(enterprise, on=on)
    quals = set()
    for q in f.get("qualifications", []):
        vf, vu = q.get("valid_from"), q.get("valid_until")
        if (vf is None or vf <= on.isoformat()) and (vu is None or vu >= on.isoformat()):
            quals.add(q["kind"])
    out = {"qualifications": quals, "serious_dishonesty": f.get("serious_dishonesty", False),
           "abnormal_operation_listed": f.get("abnormal_operation_listed", False)}
    for k in ("employees", "rd_staff"):
        if f.get(k) is not None:
            out[k] = f[k]
    if f.get("established_on"):
        est = dt.date.fromisoformat(f["established_on"])
        out["age_years"] = Decimal((on - est).days) / Decimal("365.25")
    out["invention_patents"] = sum(1 for r in f.get("ip_rights", []) if r["kind"] == "invention_patent"
                                   and (r.get("expires_on") is None or r["expires_on"] >= on.isoformat()))
    years = f.get("years") or []
    if years:
        last = years[-1]
        if last.get("operating_revenue") is not None:
            out["operating_revenue"] = Decimal(last["operating_revenue"])
        if last.get("rd_expense") is not None:
            out["rd_expense"] = Decimal(last["rd_expense"])
        if out.get("operating_revenue") and "rd_expense" in out:
            out["rd_ratio"] = out["rd_expense"] / out["operating_revenue"]
    return out


def _fmt(v) -> str:
    if isinstance(v, Decimal):
        return f"{v.quantize(Decimal('0.01')).normalize():f}"
    if isinstance(v, (list, tuple, set)):
        return "、".join(QUALIFICATION_KINDS.get(x, x) for x in v)
    if isinstance(v, bool):
        return "是" if v else "否"
    return str(v)


def check(cond: dict, facts: dict) -> tuple[bool, str]:
    """One condition → (passed, the Chinese reason)."""
    fact, op, value = cond.get("fact"), cond.get("op"), cond.get("value")
    label = cond.get("label") or FACT_LABELS.get(fact, fact)
    if op not in OPS:
        return False, f"条件“{label}”的写法无法识别"
    if fact == "qualifications":
        held = facts.get("qualifications", set())
        wanted = set(value if isinstance(value, list) else [value])
        if op == "has":
            ok = wanted <= held
        elif op == "has_any":
            ok = bool(wanted & held)
        else:
            ok = not (wanted & held)
        need = _fmt(sorted(wanted))
        verb = {"has": "须具备", "has_any": "须具备其一", "not_has": "不得具备"}.get(op, "")
        return ok, f"{label}：{verb}{need}（企业库：{_fmt(sorted(held)) or '无'}）"
    if fact not in facts:
        return False, f"{label}：企业库缺少该数据"
    have = facts[fact]
    if op == "==":
        ok = have == value
        return ok, f"{label}：应为{_fmt(value)}（企业库：{_fmt(have)}）"
    try:
        have_d, want = Decimal(str(have)), Decimal(str(value))
    except Exception:
        return False, f"{label}：数据无法比较"
    ok = {">=": have_d >= want, "<=": have_d <= want, ">": have_d > want, "<": have_d < want}[op]
    if fact.endswith("_ratio"):  # a ratio reads as a percentage, like the condition's own wording (3%)
        # the enterprise's figure rounded away from the bound, so that a miss never reads as a pass
        rounding = ROUND_DOWN if op in (">=", ">") else ROUND_UP
        have_pct = (have_d * 100).quantize(Decimal("0.01"), rounding=rounding).normalize()
        want_t, have_t = f"{_fmt(want * 100)}%", f"{have_pct:f}%"
    else:
        want_t, have_t = _fmt(want), _fmt(have_d)
    return ok, f"{label}：{ {'>=': '不低于', '<=': '不高于', '>': '高于', '<': '低于'}[op]}{want_t}（企业库：{have_t}）"


def fits(product, facts: dict) -> dict:
    """Whether the enterprise fits the product: {"ok", "passed": [...], "failed": [...]} with reasons."""
    passed, failed = [], []
    for cond in product.conditions or []:
        ok, reason = check(cond, facts)
        (passed if ok else failed).append(reason)
    return {"ok": not failed, "passed": passed, "failed": failed}


def rung_of(kinds: set) -> str:
    for kind, label in RUNGS:
        if kind in kinds:
            return label
    return NO_RUNG


def loans_by_township(qs) -> list[dict]:
    return list(qs.values("enterprise__township__name").annotate(
        n=Count("enterprise", distinct=True), amount=Sum("amount")).order_by("-amount"))


def loans_by_rung(qs, on: dt.date | None = None) -> list[dict]:
    """Loans per ladder rung of the borrowing enterprise (its highest qualification in force)."""
    from django.db.models import Q

    from kechuang.enterprises.models import Qualification

    on = on or timezone.localdate()
    ent_ids = set(qs.values_list("enterprise_id", flat=True))
    held: dict[int, set] = {}
    for eid, kind in Qualification.objects.filter(enterprise_id__in=ent_ids).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)).values_list("enterprise_id", "kind"):
        held.setdefault(eid, set()).add(kind)
    out: dict[str, dict] = {}
    for eid, amount in qs.values_list("enterprise_id", "amount"):
        rung = rung_of(held.get(eid, set()))
        agg = out.setdefault(rung, {"rung": rung, "enterprises": set(), "amount": Decimal(0)})
        agg["enterprises"].add(eid)
        agg["amount"] += amount
    order = [label for _k, label in RUNGS] + [NO_RUNG]
    return [{"rung": r, "n": len(out[r]["enterprises"]), "amount": out[r]["amount"]} for r in order if r in out]
