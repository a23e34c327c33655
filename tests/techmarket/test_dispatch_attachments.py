"""Dispatch attachments: the broker uploads the signed contract scan or minutes; scoped download."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kechuang.core.models import ChangeLog
from kechuang.techmarket import services as s
from kechuang.techmarket.models import Achievement, Broker, DispatchAttachment, Match
from tests.world import SYSTEM

PDF = b"%PDF-1.4\n% signed contract scan\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def dispatches(world, media):
    ach = Achievement.objects.create(title="石材切割", status="published")
    out = {}
    for key, ent, user in (("a", world.enterprise_a, world.broker_a), ("b", world.enterprise_b, world.broker_b)):
        broker = Broker.objects.create(user=user, name=f"{key}经理")
        need = s.need_post(user=SYSTEM, enterprise=ent, title=f"{key}需求", description="x", is_public=False)
        m = Match.objects.create(need=need, achievement=ach, rank=1, score=0.9)
        out[key] = s.dispatch_assign(user=SYSTEM, match=m, broker=broker, reason="测试")
    return out


def _upload(client, dispatch, name, content, kind="合同扫描件"):
    url = reverse("techmarket:dispatch_detail", args=[dispatch.pk])
    return client.post(url, {"action": "attach", "kind": kind, "file": SimpleUploadedFile(name, content)}, follow=True)


def _msgs(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_broker_uploads_and_downloads_and_it_is_logged(world, client_for, dispatches, media):
    broker = client_for(world.broker_a)
    r = _upload(broker, dispatches["a"], "技术转让合同（签字版）.pdf", PDF)
    att = DispatchAttachment.objects.get()
    assert (att.name, att.kind, att.size, att.uploaded_by) == ("技术转让合同（签字版）.pdf", "合同扫描件", len(PDF),
                                                               world.broker_a)
    page = r.content.decode()
    assert "技术转让合同（签字版）.pdf" in page and reverse("techmarket:dispatch_attachment", args=[att.pk]) in page
    assert att.file.name.startswith(f"techmarket/dispatch/{dispatches['a'].pk}/") and att.file.name.endswith(".pdf")
    got = broker.get(reverse("techmarket:dispatch_attachment", args=[att.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert "filename*=UTF-8''" in got["Content-Disposition"]
    log = ChangeLog.objects.get(model="techmarket.DispatchAttachment", object_id=str(att.pk))
    assert log.action == "create" and log.user == world.broker_a
    # the bureau and the need's own township and enterprise may download too
    for user in (world.staff, world.clerk_a, world.ent_user_a):
        assert client_for(user).get(reverse("techmarket:dispatch_attachment", args=[att.pk])).status_code == 200


def test_foreign_broker_clerk_and_enterprise_get_404(world, client_for, dispatches):
    att = s.dispatch_attach(dispatch=dispatches["a"], upload=SimpleUploadedFile("纪要.png", PNG), user=world.broker_a)
    url = reverse("techmarket:dispatch_attachment", args=[att.pk])
    for user in (world.broker_b, world.clerk_b, world.ent_user_b):
        assert client_for(user).get(url).status_code == 404, user.username
    assert client_for(world.sys_admin).get(url).status_code in (403, 404)
    # nor can a foreign broker attach to someone else's dispatch
    r = client_for(world.broker_b).post(reverse("techmarket:dispatch_detail", args=[dispatches["a"].pk]),
                                        {"action": "attach", "file": SimpleUploadedFile("x.pdf", PDF)})
    assert r.status_code == 404 and DispatchAttachment.objects.count() == 1


def test_enterprise_and_clerk_cannot_upload(world, client_for, dispatches):
    for user in (world.ent_user_a, world.clerk_a):
        r = client_for(user).post(reverse("techmarket:dispatch_detail", args=[dispatches["a"].pk]),
                                  {"action": "attach", "file": SimpleUploadedFile("x.pdf", PDF)})
        assert r.status_code == 403, user.username
    assert not DispatchAttachment.objects.exists()


@pytest.mark.parametrize("name,content,message", [
    ("setup.exe", b"MZ\x90\x00", "附件「setup.exe」: 类型 .exe 不允许，请上传 .doc、.docx、.jpeg、.jpg、.ofd、.pdf、.png、.xls、.xlsx、.zip"),
    ("合同", PDF, "类型 （无扩展名） 不允许"),
    ("合同.pdf", b"MZ\x90\x00 not a pdf", "附件「合同.pdf」: 内容不是 .pdf 文件（扩展名与文件内容不符）"),
    ("空.pdf", b"", "附件「空.pdf」: 文件为空"),
])
def test_wrong_type_is_refused_with_a_clear_error(world, client_for, dispatches, name, content, message):
    r = _upload(client_for(world.broker_a), dispatches["a"], name, content)
    assert message in _msgs(r)
    assert not DispatchAttachment.objects.exists()


def test_size_limit_both_sides(world, dispatches):
    limit = s.DISPATCH_ATTACHMENT_MAX_BYTES
    assert limit == 20 * 1024 * 1024
    at_limit = SimpleUploadedFile("扫描件.pdf", PDF + b"0" * (limit - len(PDF)))
    assert s.dispatch_attach(dispatch=dispatches["a"], upload=at_limit, user=world.broker_a).size == limit
    over = SimpleUploadedFile("大扫描件.pdf", PDF + b"0" * (limit + 1 - len(PDF)))
    with pytest.raises(s.TechMarketError, match=r"附件「大扫描件.pdf」: 20.0 MB，超过上限 20 MB"):
        s.dispatch_attach(dispatch=dispatches["a"], upload=over, user=world.broker_a)
    assert DispatchAttachment.objects.count() == 1


def test_oversize_upload_through_the_page(world, client_for, dispatches):
    big = PDF + b"0" * (s.DISPATCH_ATTACHMENT_MAX_BYTES + 1 - len(PDF))
    r = _upload(client_for(world.broker_a), dispatches["a"], "大扫描件.pdf", big)
    assert "超过上限 20 MB" in _msgs(r) and not DispatchAttachment.objects.exists()


def test_no_file_chosen(world, client_for, dispatches):
    r = client_for(world.broker_a).post(reverse("techmarket:dispatch_detail", args=[dispatches["a"].pk]),
                                        {"action": "attach"}, follow=True)
    assert "附件: 请选择要上传的文件" in _msgs(r)


def test_dispatch_page_shows_the_calendar_note(world, client_for, dispatches):
    page = client_for(world.broker_a).get(reverse("techmarket:dispatch_detail",
                                                  args=[dispatches["a"].pk])).content.decode()
    assert "按国务院办公厅节假日安排扣除法定节假日" in page
