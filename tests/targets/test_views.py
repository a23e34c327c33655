"""The pages: a clerk reports through the web form, staff returns and approves, bulletins download."""
import io
import json

import pytest
from django.urls import reverse
from docx import Document

from kechuang.targets import services
from kechuang.targets.models import Indicator, Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(world):
    return services.period_open(user=world.staff, year=2023, kind="FY")


def test_clerk_reports_is_returned_corrects_and_is_approved(world, client_for, period, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clerk, staff = client_for(world.clerk_a), client_for(world.staff)
    rd = Indicator.objects.get(code="rd_investment")
    form = {"period": period.pk, "region": world.township_a.pk, "indicator": rd.pk, "value": "17000"}
    page = clerk.post(reverse("targets:report"), form, follow=True)
    assert "已提交" in page.content.decode()
    report = Report.objects.get()
    page = staff.post(reverse("targets:review"), {"action": "return", "report": report.pk, "reason": "缺少统计报表"},
                      follow=True)
    assert "已退回" in page.content.decode()
    page = clerk.get(reverse("targets:report"), {"period": period.pk}).content.decode()
    assert "退回原因：缺少统计报表" in page
    clerk.post(reverse("targets:report"), {**form, "value": "17280"})
    staff.post(reverse("targets:review"), {"action": "approve", "report": report.pk})
    report.refresh_from_db()
    assert (report.status, report.version, report.value) == ("approved", 2, 17280)


def test_bad_inputs_give_clear_messages(world, client_for, period):
    clerk = client_for(world.clerk_a)
    rd = Indicator.objects.get(code="rd_investment")
    page = clerk.post(reverse("targets:report"), {"period": period.pk, "region": world.township_a.pk,
                                                  "indicator": rd.pk, "value": "一万七"}, follow=True)
    assert "应为数字，实际为“一万七”" in page.content.decode()
    page = clerk.post(reverse("targets:report"), {"period": period.pk, "region": world.township_b.pk,
                                                  "indicator": rd.pk, "value": "1"}, follow=True)
    assert "不能填报溪美街道" in page.content.decode()
    assert not Report.objects.exists()
    staff = client_for(world.staff)
    services.period_close(user=world.staff, period=period)
    page = clerk.post(reverse("targets:report"), {"period": period.pk, "region": world.township_a.pk,
                                                  "indicator": rd.pk, "value": "1"}, follow=True)
    assert "已关闭" in page.content.decode()
    assert staff.get(reverse("targets:assessment", kwargs={"pk": period.pk}), {"on": "昨天"},
                     follow=True).status_code == 200


def test_bulletin_and_dashboard_for_staff(world, client_for, period):
    hnte = Indicator.objects.get(code="hnte_count")
    for clerk, region, value in ((world.clerk_a, world.township_a, "90"), (world.clerk_b, world.township_b, "40")):
        r = services.report_submit(user=clerk, period=period, region=region, indicator=hnte, value=value)
        services.report_approve(user=world.staff, report=r)
    staff = client_for(world.staff)
    response = staff.get(reverse("targets:bulletin_docx", kwargs={"pk": period.pk}))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "关于2023年度全市抓创新促应用专项行动目标任务考核情况的通报" in text.replace("\n", "")   # title broken between words
    ranking = [[c.text for c in row.cells] for row in doc.tables[0].rows[1:]]
    # 水头 2023 高企 target 81 → 90 (111.1 %); 溪美 49 → 40 (81.6 %); the other 25 have no figures
    assert ranking[0][:3] == ["1", "水头", "111.11"] and ranking[1][:3] == ["2", "溪美", "81.63"]
    data = json.loads(staff.get(reverse("targets:dashboard_data"), {"year": 2023}).content)
    assert data["ranking"][0] == {"unit": "水头", "score": 111.11, "praised": True, "penalised": False}
    assert staff.get(reverse("targets:dashboard"), {"year": 2023}).status_code == 200
    assert client_for(world.ent_user_a).get(reverse("targets:dashboard")).status_code == 403


def test_staff_changes_weights_and_ranking_follows(world, client_for, period):
    hnte = Indicator.objects.get(code="hnte_count")
    rd = Indicator.objects.get(code="rd_investment")
    # 水头 2023: 高企 90/81 = 111.1 %, 研发 8640/17280 = 50 %;  溪美: 高企 40/49 = 81.6 %, 研发 38016/38016 = 100 %
    for clerk, region, values in ((world.clerk_a, world.township_a, {hnte: "90", rd: "8640"}),
                                  (world.clerk_b, world.township_b, {hnte: "40", rd: "38016"})):
        for indicator, value in values.items():
            r = services.report_submit(user=clerk, period=period, region=region, indicator=indicator, value=value)
            services.report_approve(user=world.staff, report=r)
    staff = client_for(world.staff)
    url = reverse("targets:assessment", kwargs={"pk": period.pk})

    def first():
        return json.loads(staff.get(reverse("targets:dashboard_data"), {"year": 2023}).content)["ranking"][0]["unit"]

    assert first() == "溪美"  # weights 25 / 25: 溪美 90.82 vs 水头 80.56
    page = staff.post(url, {"weight_hnte_count": "75", "weight_rd_investment": "25"}, follow=True).content.decode()
    assert "已更新 1 个指标的权重" in page
    assert first() == "水头"  # 75 / 25: 水头 95.83 vs 溪美 86.22
    page = staff.post(url, {"weight_hnte_count": "很多"}, follow=True).content.decode()
    assert "高新技术企业数量 权重：应为数字" in page
    assert client_for(world.clerk_a).post(url, {"weight_hnte_count": "1"}).status_code == 403
