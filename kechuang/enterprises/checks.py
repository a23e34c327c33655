"""Cross-field checks shared by the Excel import and the edit forms (so both refuse the same
things). Pure Python: each returns (field, Chinese message) pairs."""

from __future__ import annotations

from decimal import Decimal

#: (smaller field, its label, larger field, its label): the first may not exceed the second.
YEAR_ORDER = (
    ("rd_expense", "研究开发费用总额", "sales_revenue", "销售收入"),
    ("rd_expense_domestic", "境内研究开发费用", "rd_expense", "研究开发费用总额"),
    ("hitech_revenue", "高新技术产品收入", "total_income", "总收入"),
)
STAFF_ORDER = (("tech_staff", "科技人员数"), ("rd_staff", "研发人员数"))


def year_problems(values: dict) -> list[tuple[str, str]]:
    """Inconsistent figures of one fiscal year (R&D above revenue …)."""
    out = []
    for small, small_label, big, big_label in YEAR_ORDER:
        a, b = values.get(small), values.get(big)
        if isinstance(a, Decimal) and isinstance(b, Decimal) and a > b:
            out.append((small, f"{small_label}（{plain(a)} 万元）大于{big_label}（{plain(b)} 万元）"))
    return out


def plain(value: Decimal) -> str:
    """A Decimal without trailing zeros and without exponent (5000.0100 → 5000.01)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def staff_problems(values: dict) -> list[tuple[str, str]]:
    """科技人员数 / 研发人员数 above 职工总数."""
    total = values.get("employees")
    out = []
    for name, label in STAFF_ORDER:
        n = values.get(name)
        if isinstance(total, int) and isinstance(n, int) and n > total:
            out.append((name, f"{label}（{n}）不能大于职工总数（{total}）"))
    return out


def date_order_problems(values: dict, pairs) -> list[tuple[str, str]]:
    """Date pairs (earlier field, label, later field, label) that are the wrong way round."""
    out = []
    for early, early_label, late, late_label in pairs:
        a, b = values.get(early), values.get(late)
        if a is not None and b is not None and b < a:
            out.append((late, f"{late_label} {b} 早于{early_label} {a}"))
    return out
