"""Policy calculator for one enterprise (contract section 4).

``calculate(facts, year, policies)`` evaluates every measure of the given policies for the
year, applies the stacking rule and returns a :class:`Result` whose ``to_json()`` is the
document of ``kechuang policy calc --json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as _dc_field
from decimal import Decimal
from typing import Any

from .conditions import Condition, Instance, evaluate_instances
from .errors import PolicyInputError
from .facts_adapter import Enterprise, enterprise_from_facts
from .model import RECIPIENTS, Measure, Policy
from .money import ZERO, fmt_pct, fmt_wan, wan_json
from .stacking import apply_stacking

STATUS_LABELS = {"eligible": "符合", "near": "差一个条件", "ineligible": "不符合"}
BENEFIT_KIND_LABELS = {
    "fixed": "定额", "range": "区间", "up_to": "最高限额", "per_unit_up_to": "按人计最高限额",
    "per_month": "按月", "share_capped": "按比例封顶", "undetermined": "金额待核定",
    "non_monetary": "非资金支持", "mechanism": "机制措施",
}


@dataclass
class MeasureOutcome:
    """The verdict of one measure for one enterprise and year."""

    measure: Measure
    policy: Policy
    order: int
    status: str
    amount: Decimal = ZERO
    amount_max: Decimal | None = ZERO
    amount_if_met: Decimal = ZERO
    amount_max_if_met: Decimal | None = ZERO
    basis: str = ""
    stacking: str = ""
    counted: bool = False
    conditions: list[Condition] = _dc_field(default_factory=list)
    missing_conditions: list[str] = _dc_field(default_factory=list)
    evidence: list[str] = _dc_field(default_factory=list)

    # attributes read by the stacking rule
    @property
    def group(self) -> str:
        """Stacking group."""
        return self.measure.stacking_group

    @property
    def level(self) -> str:
        """Level of government of the policy."""
        return self.policy.level

    @property
    def title(self) -> str:
        """Measure title."""
        return self.measure.title

    @property
    def stacks_on_higher(self) -> bool:
        """在上级奖励基础上叠加."""
        return self.measure.stacks_on_higher

    def to_json(self) -> dict:
        """The measure entry of contract section 4 (plus extra keys)."""
        m, b = self.measure, self.measure.benefit
        return {
            "id": m.id, "policy": self.policy.doc_no, "article": m.article, "title": m.title,
            "status": self.status,
            "amount": wan_json(self.amount),
            "amount_max": wan_json(self.amount_max),
            "basis": self.basis, "stacking": self.stacking,
            "missing_conditions": self.missing_conditions,
            "level": self.policy.level, "citation": m.citation,
            "benefit_kind": b.kind, "benefit": b.description or BENEFIT_KIND_LABELS[b.kind],
            "dependent": m.dependent, "stacks_on_higher": m.stacks_on_higher,
            "counted": self.counted,
            "amount_if_met": wan_json(self.amount_if_met),
            "amount_max_if_met": wan_json(self.amount_max_if_met),
            "conditions": [c.to_json() for c in self.conditions],
            "evidence": self.evidence,
            "lead_units": list(m.lead_units), "responsible_units": list(m.responsible_units),
        }


@dataclass
class Result:
    """Calculation result of one enterprise for one year."""

    year: int
    region: str | None
    outcomes: list[MeasureOutcome]
    total: Decimal
    total_max: Decimal
    trace: list[str]
    policies: tuple[Policy, ...] = ()

    def listed(self, include_all: bool = False) -> list[MeasureOutcome]:
        """Eligible and near outcomes (all with ``include_all``)."""
        return [o for o in self.outcomes if include_all or o.status != "ineligible"]

    def by_id(self, measure_id: str) -> MeasureOutcome:
        """The outcome of one measure."""
        for o in self.outcomes:
            if o.measure.id == measure_id:
                return o
        raise KeyError(measure_id)

    def to_json(self, include_all: bool = False) -> dict:
        """The JSON document of contract section 4."""
        return {
            "year": self.year, "region": self.region,
            "measures": [o.to_json() for o in self.listed(include_all)],
            "total": wan_json(self.total), "total_max": wan_json(self.total_max),
            "undetermined": [o.measure.id for o in self.outcomes
                             if o.status == "eligible" and o.amount_max is None],
            "trace": self.trace,
            "policies": [{"id": p.id, "doc_no": p.doc_no, "title": p.title, "level": p.level,
                          "effective": p.effective.isoformat(),
                          "expiry": p.expiry.isoformat() if p.expiry else None, "status": p.status,
                          "assumptions": [{"id": x.id, "value": _jsonable(x.value), "verified": x.verified,
                                           "note": x.note} for x in p.parameters if not x.verified]}
                         for p in self.policies],
        }


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _sum_max(items: Iterable[Instance]) -> Decimal | None:
    total = ZERO
    for i in items:
        if i.amount_max is None:
            return None
        total += i.amount_max
    return total


def evaluate_measure(measure: Measure, policy: Policy, ent: Enterprise, year: int, order: int = 0) -> MeasureOutcome:
    """Verdict of one measure (before stacking)."""
    instances, reason = evaluate_instances(measure, policy, ent, year)
    out = MeasureOutcome(measure, policy, order, "ineligible")
    if not instances:
        out.basis = reason
        out.missing_conditions = [reason]
        out.amount_max = ZERO if measure.benefit.monetary else ZERO
        return out
    eligible = [i for i in instances if i.verdict == "eligible"]
    near = [i for i in instances if i.verdict == "near"]
    if eligible:
        if measure.aggregate == "sum":
            amount, amax = sum((i.amount for i in eligible), ZERO), _sum_max(eligible)
            chosen = eligible
        else:
            best = max(eligible, key=lambda i: i.sort_key)
            amount, amax, chosen = best.amount, best.amount_max, [best]
        out.status = "eligible"
        out.amount, out.amount_max = amount, amax
        out.amount_if_met, out.amount_max_if_met = amount, amax
        out.conditions = [c for i in chosen for c in i.conditions]
        out.evidence = [e for i in chosen for e in i.evidence]
        out.basis = _basis(measure, policy, chosen, amount, amax)
        return out
    pick = max(near, key=lambda i: i.sort_key) if near else instances[0]
    out.status = "near" if near else "ineligible"
    out.conditions = pick.conditions
    out.evidence = pick.evidence
    out.amount_if_met, out.amount_max_if_met = (pick.amount, pick.amount_max) if near else (ZERO, ZERO)
    out.missing_conditions = [f"{c.label}：{c.detail}" if c.detail else c.label
                              for c in pick.conditions if c.status != "pass"]
    out.basis = f"{pick.description}；" + "；".join(out.missing_conditions)
    return out


def _basis(measure: Measure, policy: Policy, chosen: list[Instance], amount: Decimal, amax: Decimal | None) -> str:
    b = measure.benefit
    facts = "；".join(i.description for i in chosen)
    if b.kind == "non_monetary":
        money = f"享受：{b.description}"
    elif b.kind == "undetermined":
        money = f"{b.description}（金额待核定，不计入合计）"
    elif b.kind == "fixed":
        money = f"给予{fmt_wan(amount)}"
    elif b.kind == "range":
        money = (f"在{fmt_wan(b.min)}~{fmt_wan(b.max)}范围内核定为{fmt_wan(amount)}" if amount == amax
                 else f"补助{fmt_wan(b.min)}~{fmt_wan(b.max)}，待核定")
    elif b.kind == "share_capped":
        money = f"按非财政直接投入的{fmt_pct(b.share)}资助，每家最高{fmt_wan(b.cap)}，计{fmt_wan(amount)}"
    elif b.kind == "per_month":
        rates = "、".join(f"{k}{fmt_wan(v)}/月" for k, v in b.rates.items())
        money = f"按月发放（{rates}），计{fmt_wan(amount)}"
    elif amount == amax:
        money = f"核定{fmt_wan(amount)}"
    else:
        money = f"最高{fmt_wan(amax)}，具体金额待核定" if amax is not None else "金额待核定"
    dep = "（配套上级政策）" if measure.dependent else ""
    return f"{facts}。依据{measure.citation}{dep}，{money}。"


def calculate(facts: Mapping[str, Any] | Enterprise, year: int, policies: Iterable[Policy]) -> Result:
    """Evaluate every measure of ``policies`` for the enterprise ``facts`` in ``year``.

    ``facts`` is the facts object of contract section 2 (dict) or an :class:`Enterprise`.
    Raises :class:`PolicyInputError` on bad input (unknown event kind, malformed date,
    an amount outside a measure's range), naming the key path.
    """
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        raise PolicyInputError("year", f"年度应为四位整数，实际为“{year}”")
    ent = facts if isinstance(facts, Enterprise) else enterprise_from_facts(facts)
    policies = tuple(policies)
    outcomes: list[MeasureOutcome] = []
    order = 0
    for p in policies:
        for m in p.measures:
            outcomes.append(evaluate_measure(m, p, ent, year, order))
            order += 1
    eligible_money = [o for o in outcomes if o.status == "eligible" and o.measure.benefit.monetary]
    monetary = [o for o in eligible_money if o.measure.recipient == "enterprise"]
    trace = apply_stacking(monetary)
    for o in eligible_money:
        if o.measure.recipient != "enterprise":   # paid to a person or team; the enterprise is a channel
            o.counted = False
            who = RECIPIENTS[o.measure.recipient]
            o.stacking = f"发给{who}{'本人' if o.measure.recipient == 'person' else ''}，企业仅为发放渠道，不计入企业合计"
    for o in outcomes:
        if o.status == "eligible" and not o.measure.benefit.monetary:
            o.stacking = "非资金类支持，不计入合计"
        elif o.status == "near":
            o.stacking = "尚差条件，不计入合计"
        elif o.status == "ineligible":
            o.stacking = ""
    total = sum((o.amount for o in monetary if o.counted), ZERO)
    total_max = sum((o.amount if o.amount_max is None else o.amount_max for o in monetary if o.counted), ZERO)
    lines = []
    for o in outcomes:
        if o.status == "eligible" and o.measure.benefit.monetary:
            state = "计入" if o.counted else "不计入"
            rng = fmt_wan(o.amount) if o.amount == o.amount_max else (
                f"{fmt_wan(o.amount)}~{fmt_wan(o.amount_max)}" if o.amount_max is not None else "金额待核定")
            lines.append(f"“{o.title}”（{o.level}级）符合，{rng}，{state}合计：{o.stacking}。")
        elif o.status == "near":
            lines.append(f"“{o.title}”差一个条件：{'；'.join(o.missing_conditions)}。")
    undetermined = [o for o in monetary if o.counted and o.amount_max is None]
    tail = [f"合计{fmt_wan(total)}，最高{fmt_wan(total_max)}。"]
    if undetermined:
        tail.append("另有" + "、".join(f"“{o.title}”" for o in undetermined) + "金额待按上级政策或评审结果核定，未计入合计。")
    return Result(year, ent.region, outcomes, total, total_max, lines + trace + tail, policies)
