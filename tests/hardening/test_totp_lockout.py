"""Issue 11 item 9: five wrong second-factor codes lock the account like five wrong passwords
(the probe had 60 codes accepted for checking in 0.3 s)."""

from __future__ import annotations

import pyotp
import pytest
from django.conf import settings

from kechuang.core.auth import verify_totp
from kechuang.core.models import AuditEvent, User


@pytest.fixture
def admin(world):
    user = world.sys_admin
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed = True
    user.save()
    return user


def _wrong(user):
    right = pyotp.TOTP(user.totp_secret).now()
    return "000000" if right != "000000" else "111111"


def test_four_wrong_codes_do_not_lock_the_fifth_does(admin):
    for _ in range(settings.KECHUANG_LOCKOUT_THRESHOLD - 1):
        assert not verify_totp(admin, _wrong(admin))
    admin.refresh_from_db()
    assert not admin.is_locked() and admin.totp_failures == settings.KECHUANG_LOCKOUT_THRESHOLD - 1
    assert not verify_totp(admin, _wrong(admin))
    admin.refresh_from_db()
    assert admin.is_locked()
    assert AuditEvent.objects.filter(kind="lockout", username=admin.username).count() == 1
    # while locked even the right code is refused
    assert not verify_totp(admin, pyotp.TOTP(admin.totp_secret).now())


def test_a_right_code_resets_the_counter(admin):
    for _ in range(3):
        verify_totp(admin, _wrong(admin))
    assert verify_totp(admin, pyotp.TOTP(admin.totp_secret).now())
    admin.refresh_from_db()
    assert admin.totp_failures == 0


def test_sixty_codes_through_the_page_are_not_all_checked(admin, client):
    client.force_login(admin)
    answers = [client.post("/login/otp/", {"code": _wrong(admin)}) for _ in range(60)]
    admin.refresh_from_db()
    assert admin.is_locked()
    assert User.objects.get(pk=admin.pk).locked_until is not None
    # after the lock the session is gone: the page sends the user back to sign in
    assert answers[-1].status_code == 302 and "/login/" in answers[-1]["Location"]
    checked = AuditEvent.objects.filter(kind="otp_failed", username=admin.username).exclude(
        detail__reason="locked").count()
    assert checked == settings.KECHUANG_LOCKOUT_THRESHOLD
