"""One vocabulary: each business field's Chinese label, unit and bounds, and each code table's
Chinese labels, defined once here and read everywhere — the rules' explanations, the registry's
models and forms, the Excel template and import, exports, reports and the change log.

Pure Python, no Django import (the rules engine reads it). ``header`` is the column name of the
Excel template where the contract (section 2b) fixes a shorter form than the label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType


@dataclass(frozen=True)
class Field:
    """A business field: its label, unit, bounds and (for the Excel template) its header."""

    name: str
    label: str
    unit: str = ""
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    header: str = ""

    @property
    def column(self) -> str:
        """The Excel template's header of the field."""
        return self.header or self.label

    @property
    def negative_allowed(self) -> bool:
        return self.minimum is None


#: Largest amount the registry stores (DecimalField max_digits=16, decimal_places=4), in 万元.
MONEY_MAX = Decimal("999999999999.9999")
#: Decimal places of amounts in 万元 as stored (0.0001 万元 = 1 元).
MONEY_PLACES = 4


def _money(name, label, header="", negative=False):
    return Field(name, label, "万元", None if negative else Decimal(0), MONEY_MAX, header)


#: Money fields of one fiscal year (contract 2 ``years[]``), in template order.
YEAR_MONEY: tuple[Field, ...] = (
    _money("sales_revenue", "销售收入"),
    _money("operating_revenue", "营业收入"),
    _money("main_business_revenue", "主营业务收入"),
    _money("total_income", "总收入"),
    _money("hitech_revenue", "高新技术产品（服务）收入", header="高新技术产品收入"),
    _money("rd_expense", "研究开发费用总额"),
    _money("rd_expense_domestic", "境内研究开发费用"),
    _money("cost_expense_total", "成本费用支出总额"),
    _money("total_assets", "资产总额"),
    _money("total_liabilities", "负债总额"),
    _money("net_assets", "净资产", negative=True),
    _money("net_profit", "净利润", negative=True),
    _money("equity_financing", "新增股权融资实缴额"),
)

_OTHER: tuple[Field, ...] = (
    Field("name", "企业名称"), Field("uscc", "统一社会信用代码"), Field("region", "所属乡镇"),
    Field("township", "所属乡镇"), Field("established_on", "成立日期"),
    Field("mainland_resident", "是否境内居民企业"),
    Field("employees", "职工总数", "人", 0, 10_000_000), Field("tech_staff", "科技人员数", "人", 0, 10_000_000),
    Field("rd_staff", "研发人员数", "人", 0, 10_000_000), Field("high_tech_field", "高新技术领域"),
    Field("restricted_industry", "是否属禁止、限制或淘汰类"),
    Field("incident_last_year", "近一年是否发生重大安全、质量事故或严重环境违法"),
    Field("serious_dishonesty", "是否科研严重失信"),
    Field("abnormal_operation_listed", "是否列入经营异常名录或严重违法失信企业名单"),
    Field("years", "年度数据"), Field("year", "年度"), Field("ip_rights", "知识产权清单"),
    Field("ip_rights[].core", "知识产权是否支撑主要产品"), Field("conversions", "科技成果转化数", "项", 0),
    Field("qualifications", "已获资质"), Field("rd_institutions", "研发机构"),
    Field("niche_market_years", "从事特定细分市场年数", "年", 0, 200),
    Field("main_product_market_share", "主导产品细分市场占有率", "%", 0, 100),
    Field("strategic_emerging_industry", "是否属战略性新兴产业"),
    Field("scheme_scores", "主管部门评定的评价得分"),
    Field("scheme_scores.srdi_sme", "专精特新中小企业评价得分", "分", 0, 100),
    Field("scheme_scores.little_giant", "专精特新“小巨人”企业评价得分", "分", 0, 100),
    Field("self_assessment", "自评情况"), Field("standards", "参与制定标准"), Field("awards", "获奖情况"),
    Field("events", "政策事件"), Field("industry_code", "行业代码"), Field("size_class", "企业规模"),
    Field("contact_name", "联系人"), Field("contact_phone", "联系电话"), Field("is_demo", "演示数据"),
    Field("kind", "类型"), Field("granted_on", "授权日期"), Field("expires_on", "到期日期"),
    Field("acquired_by", "获得方式"), Field("core", "是否核心"), Field("used_for_hnte", "已用于高企申报"),
    Field("first_recognized_on", "首次认定日期"), Field("valid_from", "有效期起"), Field("valid_until", "有效期止"),
    Field("count", "数量"), Field("date", "日期"), Field("level", "级别"), Field("rank", "排名"),
    Field("subsidy", "补助金额", "万元", Decimal(0), MONEY_MAX), Field("approved_amount", "核定金额", "万元", Decimal(0), MONEY_MAX),
    Field("months", "月数", "月", 1, 12), Field("persons", "人数", "人", 1), Field("first_time", "是否首次"),
)

FIELDS: MappingProxyType = MappingProxyType({f.name: f for f in (*YEAR_MONEY, *_OTHER)})

# ---- Code tables (contract 2 codes → the Chinese labels people read and the template offers) -----

#: 知识产权类型 (contract 2 ``ip_rights[].kind``).
IP_KINDS = MappingProxyType({
    "invention_patent": "发明专利",
    "utility_model": "实用新型",
    "design_patent": "外观设计",
    "software_copyright": "软件著作权",
    "ic_layout": "集成电路布图设计",
    "plant_variety": "植物新品种",
    "national_crop_variety": "国家级农作物品种",
    "national_new_drug": "国家新药",
    "tcm_protected_variety_1": "国家一级中药保护品种",
})
#: Class I / Class II per 《高新技术企业认定管理工作指引》(国科发火〔2016〕195号) 四（二）.
IP_CLASS = MappingProxyType({
    "invention_patent": 1, "plant_variety": 1, "national_crop_variety": 1, "national_new_drug": 1,
    "tcm_protected_variety_1": 1, "ic_layout": 1,
    "utility_model": 2, "design_patent": 2, "software_copyright": 2,
})
#: 获得方式 (contract 2 ``acquired_by``).
ACQUISITION = MappingProxyType({"self": "自主研发", "transfer": "受让", "gift": "受赠", "merger": "并购"})
#: 资质类型 (contract 2 ``qualifications[].kind``, 2b labels).
QUALIFICATION_KINDS = MappingProxyType({
    "hnte": "高新技术企业",
    "tsme": "科技型中小企业",
    "innovative_sme": "创新型中小企业",
    "srdi_sme": "专精特新中小企业",
    "little_giant": "专精特新“小巨人”企业",
    "above_designated_size": "规上企业",
})
#: 发证（认定）层级.
ISSUING_LEVELS = MappingProxyType({"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级"})
#: 企业规模 (《统计上大中小微型企业划分办法（2017）》 国统字〔2017〕213号).
SIZE_CLASSES = MappingProxyType({"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"})
#: 信用记录类型.
CREDIT_KINDS = MappingProxyType({
    "research_dishonesty": "科研严重失信",
    "abnormal_operation": "列入经营异常名录",
    "serious_illegal": "列入严重违法失信企业名单",
    "major_incident": "重大安全、质量事故或严重环境违法",
    "commendation": "守信激励",
    "other": "其他",
})
#: 信用记录的影响.
CREDIT_EFFECTS = MappingProxyType({"veto": "一票否决", "restrict": "限制申报", "warning": "警示", "none": "无影响"})


def label_of(key: str) -> str:
    """Chinese label of a field or facts key path: ``rd_expense`` → 研究开发费用总额,
    ``years[2025].rd_expense`` → 2025 年研究开发费用总额, ``township_id`` → 所属乡镇,
    ``qualifications[1]`` → 已获资质（第 2 项）. An unknown key reads 其他信息 rather than leaking."""
    m = re.fullmatch(r"years\[(\d{4})\]\.(\w+)", key)
    if m:
        return f"{m.group(1)} 年{label_of(m.group(2))}"
    m = re.fullmatch(r"(\w+)\[(\d+)\](?:\.(\w+))?", key)
    if m:
        head = f"{label_of(m.group(1))}（第 {int(m.group(2)) + 1} 项）"
        sub = FIELDS.get(m.group(3) or "")
        return head + (f"的{sub.label}" if sub else "")
    if key in FIELDS:
        return FIELDS[key].label
    if key.endswith("_id") and key[:-3] in FIELDS:
        return FIELDS[key[:-3]].label
    return "其他信息"
