"""Personal data of persons (issue 11 item 8, beyond enterprises): phone and ID numbers of
commissioners and talent are masked for the roles that do not need them, on pages and in exports,
and every full view writes a PERSONAL_DATA_VIEW audit row (core.safe_export.full_view)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kechuang.core.models import AuditEvent
from tests.commissioners.helpers import setup as commissioners_setup

pytestmark = pytest.mark.django_db

PHONE = "13812345678"   # the commissioners' test number (tests/commissioners/helpers.py)


def _views():
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.PERSONAL_DATA_VIEW)


def test_commissioner_phone_is_masked_for_everyone_but_the_commissioner(world, client_for):
    s = commissioners_setup(world)
    url = reverse("commissioners:detail", kwargs={"pk": s["a"]["commissioner"].pk})
    for user in (world.clerk_a, world.ent_user_a, world.broker_a, world.finance, s["b"]["user"]):
        page = client_for(user).get(url, {"phone": "1"}).content.decode()
        assert PHONE not in page and "138****5678" in page, user.username
        assert "显示完整号码" not in page, user.username
    assert not _views().exists()
    own = client_for(s["a"]["user"]).get(url).content.decode()
    assert PHONE in own and "审计" not in own
    assert not _views().exists()   # one's own number is no view of another person's data


def test_bureau_opens_a_commissioner_phone_once_and_the_view_is_audited(world, client_for):
    s = commissioners_setup(world)
    c = s["a"]["commissioner"]
    staff = client_for(world.staff)
    url = reverse("commissioners:detail", kwargs={"pk": c.pk})
    page = staff.get(url).content.decode()
    assert PHONE not in page and "显示完整号码" in page
    assert not _views().exists()
    page = staff.get(url, {"phone": "1"}).content.decode()
    assert PHONE in page and "本次查看已记入审计日志" in page
    row = _views().get()
    assert row.username == world.staff.username and str(c.pk) in row.object_ref and "联系电话" in str(row.detail)


def test_talent_phone_and_id_are_masked_and_one_audited_view_shows_both(world, client_for):
    from kechuang.talent import services
    from tests.talent.scoping_cases import _idn

    p = services.person_register(actor=world.staff, name="林志远", id_number=_idn(7), employer=world.enterprise_a,
                                 phone="13900000001")
    url = reverse("talent:person", kwargs={"pk": p.pk})
    for user in (world.clerk_a, world.ent_user_a, world.staff):
        page = client_for(user).get(url).content.decode()
        assert "13900000001" not in page and "139****0001" in page, user.username
        assert p.id_number not in page, user.username
    reveal = reverse("talent:person_reveal", kwargs={"pk": p.pk})
    assert client_for(world.clerk_a).post(reveal).status_code == 403
    assert client_for(world.ent_user_a).post(reveal).status_code == 403
    assert not _views().exists()
    shown = client_for(world.staff).post(reveal).content.decode()
    assert p.id_number in shown and "13900000001" in shown
    row = _views().get()
    assert "居民身份证号码" in str(row.detail) and "手机号" in str(row.detail)


def test_public_pages_and_exports_carry_no_person_numbers(world, client_for):
    """The public commissioner roster and the public inspector roster never show a phone or an ID
    number; the enterprise export masks contact phones for a township clerk."""
    from kechuang.enterprises.models import Enterprise

    commissioners_setup(world)
    Enterprise.objects.filter(pk=world.enterprise_a.pk).update(contact_phone=PHONE)
    for name in ("commissioners_public:roster", "supervision_public:inspections"):
        for query in ({}, {"format": "json"}):
            text = client_for(world.clerk_a).get(reverse(name), query).content.decode()
            assert PHONE not in text, (name, query)
    from tests.scoping.framework import response_text

    export = response_text(client_for(world.clerk_a).get(reverse("enterprises:export")))
    assert world.enterprise_a.uscc in export and PHONE not in export and "138****5678" in export
