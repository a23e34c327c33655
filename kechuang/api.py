"""The JSON API (django-ninja, OpenAPI at /api/docs).

Each product app may define in its api.py:
- `router`: operations for signed-in users, mounted at /api/<label>/ (session auth + CSRF);
  every read goes through the scoping choke point like the pages do.
- `public_router`: operations anyone may call (self-check forms), mounted at
  /api/public/<label>/, on the public allowlist. They must not read or store business rows.
"""

import json
import math
from decimal import InvalidOperation
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import django_auth

from kechuang.rules.engine import NoRulesInForce
from kechuang.rules.params import ParameterError


class StrictJSONParser(Parser):
    """JSON bodies without non-finite numbers: ``json.loads`` turns ``1e309`` into inf and accepts
    ``NaN``/``Infinity``; here they are refused (a 400 with a Chinese sentence, issue 11 item 4)."""

    def parse_body(self, request):
        from kechuang.core.inputs import CONTROL_CHARACTERS

        data = json.loads(request.body, parse_constant=_refuse_constant, parse_float=_finite_float)
        stack = [data]
        while stack:   # no control characters in any string (PostgreSQL, xlsx and docx refuse them)
            item = stack.pop()
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str) and CONTROL_CHARACTERS.search(item):
                raise ValueError("含有不允许的控制字符")
        return data


def _refuse_constant(text):
    raise ValueError(f"不是有限的数值：{text}")


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"不是有限的数值：{text}")
    return value


api = NinjaAPI(
    title="科创平台 API",
    version="1",
    description="Kechuang: enterprises, diagnosis, policies, targets, technology market.",
    auth=django_auth,
    urls_namespace="api",
    parser=StrictJSONParser(),
)

public_api = NinjaAPI(
    title="科创平台公开 API",
    version="public-1",
    description="Self-check endpoints that need no account and store nothing.",
    auth=None,
    parser=StrictJSONParser(),
    urls_namespace="public_api",
    docs_url="/docs",
)

#: pydantic error types → the Chinese sentence a caller sees (issue 11: a clear field error, never English)
_MESSAGES = {
    "missing": "必填", "int_parsing": "应为整数", "int_parsing_size": "超出允许范围（过大）", "int_from_float": "应为整数", "int_type": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字", "decimal_parsing": "应为数字",
    "finite_number": "应为有限的数值（不能为无穷大或非数字）", "decimal_type": "应为数字",
    "less_than_equal": "超出允许范围（过大）", "less_than": "超出允许范围（过大）",
    "greater_than_equal": "超出允许范围（过小）", "greater_than": "超出允许范围（过小）",
    "decimal_max_digits": "位数过多", "decimal_max_places": "小数位数过多", "decimal_whole_digits": "整数位数过多",
    "date_parsing": "应为日期（YYYY-MM-DD）", "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）", "datetime_parsing": "应为日期时间", "string_too_long": "过长",
    "string_type": "应为文字", "bool_parsing": "应为是或否", "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "格式有误", "dict_type": "应为对象", "list_type": "应为列表",
}


def _chinese_validation_error(request, exc):
    errors = []
    for e in exc.errors:
        loc = [str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path", "payload")]
        kind = e.get("type", "")
        msg = _MESSAGES.get(kind, "格式有误")
        ctx = e.get("ctx") or {}
        for key in ("le", "lt", "ge", "gt"):
            if key in ctx and kind in ("less_than_equal", "less_than", "greater_than_equal", "greater_than"):
                msg = f"{msg}：{'不大于' if key in ('le', 'lt') else '不小于'} {ctx[key]}"
        field = ".".join(loc)
        errors.append({"loc": e.get("loc", ()), "field": field, "type": kind,
                       "msg": f"{field}：{msg}" if field else msg})
    return api.create_response(request, {"detail": errors}, status=422)


def _input_error(request, exc):
    from kechuang.core.inputs import describe

    message = describe(exc)
    if message is None:
        raise exc
    return api.create_response(request, {"detail": message}, status=422)


for _api in (api, public_api):
    _api.add_exception_handler(ValidationError, _chinese_validation_error)
    for _exc in (DjangoValidationError, OverflowError, DataError, BadRequest, InvalidOperation, ParameterError,
                 NoRulesInForce):
        _api.add_exception_handler(_exc, _input_error)
def _refused(request, exc: PermissionDenied):
    """Every refusal (core.permissions.PermissionRefused, or a scoping PermissionDenied) is a 403
    with the Chinese sentence, in one place for both APIs."""
    message = str(exc) or "您没有权限执行该操作。如需开通，请联系系统管理员。"
    return api.create_response(request, {"detail": message}, status=403)


for _api in (api, public_api):
    _api.add_exception_handler(PermissionDenied, _refused)

#: django-ninja's own English answers, in Chinese
_HTTP_MESSAGES = {
    "Cannot parse request body": "请求内容无法解析：应为有效的 JSON，数值须为有限数（不能为 NaN 或无穷大），"
                                 "文字中不能含有控制字符（如 NUL、ESC）",
    "Unauthorized": "请先登录",
    "Forbidden": "您没有权限执行该操作。如需开通，请联系系统管理员。",
    "Too many requests.": "请求过于频繁，请稍后再试",
}


def _http_error(request, exc: HttpError):
    message = str(exc)
    message = _HTTP_MESSAGES.get(message.split(" (", 1)[0], message)
    return api.create_response(request, {"detail": message}, status=exc.status_code)


def _not_found(request, exc):
    return api.create_response(request, {"detail": "没有找到该对象，或您无权查看"}, status=404)


for _api in (api, public_api):
    _api.add_exception_handler(HttpError, _http_error)
    _api.add_exception_handler(AuthenticationError, _http_error)
    _api.add_exception_handler(Http404, _not_found)

for dotted in settings.PROJECT_APPS:
    if find_spec(f"{dotted}.api") is None:
        continue
    module = import_module(f"{dotted}.api")
    label = dotted.rsplit(".", 1)[-1]
    if getattr(module, "router", None) is not None:
        api.add_router(f"/{label}/", module.router)
    if getattr(module, "public_router", None) is not None:
        public_api.add_router(f"/{label}/", module.public_router)


def public_urls():
    """The public API's URL patterns, each marked as not requiring login (the allowlist)."""
    patterns, app_name, namespace = public_api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
