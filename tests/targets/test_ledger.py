"""Task ledger: the 9 tasks of 附件1 and the 20 measures of 南政规〔2025〕2号; milestone status."""
from datetime import date

import pytest

from kechuang.targets.ledger import load_task_specs, milestone_status
from kechuang.targets.numbers import TargetDataError


def test_ledger_has_the_nine_tasks_and_twenty_measures():
    specs = load_task_specs()
    annex1 = [s for s in specs if s.source.startswith("南政办〔2021〕67号")]
    measures = [s for s in specs if s.source.startswith("南政规〔2025〕2号")]
    assert len(annex1) == 9 and len(measures) == 20
    first = measures[0]
    assert first.title == "支持培育高新技术企业、专精特新企业"
    assert first.lead_units == ("市科技局", "市工信局")
    assert first.responsible_units == ("市发改局", "市教育局", "市财政局", "市人社局", "市资源局")
    assert annex1[8].responsible_units == ("市市场监管局",)
    assert measures[-1].due == date(2027, 12, 31)  # 有效期至 2027 年 12 月 31 日


@pytest.mark.parametrize("done_on, today, expected", [
    (date(2025, 6, 30), date(2025, 7, 5), "done"),
    (date(2025, 7, 1), date(2025, 7, 5), "done_late"),
    (None, date(2025, 7, 1), "overdue"),
    (None, date(2025, 6, 30), "due_soon"),
    (None, date(2025, 6, 23), "due_soon"),
    (None, date(2025, 6, 22), "pending"),
])
def test_milestone_status_boundaries(done_on, today, expected):
    assert milestone_status(date(2025, 6, 30), done_on, today) == expected


def test_bad_ledger_row_named(tmp_path):
    path = tmp_path / "l.yaml"
    path.write_text("tasks:\n  - {code: X1, source: s, title: t, responsible_units: [a], due: 明年}\n", encoding="utf-8")
    with pytest.raises(TargetDataError, match="X1.*due"):
        load_task_specs(path)
