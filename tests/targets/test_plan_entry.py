"""A new multi-year plan (the 十五五 2026—2030) entered in the product, by form and from a workbook in
the layout of the seed tables (南政办〔2021〕67号 附件2), through the same checks as the shipped
plans; and the demo generated around the date it runs on."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kechuang.core.models import ChangeLog, Region
from kechuang.core.permissions import PermissionRefused
from kechuang.targets import services
from kechuang.targets.models import Indicator, Period, PlanDocument, PlanFinding, Report, TargetPlan
from kechuang.targets.plan_entry import PlanHeader, enter_plan, read_workbook
from kechuang.targets.plans import PlanImportError
from kechuang.targets.selectors import missing_reports, period_assessment, plan_entries
from tests.world import SYSTEM

pytestmark = pytest.mark.django_db

HEADER = {"document": "南政办〔2026〕12号", "title": "南安市“十五五”科技创新目标任务分解表", "issuer": "南安市人民政府办公室",
          "issued_on": "2026-03-02", "first_year": "2026", "last_year": "2030"}


def _grid(indicator, rows: dict, **extra) -> dict:
    form = {**HEADER, "indicator": indicator.pk, **extra}
    for region, values in rows.items():
        for year, value in values.items():
            key = f"base-{region.pk}" if year == "base" else f"v-{region.pk}-{year}"
            form[key] = value
    return form


def test_form_enters_a_table_the_chain_gives_each_year_its_plan(world, client_for):
    staff = client_for(world.staff)
    hnte = Indicator.objects.get(code="hnte_count")
    form = _grid(hnte, {world.township_a: {2026: "140", 2027: "150", 2028: "160", 2029: "170", 2030: "180"},
                        world.township_b: {2026: "75", 2027: "80"}},
                 **{"sum-2026": "215", "sum-2027": "231"})
    page = staff.post(reverse("targets:plan_new"), form, follow=True).content.decode()
    assert "已保存 2 条目标" in page
    # the 合计 the person typed for 2027 (231) is not the rows' 230: reported, never taken
    assert "源表合计为 231，逐行合计为 230" in page
    doc = PlanDocument.objects.get(document="南政办〔2026〕12号")
    assert (doc.first_year, doc.last_year, doc.origin, doc.entered_by) == (2026, 2030, "form", world.staff)
    assert PlanFinding.objects.filter(document=doc.document, code="total_mismatch").count() == 1
    assert ChangeLog.objects.filter(model="targets.TargetPlan", action="create", user=world.staff).count() == 2
    chain = plan_entries()[(world.township_a.pk, "hnte_count")]
    assert chain.target_for(2026) == 140          # the new plan
    assert chain.target_for(2025) == 134          # 南政办〔2021〕67号 (水头 2025: 134)
    assert chain.value_for(2025) == 134           # the stock baseline of 2026
    assert plan_entries()[(world.township_b.pk, "hnte_count")].target_for(2028) is None
    # a clerk's 2026 reporting rows take the new plan's target
    period = services.period_open(user=world.staff, year=2026, kind="FY")
    page = client_for(world.clerk_a).get(reverse("targets:report"), {"period": period.pk}).content.decode()
    assert "2026年 140" in page
    plans_page = staff.get(reverse("targets:plans"), {"doc": doc.document}).content.decode()
    assert "2026—2030年《南安市“十五五”科技创新目标任务分解表》" in plans_page


def test_form_growth_rule_from_the_status_quo(world, client_for):
    rd = Indicator.objects.get(code="rd_investment")
    form = _grid(rd, {world.township_a: {"base": "25000"}}, growth="20")
    client_for(world.staff).post(reverse("targets:plan_new"), form)
    plan = TargetPlan.objects.get(document=HEADER["document"], region=world.township_a)
    assert (plan.rule, plan.base, plan.base_year, plan.growth) == ("growth", 25000, 2025, Decimal("0.2"))
    chain = plan_entries()[(world.township_a.pk, "rd_investment")]
    # 25000 × 1.2^5 = 62208 (the same rounding as 67号 附件2)
    assert [chain.target_for(y) for y in range(2026, 2031)] == [30000, 36000, 43200, 51840, 62208]


def test_form_errors_name_the_cell_and_nothing_is_saved(world, client_for):
    hnte = Indicator.objects.get(code="hnte_count")
    form = _grid(hnte, {world.township_a: {2026: "140"}, world.township_b: {2027: "八十", 2028: "-3"}})
    page = client_for(world.staff).post(reverse("targets:plan_new"), form).content.decode()
    assert "溪美 2027年：应为数字，实际为“八十”" in page
    assert "溪美 2028年：不能为负数" in page
    assert "未保存，请更正以下 2 处" in page
    assert not PlanDocument.objects.filter(document=HEADER["document"]).exists()
    assert not TargetPlan.objects.filter(document=HEADER["document"]).exists()


def test_header_and_overlap_checks(world):
    before = TargetPlan.objects.count()
    table = {"id": "高企", "rows": [{"unit": "水头", "indicator": "hnte_count", "rule": "values",
                                    "values": {2025: 1, 2026: 2}, "where": "水头"}]}
    with pytest.raises(PlanImportError) as exc:
        enter_plan(actor=SYSTEM, header=PlanHeader("演示〔2025〕9号", "重叠的文件", first_year=2025, last_year=2029),
                   tables=[table])
    assert "水头：水头镇的“高新技术企业数量”在 2025—2025 年已由 南政办〔2021〕67号 下达" in exc.value.errors
    with pytest.raises(PlanImportError) as exc:
        enter_plan(actor=SYSTEM, header=PlanHeader("X〔2026〕1号", "年份", first_year=2026, last_year=2030),
                   tables=[table])
    assert "水头：2025年不在本文件的 2026—2030 年内" in exc.value.errors
    with pytest.raises(PlanImportError) as exc:
        enter_plan(actor=SYSTEM, header=PlanHeader("", "", first_year=2030, last_year=2026), tables=[table])
    assert {"文号：必填（如 南政办〔2026〕12号）", "文件标题：必填", "终止年 2026 早于起始年 2030"} <= set(exc.value.errors)
    with pytest.raises(PlanImportError) as exc:   # a shipped document cannot be changed from a page
        enter_plan(actor=SYSTEM, header=PlanHeader("南政办〔2021〕67号", "改", first_year=2021, last_year=2025),
                   tables=[table])
    assert "文号 南政办〔2021〕67号 是随系统提供的文件，不能在页面上修改" in exc.value.errors
    assert TargetPlan.objects.count() == before and PlanDocument.objects.count() == 2


def test_only_staff_enter_plans(world, client_for):
    for url in ("targets:plan_new", "targets:plan_import", "targets:plan_template"):
        assert client_for(world.clerk_a).get(reverse(url)).status_code == 403
    assert client_for(world.clerk_a).post(reverse("targets:plan_new"), HEADER).status_code == 403
    with pytest.raises(PermissionRefused):
        enter_plan(actor=world.clerk_a, header=PlanHeader("A〔2026〕1号", "x", first_year=2026, last_year=2030),
                   tables=[])
    with pytest.raises(PermissionRefused):
        enter_plan(actor=None, header=PlanHeader("A〔2026〕1号", "x", first_year=2026, last_year=2030), tables=[])


def _seed_layout_workbook(bad: bool = False) -> bytes:
    """Two sheets as 南政办〔2021〕67号 附件2 prints them: 研发投入 (指标现状 + years with the stated
    growth, 合计 row) and a platform table with a 指标名称 column and a 5年合计 column."""
    wb = Workbook()
    ws = wb.active
    ws.title = "研发投入"
    ws.append(["南安市“十五五”科技创新目标任务分解表"])
    ws.append(["（全社会研发经费投入倍增）"])
    ws.append(["单位：万元"])
    ws.append(["乡镇", "指标现状（2025年）", *[f"{y}年\n（年增长率10%）" for y in range(2026, 2031)]])
    ws.append(["水头", 10000, 11000, 12100, 13310, 14641, 16105])
    ws.append(["溪美", 20000, 22000, 24200, 26620, 29282, "三万" if bad else 32210])
    ws.append(["合计", 30000, 33000, 36300, 39930, 43923, 48315])  # 48315 ≠ 16105 + 32210 = 48315 ✓
    ws2 = Workbook().active
    ws2 = wb.create_sheet("平台")
    ws2.append(["（高能级平台载体数量）"])
    ws2.append(["责任单位", "指标名称", *[f"{y}年" for y in range(2026, 2031)], "5年合计"])
    ws2.append(["水头", "省级以上科研平台", 1, 1, 1, 1, 1, 5])
    ws2.append(["", "泉州市级科研平台", 1, 2, 1, 2, 1, 7])
    ws2.append(["不存在镇" if bad else "溪美", "大院大所", None, None, None, None, None, 1])
    ws2.append(["合计", "", None, None, None, None, None, 14])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_workbook_in_the_seed_layout(world, client_for):
    staff = client_for(world.staff)
    upload = io.BytesIO(_seed_layout_workbook())
    upload.name = "十五五分解表.xlsx"
    page = staff.post(reverse("targets:plan_import"), {**HEADER, "file": upload}, follow=True).content.decode()
    assert "已保存 5 条目标" in page
    doc = PlanDocument.objects.get(document=HEADER["document"])
    assert doc.origin == "workbook"
    rd = TargetPlan.objects.get(document=doc.document, region=world.township_a, indicator__code="rd_investment")
    # the figures follow the header's 年增长率10% from 指标现状: kept as the rule, like 67号
    assert (rd.rule, rd.base, rd.growth, rd.base_year) == ("growth", 10000, Decimal("0.1"), 2025)
    assert plan_entries()[(world.township_b.pk, "rd_investment")].target_for(2030) == 32210
    institute = TargetPlan.objects.get(document=doc.document, region=world.township_b, indicator__code="major_institute")
    assert (institute.rule, institute.period_from, institute.period_to, institute.period_total) == (
        "period_total", 2026, 2030, 1)
    quanzhou = TargetPlan.objects.get(document=doc.document, region=world.township_a, indicator__code="quanzhou_platform")
    assert quanzhou.values == {"2026": "1", "2027": "2", "2028": "1", "2029": "2", "2030": "1"}
    # the platform sheet's 合计 14 spans three indicators: 5 + 7 + 1 = 13 → reported, not taken
    assert PlanFinding.objects.filter(document=doc.document, code="total_mismatch").count() == 1


def test_workbook_errors_name_sheet_and_cell_and_nothing_is_saved(world):
    tables, errors = read_workbook(_seed_layout_workbook(bad=True), first=2026, last=2030)
    assert "工作表“研发投入” G6（溪美 2030年）：应为数字，实际为“三万”" in errors
    assert not any("不存在镇" in e for e in errors)   # the unit is checked against the regions when saving
    with pytest.raises(PlanImportError) as exc:
        enter_plan(actor=SYSTEM, header=PlanHeader(**{**HEADER, "issued_on": None, "first_year": 2026,
                                                      "last_year": 2030}), tables=tables)
    assert any(e.startswith("工作表“平台” 第5行（不存在镇）：未知的责任单位“不存在镇”") for e in exc.value.errors)
    assert not TargetPlan.objects.filter(document=HEADER["document"]).exists()
    _t, errors = read_workbook(_seed_layout_workbook(), first=2027, last=2031)
    assert "工作表“研发投入” 第4行：表头年份 2026 不在 2027—2031 年内" in errors
    _t, errors = read_workbook(b"not a workbook", first=2026, last=2030)
    assert errors and "xlsx" in errors[0]


def test_template_round_trip(world, client_for):
    staff = client_for(world.staff)
    response = staff.get(reverse("targets:plan_template"), {"first_year": 2026, "last_year": 2030})
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[0] == "说明"
    ws = wb["高新技术企业数量"]
    assert [c.value for c in ws[4]][:3] == ["乡镇", "指标现状（2025年）", "2026年"]
    shuitou = next(r for r in ws.iter_rows(min_row=5) if r[0].value == "水头")
    for cell, value in zip(shuitou[2:7], (140, 150, 160, 170, 180), strict=True):
        cell.value = value
    for name in wb.sheetnames[1:]:
        if name != "高新技术企业数量":
            del wb[name]
    buf = io.BytesIO()
    wb.save(buf)
    tables, errors = read_workbook(buf.getvalue(), first=2026, last=2030)
    assert errors == []
    doc, findings, saved = enter_plan(actor=SYSTEM, header=PlanHeader("T〔2026〕1号", "模板", first_year=2026,
                                                                      last_year=2030), tables=tables)
    assert (saved, findings) == (1, [])
    assert plan_entries()[(world.township_a.pk, "hnte_count")].target_for(2030) == 180


def test_the_new_plan_is_assessed(world):
    hnte = Indicator.objects.get(code="hnte_count")
    table = {"id": "高企", "rows": [{"unit": "水头", "indicator": "hnte_count", "rule": "values",
                                    "values": {2026: 140}, "where": "水头"}]}
    enter_plan(actor=SYSTEM, header=PlanHeader("A〔2026〕1号", "十五五", first_year=2026, last_year=2030), tables=[table])
    period = services.period_open(user=world.staff, year=2026, kind="FY")
    r = services.report_submit(user=world.clerk_a, period=period, region=world.township_a, indicator=hnte, value="147")
    services.report_approve(user=world.staff, report=r)
    cell = period_assessment(user=world.staff, period=period, on=dt.date(2026, 12, 31)).cell(world.township_a, hnte)
    assert (cell.target, cell.rate) == (140, Decimal("1.05"))


@pytest.mark.parametrize("today, first, last, open_labels", [
    (dt.date(2026, 12, 4), "2024年上半年", "2026年度", ["2026年度"]),
    (dt.date(2026, 3, 1), "2024年上半年", "2026年度", ["2026年上半年", "2026年度"]),
    (dt.date(2027, 1, 10), "2025年上半年", "2027年度", ["2026年度", "2027年上半年", "2027年度"]),
    (dt.date(2024, 9, 1), "2022年上半年", "2024年度", ["2024年度"]),
])
def test_demo_lives_in_the_present(world, today, first, last, open_labels):
    from kechuang.targets.demo import load_demo

    out = io.StringIO()
    load_demo(stdout=out, today=today)
    periods = list(Period.objects.order_by("year", "-kind"))
    assert (periods[0].label, periods[-1].label) == (first, last)
    periods_closed = sorted((p for p in periods if p.status == "closed"), key=lambda p: p.deadline)
    assert [p.label for p in periods if p.status == "open"] == open_labels
    for p in periods:
        if p.status == "open":
            assert p.deadline >= today      # nobody's first report is 逾期
        else:
            assert p.deadline < today
            missing = missing_reports(user=world.staff, period=p)
            if p == periods_closed[-1]:   # small and plausible: 2 items of one township, no demo clerk's
                assert len(missing) == 2 and {r.name for r, _i in missing} == {"码头镇"}
            else:
                assert missing == []   # history fully reported
    demo_plans = PlanDocument.objects.filter(is_demo=True)
    if today.year > 2025:
        plan = demo_plans.get()
        assert (plan.first_year, plan.last_year, plan.origin) == (2026, 2030, "demo")
        assert "演示" in plan.title
        assert plan_entries()[(world.township_a.pk, "hnte_count")].target_for(today.year) is not None
    else:
        assert not demo_plans.exists()
    assert Report.objects.filter(status="submitted").exists()   # the bureau has something to review
    load_demo(today=today)   # a second run adds nothing
    assert Period.objects.count() == len(periods)


def test_clerk_desk_after_demo_is_not_overdue(world):
    from kechuang.targets.demo import load_demo
    from kechuang.targets.desk import todos

    load_demo(today=dt.date.today())
    texts = [t.text for t in todos(world.clerk_a)]
    assert texts and not any("逾期" in t for t in texts)
    assert Region.townships().count() == 27


def test_the_real_fifteenth_plan_replaces_the_demo_plan_of_its_years(world, client_for):
    """Walked again as a new user of the demo: the demo's own 2026—2030 plan refused every row of
    the real 十五五 plan ("已由 演示〔2026〕1号 下达") and the page offered only 2031—2035. A demo
    plan gives way: the real document replaces its rows for the same units and indicators."""
    from kechuang.targets.demo import load_demo
    from kechuang.targets.plan_entry import next_span

    load_demo(today=dt.date(2026, 12, 5))
    assert next_span() == (2026, 2030) and next_span(include_demo=True) == (2031, 2035)
    staff = client_for(world.staff)
    plans_page = staff.get(reverse("targets:plans")).content.decode()
    assert "录入新一期分解表（2026—2030年）" in plans_page and "由正式文件替换" in plans_page
    hnte = Indicator.objects.get(code="hnte_count")
    form = _grid(hnte, {world.township_a: {2026: "140", 2027: "150", 2028: "160", 2029: "170", 2030: "180"}})
    page = staff.post(reverse("targets:plan_new"), form, follow=True).content.decode()
    assert "已保存 1 条目标" in page and "演示分解表 演示〔2026〕1号 中相同乡镇、指标和年份的演示目标已由本文件替换" in page
    assert plan_entries()[(world.township_a.pk, "hnte_count")].target_for(2026) == 140
    assert not TargetPlan.objects.filter(document="演示〔2026〕1号", region=world.township_a, indicator=hnte).exists()
    # the demo's other rows stay until the real plan sets them; a second real document for the
    # same years is still refused (only demo data gives way)
    assert TargetPlan.objects.filter(document="演示〔2026〕1号").exists()
    with pytest.raises(PlanImportError) as exc:
        enter_plan(actor=SYSTEM, header=PlanHeader("南政办〔2026〕13号", "另一份", first_year=2026, last_year=2030),
                   tables=[{"id": "高企", "rows": [{"unit": "水头", "indicator": "hnte_count", "rule": "values",
                                                  "values": {2027: 1}, "where": "水头"}]}])
    assert "水头：水头镇的“高新技术企业数量”在 2026—2030 年已由 南政办〔2026〕12号 下达" in exc.value.errors
