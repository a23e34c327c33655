"""The seed plans and task ledger as loaded into the database by migrate."""
from decimal import Decimal

import pytest

from kechuang.core.models import ChangeLog, Region
from kechuang.targets.models import Indicator, PlanFinding, TargetPlan, Task
from kechuang.targets.reference import load_reference_data

pytestmark = pytest.mark.django_db


def test_plans_loaded_as_rules_for_real_regions():
    assert TargetPlan.objects.filter(document="南政办〔2021〕67号").count() == 187
    xuefeng = Region.resolve("雪峰华侨经济开发区")
    rd = TargetPlan.objects.get(document="南政办〔2021〕67号", indicator__code="rd_investment", region=xuefeng)
    assert rd.rule == "growth" and rd.values == {}
    assert rd.to_entry().targets[2025] == 4977
    hnte = TargetPlan.objects.get(indicator__code="hnte_count", region=xuefeng, document="南政办〔2021〕67号")
    assert hnte.source_unit_name == "雪峰开发区" and hnte.to_entry().targets[2025] == 7
    assert Region.townships().count() == 27
    assert set(TargetPlan.objects.filter(indicator__code="rd_investment", document="南政办〔2021〕67号")
               .values_list("region", flat=True)) == set(Region.townships().values_list("pk", flat=True))


def test_talent_finding_stored():
    f = PlanFinding.objects.get()
    assert (f.declared, f.computed) == (Decimal(14), Decimal(23))


def test_second_load_changes_nothing():
    before = ChangeLog.objects.count()
    assert load_reference_data() == 0
    assert ChangeLog.objects.count() == before


def test_ledger_units_resolved():
    assert Task.objects.count() == 29
    t = Task.objects.get(code="NZG2025-2-一")
    assert sorted(u.short_name for u in t.lead_units.all()) == ["市工信局", "市科技局"]
    assert "市资源局" in {u.short_name for u in t.responsible_units.all()}
    assert Task.objects.get(code="NZB2021-67-A1-3").townships_involved
    assert Indicator.objects.get(code="invention_patents_per_10k").reporting_org.short_name == "市市场监管局"


def test_bureau_weight_choice_survives_reload():
    hnte = Indicator.objects.get(code="hnte_count")
    assert hnte.weight == 25
    hnte.weight = 0
    hnte.save()
    load_reference_data()
    hnte.refresh_from_db()
    assert hnte.weight == 0
