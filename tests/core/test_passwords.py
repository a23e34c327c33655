"""Password rules (SECURITY.md 身份鉴别)."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from kechuang.core.models import Role, User


@pytest.mark.parametrize("password", ["abcdefgh", "12345678", "Ab1!", "abcd1234", "ABCDEFGH1"])
def test_weak_passwords_are_rejected(password, db):
    with pytest.raises(ValidationError):
        validate_password(password, User(username="someone", role=Role.BUREAU_STAFF))


def test_mixed_password_is_accepted(db):
    validate_password("Qz7-river-Lamp", User(username="someone", role=Role.BUREAU_STAFF))


def test_password_containing_username_is_rejected(db):
    with pytest.raises(ValidationError, match="用户名"):
        validate_password("Xx1-zhangsan-9", User(username="zhangsan", role=Role.BUREAU_STAFF))


def test_last_five_passwords_cannot_be_reused(world, client_for):
    user = world.staff
    client = client_for(user)
    current = "Kc-test-Passw0rd!"
    used = [current]
    for i in range(5):
        new = f"Nw{i}-Garden-Path"
        r = client.post("/password/", {"old_password": current, "new_password1": new, "new_password2": new})
        assert r.status_code == 302, r.content.decode()[:500]
        current = new
        used.append(new)
    # the last five (and the current one) are refused
    for old in used[-5:]:
        r = client.post("/password/", {"old_password": current, "new_password1": old, "new_password2": old})
        assert r.status_code == 200
        assert "最近 5 次" in r.content.decode()
    # the sixth-oldest may come back
    r = client.post("/password/", {"old_password": current, "new_password1": used[0], "new_password2": used[0]})
    assert r.status_code == 302


def test_expired_password_redirects_every_page_to_the_change_page(world, client_for):
    User.objects.filter(pk=world.staff.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    client = client_for(world.staff)
    for url in ["/", "/regions/", "/api/docs"]:
        r = client.get(url)
        assert r.status_code in (302, 403), url
        if r.status_code == 302:
            assert r["Location"] == "/password/"
    assert client.get("/password/").status_code == 200


def test_password_of_89_days_is_still_valid(world, client_for):
    User.objects.filter(pk=world.staff.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=89))
    assert client_for(world.staff).get("/").status_code == 200


def test_password_set_by_an_administrator_must_be_changed_first(world, client_for):
    User.objects.filter(pk=world.staff.pk).update(password_changed_at=None)
    r = client_for(world.staff).get("/")
    assert r.status_code == 302 and r["Location"] == "/password/"


def test_product_hashes_passwords_with_pbkdf2():
    import kechuang.settings as product

    assert product.PASSWORD_HASHERS[0].endswith("PBKDF2PasswordHasher")
