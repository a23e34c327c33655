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
    assert "关于2023年度全市抓创新促应用专项行动目标任务考核情况的通报" in text
    ranking = [[c.text for c in row.cells] for row in doc.tables[0].rows[1:]]
    # 水头 2023 高企 target 81 → 90 (111.1 %); 溪美 49 → 40 (81.6 %); the other 25 have no figures
    assert ranking[0][:3] == ["1", "水头", "111.11"] and ranking[1][:3] == ["2", "溪美", "81.63"]
    data = json.loads(staff.get(reverse("targets:dashboard_data"), {"year": 2023}).content)
    assert data["ranking"][0] == {"unit": "水头", "score": 111.11, "praised": True, "penalised": False}
    assert staff.get(reverse("targets:dashboard"), {"year": 2023}).status_code == 200
    assert client_for(world.ent_user_a).get(reverse("targets:dashboard")).status_code == 403
