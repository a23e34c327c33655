"""Vocabularies of the enterprise registry: codes (English, as in the facts contract section 2)
and the Chinese labels used on pages and in the Excel template (contract section 2b).

Pure Python, no Django import: the Excel validator and the facts builder use these tables.
"""

from __future__ import annotations

#: 知识产权类型 (contract 2 `ip_rights[].kind`) → Chinese label used in the template.
IP_KINDS: dict[str, str] = {
    "invention_patent": "发明专利",
    "utility_model": "实用新型",
    "design_patent": "外观设计",
    "software_copyright": "软件著作权",
    "ic_layout": "集成电路布图设计",
    "plant_variety": "植物新品种",
    "national_crop_variety": "国家级农作物品种",
    "national_new_drug": "国家新药",
    "tcm_protected_variety_1": "国家一级中药保护品种",
}

#: Class I / Class II per 《高新技术企业认定管理工作指引》(国科发火〔2016〕195号) 四（二）.
IP_CLASS: dict[str, int] = {
    "invention_patent": 1, "plant_variety": 1, "national_crop_variety": 1, "national_new_drug": 1,
    "tcm_protected_variety_1": 1, "ic_layout": 1,
    "utility_model": 2, "design_patent": 2, "software_copyright": 2,
}

#: 获得方式 (contract 2 `acquired_by`).
ACQUISITION: dict[str, str] = {"self": "自主研发", "transfer": "受让", "gift": "受赠", "merger": "并购"}

#: 资质类型 (contract 2 `qualifications[].kind`, 2b labels).
QUALIFICATION_KINDS: dict[str, str] = {
    "hnte": "高新技术企业",
    "tsme": "科技型中小企业",
    "innovative_sme": "创新型中小企业",
    "srdi_sme": "专精特新中小企业",
    "little_giant": "专精特新“小巨人”企业",
    "above_designated_size": "规上企业",
}

#: 发证（认定）层级.
ISSUING_LEVELS: dict[str, str] = {"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级"}

#: 企业规模 (《统计上大中小微型企业划分办法（2017）》 国统字〔2017〕213号).
SIZE_CLASSES: dict[str, str] = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}

#: 信用记录类型 and how each feeds the facts of contract 2.
CREDIT_KINDS: dict[str, str] = {
    "research_dishonesty": "科研严重失信",
    "abnormal_operation": "列入经营异常名录",
    "serious_illegal": "列入严重违法失信企业名单",
    "major_incident": "重大安全、质量事故或严重环境违法",
    "commendation": "守信激励",
    "other": "其他",
}
CREDIT_EFFECTS: dict[str, str] = {"veto": "一票否决", "restrict": "限制申报", "warning": "警示", "none": "无影响"}

#: Money fields of one fiscal year (contract 2 `years[]`), in 万元, with the template header and
#: whether the figure may be negative (net assets and net profit may; the rest may not).
YEAR_MONEY_FIELDS: dict[str, tuple[str, bool]] = {
    "sales_revenue": ("销售收入", False),
    "operating_revenue": ("营业收入", False),
    "main_business_revenue": ("主营业务收入", False),
    "total_income": ("总收入", False),
    "hitech_revenue": ("高新技术产品收入", False),
    "rd_expense": ("研究开发费用总额", False),
    "rd_expense_domestic": ("境内研究开发费用", False),
    "cost_expense_total": ("成本费用支出总额", False),
    "total_assets": ("资产总额", False),
    "total_liabilities": ("负债总额", False),
    "net_assets": ("净资产", True),
    "net_profit": ("净利润", True),
    "equity_financing": ("新增股权融资实缴额", False),
}

#: The value of 高新技术领域 that means "outside the supported fields" (facts `null`).
HIGH_TECH_FIELD_OUTSIDE = "不属于"

#: Industry groups of the seed documents (南安's leading industries), for demo data and filters.
INDUSTRY_GROUPS: dict[str, str] = {
    "C3032": "石材陶瓷", "C3071": "石材陶瓷",
    "C3372": "水暖厨卫", "C3351": "水暖厨卫",
    "C1951": "鞋服轻纺", "C1810": "鞋服轻纺",
    "C3973": "半导体", "C3976": "半导体",
    "C2651": "新材料", "C3091": "新材料",
    "C3825": "新能源", "C3841": "新能源",
    "C3421": "机械装备", "C3515": "机械装备",
    "C1419": "食品", "C1391": "食品",
    "C1530": "茶叶", "A0164": "茶叶",
}


def label_to_code(table: dict[str, str]) -> dict[str, str]:
    """Reverse a code → label table, also accepting the code itself (for hand-typed cells)."""
    out = {label: code for code, label in table.items()}
    out.update({code: code for code in table})
    return out
