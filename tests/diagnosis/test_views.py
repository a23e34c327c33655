"""Pages: the enterprise's 预诊断 tab, the Word report, the public self-check, the pipeline."""

import io
import json

import pytest
from docx import Document

from kechuang.diagnosis.models import DiagnosisResult, DiagnosisRun


@pytest.mark.django_db
def test_enterprise_tab_shows_all_schemes_in_chinese(world, client_for):
    c = client_for(world.ent_user_a)
    r = c.get(f"/diagnosis/enterprise/{world.enterprise_a.pk}/")
    assert r.status_code == 200
    text = r.content.decode()
    for title in ("高新技术企业", "科技型中小企业", "创新型中小企业", "专精特新中小企业", "小巨人"):
        assert title in text
    assert "下一步" in text
    assert c.get(f"/diagnosis/enterprise/{world.enterprise_b.pk}/").status_code == 404


@pytest.mark.django_db
def test_enterprise_docx_download(world, client_for):
    r = client_for(world.ent_user_a).get(f"/diagnosis/enterprise/{world.enterprise_a.pk}/report.docx?on=2026-06-30")
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    assert any("资格预诊断报告" in p.text for p in doc.paragraphs)


@pytest.mark.django_db
def test_selfcheck_is_public_and_stores_nothing(client):
    from kechuang.enterprises.models import Enterprise

    before = Enterprise.objects.count()
    data = {"on": "2026-06-30", "name": "自测企业", "established_on": "2019-01-01", "employees": "100",
            "tech_staff": "8", "high_tech_field": "yes", "class1_self": "1",
            "y0_sales_revenue": "3000", "y1_sales_revenue": "3000", "y2_sales_revenue": "3000",
            "y0_rd_expense": "150", "y1_rd_expense": "150", "y2_rd_expense": "123", "format": "html"}
    r = client.post("/diagnosis/self-check/", data)
    assert r.status_code == 200
    text = r.content.decode()
    assert "还需 2 名科技人员" in text and "近三年研发费用还差 27.0 万元" in text
    assert Enterprise.objects.count() == before and DiagnosisRun.objects.count() == 0
    r = client.post("/diagnosis/self-check/", {**data, "format": "docx"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.django_db
def test_selfcheck_bad_input_names_the_field(client):
    r = client.post("/diagnosis/self-check/", {"on": "2026-06-30", "employees": "10", "tech_staff": "20"})
    assert r.status_code == 200
    assert "科技人员数" in r.content.decode()


@pytest.mark.django_db
def test_public_api_422_on_bad_facts(client):
    r = client.post("/api/public/diagnosis/evaluate?scheme=hnte", data=json.dumps({"years": [{"year": 2025, "rd_expense": "x"}]}),
                    content_type="application/json")
    assert r.status_code == 422
    assert r.json()["key"] == "years[0].rd_expense"
    r = client.post("/api/public/diagnosis/evaluate?scheme=tsme&on=2026-06-30", data=json.dumps({"employees": 10}),
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["scheme"] == "tsme"


@pytest.mark.django_db
def test_only_bureau_starts_runs_and_clerk_sees_own_township(world, client_for):
    assert client_for(world.clerk_a).post("/diagnosis/pipeline/run/").status_code == 403
    r = client_for(world.staff).post("/diagnosis/pipeline/run/", {"on": "2026-06-30"})
    assert r.status_code == 302
    from kechuang.jobs.worker import run_pending

    run_pending()   # the run is a background job (kechuang/diagnosis/jobs.py)
    run = DiagnosisRun.objects.get()
    assert run.enterprise_count == DiagnosisResult.objects.filter(run=run).count()
    page = client_for(world.clerk_a).get(f"/diagnosis/pipeline/?run={run.pk}").content.decode()
    assert world.enterprise_a.name in page and world.enterprise_b.name not in page
    assert "全市漏斗" in page
    assert client_for(world.ent_user_a).get("/diagnosis/pipeline/").status_code == 403


@pytest.mark.django_db
def test_second_run_is_compared_with_the_first(world, client_for):
    staff = client_for(world.staff)
    from kechuang.jobs.worker import run_pending

    staff.post("/diagnosis/pipeline/run/", {"on": "2026-06-30"})
    run_pending()
    staff.post("/diagnosis/pipeline/run/", {"on": "2026-06-30"})
    run_pending()
    runs = list(DiagnosisRun.objects.order_by("pk"))
    assert len(runs) == 2
    page = staff.get(f"/diagnosis/pipeline/?run={runs[1].pk}").content.decode()
    assert f"与上一次运行 #{runs[0].pk}" in page
