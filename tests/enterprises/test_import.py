"""Excel import: whole-workbook validation (every error kind), nothing saved on any bad row,
dry run, update-or-create on USCC, change log naming the import, round trip with the export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kechuang.core.models import ChangeLog
from kechuang.enterprises.excel_io import WorkbookError, error_report
from kechuang.enterprises.exports import export_workbook
from kechuang.enterprises.imports import import_workbook
from kechuang.enterprises.models import Enterprise, FiscalYear, IPRight, Qualification
from tests.enterprises.helpers import USCC_1, USCC_2, filled_template, good_rows
from tests.world import SYSTEM

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)


def run(rows, **kwargs):
    kwargs.setdefault("user", SYSTEM)
    return import_workbook(filled_template(rows), filename="t.xlsx", today=TODAY, **kwargs)


def messages(result):
    return [str(p) for p in result.problems]


def test_good_workbook_commits_everything(world):
    result = run(good_rows())
    assert result.ok, messages(result)
    assert result.committed and result.skipped_examples == 4
    e1 = Enterprise.objects.get(uscc=USCC_1)
    assert e1.township.name == "水头镇" and e1.employees == 100 and e1.initials == "csscyxgs"
    assert Enterprise.objects.get(uscc=USCC_2).township.name == "溪美街道"  # alias 溪美 accepted
    fy = FiscalYear.objects.get(enterprise=e1, year=2025)
    assert fy.rd_expense == Decimal("300") and fy.net_profit == Decimal("-50")
    assert IPRight.objects.get(number="2023SR000001").acquired_by == "transfer"
    assert Qualification.objects.get(enterprise=e1).valid_until == dt.date(2027, 11, 30)
    assert result.counts["企业"] == {"create": 2, "update": 0, "unchanged": 0}


def test_change_log_names_the_import(world):
    run(good_rows())
    logs = ChangeLog.objects.filter(model="enterprises.Enterprise", action="create", source="import:t.xlsx")
    assert sorted(logs.values_list("object_repr", flat=True)) == ["测试石材有限公司", "测试科技有限公司"]
    assert ChangeLog.objects.filter(model="enterprises.FiscalYear", source="import:t.xlsx").count() == 2


def test_dry_run_saves_nothing(world):
    result = run(good_rows(), dry_run=True)
    assert result.ok and not result.committed
    assert result.counts["企业"]["create"] == 2
    assert not Enterprise.objects.filter(uscc=USCC_1).exists()


@pytest.mark.parametrize("sheet, index, value, expected", [
    ("企业", 0, "91350583MA2Y1TEXT0", "第3行 统一社会信用代码: “91350583MA2Y1TEXT0”无效：校验位错误"),
    ("企业", 0, "9135058", "应为 18 位"),
    ("企业", 2, "火星镇", "第3行 所属乡镇: 未知的乡镇“火星镇”"),
    ("企业", 3, "2026-07-01", "第3行 成立日期: 日期 2026-07-01 在未来"),
    ("企业", 4, "一百", "第3行 职工总数: 应为整数，实际为“一百”"),
    ("企业", 5, 101, "第3行 科技人员数: 科技人员数（101）不能大于职工总数（100）"),
    ("企业", 1, None, "第3行 企业名称: 必填，不能为空"),
    ("年度数据", 2, -1, "第3行 销售收入: 不能为负数（-1）"),
    ("年度数据", 2, "abc", "第3行 销售收入: 应为数字（万元），实际为“abc”"),
    ("年度数据", 7, 5000.01, "第3行 研究开发费用总额: 研究开发费用总额（5000.01 万元）大于销售收入（5000 万元）"),
    ("年度数据", 1, 2027, "第3行 年度: 年度 2027 在未来"),
    ("年度数据", 2, "1.23456", "最多保留 4 位小数"),
    ("知识产权", 1, "专利", "第3行 类型: 未知的类型“专利”"),
    ("知识产权", 7, "也许", "第3行 是否核心: 应填“是”或“否”"),
    ("资质", 5, "2024-11-30", "有效期止 2024-11-30 早于有效期起 2024-12-01"),
])
def test_each_bad_cell_is_reported_and_nothing_is_saved(world, sheet, index, value, expected):
    rows = good_rows()
    data_row = 0 if sheet != "年度数据" else 0
    rows[sheet][data_row][index] = value
    result = run(rows)
    assert not result.ok and not result.committed
    assert any(expected in m for m in messages(result)), messages(result)
    assert not Enterprise.objects.filter(uscc__in=[USCC_1, USCC_2]).exists()
    assert not FiscalYear.objects.exists()


def test_boundary_rd_equal_to_revenue_is_accepted(world):
    rows = good_rows()
    rows["年度数据"][0][7] = 5000  # R&D = 销售收入 exactly: allowed (not greater)
    rows["年度数据"][0][8] = 5000
    assert run(rows).ok


def test_boundary_date_today_accepted_tomorrow_refused(world):
    rows = good_rows()
    rows["企业"][0][3] = TODAY.isoformat()
    assert run(rows, dry_run=True).ok
    rows["企业"][0][3] = (TODAY + dt.timedelta(days=1)).isoformat()
    assert not run(rows, dry_run=True).ok


def test_duplicates_and_unknown_enterprise(world):
    rows = good_rows()
    rows["企业"].append(list(rows["企业"][0]))
    rows["年度数据"].append(list(rows["年度数据"][0]))
    unknown = "91350583MA2Y9TEXT"
    from tests.world import _uscc

    rows["资质"].append([_uscc(unknown), "科技型中小企业", None, None, "2025-01-01", "2025-12-31", None])
    result = run(rows)
    text = "\n".join(messages(result))
    assert "第5行 统一社会信用代码: 与第3行重复" in text
    assert "第5行 统一社会信用代码: 与第3行重复（同一企业的2024 年度）" in text
    assert f"第4行 统一社会信用代码: 企业“{_uscc(unknown)}”不存在" in text
    assert not Enterprise.objects.filter(uscc=USCC_1).exists()


def test_match_on_uscc_updates_existing(world):
    assert run(good_rows()).ok
    rows = good_rows()
    rows["企业"][0][1] = "测试石材（集团）有限公司"
    rows["年度数据"][1][13] = 80
    result = run(rows)
    assert result.ok
    assert result.counts["企业"] == {"create": 0, "update": 1, "unchanged": 1}
    assert result.counts["年度数据"] == {"create": 0, "update": 1, "unchanged": 1}
    e1 = Enterprise.objects.get(uscc=USCC_1)
    assert e1.name == "测试石材（集团）有限公司" and e1.initials.startswith("csscjt")
    assert FiscalYear.objects.get(enterprise=e1, year=2025).net_profit == Decimal("80")
    log = ChangeLog.objects.filter(model="enterprises.Enterprise", action="update").get()
    assert log.before["name"] == "测试石材有限公司" and log.after["name"] == "测试石材（集团）有限公司"


def test_round_trip_export_then_import_changes_nothing(world):
    assert run(good_rows()).ok
    before = ChangeLog.objects.count()
    data = export_workbook(Enterprise.objects.filter(uscc__in=[USCC_1, USCC_2]))
    result = import_workbook(data, filename="export.xlsx", today=TODAY, user=SYSTEM)
    assert result.ok, messages(result)
    for counts in result.counts.values():
        assert counts["create"] == 0 and counts["update"] == 0
    assert result.counts["企业"]["unchanged"] == 2 and result.counts["知识产权"]["unchanged"] == 2
    assert ChangeLog.objects.count() == before


def test_error_report_is_the_same_workbook_with_an_error_column(world):
    rows = good_rows()
    rows["年度数据"][1][2] = -5
    data = filled_template(rows)
    result = import_workbook(data, filename="t.xlsx", today=TODAY, user=SYSTEM)
    report = load_workbook(io.BytesIO(error_report(data, result.problems)))
    ws = report["年度数据"]
    headers = [c.value for c in ws[1]]
    assert headers[-1] == "错误说明" and headers[0] == "统一社会信用代码"
    assert ws.cell(row=4, column=len(headers)).value == "销售收入: 不能为负数（-5）"
    assert ws.cell(row=3, column=len(headers)).value is None
    assert report.sheetnames[:4] == ["企业", "年度数据", "知识产权", "资质"]


def test_xls_and_other_files_get_a_clear_message(world):
    with pytest.raises(WorkbookError, match="另存为"):
        import_workbook(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, filename="old.xls", user=SYSTEM)
    with pytest.raises(WorkbookError, match="CSV"):
        import_workbook("统一社会信用代码,企业名称\n1,2\n".encode(), filename="renamed.xlsx", user=SYSTEM)


def test_wps_style_text_cells_and_serial_dates(world):
    """WPS often stores numbers as text and dates as serial numbers without a date format."""
    rows = good_rows()
    rows["企业"][0][3] = 42081  # 2015-03-18 as an Excel serial day
    rows["企业"][0][4] = "100"
    rows["年度数据"][0][2] = "5,000"
    result = run(rows)
    assert result.ok, messages(result)
    e1 = Enterprise.objects.get(uscc=USCC_1)
    assert e1.established_on == dt.date(2015, 3, 18) and e1.employees == 100


def test_clerk_cannot_import_into_another_township(world):
    result = import_workbook(filled_template(good_rows()), filename="t.xlsx", user=world.clerk_a, today=TODAY)
    assert "第4行 所属乡镇: 只能导入本乡镇的企业（工作表“企业”）" in messages(result)
    assert not Enterprise.objects.filter(uscc=USCC_1).exists()
    rows = {"年度数据": [[world.enterprise_b.uscc, 2024, 10]]}
    result = import_workbook(filled_template(rows), filename="t.xlsx", user=world.clerk_a, today=TODAY)
    assert "第3行 统一社会信用代码: 该企业不在您可管理的范围内（工作表“年度数据”）" in messages(result)
