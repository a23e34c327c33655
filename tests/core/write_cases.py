"""Write-matrix cases of the accounts, security policy and sign-in pages (tests/scoping/writes.py)."""
from kechuang.core.models import Role
from tests.scoping.writes import Write, form, upload, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OWN_ACCOUNT = ("acts on the session's own account (sign-in, second factor, password change, sign-out): "
               "tests/core/test_login.py, tests/core/test_accounts.py, tests/hardening/test_totp_lockout.py")


def _account(world):
    return {"kwargs": {"pk": world.broker_b.pk}, "data": {"action": "disable"}}


def _new(world):
    return {"data": {"username": "matrix_new", "full_name": "新账户", "role": Role.BROKER.value}}


def _import(world):
    sheet = xlsx(["账号", "姓名", "角色", "乡镇（街道）", "单位", "统一社会信用代码", "手机号"],
                 [["matrix_batch", "甲", "技术经理人", "", "", "", ""]])
    return {"data": form(file=upload("accounts.xlsx", sheet, XLSX))}


def _policy(world):
    return {"data": {"lockout_threshold": "6", "lockout_minutes": "20", "idle_minutes": "25",
                     "password_max_age_days": "80"}}


WRITES = {
    "core:login": Write.elsewhere(OWN_ACCOUNT),
    "core:logout": Write.elsewhere(OWN_ACCOUNT),
    "core:otp": Write.elsewhere(OWN_ACCOUNT),
    "core:password_change": Write.elsewhere(OWN_ACCOUNT),
    "core:account_new": Write.action("core.account.manage", _new),
    "core:account_detail": Write.action("core.account.manage", _account),
    "core:account_import": Write.action("core.account.manage", _import),
    "core:security_policy": Write.action("core.security_policy.change", _policy),
}
