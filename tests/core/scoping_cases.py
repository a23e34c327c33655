"""Scoping cases for the core URLs (see tests/scoping/framework.py)."""

from tests.scoping.framework import Case


def _enterprise_changes(world):
    return {"own": {"model_label": "enterprises.Enterprise", "pk": world.enterprise_a.pk},
            "foreign": {"model_label": "enterprises.Enterprise", "pk": world.enterprise_b.pk}}


def _accounts(world):
    """The 系统管理员 opens a business account; an administrator account is refused (403)."""
    return {"own": {"pk": world.clerk_a.pk}, "foreign": {"pk": world.audit_admin.pk}}


def _account_sheet(world):
    """A batch's one-time-password sheet: the administrator who made it downloads it (once); a token
    that is not theirs (or was taken) is 404."""
    from kechuang.core.account_services import _result_sheet_store

    token = _result_sheet_store(world.sys_admin, [("x", "", "", "", "pw")])
    return {"own": {"token": token}, "foreign": {"token": "A" * 32}}


CASES = {
    "core:home": Case.global_(note="cards are counted through the choke point by each app"),
    "core:login": Case.public(),
    "core:logout": Case.global_(note="POST only; GET answers 405"),
    "core:otp": Case.global_(note="redirects users without a second factor"),
    "core:password_change": Case.global_(),
    "core:regions": Case.global_(note="public reference data"),
    "core:changes": Case.objects(_enterprise_changes),
    "core:audit_log": Case.role("audit_admin"),
    "core:health": Case.public(),
    "core:accounts": Case.role("sys_admin"),
    "core:account_new": Case.role("sys_admin"),
    "core:account_import": Case.role("sys_admin"),
    "core:account_import_template": Case.role("sys_admin"),
    "core:account_detail": Case.objects(_accounts, actor="sys_admin"),
    "core:account_sheet": Case.objects(_account_sheet, actor="sys_admin"),
    "core:security_policy": Case.role("sec_admin"),
    "favicon": Case.public(note="browsers ask for /favicon.ico: a redirect to the vendored icon", expect=(301,)),
    "api:openapi-json": Case.global_(),
    "api:openapi-view": Case.global_(),
    "public_api:api-root": Case.public(note="the public API root itself serves nothing", expect=(404,)),
    "public_api:openapi-json": Case.public(),
    "public_api:openapi-view": Case.public(),
    "api:api-root": Case.global_(note="the API root itself serves nothing", expect=(404,)),
}
