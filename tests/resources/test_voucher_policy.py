"""Voucher use feeds 免申即享 (issue 14, 3): every redemption is recorded as the enterprise's policy
event ``voucher_redeemed`` (amount, fee, category); a county's top-up for voucher users is then a
measure of data — a policy file, no code — that the screening turns into a candidate case."""
from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from kechuang.core.permissions import system_actor
from kechuang.policies.models import Case, PolicyEvent
from kechuang.resources import services
from tests.resources.conftest import qualify
from tests.resources.test_vouchers import completed_booking, contract, issued

TOP_UP = """
policy:
  id: test-county-voucher-topup
  doc_no: 测试〔2026〕1号
  title: 测试县科技创新券加码办法
  issuer: 测试县人民政府
  level: 县
  region: 测试县
  effective: 2020-01-01
  expiry: 2099-12-31
  status: published
  stacking_principle: 就高不重复
  source: 测试数据（非真实政策）
parameters: []
measures:
  - id: test-county-voucher-topup.1
    article: 第一条
    title: 科技创新券县级加码
    text: 企业使用科技创新券的，县财政按兑付额的 50% 加码补助，每家最高 1 万元。
    citation: 测试〔2026〕1号 第一条
    kind: monetary
    trigger: {event: voucher_redeemed}
    benefit: {kind: share_capped, share: "0.50", field: amount, cap: "1"}
    stacking: {group: voucher_topup, stacks_on_higher: false}
    lead_units: [县科技局]
    responsible_units: [县财政局]
"""


def test_each_redemption_is_a_policy_event(world, res):
    qualify(world.enterprise_a)
    v = issued(world, amount="10")
    r1 = services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=completed_booking(world, res, fee="2"))
    r2 = services.voucher_redeem(actor=world.ent_user_a, voucher=v, contract=contract(world, res.org_b, category="ip"))
    events = list(PolicyEvent.objects.filter(enterprise=world.enterprise_a, kind="voucher_redeemed").order_by("pk"))
    assert [e.fields for e in events] == [
        {"amount": "1", "fee": "2", "category": "instrument"},
        {"amount": "2", "fee": "4", "category": "ip"}]
    assert f"兑付编号 {r1.pk}" in events[0].source and v.number in events[1].source and str(r2.pk) in events[1].source
    assert events[0].date == timezone.localdate()


def test_refused_redemption_records_no_event(world, res):
    qualify(world.enterprise_a)
    v = issued(world, amount="10")
    b = completed_booking(world, res, fee="2")
    services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=b)
    try:
        services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=b)     # twice: refused
    except services.ResourceError:
        pass
    assert PolicyEvent.objects.filter(kind="voucher_redeemed").count() == 1


def test_county_top_up_is_a_measure_of_data(world, res, tmp_path):
    from kechuang.policies.reference import load_reference_data
    from kechuang.policies.services import screen_enterprise

    (tmp_path / "topup.yaml").write_text(TOP_UP, encoding="utf-8")
    assert load_reference_data(tmp_path) == 1
    qualify(world.enterprise_a)
    v = issued(world, amount="10")
    services.voucher_redeem(actor=world.ent_user_a, voucher=v, booking=completed_booking(world, res, fee="2"))
    year = timezone.localdate().year
    screen_enterprise(user=system_actor("command:test"), enterprise=world.enterprise_a, year=year,
                      reason="测试")
    case = Case.objects.get(enterprise=world.enterprise_a, measure__code="test-county-voucher-topup.1", year=year)
    assert case.amount == Decimal("0.5")          # 50 % of the 1 万元 redeemed, under the 1 万元 cap
    assert not Case.objects.filter(enterprise=world.enterprise_b, measure__code="test-county-voucher-topup.1").exists()
