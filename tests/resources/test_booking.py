"""Booking flow: request → approval (instant for pre-approved) → check-in → check-out with actual
hours → fee → evaluation; no-show and overrun; overlaps and maintenance refused; scoping."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from kechuang.core.permissions import PermissionRefused, system_actor
from kechuang.resources import services
from kechuang.resources.models import Booking, MaintenanceWindow
from kechuang.resources.selectors import institute_results, instrument_year_report
from kechuang.resources.services import ResourceError

SYS = system_actor("command:test")


def slot(hours_from_now=24, length=2):
    start = (timezone.now() + dt.timedelta(hours=hours_from_now)).replace(microsecond=0)
    return start, start + dt.timedelta(hours=length)


def test_full_flow_fee_and_counts(world, res):
    start, end = slot()
    b = services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=start, ends_at=end,
                                 purpose="断口形貌")
    assert b.status == "requested" and b.enterprise == world.enterprise_a and b.user_category == "enterprise"
    b = services.booking_decide(actor=res.inst_user_a, booking=b, approve=True)
    assert b.status == "approved"
    b = services.booking_check_in(actor=res.inst_user_a, booking=b, at=start - dt.timedelta(minutes=30))
    b = services.booking_check_out(actor=res.inst_user_a, booking=b, at=start + dt.timedelta(hours=1, minutes=30))
    assert b.status == "completed" and b.actual_hours == Decimal("2.00")      # from check-in: 2 h
    assert b.fee == Decimal("0.0800")                                         # 2 h × 400 元
    assert b.overrun_hours == Decimal("0")
    services.booking_evaluate(actor=world.ent_user_a, booking=b, rating=5, comment="好")
    results = institute_results(res.inst_a)
    assert results["enterprises_served"] == 1 and results["bookings_completed"] == 1
    assert results["instrument_hours"] == Decimal("2.00")
    report = instrument_year_report(SYS, start.year)
    row = next(r for r in report if r["instrument"] == res.instr_a.name)
    assert row["effective_hours"] == Decimal("2.00") and row["external_hours"] == Decimal("2.00")
    assert row["enterprise_share"] == Decimal("1") and row["income"] == Decimal("0.0800")


def test_check_in_window_boundaries(world, res):
    start, end = slot()
    b = services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=start, ends_at=end)
    b = services.booking_decide(actor=res.inst_user_a, booking=b, approve=True)
    with pytest.raises(ResourceError):      # 31 minutes early: refused
        services.booking_check_in(actor=res.inst_user_a, booking=b, at=start - dt.timedelta(minutes=31))
    with pytest.raises(ResourceError):      # at the end of the slot: refused
        services.booking_check_in(actor=res.inst_user_a, booking=b, at=end)
    services.booking_check_in(actor=res.inst_user_a, booking=b, at=end - dt.timedelta(seconds=1))


def test_overrun_recorded_and_charged(world, res):
    start, end = slot(length=1)
    b = services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=start, ends_at=end)
    b = services.booking_decide(actor=res.inst_user_a, booking=b, approve=True)
    b = services.booking_check_in(actor=res.inst_user_a, booking=b, at=start)
    b = services.booking_check_out(actor=res.inst_user_a, booking=b, at=end + dt.timedelta(minutes=45))
    assert b.overrun_hours == Decimal("0.75") and b.actual_hours == Decimal("1.75")
    assert b.fee == Decimal("0.0700")


def test_no_show_grace_and_frees_slot(world, res):
    start, end = slot()
    b = services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=start, ends_at=end)
    b = services.booking_decide(actor=res.inst_user_a, booking=b, approve=True)
    with pytest.raises(ResourceError):
        services.booking_no_show(actor=res.inst_user_a, booking=b, at=start + dt.timedelta(minutes=29))
    b = services.booking_no_show(actor=res.inst_user_a, booking=b, at=start + dt.timedelta(minutes=30))
    assert b.status == "no_show"
    again = services.booking_request(actor=world.ent_user_b, instrument=res.instr_a, starts_at=start, ends_at=end,
                                     at=start - dt.timedelta(minutes=10))
    assert again.status == "requested"


def test_instant_for_preapproved_until_three_no_shows(world, res):
    p = res.instr_a.profile
    p.booking_mode = "instant"
    p.save()
    p.preapproved.add(world.enterprise_a)
    s1, e1 = slot(24)
    assert services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=s1, ends_at=e1).status == "approved"
    s2, e2 = slot(48)
    assert services.booking_request(actor=world.ent_user_b, instrument=res.instr_a, starts_at=s2, ends_at=e2).status == "requested"
    past = timezone.now() - dt.timedelta(days=10)
    for i in range(2):
        Booking.objects.create(instrument=res.instr_b, enterprise=world.enterprise_a, user_category="enterprise",
                               starts_at=past + dt.timedelta(hours=3 * i), ends_at=past + dt.timedelta(hours=3 * i + 1),
                               status="no_show")
    s3, e3 = slot(72)
    assert services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=s3, ends_at=e3).status == "approved"
    Booking.objects.create(instrument=res.instr_b, enterprise=world.enterprise_a, user_category="enterprise",
                           starts_at=past + dt.timedelta(hours=20), ends_at=past + dt.timedelta(hours=21), status="no_show")
    s4, e4 = slot(96)
    assert services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=s4, ends_at=e4).status == "requested"


def test_overlap_refused_by_service_and_by_database(world, res):
    start, end = slot()
    services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=start, ends_at=end)
    with pytest.raises(ResourceError, match="已被预约"):
        services.booking_request(actor=world.ent_user_b, instrument=res.instr_a,
                                 starts_at=end - dt.timedelta(minutes=1), ends_at=end + dt.timedelta(hours=1))
    # touching slots do not overlap ([start, end))
    services.booking_request(actor=world.ent_user_b, instrument=res.instr_a, starts_at=end,
                             ends_at=end + dt.timedelta(hours=1))
    # the database itself refuses, even bypassing the service
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(instrument=res.instr_a, enterprise=world.enterprise_b, user_category="enterprise",
                               starts_at=start + dt.timedelta(minutes=30), ends_at=end, status="approved")
    # another instrument at the same time is fine; a cancelled booking frees its slot
    services.booking_request(actor=world.ent_user_b, instrument=res.instr_b, starts_at=start, ends_at=end)
    Booking.objects.create(instrument=res.instr_a, enterprise=world.enterprise_b, user_category="enterprise",
                           starts_at=start, ends_at=end, status="cancelled")


def test_database_refuses_overlap_on_update(world, res):
    start, end = slot()
    a = services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=start, ends_at=end)
    b = Booking.objects.create(instrument=res.instr_a, enterprise=world.enterprise_b, user_category="enterprise",
                               starts_at=start, ends_at=end, status="cancelled")
    assert a.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=b.pk).update(status="requested")


def test_refusals(world, res):
    start, end = slot()
    with pytest.raises(ResourceError, match="已过"):
        services.booking_request(actor=world.ent_user_a, instrument=res.instr_a,
                                 starts_at=timezone.now() - dt.timedelta(minutes=16), ends_at=end)
    with pytest.raises(ResourceError, match="72"):
        services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=start,
                                 ends_at=start + dt.timedelta(hours=72, minutes=1))
    services.booking_request(actor=world.ent_user_a, instrument=res.instr_b, starts_at=start,
                             ends_at=start + dt.timedelta(hours=72))
    with pytest.raises(ResourceError, match="内部"):
        services.booking_request(actor=world.ent_user_a, instrument=res.hidden, starts_at=start, ends_at=end)
    MaintenanceWindow.objects.create(instrument=res.instr_a, starts_at=start, ends_at=end, reason="校准")
    with pytest.raises(ResourceError, match="维护"):
        services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=start, ends_at=end)
    with pytest.raises(PermissionRefused):
        services.booking_request(actor=world.clerk_a, instrument=res.instr_b, starts_at=start, ends_at=end)
    with pytest.raises(PermissionRefused):
        services.booking_request(actor=None, instrument=res.instr_b, starts_at=start, ends_at=end)


def test_scoping_institute_and_enterprise(world, res):
    start, end = slot()
    a = services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=start, ends_at=end)
    b = services.booking_request(actor=world.ent_user_b, instrument=res.instr_b, starts_at=start, ends_at=end)
    assert list(Booking.objects.restrict(res.inst_user_a, "view")) == [a]
    assert list(Booking.objects.restrict(res.inst_user_b, "view")) == [b]
    assert list(Booking.objects.restrict(world.ent_user_b, "view")) == [b]
    assert set(Booking.objects.restrict(world.staff, "view")) == {a, b}
    assert not Booking.objects.restrict(world.sys_admin, "view").exists()
    assert not Booking.objects.restrict(res.org_user_a, "view").exists()
    with pytest.raises(PermissionRefused):      # institute B cannot approve institute A's booking
        services.booking_decide(actor=res.inst_user_b, booking=a, approve=True)
    with pytest.raises(PermissionRefused):      # an enterprise cannot approve
        services.booking_decide(actor=world.ent_user_a, booking=a, approve=True)
    with pytest.raises(PermissionRefused):      # nor cancel another's booking
        services.booking_cancel(actor=world.ent_user_a, booking=b)


def test_internal_booking_by_institute_user(world, res):
    start, end = slot()
    b = services.booking_request(actor=res.inst_user_a, instrument=res.hidden, starts_at=start, ends_at=end)
    assert b.status == "approved" and b.user_category == "internal" and b.enterprise is None
    with pytest.raises(ResourceError):
        services.booking_request(actor=res.inst_user_b, instrument=res.hidden, starts_at=end,
                                 ends_at=end + dt.timedelta(hours=1))


def test_booking_pages_flow(world, res, client_for):
    ent = client_for(world.ent_user_a)
    start, end = slot(48)
    fmt = "%Y-%m-%dT%H:%M"
    loc = timezone.localtime
    r = ent.post(f"/resources/instruments/{res.instr_a.pk}/book/",
                 {"starts_at": loc(start).strftime(fmt), "ends_at": loc(end).strftime(fmt), "purpose": "测试"})
    assert r.status_code == 302
    b = Booking.objects.get(instrument=res.instr_a)
    inst = client_for(res.inst_user_a)
    page = inst.get(f"/resources/bookings/{b.pk}/").content.decode()
    assert "通过" in page and "待审核" in page
    assert inst.post(f"/resources/bookings/{b.pk}/action/", {"action": "approve"}).status_code == 302
    assert Booking.objects.get(pk=b.pk).status == "approved"
    # the enterprise cannot check itself in
    ent.post(f"/resources/bookings/{b.pk}/action/", {"action": "check_in"})
    assert Booking.objects.get(pk=b.pk).status == "approved"
    r = ent.post(f"/resources/instruments/{res.instr_a.pk}/book/",
                 {"starts_at": loc(start).strftime(fmt), "ends_at": loc(end).strftime(fmt)}, follow=True)
    assert "该时段已被预约" in r.content.decode()


def test_notifications_to_institute_and_enterprise(world, res):
    from kechuang.inbox.models import Message

    start, end = slot()
    b = services.booking_request(actor=world.ent_user_a, instrument=res.instr_a, starts_at=start, ends_at=end)
    assert Message.objects.filter(recipient=res.inst_user_a, kind="todo").count() == 1
    assert not Message.objects.filter(recipient=res.inst_user_b).exists()
    services.booking_decide(actor=res.inst_user_a, booking=b, approve=True)
    assert "已确认" in Message.objects.get(recipient=world.ent_user_a).title
