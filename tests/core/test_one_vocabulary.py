"""One vocabulary behind every label (issue 13 item 13) and the ways pages show people, amounts,
times and change-log rows in words (items 3, 4, 8)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from kechuang.core.templatetags.ui import audit_detail, local, object_ref, person, wan_text
from kechuang.rules import vocabulary as V
from tests.e2e.crawler import raw_identifiers


def test_amounts_in_wan_keep_only_the_decimals_that_mean_something():
    assert wan_text(Decimal("60.0000")) == "60"
    assert wan_text(Decimal("12.5000")) == "12.5"
    assert wan_text(Decimal("1E+2")) == "100"
    assert wan_text(Decimal("0.0001")) == "0.0001"
    assert wan_text(Decimal("1234567.8")) == "1,234,567.8"
    assert wan_text(Decimal("-3.10")) == "-3.1"
    assert wan_text(None) == "—"


def test_local_time_not_utc():
    utc = dt.datetime(2026, 12, 4, 14, 51, tzinfo=dt.UTC)
    assert local(utc) == "2026-12-04 22:51"
    assert local("2026-12-04T14:51:07.123+00:00") == "2026-12-04 22:51"  # work-log times stored in JSON
    assert person(None) == "系统导入"


def test_every_place_reads_the_one_vocabulary():
    from kechuang.diagnosis.forms import SelfCheckForm
    from kechuang.enterprises import vocab
    from kechuang.enterprises.models import FiscalYear
    from kechuang.rules.facts import FIELD_LABELS, IP_KIND_LABELS, key_label

    for f in V.YEAR_MONEY:
        assert FiscalYear._meta.get_field(f.name).verbose_name == f.column  # model, template header
        assert vocab.YEAR_MONEY_FIELDS[f.name] == (f.column, f.negative_allowed)  # Excel import/export
        assert FIELD_LABELS[f.name] == f.label  # the rules' explanations
    form = SelfCheckForm()
    assert form.fields["y2_hitech_revenue"].label == "前1年 高新技术产品（服务）收入（万元）"
    assert form.fields["y0_rd_expense"].min_value == 0 and form.fields["y0_net_assets"].min_value is None
    assert form.fields["employees"].label == V.FIELDS["employees"].label
    assert IP_KIND_LABELS is V.IP_KINDS and vocab.IP_KINDS == dict(V.IP_KINDS)
    assert key_label("years[2025].rd_expense") == "2025 年研究开发费用总额"
    assert key_label("events[0].subsidy") == "政策事件（第 1 项）的补助金额"
    assert key_label("qualifications[1]") == "已获资质（第 2 项）"
    assert V.label_of("no_such_key") == "其他信息"


def test_rules_vocabulary_has_no_django_import():
    import ast
    import pathlib

    import kechuang.rules as rules

    for path in pathlib.Path(rules.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not any(n.startswith("django") for n in names), path


@pytest.mark.django_db
def test_change_log_page_shows_labels_names_and_local_times(world, client_for):
    from kechuang.core.changes import change_context
    from kechuang.enterprises.models import Enterprise

    ent = Enterprise.objects.get(pk=world.enterprise_a.pk)
    with change_context(user=world.staff, source="web:POST /x"):
        ent.contact_name = "王五"
        ent.township = world.township_b
        ent.save()
    page = client_for(world.staff).get(f"/changes/enterprises.Enterprise/{ent.pk}/").content.decode()
    text = strip_tags(page.split('<main class="content">')[1])
    assert "联系人" in text and "所属乡镇" in text and world.township_b.name in text
    for raw in ("contact_name", "township_id", "updated_at", "is_demo", "initials"):
        assert raw not in text
    assert [x for x in raw_identifiers(text) if x != world.staff.username] == []  # the person: test account name
    assert timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:") in text


def test_audit_details_in_words():
    assert audit_detail({"reason": "wrong_code"}) == "原因：动态口令错误"
    assert audit_detail({"role": "bureau_staff"}) == "角色：科技局工作人员"
    assert "{" not in audit_detail({"after": {"role": "broker", "is_active": True}})
    assert object_ref("user:kjj_demo") == "账户 kjj_demo"
    assert object_ref("no.Such:3") == "其他对象"


@pytest.mark.django_db
def test_policy_page_and_calculator_show_no_internal_codes(world, client_for):
    from kechuang.policies.reference import load_reference_data

    load_reference_data()
    c = client_for(world.staff)
    for url in ("/policies/p/nanan-2025-2/", "/policies/p/quanzhou-hnte-3/"):
        text = strip_tags(c.get(url).content.decode().split('<main class="content">')[1])
        assert raw_identifiers(text) == [], url
        assert "定额" in text or "最高限额" in text
