"""Reading request input without ever answering 500 (issue 11 item 5).

Views read query and form parameters through these helpers::

    year = int_param(request.GET, "year", label="年度", lo=1949, hi=2100, default=None)
    on = date_param(request.GET, "on", label="评估日期", default=today)
    run = runs.filter(pk=pk_param(request.GET, "run")).first()

A bad value raises :class:`BadInput` (an HTTP 400 with the Chinese sentence), or — for the
``*_or_none`` forms — is treated as absent. :class:`BadInputMiddleware` is the safety net for
the rest: an integer too large for the database, text where the ORM wanted a number, a
``ValidationError`` a view forgot to catch, all become 400 with a Chinese sentence instead of
a server error. The API maps the same exceptions to 422 (``kechuang/api.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import BadRequest, ValidationError
from django.db import DataError

log = logging.getLogger("kechuang.inputs")

#: the largest id the database can hold (BIGINT); larger texts are not an id
MAX_PK = 2**63 - 1
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)
_INT_RE = re.compile(r"^[+-]?\d{1,25}$")


class BadInput(BadRequest):
    """A request parameter that cannot be used; the message is the Chinese sentence shown."""


def _get(source, name):
    value = source.get(name) if hasattr(source, "get") else source
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def int_param(source, name: str, *, label: str = "", lo: int = 0, hi: int = MAX_PK, default=None):
    """An integer parameter within ``lo..hi``; absent → ``default``; anything else → BadInput."""
    raw = _get(source, name)
    if raw is None:
        return default
    label = label or name
    if len(raw) > 25 or not _INT_RE.match(raw):
        raise BadInput(f"{label}应为整数")
    value = int(raw)
    if not lo <= value <= hi:
        raise BadInput(f"{label}应在 {lo} 至 {hi} 之间")
    return value


def int_param_or_none(source, name: str, *, lo: int = 0, hi: int = MAX_PK):
    """Like int_param but a bad value counts as absent (for filters and selections)."""
    try:
        return int_param(source, name, lo=lo, hi=hi)
    except BadInput:
        return None


def pk_param(source, name: str = "") -> int | None:
    """An object id or None (never matches a row) for anything that is not one."""
    return int_param_or_none(source if name else {"v": source}, name or "v", lo=1, hi=MAX_PK)


def date_param(source, name: str, *, label: str = "", default=None, lo: dt.date = MIN_DATE,
               hi: dt.date = MAX_DATE):
    """A YYYY-MM-DD date within lo..hi; absent → default; anything else → BadInput."""
    raw = _get(source, name)
    if raw is None:
        return default
    label = label or name
    try:
        value = dt.date.fromisoformat(raw[:10]) if len(raw) <= 10 else None
    except ValueError:
        value = None
    if value is None:
        raise BadInput(f"{label}应为日期（YYYY-MM-DD）")
    if not lo <= value <= hi:
        raise BadInput(f"{label}应在 {lo.isoformat()} 至 {hi.isoformat()} 之间")
    return value


def decimal_param(source, name: str, *, label: str = "", lo=None, hi=None, default=None):
    """A finite decimal within lo..hi; absent → default; anything else → BadInput."""
    raw = _get(source, name)
    if raw is None:
        return default
    label = label or name
    if len(raw) > 40:
        raise BadInput(f"{label}应为数字")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise BadInput(f"{label}应为数字") from None
    if not value.is_finite():
        raise BadInput(f"{label}应为有限的数字")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise BadInput(f"{label}应在 {lo} 至 {hi} 之间")
    return value


def describe(exc: BaseException) -> str | None:
    """The Chinese sentence for an input-caused exception, or None when it is a real fault."""
    if isinstance(exc, BadInput):
        return str(exc)
    if isinstance(exc, ValidationError):
        messages = []
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                for m in errors:
                    messages.append(m if field == "__all__" else f"{field}：{m}")
        else:
            messages = list(exc.messages)
        return "；".join(messages) or "提交的内容有误"
    from kechuang.rules.engine import NoRulesInForce
    from kechuang.rules.params import ParameterError

    if isinstance(exc, NoRulesInForce):
        return str(exc)  # "…没有生效的认定办法：…最早自2016年1月1日起施行，请选择此后的评价日期。"

    if isinstance(exc, ParameterError) and "没有生效" in str(exc):
        # a date before (or after) every dated rule: say so instead of failing
        return f"所选日期尚无施行中的认定办法或政策参数（{exc}），请选择其他日期"
    if isinstance(exc, OverflowError):
        return "数值超出允许范围"
    if isinstance(exc, DataError):
        if "NUL" in str(exc):   # PostgreSQL text cannot hold a NUL character (SQLite stores it)
            return "文字中含有不允许的空字符（NUL），请删除后重新提交"
        return "数值或文字超出允许范围"
    if isinstance(exc, InvalidOperation):
        return "数值无效"
    if isinstance(exc, ValueError):
        text = str(exc)
        # the ORM refusing text where a number or date was expected ("Field 'id' expected a number …")
        if text.startswith("Field '") and "expected" in text:
            return "参数格式有误（应为数字或日期）"
        # a view that ran int()/float()/Decimal() on a request parameter without a helper: the
        # input was not a number (logged as a warning so the view gets fixed)
        if text.startswith(("invalid literal for int()", "could not convert string to float",
                            "Exceeds the limit (4300 digits)", "cannot convert float")):
            log.warning("unguarded number conversion: %s", text[:200])
            return "参数格式有误（应为有限的数字）"
    return None


#: C0 control characters other than tab, line feed and carriage return (and DEL): never typed by a
#: user, refused by PostgreSQL (NUL) and by every .xlsx/.docx writer (they would break each export
#: that carries the stored value)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_field(request) -> str | None:
    """The name of the first query or form parameter that carries a control character, or None."""
    sources = [request.GET]
    forms = ("application/x-www-form-urlencoded",) if request.path.startswith("/api/") else (
        # an API operation may read the raw body: a multipart stream read here could not be read again
        "application/x-www-form-urlencoded", "multipart/form-data")
    if request.method == "POST" and request.content_type in forms:
        sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            if CONTROL_CHARACTERS.search(key):
                return CONTROL_CHARACTERS.sub("?", key)[:50]
            if any(isinstance(v, str) and CONTROL_CHARACTERS.search(v) for v in values):
                return key[:50]
    return None


class BadInputMiddleware:
    """Turns input-caused exceptions that escaped a view into HTTP 400 with a Chinese sentence."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = control_character_field(request)
        if field is not None:
            return self._answer(request, f"「{field}」含有不允许的控制字符（如 NUL、ESC），请删除后重新提交")
        return self.get_response(request)

    def _answer(self, request, message):
        from kechuang.core.views import _error

        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            return JsonResponse({"detail": message}, status=422, json_dumps_params={"ensure_ascii": False})
        return _error(request, 400, "请求有误", message)

    def process_exception(self, request, exception):
        message = describe(exception)
        if message is None:
            return None
        log.info("bad input on %s: %s", request.path, exception)
        from kechuang.core.views import _error

        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            return JsonResponse({"detail": message}, status=422, json_dumps_params={"ensure_ascii": False})
        return _error(request, 400, "请求有误", message)


# --- bounded types for django-ninja signatures and schemas -------------------------------------
# An unbounded ``int`` lets 99999999999999999999 through to the database (OverflowError on SQLite,
# "datatype mismatch" in LIMIT/OFFSET); every API integer uses one of these instead.
from typing import Annotated  # noqa: E402

from pydantic import Field  # noqa: E402

ApiId = Annotated[int, Field(ge=1, le=MAX_PK)]
ApiPage = Annotated[int, Field(ge=1, le=100_000)]
ApiYear = Annotated[int, Field(ge=1949, le=2100)]
ApiSmall = Annotated[int, Field(ge=0, le=10)]
