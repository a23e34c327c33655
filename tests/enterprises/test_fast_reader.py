"""The fast lxml sheet reader gives exactly what openpyxl gives (values, row numbers, dates)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from kechuang.enterprises.excel_io import _read_fast, _read_openpyxl
from tests.enterprises.helpers import filled_template, good_rows

TODAY = dt.date(2026, 6, 30)


def _same(data: bytes):
    fast, slow = _read_fast(data, TODAY), _read_openpyxl(data, TODAY)
    assert {k: [(r.row, r.values) for r in v] for k, v in fast.rows.items()} == \
           {k: [(r.row, r.values) for r in v] for k, v in slow.rows.items()}
    assert [str(p) for p in fast.problems] == [str(p) for p in slow.problems]
    assert fast.skipped_examples == slow.skipped_examples
    return fast


@pytest.mark.django_db
def test_template_with_rows_reads_the_same():
    rows = good_rows()
    rows["年度数据"][0][2] = "abc"  # a problem, reported identically
    fast = _same(filled_template(rows))
    assert fast.rows["企业"][0].values["established_on"] == dt.date(2015, 3, 18)


def test_gaps_rich_types_custom_date_formats_read_the_same():
    wb = Workbook()
    ws = wb.active
    ws.title = "企业"
    ws.append(["统一社会信用代码", "企业名称", "所属乡镇", "成立日期", "职工总数", "标签", "备注"])
    ws.append(["91350583MA2Y0RAAAX", "甲", "水头镇", dt.datetime(2015, 3, 18), 12.0, "a、b", None])
    ws.cell(row=2, column=4).number_format = "yyyy年m月d日"
    ws.cell(row=5, column=1, value="91350583MA2Y0RBBBX")  # rows 3-4 missing entirely
    ws.cell(row=5, column=4, value=42081)  # a serial number without a date format
    ws.cell(row=5, column=5, value=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    fast = _same(buffer.getvalue())
    assert [r.row for r in fast.rows["企业"]] == [2, 5]
    assert fast.rows["企业"][0].values["established_on"] == dt.date(2015, 3, 18)
