"""Pages and API of the policy app."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from kechuang.policies import services
from kechuang.policies.models import Case, PolicyDocument
from kechuang.policies.selectors import engine_policies

pytestmark = pytest.mark.django_db


def test_public_calculator_without_login(db):
    r = Client().post(reverse("policies:public_calculator"), {"year": 2026, "hnte_recognized_on": "2026-03-01",
                                                              "incubator_level": "provincial"})
    text = r.content.decode()
    assert r.status_code == 200
    assert "国家高新技术企业认定奖励" in text and "新认定省级科技企业孵化器奖励" in text
    assert '<div class="num">60</div>' in text  # 10 + 50


def test_public_calculator_day_before_effective(db):
    r = Client().post(reverse("policies:public_calculator"), {"year": 2025, "hnte_recognized_on": "2025-10-22"})
    assert "没有符合或接近符合的措施" in r.content.decode()


def test_public_api_calc(db):
    r = Client().post(reverse("public_api:policies_public_calc"), data=json.dumps(
        {"facts": {"events": [{"kind": "hnte_recognized", "date": "2026-03-01"}]}, "year": 2026}),
        content_type="application/json")
    assert r.status_code == 200 and r.json()["total"] == 10.0
    bad = Client().post(reverse("public_api:policies_public_calc"), data=json.dumps(
        {"facts": {"events": [{"kind": "nope", "date": "2026-03-01"}]}, "year": 2026}),
        content_type="application/json")
    assert bad.status_code == 422 and "events[0].kind" in bad.json()["detail"]


def test_enterprise_page_shows_entitlements(world, client_for):
    services.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="hnte_recognized",
                                 date="2026-03-01", source="测试")
    r = client_for(world.ent_user_a).get(reverse("policies:enterprise", args=[world.enterprise_a.pk]),
                                         {"year": 2026})
    assert r.status_code == 200 and "国家高新技术企业认定奖励" in r.content.decode()


def test_workflow_through_the_pages(world, client_for):
    services.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="hnte_recognized",
                                 date="2026-03-01", source="测试")
    services.screening_run(user=world.staff, year=2026)
    case = Case.objects.get()
    url = reverse("policies:case", args=[case.pk])
    staff, owner, finance = client_for(world.staff), client_for(world.ent_user_a), client_for(world.finance)
    staff.post(url, {"action": "verify"})
    owner.post(url, {"action": "confirm", "bank_account": "6228480012345678", "bank_name": "农行南安支行"})
    staff.post(url, {"action": "publicize"})
    case.refresh_from_db()
    assert case.status == "publicized"
    assert "水头甲石材有限公司" in staff.get(reverse("policies:publicity")).content.decode()
    # 财政 sees it now; the 公示期 is not over yet
    r = finance.post(url, {"action": "disburse"}, follow=True)
    assert "公示期未满" in r.content.decode()
    case.publicized_on = dt.date.today() - dt.timedelta(days=10)
    case.save()
    finance.post(url, {"action": "disburse"})
    case.refresh_from_db()
    assert case.status == "paid"


def test_clerk_cannot_verify(world, client_for):
    services.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="hnte_recognized",
                                 date="2026-03-01")
    services.screening_run(user=world.staff, year=2026)
    case = Case.objects.get()
    r = client_for(world.clerk_a).post(reverse("policies:case", args=[case.pk]), {"action": "verify"})
    assert r.status_code == 403
    case.refresh_from_db()
    assert case.status == "candidate"


def test_sandbox_compares_and_does_not_leak(world, client_for):
    from kechuang.enterprises.models import FiscalYear, Qualification

    for y, rev in ((2024, Decimal("150000")), (2025, Decimal("210000"))):
        FiscalYear.objects.create(enterprise=world.enterprise_a, year=y, operating_revenue=rev)
    Qualification.objects.create(enterprise=world.enterprise_a, kind="hnte", first_recognized_on=dt.date(2024, 1, 1),
                                 valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2026, 12, 31))
    staff = client_for(world.staff)
    r = staff.post(reverse("policies:sandbox_create", args=["quanzhou-hnte-3"]))
    draft = PolicyDocument.objects.get(is_sandbox=True)
    assert r["Location"] == reverse("policies:sandbox", args=[draft.pk])
    m = draft.measures.get(code="quanzhou-hnte-3.1a")
    staff.post(reverse("policies:sandbox", args=[draft.pk]), {"measure": m.pk, "amount": "80"})
    page = staff.get(reverse("policies:sandbox", args=[draft.pk]), {"year": 2026}).content.decode()
    assert '<div class="num">50</div>' in page and '<div class="num">80</div>' in page and "水头镇" in page
    # the draft never reaches real results
    real = [p for p in engine_policies() if p.id == "quanzhou-hnte-3"][0]
    assert real.measures[0].benefit.amount == 50
    assert all(not p.id.endswith("sandbox") and "sandbox" not in p.id for p in engine_policies())


def test_pages_render_for_staff(world, client_for):
    staff = client_for(world.staff)
    for name, args in (("policies:index", []), ("policies:policy", ["nanan-2025-2"]), ("policies:cases", []),
                       ("policies:screening", []), ("policies:publicity", [])):
        assert staff.get(reverse(name, args=args)).status_code == 200, name
    r = staff.post(reverse("policies:screening"), {"year": "2026"}, follow=True)
    assert "2026年免申即享筛查" in r.content.decode() and "排队" in r.content.decode()   # the job's page
    from kechuang.jobs.worker import run_pending

    run_pending()
    page = staff.get(r.redirect_chain[-1][0]).content.decode()
    assert "完成" in page and "候选" in page and "/policies/cases/?year=2026" in page


def test_staff_edits_a_measure_and_it_is_logged(world, client_for):
    from kechuang.core.models import ChangeLog
    from kechuang.policies.models import Measure

    m = Measure.objects.get(code="nanan-2025-2.1a")
    staff = client_for(world.staff)
    url = reverse("policies:measure_edit", args=[m.pk])
    assert "hnte_recognized" in staff.get(url).content.decode()
    bad = staff.post(url, {"title": m.title, "text": m.text, "citation": m.citation,
                           "spec": "trigger: {event: moon}\nbenefit: {kind: fixed, amount: '10'}"})
    assert "规则有误" in bad.content.decode()
    ok = staff.post(url, {"title": m.title, "text": m.text, "citation": m.citation,
                          "spec": "trigger: {event: hnte_recognized}\nbenefit: {kind: fixed, amount: '12'}\n"
                                  "stacking: {group: hnte_recognition, stacks_on_higher: true}"})
    assert ok.status_code == 302
    assert [p for p in engine_policies() if p.id == "nanan-2025-2"][0].measures[0].benefit.amount == 12
    assert ChangeLog.objects.filter(model="policies.Measure", object_id=str(m.pk)).exists()
    assert client_for(world.clerk_a).get(url).status_code == 403


def test_policy_lifecycle(world, client_for):
    staff = client_for(world.staff)
    url = reverse("policies:policy_status", args=["quanzhou-hnte-3"])
    staff.post(url, {"status": "expired"})
    assert PolicyDocument.objects.get(code="quanzhou-hnte-3").status == "expired"
    assert all(p.id != "quanzhou-hnte-3" for p in engine_policies())
    r = staff.post(url, {"status": "draft"}, follow=True)
    assert "不能从" in r.content.decode()


def test_case_list_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    from kechuang.enterprises.models import Enterprise

    for i in range(15):
        ent = Enterprise.objects.create(uscc=f"91350583MA2Y0Q{i:03d}", name=f"测试企业{i}", township=world.township_a)
        services.policy_event_record(user=world.staff, enterprise=ent, kind="incubator_filed", date="2026-02-01")
    services.screening_run(user=world.staff, year=2026)
    staff = client_for(world.staff)
    with django_assert_max_num_queries(12):
        r = staff.get(reverse("policies:cases"))
    assert r.status_code == 200 and r.content.decode().split("<tbody>")[1].count("新增备案科技企业孵化器奖励") == 15  # rows (the 措施 filter lists it once more)
