"""What a new user met on the diagnosis pages (issue 13, defects 1, 2, 3, 5): no 500 on dates before
any rules or a malformed run number, the funnel chart gets ECharts, no internal codes in gaps,
a held qualification is shown as held and counts for the ladder, figures instead of requirements."""

import datetime as dt

import pytest

from kechuang.diagnosis.models import DiagnosisRun
from kechuang.rules.engine import NoRulesInForce, evaluate, schemes_in_force
from tests.e2e.crawler import raw_identifiers


@pytest.mark.django_db
def test_selfcheck_before_2016_says_rules_are_not_in_the_system(client):
    r = client.post("/diagnosis/self-check/", {"on": "2015-06-30", "employees": 10, "format": "html"})
    assert r.status_code == 200
    text = r.content.decode()
    assert "2015年6月30日没有生效的认定办法" in text and "2016年1月1日起施行" in text
    # the day the first rules took effect works (高企 and 科小 only before 2022-06-01)
    r = client.post("/diagnosis/self-check/", {"on": "2016-01-01", "employees": 10, "format": "html"})
    assert r.status_code == 200 and "高新技术企业" in r.content.decode()
    assert schemes_in_force(dt.date(2016, 1, 1)) == ("hnte",)
    assert schemes_in_force(dt.date(2022, 6, 1)) == ("hnte", "tsme", "innovative_sme", "srdi_sme", "little_giant")
    with pytest.raises(NoRulesInForce):
        schemes_in_force(dt.date(2015, 12, 31))


@pytest.mark.django_db
def test_enterprise_report_before_any_rules_and_bad_run_number_are_not_500(world, client_for):
    c = client_for(world.staff)
    r = c.get(f"/diagnosis/enterprise/{world.enterprise_a.pk}/?on=1990-01-01")
    assert r.status_code == 200 and "已按今天评价" in r.content.decode()
    assert r.context["on"] == dt.date.today()
    for bad in ("abc", "²", "-1", 99999999999999999999):
        assert c.get(f"/diagnosis/pipeline/?run={bad}").status_code == 200
    c.post("/diagnosis/pipeline/run/", {"on": "2026-06-30"})
    from kechuang.jobs.worker import run_pending

    run_pending()  # the 培育库 run is a background job: the worker runs it
    run = DiagnosisRun.objects.get()
    for q in ("township=abc", "rung=x", "rung=99"):
        assert c.get(f"/diagnosis/pipeline/?run={run.pk}&{q}").status_code == 200
    page = c.get(f"/diagnosis/pipeline/?run={run.pk}").content.decode()
    assert "vendor/echarts.min.js" in page and "diagnosis/funnel.js" in page  # the funnel is drawn
    assert page.index("vendor/echarts.min.js") < page.index("diagnosis/funnel.js")
    assert "hnte." not in page and "+" not in page.split("依据：")[1].split("。")[0]  # titles, not version ids


def _facts(**extra):
    return {"established_on": "2015-01-01", "employees": 100, "tech_staff": 20, "niche_market_years": 5,
            "years": [{"year": 2023, "operating_revenue": 6000, "main_business_revenue": 6000, "rd_expense": 250},
                      {"year": 2024, "operating_revenue": 6500, "main_business_revenue": 6500, "rd_expense": 260},
                      {"year": 2025, "operating_revenue": 7000, "main_business_revenue": 7000, "rd_expense": 80,
                       "total_assets": 5000, "total_liabilities": 1000}], **extra}


def test_a_valid_little_giant_certificate_satisfies_the_srdi_prerequisite():
    on = dt.date(2026, 6, 30)
    held = {"qualifications": [{"kind": "little_giant", "first_recognized_on": "2024-07-01",
                                "valid_from": "2024-07-01", "valid_until": "2027-06-30"}]}
    v = evaluate("little_giant", _facts(**held), on)
    c = v.condition("little_giant.prerequisite")
    assert c.status == "pass" and "专精特新“小巨人”企业" in c.detail
    # an expired one does not count, and the row then says what the enterprise lacks
    expired = {"qualifications": [{"kind": "little_giant", "valid_from": "2021-07-01", "valid_until": "2024-06-30"}]}
    c = evaluate("little_giant", _facts(**expired), on).condition("little_giant.prerequisite")
    assert c.status == "fail" and c.gap == "需先取得专精特新中小企业资格"


def test_failed_rd_row_states_the_enterprises_own_figures():
    v = evaluate("srdi_sme", _facts(), dt.date(2026, 6, 30))
    c = next(c for c in v.conditions if "研发费用" in c.label and c.status == "fail")
    assert "2025 年研发费用 80 万元" in c.detail and "不低于" not in c.detail


def test_only_one_year_of_data_names_the_missing_years():
    facts = {"established_on": "2015-01-01", "employees": 50, "tech_staff": 10,
             "years": [{"year": 2025, "sales_revenue": 3000, "rd_expense": 200}]}
    c = evaluate("hnte", facts, dt.date(2026, 6, 30)).condition("hnte.rd_ratio")
    assert c.status == "missing"
    assert "2023、2024、2025 年研发费用合计" not in c.detail
    assert c.detail.startswith("缺少 2023、2024 年") and "已填 2025 年" in c.detail


@pytest.mark.django_db
def test_report_page_shows_no_internal_codes_and_marks_unconfirmed_rules_once(world, client_for):
    r = client_for(world.staff).get(f"/diagnosis/enterprise/{world.enterprise_a.pk}/?on=2026-06-30")
    from django.utils.html import strip_tags

    text = strip_tags(r.content.decode().split('<main class="content">')[1])
    assert raw_identifiers(text) == []
    assert "[S]" not in text and "scheme_scores" not in text and "niche_market_years" not in text
    # 2026 ladder rules are unconfirmed as a whole: said once per scheme in words, not on every row
    assert text.count("（待核实）") == 0
    assert "2026 年办法" in text
