"""代办: the 科技局 may confirm a 免申即享 case, enter the bank account or declare a waiver for an
enterprise only with a recorded authorisation (uploaded 授权书 or the enterprise's written request),
shown in the case's 办理记录; otherwise the action is refused (403 with the sentence)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kechuang.core.models import ChangeLog
from kechuang.core.permissions import PermissionRefused
from kechuang.policies import services
from kechuang.policies.models import Case, ProxyAuthorization

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
ACCOUNT = {"bank_account": "6228480012345678", "bank_name": "农行南安支行"}


@pytest.fixture()
def case(world):
    services.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="hnte_recognized",
                                 date="2026-03-01", source="测试")
    services.screening_run(user=world.staff, year=2026)
    c = Case.objects.get()
    services.case_verify(user=world.staff, case=c)
    return c


def _pdf(name="授权书.pdf", body=b"%PDF-1.4 signed and sealed"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def test_bureau_cannot_confirm_or_waive_without_an_authorisation(world, case):
    with pytest.raises(PermissionRefused, match="须先登记该企业的代办授权"):
        services.case_confirm(user=world.staff, case=case, today=TODAY, **ACCOUNT)
    with pytest.raises(PermissionRefused, match="须先登记该企业的代办授权"):
        services.case_waive(user=world.staff, case=case)
    case.refresh_from_db()
    assert case.status == "verified" and case.bank_account == ""


def test_the_enterprise_itself_needs_no_authorisation(world, case):
    services.case_confirm(user=world.ent_user_a, case=case, today=TODAY, **ACCOUNT)
    assert Case.objects.get(pk=case.pk).status == "confirmed"


def test_written_request_lets_the_bureau_confirm_once_and_is_in_the_history(world, case):
    auth = services.case_proxy_authorize(user=world.ent_user_a, case=case, kind="request", signed_by="王法人",
                                         request_text="本企业委托市科技局代为确认享受并登记收款账户。")
    services.case_confirm(user=world.staff, case=case, today=TODAY, **ACCOUNT)
    case.refresh_from_db()
    auth.refresh_from_db()
    assert case.status == "confirmed" and case.bank_account == "6228480012345678"
    assert auth.used_at is not None and "代办" in auth.used_for
    entry = ChangeLog.objects.filter(model="policies.Case", object_id=str(case.pk)).first()
    assert f"代办授权#{auth.pk}" in entry.source and entry.actor == world.staff.username


def test_an_authorisation_is_used_once(world, case):
    services.case_proxy_authorize(user=world.staff, case=case, kind="request", signed_by="王法人",
                                  request_text="企业书面申请：委托科技局代为办理兑现确认。")
    auth = ProxyAuthorization.objects.get()
    services._use(auth, "代办确认并填写收款账户")   # spent on an earlier action
    with pytest.raises(PermissionRefused):
        services.case_confirm(user=world.staff, case=case, today=TODAY, **ACCOUNT)


def test_letter_upload_is_checked(world, case):
    with pytest.raises(ValidationError, match="请上传企业签章的授权书"):
        services.case_proxy_authorize(user=world.staff, case=case, kind="letter", signed_by="王法人")
    with pytest.raises(ValidationError, match="不允许"):
        services.case_proxy_authorize(user=world.staff, case=case, kind="letter", signed_by="王法人",
                                      letter=_pdf("授权书.exe", b"MZ"))
    with pytest.raises(ValidationError, match="与扩展名 .pdf 不符"):
        services.case_proxy_authorize(user=world.staff, case=case, kind="letter", signed_by="王法人",
                                      letter=_pdf(body=b"not a pdf at all"))
    with pytest.raises(ValidationError, match="文件为空"):
        services.case_proxy_authorize(user=world.staff, case=case, kind="letter", signed_by="王法人",
                                      letter=_pdf(body=b""))
    with pytest.raises(ValidationError, match="至少 10 个字"):
        services.case_proxy_authorize(user=world.staff, case=case, kind="request", signed_by="王法人",
                                      request_text="同意")
    with pytest.raises(ValidationError, match="企业签署人"):
        services.case_proxy_authorize(user=world.staff, case=case, kind="request", signed_by=" ",
                                      request_text="本企业委托科技局代为办理。" * 2)
    assert not ProxyAuthorization.objects.exists()


def test_other_enterprises_and_roles_cannot_authorise(world, case):
    for user in (world.ent_user_b, world.clerk_a, world.finance, world.sys_admin):
        with pytest.raises(PermissionRefused):
            services.case_proxy_authorize(user=user, case=case, kind="request", signed_by="某人",
                                          request_text="伪造的书面申请，委托代办。")
    assert not ProxyAuthorization.objects.exists()


def test_through_the_pages_refused_then_allowed_with_a_letter(world, case, client_for):
    url = reverse("policies:case", args=[case.pk])
    staff = client_for(world.staff)
    page = staff.get(url).content.decode()
    assert "须先登记企业的代办授权" in page and 'value="confirm"' not in page
    refused = staff.post(url, {"action": "confirm", **ACCOUNT})
    assert refused.status_code == 403 and "须先登记该企业的代办授权" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == "verified"
    staff.post(url, {"action": "authorize", "kind": "letter", "signed_by": "王法人", "letter": _pdf()})
    auth = ProxyAuthorization.objects.get()
    assert auth.letter_name == "授权书.pdf"
    assert staff.post(url, {"action": "confirm", **ACCOUNT}).status_code == 302
    case.refresh_from_db()
    assert case.status == "confirmed"
    page = staff.get(url).content.decode()
    assert "办理记录" in page and "授权书（上传扫描件）" in page and "已用于代办确认并填写收款账户" in page
    assert "已核实 → 企业已确认" in page and f"代办授权#{auth.pk}" in page
    letter = reverse("policies:proxy_letter", args=[auth.pk])
    owner = client_for(world.ent_user_a).get(letter)
    assert owner.status_code == 200 and b"".join(owner.streaming_content).startswith(b"%PDF")
    assert client_for(world.ent_user_b).get(letter).status_code == 404
    assert client_for(world.clerk_b).get(letter).status_code == 404
