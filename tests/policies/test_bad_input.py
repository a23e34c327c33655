"""Bad input gets a clear error naming the key, never a silent zero."""

from __future__ import annotations

import pytest

from kechuang.policies.engine import PolicyInputError, calculate


@pytest.mark.parametrize("facts, key, needle", [
    ({"events": [{"kind": "hnte_awarded", "date": "2026-01-01"}]}, "events[0].kind", "未知的事件类型"),
    ({"events": [{"kind": "hnte_recognized", "date": "2026-13-01"}]}, "events[0].date", "日期格式错误"),
    ({"events": [{"kind": "hnte_recognized", "date": "2026/01/01"}]}, "events[0].date", "YYYY-MM-DD"),
    ({"events": [{"kind": "hnte_recognized"}]}, "events[0].date", "必填"),
    ({"events": [{"kind": "incubator_recognized", "date": "2026-01-01", "level": "city"}]},
     "events[0].level", "未知的取值"),
    ({"events": [{"kind": "hnte_recognized", "date": "2026-01-01", "first_time": "yes"}]},
     "events[0].first_time", "true 或 false"),
    ({"events": [{"kind": "challenge_project_accepted", "date": "2026-01-01", "subsidy": -5}]},
     "events[0].subsidy", "负数"),
    ({"events": "hnte"}, "events", "列表"),
    ({"years": [{"year": 2025, "operating_revenue": "lots"}]}, "years[0].operating_revenue", "数字"),
    ({"qualifications": [{"kind": "hnte", "valid_from": "2025-02-30"}]}, "qualifications[0].valid_from", "日期"),
])
def test_bad_input_names_the_key(policies, facts, key, needle):
    with pytest.raises(PolicyInputError) as exc:
        calculate(facts, 2026, policies)
    assert exc.value.key == key
    assert needle in exc.value.message


@pytest.mark.parametrize("year", ["2026", 26, True, 3000])
def test_bad_year(policies, year):
    with pytest.raises(PolicyInputError) as exc:
        calculate({}, year, policies)
    assert exc.value.key == "year"


def test_out_of_window_event_amount_is_not_validated_against_this_policy(policies):
    # a 2024 project was under older rules: the range of 南政规〔2025〕2号 does not apply
    r = calculate({"events": [{"kind": "challenge_project_accepted", "date": "2025-10-01", "subsidy": 300}]},
                  2025, policies)
    assert r.by_id("nanan-2025-2.2").status == "ineligible"
