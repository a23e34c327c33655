"""Derived actuals: 高企 stock on a date from the registry's certificates, R&D from yearly figures."""
import datetime as dt
from decimal import Decimal

import pytest

from kechuang.enterprises.models import FiscalYear, Qualification
from kechuang.targets import services
from kechuang.targets.derived import count_valid_on, derived_actuals, register_derived_source
from kechuang.targets.models import Indicator
from kechuang.targets.selectors import dashboard_series, period_assessment


def test_count_valid_on_boundaries():
    certs = [("水头", dt.date(2020, 12, 1), dt.date(2023, 11, 30)), ("水头", dt.date(2023, 12, 1), None),
             ("溪美", None, dt.date(2023, 6, 30))]
    assert count_valid_on(certs, dt.date(2023, 6, 30)) == {"水头": 1, "溪美": 1}
    assert count_valid_on(certs, dt.date(2023, 7, 1)) == {"水头": 1}
    assert count_valid_on(certs, dt.date(2023, 11, 30)) == {"水头": 1}
    assert count_valid_on(certs, dt.date(2023, 12, 1)) == {"水头": 1}
    assert count_valid_on(certs, dt.date(2020, 11, 30)) == {"溪美": 1}


@pytest.mark.django_db
def test_registry_certificates_and_rd_figures(world):
    ent = world.enterprise_a
    Qualification.objects.create(enterprise=ent, kind="hnte", valid_from=dt.date(2021, 12, 1),
                                 valid_until=dt.date(2024, 11, 30))
    Qualification.objects.create(enterprise=world.enterprise_b, kind="tsme", valid_from=dt.date(2023, 1, 1),
                                 valid_until=dt.date(2023, 12, 31))
    FiscalYear.objects.create(enterprise=ent, year=2023, rd_expense=Decimal("123.45"))
    on = dt.date(2023, 12, 31)
    assert derived_actuals("hnte_count", 2023, on) == {world.township_a.pk: 1}
    assert derived_actuals("hnte_count", 2024, dt.date(2024, 12, 1)) == {}
    assert derived_actuals("rd_investment", 2023, on) == {world.township_a.pk: Decimal("123.45")}


@pytest.mark.django_db
def test_reported_vs_derived_shown_and_feed_function(world):
    period = services.period_open(user=world.staff, year=2023, kind="FY")
    hnte = Indicator.objects.get(code="hnte_count")
    Qualification.objects.create(enterprise=world.enterprise_a, kind="hnte", valid_from=dt.date(2022, 1, 1),
                                 valid_until=dt.date(2024, 12, 31))
    services.report_submit(user=world.clerk_a, period=period, region=world.township_a, indicator=hnte, value="81")
    a = period_assessment(user=world.staff, period=period, on=dt.date(2023, 12, 31))
    cell = a.cell(world.township_a, hnte)
    assert cell.derived == 1 and cell.report.value == 81 and cell.differs
    register_derived_source("tech_contract_turnover", lambda year, on: {world.township_a.pk: Decimal("7820")})
    try:
        turnover = Indicator.objects.get(code="tech_contract_turnover")
        a = period_assessment(user=world.staff, period=period, on=dt.date(2023, 12, 30))
        assert a.cell(world.township_a, turnover).derived == 7820
    finally:
        from kechuang.targets import derived
        derived._SOURCES.pop("tech_contract_turnover", None)


@pytest.mark.django_db
def test_dashboard_cache_follows_new_approvals(world):
    period = services.period_open(user=world.staff, year=2023, kind="FY")
    hnte = Indicator.objects.get(code="hnte_count")
    r = services.report_submit(user=world.clerk_a, period=period, region=world.township_a, indicator=hnte, value="81")
    assert dashboard_series(user=world.staff, year=2023)["ranking"] == []
    services.report_approve(user=world.staff, report=r)
    assert [x["unit"] for x in dashboard_series(user=world.staff, year=2023)["ranking"]] == ["水头"]


@pytest.mark.django_db
def test_contract_turnover_from_tech_market(world):
    from kechuang.techmarket.models import TechContract

    for no, day, amount in (("2023-001", dt.date(2023, 3, 1), "500.5"), ("2023-002", dt.date(2023, 7, 1), "100"),
                            ("2022-009", dt.date(2022, 12, 31), "999")):
        TechContract.objects.create(contract_type="development", title="染料工艺开发", amount=Decimal(amount),
                                    seller="某研究院", buyer=world.enterprise_a.name, township=world.township_a,
                                    registered_on=day, registration_no=no)
    assert derived_actuals("tech_contract_turnover", 2023, dt.date(2023, 6, 30)) == {world.township_a.pk: Decimal("500.5")}
    assert derived_actuals("tech_contract_turnover", 2023, dt.date(2024, 1, 15)) == {world.township_a.pk: Decimal("600.5")}


@pytest.mark.django_db
def test_a_source_registered_by_another_app_reaches_the_board(world):
    """Carriers and talent register their sources (apps.ready); the board shows them too, not only the
    three defaults (the gate used to be the defaults' names)."""
    period = services.period_open(user=world.staff, year=2023, kind="FY")
    team = Indicator.objects.get(code="talent_team")
    register_derived_source("talent_team", lambda year, on: {world.township_a.pk: Decimal("1.5")})
    try:
        a = period_assessment(user=world.staff, period=period, on=dt.date(2023, 12, 30))
        assert a.cell(world.township_a, team).derived == Decimal("1.5")
        assert a.cell(world.township_b, team).derived == 0
    finally:
        from kechuang.targets import derived
        derived._SOURCES.pop("talent_team", None)
