"""Fixtures of the 创新资源 tests: two institutes (A bound to an institute user), openly shared
instruments with fee rules, a service organisation with its user, a voucher scheme in force, a
finance officer. Prices: enterprise 400 元/小时 (0.04 万元), voucher 300 元/小时, internal 100 元/小时."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from kechuang.core.models import Role, User
from kechuang.resources.models import (
    FeeRule,
    InstituteProfile,
    InstrumentProfile,
    ResourceAccount,
    ServiceOrg,
    VoucherScheme,
)
from kechuang.techmarket.models import Institute, Instrument
from tests.world import World


@pytest.fixture(autouse=True)
def hashing_search(settings, monkeypatch, tmp_path_factory):
    """Searches of this module use the fast hashing embedder (the hybrid path runs without loading
    the default model) and a search directory of the session."""
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "resources-search-var"
    monkeypatch.setenv("KECHUANG_EMBEDDER", "hashing")


@dataclass
class Res:
    inst_a: Institute
    inst_b: Institute
    instr_a: Instrument
    instr_b: Instrument
    hidden: Instrument
    org_a: ServiceOrg
    org_b: ServiceOrg
    inst_user_a: User
    inst_user_b: User
    org_user_a: User
    finance: User
    scheme: VoucherScheme


def make_instrument(owner, name, *, sharing="open", value="120", **profile):
    instr = Instrument.objects.create(name=name, owner=owner, category="分析测试")
    InstrumentProfile.objects.create(instrument=instr, model_no="SU5000", maker="日立", country="日本",
                                     value=Decimal(value), sharing_mode=sharing, location="泉州市丰泽区",
                                     main_functions="材料表面形貌观察", **profile)
    for cat, price in (("internal", "0.01"), ("enterprise", "0.04"), ("voucher", "0.03")):
        FeeRule.objects.create(instrument=instr, user_category=cat, price_per_hour=Decimal(price))
    return instr


def build_res(world) -> Res:
    inst_a = Institute.objects.create(name="甲大学", kind="高校", experts=[{"name": "陈教授", "title": "教授", "field": "新材料"}])
    inst_b = Institute.objects.create(name="乙研究院", kind="新型研发机构")
    InstituteProfile.objects.create(institute=inst_a, category="university", level="provincial",
                                    fields=["新材料"], industry_chains=["石材陶瓷"])
    InstituteProfile.objects.create(institute=inst_b, category="new_rd", level="municipal", industry_chains=["半导体"])
    instr_a = make_instrument(inst_a, "场发射扫描电子显微镜")
    instr_b = make_instrument(inst_b, "激光粒度分析仪", value="45")
    hidden = make_instrument(inst_a, "内部专用质谱仪", sharing="internal")
    org_a = ServiceOrg.objects.create(name="丙检测认证有限公司", kind="testing", legal_person="张三",
                                      shareholders=["张三", "李四"], industry_chains=["石材陶瓷"])
    org_b = ServiceOrg.objects.create(name="丁知识产权代理事务所", kind="ip", legal_person="王五")
    u = World.user
    inst_user_a = u("inst_a", Role.INSTITUTE_USER)
    inst_user_b = u("inst_b", Role.INSTITUTE_USER)
    org_user_a = u("org_a", Role.SERVICE_ORG_USER)
    ResourceAccount.objects.create(user=inst_user_a, institute=inst_a)
    ResourceAccount.objects.create(user=inst_user_b, institute=inst_b)
    ResourceAccount.objects.create(user=org_user_a, service_org=org_a)
    today = timezone.localdate()
    scheme = VoucherScheme.objects.create(
        name=f"{today.year}年科技创新券", year=today.year, effective_from=dt.date(today.year, 1, 1),
        effective_to=dt.date(today.year, 12, 31), per_application_cap=Decimal("10"), per_year_cap=Decimal("20"),
        share_covered=Decimal("0.5"), validity_days=180, eligible_qualifications=["tsme", "hnte"],
        allow_small_unqualified=True, categories=["instrument", "testing", "ip", "transfer", "consulting", "incubation"])
    return Res(inst_a, inst_b, instr_a, instr_b, hidden, org_a, org_b, inst_user_a, inst_user_b, org_user_a,
               u("caizheng", Role.FINANCE_OFFICER), scheme)


@pytest.fixture
def res(world) -> Res:
    return build_res(world)


def qualify(enterprise, kind="tsme"):
    from kechuang.enterprises.models import Qualification

    Qualification.objects.create(enterprise=enterprise, kind=kind, valid_from=dt.date(2020, 1, 1),
                                 valid_until=dt.date(2099, 12, 31))
