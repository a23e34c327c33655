"""政策找企 (issue 13 item 11): for a measure, the enterprises that qualify and those one condition
short with the missing condition; filter by 乡镇 and 行业; export; scoped like every list."""

import io

import pytest
from openpyxl import load_workbook

from kechuang.policies import services
from kechuang.policies.models import Measure
from kechuang.policies.reference import load_reference_data

pytestmark = pytest.mark.django_db


@pytest.fixture()
def hnte_award(world):
    load_reference_data()
    services.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="hnte_recognized",
                                 date="2026-03-01", fields={"first_time": True}, source="省科技厅认定名单")
    services.policy_event_record(user=world.staff, enterprise=world.enterprise_b, kind="hnte_recognized",
                                 date="2026-04-01", fields={"first_time": True}, source="省科技厅认定名单")
    return Measure.objects.get(policy__code="nanan-2025-2", code="nanan-2025-2.1a")


def test_finds_qualifying_enterprises_filtered_by_township_and_exports(world, client_for, hnte_award):
    c = client_for(world.staff)
    page = c.get("/policies/finder/", {"measure": hnte_award.pk, "year": 2026}).content.decode()
    assert world.enterprise_a.name in page and world.enterprise_b.name in page and "符合 2 家" in page
    page = c.get("/policies/finder/", {"measure": hnte_award.pk, "year": 2026,
                                       "township": world.township_a.pk}).content.decode()
    assert world.enterprise_a.name in page and world.enterprise_b.name not in page
    page = c.get("/policies/finder/", {"measure": hnte_award.pk, "year": 2026, "industry": "半导体"}).content.decode()
    assert "符合 0 家" in page
    r = c.get("/policies/finder/", {"measure": hnte_award.pk, "year": 2026, "format": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "企业名称")
    assert rows[head][:4] == ("企业名称", "统一社会信用代码", "所属乡镇", "行业")
    assert sorted(r[0] for r in rows[head + 1:] if r[0]) == sorted([world.enterprise_a.name, world.enterprise_b.name])
    # a year outside the policy: nobody, and no error
    assert "符合 0 家" in c.get("/policies/finder/", {"measure": hnte_award.pk, "year": 2024}).content.decode()
    for bad in ({"measure": "x"}, {"measure": hnte_award.pk, "year": "abc"}, {"measure": hnte_award.pk, "township": "z"}):
        assert c.get("/policies/finder/", bad).status_code == 200


def test_a_clerk_finds_only_their_township(world, client_for, hnte_award):
    page = client_for(world.clerk_a).get("/policies/finder/", {"measure": hnte_award.pk, "year": 2026}).content.decode()
    assert world.enterprise_a.name in page and world.enterprise_b.name not in page
    assert client_for(world.ent_user_a).get("/policies/finder/").status_code == 403


def test_case_list_filters_by_measure_and_township(world, client_for, hnte_award):
    services.screening_run(user=world.staff, year=2026)
    c = client_for(world.staff)
    page = c.get("/policies/cases/", {"measure": hnte_award.pk, "township": world.township_b.pk}).content.decode()
    assert world.enterprise_b.name in page and world.enterprise_a.name not in page
    other = Measure.objects.exclude(pk=hnte_award.pk).filter(policy__code="nanan-2025-2").first()
    page = c.get("/policies/cases/", {"measure": other.pk}).content.decode()
    assert world.enterprise_a.name not in page and world.enterprise_b.name not in page


def test_a_non_monetary_measure_shows_what_it_gives_not_an_amount_of_0(world, client_for, hnte_award):
    """Walked as a new user: 高研发投入企业资源配置倾斜 and the 用地和能耗指标保障 listed every
    qualifying enterprise with an amount of 0 万元."""
    import datetime as dt

    from kechuang.enterprises.models import Qualification

    Qualification.objects.create(enterprise=world.enterprise_a, kind="hnte", first_recognized_on=dt.date(2025, 12, 1),
                                 valid_from=dt.date(2025, 12, 1), valid_until=dt.date(2028, 11, 30))
    land = Measure.objects.get(policy__code="nanan-2025-2", title__contains="用地和能耗")
    c = client_for(world.staff)
    page = c.get("/policies/finder/", {"measure": land.pk, "year": 2026}).content.decode()
    assert world.enterprise_a.name in page and "保障用地、能耗等指标" in page
    assert '<span class="badge ok">符合</span></td>\n      <td>0</td>' not in page and "<td>0</td>" not in page
    ws = load_workbook(io.BytesIO(c.get("/policies/finder/", {"measure": land.pk, "year": 2026,
                                                              "format": "xlsx"}).content)).active
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "企业名称")
    row = next(r for r in rows[head + 1:] if r[0] == world.enterprise_a.name)
    assert row[5] is None and row[7] == "保障用地、能耗等指标"
