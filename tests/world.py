"""The test world: two townships and a user of every role, built from the real reference data."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from kechuang.core.models import OrgUnit, Region, Role, User
from kechuang.enterprises.models import Enterprise

PASSWORD = "Kc-test-Passw0rd!"


@dataclass
class World:
    township_a: Region
    township_b: Region
    org_a: OrgUnit
    org_b: OrgUnit
    enterprise_a: Enterprise
    enterprise_b: Enterprise
    staff: User
    clerk_a: User
    clerk_b: User
    liaison_a: User
    liaison_b: User
    ent_user_a: User
    ent_user_b: User
    broker_a: User
    broker_b: User
    sys_admin: User
    sec_admin: User
    audit_admin: User
    finance: User

    @staticmethod
    def user(username, role, **binding) -> User:
        user = User(username=username, role=role, password_changed_at=timezone.now(), **binding)
        if role in {Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN}:
            user.is_staff = True
        user.set_password(PASSWORD)
        user.save()
        return user

    @classmethod
    def build(cls) -> World:
        if not Region.objects.exists():  # a transactional test before this one flushed the tables
            from kechuang.core.reference import load_reference_data

            load_reference_data()
        a = Region.resolve("水头镇")
        b = Region.resolve("溪美街道")
        org_a = OrgUnit.resolve("市工信局")
        org_b = OrgUnit.resolve("市财政局")
        # Valid USCCs (checksums verified with stdnum.cn.uscc).
        ent_a = Enterprise.objects.create(uscc=_uscc("91350583MA2Y0RAAA"),
                                          name="水头甲石材有限公司", township=a)
        ent_b = Enterprise.objects.create(uscc=_uscc("91350583MA2Y0RBBB"),
                                          name="溪美乙科技有限公司", township=b)
        u = cls.user
        return cls(
            township_a=a, township_b=b, org_a=org_a, org_b=org_b, enterprise_a=ent_a, enterprise_b=ent_b,
            staff=u("staff", Role.BUREAU_STAFF),
            clerk_a=u("clerk_a", Role.TOWNSHIP_CLERK, township=a),
            clerk_b=u("clerk_b", Role.TOWNSHIP_CLERK, township=b),
            liaison_a=u("liaison_a", Role.DEPT_LIAISON, org_unit=org_a),
            liaison_b=u("liaison_b", Role.DEPT_LIAISON, org_unit=org_b),
            ent_user_a=u("ent_a", Role.ENTERPRISE_USER, enterprise=ent_a),
            ent_user_b=u("ent_b", Role.ENTERPRISE_USER, enterprise=ent_b),
            broker_a=u("broker_a", Role.BROKER),
            broker_b=u("broker_b", Role.BROKER),
            sys_admin=u("sysadm", Role.SYS_ADMIN),
            sec_admin=u("secadm", Role.SEC_ADMIN),
            audit_admin=u("audadm", Role.AUDIT_ADMIN),
            finance=u("finance", Role.FINANCE_OFFICER),
        )


def _uscc(first17: str) -> str:
    """A valid 统一社会信用代码 from its first 17 characters (check digit per GB 32100)."""
    from stdnum.cn import uscc

    return first17 + uscc.calc_check_digit(first17)


def _system():
    from kechuang.core.permissions import system_actor

    return system_actor("command:test")


#: The actor of test set-up code that is not about who may act (like a CLI command or a loader).
SYSTEM = _system()
