"""The targets API: series (contract 5) and scoped reports with the same checks as the pages."""
import json

import pytest

from kechuang.targets import services
from kechuang.targets.models import Report

pytestmark = pytest.mark.django_db


def test_series_and_bad_input(world, client_for):
    c = client_for(world.clerk_a)
    r = c.get("/api/targets/series", {"base": "22000", "growth": "0.2", "year_from": "2020", "year_to": "2025"})
    assert r.json() == {"2020": 22000, "2021": 26400, "2022": 31680, "2023": 38016, "2024": 45619, "2025": 54743}
    r = c.get("/api/targets/series", {"base": "两万", "growth": "0.2", "year_from": "2020", "year_to": "2025"})
    assert r.status_code == 422 and r.json()["field"] == "base"


def test_submit_and_list_scoped(world, client_for):
    services.period_open(user=world.staff, year=2023, kind="H1")
    c = client_for(world.clerk_a)

    def post(**body):
        data = {"year": 2023, "kind": "H1", "township": "水头", "indicator": "hnte_count", "value": "60", **body}
        return c.post("/api/targets/reports", json.dumps(data), content_type="application/json")

    ok = post()
    assert ok.status_code == 200 and ok.json()["township"] == "水头" and ok.json()["status"] == "submitted"
    assert post(value="六十").json() == {"detail": "高新技术企业数量 完成值：应为数字，实际为“六十”", "field": "value"}
    other = post(township="溪美")
    assert other.status_code == 403 and "不能填报溪美街道" in other.json()["detail"]
    assert post(kind="FY").json()["field"] == "period"
    assert post(value="61").json()["version"] == 2
    services.report_submit(user=world.clerk_b, period=Report.objects.get().period, region=world.township_b,
                           indicator=Report.objects.get().indicator, value="5")
    listed = c.get("/api/targets/reports", {"year": 2023}).json()
    assert [(x["township"], x["value"]) for x in listed] == [("水头", "61")]
