"""三员分立: one role per account, separated powers, no superuser (SECURITY.md 访问控制)."""

import pytest
from django.db import IntegrityError, transaction

from kechuang.core.models import AuditEvent, Role, User


def test_an_account_cannot_be_superuser(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.sys_admin.pk).update(is_superuser=True)


def test_role_field_holds_exactly_one_role(world):
    # One column, one value: an account is one of the three administrators or none.
    roles = {f.name: f for f in User._meta.fields}
    assert roles["role"].choices and not roles["role"].many_to_many
    admins = User.objects.filter(role__in=[Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN])
    assert admins.count() == 3 and len({u.role for u in admins}) == 3


def test_binding_must_match_role(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="bad1", role=Role.TOWNSHIP_CLERK)  # clerk without township
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="bad2", role=Role.BUREAU_STAFF, township=world.township_a)


@pytest.mark.parametrize(
    "actor, url, expected",
    [
        ("sys_admin", "/admin/core/region/", 200),
        ("sys_admin", "/admin/core/user/", 404),
        ("sys_admin", "/admin/core/auditevent/", 403),
        ("sec_admin", "/admin/core/user/", 404),   # accounts are managed in the product (core:accounts)
        ("sec_admin", "/admin/core/region/", 403),
        ("sec_admin", "/admin/core/auditevent/", 403),
        ("audit_admin", "/admin/core/auditevent/", 200),
        ("audit_admin", "/admin/core/changelog/", 404),  # business change logs: no administrator
        ("audit_admin", "/admin/core/user/", 404),
        ("audit_admin", "/audit/", 200),
        ("sys_admin", "/audit/", 403),
        ("sec_admin", "/audit/", 403),
        ("staff", "/audit/", 403),
    ],
)
def test_permission_matrix(world, client_for, actor, url, expected):
    assert client_for(getattr(world, actor)).get(url).status_code == expected


def test_audit_admin_cannot_change_audit_rows_in_admin(world, client_for):
    event = AuditEvent.objects.first() or AuditEvent.objects.create(kind="login", username="x")
    c = client_for(world.audit_admin)
    r = c.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403


def test_administrators_see_no_business_rows(world):
    from kechuang.enterprises.models import Enterprise

    for admin in (world.sys_admin, world.sec_admin, world.audit_admin):
        assert Enterprise.objects.restrict(admin, "view").count() == 0


def test_role_change_is_audited(world, client_for):
    c = client_for(world.sys_admin)
    user = world.clerk_a
    r = c.post(f"/accounts/{user.pk}/", {"action": "bind", "role": Role.TOWNSHIP_CLERK,
                                         "township": world.township_b.pk})
    assert r.status_code == 200, r.content.decode()[:2000]
    event = AuditEvent.objects.get(kind="role_changed")
    assert event.detail["before"]["township_id"] == world.township_a.pk
    assert event.detail["after"]["township_id"] == world.township_b.pk
