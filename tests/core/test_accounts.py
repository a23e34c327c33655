"""Accounts in the product (issue 11 item 3): the 系统管理员 creates one or a batch, binds, disables,
resets to a one-time password that must be changed at the next sign-in; the result sheet downloads
once; every action audited. 三员: the 安全管理员 sets the security policy and manages no account;
administrator accounts are never created, reset or given here. Item 11: /admin/ is no redirect loop
for business users; password messages are Chinese."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kechuang.core.models import AuditEvent, Role, SecurityPolicy, User
from kechuang.core.security import forget, policy
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_policy():
    forget()
    yield
    forget()


def _sheet(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["账号", "姓名", "角色", "乡镇（街道）", "单位", "统一社会信用代码", "手机号"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "accounts.xlsx"
    return buf


def _sign_in(username, password) -> Client:
    c = Client()
    r = c.post(reverse("core:login"), {"username": username, "password": password})
    assert r.status_code == 302, r.content.decode()[:500]
    return c


def test_create_one_with_a_one_time_password_that_must_be_changed(world, client_for):
    admin = client_for(world.sys_admin)
    r = admin.post(reverse("core:account_new"), {"username": "shuitou_new", "full_name": "张三",
                                                 "role": Role.TOWNSHIP_CLERK, "township": world.township_a.pk})
    assert r.status_code == 200
    password = r.context["password"]
    assert password in r.content.decode() and "只显示这一次" in r.content.decode()
    user = User.objects.get(username="shuitou_new")
    assert user.must_change_password and user.township == world.township_a
    assert AuditEvent.objects.filter(kind="user_created", object_ref="user:shuitou_new",
                                     username=world.sys_admin.username).exists()
    # the first sign-in: every page leads to the password change until it is changed
    c = _sign_in("shuitou_new", password)
    assert "/password/" in c.get(reverse("enterprises:list")).get("Location", "")
    r = c.post(reverse("core:password_change"), {"old_password": password, "new_password1": "Nw-Passw0rd!x",
                                                 "new_password2": "Nw-Passw0rd!x"})
    assert r.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert c.get(reverse("enterprises:list")).status_code == 200


def test_reset_unlocks_and_forces_a_change(world, client_for):
    clerk = world.clerk_a
    User.objects.filter(pk=clerk.pk).update(failed_logins=5, locked_until="2099-01-01T00:00:00Z")
    r = client_for(world.sys_admin).post(reverse("core:account_detail", args=[clerk.pk]), {"action": "reset"})
    password = r.context["password"]
    clerk.refresh_from_db()
    assert clerk.must_change_password and clerk.locked_until is None and clerk.check_password(password)
    assert AuditEvent.objects.filter(kind="password_reset", object_ref=f"user:{clerk.username}").exists()


def test_disable_enable_and_bind_are_audited(world, client_for):
    admin = client_for(world.sys_admin)
    url = reverse("core:account_detail", args=[world.clerk_a.pk])
    admin.post(url, {"action": "disable"})
    assert not User.objects.get(pk=world.clerk_a.pk).is_active
    admin.post(url, {"action": "enable"})
    assert User.objects.get(pk=world.clerk_a.pk).is_active
    r = admin.post(url, {"action": "bind", "role": Role.TOWNSHIP_CLERK, "township": world.township_b.pk})
    assert r.status_code == 200
    assert User.objects.get(pk=world.clerk_a.pk).township == world.township_b
    kinds = list(AuditEvent.objects.filter(object_ref=f"user:{world.clerk_a.username}").values_list("kind", flat=True))
    assert {"user_disabled", "user_enabled", "role_changed"} <= set(kinds)
    changed = AuditEvent.objects.get(kind="role_changed")
    assert changed.detail["before"]["township_id"] == world.township_a.pk
    assert changed.detail["after"]["township_id"] == world.township_b.pk
    # a binding that does not match the role is refused with the field's sentence, nothing saved
    r = admin.post(url, {"action": "bind", "role": Role.TOWNSHIP_CLERK})
    assert r.status_code == 400 and "乡镇填报员必须绑定一个乡镇" in r.content.decode()
    assert User.objects.get(pk=world.clerk_a.pk).township == world.township_b


def test_batch_all_or_nothing_with_per_row_errors(world, client_for):
    admin = client_for(world.sys_admin)
    bad = _sheet([
        ["tb_shuitou", "甲", "乡镇填报员", "水头镇", "", "", ""],
        ["tb_nowhere", "乙", "乡镇填报员", "不存在镇", "", "", ""],
        ["cz01", "丙", "部门联络员", "", "没有这个局", "", ""],
        ["qy01", "丁", "企业用户", "", "", "91350583MA2Y0RZZZ0", ""],
        ["sj01", "戊", "审计管理员", "", "", "", ""],
        ["tb_shuitou", "己", "技术经理人", "", "", "", ""],
        ["staff", "庚", "科技局工作人员", "", "", "", ""],
    ])
    r = admin.post(reverse("core:account_import"), {"file": bad})
    text = r.content.decode()
    assert r.status_code == 400 and "未创建任何账户" in text
    for expected in ("第 3 行", "不存在镇", "第 4 行", "没有这个局", "第 5 行", "91350583MA2Y0RZZZ0", "第 6 行",
                     "三员管理员账户不能", "第 7 行", "在本表中重复", "第 8 行", "已存在"):
        assert expected in text, expected
    assert not User.objects.filter(username="tb_shuitou").exists()


def test_batch_creates_every_role_and_the_sheet_downloads_once(world, client_for):
    admin = client_for(world.sys_admin)
    good = _sheet([
        ["tb_shuitou", "甲", "乡镇填报员", "水头镇", "", "", ""],
        ["cz_liaison", "乙", "部门联络员", "", "市财政局", "", ""],
        ["qy_a2", "丙", "企业用户", "", "", world.enterprise_a.uscc, ""],
        ["jl_new", "丁", "技术经理人", "", "", "", ""],
        ["cz_officer", "戊", "财政局工作人员", "", "", "", ""],
        ["expert01", "己", "评审专家", "", "", "", ""],
    ])
    r = admin.post(reverse("core:account_import"), {"file": good})
    assert r.status_code == 200, r.content.decode()[:3000]
    result = r.context["result"]
    assert len(result.created) == 6
    users = {u.username: u for u in User.objects.filter(username__in=[c[0] for c in result.created])}
    assert users["tb_shuitou"].township == world.township_a
    assert "财政" in users["cz_liaison"].org_unit.name
    assert users["qy_a2"].enterprise == world.enterprise_a
    assert users["cz_officer"].role == Role.FINANCE_OFFICER and all(u.must_change_password for u in users.values())
    sheet_url = reverse("core:account_sheet", args=[result.token])
    assert client_for(world.sec_admin).get(sheet_url).status_code == 403    # not the sec admin's
    first = admin.get(sheet_url)
    assert first.status_code == 200
    rows = list(load_workbook(io.BytesIO(first.content)).active.iter_rows(values_only=True))
    passwords = {row[0]: row[4] for row in rows[1:]}
    assert users["jl_new"].check_password(passwords["jl_new"])
    assert admin.get(sheet_url).status_code == 404                           # exactly once
    assert AuditEvent.objects.filter(kind="user_created", detail__batch=True).count() == 6


@pytest.mark.parametrize("who", ["staff", "clerk_a", "ent_user_a", "sec_admin", "audit_admin"])
def test_only_the_system_administrator_manages_accounts(world, client_for, who):
    c = client_for(getattr(world, who))
    assert c.get(reverse("core:accounts")).status_code == 403
    r = c.post(reverse("core:account_new"), {"username": "x_new", "role": Role.BROKER})
    assert r.status_code == 403 and not User.objects.filter(username="x_new").exists()
    r = c.post(reverse("core:account_detail", args=[world.clerk_b.pk]), {"action": "reset"})
    assert r.status_code == 403


def test_security_administrator_cannot_create_or_reset_administrators_or_give_roles(world, client_for):
    """Today anquan_gly created an audit admin and reset shenji_gly's password with no audit row."""
    sec = client_for(world.sec_admin)
    old = User.objects.get(pk=world.audit_admin.pk).password
    assert sec.get("/admin/core/user/").status_code in (403, 404)
    assert sec.post("/admin/core/user/add/", {"username": "audit2", "role": Role.AUDIT_ADMIN,
                                              "password1": "X", "password2": "X"}).status_code in (403, 404)
    assert sec.post(reverse("core:account_detail", args=[world.audit_admin.pk]), {"action": "reset"}).status_code == 403
    assert not User.objects.filter(username="audit2").exists()
    assert User.objects.get(pk=world.audit_admin.pk).password == old


def test_system_administrator_cannot_create_reset_or_give_administrator_roles(world, client_for):
    admin = client_for(world.sys_admin)
    r = admin.post(reverse("core:account_new"), {"username": "sec2", "role": Role.SEC_ADMIN})
    assert r.status_code == 403 and not User.objects.filter(username="sec2").exists()
    assert admin.post(reverse("core:account_detail", args=[world.audit_admin.pk]),
                      {"action": "reset"}).status_code == 403
    r = admin.post(reverse("core:account_detail", args=[world.clerk_a.pk]),
                   {"action": "bind", "role": Role.AUDIT_ADMIN})
    assert r.status_code == 403 and User.objects.get(pk=world.clerk_a.pk).role == Role.TOWNSHIP_CLERK


def test_security_administrator_sets_the_policy_and_it_applies(world, client_for):
    sec = client_for(world.sec_admin)
    url = reverse("core:security_policy")
    assert client_for(world.sys_admin).get(url).status_code == 403
    r = sec.post(url, {"lockout_threshold": "2", "lockout_minutes": "15", "idle_minutes": "30",
                       "password_max_age_days": "90"})
    assert r.status_code == 400 and not SecurityPolicy.objects.exists()             # 2 < 3: out of range
    r = sec.post(url, {"lockout_threshold": "3", "lockout_minutes": "20", "idle_minutes": "30",
                       "password_max_age_days": "60"})
    assert r.status_code == 200 and policy().lockout_threshold == 3
    assert AuditEvent.objects.filter(kind="security_policy", username=world.sec_admin.username).exists()
    c = Client()
    for _ in range(3):
        c.post(reverse("core:login"), {"username": world.clerk_b.username, "password": "wrong-Passw0rd"})
    r = c.post(reverse("core:login"), {"username": world.clerk_b.username, "password": PASSWORD})
    assert r.status_code == 200                      # locked after the policy's 3 failures
    assert User.objects.get(pk=world.clerk_b.pk).locked_until is not None


def test_admin_site_is_no_redirect_loop_for_business_users(world, client_for):
    c = client_for(world.staff)
    r = c.get("/admin/", follow=True)
    assert r.status_code == 403 and len(r.redirect_chain) <= 2
    assert "系统管理后台仅供" in r.content.decode()


def test_password_messages_are_chinese(world):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        validate_password("abc", user=world.clerk_a)
    messages = info.value.messages
    assert messages and all(not any(c.isascii() and c.isalpha() for c in m) for m in messages), messages
