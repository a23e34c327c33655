"""The sheets and columns of the enterprise Excel template (contract section 2b), and the
parsing of one cell into a typed value with a Chinese reason when it is wrong.

Pure Python (no Django): used by the template writer, the importer and the exporter, so all
three agree on headers, vocabularies and value formats.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kechuang.enterprises import vocab

EXAMPLE_MARK = "示例"
NOTE_HEADER = "备注"
ERROR_HEADER = "错误说明"
MONEY_DECIMALS = 4
MONEY_MAX = Decimal("1e12")  # DecimalField(max_digits=16, decimal_places=4): below 10¹² 万元


class CellError(ValueError):
    """A bad cell value; the message is the Chinese reason."""


@dataclass(frozen=True)
class Column:
    """One column: its header, the model field it fills and how its cells are read."""

    header: str
    field: str
    kind: str  # text, int, year, money, date, past_date, bool, choice, tags, township
    required: bool = False
    choices: dict[str, str] | None = None  # code → label
    negative_ok: bool = False
    width: int = 14
    help: str = ""

    @property
    def choice_labels(self) -> list[str]:
        return list(self.choices.values()) if self.choices else []


@dataclass(frozen=True)
class Sheet:
    """One sheet of the template: its title, columns and the columns forming a row's key."""

    title: str
    model: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns] + [NOTE_HEADER]


USCC = Column("统一社会信用代码", "uscc", "text", required=True, width=22, help="18 位，含校验位")

ENTERPRISE = Sheet("企业", "Enterprise", (
    USCC,
    Column("企业名称", "name", "text", required=True, width=30),
    Column("所属乡镇", "township", "township", required=True, help="从下拉列表选择，如 水头镇"),
    Column("成立日期", "established_on", "past_date", help="YYYY-MM-DD"),
    Column("职工总数", "employees", "int"),
    Column("科技人员数", "tech_staff", "int"),
    Column("研发人员数", "rd_staff", "int"),
    Column("高新技术领域", "high_tech_field", "text", width=24,
           help=f"《国家重点支持的高新技术领域》所属领域；不在领域内填“{vocab.HIGH_TECH_FIELD_OUTSIDE}”；空白=未知"),
    Column("注册地址", "address", "text", width=30),
    Column("行业代码", "industry_code", "text", help="国民经济行业分类代码，如 C3032"),
    Column("企业规模", "size_class", "choice", choices=vocab.SIZE_CLASSES),
    Column("联系人", "contact_name", "text"),
    Column("联系电话", "contact_phone", "text"),
    Column("标签", "tags", "tags", help="多个标签用顿号或逗号分隔"),
), key=("uscc",))

YEARS = Sheet("年度数据", "FiscalYear", (
    USCC,
    Column("年度", "year", "year", required=True, width=8),
    *(Column(label, name, "money", negative_ok=neg, help="万元")
      for name, (label, neg) in vocab.YEAR_MONEY_FIELDS.items()),
), key=("uscc", "year"))

IP = Sheet("知识产权", "IPRight", (
    USCC,
    Column("类型", "kind", "choice", required=True, choices=vocab.IP_KINDS),
    Column("编号", "number", "text", width=20, help="专利号、登记号"),
    Column("名称", "title", "text", width=30),
    Column("授权日期", "granted_on", "past_date"),
    Column("到期日期", "expires_on", "date"),
    Column("获得方式", "acquired_by", "choice", choices=vocab.ACQUISITION),
    Column("是否核心", "core", "bool", help="是/否：是否支持主要产品（服务）"),
    Column("已用于高企申报", "used_for_hnte", "bool", help="是/否：Ⅱ类知识产权仅可使用一次"),
), key=("uscc", "number", "kind", "title", "granted_on"))

QUALIFICATIONS = Sheet("资质", "Qualification", (
    USCC,
    Column("资质类型", "kind", "choice", required=True, choices=vocab.QUALIFICATION_KINDS, width=22),
    Column("证书编号", "certificate_no", "text", width=20),
    Column("首次认定日期", "first_recognized_on", "past_date"),
    Column("有效期起", "valid_from", "date"),
    Column("有效期止", "valid_until", "date"),
    Column("认定层级", "issuing_level", "choice", choices=vocab.ISSUING_LEVELS),
), key=("uscc", "kind", "valid_from"))

SHEETS: tuple[Sheet, ...] = (ENTERPRISE, YEARS, IP, QUALIFICATIONS)

#: extra spellings accepted on import (the facts vocabulary's own labels, common variants).
CHOICE_ALIASES = {
    "kind": {"集成电路布图设计专有权": "ic_layout", "发明": "invention_patent", "软著": "software_copyright",
             "专精特新小巨人企业": "little_giant", "小巨人": "little_giant", "国家高新技术企业": "hnte",
             "高企": "hnte", "科小": "tsme", "规模以上工业企业": "above_designated_size"},
}
_TRUE = {"是", "y", "yes", "true", "1", "√", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "不是"}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")


def normalize_header(text) -> str:
    """Header text without required markers, units and spaces (销售收入（万元）* → 销售收入)."""
    s = str(text or "").strip().replace(" ", "").replace("\u3000", "").rstrip("*＊")
    return re.sub(r"[（(](万元|元|人|个)[)）]$", "", s)


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number_text(value) -> str:
    text = _text(value).replace(",", "").replace("，", "").replace(" ", "")
    if not _NUMBER_RE.match(text):
        raise CellError(f"应为数字，实际为“{_text(value)}”")
    return text


def parse_cell(column: Column, value, today: dt.date):
    """The typed value of one cell (None when blank); raises CellError with a Chinese reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if column.required:
            raise CellError("必填，不能为空")
        return None
    kind = column.kind
    if kind in ("text", "township"):
        return _text(value)
    if kind in ("int", "year"):
        if isinstance(value, bool):
            raise CellError(f"应为整数，实际为“{value}”")
        try:
            number = Decimal(_number_text(value)) if not isinstance(value, (int, float)) else Decimal(str(value))
        except (InvalidOperation, CellError):
            raise CellError(f"应为整数，实际为“{_text(value)}”") from None
        if number != number.to_integral_value():
            raise CellError(f"应为整数，实际为“{_text(value)}”")
        number = int(number)
        if kind == "year":
            if number < 1949 or number > today.year:
                raise CellError(f"年度 {number} 不在 1949–{today.year} 之间" if number < 1949
                                else f"年度 {number} 在未来（今年是 {today.year} 年）")
        elif number < 0:
            raise CellError(f"不能为负数（{number}）")
        elif number > 10_000_000:
            raise CellError(f"数值过大（{number}）")
        return number
    if kind == "money":
        if isinstance(value, bool):
            raise CellError(f"应为数字（万元），实际为“{value}”")
        try:
            text = str(value) if isinstance(value, (int, float, Decimal)) else _number_text(value)
            number = Decimal(text)
        except (InvalidOperation, CellError):
            raise CellError(f"应为数字（万元），实际为“{_text(value)}”") from None
        if not number.is_finite():
            raise CellError(f"应为数字（万元），实际为“{_text(value)}”")
        if number < 0 and not column.negative_ok:
            raise CellError(f"不能为负数（{number}）")
        if abs(number) >= MONEY_MAX:
            raise CellError(f"金额过大（{number} 万元）")
        quantized = number.quantize(Decimal(1).scaleb(-MONEY_DECIMALS))
        if quantized != number:
            raise CellError(f"最多保留 {MONEY_DECIMALS} 位小数（万元），实际为 {number}")
        return quantized
    if kind in ("date", "past_date"):
        day = _date(value)
        if day.year < 1900:
            raise CellError(f"日期 {day.isoformat()} 过早")
        if kind == "past_date" and day > today:
            raise CellError(f"日期 {day.isoformat()} 在未来（今天是 {today.isoformat()}）")
        return day
    if kind == "bool":
        text = _text(value).lower()
        if isinstance(value, bool):
            return value
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CellError(f"应填“是”或“否”，实际为“{_text(value)}”")
    if kind == "choice":
        text = _text(value)
        table = {label: code for code, label in (column.choices or {}).items()}
        table.update({code: code for code in (column.choices or {})})
        table.update({k: v for k, v in CHOICE_ALIASES.get(column.field, {}).items() if v in (column.choices or {})})
        if text not in table:
            raise CellError(f"未知的{column.header}“{text}”，可选：{'、'.join(column.choice_labels)}")
        return table[text]
    if kind == "tags":
        return [t for t in re.split(r"[、,，;；\s]+", _text(value)) if t]
    raise AssertionError(f"unknown column kind {kind}")  # pragma: no cover


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A date cell saved without a date format (WPS does this): an Excel serial day number.
        if 1 <= value < 2958466:
            return (dt.datetime(1899, 12, 30) + dt.timedelta(days=int(value))).date()
        raise CellError(f"不是有效的日期：“{_text(value)}”")
    text = _text(value)
    m = _DATE_RE.match(text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise CellError(f"不存在的日期：“{text}”") from None
    raise CellError(f"日期格式错误：“{text}”，应为 YYYY-MM-DD")


def format_cell(column: Column, value):
    """The cell value the exporter writes for a model value (the inverse of `parse_cell`)."""
    if value is None or value == "" or value == []:
        return None
    if column.kind == "choice":
        return (column.choices or {}).get(value, value)
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "tags":
        return "、".join(value)
    if column.kind == "money":
        return Decimal(value)
    return value
