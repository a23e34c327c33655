"""The new-user flow in a real browser: download the template, fill it in, upload with one bad
row (exact row and reason shown, nothing saved), fix it, upload again (all saved), export (the
same data comes back)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kechuang.enterprises.models import Enterprise, FiscalYear
from tests.enterprises.helpers import USCC_1, USCC_2, good_rows

pytestmark = pytest.mark.browser


def _open(path) -> object:
    return load_workbook(io.BytesIO(Path(path).read_bytes()))


def _fill(path: Path, rows: dict) -> Path:
    wb = load_workbook(path)
    for title, data in rows.items():
        for row in data:
            wb[title].append(row)
    out = path.with_name("filled-" + path.name)
    wb.save(out)
    return out


def test_template_upload_fix_export(page, live_url, sign_in, world, tmp_path, screenshot):
    sign_in(page, world.staff)
    page.goto(live_url("enterprises:import"))
    with page.expect_download() as info:
        page.get_by_role("link", name="下载导入模板").click()
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)

    rows = good_rows()
    rows["年度数据"][1][7] = 7000  # 研究开发费用总额 above 销售收入 6000 on the second year row
    bad = _fill(template, rows)
    page.set_input_files("#id_file", str(bad))
    page.click("#upload-button")
    problems = page.locator("#import-problems")
    problems.wait_for()
    text = problems.inner_text()
    assert "发现 1 处错误，未保存任何数据" in text
    assert "第4行" in text and "研究开发费用总额（7000 万元）大于销售收入（6000 万元）" in text
    screenshot(page, "enterprises-import-errors")
    assert not Enterprise.objects.filter(uscc__in=[USCC_1, USCC_2]).exists()
    with page.expect_download() as info:
        page.click("#report-link")
    report = _open(info.value.path())
    assert report["年度数据"].cell(row=4, column=report["年度数据"].max_column).value.startswith("研究开发费用总额")

    good = _fill(template, good_rows())
    page.set_input_files("#id_file", str(good))
    page.click("#upload-button")
    page.locator("#import-ok").wait_for()
    assert "企业 新建 2" in page.locator("#import-ok").inner_text()
    assert FiscalYear.objects.filter(enterprise__uscc=USCC_1).count() == 2

    page.goto(live_url("enterprises:list", q="cs"))
    assert page.locator("#enterprise-table").inner_text().count("测试") == 2
    with page.expect_download() as info:
        page.click("#export-link")
    exported = _open(info.value.path())
    ents = {r[0]: r for r in exported["企业"].iter_rows(min_row=2, values_only=True)}
    assert set(ents) == {USCC_1, USCC_2}
    assert ents[USCC_1][1] == "测试石材有限公司" and ents[USCC_2][2] == "溪美街道"
    years = [r for r in exported["年度数据"].iter_rows(min_row=2, values_only=True)]
    assert [(r[1], r[2]) for r in years] == [(2024, 5000), (2025, 6000)]
    # importing the export changes nothing
    page.goto(live_url("enterprises:import"))
    export_file = tmp_path / "export.xlsx"
    info.value.save_as(export_file)
    page.set_input_files("#id_file", str(export_file))
    page.click("#upload-button")
    ok = page.locator("#import-ok").inner_text()
    assert "企业 新建 0 / 更新 0 / 未变 2" in ok and "年度数据 新建 0 / 更新 0 / 未变 2" in ok

