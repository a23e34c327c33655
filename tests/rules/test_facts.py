"""Validation of the enterprise facts JSON (contract section 2)."""

import datetime as dt
from decimal import Decimal

import pytest

from kechuang.rules.facts import FactsError, parse_facts

GOOD = {
    "name": "泉州示例科技有限公司",
    "uscc": "91110000600037341L",
    "region": "水头镇",
    "established_on": "2019-03-01",
    "employees": 100,
    "tech_staff": 12,
    "high_tech_field": "新材料",
    "years": [
        {"year": 2023, "sales_revenue": 3000, "rd_expense": 150.5, "rd_expense_domestic": 150},
        {"year": 2024, "sales_revenue": "3000" and 3100, "rd_expense": 160},
    ],
    "ip_rights": [
        {"kind": "invention_patent", "granted_on": "2022-01-01", "acquired_by": "self", "core": True},
        {"kind": "software_copyright", "granted_on": "2023-01-01"},
    ],
    "qualifications": [{"kind": "tsme", "valid_from": "2024-05-01", "valid_until": "2024-12-31"}],
    "events": [{"kind": "challenge_project_accepted", "date": "2025-06-01", "subsidy": 50}],
}


def test_good_facts_parse_to_typed_values():
    f = parse_facts(GOOD)
    assert f.established_on == dt.date(2019, 3, 1)
    assert f.years[2023].rd_expense == Decimal("150.5")
    assert isinstance(f.years[2024].sales_revenue, Decimal)
    assert [r.ip_class for r in f.ip_rights] == [1, 2]
    assert f.events[0].extra["subsidy"] == Decimal("50")
    assert f.mainland_resident is True
    assert f.has("employees") and not f.has("rd_staff")
    assert f.holds("tsme", dt.date(2024, 6, 1)) and not f.holds("tsme", dt.date(2025, 1, 1))


def test_null_high_tech_field_is_given_as_outside():
    f = parse_facts({"high_tech_field": None})
    assert f.has("high_tech_field") and f.high_tech_field is None
    assert not parse_facts({}).has("high_tech_field")


@pytest.mark.parametrize("patch, key", [
    ({"years": [{"year": 2023, "rd_expense": "12万"}]}, "years[0].rd_expense"),
    ({"years": [{"year": 2023}, {"year": 2024}, {"year": 2023}]}, "years[2].year"),
    ({"years": [{"year": 2023, "sales_revenue": -1}]}, "years[0].sales_revenue"),
    ({"years": [{"year": 2023, "rd_expense": 10, "rd_expense_domestic": 11}]},
     "years[0].rd_expense_domestic"),
    ({"employees": -1}, "employees"),
    ({"employees": "100"}, "employees"),
    ({"employees": 10, "tech_staff": 11}, "tech_staff"),
    ({"ip_rights": [{"kind": "trademark"}]}, "ip_rights[0].kind"),
    ({"qualifications": [{"kind": "gazelle"}]}, "qualifications[0].kind"),
    ({"established_on": "2019-13-01"}, "established_on"),
    ({"established_on": "2019/03/01"}, "established_on"),
    ({"uscc": "9111000060003734XL"}, "uscc"),
    ({"events": [{"kind": "moon_landing", "date": "2025-01-01"}]}, "events[0].kind"),
    ({"events": [{"kind": "incubator_filed"}]}, "events[0].date"),
    ({"events": [{"kind": "incubator_recognized", "date": "2025-01-01", "level": "galactic"}]},
     "events[0].level"),
    ({"self_assessment": {"tech_advancement": "F"}}, "self_assessment.tech_advancement"),
    ({"self_assessment": {"rd_management": {"system": 7, "institution": 1,
                                            "conversion_incentive": 1, "talent": 1}}},
     "self_assessment.rd_management.system"),
    ({"mainland_resident": "yes"}, "mainland_resident"),
    ({"conversions": [{"year": 2023, "count": 1}, {"year": 2023, "count": 2}]},
     "conversions[1].year"),
])
def test_bad_facts_name_the_key(patch, key):
    with pytest.raises(FactsError) as e:
        parse_facts({**GOOD, **patch})
    assert e.value.key == key
    assert key in str(e.value)


def test_tech_staff_equal_to_employees_is_allowed():
    assert parse_facts({"employees": 10, "tech_staff": 10}).tech_staff == 10


def test_negative_net_profit_is_allowed():
    f = parse_facts({"years": [{"year": 2023, "net_profit": -5, "net_assets": -1}]})
    assert f.years[2023].net_profit == Decimal("-5")


def test_float_becomes_exact_decimal():
    f = parse_facts({"years": [{"year": 2023, "rd_expense": 0.1}]})
    assert f.years[2023].rd_expense == Decimal("0.1")


def test_unknown_keys_are_listed_not_fatal():
    f = parse_facts({"employes": 3, "years": [{"year": 2025, "rd_expence": 1}]})
    assert f.unknown_keys == ("employes", "years[0].rd_expence")
    assert not f.has("employees")


def test_unknown_keys_are_named_in_the_verdict_notes():
    import datetime as dt

    from kechuang.rules.engine import evaluate

    v = evaluate("tsme", {"employes": 3}, dt.date(2026, 6, 30))
    assert any("employes" in n for n in v.notes)
