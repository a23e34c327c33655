"""`kechuang targets generate` / `check` (contract section 5)."""
import json
import os
from io import StringIO

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
django.setup()  # no database needed: also runs under `pytest -p no:django`

from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402


def run(*args):
    out = StringIO()
    call_command("targets", *args, stdout=out)
    return out.getvalue()


def test_generate_json_matches_contract():
    out = run("generate", "--base", "22000", "--growth", "0.2", "--from", "2020", "--to", "2025", "--json")
    assert json.loads(out) == {"2020": 22000, "2021": 26400, "2022": 31680, "2023": 38016,
                               "2024": 45619, "2025": 54743}


def test_generate_with_decimals():
    out = run("generate", "--base", "1.43", "--growth", "0.2", "--from", "2020", "--to", "2025",
              "--decimals", "2", "--json")
    # 柳城 每万人口发明专利 1.43 × 1.2^5 = 3.5582… → 3.56
    assert json.loads(out)["2025"] == 3.56


def test_generate_human_readable():
    out = run("generate", "--base", "500", "--growth", "0.2", "--from", "2020", "--to", "2021")
    assert out.splitlines() == ["2020年：500", "2021年：600"]


@pytest.mark.parametrize("args, field", [
    (["--base", "两万", "--growth", "0.2", "--from", "2020", "--to", "2025"], "base"),
    (["--base", "1", "--growth", "0.2", "--from", "2025", "--to", "2020"], "to"),
    (["--base", "1", "--growth", "0.2", "--from", "2020", "--to", "2025", "--decimals", "x"], "--decimals"),
])
def test_generate_bad_input(args, field):
    with pytest.raises(CommandError, match=field):
        run("generate", *args)


def test_check_reports_the_talent_total():
    data = json.loads(run("check", "--json"))
    findings = [f for d in data["documents"] for f in d["findings"]]
    assert [(f["table"], f["declared"], f["computed"]) for f in findings] == [("talent", "14", "23")]


def test_check_a_file_with_a_bad_row(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("document: 测试〔2021〕1号\ntables:\n  - id: t\n    defaults: {indicator: hnte_count, rule: values,"
                    " years: [2022]}\n    rows:\n      - {unit: 溪美, values: [三十八]}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第1行（溪美） 2022年：应为数字"):
        run("check", "--file", str(path))
    with pytest.raises(CommandError, match="找不到文件"):
        run("check", "--file", str(tmp_path / "none.yaml"))
