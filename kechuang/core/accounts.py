"""Creating accounts: the three administrators on first start, and demo users with --demo.
Passwords are random and printed once (or taken from KECHUANG_ADMIN_PASSWORD /
KECHUANG_DEMO_PASSWORD); there is never a fixed default password."""

from __future__ import annotations

import os
import secrets
import string

from django.db import transaction
from django.utils import timezone

from kechuang.core import audit
from kechuang.core.models import AuditEvent, OrgUnit, Region, Role, User

ADMIN_ACCOUNTS = [
    ("xitong_gly", Role.SYS_ADMIN, "系统管理员"),
    ("anquan_gly", Role.SEC_ADMIN, "安全管理员"),
    ("shenji_gly", Role.AUDIT_ADMIN, "审计管理员"),
]


def random_password(length: int = 16) -> str:
    """A random password meeting the validators: all four character classes."""
    alphabet = string.ascii_letters + string.digits + "-_.!@#%"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if (any(c.islower() for c in pw) and any(c.isupper() for c in pw)
                and any(c.isdigit() for c in pw) and any(not c.isalnum() for c in pw)):
            return pw


def _create(username, role, display, password, **binding) -> User:
    user = User(username=username, role=role, last_name=display, password_changed_at=timezone.now(),
                is_staff=role in {Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN}, **binding)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(AuditEvent.Kind.USER_CREATED, username="system", object_ref=f"user:{username}",
                 detail={"role": role})
    return user


@transaction.atomic
def ensure_administrators() -> list[tuple[str, str, str]]:
    """Create the three separated administrators when no administrator exists.
    Returns (username, role label, password) for the accounts created now."""
    if User.objects.filter(role__in=[r for _u, r, _d in ADMIN_ACCOUNTS]).exists():
        return []
    fixed = os.environ.get("KECHUANG_ADMIN_PASSWORD", "")
    created = []
    for username, role, display in ADMIN_ACCOUNTS:
        password = fixed or random_password()
        _create(username, role, display, password)
        created.append((username, display, password))
    return created


def demo_accounts():
    """(username, role, display name, binding) of the demo users."""
    shuitou = Region.resolve("水头镇")
    ximei = Region.resolve("溪美街道")
    gxj = OrgUnit.resolve("市工信局")
    return [
        ("kjj_demo", Role.BUREAU_STAFF, "科技局演示", {}),
        ("shuitou_demo", Role.TOWNSHIP_CLERK, "水头镇填报员", {"township": shuitou}),
        ("ximei_demo", Role.TOWNSHIP_CLERK, "溪美街道填报员", {"township": ximei}),
        ("gxj_demo", Role.DEPT_LIAISON, "工信局联络员", {"org_unit": gxj}),
        ("jingli_demo", Role.BROKER, "技术经理人演示", {}),
        ("caizheng_demo", Role.FINANCE_OFFICER, "财政局演示（拨付）", {}),
    ]


@transaction.atomic
def ensure_demo_users(enterprise=None) -> list[tuple[str, str, str]]:
    """Create the demo users that do not exist yet (and an enterprise user when an enterprise
    is given). Returns (username, role label, password) for those created now."""
    fixed = os.environ.get("KECHUANG_DEMO_PASSWORD", "")
    accounts = demo_accounts()
    if enterprise is not None:
        accounts.append(("qiye_demo", Role.ENTERPRISE_USER, f"{enterprise.name}", {"enterprise": enterprise}))
    created = []
    for username, role, display, binding in accounts:
        if User.objects.filter(username__iexact=username).exists():
            continue
        password = fixed or random_password()
        _create(username, role, display, password, **binding)
        created.append((username, Role(role).label, password))
    return created
