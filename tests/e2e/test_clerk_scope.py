"""In a real browser, a township clerk signs in and sees only their township's enterprises."""

import io

import pytest
from openpyxl import load_workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_sees_only_own_township(world, page, live_url, sign_in):
    sign_in(page, world.clerk_a)
    assert "水头镇" in page.inner_text("header")
    page.click("nav >> text=企业列表")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("main")
    assert world.enterprise_a.name in body
    assert world.enterprise_b.name not in body
    # typing the other township's detail URL gives the Chinese 404 page
    response = page.goto(live_url("enterprises:detail", world.enterprise_b.pk))
    assert response.status == 404
    assert "页面不存在" in page.inner_text("body")
    # and the export holds only the own township
    page.goto(live_url("enterprises:list"))
    with page.expect_download() as info:
        page.click("text=导出")
    with open(info.value.path(), "rb") as fh:
        workbook = load_workbook(io.BytesIO(fh.read()))
    cells = " ".join(str(c.value) for ws in workbook for row in ws.iter_rows() for c in row)
    assert world.enterprise_a.uscc in cells and world.enterprise_b.uscc not in cells
