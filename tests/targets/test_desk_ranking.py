"""The bureau desk's township ranking: computed once per data stamp and day (it was a full period
assessment on every home page, the dearest part of the page under load), and never stale."""
import pytest
from django.core.cache import cache

from kechuang.targets import desk, services
from kechuang.targets.models import Indicator
from kechuang.targets.selectors import period_assessment

pytestmark = pytest.mark.django_db


def test_desk_ranking_is_the_assessment_ranking_cached_until_the_data_changes(world, monkeypatch):
    cache.clear()
    period = services.period_open(user=world.staff, year=2023, kind="FY")
    hnte = Indicator.objects.get(code="hnte_count")
    # 水头 2023 高企 target 81 → 90 (111.11); 溪美 49 → 40 (81.63)
    for clerk, region, value in ((world.clerk_a, world.township_a, "90"), (world.clerk_b, world.township_b, "40")):
        r = services.report_submit(user=clerk, period=period, region=region, indicator=hnte, value=value)
        services.report_approve(user=world.staff, report=r)
    [chart] = desk.charts(world.staff)
    expected = [r for r in period_assessment(user=world.staff, period=period).ranking if r.score is not None]
    assert chart.labels == [r.unit for r in reversed(expected)] == ["溪美", "水头"]
    assert chart.values == [float(r.score) for r in reversed(expected)] == [81.63, 111.11]

    calls = []
    real = period_assessment
    monkeypatch.setattr("kechuang.targets.selectors.period_assessment",
                        lambda **kw: calls.append(kw) or real(**kw))
    assert desk.charts(world.staff)[0].values == [81.63, 111.11] and calls == []   # from the cache
    r = services.report_submit(user=world.clerk_b, period=period, region=world.township_b,
                               indicator=Indicator.objects.get(code="rd_investment"), value="38016")
    services.report_approve(user=world.staff, report=r)   # a logged write: a new data stamp
    [chart] = desk.charts(world.staff)
    fresh = [r for r in real(user=world.staff, period=period).ranking if r.score is not None]
    assert len(calls) == 1 and chart.values == [float(r.score) for r in reversed(fresh)] != [81.63, 111.11]
    assert desk.charts(world.clerk_a) == []
