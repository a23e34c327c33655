"""Enterprise facts: parse and validate the facts JSON of contract section 2.

Pure Python (no Django). ``parse_facts(obj)`` turns the JSON object (already decoded
into Python values) into a frozen :class:`Facts` tree: money as :class:`~decimal.Decimal`
(万元), dates as :class:`datetime.date`, ``years`` keyed by year, IP rights with their
Class I / Class II derived from the kind as 《高新技术企业认定管理工作指引》
(国科发火〔2016〕195号) defines it.

Every problem raises :class:`FactsError` naming the exact key path, e.g.
``years[2].rd_expense``, with a message in Chinese.

A key that is absent is *missing* (schemes report the condition as ``missing``); a key
present with value ``null`` is treated the same way, except ``high_tech_field`` where
``null`` means "outside the supported fields". :meth:`Facts.has` tells which top-level
keys were given.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from stdnum.cn import uscc as _uscc
from stdnum.exceptions import ValidationError as _StdnumError

from . import vocabulary as _vocabulary

__all__ = [
    "FactsError",
    "Facts",
    "YearFigures",
    "IPRight",
    "Conversion",
    "SelfAssessment",
    "RdManagement",
    "Standard",
    "Award",
    "RdInstitution",
    "Qualification",
    "Event",
    "parse_facts",
    "IP_CLASS",
    "IP_KIND_LABELS",
    "QUALIFICATION_KINDS",
    "EVENT_KINDS",
    "MONEY_FIELDS",
]


class FactsError(ValueError):
    """Invalid enterprise facts; ``key`` is the key path, ``message`` the Chinese reason."""

    def __init__(self, key: str, message: str):
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}")


# --- vocabularies -------------------------------------------------------------------

#: Class I / Class II per 工作指引 (国科发火〔2016〕195号) 四（二）知识产权.
IP_CLASS: Mapping[str, int] = _vocabulary.IP_CLASS
IP_KIND_LABELS: Mapping[str, str] = _vocabulary.IP_KINDS

ACQUISITION_KINDS = frozenset(_vocabulary.ACQUISITION)

QUALIFICATION_KINDS = frozenset(_vocabulary.QUALIFICATION_KINDS)

#: Event kinds of contract section 4, with the extra keys each may carry and their type.
EVENT_KINDS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "hnte_recognized": {"first_time": "bool"},
    "little_giant_recognized": {"first_time": "bool"},
    "srdi_provincial_recognized": {"first_time": "bool"},
    "challenge_project_accepted": {"subsidy": "money"},
    "incubator_filed": {},
    "incubator_recognized": {"level": "incubator_level"},
    "service_org_registered_in_stats": {},
    "testing_org_established": {"type": "testing_type"},
    "academician_workstation_recognized": {},
    "talent_lab_recognized": {},
})
_EVENT_ENUMS = {
    "incubator_level": frozenset({"national", "provincial", "quanzhou"}),
    "testing_type": frozenset({"testing", "certification"}),
}

STANDARD_LEVELS = frozenset({"international", "national", "industry", "group"})
STANDARD_ROLES = frozenset({"lead", "participant"})
AWARD_LEVELS = frozenset({"national", "provincial"})
INSTITUTION_LEVELS = frozenset({"national", "provincial", "municipal", "below"})
BANDS = ("A", "B", "C", "D", "E")
#: maximum points of the four 研究开发组织管理水平 items (工作指引 四（四）).
RD_MANAGEMENT_MAX = MappingProxyType({
    "system": 6, "institution": 6, "conversion_incentive": 4, "talent": 4,
})

#: year money fields; value = True when the figure may be negative.
MONEY_FIELDS: Mapping[str, bool] = MappingProxyType({
    "sales_revenue": False,
    "operating_revenue": False,
    "main_business_revenue": False,
    "total_income": False,
    "hitech_revenue": False,
    "rd_expense": False,
    "rd_expense_domestic": False,
    "cost_expense_total": False,
    "total_assets": False,
    "total_liabilities": False,
    "net_assets": True,
    "net_profit": True,
    "equity_financing": False,
})


# --- typed records ------------------------------------------------------------------

@dataclass(frozen=True)
class YearFigures:
    """One fiscal year's figures, all in 万元 (None = not given)."""

    year: int
    sales_revenue: Decimal | None = None
    operating_revenue: Decimal | None = None
    main_business_revenue: Decimal | None = None
    total_income: Decimal | None = None
    hitech_revenue: Decimal | None = None
    rd_expense: Decimal | None = None
    rd_expense_domestic: Decimal | None = None
    cost_expense_total: Decimal | None = None
    total_assets: Decimal | None = None
    total_liabilities: Decimal | None = None
    net_assets: Decimal | None = None
    net_profit: Decimal | None = None
    equity_financing: Decimal | None = None


@dataclass(frozen=True)
class IPRight:
    """An intellectual-property right; ``ip_class`` is 1 (Ⅰ类) or 2 (Ⅱ类)."""

    kind: str
    ip_class: int
    granted_on: _dt.date | None = None
    expires_on: _dt.date | None = None
    acquired_by: str | None = None
    core: bool | None = None
    used_for_hnte: bool = False

    @property
    def label(self) -> str:
        """Chinese name of the kind."""
        return IP_KIND_LABELS[self.kind]

    def valid_on(self, on: _dt.date) -> bool:
        """True when granted on/before ``on`` (if known) and not expired by ``on``."""
        if self.granted_on is not None and self.granted_on > on:
            return False
        if self.expires_on is not None and self.expires_on < on:
            return False
        return True


@dataclass(frozen=True)
class Conversion:
    """科技成果转化 count of one year."""

    year: int
    count: int


@dataclass(frozen=True)
class RdManagement:
    """研究开发组织管理水平 self-assessed points (工作指引 四（四）)."""

    system: int
    institution: int
    conversion_incentive: int
    talent: int

    @property
    def total(self) -> int:
        """Sum of the four items (≤ 20)."""
        return self.system + self.institution + self.conversion_incentive + self.talent


@dataclass(frozen=True)
class SelfAssessment:
    """Optional expert-judgement inputs given by the enterprise itself."""

    tech_advancement: str | None = None
    core_support: str | None = None
    rd_management: RdManagement | None = None


@dataclass(frozen=True)
class Standard:
    """A standard the enterprise led or took part in."""

    level: str
    role: str
    year: int


@dataclass(frozen=True)
class Award:
    """A science & technology award; ``rank`` = position among the winning units."""

    level: str
    rank: int
    year: int


@dataclass(frozen=True)
class RdInstitution:
    """An R&D institution (研发机构) of the enterprise."""

    level: str
    kind: str | None = None
    since: _dt.date | None = None


@dataclass(frozen=True)
class Qualification:
    """A qualification held (or once held) by the enterprise."""

    kind: str
    first_recognized_on: _dt.date | None = None
    valid_from: _dt.date | None = None
    valid_until: _dt.date | None = None

    def valid_on(self, on: _dt.date) -> bool:
        """True when the qualification is in force on ``on`` (unknown bounds = open)."""
        start = self.valid_from or self.first_recognized_on
        if start is not None and start > on:
            return False
        if self.valid_until is not None and self.valid_until < on:
            return False
        return True


@dataclass(frozen=True)
class Event:
    """Something that happened (contract section 4): kind, date and the extra keys."""

    kind: str
    date: _dt.date
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Facts:
    """One enterprise's facts, validated. ``provided`` = top-level keys that were given."""

    name: str | None = None
    uscc: str | None = None
    region: str | None = None
    established_on: _dt.date | None = None
    mainland_resident: bool = True
    employees: int | None = None
    tech_staff: int | None = None
    rd_staff: int | None = None
    high_tech_field: str | None = None
    restricted_industry: bool | None = None
    incident_last_year: bool | None = None
    serious_dishonesty: bool | None = None
    abnormal_operation_listed: bool | None = None
    years: Mapping[int, YearFigures] = field(default_factory=lambda: MappingProxyType({}))
    ip_rights: tuple[IPRight, ...] = ()
    conversions: tuple[Conversion, ...] = ()
    self_assessment: SelfAssessment = SelfAssessment()
    standards: tuple[Standard, ...] = ()
    awards: tuple[Award, ...] = ()
    rd_institutions: tuple[RdInstitution, ...] = ()
    qualifications: tuple[Qualification, ...] = ()
    events: tuple[Event, ...] = ()
    # extra keys (not in contract section 2, used by 专精特新 / 小巨人 / 创新型):
    niche_market_years: int | None = None
    main_product_market_share: Decimal | None = None
    market_rank_china: int | None = None
    strategic_emerging_industry: bool | None = None
    scheme_scores: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    provided: frozenset[str] = frozenset()
    unknown_keys: tuple[str, ...] = ()

    def has(self, key: str) -> bool:
        """True when the top-level key was given (even as null)."""
        return key in self.provided

    def year(self, y: int) -> YearFigures | None:
        """The figures of year ``y`` or None."""
        return self.years.get(y)

    def holds(self, kind: str, on: _dt.date) -> bool:
        """True when a qualification of ``kind`` is valid on ``on``."""
        return any(q.kind == kind and q.valid_on(on) for q in self.qualifications)


# --- scalar validators --------------------------------------------------------------

_NUMBER_TYPES = (int, float, Decimal)
#: money is in 万元; six decimals = 0.01 元 (分), the finest unit the engine keeps.
MONEY_DECIMALS = 6
_MONEY_QUANTUM = Decimal(1).scaleb(-MONEY_DECIMALS)


def _decimal(value: Any, key: str, *, negative_ok: bool) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, _NUMBER_TYPES):
        raise FactsError(key, f"应为数字（万元），实际为{_describe(value)}")
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:  # pragma: no cover - str of a number always parses
        raise FactsError(key, "不是有效的数字") from None
    if not d.is_finite():
        raise FactsError(key, "不是有限的数字")
    if d < 0 and not negative_ok:
        raise FactsError(key, f"不能为负数（{d}）")
    if d.as_tuple().exponent < -MONEY_DECIMALS and d != d.quantize(_MONEY_QUANTUM):
        raise FactsError(key, f"金额精度过高（{d}），万元最多保留 {MONEY_DECIMALS} 位小数（精确到分）")
    return d


def _int(value: Any, key: str, *, minimum: int | None = 0, maximum: int | None = None,
         allow_none: bool = True) -> int | None:
    if value is None:
        if allow_none:
            return None
        raise FactsError(key, "必填")
    if isinstance(value, bool):
        raise FactsError(key, f"应为整数，实际为{_describe(value)}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if not isinstance(value, int):
        raise FactsError(key, f"应为整数，实际为{_describe(value)}")
    if minimum is not None and value < minimum:
        if minimum == 0:
            raise FactsError(key, f"不能为负数（{value}）")
        raise FactsError(key, f"不能小于 {minimum}（{value}）")
    if maximum is not None and value > maximum:
        raise FactsError(key, f"不能大于 {maximum}（{value}）")
    return value


def _year(value: Any, key: str) -> int:
    return _int(value, key, minimum=1900, maximum=2200, allow_none=False)  # type: ignore[return-value]


def _bool(value: Any, key: str) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise FactsError(key, f"应为 true 或 false，实际为{_describe(value)}")
    return value


def _str(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise FactsError(key, f"应为文本，实际为{_describe(value)}")
    value = value.strip()
    return value or None


def _date(value: Any, key: str) -> _dt.date | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        raise FactsError(key, f"应为日期 YYYY-MM-DD，实际为{_describe(value)}")
    try:
        if len(value) != 10:
            raise ValueError
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise FactsError(key, f"日期格式错误：“{value}”，应为 YYYY-MM-DD") from None


def _enum(value: Any, key: str, allowed: frozenset[str] | Mapping[str, Any], what: str,
          allow_none: bool = False) -> str | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or value not in allowed:
        choices = "、".join(sorted(allowed))
        raise FactsError(key, f"未知的{what}“{value}”，可选：{choices}")
    return value


def _list(value: Any, key: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FactsError(key, f"应为列表，实际为{_describe(value)}")
    return value


def _obj(value: Any, key: str) -> dict:
    if not isinstance(value, dict):
        raise FactsError(key, f"应为对象 {{...}}，实际为{_describe(value)}")
    return value


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"文本“{value}”"
    if isinstance(value, bool):
        return f"布尔值 {str(value).lower()}"
    if value is None:
        return "空值"
    if isinstance(value, (list, tuple)):
        return "列表"
    if isinstance(value, dict):
        return "对象"
    return f"{type(value).__name__} {value!r}"


def _ratio(value: Any, key: str) -> Decimal | None:
    d = _decimal(value, key, negative_ok=False)
    if d is not None and d > 1:
        raise FactsError(key, f"比例应在 0 到 1 之间（如 0.12 表示 12%），实际为 {d}")
    return d


# --- sections -----------------------------------------------------------------------

def _parse_years(raw: Any) -> Mapping[int, YearFigures]:
    out: dict[int, YearFigures] = {}
    for i, item in enumerate(_list(raw, "years")):
        k = f"years[{i}]"
        item = _obj(item, k)
        if "year" not in item:
            raise FactsError(f"{k}.year", "必填")
        y = _year(item["year"], f"{k}.year")
        if y in out:
            raise FactsError(f"{k}.year", f"年度 {y} 重复出现")
        # keys outside contract section 2 are ignored here (other faces may add some) and
        # listed in Facts.unknown_keys by parse_facts
        values = {name: _decimal(item.get(name), f"{k}.{name}", negative_ok=neg)
                  for name, neg in MONEY_FIELDS.items()}
        rd, dom = values["rd_expense"], values["rd_expense_domestic"]
        if rd is not None and dom is not None and dom > rd:
            raise FactsError(f"{k}.rd_expense_domestic",
                             f"境内研发费用（{dom}）不能大于研究开发费用总额（{rd}）")
        hi, tot = values["hitech_revenue"], values["total_income"]
        if hi is not None and tot is not None and hi > tot:
            raise FactsError(f"{k}.hitech_revenue",
                             f"高新技术产品（服务）收入（{hi}）不能大于总收入（{tot}）")
        out[y] = YearFigures(year=y, **values)
    return MappingProxyType(dict(sorted(out.items())))


def _parse_ip(raw: Any) -> tuple[IPRight, ...]:
    out = []
    for i, item in enumerate(_list(raw, "ip_rights")):
        k = f"ip_rights[{i}]"
        item = _obj(item, k)
        kind = _enum(item.get("kind"), f"{k}.kind", IP_CLASS, "知识产权类型")
        granted = _date(item.get("granted_on"), f"{k}.granted_on")
        expires = _date(item.get("expires_on"), f"{k}.expires_on")
        if granted and expires and expires < granted:
            raise FactsError(f"{k}.expires_on", "到期日早于授权日")
        acq = _enum(item.get("acquired_by"), f"{k}.acquired_by", ACQUISITION_KINDS,
                    "获得方式", allow_none=True)
        out.append(IPRight(
            kind=kind, ip_class=IP_CLASS[kind], granted_on=granted, expires_on=expires,
            acquired_by=acq, core=_bool(item.get("core"), f"{k}.core"),
            used_for_hnte=bool(_bool(item.get("used_for_hnte"), f"{k}.used_for_hnte")),
        ))
    return tuple(out)


def _parse_conversions(raw: Any) -> tuple[Conversion, ...]:
    seen: set[int] = set()
    out = []
    for i, item in enumerate(_list(raw, "conversions")):
        k = f"conversions[{i}]"
        item = _obj(item, k)
        y = _year(item.get("year"), f"{k}.year")
        if y in seen:
            raise FactsError(f"{k}.year", f"年度 {y} 重复出现")
        seen.add(y)
        c = _int(item.get("count"), f"{k}.count", allow_none=False)
        out.append(Conversion(year=y, count=c))  # type: ignore[arg-type]
    return tuple(sorted(out, key=lambda c: c.year))


def _parse_self_assessment(raw: Any) -> SelfAssessment:
    if raw is None:
        return SelfAssessment()
    raw = _obj(raw, "self_assessment")
    bands = {}
    for name in ("tech_advancement", "core_support"):
        v = raw.get(name)
        bands[name] = None if v is None else _enum(
            v, f"self_assessment.{name}", frozenset(BANDS), "档次")
    rdm = raw.get("rd_management")
    rd_management = None
    if rdm is not None:
        rdm = _obj(rdm, "self_assessment.rd_management")
        pts = {}
        for item, mx in RD_MANAGEMENT_MAX.items():
            k = f"self_assessment.rd_management.{item}"
            if item not in rdm or rdm[item] is None:
                raise FactsError(k, "必填（研究开发组织管理水平四项需同时给出）")
            pts[item] = _int(rdm[item], k, minimum=0, maximum=mx)
        rd_management = RdManagement(**pts)
    return SelfAssessment(rd_management=rd_management, **bands)


def _parse_standards(raw: Any) -> tuple[Standard, ...]:
    out = []
    for i, item in enumerate(_list(raw, "standards")):
        k = f"standards[{i}]"
        item = _obj(item, k)
        out.append(Standard(
            level=_enum(item.get("level"), f"{k}.level", STANDARD_LEVELS, "标准级别"),
            role=_enum(item.get("role"), f"{k}.role", STANDARD_ROLES, "参与角色"),
            year=_year(item.get("year"), f"{k}.year"),
        ))
    return tuple(out)


def _parse_awards(raw: Any) -> tuple[Award, ...]:
    out = []
    for i, item in enumerate(_list(raw, "awards")):
        k = f"awards[{i}]"
        item = _obj(item, k)
        out.append(Award(
            level=_enum(item.get("level"), f"{k}.level", AWARD_LEVELS, "奖励级别"),
            rank=_int(item.get("rank"), f"{k}.rank", minimum=1, allow_none=False),
            year=_year(item.get("year"), f"{k}.year"),
        ))
    return tuple(out)


def _parse_institutions(raw: Any) -> tuple[RdInstitution, ...]:
    out = []
    for i, item in enumerate(_list(raw, "rd_institutions")):
        k = f"rd_institutions[{i}]"
        item = _obj(item, k)
        since_raw = item.get("since")
        if isinstance(since_raw, int) and not isinstance(since_raw, bool):
            since = _dt.date(_year(since_raw, f"{k}.since"), 1, 1)
        else:
            since = _date(since_raw, f"{k}.since")
        out.append(RdInstitution(
            level=_enum(item.get("level"), f"{k}.level", INSTITUTION_LEVELS, "研发机构级别"),
            kind=_str(item.get("kind"), f"{k}.kind"),
            since=since,
        ))
    return tuple(out)


def _parse_qualifications(raw: Any) -> tuple[Qualification, ...]:
    out = []
    for i, item in enumerate(_list(raw, "qualifications")):
        k = f"qualifications[{i}]"
        item = _obj(item, k)
        kind = _enum(item.get("kind"), f"{k}.kind", QUALIFICATION_KINDS, "资质类型")
        first = _date(item.get("first_recognized_on"), f"{k}.first_recognized_on")
        vf = _date(item.get("valid_from"), f"{k}.valid_from")
        vu = _date(item.get("valid_until"), f"{k}.valid_until")
        if vf and vu and vu < vf:
            raise FactsError(f"{k}.valid_until", "有效期止早于有效期起")
        out.append(Qualification(kind=kind, first_recognized_on=first, valid_from=vf,
                                 valid_until=vu))  # type: ignore[arg-type]
    return tuple(out)


def _parse_events(raw: Any) -> tuple[Event, ...]:
    out = []
    for i, item in enumerate(_list(raw, "events")):
        k = f"events[{i}]"
        item = _obj(item, k)
        kind = _enum(item.get("kind"), f"{k}.kind", EVENT_KINDS, "事件类型")
        if item.get("date") is None:
            raise FactsError(f"{k}.date", "必填")
        when = _date(item.get("date"), f"{k}.date")
        extra: dict[str, Any] = {}
        spec = EVENT_KINDS[kind]  # type: ignore[index]
        for name, value in item.items():
            if name in ("kind", "date"):
                continue
            ek = f"{k}.{name}"
            typ = spec.get(name)
            if typ == "bool":
                value = _bool(value, ek)
            elif typ == "money":
                value = _decimal(value, ek, negative_ok=False)
            elif typ in _EVENT_ENUMS:
                value = _enum(value, ek, _EVENT_ENUMS[typ], "取值")
            extra[name] = value
        out.append(Event(kind=kind, date=when, extra=MappingProxyType(extra)))  # type: ignore[arg-type]
    return tuple(out)


_TOP_KEYS = frozenset({
    "name", "uscc", "region", "established_on", "mainland_resident", "employees",
    "tech_staff", "rd_staff", "high_tech_field", "restricted_industry",
    "incident_last_year", "serious_dishonesty", "abnormal_operation_listed", "years",
    "ip_rights", "conversions", "self_assessment", "standards", "awards",
    "rd_institutions", "qualifications", "events", "niche_market_years",
    "main_product_market_share", "market_rank_china", "strategic_emerging_industry",
    "scheme_scores",
})

#: schemes whose points come from a provincial/ministry evaluation the engine cannot
#: compute; the enterprise (or an evaluator) may give them in ``scheme_scores``.
SCORED_ELSEWHERE = frozenset({"srdi_sme", "little_giant"})


def _parse_scheme_scores(raw: Any) -> Mapping[str, int]:
    if raw is None:
        return MappingProxyType({})
    raw = _obj(raw, "scheme_scores")
    out = {}
    for k, v in raw.items():
        _enum(k, f"scheme_scores.{k}", SCORED_ELSEWHERE, "评分类型")
        out[k] = _int(v, f"scheme_scores.{k}", minimum=0, maximum=100, allow_none=False)
    return MappingProxyType(out)


def parse_facts(obj: dict) -> Facts:
    """Validate a facts object (contract section 2) and return a frozen :class:`Facts`.

    Raises :class:`FactsError` (a ``ValueError``) naming the key path of the first
    problem found. Unknown top-level keys are kept in ``Facts.unknown_keys`` (not an
    error: other faces may add keys).
    """
    if not isinstance(obj, dict):
        raise FactsError("$", f"企业数据应为 JSON 对象，实际为{_describe(obj)}")
    g = obj.get
    uscc = _str(g("uscc"), "uscc")
    if uscc is not None:
        uscc = uscc.upper()
        try:
            uscc = _uscc.validate(uscc)
        except _StdnumError as exc:
            raise FactsError("uscc", f"统一社会信用代码“{uscc}”无效（{_uscc_reason(exc)}）") from None
    employees = _int(g("employees"), "employees")
    tech_staff = _int(g("tech_staff"), "tech_staff")
    rd_staff = _int(g("rd_staff"), "rd_staff")
    if employees is not None:
        if tech_staff is not None and tech_staff > employees:
            raise FactsError("tech_staff", f"科技人员数（{tech_staff}）不能大于职工总数（{employees}）")
        if rd_staff is not None and rd_staff > employees:
            raise FactsError("rd_staff", f"研发人员数（{rd_staff}）不能大于职工总数（{employees}）")
    htf = g("high_tech_field")
    if htf is not None:
        htf = _str(htf, "high_tech_field")
        if htf is None:
            raise FactsError("high_tech_field", "不能为空文本（领域之外请填 null）")
    mainland = _bool(g("mainland_resident"), "mainland_resident")
    return Facts(
        name=_str(g("name"), "name"),
        uscc=uscc,
        region=_str(g("region"), "region"),
        established_on=_date(g("established_on"), "established_on"),
        mainland_resident=True if mainland is None else mainland,
        employees=employees,
        tech_staff=tech_staff,
        rd_staff=rd_staff,
        high_tech_field=htf,
        restricted_industry=_bool(g("restricted_industry"), "restricted_industry"),
        incident_last_year=_bool(g("incident_last_year"), "incident_last_year"),
        serious_dishonesty=_bool(g("serious_dishonesty"), "serious_dishonesty"),
        abnormal_operation_listed=_bool(g("abnormal_operation_listed"),
                                        "abnormal_operation_listed"),
        years=_parse_years(g("years")),
        ip_rights=_parse_ip(g("ip_rights")),
        conversions=_parse_conversions(g("conversions")),
        self_assessment=_parse_self_assessment(g("self_assessment")),
        standards=_parse_standards(g("standards")),
        awards=_parse_awards(g("awards")),
        rd_institutions=_parse_institutions(g("rd_institutions")),
        qualifications=_parse_qualifications(g("qualifications")),
        events=_parse_events(g("events")),
        niche_market_years=_int(g("niche_market_years"), "niche_market_years"),
        main_product_market_share=_ratio(g("main_product_market_share"),
                                         "main_product_market_share"),
        market_rank_china=_int(g("market_rank_china"), "market_rank_china", minimum=1),
        strategic_emerging_industry=_bool(g("strategic_emerging_industry"),
                                          "strategic_emerging_industry"),
        scheme_scores=_parse_scheme_scores(g("scheme_scores")),
        provided=frozenset(k for k in obj if k in _TOP_KEYS and (
            obj[k] is not None or k == "high_tech_field")),
        unknown_keys=tuple(sorted(k for k in obj if k not in _TOP_KEYS)) + tuple(
            f"years[{i}].{k}" for i, item in enumerate(obj.get("years") or [])
            if isinstance(item, dict) for k in sorted(item) if k != "year" and k not in MONEY_FIELDS),
    )


def _uscc_reason(exc: Exception) -> str:
    name = type(exc).__name__
    return {
        "InvalidChecksum": "校验位错误",
        "InvalidLength": "长度应为 18 位",
        "InvalidFormat": "格式错误",
        "InvalidComponent": "组成部分错误",
    }.get(name, "格式错误")


#: Chinese names of the facts keys, for messages to enterprises (from the one vocabulary).
FIELD_LABELS: Mapping[str, str] = MappingProxyType({k: f.label for k, f in _vocabulary.FIELDS.items()})


def key_label(key: str) -> str:
    """Chinese label of a facts key path, e.g. ``years[2025].rd_expense`` → ``2025 年研究开发费用总额``."""
    return _vocabulary.label_of(key)
