"""Vocabularies of the enterprise registry: codes (English, as in the facts contract section 2)
and the Chinese labels used on pages and in the Excel template (contract section 2b).

Pure Python, no Django import: the Excel validator and the facts builder use these tables.
The tables themselves are defined once in :mod:`kechuang.rules.vocabulary`.
"""

from __future__ import annotations

from kechuang.rules import vocabulary as _v  # the one vocabulary, shared with the rules

IP_KINDS: dict[str, str] = dict(_v.IP_KINDS)
IP_CLASS: dict[str, int] = dict(_v.IP_CLASS)
ACQUISITION: dict[str, str] = dict(_v.ACQUISITION)
QUALIFICATION_KINDS: dict[str, str] = dict(_v.QUALIFICATION_KINDS)
ISSUING_LEVELS: dict[str, str] = dict(_v.ISSUING_LEVELS)
SIZE_CLASSES: dict[str, str] = dict(_v.SIZE_CLASSES)
CREDIT_KINDS: dict[str, str] = dict(_v.CREDIT_KINDS)
CREDIT_EFFECTS: dict[str, str] = dict(_v.CREDIT_EFFECTS)

#: Money fields of one fiscal year (contract 2 `years[]`), in 万元, with the template header and
#: whether the figure may be negative (net assets and net profit may; the rest may not).
YEAR_MONEY_FIELDS: dict[str, tuple[str, bool]] = {f.name: (f.column, f.negative_allowed) for f in _v.YEAR_MONEY}

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
