"""The registry loader gives the same features as the facts bridge; a recorded run stores results."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from kechuang.diagnosis.loader import load_population
from kechuang.diagnosis.models import DiagnosisResult, DiagnosisRun
from kechuang.diagnosis.services import diagnosis_run_create
from kechuang.rules.engine import SCHEMES, evaluate, evaluate_population_all
from kechuang.rules.facts import parse_facts
from kechuang.rules.features import features_from_population
from kechuang.rules.population import Population

ON = dt.date(2026, 6, 30)


def _fill(world):
    from kechuang.enterprises.models import CreditRecord, Enterprise, FiscalYear, IPRight, Qualification

    a, b = world.enterprise_a, world.enterprise_b
    Enterprise.objects.filter(pk=a.pk).update(established_on=dt.date(2019, 3, 1), employees=100, tech_staff=12,
                                              rd_staff=10, high_tech_field="新材料", restricted_industry=False)
    Enterprise.objects.filter(pk=b.pk).update(established_on=dt.date(2025, 9, 1), employees=20, tech_staff=1,
                                              high_tech_field="不属于")
    for y, r in ((2023, "150.1234"), (2024, "160"), (2025, "170.5")):
        FiscalYear.objects.create(enterprise=a, year=y, sales_revenue=Decimal("3000"), rd_expense=Decimal(r),
                                  rd_expense_domestic=Decimal(r), total_income=Decimal("3100"),
                                  hitech_revenue=Decimal("2000"), net_assets=Decimal("1000") + y - 2023,
                                  operating_revenue=Decimal("3100"), main_business_revenue=Decimal("3000"),
                                  total_assets=Decimal("5000"), total_liabilities=Decimal("2000"))
    FiscalYear.objects.create(enterprise=b, year=2025, sales_revenue=Decimal("10.5"))
    IPRight.objects.create(enterprise=a, kind="invention_patent", granted_on=dt.date(2022, 1, 1),
                           acquired_by="self", core=True)
    IPRight.objects.create(enterprise=a, kind="utility_model", granted_on=dt.date(2023, 1, 1), used_for_hnte=True)
    Qualification.objects.create(enterprise=a, kind="tsme", valid_from=dt.date(2026, 1, 1),
                                 valid_until=dt.date(2026, 12, 31))
    CreditRecord.objects.create(enterprise=b, kind="abnormal_operation", occurred_on=dt.date(2026, 1, 1))
    return a, b


@pytest.mark.django_db
def test_loader_features_equal_facts_bridge_features(world):
    from kechuang.enterprises.facts import facts_for_population
    from kechuang.enterprises.models import Enterprise

    _fill(world)
    qs = Enterprise.objects.all()
    loaded = load_population(qs, on=ON)
    pf = facts_for_population(qs.order_by("pk"), on=ON)
    assert list(loaded.ids) == pf.ids
    via_facts = Population.from_facts([parse_facts(f) for f in pf.facts])
    A = features_from_population(loaded.population, ON)
    B = features_from_population(via_facts, ON)
    for k in B:
        assert np.array_equal(A[k], B[k]), k
    batch = evaluate_population_all(loaded.population, ON)
    for i, f in enumerate(pf.facts):
        for s in SCHEMES:
            v = evaluate(s, f, ON)
            assert batch[s].eligible[i] == (-1 if v.eligible is None else int(v.eligible))


@pytest.mark.django_db
def test_run_is_recorded_with_results_and_ladder(world):
    a, b = _fill(world)
    run = diagnosis_run_create(user=world.staff, on=ON)
    assert run.enterprise_count == DiagnosisResult.objects.filter(run=run).count() >= 2
    assert set(run.rules_versions) == set(SCHEMES)
    ra = DiagnosisResult.objects.get(run=run, enterprise=a)
    rb = DiagnosisResult.objects.get(run=run, enterprise=b)
    assert ra.rung == 1  # holds a valid 科技型中小企业 on 2026-06-30
    assert rb.rung == 0
    assert ra.township_id == a.township_id
    assert len(ra.statuses.split("|")) == 5
    # b: core technology outside the supported fields → not closable within a year
    assert rb.hnte_pool is False
    assert rb.target_scheme == "hnte" and rb.top_condition
    assert DiagnosisRun.objects.get(pk=run.pk).finished_at is not None
