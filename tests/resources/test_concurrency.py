"""Concurrency on a real database (run on SQLite and on PostgreSQL): 20 threads at once.

- 20 overlapping booking requests for one instrument: exactly one wins (the service's check, then
  the database: exclusion constraint on PostgreSQL, trigger under SQLite's single writer).
- 20 raw inserts bypassing the service: still exactly one (the database alone).
- 20 redemptions of one voucher against 20 bookings: balance never negative, sum redeemed ≤ face
  value, redeemed + balance = face value.
- 20 redemptions of the same booking: exactly one.
"""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from kechuang.core.permissions import system_actor
from kechuang.resources import services
from kechuang.resources.models import Booking, Redemption, Voucher
from kechuang.resources.services import ResourceError
from tests.resources.conftest import qualify

N = 20
pytestmark = pytest.mark.django_db(transaction=True)


def run_parallel(fn, n=N):
    """Run fn(i) in n threads released together; returns (results, errors)."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, [None] * n

    def work(i):
        try:
            barrier.wait(timeout=30)
            results[i] = fn(i)
        except Exception as exc:   # collected and asserted on by the test
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def test_twenty_overlapping_requests_exactly_one_wins(world, res):
    start = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)

    def book(i):
        return services.booking_request(actor=world.ent_user_a, instrument=res.instr_a,
                                        starts_at=start + dt.timedelta(minutes=i),
                                        ends_at=start + dt.timedelta(hours=2, minutes=i))

    results, errors = run_parallel(book)
    winners = [r for r in results if r is not None]
    assert len(winners) == 1, errors
    assert all(isinstance(e, ResourceError) for e in errors if e is not None), errors
    assert sum(1 for e in errors if e is not None) == N - 1
    assert Booking.objects.filter(instrument=res.instr_a).count() == 1


def test_twenty_raw_inserts_database_alone_keeps_one(world, res):
    start = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)

    def insert(i):
        for attempt in range(200):
            try:
                with transaction.atomic():
                    return Booking.objects.create(instrument=res.instr_b, enterprise=world.enterprise_a,
                                                  user_category="enterprise", status="approved",
                                                  starts_at=start + dt.timedelta(minutes=i),
                                                  ends_at=start + dt.timedelta(hours=1, minutes=i))
            except OperationalError as exc:   # SQLite busy/locked: try again, the write was not made
                # (on PostgreSQL a deadlock victim is a refusal: retrying it here, every retry a new
                # conflicting row, kept the others deadlocking for minutes)
                if connection.vendor != "sqlite" or "locked" not in str(exc) or attempt == 199:
                    raise
                import time
                time.sleep(0.01)
        return None

    results, errors = run_parallel(insert)
    assert sum(1 for r in results if r is not None) == 1, errors
    assert all(isinstance(e, IntegrityError) or (isinstance(e, OperationalError) and services.is_deadlock(e))
               for e in errors if e is not None), errors
    assert Booking.objects.filter(instrument=res.instr_b).count() == 1


def _completed_bookings(world, res, n, fee):
    base = timezone.now() - dt.timedelta(days=5)
    return [Booking.objects.create(instrument=res.instr_a, enterprise=world.enterprise_a, user_category="voucher",
                                   starts_at=base + dt.timedelta(hours=2 * i), ends_at=base + dt.timedelta(hours=2 * i + 1),
                                   status="completed", actual_hours=Decimal("1"), fee=fee) for i in range(n)]


def _issued_voucher(world, res, amount="10"):
    qualify(world.enterprise_a)
    v = services.voucher_apply(actor=world.ent_user_a, amount=amount)
    return services.voucher_decide(actor=system_actor("command:test"), voucher=v, approve=True)


def test_twenty_parallel_redemptions_never_overdraw(world, res):
    v = _issued_voucher(world, res)                       # face 10 万元
    bookings = _completed_bookings(world, res, N, Decimal("3"))   # each covers 50 % of 3 = 1.5 万元

    def redeem(i):
        return services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=bookings[i])

    results, errors = run_parallel(redeem)
    v.refresh_from_db()
    redeemed = Redemption.objects.filter(voucher=v).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    assert v.balance >= 0
    assert redeemed <= v.face_value
    assert redeemed + v.balance == v.face_value
    ok = [r for r in results if r is not None]
    # six redemptions of 1.5 fit in 10; a seventh gets the remaining 1 when it reads the balance after
    # the sixth (the amount is min(50 % of the fee, balance)), or is refused when it read it before
    amounts = sorted(r.amount for r in ok)
    assert amounts in ([Decimal("1.5")] * 6, [Decimal("1")] + [Decimal("1.5")] * 6), amounts
    assert all(isinstance(e, ResourceError) for e in errors if e is not None), errors


def test_twenty_parallel_redemptions_of_one_booking_exactly_one(world, res):
    v = _issued_voucher(world, res)
    (booking,) = _completed_bookings(world, res, 1, Decimal("2"))

    def redeem(i):
        return services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=booking)

    results, errors = run_parallel(redeem)
    assert sum(1 for r in results if r is not None) == 1, errors
    v.refresh_from_db()
    assert v.balance == Decimal("9")
    assert Redemption.objects.filter(booking=booking).count() == 1
    assert Voucher.objects.get(pk=v.pk).balance + Decimal("1") == v.face_value


def test_a_deadlock_victim_is_run_again_and_then_refused_plainly():
    """PostgreSQL aborts one of two writers that wait on each other ("deadlock detected"); the
    services run such a victim again (a few times) and then answer 系统繁忙, never a server error.
    The deadlock here is real: two transactions updating two rows in opposite order."""
    if connection.vendor != "postgresql":
        pytest.skip("死锁只在 PostgreSQL 上出现（SQLite 只有一个写入者）；PostgreSQL 的测试轮次运行本测试")
    with connection.cursor() as c:
        c.execute("CREATE TABLE deadlock_probe (id int PRIMARY KEY, v int)")
        c.execute("INSERT INTO deadlock_probe VALUES (1, 0), (2, 0)")
    barrier, errors = threading.Barrier(2), []

    def update_both(first, second):
        try:
            with transaction.atomic(), connection.cursor() as c:
                c.execute("UPDATE deadlock_probe SET v = v + 1 WHERE id = %s", [first])
                barrier.wait(timeout=10)
                c.execute("UPDATE deadlock_probe SET v = v + 1 WHERE id = %s", [second])
        except OperationalError as exc:
            errors.append(exc)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=update_both, args=pair) for pair in ((1, 2), (2, 1))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        with connection.cursor() as c:
            c.execute("DROP TABLE deadlock_probe")
    assert len(errors) == 1 and services.is_deadlock(errors[0]), errors
    calls = []

    def victim_once():
        calls.append(1)
        if len(calls) == 1:
            raise errors[0]
        return "done"

    assert services._retrying(victim_once) == "done" and len(calls) == 2

    def victim_always():
        calls.append(1)
        raise errors[0]

    calls.clear()
    with pytest.raises(ResourceError, match="系统繁忙"):
        services._retrying(victim_always)
    assert len(calls) == services.DEADLOCK_ATTEMPTS
    assert not services.is_deadlock(OperationalError("database is locked"))
