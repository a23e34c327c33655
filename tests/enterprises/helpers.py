"""Workbook builders for the enterprise tests: a template filled in like a clerk would."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from kechuang.enterprises.excel_io import write_template
from tests.world import _uscc

USCC_1 = _uscc("91350583MA2Y1TEXT")
USCC_2 = _uscc("91350583MA2Y2TEXT")


def filled_template(rows: dict[str, list[list]], townships=("水头镇", "溪美街道")) -> bytes:
    """The product's own template with `rows` appended below the example rows, per sheet."""
    buffer = io.BytesIO()
    write_template(buffer, list(townships))
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    for title, data in rows.items():
        ws = wb[title]
        for row in data:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def good_rows() -> dict[str, list[list]]:
    """Two enterprises with figures, IP and a qualification — all valid."""
    return {
        "企业": [[USCC_1, "测试石材有限公司", "水头镇", "2015-03-18", 100, 20, 15, "新材料"],
                 [USCC_2, "测试科技有限公司", "溪美", "2019-06-01", 50, 10, 8, "不属于"]],
        "年度数据": [[USCC_1, 2024, 5000, 5100, 4900, 5200, 3000, 250, 240, 4500, 6000, 2500, 3500, 300],
                    [USCC_1, 2025, 6000, 6100, 5900, 6200, 3600, 300, 290, 5400, 7000, 2800, 4200, -50]],
        "知识产权": [[USCC_1, "发明专利", "ZL202310000001.1", "一种石材切割方法", "2024-05-20", None, "自主研发", "是", "否"],
                    [USCC_2, "软件著作权", "2023SR000001", "管理软件", "2023-01-10", None, "受让", "否", "否"]],
        "资质": [[USCC_1, "高新技术企业", "GR202435000001", "2021-12-01", "2024-12-01", "2027-11-30", "国家级"]],
    }
