"""Financial products (fit with reasons, loans per township and rung), Excel import with per-row
errors, the 科技资源 entrance and the menu."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook

from kechuang.core.permissions import PermissionRefused
from kechuang.resources import excel, finance, services
from kechuang.resources.models import FeeRule, FinancialProduct, InstrumentProfile, Loan, ServiceOrg
from tests.resources.conftest import qualify


def product(**kw):
    defaults = {"name": "科技贷", "kind": "tech_loan", "provider": "某银行", "max_amount": Decimal("1000"),
                "conditions": [{"fact": "qualifications", "op": "has_any", "value": ["tsme", "hnte"], "label": "科小或高企"},
                               {"fact": "rd_ratio", "op": ">=", "value": "0.03", "label": "研发投入比例不低于3%"}]}
    defaults.update(kw)
    return FinancialProduct.objects.create(**defaults)


def test_product_fit_with_reasons(world, res):
    from kechuang.enterprises.models import FiscalYear

    p = product()
    fit = finance.fits(p, finance.enterprise_facts(world.enterprise_a))
    assert not fit["ok"]
    assert any("企业库缺少该数据" in r for r in fit["failed"]) and any("科小或高企" in r for r in fit["failed"])
    qualify(world.enterprise_a)
    FiscalYear.objects.create(enterprise=world.enterprise_a, year=timezone.localdate().year - 1,
                              operating_revenue=Decimal("1000"), rd_expense=Decimal("30"))
    fit = finance.fits(p, finance.enterprise_facts(world.enterprise_a))
    assert fit["ok"], fit                         # 30 / 1000 = 3 %: the boundary passes
    FiscalYear.objects.filter(enterprise=world.enterprise_a).update(rd_expense=Decimal("29.99"))
    fit = finance.fits(p, finance.enterprise_facts(world.enterprise_a))
    assert not fit["ok"] and "不低于3%（企业库：2.99%）" in fit["failed"][0]   # per cent, never rounded up to a pass


def test_loans_per_township_and_rung(world, res, client_for):
    p = product()
    qualify(world.enterprise_a, "hnte")
    services.loan_record(actor=world.staff, product=p, enterprise=world.enterprise_a, amount="300",
                         granted_on=dt.date(2026, 3, 1))
    services.loan_record(actor=world.staff, product=p, enterprise=world.enterprise_b, amount="200",
                         granted_on=dt.date(2026, 4, 1))
    with pytest.raises(PermissionRefused):
        services.loan_record(actor=world.clerk_a, product=p, enterprise=world.enterprise_a, amount="1",
                             granted_on=dt.date(2026, 4, 1))
    qs = Loan.objects.restrict(world.staff, "view")
    by_t = {r["enterprise__township__name"]: r["amount"] for r in finance.loans_by_township(qs)}
    assert by_t == {"水头镇": Decimal("300"), "溪美街道": Decimal("200")}
    by_r = {r["rung"]: (r["n"], r["amount"]) for r in finance.loans_by_rung(qs)}
    assert by_r == {"高新技术企业": (1, Decimal("300")), "尚未入梯": (1, Decimal("200"))}
    page = client_for(world.clerk_a).get("/resources/finance/loans/").content.decode()
    assert "水头甲石材有限公司" in page and "溪美乙科技有限公司" not in page


def test_products_page_shows_fit_to_enterprise(world, res, client_for):
    product()
    page = client_for(world.ent_user_a).get("/resources/finance/").content.decode()
    assert "暂不符合" in page and "企业库缺少该数据" in page


def _book(rows, headers):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_instrument_import_per_row_errors_then_commit(world, res):
    h = ["仪器名称", "所属单位", "类别", "规格型号", "原值", "购置日期", "共享方式", "企业用户单价", "创新券用户单价"]
    bad = _book([["X射线衍射仪", "甲大学", "分析测试", "D8", "150", "2020-05-01", "对外开放共享", "500", "350"],
                 ["", "不存在的大学", "", "", "abc", "2020/05/01", "随便", "-1", ""]], h)
    report = excel.import_workbook(bad, actor=world.staff, kind="instruments")
    assert not report.ok and report.rows == 2
    joined = "\n".join(report.errors)
    for part in ("第3行 仪器名称", "第3行 所属单位", "第3行 原值", "第3行 共享方式", "第3行 企业用户单价", "第3行 购置日期"):
        assert part in joined, joined
    assert not InstrumentProfile.objects.filter(instrument__name="X射线衍射仪").exists()   # nothing written
    good = _book([["X射线衍射仪", "甲大学", "分析测试", "D8", "150", "2020-05-01", "对外开放共享", "500", "350"]], h)
    with pytest.raises(PermissionRefused):
        excel.import_workbook(good, actor=world.clerk_a, kind="instruments")
    good.seek(0)
    report = excel.import_workbook(good, actor=world.staff, kind="instruments")
    assert report.ok and report.created == 1
    p = InstrumentProfile.objects.get(instrument__name="X射线衍射仪")
    assert p.value == Decimal("150") and p.model_no == "D8"
    assert FeeRule.objects.get(instrument=p.instrument, user_category="enterprise").price_per_hour == Decimal("0.05")


def test_service_org_import(world, res, client_for):
    h = ["机构名称", "统一社会信用代码", "服务类别", "资质", "法定代表人", "股东", "所在乡镇"]
    buf = _book([["戊咨询公司", "", "科技咨询", "ISO9001；AAA", "周某", "周某、吴某", "水头镇"],
                 ["己公司", "123", "未知类", "", "", "", "火星镇"]], h)
    report = excel.import_workbook(buf, actor=world.staff, kind="service_orgs")
    joined = "\n".join(report.errors)
    assert "第3行 服务类别" in joined and "第3行 统一社会信用代码" in joined and "第3行 所在乡镇" in joined
    assert not ServiceOrg.objects.filter(name="戊咨询公司").exists()
    buf = _book([["戊咨询公司", "", "科技咨询", "ISO9001；AAA", "周某", "周某、吴某", "水头镇"]], h)
    staff = client_for(world.staff)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("orgs.xlsx", buf.getvalue())
    r = staff.post("/resources/import/", {"kind": "service_orgs", "file": upload})
    assert r.status_code == 200
    org = ServiceOrg.objects.get(name="戊咨询公司")
    assert org.shareholders == ["周某", "吴某"] and org.township == world.township_a


def test_portal_search_and_overview(world, res, client_for):
    page = client_for(world.ent_user_a).get("/resources/", {"q": "电子显微镜"}).content.decode()
    assert "场发射扫描电子显微镜" in page and "预约仪器" in page
    assert "内部专用质谱仪" not in client_for(world.ent_user_a).get("/resources/", {"q": "质谱仪"}).content.decode()
    assert "石材陶瓷" in page and "甲大学" in page          # overview by industry chain


def test_menu_and_home_cards(world, res, client_for):
    home = client_for(world.ent_user_a).get("/").content.decode()
    assert "科技创新券" in home and "科技资源" in home
    fin = client_for(res.finance).get("/").content.decode()
    assert "创新券结算" in fin
