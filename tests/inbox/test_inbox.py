"""The message centre: notify() API, idempotent reminders, header count, read/unread, links, and
an outbound gateway that can fail without touching the workflow that sent the message."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from kechuang.inbox import outbound
from kechuang.inbox.models import Message
from kechuang.inbox.services import notify, unread_count

pytestmark = pytest.mark.django_db


def test_notify_one_or_many_and_dedupe(world):
    made = notify(world.clerk_a, "2026年上半年填报今天截止", "尚有 3 项未报", "/targets/report/", "todo",
                  dedupe_key="period-1-due0")
    assert len(made) == 1 and made[0].recipient == world.clerk_a and made[0].kind == "todo"
    again = notify([world.clerk_a, world.clerk_b, world.clerk_b, None], "2026年上半年填报今天截止", "", "",
                   "todo", dedupe_key="period-1-due0")
    assert [m.recipient for m in again] == [world.clerk_b]      # clerk_a already has it; clerk_b once
    assert Message.objects.count() == 2
    assert len(notify(world.clerk_a, "无去重键", kind="notice")) == 1
    assert len(notify(world.clerk_a, "无去重键", kind="notice")) == 1   # without a key every call sends
    with pytest.raises(ValueError):
        notify(world.clerk_a, "x", kind="spam")


def test_header_count_read_unread_and_link(world, client_for):
    c = client_for(world.clerk_a)
    notify(world.clerk_a, "请填报", url="/targets/report/", kind="todo")
    notify(world.clerk_a, "第二条")
    notify(world.clerk_b, "乙的消息")
    home = c.get(reverse("core:home")).content.decode()
    assert f'hx-get="{reverse("inbox:count")}"' in home and "我的任务" in home
    assert 'id="inbox-unread">2<' in c.get(reverse("inbox:count")).content.decode()
    page = c.get(reverse("inbox:list")).content.decode()
    assert "请填报" in page and "第二条" in page and "乙的消息" not in page and "未读 2 条" in page
    msg = Message.objects.get(title="请填报")
    r = c.get(reverse("inbox:open", args=[msg.pk]))
    assert r.status_code == 302 and r["Location"] == "/targets/report/"
    assert unread_count(world.clerk_a) == 1
    assert "请填报" not in c.get(reverse("inbox:list") + "?show=unread").content.decode()
    c.post(reverse("inbox:read_all"))
    assert unread_count(world.clerk_a) == 0 and unread_count(world.clerk_b) == 1
    assert 'id="inbox-unread"' not in c.get(reverse("inbox:count")).content.decode()


def test_a_foreign_link_is_not_followed(world, client_for):
    msg = notify(world.clerk_a, "外链", url="https://evil.example/")[0]
    r = client_for(world.clerk_a).get(reverse("inbox:open", args=[msg.pk]))
    assert r["Location"] == reverse("inbox:list")


class Broken:
    def send(self, recipient, message):
        raise ConnectionError("短信网关不可达")


class Recording:
    sent: list = []

    def send(self, recipient, message):
        Recording.sent.append((recipient.username, message.title))


def test_outbound_after_commit_and_a_broken_gateway_never_blocks(world, settings, caplog,
                                                                 django_capture_on_commit_callbacks):
    settings.KECHUANG_OUTBOUND_GATEWAY = "tests.inbox.test_inbox.Recording"
    Recording.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notify(world.ent_user_a, "免申即享新候选")
            assert Recording.sent == []           # nothing leaves before the commit
    assert Recording.sent == [("ent_a", "免申即享新候选")]
    settings.KECHUANG_OUTBOUND_GATEWAY = "tests.inbox.test_inbox.Broken"
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            made = notify(world.ent_user_a, "网关坏了也照常")
    assert Message.objects.filter(pk=made[0].pk).exists()
    assert "outbound delivery of message" in caplog.text


def test_default_gateway_writes_the_log(world, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="kechuang.inbox")
    world.ent_user_a.phone = "13800000000"
    world.ent_user_a.save()
    msg = Message.objects.create(recipient=world.ent_user_a, title="测试短信", url="/x/")
    assert outbound.deliver([msg.pk]) == 1
    assert "短信" in caplog.text and "测试短信" in caplog.text


def test_administrators_see_only_their_own(world, client_for):
    notify(world.sys_admin, "系统通知")
    notify(world.clerk_a, "业务待办")
    page = client_for(world.sys_admin).get(reverse("inbox:list")).content.decode()
    assert "系统通知" in page and "业务待办" not in page


def test_no_message_badge_before_the_second_factor(world, client):
    """Before the 动态口令 every URL redirects; the header must not fetch the count (htmx pasted the
    whole OTP page into the header, with a second 验证 button)."""
    from tests.world import PASSWORD

    client.post("/login/", {"username": world.sys_admin.username, "password": PASSWORD})
    page = client.get("/login/otp/").content.decode()
    assert "/inbox/count" not in page and page.count('type="submit">验证') == 1


def test_signed_out_badge_answers_401_without_a_new_csrf_cookie(db):
    """A page's badge request that arrives after signing out must not be sent to the login page:
    that page sets a new CSRF cookie and the login form already open would be refused."""
    from django.conf import settings
    from django.test import Client

    r = Client().get(reverse("inbox:count"))
    assert r.status_code == 401 and r.content == b""
    assert settings.CSRF_COOKIE_NAME not in r.cookies
    login_page = Client().get(reverse("core:login"))
    assert settings.CSRF_COOKIE_NAME in login_page.cookies   # what the redirect used to lead to

