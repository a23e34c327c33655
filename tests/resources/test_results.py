"""An institute's service results are counted from the system's own records (issue 14, 1): broker
dispatches, deals of its achievements, the technology contracts registered for them, completed
bookings of its instruments and voucher redemptions — nothing is typed in."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from kechuang.resources.models import InstituteProfile, Redemption, Voucher
from kechuang.resources.selectors import institute_results
from kechuang.techmarket.models import Achievement, Broker, Deal, Dispatch, Match, Need, TechContract


def _deal(world, res, enterprise, title, *, contract_no=None, dispatched=True):
    need = Need.objects.create(enterprise=enterprise, township=world.township_a, title=f"{title}需求", description="…")
    ach = Achievement.objects.create(title=title, owner_institute=res.inst_a, status="published")
    match = Match.objects.create(need=need, achievement=ach, rank=1, score=0.9)
    dispatch = None
    if dispatched:
        broker = Broker.objects.get_or_create(name="林经理")[0]
        dispatch = Dispatch.objects.create(need=need, match=match, broker=broker, rule="领域相符", assigned_at=timezone.now(),
                                           first_contact_due=timezone.localdate() + dt.timedelta(days=3))
    deal = Deal.objects.create(dispatch=dispatch, need=need, achievement=ach, amount=Decimal("30"),
                               signed_on=timezone.localdate())
    if contract_no:
        TechContract.objects.create(deal=deal, contract_type="transfer", title=title, amount=Decimal("30"),
                                    seller=res.inst_a.name, buyer=enterprise.name, township=world.township_a,
                                    registered_on=timezone.localdate(), registration_no=contract_no)
    return deal


def test_results_count_dispatches_deals_contracts_bookings(world, res):
    assert institute_results(res.inst_a) == {
        "enterprises_served": 0, "problems_solved": 0, "joint_projects": 0, "dispatches": 0,
        "bookings_completed": 0, "instrument_hours": Decimal(0), "voucher_amount": Decimal(0)}
    _deal(world, res, world.enterprise_a, "石材废料再生利用", contract_no="350583-2026-0001")
    _deal(world, res, world.enterprise_a, "陶瓷釉料配方", dispatched=False)
    _deal(world, res, world.enterprise_b, "石材切割粉尘治理", contract_no="350583-2026-0002")
    r = institute_results(res.inst_a)
    assert r["problems_solved"] == 3            # deals of its achievements
    assert r["joint_projects"] == 2             # registered technology contracts of those deals
    assert r["dispatches"] == 2                 # broker dispatches on its achievements
    assert r["enterprises_served"] == 2         # distinct enterprises (a twice, b once)
    assert institute_results(res.inst_b)["problems_solved"] == 0       # another institute's records stay apart
    # a redemption against its instrument adds the enterprise and the amount
    from kechuang.resources.models import Booking

    start = timezone.now() - dt.timedelta(days=2)
    from kechuang.enterprises.models import Enterprise
    from tests.world import _uscc

    other = Enterprise.objects.create(name="丙新材料有限公司", uscc=_uscc("91350583MA2Y0RCCC"), township=world.township_a)
    b = Booking.objects.create(instrument=res.instr_a, enterprise=other, user_category="voucher", starts_at=start,
                               ends_at=start + dt.timedelta(hours=3), status="completed",
                               actual_hours=Decimal("3"), fee=Decimal("0.09"))
    v = Voucher.objects.create(scheme=res.scheme, enterprise=other, requested_amount=Decimal("1"), status="issued",
                               face_value=Decimal("1"), balance=Decimal("1"))
    Redemption.objects.create(voucher=v, booking=b, provider_name=res.inst_a.name, provider_institute=res.inst_a,
                              fee=Decimal("0.09"), amount=Decimal("0.045"), mode=v.mode, payee=res.inst_a.name)
    r = institute_results(res.inst_a)
    assert r["enterprises_served"] == 3 and r["bookings_completed"] == 1
    assert r["instrument_hours"] == Decimal("3") and r["voucher_amount"] == Decimal("0.045")
    # the public page shows these counts; the profile has no field where they could be typed in
    fields = {f.name for f in InstituteProfile._meta.get_fields()}
    assert not fields & {"enterprises_served", "problems_solved", "joint_projects"}
    page = Client().get(f"/public/institutes/{res.inst_a.pk}/").content.decode()
    assert "服务企业" in page
