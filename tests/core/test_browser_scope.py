"""In a real browser, a township clerk signs in and sees only their township's enterprises."""

import pytest

from tests.conftest import sign_in
from tests.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_sees_only_own_township(world, browser_page, live_server):
    page = browser_page
    sign_in(page, live_server.url, "clerk_a", PASSWORD)
    assert "水头镇" in page.inner_text("header")
    page.click("nav >> text=企业列表")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("main")
    assert world.enterprise_a.name in body
    assert world.enterprise_b.name not in body
    # typing the other township's detail URL gives the Chinese 404 page
    response = page.goto(f"{live_server.url}/enterprises/{world.enterprise_b.pk}/")
    assert response.status == 404
    assert "页面不存在" in page.inner_text("body")
    # and the export holds only the own township
    with page.expect_download() as info:
        page.goto(f"{live_server.url}/enterprises/")
        page.click("text=导出")
    content = open(info.value.path(), "rb").read()
    import io

    from openpyxl import load_workbook

    cells = " ".join(str(c.value) for ws in load_workbook(io.BytesIO(content)) for row in ws.iter_rows() for c in row)
    assert world.enterprise_a.uscc in cells and world.enterprise_b.uscc not in cells
