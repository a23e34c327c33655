"""Carriers: the 逐级 ladder, the policy events a recognition records and the money they bring
(南政规〔2025〕2号 (八)(十四)), dated scoring schemes, two failing years → cancellation proposal,
the public list (contract section 8) and the derived platform counts for the targets module."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kechuang.carriers import rules, selectors, services
from kechuang.carriers.models import AnnualReport, Carrier
from kechuang.core.permissions import PermissionRefused, system_actor
from kechuang.policies.models import PolicyEvent

pytestmark = pytest.mark.django_db


def _carrier(world, kind="incubator", name="水头孵化器", operator=None):
    operator = operator or world.enterprise_a
    return services.carrier_register(actor=world.staff, name=name, kind=kind, operator=operator,
                                     township=operator.township)


def _level(world, carrier, level, on, doc="文号"):
    return services.carrier_level_record(actor=world.staff, carrier=carrier, level=level, recognized_on=on,
                                         document=doc)


def _amounts(carrier, year):
    _result, outcomes = selectors.carrier_benefits(carrier, year)
    return {o.measure.id: o.amount for o in outcomes if o.counted}


def test_incubator_cannot_skip_a_step_of_the_ladder(world):
    c = _carrier(world)
    with pytest.raises(ValidationError, match="逐级"):
        _level(world, c, "quanzhou", dt.date(2024, 5, 1))
    _level(world, c, "filed", dt.date(2024, 5, 1))
    with pytest.raises(ValidationError, match="须先取得泉州级"):
        _level(world, c, "provincial", dt.date(2025, 5, 1))
    _level(world, c, "quanzhou", dt.date(2025, 5, 1))
    _level(world, c, "provincial", dt.date(2025, 9, 1))
    assert c.current_level().level == "provincial"


def test_the_lower_step_must_come_first_in_time(world):
    c = _carrier(world)
    _level(world, c, "filed", dt.date(2025, 5, 1))
    with pytest.raises(ValidationError, match="逐级"):
        _level(world, c, "quanzhou", dt.date(2025, 4, 30))   # the day before the filing
    _level(world, c, "quanzhou", dt.date(2025, 5, 1))        # the same day is after the filing


def test_a_research_platform_is_not_on_the_incubator_ladder(world):
    c = _carrier(world, kind="new_rd", name="新型研发机构甲")
    _level(world, c, "provincial", dt.date(2025, 5, 1))
    assert c.current_level().level == "provincial"


def test_filing_pays_8_and_records_the_event_once(world):
    c = _carrier(world)
    _level(world, c, "filed", dt.date(2026, 5, 1))
    assert PolicyEvent.objects.filter(enterprise=world.enterprise_a, kind="incubator_filed").count() == 1
    assert _amounts(c, 2026)["nanan-2025-2.8a"] == Decimal("8")
    assert "nanan-2025-2.8a" not in _amounts(c, 2027)     # a reward of the year of filing only


@pytest.mark.parametrize("on, paid", [(dt.date(2025, 10, 22), False), (dt.date(2025, 10, 23), True)])
def test_filing_pays_only_from_the_day_the_policy_takes_effect(world, on, paid):
    """南政规〔2025〕2号 is in force from 2025-10-23: a filing the day before earns nothing."""
    c = _carrier(world)
    _level(world, c, "filed", on)
    assert ("nanan-2025-2.8a" in _amounts(c, 2025)) is paid


def test_national_after_provincial_in_a_later_year_gets_100(world):
    c = _carrier(world)
    _level(world, c, "filed", dt.date(2023, 3, 1))
    _level(world, c, "quanzhou", dt.date(2024, 3, 1))
    _level(world, c, "provincial", dt.date(2026, 3, 1))
    _level(world, c, "national", dt.date(2027, 3, 1))
    assert _amounts(c, 2026) == {"nanan-2025-2.8c": Decimal("50")}
    assert _amounts(c, 2027) == {"nanan-2025-2.8b": Decimal("100")}


def test_two_recognitions_in_one_year_are_decided_by_the_stacking_rule(world):
    c = _carrier(world)
    _level(world, c, "filed", dt.date(2023, 3, 1))
    _level(world, c, "quanzhou", dt.date(2024, 3, 1))
    _level(world, c, "provincial", dt.date(2026, 3, 1))
    _level(world, c, "national", dt.date(2026, 11, 1))
    result, outcomes = selectors.carrier_benefits(c, 2026)
    counted = {o.measure.id: o.amount for o in outcomes if o.counted}
    assert counted == {"nanan-2025-2.8b": Decimal("100")}          # 就高, not 150
    provincial = next(o for o in outcomes if o.measure.id == "nanan-2025-2.8c")
    assert not provincial.counted and provincial.stacking                # shown with the reason


def test_academician_workstation_pays_100(world):
    c = _carrier(world, kind="academician", name="院士工作站甲")
    _level(world, c, "quanzhou", dt.date(2026, 7, 1))
    assert _amounts(c, 2026) == {"nanan-2025-2.14a": Decimal("100")}


@pytest.mark.parametrize("investment, expected", [("200", "60"), ("333.33", "99.999"), ("400", "100")])
def test_third_party_operation_pays_30_percent_capped_at_100(world, investment, expected):
    c = _carrier(world)
    _level(world, c, "filed", dt.date(2024, 3, 1))
    services.operation_record(actor=world.staff, carrier=c, operator_name="专业托管机构", started_on=dt.date(2026, 2, 1),
                              non_fiscal_investment=Decimal(investment), assessed=True)
    assert _amounts(c, 2026)["nanan-2025-2.8e"] == Decimal(expected)


def test_only_the_bureau_records_levels_and_a_missing_actor_refuses(world):
    c = _carrier(world)
    with pytest.raises(PermissionRefused, match="记录载体备案或认定"):
        services.carrier_level_record(actor=world.ent_user_a, carrier=c, level="filed",
                                      recognized_on=dt.date(2025, 1, 1), document="x")
    with pytest.raises(PermissionRefused):
        services.carrier_level_record(actor=None, carrier=c, level="filed", recognized_on=dt.date(2025, 1, 1),
                                      document="x")
    step = services.carrier_level_record(actor=system_actor("command:test"), carrier=c, level="filed",
                                         recognized_on=dt.date(2025, 1, 1), document="x")
    assert step.pk


def test_the_operator_files_its_own_figures_but_not_another_carriers(world):
    own = _carrier(world)
    other = _carrier(world, name="溪美孵化器", operator=world.enterprise_b)
    services.annual_report_submit(actor=world.ent_user_a, carrier=own, year=2025, figures={"tenants": 10})
    with pytest.raises(PermissionRefused):
        services.annual_report_submit(actor=world.ent_user_a, carrier=other, year=2025, figures={"tenants": 10})


@pytest.mark.parametrize("bad", [Decimal("1e20"), Decimal("-1"), Decimal("NaN"), Decimal("Infinity")])
def test_figures_out_of_range_are_refused_with_the_field(world, bad):
    c = _carrier(world)
    with pytest.raises(ValidationError) as exc:
        services.annual_report_submit(actor=world.staff, carrier=c, year=2025, figures={"income": bad})
    assert "income" in exc.value.message_dict
    assert not AnnualReport.objects.exists()


FIGURES = {"tenants": 50, "new_tenants": 15, "graduated": 2, "tech_sme_tenants": 20, "hnte_tenants": 5,
           "patents_granted": 30, "investment_raised": 500, "activities": 12, "mentors": 10}


def test_weights_are_dated_data():
    s2025 = rules.score("incubator", 2025, FIGURES)
    s2026 = rules.score("incubator", 2026, FIGURES)
    assert s2025.scheme.endswith("（2021版）") and s2026.scheme.endswith("（2026版）")
    # 2021 version: 15+10+15×0.4+15+10+10+15×0.5+5+5 = 83.5; 2026 version: 10+10+20×0.4+15+10+10+20×0.5+5 = 78
    assert s2025.score == Decimal("83.5") and s2025.grade == "B"
    assert s2026.score == Decimal("78.0") and s2026.grade == "B"


def test_grade_boundaries():
    full = rules.score("incubator", 2025, {**FIGURES, "graduated": 5, "investment_raised": 1000})
    assert full.score == Decimal("100.0") and full.grade == "A"
    assert rules.score("incubator", 2025, {}).grade == "D" and not rules.score("incubator", 2025, {}).passed


def test_two_failing_years_in_a_row_propose_cancellation(world):
    c = _carrier(world)
    services.annual_report_submit(actor=world.staff, carrier=c, year=2024, figures={"tenants": 1})
    services.evaluation_run(actor=world.staff, year=2024)
    c.refresh_from_db()
    assert not c.cancellation_proposed                   # one failing year is not enough
    services.annual_report_submit(actor=world.staff, carrier=c, year=2025, figures={"tenants": 2})
    services.evaluation_run(actor=world.staff, year=2025)
    services.evaluation_run(actor=world.staff, year=2025)  # re-running is idempotent
    c.refresh_from_db()
    assert c.cancellation_proposed and "连续两年评价不合格" in c.cancellation_note
    assert c.evaluations.count() == 2


def test_a_passing_year_between_failures_proposes_nothing(world):
    c = _carrier(world)
    for year, figures in ((2023, {"tenants": 1}), (2024, FIGURES), (2025, {"tenants": 1})):
        services.annual_report_submit(actor=world.staff, carrier=c, year=year, figures=figures)
        services.evaluation_run(actor=world.staff, year=year)
    c.refresh_from_db()
    assert not c.cancellation_proposed


def test_cancel_revokes_levels_and_leaves_the_public_list(world, client):
    c = _carrier(world)
    _level(world, c, "filed", dt.date(2024, 3, 1))
    data = client.get("/public/carriers/?format=json").json()
    assert data["count"] == 1 and data["items"][0]["level"] == "本级备案"
    services.carrier_cancel(actor=world.staff, carrier=c, on=dt.date(2025, 1, 2), reason="连续两年不合格")
    assert Carrier.objects.get().levels.get().revoked_on == dt.date(2025, 1, 2)
    assert client.get("/public/carriers/?format=json").json() == {"items": [], "count": 0}


def test_public_page_without_sign_in(world, client):
    c = _carrier(world)
    _level(world, c, "filed", dt.date(2024, 3, 1))
    _level(world, c, "quanzhou", dt.date(2025, 3, 1), doc="泉科〔2025〕1号")
    page = client.get("/public/carriers/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "水头孵化器" in text and "泉州级" in text and "泉科〔2025〕1号" in text
    item = client.get("/public/carriers/?format=json").json()["items"][0]
    assert item["kind"] == "科技企业孵化器" and item["level"] == "泉州级" and len(item["history"]) == 2


def test_derived_platform_counts_by_township(world):
    from kechuang.targets.derived import derived_actuals

    a = _carrier(world, kind="new_rd", name="研发机构甲")
    _level(world, a, "provincial", dt.date(2025, 4, 1))
    b = _carrier(world, kind="key_lab", name="重点实验室乙", operator=world.enterprise_b)
    _level(world, b, "quanzhou", dt.date(2025, 4, 1))
    inc = _carrier(world, name="孵化器丙")
    _level(world, inc, "filed", dt.date(2023, 1, 1))
    _level(world, inc, "quanzhou", dt.date(2024, 1, 1))
    _level(world, inc, "provincial", dt.date(2025, 6, 1))
    on = dt.date(2025, 12, 31)
    assert derived_actuals("provincial_platform", 2025, on) == {world.township_a.pk: Decimal(1)}
    assert derived_actuals("quanzhou_platform", 2025, on) == {world.township_b.pk: Decimal(1)}
    assert derived_actuals("new_provincial_platforms", 2025, on) == {world.township_a.pk: Decimal(2)}
    assert derived_actuals("provincial_platform", 2025, dt.date(2025, 3, 31)) == {}   # before the recognition
    assert derived_actuals("provincial_platform", 2024, on) == {}


def test_api_report_by_the_operator_only_and_bounded(world, client_for):
    import json

    own = _carrier(world)
    other = _carrier(world, name="溪美孵化器", operator=world.enterprise_b)
    api = client_for(world.ent_user_a)
    ok = api.post(f"/api/carriers/{own.pk}/reports", json.dumps({"year": 2025, "tenants": 12, "income": "88.5"}),
                  content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert AnnualReport.objects.get(carrier=own).income == Decimal("88.5")
    refused = api.post(f"/api/carriers/{other.pk}/reports", json.dumps({"year": 2025, "tenants": 1}),
                       content_type="application/json")
    assert refused.status_code in (403, 404)
    for bad in ("1e20", "NaN", "-1"):
        r = api.post(f"/api/carriers/{own.pk}/reports", json.dumps({"year": 2025, "income": bad}),
                     content_type="application/json")
        assert r.status_code == 422, (bad, r.status_code)
    assert AnnualReport.objects.get(carrier=own).income == Decimal("88.5")
    listed = api.get("/api/carriers/").json()
    assert {i["name"] for i in listed["items"]} == {"水头孵化器", "溪美孵化器"}   # active carriers are public rows


def _workbook(rows, header=None):
    import io

    from openpyxl import Workbook

    from kechuang.carriers.imports import columns

    wb = Workbook()
    wb.active.append(header or [h for h, _f in columns()][:4])
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.size = len(buf.getvalue())
    return buf


def test_yearly_figures_import_is_all_or_nothing_with_row_and_column(world):
    from kechuang.carriers.imports import columns, import_reports

    _carrier(world)
    header = [h for h, _f in columns()]
    assert header[:4] == ["载体名称", "年度", "在孵（服务）企业数", "当年新增在孵企业数"]
    bad = import_reports(actor=world.staff, upload=_workbook([
        ["水头孵化器", 2025, 30, 5], ["不存在的载体", 2025, 1, 1], ["水头孵化器", 2026, "3.5", -1],
        ["水头孵化器", 2027, "1e20", 1]]))
    assert not bad.ok and not AnnualReport.objects.exists()
    assert "第3行 载体名称：载体名录中没有“不存在的载体”" in bad.errors
    assert any(e.startswith("第4行 在孵（服务）企业数") for e in bad.errors)
    assert any(e.startswith("第4行 当年新增在孵企业数") for e in bad.errors)
    assert any(e.startswith("第5行 在孵（服务）企业数") for e in bad.errors)     # 1e20 beyond the model bound
    good = import_reports(actor=world.staff, upload=_workbook([["水头孵化器", 2025, 30, 5]]))
    assert good.ok and good.saved == 1 and AnnualReport.objects.get().tenants == 30
    with pytest.raises(PermissionRefused):
        import_reports(actor=world.clerk_a, upload=_workbook([["水头孵化器", 2025, 30, 5]]))


def test_talent_lab_pays_25(world):
    c = _carrier(world, kind="talent_lab", name="特级人才创新实验室甲")
    _level(world, c, "quanzhou", dt.date(2026, 7, 1))
    assert _amounts(c, 2026) == {"nanan-2025-2.14b": Decimal("25")}


def test_a_pilot_platform_in_a_state_owned_park_is_the_event_of_measure_10(world):
    """(十): a 中试验证平台 in a state-owned park gets the (non-monetary) rent support, recorded once."""
    park = services.carrier_register(actor=world.staff, name="中试验证平台甲", kind="pilot",
                                     operator=world.enterprise_a, township=world.enterprise_a.township,
                                     in_state_owned_park=True)
    _level(world, park, "quanzhou", dt.date(2026, 4, 1))
    _level(world, park, "provincial", dt.date(2026, 9, 1))
    assert PolicyEvent.objects.filter(enterprise=world.enterprise_a, kind="settled_in_state_owned_park").count() == 1
    _result, outcomes = selectors.carrier_benefits(park, 2026)
    ten = next(o for o in outcomes if o.measure.id == "nanan-2025-2.10")
    assert ten.status == "eligible" and "非资金" in ten.stacking
    elsewhere = _carrier(world, kind="pilot", name="中试验证平台乙", operator=world.enterprise_b)
    _level(world, elsewhere, "quanzhou", dt.date(2026, 4, 1))
    assert not PolicyEvent.objects.filter(enterprise=world.enterprise_b, kind="settled_in_state_owned_park").exists()


def test_the_carrier_page_shows_why_the_lower_level_is_not_paid_in_the_same_year(world, client_for):
    c = _carrier(world)
    _level(world, c, "filed", dt.date(2023, 3, 1))
    _level(world, c, "quanzhou", dt.date(2024, 3, 1))
    _level(world, c, "provincial", dt.date(2026, 3, 1))
    _level(world, c, "national", dt.date(2026, 11, 1))
    page = client_for(world.staff).get(f"/carriers/{c.pk}/?year=2026").content.decode()
    assert "就高" in page and "不重复" in page
