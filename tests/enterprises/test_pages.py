"""Pages: query counts pinned, filters and search, expiry warnings, phone masking with audit,
edit forms with the import's checks, upload with error report, template download."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kechuang.core.models import AuditEvent
from kechuang.enterprises.demo import generate
from kechuang.enterprises.models import Enterprise, FiscalYear, Qualification
from tests.enterprises.helpers import USCC_1, filled_template, good_rows

pytestmark = pytest.mark.django_db

# Measured after a warm-up request (the idle-timeout middleware writes the session at most once a
# minute). Both include 4 of the shell: session, user, savepoint and release (ATOMIC_REQUESTS).
# list: count, page, prefetch of the valid qualifications, township list for the filter.
LIST_QUERIES = 4 + 4
# detail: enterprise+township, years, IP, qualifications, credit records.
DETAIL_QUERIES = 4 + 5


def test_list_query_count_does_not_grow_with_rows(world, client_for, django_assert_num_queries):
    client = client_for(world.staff)
    generate(5, seed=1, log=False)
    client.get(reverse("core:home"))
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(reverse("enterprises:list")).status_code == 200
    generate(60, seed=2, log=False)
    client.get(reverse("core:home"))
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("enterprises:list"))
    assert response.content.decode().count("/enterprises/") >= 50


def test_detail_query_count_pinned(world, client_for, django_assert_num_queries):
    generate(3, seed=3, log=False)
    e = Enterprise.objects.filter(is_demo=True).first()
    client = client_for(world.staff)
    client.get(reverse("core:home"))
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(reverse("enterprises:detail", args=[e.pk])).status_code == 200


def test_search_by_name_uscc_and_initials(world, client_for):
    client = client_for(world.staff)
    url = reverse("enterprises:list")
    for q in ("水头甲", world.enterprise_a.uscc[:15], "stjsc"):
        text = client.get(url, {"q": q}).content.decode()
        assert "水头甲石材有限公司" in text and "溪美乙科技有限公司" not in text, q


def test_qualification_validity_filter_and_expiry_warning(world, client_for):
    today = dt.date.today()
    Qualification.objects.create(enterprise=world.enterprise_a, kind="hnte", valid_from=today - dt.timedelta(days=900),
                                 valid_until=today + dt.timedelta(days=90))
    Qualification.objects.create(enterprise=world.enterprise_b, kind="hnte", valid_from=today - dt.timedelta(days=900),
                                 valid_until=today + dt.timedelta(days=91))
    client = client_for(world.staff)
    text = client.get(reverse("enterprises:list"), {"qualification": "hnte", "validity": "expiring"}).content.decode()
    assert "水头甲石材有限公司" in text and "溪美乙科技有限公司" not in text
    detail = client.get(reverse("enterprises:detail", args=[world.enterprise_a.pk])).content.decode()
    assert "90 天后到期" in detail and 'class="expiring"' in detail
    other = client.get(reverse("enterprises:detail", args=[world.enterprise_b.pk])).content.decode()
    assert 'class="expiring"' not in other


def test_phone_masked_unless_staff_asks_and_then_audited(world, client_for):
    e = world.enterprise_a
    e.contact_phone = "13812345678"
    e.save()
    clerk = client_for(world.clerk_a).get(reverse("enterprises:detail", args=[e.pk]), {"phone": "1"}).content.decode()
    assert "138****5678" in clerk and "13812345678" not in clerk
    staff = client_for(world.staff)
    assert "13812345678" not in staff.get(reverse("enterprises:detail", args=[e.pk])).content.decode()
    assert "13812345678" in staff.get(reverse("enterprises:detail", args=[e.pk]), {"phone": "1"}).content.decode()
    assert AuditEvent.objects.filter(kind="personal_data_view", object_ref=f"enterprises.Enterprise:{e.pk}").count() == 1


def test_year_form_refuses_what_the_import_refuses(world, client_for):
    client = client_for(world.clerk_a)
    url = reverse("enterprises:year_add", args=[world.enterprise_a.pk])
    response = client.post(url, {"year": 2024, "sales_revenue": "100", "rd_expense": "100.01"})
    assert "研究开发费用总额（100.01 万元）大于销售收入（100 万元）" in response.content.decode()
    response = client.post(url, {"year": 2024, "sales_revenue": "-1"})
    assert "不能为负数" in response.content.decode()
    assert not FiscalYear.objects.exists()
    assert client.post(url, {"year": 2024, "sales_revenue": "100", "rd_expense": "100"}).status_code == 302
    assert FiscalYear.objects.get().rd_expense == 100


def test_edit_form_staff_check_and_clerk_township(world, client_for):
    client = client_for(world.clerk_a)
    url = reverse("enterprises:edit", args=[world.enterprise_a.pk])
    data = {"name": "水头甲石材有限公司", "township": world.township_a.pk, "employees": 10, "tech_staff": 11,
            "mainland_resident": "on"}
    assert "科技人员数（11）不能大于职工总数（10）" in client.post(url, data).content.decode()
    data.update(tech_staff=10, township=world.township_b.pk)
    assert "选择一个有效的选项" in client.post(url, data).content.decode()
    data.update(township=world.township_a.pk, tags_text="石材、科小")
    assert client.post(url, data).status_code == 302
    assert Enterprise.objects.get(pk=world.enterprise_a.pk).tags == ["石材", "科小"]


def test_upload_bad_then_good_and_report(world, client_for):
    client = client_for(world.staff)
    rows = good_rows()
    rows["年度数据"][0][2] = -3
    data = filled_template(rows)
    response = client.post(reverse("enterprises:import"), {"file": io.BytesIO(data)}, format="multipart")
    text = response.content.decode()
    assert "未保存任何数据" in text and "第3行" in text and not Enterprise.objects.filter(uscc=USCC_1).exists()
    token = response.context["report_token"]
    report = client.get(reverse("enterprises:import_report", args=[token]))
    wb = load_workbook(io.BytesIO(report.content))
    assert [c.value for c in wb["年度数据"][1]][-1] == "错误说明"
    assert client_for(world.clerk_a).get(reverse("enterprises:import_report", args=[token])).status_code == 404
    upload = io.BytesIO(filled_template(good_rows()))
    upload.name = "good.xlsx"
    response = client.post(reverse("enterprises:import"), {"file": upload})
    assert "导入成功" in response.content.decode() and Enterprise.objects.filter(uscc=USCC_1).exists()
    assert AuditEvent.objects.filter(kind="import").count() == 2


def test_enterprise_user_cannot_import(world, client_for):
    assert client_for(world.ent_user_a).get(reverse("enterprises:import")).status_code == 403


def test_template_download_has_contract_sheets(world, client_for):
    response = client_for(world.clerk_a).get(reverse("enterprises:template"))
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:4] == ["企业", "年度数据", "知识产权", "资质"]
    headers = [c.value for c in wb["企业"][1]]
    for h in ("统一社会信用代码", "企业名称", "所属乡镇", "成立日期", "职工总数", "科技人员数", "研发人员数", "高新技术领域"):
        assert h in headers
    assert wb["企业"].data_validations.dataValidation


def test_export_is_audited(world, client_for):
    client_for(world.clerk_a).get(reverse("enterprises:export"))
    event = AuditEvent.objects.get(kind="export")
    assert event.detail["enterprises"] == 1


def test_add_records_with_import_checks_and_roles(world, client_for):
    from kechuang.enterprises.models import CreditRecord, IPRight

    clerk = client_for(world.clerk_a)
    url = reverse("enterprises:record_add", args=[world.enterprise_a.pk, "qualification"])
    text = clerk.post(url, {"kind": "hnte", "valid_from": "2025-01-01", "valid_until": "2024-12-31"}).content.decode()
    assert "有效期止 2024-12-31 早于有效期起 2025-01-01" in text
    assert clerk.post(url, {"kind": "hnte", "valid_from": "2025-01-01", "valid_until": "2025-01-01"}).status_code == 302
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    ip_url = reverse("enterprises:record_add", args=[world.enterprise_a.pk, "ip"])
    assert "在未来" in clerk.post(ip_url, {"kind": "invention_patent", "granted_on": tomorrow}).content.decode()
    assert not IPRight.objects.exists()
    credit_url = reverse("enterprises:record_add", args=[world.enterprise_a.pk, "credit"])
    assert clerk.get(credit_url).status_code == 403
    staff = client_for(world.staff)
    assert staff.post(credit_url, {"kind": "research_dishonesty", "occurred_on": "2026-01-05",
                                   "effect": "veto"}).status_code == 302
    assert CreditRecord.objects.get().effect == "veto"
