"""Event kinds the policy measures react to, and validation of ``events[]`` items.

Contract section 4 names ten kinds; the measures of 南政规〔2025〕2号 need a few more
(“more may be added”). Each kind lists its extra keys with a type; an unknown kind, an
unknown value of an enumerated key or a malformed date is an error naming the key path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as _dc_field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from .errors import PolicyInputError

#: kind → (Chinese label, {extra key: type}); type is "bool", "money", "int" or a frozenset of allowed values.
EVENT_KINDS: Mapping[str, tuple[str, Mapping[str, Any]]] = MappingProxyType({
    # contract section 4
    "hnte_recognized": ("通过国家高新技术企业认定", {"first_time": "bool"}),
    "little_giant_recognized": ("认定为国家专精特新“小巨人”企业", {"first_time": "bool"}),
    "srdi_provincial_recognized": ("认定为省级专精特新中小企业", {"first_time": "bool"}),
    "challenge_project_accepted": ("揭榜挂帅项目通过验收", {"subsidy": "money"}),
    "incubator_filed": ("科技企业孵化器新增备案", {}),
    "incubator_recognized": ("科技企业孵化器新认定",
                             {"level": frozenset({"national", "provincial", "quanzhou"})}),
    "service_org_registered_in_stats": ("生产性服务业独立法人机构当年度纳统", {
        "independent_legal_entity": "bool", "approved_amount": "money",
        "field": frozenset({"tech_transfer", "industrial_design", "finance", "legal",
                            "talent_service", "other"})}),
    "testing_org_established": ("在南新设立检测/认证机构", {
        "type": frozenset({"testing", "certification"}),
        "qualification_level": frozenset({"national", "provincial", "below"}),
        "approved_amount": "money"}),
    "academician_workstation_recognized": ("新认定泉州市院士工作站", {}),
    "talent_lab_recognized": ("新认定泉州市特级人才创新实验室", {}),
    # added for the other measures of 南政规〔2025〕2号
    "provincial_rd_subsidy_granted": ("获得省级企业研发经费投入分段补助", {"amount": "money"}),
    "smart_factory_recognized": ("获评智能工厂", {
        "level": frozenset({"basic", "advanced", "excellent", "leading"})}),
    "carbon_footprint_rules_published": ("制定发布碳足迹核算规则、标准并组织实施认证", {
        "pilot_certified": "bool", "approved_amount": "money"}),
    "incubator_third_party_operation": ("孵化器引进第三方专业机构托管运营", {
        "assessed": "bool", "non_fiscal_investment": "money"}),
    "settled_in_state_owned_park": ("入驻市属国企孵化器或国有园区", {
        "role": frozenset({"incubator_tenant", "pilot_platform", "producer_service"})}),
    "intl_testing_org_introduced": ("引进国际权威检测认证机构落地", {
        "export_served": "bool", "approved_amount": "money"}),
    "postgraduate_trained": ("在南联合培养研究生", {
        "degree": frozenset({"master", "doctor"}), "months": "int"}),
    "mentor_team_rewarded": ("研究生联合培养导师团队获评创新奖励", {"approved_amount": "money"}),
    "talent_recruited_by_org": ("机构引进人才", {"persons": "int", "approved_amount": "money"}),
    "success_talent_selected": ("入选“成功人才计划”", {}),
    # the talent module (kechuang.talent): a confirmed recognition is the event the tier benefits pay on
    "talent_recognized": ("认定为高层次人才", {"tier": frozenset({"A", "B", "C", "D", "E"})}),
    # recorded by the 创新资源 module on each 科技创新券 redemption (issue 14: voucher use feeds the
    # 免申即享 list where a county tops up — the top-up is a measure of data triggered by this event)
    "voucher_redeemed": ("使用科技创新券", {
        "amount": "money", "fee": "money",
        "category": frozenset({"instrument", "testing", "transfer", "ip", "consulting", "incubation"})}),
})

#: Chinese labels of enumerated values, for traces.
VALUE_LABELS: Mapping[str, str] = MappingProxyType({
    "national": "国家级", "provincial": "省级", "quanzhou": "泉州级", "below": "省级以下",
    "testing": "检测机构", "certification": "认证机构",
    "basic": "基础级", "advanced": "先进级", "excellent": "卓越级", "leading": "领航级",
    "master": "硕士研究生", "doctor": "博士研究生",
    "A": "A类", "B": "B类", "C": "C类", "D": "D类", "E": "E类",
    "incubator_tenant": "入驻市属国企孵化器", "pilot_platform": "入驻国有园区的产研平台",
    "producer_service": "入驻国有园区的生产性服务业",
    "instrument": "大型仪器共享", "transfer": "技术转移", "ip": "知识产权服务", "consulting": "科技咨询",
    "incubation": "孵化服务",
})


@dataclass(frozen=True)
class PolicyEvent:
    """One validated event: ``index`` is its position in ``events[]`` (for error paths)."""

    index: int
    kind: str
    date: dt.date
    fields: Mapping[str, Any] = _dc_field(default_factory=dict)

    @property
    def key(self) -> str:
        """Key path of this event in the input, e.g. ``events[3]``."""
        return f"events[{self.index}]"

    @property
    def label(self) -> str:
        """Chinese description of the kind."""
        return EVENT_KINDS[self.kind][0]


def parse_event_date(value: Any, key: str) -> dt.date:
    """ISO date (YYYY-MM-DD) or raise naming ``key``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise PolicyInputError(key, f"日期格式错误：“{value}”，应为 YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PolicyInputError(key, f"日期格式错误：“{value}”，应为 YYYY-MM-DD") from None


def _value(typ: Any, value: Any, key: str) -> Any:
    if value is None:
        return None
    if typ == "bool":
        if not isinstance(value, bool):
            raise PolicyInputError(key, f"应为 true 或 false，实际为“{value}”")
        return value
    if typ == "money":
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise PolicyInputError(key, f"应为金额（万元），实际为“{value}”")
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            raise PolicyInputError(key, f"应为金额（万元），实际为“{value}”") from None
        if not d.is_finite() or d < 0:
            raise PolicyInputError(key, f"金额不能为负数或非有限值（{value}）")
        if d != d.quantize(Decimal("0.000001")):
            raise PolicyInputError(key, f"金额精度过高（{value}），万元最多保留 6 位小数（精确到分）")
        return d
    if typ == "int":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyInputError(key, f"应为整数，实际为“{value}”")
        if value < 0:
            raise PolicyInputError(key, f"不能为负数（{value}）")
        return value
    if isinstance(typ, frozenset):
        if value not in typ:
            raise PolicyInputError(key, f"未知的取值“{value}”，可选：{'、'.join(sorted(typ))}")
        return value
    raise AssertionError(typ)  # pragma: no cover


def parse_events(raw: Any) -> tuple[PolicyEvent, ...]:
    """Validate ``events[]`` (list of ``{kind, date, ...}``) into :class:`PolicyEvent` items.

    Raises :class:`PolicyInputError` naming ``events[i].kind`` for an unknown kind,
    ``events[i].date`` for a missing or malformed date, ``events[i].<key>`` for a bad value.
    Extra keys not declared for the kind are kept as given (other modules may use them).
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise PolicyInputError("events", "应为列表")
    out = []
    for i, item in enumerate(raw):
        k = f"events[{i}]"
        if not isinstance(item, dict):
            raise PolicyInputError(k, "应为对象 {kind, date, ...}")
        kind = item.get("kind")
        if kind not in EVENT_KINDS:
            raise PolicyInputError(f"{k}.kind", f"未知的事件类型“{kind}”，可选：{'、'.join(EVENT_KINDS)}")
        if item.get("date") is None:
            raise PolicyInputError(f"{k}.date", "必填")
        when = parse_event_date(item["date"], f"{k}.date")
        spec = EVENT_KINDS[kind][1]
        fields = {}
        for name, value in item.items():
            if name in ("kind", "date"):
                continue
            fields[name] = _value(spec[name], value, f"{k}.{name}") if name in spec else value
        out.append(PolicyEvent(index=i, kind=kind, date=when, fields=MappingProxyType(fields)))
    return tuple(out)
