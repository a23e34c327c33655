"""The facts bridge: the registry's output is accepted by the rules engine's parser, single and
batch paths agree, and the contract command prints it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kechuang.enterprises.facts import enterprise_facts, facts_for_population, facts_json
from kechuang.enterprises.models import CreditRecord, Enterprise, FiscalYear, IPRight, Qualification
from kechuang.rules.facts import parse_facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich(world):
    e = world.enterprise_a
    e.established_on = dt.date(2015, 3, 18)
    e.employees, e.tech_staff, e.rd_staff = 100, 20, 15
    e.high_tech_field = "新材料"
    e.save()
    FiscalYear.objects.create(enterprise=e, year=2024, sales_revenue=Decimal("5000.5"), rd_expense=Decimal("250.1234"),
                              net_profit=Decimal("-12"))
    IPRight.objects.create(enterprise=e, kind="invention_patent", number="ZL1", granted_on=dt.date(2024, 5, 20),
                           acquired_by="self", core=True)
    IPRight.objects.create(enterprise=e, kind="utility_model", number="ZL2", used_for_hnte=True)
    Qualification.objects.create(enterprise=e, kind="hnte", first_recognized_on=dt.date(2021, 12, 1),
                                 valid_from=dt.date(2024, 12, 1), valid_until=dt.date(2027, 11, 30))
    CreditRecord.objects.create(enterprise=e, kind="abnormal_operation", occurred_on=dt.date(2026, 1, 5),
                                expires_on=dt.date(2026, 6, 30), effect="veto")
    return e


def test_facts_are_accepted_by_parse_facts(rich):
    facts = enterprise_facts(rich, on=dt.date(2026, 6, 30))
    parsed = parse_facts(json.loads(facts_json(facts)))
    assert parsed.uscc == rich.uscc and parsed.region == "水头镇"
    assert parsed.year(2024).sales_revenue == Decimal("5000.5")
    assert parsed.year(2024).rd_expense == Decimal("250.1234")
    assert parsed.year(2024).net_profit == Decimal("-12")
    assert [r.ip_class for r in parsed.ip_rights] == [1, 2]
    assert parsed.holds("hnte", dt.date(2026, 6, 30))
    assert parsed.high_tech_field == "新材料" and parsed.tech_staff == 20


def test_credit_record_in_force_on_the_last_day_only(rich):
    assert enterprise_facts(rich, on=dt.date(2026, 6, 30))["abnormal_operation_listed"] is True
    assert enterprise_facts(rich, on=dt.date(2026, 7, 1))["abnormal_operation_listed"] is False
    assert enterprise_facts(rich, on=dt.date(2026, 1, 4))["abnormal_operation_listed"] is False


def test_outside_high_tech_field_is_null_and_unknown_is_absent(world):
    e = world.enterprise_b
    assert "high_tech_field" not in enterprise_facts(e)
    e.high_tech_field = "不属于"
    e.save()
    facts = enterprise_facts(e)
    assert facts["high_tech_field"] is None
    assert parse_facts(facts).high_tech_field is None


def test_batch_equals_single_with_constant_queries(rich, world, django_assert_num_queries):
    single = {e.pk: enterprise_facts(e, on=dt.date(2026, 6, 30)) for e in Enterprise.objects.all()}
    # six: enterprises, years, IP, qualifications, registry credit records, 科研信用 records
    with django_assert_num_queries(6):
        batch = facts_for_population(Enterprise.objects.all(), on=dt.date(2026, 6, 30))
    assert batch.by_id() == single


def test_facts_command_json_and_errors(rich, capsys):
    call_command("enterprises", "facts", rich.uscc, "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["uscc"] == rich.uscc and out["years"][0]["sales_revenue"] == 5000.5
    parse_facts(out)
    with pytest.raises(CommandError, match="校验位错误") as bad:
        call_command("enterprises", "facts", rich.uscc[:-1] + ("0" if rich.uscc[-1] != "0" else "1"))
    assert bad.value.returncode == 2
    from tests.world import _uscc

    with pytest.raises(CommandError, match="没有") as missing:
        call_command("enterprises", "facts", _uscc("91350583MA2Y0RCCC"))
    assert missing.value.returncode == 1
