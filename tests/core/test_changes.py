"""The change log records web, command and bulk writes with before/after values."""

import pytest
from django.core.management import call_command

from kechuang.core.changes import change_context, history_for, log_bulk, snapshot
from kechuang.core.models import ChangeLog
from kechuang.enterprises.models import Enterprise
from tests.world import _uscc


def test_create_update_delete_are_logged_with_context(world):
    with change_context(source="command:test", request_id="cmd-1"):
        e = Enterprise.objects.create(uscc=_uscc("91350583MA2Y0RCCC"), name="丙公司", township=world.township_a)
        e.name = "丙科技公司"
        e.save()
        pk = e.pk
        e.delete()
    rows = list(ChangeLog.objects.filter(model="enterprises.Enterprise", object_id=str(pk)).order_by("id"))
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert rows[1].before["name"] == "丙公司" and rows[1].after["name"] == "丙科技公司"
    assert all(r.actor == "command:test" and r.request_id == "cmd-1" for r in rows)


def test_unchanged_save_writes_nothing(world):
    before = ChangeLog.objects.count()
    world.enterprise_a.save()
    assert ChangeLog.objects.count() == before


def test_bulk_writes_are_logged_by_log_bulk(world):
    objs = Enterprise.objects.bulk_create([
        Enterprise(uscc=_uscc(f"91350583MA2Y0RD{i}A"), name=f"批量{i}", township=world.township_a) for i in range(3)
    ])
    with change_context(source="import:test.xlsx"):
        assert log_bulk(Enterprise, "create", objs) == 3
    assert ChangeLog.objects.filter(source="import:test.xlsx", action="create").count() == 3
    prior = {o.pk: snapshot(o) for o in objs}
    objs[0].name = "改名"
    with change_context(source="import:test.xlsx"):
        assert log_bulk(Enterprise, "update", objs, before=prior) == 1


def test_web_writes_name_the_user(world, client_for):
    # A write inside a request is attributed to the signed-in user.
    from django.test import RequestFactory

    from kechuang.core.middleware import RequestIdMiddleware, UserChangeContextMiddleware

    def view(request):
        world.enterprise_a.name = "网页改名"
        world.enterprise_a.save()
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = RequestFactory().get("/x")
    request.user = world.staff
    RequestIdMiddleware(UserChangeContextMiddleware(view))(request)
    row = ChangeLog.objects.filter(model="enterprises.Enterprise", object_id=str(world.enterprise_a.pk)).first()
    assert row.user == world.staff and row.actor == "staff" and row.request_id == request.request_id


def test_changes_tab_is_scoped(world, client_for):
    world.enterprise_a.name = "甲改名"
    world.enterprise_a.save()
    c = client_for(world.clerk_a)
    page = c.get(f"/changes/enterprises.Enterprise/{world.enterprise_a.pk}/")
    assert page.status_code == 200 and "甲改名" in page.content.decode()
    assert c.get(f"/changes/enterprises.Enterprise/{world.enterprise_b.pk}/").status_code == 404
    assert c.get("/changes/core.User/1/").status_code == 404
    assert history_for(world.enterprise_a).count() >= 1


@pytest.mark.django_db
def test_command_writes_are_attributed_to_the_command():
    from kechuang.core.accounts import ensure_administrators

    with change_context(source="command:serve", request_id="cmd-x"):
        ensure_administrators()
    call_command("check")
    assert ChangeLog.objects.filter(model="core.User", actor="command:serve").count() == 3


def test_change_log_reads_codes_kept_in_json_in_words():
    """Codes kept in JSON values (event kinds, voucher categories, rule versions, a score
    breakdown's rows), ISO times, unlabelled links and conditions read in words (issue 13 item 13)."""
    from kechuang.core.vocabulary import readable_changes
    from tests.e2e.crawler import raw_identifiers

    rows = {
        "policies.PolicyEvent": {"kind": "incubator_recognized", "fields": {"level": "provincial"}},
        "resources.VoucherScheme": {"categories": ["instrument", "testing"]},
        "resources.FinancialProduct": {"conditions": [{"fact": "invention_patents", "op": ">=", "value": 1,
                                                       "label": "拥有有效发明专利"}]},
        "diagnosis.DiagnosisRun": {"rules_versions": {"hnte": "hnte-2016+5118e3b1"}},
        "techmarket.Dispatch": {"log": [{"at": "2026-12-04T14:51:00+00:00", "kind": "contact", "text": "已电话联系"}]},
        "carriers.Evaluation": {"breakdown": [["tenants", 12, 30, 25, 10.0]]},
    }
    for model, after in rows.items():
        text = "；".join(f"{label}：{new}" for label, _old, new in
                        readable_changes(ChangeLog(model=model, action="create", after=after)))
        assert raw_identifiers(text) == [], (model, text)
    words = lambda model, after: [new for _l, _o, new in  # noqa: E731
                                  readable_changes(ChangeLog(model=model, action="create", after=after))]
    assert words("resources.VoucherScheme", {"categories": ["instrument"]}) == ["大型仪器共享"]
    assert "2026-12-04 22:51" in words("techmarket.Dispatch", {"log": [{"at": "2026-12-04T14:51:00+00:00"}]})[0]
    assert words("diagnosis.DiagnosisRun", {"rules_versions": {"hnte": "hnte-2016+5118e3b1"}}) == ["高新技术企业：2016 年版"]
