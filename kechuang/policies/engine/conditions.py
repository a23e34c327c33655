"""Scalar evaluation of one measure for one enterprise: trigger instances and their conditions.

Vocabulary (mirrored column-wise in :mod:`.screening`):

* An *instance* is one occurrence that could earn the measure in the year: an event dated in
  the year, a qualification record, a fiscal year's figures. No instance → ``ineligible``.
* Each instance has conditions, each ``pass`` / ``fail`` / ``missing``. A ``fail`` is *hard*
  when it cannot be made good (the date lies outside the policy's validity, the
  recognition was not the first, the revenue is far below the line); otherwise soft.
* Instance verdict: any hard fail → ineligible; all pass → eligible; exactly one soft
  fail or missing → near; more → ineligible.
* Measure verdict: eligible instances (summed or best one, per ``aggregate``), else the
  best near instance, else ineligible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as _dc_field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .errors import PolicyInputError
from .events import EVENT_KINDS, VALUE_LABELS
from .facts_adapter import Enterprise
from .model import Measure, Policy
from .money import FEN, ZERO, fmt_pct, fmt_wan

#: a numeric shortfall within this fraction of the threshold is “near” (soft), below it hard
NEAR_FRACTION = Decimal("0.8")

QUALIFICATION_LABELS = {
    "hnte": "高新技术企业", "tsme": "科技型中小企业", "innovative_sme": "创新型中小企业",
    "srdi_sme": "专精特新中小企业", "little_giant": "专精特新“小巨人”企业",
    "above_designated_size": "规上企业",
}


@dataclass
class Condition:
    """One evaluated condition: ``status`` pass/fail/missing, ``hard`` for unfixable fails."""

    label: str
    status: str
    detail: str = ""
    hard: bool = False

    def to_json(self) -> dict:
        """JSON form for outputs and the evidence trace."""
        return {"label": self.label, "status": self.status, "detail": self.detail}


@dataclass
class Instance:
    """One occurrence evaluated against a measure."""

    description: str
    conditions: list[Condition]
    amount: Decimal = ZERO
    amount_max: Decimal | None = ZERO
    evidence: list[str] = _dc_field(default_factory=list)

    @property
    def verdict(self) -> str:
        """eligible / near / ineligible per the module rule."""
        bad = [c for c in self.conditions if c.status != "pass"]
        if any(c.status == "fail" and c.hard for c in bad):
            return "ineligible"
        if not bad:
            return "eligible"
        return "near" if len(bad) == 1 else "ineligible"

    @property
    def sort_key(self) -> tuple[Decimal, Decimal]:
        """Ordering for “best”: amount, then upper bound (undetermined = amount)."""
        return (self.amount, self.amount if self.amount_max is None else self.amount_max)


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _window(policy: Policy, day: dt.date, what: str) -> Condition:
    ok = policy.in_force_on(day)
    return Condition(
        label=f"{what}在{policy.doc_no}有效期（{policy.window_text()}）内",
        status="pass" if ok else "fail", hard=True,
        detail=f"{what}为{day.isoformat()}" + ("" if ok else "，不在有效期内"))


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return VALUE_LABELS.get(value, str(value)) if isinstance(value, str) else str(value)


# --- benefits -----------------------------------------------------------------------

def _benefit(measure: Measure, fields: dict, key: str, conds: list[Condition]) -> tuple[Decimal, Decimal | None]:
    """Amount and upper bound of one instance; appends missing-input conditions; raises on out-of-range input."""
    b = measure.benefit
    cite = measure.citation
    if b.kind == "fixed":
        return b.amount, b.amount  # type: ignore[return-value]
    if b.kind == "range":
        v = fields.get(b.field)
        if v is None:
            return b.min, b.max  # type: ignore[return-value]
        if v < b.min or v > b.max:  # type: ignore[operator]
            raise PolicyInputError(f"{key}.{b.field}", f"{fmt_wan(v)}超出“{measure.title}”的金额范围 "
                                   f"{fmt_wan(b.min)}~{fmt_wan(b.max)}（{cite}）")  # type: ignore[arg-type]
        return v, v
    if b.kind == "up_to":
        v = fields.get(b.field)
        if v is None:
            return ZERO, b.max
        if v > b.max:  # type: ignore[operator]
            raise PolicyInputError(f"{key}.{b.field}", f"核定金额{fmt_wan(v)}超过“{measure.title}”最高"
                                   f"{fmt_wan(b.max)}（{cite}）")  # type: ignore[arg-type]
        return v, v
    if b.kind == "per_unit_up_to":
        units = fields.get(b.unit_field)
        if units is None:
            conds.append(Condition(f"{b.unit_field}（人数）", "missing", "缺少人数"))
            return ZERO, ZERO
        if units < 1:
            raise PolicyInputError(f"{key}.{b.unit_field}", f"人数应至少为 1（{units}）")
        cap = b.max_per_unit * units  # type: ignore[operator]
        v = fields.get(b.field)
        if v is None:
            return ZERO, cap
        if v > cap:
            raise PolicyInputError(f"{key}.{b.field}", f"核定金额{fmt_wan(v)}超过“{measure.title}”最高"
                                   f"{fmt_wan(b.max_per_unit)}/人 × {units} 人 = {fmt_wan(cap)}（{cite}）")  # type: ignore[arg-type]
        return v, v
    if b.kind == "per_month":
        kind = fields.get(b.field)
        months = fields.get(b.months_field)
        if kind is None:
            conds.append(Condition("培养层次（硕士/博士）", "missing", f"缺少 {b.field}"))
        if months is None:
            conds.append(Condition("补贴月数", "missing", f"缺少 {b.months_field}"))
        if kind is None or months is None:
            return ZERO, ZERO
        if not 1 <= months <= 12:
            raise PolicyInputError(f"{key}.{b.months_field}", f"一个年度内的补贴月数应在 1~12 之间（{months}）")
        amount = b.rates[kind] * months
        return amount, amount
    if b.kind == "share_capped":
        base = fields.get(b.field)
        if base is None:
            conds.append(Condition("非财政直接投入金额", "missing", f"缺少 {b.field}"))
            return ZERO, b.cap
        amount = min((b.share * base).quantize(FEN, rounding=ROUND_HALF_UP), b.cap)  # type: ignore[operator, type-var]
        return amount, amount
    if b.kind == "undetermined":
        return ZERO, None
    return ZERO, ZERO  # non_monetary, mechanism


# --- triggers -----------------------------------------------------------------------

def _event_instances(measure: Measure, policy: Policy, ent: Enterprise, year: int) -> list[tuple[str, dt.date, dict, str, str]]:
    """(key, date, fields, description, evidence line naming the key) of the events (or recognitions from qualifications) in ``year``."""
    t = measure.trigger
    found = [(e.key, e.date, dict(e.fields), f"{e.label}（{e.date.isoformat()}）",
              f"{e.label}（{e.date.isoformat()}，{e.key}）")
             for e in ent.events
             if e.kind == t.event and e.date.year == year  # type: ignore[union-attr]
             and all(e.fields.get(k) == v for k, v in t.match.items())]  # type: ignore[union-attr]
    if found or t.from_qualification is None:  # type: ignore[union-attr]
        return found
    has_kind = any(e.kind == t.event and e.date.year == year for e in ent.events)  # type: ignore[union-attr]
    if has_kind:
        return found
    out = []
    for i, q in enumerate(ent.qualifications):
        if q.kind != t.from_qualification or q.valid_from is None or q.valid_from.year != year:  # type: ignore[union-attr]
            continue
        first = None if q.first_recognized_on is None else q.first_recognized_on == q.valid_from
        label = QUALIFICATION_LABELS[q.kind]
        out.append((f"qualifications[{i}]", q.valid_from, {"first_time": first},
                    f"{label}资格有效期起 {q.valid_from.isoformat()}（按认定日期计）",
                    f"{label}资格有效期起 {q.valid_from.isoformat()}（qualifications[{i}]，按认定日期计）"))
    return out


def _requirement_conditions(measure: Measure, fields: dict) -> list[Condition]:
    from kechuang.rules.vocabulary import label_of  # the one vocabulary: 是否首次, never first_time

    out = []
    for r in measure.require:
        v = fields.get(r.field)
        if v is None:
            out.append(Condition(r.label, "missing", f"缺少{label_of(r.field)}"))
        elif r.accepts(v):
            out.append(Condition(r.label, "pass", f"{label_of(r.field)}：{_value_text(v)}"))
        else:
            out.append(Condition(r.label, "fail", f"{label_of(r.field)}：{_value_text(v)}", hard=True))
    return out


def _check_conditions(measure: Measure, ent: Enterprise, day: dt.date) -> list[Condition]:
    out = []
    for c in measure.conditions:
        if c.check == "holds_any":
            start, end = _year_bounds(day.year)
            ok = ent.holds_during(c.kinds, start, end)
            names = "或".join(QUALIFICATION_LABELS[k] for k in c.kinds)
            out.append(Condition(c.label, "pass" if ok else "fail",
                                 f"{day.year}年{'持有' if ok else '未持有'}{names}资格"))
        elif c.check == "has_event":
            ok = any(e.kind == c.kind and e.date <= day for e in ent.events)
            out.append(Condition(c.label, "pass" if ok else "fail",
                                 f"{'有' if ok else '无'}“{EVENT_KINDS[c.kind][0]}”记录（截至{day.isoformat()}）"))  # type: ignore[index]
    return out


def _gap_condition(label: str, value: Decimal, line: Decimal, what: str) -> Condition:
    if value > line:
        return Condition(label, "pass", f"{what}{fmt_wan(value)}，超过{fmt_wan(line)}")
    return Condition(label, "fail", f"{what}{fmt_wan(value)}，未超过{fmt_wan(line)}（差{fmt_wan(line - value)}）",
                     hard=value < NEAR_FRACTION * line)


def evaluate_instances(measure: Measure, policy: Policy, ent: Enterprise, year: int) -> tuple[list[Instance], str]:
    """All instances of ``measure`` for ``ent`` in ``year`` and, when none, the reason (Chinese)."""
    t = measure.trigger
    if measure.kind == "mechanism" or t is None:
        return [], "机制类措施，不面向单个企业计算兑现"
    ys, ye = _year_bounds(year)
    if t.type == "event":
        raw = _event_instances(measure, policy, ent, year)
        if not raw:
            what = EVENT_KINDS[t.event][0]
            extra = "、".join(f"{_value_text(v)}" for v in t.match.values())
            return [], f"{year}年无“{what}{('（' + extra + '）') if extra else ''}”记录"
        out = []
        for key, day, fields, desc, line in raw:
            conds = [_window(policy, day, "发生日期")]
            conds += _requirement_conditions(measure, fields)
            conds += _check_conditions(measure, ent, day)
            amount, amax = ZERO, ZERO
            if conds[0].status == "pass":
                amount, amax = _benefit(measure, fields, key, conds)
            out.append(Instance(desc, conds, amount, amax, [line]))
        return out, ""
    if t.type == "holds_any":
        if not policy.overlaps_year(year):
            return [], f"{year}年不在{policy.doc_no}有效期（{policy.window_text()}）内"
        held = [f"{QUALIFICATION_LABELS[q.kind]}" for i, q in enumerate(ent.qualifications)
                if q.kind in t.kinds and ent.holds_during((q.kind,), ys, ye)]
        if not held:
            names = "、".join(QUALIFICATION_LABELS[k] for k in t.kinds)
            return [], f"{year}年未持有{names}资格"
        cond = Condition("持有" + "或".join(QUALIFICATION_LABELS[k] for k in t.kinds) + "资格", "pass",
                         f"{year}年持有" + "、".join(held))
        return [Instance(f"{year}年资格", [cond], ZERO, ZERO, held)], ""
    if t.type == "rd_intensity":
        if not policy.overlaps_year(year):
            return [], f"{year}年不在{policy.doc_no}有效期（{policy.window_text()}）内"
        fy = year - t.year_offset
        yf = ent.years.get(fy)
        if yf is None or yf.rd_expense is None:
            return [], f"缺少{fy}年研究开发费用数据"
        rd, rev = yf.rd_expense, yf.operating_revenue
        label = f"{fy}年研发费用占营业收入比重超{fmt_pct(t.ratio)}或研发费用超{fmt_wan(t.amount)}"  # type: ignore[operator, arg-type]
        ev = [f"years[{fy}].rd_expense = {fmt_wan(rd)}"] + ([f"years[{fy}].operating_revenue = {fmt_wan(rev)}"] if rev is not None else [])
        if rd > t.amount:  # type: ignore[operator]
            cond = Condition(label, "pass", f"研发费用{fmt_wan(rd)}，超过{fmt_wan(t.amount)}")  # type: ignore[arg-type]
        elif rev is None or rev == 0:
            cond = Condition(label, "missing", f"研发费用{fmt_wan(rd)}未超过{fmt_wan(t.amount)}，且缺少{fy}年营业收入")  # type: ignore[arg-type]
        else:
            ratio = rd / rev
            text = f"研发费用{fmt_wan(rd)} / 营业收入{fmt_wan(rev)} = {fmt_pct(ratio.quantize(Decimal('0.0001')))}"
            if ratio > t.ratio:  # type: ignore[operator]
                cond = Condition(label, "pass", text)
            else:
                hard = ratio < NEAR_FRACTION * t.ratio and rd < NEAR_FRACTION * t.amount  # type: ignore[operator]
                cond = Condition(label, "fail", text + f"，未超过{fmt_pct(t.ratio)}", hard=hard)  # type: ignore[operator]
        return [Instance(f"{fy}年" + cond.detail, [cond], ZERO, ZERO, ev)], ""
    if t.type == "revenue_first_above":
        if not policy.overlaps_year(year):
            return [], f"{year}年不在{policy.doc_no}有效期（{policy.window_text()}）内"
        fy = year - t.year_offset
        yf = ent.years.get(fy)
        rev = None if yf is None else getattr(yf, t.revenue_field)
        if rev is None:
            return [], f"缺少{fy}年营业收入数据"
        conds = [_gap_condition(f"{fy}年营业收入超过{fmt_wan(t.line)}", rev, t.line, f"{fy}年营业收入")]  # type: ignore[arg-type]
        earlier = [(y, getattr(f, t.revenue_field)) for y, f in ent.years.items()
                   if y < fy and getattr(f, t.revenue_field) is not None]
        above = [y for y, v in earlier if v > t.line]  # type: ignore[operator]
        first_label = f"首次超过{fmt_wan(t.line)}"  # type: ignore[arg-type]
        if above:
            conds.append(Condition(first_label, "fail", f"{min(above)}年已超过", hard=True))
        elif earlier:
            conds.append(Condition(first_label, "pass", f"此前年度（{min(y for y, _ in earlier)}—{fy - 1}年记录）均未超过"))
        elif ent.established_on is not None and ent.established_on.year >= fy:
            conds.append(Condition(first_label, "pass", f"企业成立于{ent.established_on.isoformat()}，无此前年度"))
        else:
            conds.append(Condition(first_label, "missing", f"缺少{fy}年以前的营业收入记录，无法判断是否首次"))
        hnte = ent.holds_during(("hnte",), *_year_bounds(fy))
        conds.append(Condition(f"{fy}年为高新技术企业", "pass" if hnte else "fail",
                               f"{fy}年{'持有' if hnte else '未持有'}有效高企资格"))
        amount, amax = _benefit(measure, {}, "", conds)
        ev = [f"years[{fy}].{t.revenue_field} = {fmt_wan(rev)}"]
        return [Instance(f"{fy}年营业收入{fmt_wan(rev)}", conds, amount, amax, ev)], ""
    if t.type == "became_above_size_while":
        out = []
        for i, q in enumerate(ent.qualifications):
            if q.kind != "above_designated_size":
                continue
            day = q.first_recognized_on or q.valid_from
            if day is None or day.year != year:
                continue
            key = f"qualifications[{i}]"
            conds = [_window(policy, day, "升规日期")]
            if q.first_recognized_on is None:
                conds.append(Condition("首次升规日期", "missing", "规上企业资质记录缺少首次认定日期，仅有有效期起"))
            earlier = [q2 for q2 in ent.qualifications if q2.kind == "above_designated_size" and q2 is not q
                       and (q2.first_recognized_on or q2.valid_from) is not None
                       and (q2.first_recognized_on or q2.valid_from) < day]
            conds.append(Condition("首次升级为规上企业", "fail" if earlier else "pass",
                                   "此前已有规上记录" if earlier else "此前无规上记录", hard=bool(earlier)))
            before = day - dt.timedelta(days=1)
            hnte = any(q2.kind == t.while_kind and q2.valid_on(before) for q2 in ent.qualifications)
            conds.append(Condition("升规前为规下高新技术企业", "pass" if hnte else "fail",
                                   f"{before.isoformat()}{'持有' if hnte else '未持有'}有效高企资格", hard=not hnte))
            amount, amax = (ZERO, ZERO)
            if conds[0].status == "pass":
                amount, amax = _benefit(measure, {}, key, conds)
            desc = f"升规纳统（{day.isoformat()}）"
            out.append(Instance(desc, conds, amount, amax, [f"升规纳统（{key}，{day.isoformat()}）"]))
        if not out:
            return [], f"{year}年无首次升规（规上企业资质）记录"
        return out, ""
    raise AssertionError(t.type)  # pragma: no cover
