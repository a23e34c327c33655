"""Demo data (deterministic, idempotent, consistent, marked) and the import/template commands."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from stdnum.cn import uscc

from kechuang.enterprises.demo import generate, uscc_for
from kechuang.enterprises.facts import facts_for_population
from kechuang.enterprises.models import Enterprise, FiscalYear
from kechuang.rules.facts import parse_facts
from tests.enterprises.helpers import USCC_1, filled_template, good_rows

pytestmark = pytest.mark.django_db


def test_demo_is_deterministic_idempotent_and_consistent(world):
    first = generate(40, seed=11)
    assert first["created"] == 40
    snapshot = sorted(Enterprise.objects.filter(is_demo=True).values_list("uscc", "name", "township_id"))
    again = generate(40, seed=11)
    assert again == {"created": 0, "existing": 40, "years": 0, "ip": 0, "qualifications": 0, "credits": 0}
    assert sorted(Enterprise.objects.filter(is_demo=True).values_list("uscc", "name", "township_id")) == snapshot
    assert all(uscc.is_valid(code) for code, _, _ in snapshot)
    assert all("演示数据" in tags for tags in Enterprise.objects.filter(is_demo=True).values_list("tags", flat=True))
    for fy in FiscalYear.objects.all():
        assert fy.rd_expense <= fy.sales_revenue and fy.rd_expense_domestic <= fy.rd_expense
        assert fy.hitech_revenue <= fy.total_income
    counts = {}
    for fy in FiscalYear.objects.values_list("enterprise_id", flat=True):
        counts[fy] = counts.get(fy, 0) + 1
    assert set(counts.values()) <= {3, 4, 5}
    population = facts_for_population(Enterprise.objects.filter(is_demo=True))
    for facts in population.facts:
        parse_facts(facts)
    assert uscc_for(1) != uscc_for(2)


def test_import_command_exit_codes(world, tmp_path, capsys):
    rows = good_rows()
    rows["年度数据"][0][2] = -1
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(filled_template(rows))
    with pytest.raises(CommandError) as exc:
        call_command("enterprises", "import", str(bad), "--report", str(tmp_path / "report.xlsx"))
    assert exc.value.returncode == 1
    out = capsys.readouterr().out
    assert "第3行 销售收入: 不能为负数（-1）（工作表“年度数据”）" in out
    ws = load_workbook(tmp_path / "report.xlsx")["年度数据"]
    assert ws.cell(row=1, column=ws.max_column).value == "错误说明"
    assert ws.cell(row=3, column=ws.max_column).value == "销售收入: 不能为负数（-1）"
    good = tmp_path / "good.xlsx"
    good.write_bytes(filled_template(good_rows()))
    call_command("enterprises", "import", str(good), "--dry-run")
    assert not Enterprise.objects.filter(uscc=USCC_1).exists()
    call_command("enterprises", "import", str(good))
    assert Enterprise.objects.filter(uscc=USCC_1).exists()
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(CommandError, match="另存为") as exc:
        call_command("enterprises", "import", str(old))
    assert exc.value.returncode == 1


def test_template_command(world, tmp_path):
    path = tmp_path / "t.xlsx"
    call_command("enterprises", "template", str(path))
    wb = load_workbook(io.BytesIO(path.read_bytes()))
    assert wb.sheetnames == ["企业", "年度数据", "知识产权", "资质", "填写说明", "下拉列表"]
    headers = [c.value for c in wb["年度数据"][1]]
    for h in ("统一社会信用代码", "年度", "销售收入", "营业收入", "主营业务收入", "总收入", "高新技术产品收入",
              "研究开发费用总额", "境内研究开发费用", "成本费用支出总额", "资产总额", "负债总额", "净资产", "净利润"):
        assert h in headers
    assert {"统一社会信用代码", "类型", "授权日期", "获得方式", "是否核心"} <= {c.value for c in wb["知识产权"][1]}
    assert {"统一社会信用代码", "资质类型", "首次认定日期", "有效期起", "有效期止"} <= {c.value for c in wb["资质"][1]}
    lists = [c.value for c in wb["下拉列表"]["A"]][1:]
    assert len(lists) == 27 and "水头镇" in lists
