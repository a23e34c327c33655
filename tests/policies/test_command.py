"""`kechuang policy calc` (contract section 4): works without a database, clear errors."""
import json
import os
from io import StringIO

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
django.setup()  # no database needed: also runs under `pytest -p no:django`

from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402

FACTS = {"name": "测试企业", "region": "水头镇",
         "events": [{"kind": "hnte_recognized", "date": "2026-03-15", "first_time": True},
                    {"kind": "challenge_project_accepted", "date": "2026-06-01"}]}


def run(*args):
    out = StringIO()
    call_command("policy", *args, stdout=out)
    return out.getvalue()


@pytest.fixture()
def facts_file(tmp_path):
    def write(obj):
        f = tmp_path / "facts.json"
        f.write_text(obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False), encoding="utf-8")
        return str(f)
    return write


def test_calc_json_matches_contract(facts_file):
    doc = json.loads(run("calc", "--facts", facts_file(FACTS), "--year", "2026", "--json"))
    assert doc["year"] == 2026 and doc["region"] == "水头镇"
    first = doc["measures"][0]
    assert {k: first[k] for k in ("id", "policy", "article", "title", "status", "amount", "amount_max")} == {
        "id": "nanan-2025-2.1a", "policy": "南政规〔2025〕2号", "article": "（一）",
        "title": "国家高新技术企业认定奖励", "status": "eligible", "amount": 10.0, "amount_max": 10.0}
    assert {"basis", "stacking", "missing_conditions"} <= set(first)
    assert (doc["total"], doc["total_max"]) == (60.0, 210.0)
    assert all(x["status"] != "ineligible" for x in doc["measures"])


def test_calc_all_lists_ineligible(facts_file):
    doc = json.loads(run("calc", "--facts", facts_file(FACTS), "--year", "2026", "--json", "--all"))
    assert any(x["status"] == "ineligible" for x in doc["measures"])


def test_calc_human_readable(facts_file):
    out = run("calc", "--facts", facts_file(FACTS), "--year", "2026")
    assert "国家高新技术企业认定奖励：10万元" in out and "合计：60万元" in out


@pytest.mark.parametrize("facts, year, needle", [
    ({"events": [{"kind": "nope", "date": "2026-01-01"}]}, "2026", "events[0].kind"),
    ({"events": [{"kind": "hnte_recognized", "date": "2026-02-30"}]}, "2026", "events[0].date"),
    ({"events": [{"kind": "challenge_project_accepted", "date": "2026-02-01", "subsidy": 250}]}, "2026",
     "events[0].subsidy"),
    ("{not json", "2026", "不是有效的 JSON"),
    ([], "2026", "JSON 对象"),
    ({}, "二〇二六", "--year"),
])
def test_calc_bad_input(facts_file, facts, year, needle):
    with pytest.raises(CommandError) as exc:
        run("calc", "--facts", facts_file(facts), "--year", year, "--json")
    assert needle in str(exc.value)


def test_calc_missing_file():
    with pytest.raises(CommandError, match="无法读取"):
        run("calc", "--facts", "/nonexistent/facts.json")


def test_list_shows_assumptions():
    out = run("list")
    assert "南政规〔2025〕2号" in out and "[待确认]" in out


@pytest.mark.django_db
def test_screen_command(world):
    from kechuang.policies import services

    services.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="incubator_filed",
                                 date="2026-02-01")
    doc = json.loads(run("screen", "--year", "2026", "--json"))
    assert (doc["candidates"], doc["new"]) == (1, 1)
    assert json.loads(run("screen", "--year", "2026", "--json"))["new"] == 0
