"""`kechuang diagnose` (contract section 3): JSON output, Chinese text, exit code 2 on bad facts."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

GOOD = {"name": "示例", "established_on": "2019-03-01", "employees": 100, "tech_staff": 8,
        "high_tech_field": "新材料", "incident_last_year": False,
        "years": [{"year": y, "sales_revenue": 3000, "rd_expense": r, "rd_expense_domestic": r,
                   "total_income": 3000, "hitech_revenue": 1800, "net_assets": 1000}
                  for y, r in ((2023, 150), (2024, 150), (2025, 123))],
        "ip_rights": [{"kind": "invention_patent", "granted_on": "2022-01-01", "core": True}],
        "conversions": []}


def run(tmp_path, facts, *args):
    p = tmp_path / "facts.json"
    p.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("diagnose", "--facts", str(p), *args, stdout=out)
    return out.getvalue()


def test_json_has_contract_keys_and_fixed_ids(tmp_path):
    doc = json.loads(run(tmp_path, GOOD, "--scheme", "hnte", "--on", "2026-06-30", "--json"))
    assert doc["scheme"] == "hnte" and doc["evaluated_on"] == "2026-06-30"
    assert doc["eligible"] is False
    for key in ("rules_version", "score", "components", "conditions", "missing"):
        assert key in doc
    ids = [c["id"] for c in doc["conditions"]]
    assert ids == ["hnte.registered_1y", "hnte.ip_ownership", "hnte.high_tech_field",
                   "hnte.tech_staff_ratio", "hnte.rd_ratio", "hnte.rd_domestic_share",
                   "hnte.hitech_revenue_share", "hnte.innovation_score", "hnte.no_incident"]
    rd = doc["conditions"][4]
    assert rd["status"] == "fail" and rd["threshold"] == 0.05 and rd["value"] == 0.047
    assert rd["citation"].startswith("国科发火〔2016〕32号 第十一条（五）")
    assert "27.0 万元" in rd["gap"]
    assert set(doc["components"]) == {"ip", "conversion", "rd_management", "growth"}


def test_tsme_fixed_ids_and_components(tmp_path):
    doc = json.loads(run(tmp_path, GOOD, "--scheme", "tsme", "--on", "2026-06-30", "--json"))
    assert [c["id"] for c in doc["conditions"]] == [
        "tsme.mainland_resident", "tsme.size_limits", "tsme.industry_allowed",
        "tsme.clean_record", "tsme.score", "tsme.direct_confirmation"]
    assert set(doc["components"]) == {"tech_staff", "rd", "ip"}


def test_human_output_is_chinese(tmp_path):
    text = run(tmp_path, GOOD, "--scheme", "hnte", "--on", "2026-06-30")
    assert "【高新技术企业】" in text and "还需 2 名科技人员" in text


def test_all_schemes_in_one_json_document(tmp_path):
    doc = json.loads(run(tmp_path, GOOD, "--scheme", "all", "--on", "2026-06-30", "--json"))
    assert [v["scheme"] for v in doc["verdicts"]] == ["hnte", "tsme", "innovative_sme", "srdi_sme", "little_giant"]


@pytest.mark.parametrize("facts, needle", [
    ({"years": [{"year": 2025, "rd_expense": "12万"}]}, "years[0].rd_expense"),
    ({"employees": -3}, "employees"),
    ({"employees": 10, "tech_staff": 11}, "tech_staff"),
    ({"years": [{"year": 2025}, {"year": 2025}]}, "years[1].year"),
])
def test_bad_facts_exit_2_naming_the_key(tmp_path, facts, needle):
    with pytest.raises(CommandError) as e:
        run(tmp_path, facts, "--scheme", "hnte")
    assert e.value.returncode == 2
    assert needle in str(e.value)


def test_bad_json_and_bad_scheme_and_bad_date_exit_2(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError) as e:
        call_command("diagnose", "--scheme", "hnte", "--facts", str(p))
    assert e.value.returncode == 2 and "JSON" in str(e.value)
    with pytest.raises(CommandError) as e:
        run(tmp_path, GOOD, "--scheme", "gazelle")
    assert e.value.returncode == 2
    with pytest.raises(CommandError) as e:
        run(tmp_path, GOOD, "--scheme", "hnte", "--on", "2026/06/30")
    assert e.value.returncode == 2 and "--on" in str(e.value)


def test_rules_version_changes_on_2026_04_01(tmp_path):
    a = json.loads(run(tmp_path, GOOD, "--scheme", "srdi_sme", "--on", "2026-03-31", "--json"))
    b = json.loads(run(tmp_path, GOOD, "--scheme", "srdi_sme", "--on", "2026-04-01", "--json"))
    assert a["rules_version"].startswith("srdi-2022") and b["rules_version"].startswith("srdi-2026")
