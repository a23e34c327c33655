"""Sign-in, lockout, idle timeout, logout and the second factor (SECURITY.md 身份鉴别)."""

import datetime as dt

import pyotp
import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from kechuang.core.models import AuditEvent, User
from tests.world import PASSWORD


def login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_login_with_right_password_reaches_home(world):
    c = Client()
    r = login(c, "clerk_a", PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/"
    page = c.get("/")
    assert page.status_code == 200
    assert "水头镇" in page.content.decode()
    assert AuditEvent.objects.filter(kind="login", username="clerk_a").count() == 1


def test_user_names_are_case_insensitive(world):
    c = Client()
    assert login(c, "CLERK_A", PASSWORD).status_code == 302
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="Clerk_A", role="bureau_staff")


def test_sixth_attempt_is_refused_even_with_the_right_password(world):
    c = Client()
    for _ in range(5):
        r = login(c, "clerk_a", "wrong-Passw0rd")
        assert r.status_code == 200
    r = login(c, "clerk_a", PASSWORD)
    assert r.status_code == 200
    assert "锁定" in r.content.decode()
    assert AuditEvent.objects.filter(kind="login_failed", username="clerk_a", detail__reason="bad_password").count() == 5
    assert AuditEvent.objects.filter(kind="lockout", username="clerk_a").count() == 1
    # the lock is keyed on the account: another client (another IP) is refused too
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert login(other, "clerk_a", PASSWORD).status_code == 200


def test_lock_ends_after_15_minutes(world):
    c = Client()
    for _ in range(5):
        login(c, "clerk_a", "wrong-Passw0rd")
    User.objects.filter(username="clerk_a").update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert login(c, "clerk_a", PASSWORD).status_code == 302


def test_four_failures_then_success_does_not_lock(world):
    c = Client()
    for _ in range(4):
        login(c, "clerk_a", "wrong-Passw0rd")
    assert login(c, "clerk_a", PASSWORD).status_code == 302
    assert not AuditEvent.objects.filter(kind="lockout").exists()


def test_idle_session_ends_after_30_minutes(world):
    c = Client()
    login(c, "clerk_a", PASSWORD)
    assert c.get("/").status_code == 200
    session = c.session
    session["last_seen"] = (timezone.now() - dt.timedelta(minutes=31)).isoformat()
    session.save()
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert c.get("/").status_code == 302


def test_29_minutes_idle_keeps_the_session(world):
    c = Client()
    login(c, "clerk_a", PASSWORD)
    session = c.session
    session["last_seen"] = (timezone.now() - dt.timedelta(minutes=29)).isoformat()
    session.save()
    assert c.get("/").status_code == 200


def test_old_cookie_is_refused_after_logout(world):
    c = Client()
    login(c, "clerk_a", PASSWORD)
    cookie = c.cookies["sessionid"].value
    assert c.post("/logout/").status_code == 302
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get("/").status_code == 302
    assert AuditEvent.objects.filter(kind="logout", username="clerk_a").exists()


def test_logout_needs_post(world, client_for):
    assert client_for(world.clerk_a).get("/logout/").status_code == 405


def _enrol(client, user):
    client.get("/login/otp/")
    user.refresh_from_db()
    return pyotp.TOTP(user.totp_secret)


def test_administrator_needs_the_second_factor(world):
    c = Client()
    assert login(c, "sysadm", PASSWORD)["Location"] == "/login/otp/"
    # password alone does not reach the admin or any page
    for url in ["/", "/admin/", "/admin/core/region/", "/api/docs"]:
        r = c.get(url)
        assert r.status_code in (302, 401), url
        if r.status_code == 302:
            assert r["Location"] == "/login/otp/"
    totp = _enrol(c, world.sys_admin)
    assert c.post("/login/otp/", {"code": "000000" if totp.now() != "000000" else "111111"}).status_code == 200
    code = totp.now()
    assert c.post("/login/otp/", {"code": code})["Location"] == "/"
    assert c.get("/admin/core/region/").status_code == 200


def test_replayed_otp_is_refused(world):
    c = Client()
    login(c, "secadm", PASSWORD)
    totp = _enrol(c, world.sec_admin)
    code = totp.now()
    assert c.post("/login/otp/", {"code": code}).status_code == 302
    c.post("/logout/")
    c2 = Client()
    login(c2, "secadm", PASSWORD)
    r = c2.post("/login/otp/", {"code": code})
    assert r.status_code == 200 and "已使用" in r.content.decode()
    assert AuditEvent.objects.filter(kind="otp_failed", detail__reason="replayed").exists()


def test_business_user_needs_no_second_factor(world):
    c = Client()
    assert login(c, "staff", PASSWORD)["Location"] == "/"
