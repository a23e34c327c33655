"""Policies and measures as data: dataclasses built from the reviewed YAML of ``data/policies/``.

A :class:`Policy` (文号, issuer, level, dates, status) holds :class:`Measure` items. A measure
says *what triggers it* (an event, a qualification held, a derived fact such as “revenue
first above a line”), *which further conditions* must hold, *what benefit* follows
(fixed / range / up_to / per_unit_up_to / per_month / share_capped / undetermined /
non_monetary / mechanism) and *how it stacks* (group, stacks_on_higher, dependent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from dataclasses import field as _dc_field
from decimal import Decimal
from typing import Any

from .errors import PolicyDataError
from .events import EVENT_KINDS
from .money import to_decimal

LEVELS = ("国家", "省", "市", "县")
#: rank of a level: smaller = higher level of government
LEVEL_RANK = {name: i for i, name in enumerate(LEVELS)}
STATUSES = ("draft", "review", "published", "expired")
MEASURE_KINDS = ("monetary", "non_monetary", "mechanism")
#: who a measure pays: the enterprise applying, a person (a student, a recognised talent), a team
#: (a 导师团队) or an institution (the organisation that recruited a talent, when not the applicant)
RECIPIENTS = {"enterprise": "企业", "person": "个人", "team": "团队", "institution": "机构"}
BENEFIT_KINDS = ("fixed", "range", "up_to", "per_unit_up_to", "per_month", "share_capped",
                 "undetermined", "non_monetary", "mechanism")
#: How each benefit kind reads on a page.
BENEFIT_KIND_LABELS = {
    "fixed": "定额", "range": "区间", "up_to": "最高限额", "per_unit_up_to": "按件（项）计，设上限",
    "per_month": "按月发放", "share_capped": "按比例，设上限", "undetermined": "金额待核定",
    "non_monetary": "非资金支持", "mechanism": "工作机制",
}
QUALIFICATION_KINDS = ("hnte", "tsme", "innovative_sme", "srdi_sme", "little_giant",
                       "above_designated_size")


@dataclass(frozen=True)
class Parameter:
    """An assumption or open point of a policy, shown to users; ``verified`` = confirmed by the bureau."""

    id: str
    value: Any
    verified: bool
    note: str


@dataclass(frozen=True)
class Requirement:
    """A condition on the triggering event's own keys (``first_time`` = true, ``level`` in …)."""

    field: str
    label: str
    equals: Any = None
    one_of: tuple[Any, ...] | None = None

    def accepts(self, value: Any) -> bool:
        """True when ``value`` satisfies the requirement (value is not None)."""
        if self.one_of is not None:
            return value in self.one_of
        return value == self.equals


@dataclass(frozen=True)
class Check:
    """An extra condition on the enterprise: ``holds_any`` (qualification) or ``has_event``."""

    check: str
    label: str
    kinds: tuple[str, ...] = ()
    kind: str | None = None


@dataclass(frozen=True)
class Trigger:
    """What makes a measure relevant to an enterprise in a year (exactly one ``type``)."""

    type: str  # event | holds_any | rd_intensity | revenue_first_above | became_above_size_while
    event: str | None = None
    match: Mapping[str, Any] = _dc_field(default_factory=dict)
    from_qualification: str | None = None
    kinds: tuple[str, ...] = ()
    ratio: Decimal | None = None
    amount: Decimal | None = None
    line: Decimal | None = None
    revenue_field: str = "operating_revenue"
    year_offset: int = 1
    while_kind: str | None = None


@dataclass(frozen=True)
class Benefit:
    """What the measure gives; money in 万元."""

    kind: str
    amount: Decimal | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    field: str | None = None
    share: Decimal | None = None
    cap: Decimal | None = None
    max_per_unit: Decimal | None = None
    unit_field: str | None = None
    months_field: str | None = None
    rates: Mapping[str, Decimal] = _dc_field(default_factory=dict)
    description: str = ""

    @property
    def monetary(self) -> bool:
        """True for benefits that are money (possibly undetermined)."""
        return self.kind not in ("non_monetary", "mechanism")


@dataclass(frozen=True)
class Measure:
    """One measure (条/款) of a policy."""

    id: str
    article: str
    title: str
    text: str
    citation: str
    kind: str
    benefit: Benefit
    trigger: Trigger | None = None
    require: tuple[Requirement, ...] = ()
    conditions: tuple[Check, ...] = ()
    group: str | None = None
    stacks_on_higher: bool = False
    dependent: bool = False
    aggregate: str = "best"  # best | sum (several events in one year)
    recipient: str = "enterprise"  # who is paid: enterprise | person | team | institution (only enterprise sums count)
    lead_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()
    policy_id: str = ""

    @property
    def stacking_group(self) -> str:
        """The stacking group, or the measure's own id when it overlaps nothing."""
        return self.group or self.id


@dataclass(frozen=True)
class Policy:
    """A policy document with its measures."""

    id: str
    doc_no: str
    title: str
    issuer: str
    level: str
    region: str
    effective: dt.date
    expiry: dt.date | None
    status: str
    stacking_principle: str
    measures: tuple[Measure, ...]
    parameters: tuple[Parameter, ...] = ()
    review: Mapping[str, Any] = _dc_field(default_factory=dict)
    source: str = ""

    def in_force_on(self, day: dt.date) -> bool:
        """True when ``day`` lies within [effective, expiry]."""
        return self.effective <= day and (self.expiry is None or day <= self.expiry)

    def overlaps_year(self, year: int) -> bool:
        """True when the policy is in force on some day of ``year``."""
        return self.effective <= dt.date(year, 12, 31) and (
            self.expiry is None or self.expiry >= dt.date(year, 1, 1))

    def window_text(self) -> str:
        """“2025-10-23至2027-12-31” (or “…起” when open-ended)."""
        if self.expiry is None:
            return f"{self.effective.isoformat()}起"
        return f"{self.effective.isoformat()}至{self.expiry.isoformat()}"

    def with_status(self, status: str) -> Policy:
        """A copy with another lifecycle status."""
        return replace(self, status=status)


# --- building from YAML dicts ----------------------------------------------------------

def _req(d: Mapping, key: str, where: str) -> Any:
    if key not in d or d[key] is None:
        raise PolicyDataError(where, f"缺少 {key}")
    return d[key]


def _money(v: Any, where: str) -> Decimal | None:
    if v is None:
        return None
    if isinstance(v, float):
        raise PolicyDataError(where, f"金额请写成字符串以免浮点误差（{v}）")
    try:
        d = to_decimal(v)
    except Exception:
        raise PolicyDataError(where, f"不是金额：{v!r}") from None
    if d < 0:
        raise PolicyDataError(where, f"金额不能为负数：{v}")
    return d


def _date(v: Any, where: str, *, optional: bool = False) -> dt.date | None:
    if v is None and optional:
        return None
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            pass
    raise PolicyDataError(where, f"日期格式错误：{v!r}")


def _benefit(d: Mapping, where: str) -> Benefit:
    kind = _req(d, "kind", where)
    if kind not in BENEFIT_KINDS:
        raise PolicyDataError(f"{where}.kind", f"未知的兑现方式 {kind!r}")
    b = Benefit(
        kind=kind,
        amount=_money(d.get("amount"), f"{where}.amount"),
        min=_money(d.get("min"), f"{where}.min"),
        max=_money(d.get("max"), f"{where}.max"),
        field=d.get("field"),
        share=_money(d.get("share"), f"{where}.share"),
        cap=_money(d.get("cap"), f"{where}.cap"),
        max_per_unit=_money(d.get("max_per_unit"), f"{where}.max_per_unit"),
        unit_field=d.get("unit_field"),
        months_field=d.get("months_field"),
        rates={k: _money(v, f"{where}.rates.{k}") for k, v in (d.get("rates") or {}).items()},
        description=d.get("description", ""),
    )
    need = {"fixed": ("amount",), "range": ("min", "max"), "up_to": ("max",),
            "per_unit_up_to": ("max_per_unit", "unit_field"), "per_month": ("rates", "field", "months_field"),
            "share_capped": ("share", "cap", "field")}.get(kind, ())
    for key in need:
        if not getattr(b, key):
            raise PolicyDataError(where, f"兑现方式 {kind} 需要 {key}")
    if kind == "range" and b.min > b.max:  # type: ignore[operator]
        raise PolicyDataError(where, "范围下限大于上限")
    if kind == "share_capped" and not (0 < b.share <= 1):  # type: ignore[operator]
        raise PolicyDataError(f"{where}.share", "比例应在 0 到 1 之间")
    return b


def _trigger(d: Mapping | None, where: str) -> Trigger | None:
    if not d:
        return None
    if "event" in d:
        if d["event"] not in EVENT_KINDS:
            raise PolicyDataError(f"{where}.event", f"未知的事件类型 {d['event']!r}")
        fq = d.get("from_qualification")
        if fq is not None and fq not in QUALIFICATION_KINDS:
            raise PolicyDataError(f"{where}.from_qualification", f"未知的资质类型 {fq!r}")
        return Trigger("event", event=d["event"], match=dict(d.get("match") or {}), from_qualification=fq)
    if "holds_any" in d:
        kinds = tuple(d["holds_any"])
        bad = [k for k in kinds if k not in QUALIFICATION_KINDS]
        if bad:
            raise PolicyDataError(f"{where}.holds_any", f"未知的资质类型 {bad}")
        return Trigger("holds_any", kinds=kinds)
    if "rd_intensity" in d:
        r = d["rd_intensity"]
        return Trigger("rd_intensity", ratio=_money(_req(r, "ratio", where), where),
                       amount=_money(_req(r, "amount", where), where), year_offset=int(r.get("year_offset", 1)))
    if "revenue_first_above" in d:
        r = d["revenue_first_above"]
        return Trigger("revenue_first_above", line=_money(_req(r, "line", where), where),
                       revenue_field=r.get("field", "operating_revenue"),
                       year_offset=int(r.get("year_offset", 1)))
    if "became_above_size_while" in d:
        return Trigger("became_above_size_while", while_kind=d["became_above_size_while"])
    raise PolicyDataError(where, f"无法识别的触发条件 {dict(d)!r}")


def measure_from_dict(d: Mapping, where: str, policy_id: str) -> Measure:
    """Build and validate one measure from its YAML mapping."""
    mid = _req(d, "id", where)
    where = f"{where}[{mid}]"
    kind = _req(d, "kind", where)
    if kind not in MEASURE_KINDS:
        raise PolicyDataError(f"{where}.kind", f"未知的措施类型 {kind!r}")
    benefit = _benefit(_req(d, "benefit", where), f"{where}.benefit")
    trigger = _trigger(d.get("trigger"), f"{where}.trigger")
    if kind != "mechanism" and trigger is None:
        raise PolicyDataError(where, "非机制类措施需要 trigger")
    requires = []
    for i, r in enumerate(d.get("require") or ()):
        rw = f"{where}.require[{i}]"
        if trigger is None or trigger.type != "event":
            raise PolicyDataError(rw, "require 只能用于事件触发的措施")
        spec = EVENT_KINDS[trigger.event][1]  # type: ignore[index]
        fname = _req(r, "field", rw)
        if fname not in spec:
            raise PolicyDataError(rw, f"事件 {trigger.event} 没有字段 {fname}")
        one_of = tuple(r["in"]) if "in" in r else None
        requires.append(Requirement(field=fname, label=_req(r, "label", rw), equals=r.get("equals"), one_of=one_of))
    checks = []
    for i, c in enumerate(d.get("conditions") or ()):
        cw = f"{where}.conditions[{i}]"
        name = _req(c, "check", cw)
        if name == "holds_any":
            checks.append(Check("holds_any", _req(c, "label", cw), kinds=tuple(_req(c, "kinds", cw))))
        elif name == "has_event":
            if c.get("kind") not in EVENT_KINDS:
                raise PolicyDataError(cw, f"未知的事件类型 {c.get('kind')!r}")
            checks.append(Check("has_event", _req(c, "label", cw), kind=c["kind"]))
        else:
            raise PolicyDataError(cw, f"未知的条件检查 {name!r}")
    stacking = d.get("stacking") or {}
    aggregate = d.get("aggregate", "best")
    if aggregate not in ("best", "sum"):
        raise PolicyDataError(f"{where}.aggregate", "应为 best 或 sum")
    recipient = d.get("recipient", "enterprise")
    if recipient not in RECIPIENTS:
        raise PolicyDataError(f"{where}.recipient", "应为 enterprise、person、team 或 institution")
    return Measure(
        id=mid, article=_req(d, "article", where), title=_req(d, "title", where),
        text=d.get("text", ""), citation=_req(d, "citation", where), kind=kind, benefit=benefit,
        trigger=trigger, require=tuple(requires), conditions=tuple(checks),
        group=stacking.get("group"), stacks_on_higher=bool(stacking.get("stacks_on_higher", False)),
        dependent=bool(d.get("dependent", False)), aggregate=aggregate, recipient=recipient,
        lead_units=tuple(d.get("lead_units") or ()), responsible_units=tuple(d.get("responsible_units") or ()),
        policy_id=policy_id,
    )


def policy_from_dict(doc: Mapping, where: str = "policy") -> Policy:
    """Build and validate a policy (with measures and parameters) from a YAML document."""
    p = _req(doc, "policy", where)
    pid = _req(p, "id", f"{where}.policy")
    level = _req(p, "level", f"{where}.policy")
    if level not in LEVELS:
        raise PolicyDataError(f"{where}.policy.level", f"层级应为 {'/'.join(LEVELS)}，实际 {level!r}")
    status = p.get("status", "draft")
    if status not in STATUSES:
        raise PolicyDataError(f"{where}.policy.status", f"状态应为 {'/'.join(STATUSES)}")
    effective = _date(_req(p, "effective", f"{where}.policy"), f"{where}.policy.effective")
    expiry = _date(p.get("expiry"), f"{where}.policy.expiry", optional=True)
    if expiry is not None and expiry < effective:  # type: ignore[operator]
        raise PolicyDataError(f"{where}.policy.expiry", "有效期止早于施行日期")
    measures = tuple(measure_from_dict(m, f"{where}.measures", pid) for m in doc.get("measures") or ())
    ids = [m.id for m in measures]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise PolicyDataError(f"{where}.measures", f"措施编号重复：{sorted(dup)}")
    params = tuple(Parameter(id=_req(x, "id", f"{where}.parameters"), value=x.get("value"),
                             verified=bool(x.get("verified", False)), note=x.get("note", ""))
                   for x in doc.get("parameters") or ())
    return Policy(
        id=pid, doc_no=_req(p, "doc_no", f"{where}.policy"), title=_req(p, "title", f"{where}.policy"),
        issuer=_req(p, "issuer", f"{where}.policy"), level=level, region=p.get("region", ""),
        effective=effective, expiry=expiry, status=status,  # type: ignore[arg-type]
        stacking_principle=p.get("stacking_principle", ""), measures=measures, parameters=params,
        review=dict(p.get("review") or {}), source=p.get("source", ""),
    )
