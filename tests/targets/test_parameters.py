"""Platform parameters and the A-class talent equivalence (附件2 备注)."""
import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from kechuang.targets import selectors, services
from kechuang.targets.models import Indicator
from kechuang.targets.numbers import TargetDataError
from kechuang.targets.parameters import load_parameters


def test_shipped_parameters():
    p = load_parameters()
    assert p.talent_a_class_townships == () and p.talent_project_factor == Decimal("0.5")
    assert (p.scoring_cap, p.warning_green, p.warning_yellow) == (Decimal("1.2"), 1, Decimal("0.8"))


def test_bad_parameter_named(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("talent_a_class_townships: {value: []}\ntalent_project_factor: {value: 半个}\n"
                    "scoring_cap: {value: 1}\nwarning_green: {value: 1}\nwarning_yellow: {value: 0.8}\n",
                    encoding="utf-8")
    with pytest.raises(TargetDataError, match="talent_project_factor"):
        load_parameters(path)


@pytest.mark.django_db
def test_a_class_project_counts_half_a_team(world, monkeypatch):
    period = services.period_open(user=world.staff, year=2022, kind="FY")
    team, project = Indicator.objects.get(code="talent_team"), Indicator.objects.get(code="talent_project")
    # 水头 2022: 泉州市高层次人才团队 target 1, 创新创业项目 target 0 (附件2)
    for indicator, value in ((team, "0"), (project, "2")):
        r = services.report_submit(user=world.clerk_a, period=period, region=world.township_a, indicator=indicator,
                                   value=value)
        services.report_approve(user=world.staff, report=r)
    cell = selectors.period_assessment(user=world.staff, period=period, on=dt.date(2022, 12, 31)).cell(
        world.township_a, team)
    assert cell.target == 1 and cell.actual == 0 and cell.rate == 0
    a_class = dataclasses.replace(load_parameters(), talent_a_class_townships=("水头",))
    monkeypatch.setattr(selectors, "current_parameters", lambda: a_class)
    cell = selectors.period_assessment(user=world.staff, period=period, on=dt.date(2022, 12, 31)).cell(
        world.township_a, team)
    assert cell.actual == Decimal("1.0") and cell.rate == 1
