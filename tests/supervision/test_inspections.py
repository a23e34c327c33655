"""双随机一公开 in the product: 两单两库一细则, announce → draw (same algorithm as the CLI, immutable once
published) → results → 公示 within 20 working days; the public pages (contract section 8)."""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.supervision import services
from kechuang.supervision.draw import rosters_from_csv, verify
from kechuang.supervision.models import Draw, InspectionObject, Inspector
from tests.supervision.helpers import DRAW_DAY, inspection_world

pytestmark = pytest.mark.django_db


def test_rule_keeps_at_least_two_inspectors_and_five_percent(world):
    item = services.inspection_item_create(user=world.staff, code="X1", name="事项", object_kind="project", basis="依据")
    with pytest.raises(ValidationError, match="至少 2 名"):
        services.inspection_rule_create(user=world.staff, item=item, name="细则", ratio="0.1", per_object=1)
    with pytest.raises(ValidationError, match="抽查比例"):
        services.inspection_rule_create(user=world.staff, item=item, name="细则", ratio="0.04")
    assert services.inspection_rule_create(user=world.staff, item=item, name="细则", ratio="0.05").per_object == 2
    with pytest.raises(PermissionDenied):
        services.inspection_item_create(user=world.clerk_a, code="X2", name="事项", object_kind="project", basis="依据")


def test_product_draw_is_the_cli_draw_and_immutable(world):
    d, _ = inspection_world(world, publish=False)
    assert len(d.result["drawn"]) == 2 and d.status == "published" and d.published_on == DRAW_DAY
    from kechuang.supervision.services import draw_rosters

    assert verify(d.result, draw_rosters(d)) is None
    d.title = "改名"
    with pytest.raises(ValidationError, match="不可修改"):
        d.save()
    with pytest.raises(ValidationError, match="不可删除"):
        Draw.objects.get(pk=d.pk).delete()
    with pytest.raises(ValidationError):
        services.draw_run(user=world.staff, draw_row=Draw.objects.get(pk=d.pk), seed="20260907-上证1", today=DRAW_DAY)


def test_draw_not_before_announced_day_and_unstaffable_refused(world):
    item = services.inspection_item_create(user=world.staff, code="X1", name="事项", object_kind="enterprise", basis="依据")
    rule = services.inspection_rule_create(user=world.staff, item=item, name="细则", ratio="1", per_object=2)
    InspectionObject.objects.create(kind="enterprise", ref="manual:a", name="甲", unit="局0")
    services.inspector_create(user=world.staff, name="张", unit="局0", cert_no="C1")
    services.inspector_create(user=world.staff, name="李", unit="局1", cert_no="C2")
    day = DRAW_DAY + dt.timedelta(days=1)
    d = services.draw_announce(user=world.staff, title="t", rule=rule, seed_source="x",
                               announced_on=DRAW_DAY, draw_on=day)
    with pytest.raises(ValidationError, match="未到"):
        services.draw_run(user=world.staff, draw_row=d, seed=f"{day:%Y%m%d}-上证1", today=DRAW_DAY)
    with pytest.raises(ValidationError, match="manual:a"):
        services.draw_run(user=world.staff, draw_row=d, seed=f"{day:%Y%m%d}-上证1", today=day)
    assert Draw.objects.get(pk=d.pk).status == "announced"  # no partial draw


def test_seed_is_entered_on_the_draw_day_and_published(world, client):
    """The announcement fixes the day and how the seed is formed, not its value; the value is entered on
    the draw day only, must begin with that day's date, and is published with the time it was entered."""
    from django.utils import timezone

    item = services.inspection_item_create(user=world.staff, code="X3", name="事项", object_kind="enterprise", basis="依据")
    rule = services.inspection_rule_create(user=world.staff, item=item, name="细则", ratio="0.5", per_object=2)
    for i in range(4):
        InspectionObject.objects.create(kind="enterprise", ref=f"manual:s{i}", name=f"对象{i}", unit="U")
    for i in range(3):
        services.inspector_create(user=world.staff, name=f"检查员{i}", unit="局", cert_no=f"S{i}")
    d = services.draw_announce(user=world.staff, title="t", rule=rule, seed_source="抽取日期+当日上证收盘",
                               announced_on=DRAW_DAY - dt.timedelta(days=5), draw_on=DRAW_DAY)
    assert d.seed == "" and d.seed_entered_at is None                      # nothing chosen in advance
    with pytest.raises(TypeError):
        services.draw_announce(user=world.staff, title="t", rule=rule, seed="20260907-1", seed_source="x",
                               announced_on=DRAW_DAY, draw_on=DRAW_DAY)
    for bad in ("", "20260906-上证3400.12", "20260908-上证3400.12", "20260907", "上证3400.12"):
        with pytest.raises(ValidationError, match="随机种子"):
            services.draw_run(user=world.staff, draw_row=d, seed=bad, today=DRAW_DAY)
    with pytest.raises(ValidationError, match="已过"):                       # the day after: re-announce
        services.draw_run(user=world.staff, draw_row=d, seed="20260907-上证3400.12",
                          today=DRAW_DAY + dt.timedelta(days=1))
    before = timezone.now()
    d = services.draw_run(user=world.staff, draw_row=d, seed=" 20260907-上证3400.12 ", today=DRAW_DAY)
    assert d.seed == "20260907-上证3400.12" and d.seed_entered_at >= before and d.result["seed"] == d.seed
    item_json = client.get("/public/inspections/?format=json").json()["items"][0]
    assert item_json["seed"] == "20260907-上证3400.12" and item_json["seed_entered_at"]
    assert item_json["seed_source"] == "抽取日期+当日上证收盘"


def test_conflict_declared_is_respected(world):
    item = services.inspection_item_create(user=world.staff, code="X1", name="事项", object_kind="enterprise", basis="依据")
    rule = services.inspection_rule_create(user=world.staff, item=item, name="细则", ratio="1", per_object=2)
    o = InspectionObject.objects.create(kind="enterprise", ref="manual:a", name="甲", unit="U")
    for i in range(3):
        services.inspector_create(user=world.staff, name=f"人{i}", unit="局", cert_no=f"C{i}")
    services.conflict_declare(user=world.staff, inspector=Inspector.objects.get(cert_no="C0"), target=o, reason="近亲属")
    d = services.draw_announce(user=world.staff, title="t", rule=rule, seed_source="x",
                               announced_on=DRAW_DAY, draw_on=DRAW_DAY)
    d = services.draw_run(user=world.staff, draw_row=d, seed="20260907-s", today=DRAW_DAY)
    assert sorted(d.result["drawn"][0]["inspectors"]) == ["C1", "C2"]


def test_result_publicity_due_in_20_working_days(world):
    d, _ = inspection_world(world, publish=False)
    second = d.result["drawn"][1]["object"]
    r = services.result_record(user=world.staff, draw_row=d, object_ref=second, inspected_on=DRAW_DAY,
                               outcome="pass", finding="良好", basis="58号", today=dt.date(2026, 9, 28))
    # 2026-09-28 (Mon) + 20 working days, 国庆 1–7 Oct off, 9-27 and 10-10 make-up days per the shipped calendar
    from kechuang.techmarket.workdays import shipped_calendar

    assert r.publish_due == shipped_calendar().add_working_days(dt.date(2026, 9, 28), 20)
    assert r.publish_due > dt.date(2026, 10, 26)
    with pytest.raises(ValidationError, match="不在本次抽中"):
        services.result_record(user=world.staff, draw_row=d, object_ref="manual:nope", inspected_on=DRAW_DAY,
                               outcome="pass", finding="x", basis="y", today=DRAW_DAY)
    with pytest.raises(ValidationError, match="已录入"):
        services.result_record(user=world.staff, draw_row=d, object_ref=second, inspected_on=DRAW_DAY,
                               outcome="pass", finding="x", basis="y", today=DRAW_DAY)


def test_public_inspections_page_and_json_without_sign_in(world, client):
    d, result = inspection_world(world)
    page = client.get("/public/inspections/")
    assert page.status_code == 200
    html = page.content.decode()
    assert d.seed in html and d.input_digest in html and "责令整改" in html
    data = client.get("/public/inspections/?format=json").json()
    assert data["count"] == 1 == len(data["items"])
    item = data["items"][0]
    assert item["seed"] == d.seed and item["input_digest"] == d.input_digest
    assert item["drawn"][0]["result"]["outcome"] == "责令整改" and item["drawn"][1]["result"] is None
    # a citizen downloads the files and re-runs the draw
    files = {n: client.get(u) for n, u in item["files"].items()}
    assert all(r.status_code == 200 for r in files.values())
    rosters = rosters_from_csv(files["objects.csv"].content.decode(), files["inspectors.csv"].content.decode(),
                               files["conflicts.csv"].content.decode())
    assert verify(json.loads(files["draw.json"].content), rosters) is None


def test_announced_draw_and_unpublished_results_stay_private(world, client):
    d, _ = inspection_world(world, publish=False)
    services.draw_announce(user=world.staff, title="未来的抽取", rule=d.rule, seed_source="x",
                           announced_on=DRAW_DAY, draw_on=DRAW_DAY + dt.timedelta(days=9))
    data = client.get("/public/inspections/?format=json").json()
    assert [i["title"] for i in data["items"]] == [d.title]
    assert all(x["result"] is None for x in data["items"][0]["drawn"])


def test_public_credit_masks_persons_and_hides_general_and_expired(world, client):
    today = dt.date.today()
    base = dict(user=world.staff, behaviour="抄袭", outcome="取消", authority="科技局", basis="19号令",
                effective_on=today - dt.timedelta(days=10))
    services.credit_record_create(subject_kind="person", subject_name="王小明", person_id_number="11010519491231002X",
                                  severity="serious", ends_on=today + dt.timedelta(days=10), **base)
    services.credit_record_create(subject_kind="enterprise", enterprise=world.enterprise_a,
                                  subject_name=world.enterprise_a.name, severity="general", **base)
    services.credit_record_create(subject_kind="enterprise", enterprise=world.enterprise_b,
                                  subject_name=world.enterprise_b.name, severity="serious",
                                  ends_on=today - dt.timedelta(days=1), **base)
    page = client.get("/public/credit/")
    html = page.content.decode()
    assert page.status_code == 200 and "王**" in html and "王小明" not in html
    assert world.enterprise_a.name not in html and world.enterprise_b.name not in html
    assert not re.search(r"\d{17}[\dXx]", html)
    data = client.get("/public/credit/?format=json").json()
    assert data["count"] == 1 and data["items"][0]["subject"] == "王**"
    assert "11010519491231002X" not in json.dumps(data)


def test_bureau_pages_render(world, client_for):
    d, result = inspection_world(world)
    c = client_for(world.staff)
    for url in ("/supervision/", "/supervision/inspections/", "/supervision/inspections/rosters/",
                f"/supervision/inspections/{d.pk}/", "/supervision/credit/"):
        r = c.get(url)
        assert r.status_code == 200, url
        assert "None" not in r.content.decode().replace("None;", ""), url
    assert client_for(world.clerk_a).get("/supervision/inspections/").status_code == 403


def test_demo_loaders_give_public_items(world, client):
    from kechuang.enterprises.demo import load_demo as enterprises_demo
    from kechuang.supervision import demo

    enterprises_demo()
    demo.load_demo()
    demo.load_demo_activity()
    demo.load_demo_activity()  # idempotent
    assert client.get("/public/inspections/?format=json").json()["count"] >= 1
    assert client.get("/public/credit/?format=json").json()["count"] >= 1


def test_redeemed_vouchers_and_service_organisations_enter_the_object_library(world):
    """检查对象名录库 from the system includes 科技创新券 that were used and the 科技服务机构 on record;
    a voucher never used is not an object; a draw of the voucher item reads them."""
    from kechuang.resources.models import Redemption, ServiceContract, ServiceOrg, Voucher
    from tests.resources.conftest import build_res

    r = build_res(world)
    used = Voucher.objects.create(scheme=r.scheme, enterprise=world.enterprise_a, requested_amount=Decimal("5"),
                                  number="CXQ-2026-0001", status="issued", face_value=Decimal("5"),
                                  balance=Decimal("3"))
    Voucher.objects.create(scheme=r.scheme, enterprise=world.enterprise_b, requested_amount=Decimal("6"),
                           number="CXQ-2026-0002", status="issued", face_value=Decimal("6"), balance=Decimal("6"))
    contract = ServiceContract.objects.create(org=r.org_a, enterprise=world.enterprise_a, title="检测服务",
                                              category="testing", amount=Decimal("2"),
                                              signed_on=DRAW_DAY, registration_no="HT-1")
    Redemption.objects.create(voucher=used, contract=contract, provider_name=r.org_a.name, provider_org=r.org_a,
                              fee=Decimal("2"), amount=Decimal("2"), mode="exchange", payee=r.org_a.name)
    ServiceOrg.objects.filter(pk=r.org_b.pk).update(registered=False)
    counts = services.objects_sync(user=world.staff)
    vouchers = {o.ref: o for o in InspectionObject.objects.filter(kind="voucher", active=True)}
    assert list(vouchers) == [f"voucher:{used.pk}"]
    v = vouchers[f"voucher:{used.pk}"]
    assert v.unit == world.enterprise_a.uscc and "CXQ-2026-0001" in v.name and world.enterprise_a.name in v.name
    orgs = set(InspectionObject.objects.filter(kind="service_org", active=True).values_list("name", flat=True))
    assert orgs == {r.org_a.name}                                # the unregistered one is not on record
    assert counts["added"] >= 2
    item = services.inspection_item_create(user=world.staff, code="CXQ-1", name="创新券使用情况检查",
                                           object_kind="voucher", basis="国办发〔2015〕58号")
    rule = services.inspection_rule_create(user=world.staff, item=item, name="创新券细则", ratio="1", per_object=2)
    for i in range(2):
        services.inspector_create(user=world.staff, name=f"检查员{i}", unit="市科技局", cert_no=f"V{i}")
    d = services.draw_announce(user=world.staff, title="创新券抽查", rule=rule, seed_source="x",
                               announced_on=DRAW_DAY, draw_on=DRAW_DAY)
    d = services.draw_run(user=world.staff, draw_row=d, seed="20260907-上证3400.12", today=DRAW_DAY)
    assert [x["object"] for x in d.result["drawn"]] == [f"voucher:{used.pk}"]


def test_public_inspector_roster_is_the_digested_one_and_holds_no_phone_or_id_number(world, client):
    """The decision of docs/supervision.md: the published 执法检查人员名录 is exactly the roster the digest
    covers — 执法证号, full name, unit (contract section 7 `id,name,unit`), the same names the page shows —
    and nothing else: no phone, no 身份证号, no account."""
    d, _ = inspection_world(world)
    item = client.get("/public/inspections/?format=json").json()["items"][0]
    text = client.get(item["files"]["inspectors.csv"]).content.decode()
    lines = text.strip().split("\n")
    assert lines[0] == "id,name,unit"
    assert sorted(lines[1:]) == sorted(f"闽执{i:04d},检查员{i},局{i % 2}" for i in range(4))
    named = {n for x in item["drawn"] for n in x["inspectors"]}
    assert named and named <= {f"检查员{i}" for i in range(4)}          # page and file name the same people
    html = client.get("/public/inspections/").content.decode()
    for body in (text, html, json.dumps(item, ensure_ascii=False)):
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", body)              # no 11-digit mobile number
        assert not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", body)            # no 18-digit ID number


def test_board_counts_draws_coverage_by_kind_and_credit_by_kind(world, client_for):
    """Item 4 of issue 16: draws this year, 全覆盖 of the object library by kind (this year and over
    the cycle, with the objects not yet drawn), credit records in force by subject kind."""
    from kechuang.supervision import selectors

    InspectionObject.objects.create(kind="voucher", ref="manual:v1", name="创新券NA-0001", unit="U9")
    d, _ = inspection_world(world)                 # 10 enterprises, ceil(0.2 × 10) = 2 drawn; 1 voucher not in it
    drawn = {x["object"] for x in d.result["drawn"]}
    n = len(drawn)
    base = dict(user=world.staff, behaviour="抄袭", outcome="取消", authority="科技局", basis="19号令")
    services.credit_record_create(subject_kind="enterprise", enterprise=world.enterprise_a,
                                  subject_name=world.enterprise_a.name, severity="serious",
                                  effective_on=DRAW_DAY - dt.timedelta(days=5), ends_on=DRAW_DAY, **base)
    services.credit_record_create(subject_kind="person", subject_name="王某", severity="general", watchlist=True,
                                  effective_on=DRAW_DAY - dt.timedelta(days=5), **base)
    services.credit_record_create(subject_kind="enterprise", enterprise=world.enterprise_b,   # ended yesterday
                                  subject_name=world.enterprise_b.name, severity="serious",
                                  effective_on=DRAW_DAY - dt.timedelta(days=50), ends_on=DRAW_DAY - dt.timedelta(days=1),
                                  **base)
    b = selectors.dashboard(world.staff, DRAW_DAY)
    assert [x.pk for x in b["year_draws"]] == [d.pk] and (b["library"], b["covered"]) == (11, n)
    assert b["covered_cycle"] == n and not b["full_coverage"]
    rows = {r["kind"]: r for r in b["coverage"]}
    assert rows["voucher"]["label"] == "科技创新券（已兑付）" and rows["voucher"]["library"] == 1
    assert sum(r["year"] for r in rows.values()) == n and sum(r["gap"] for r in rows.values()) == 11 - n
    drawn_names = set(InspectionObject.objects.filter(ref__in=drawn).values_list("name", flat=True))
    assert all(name not in drawn_names for r in rows.values() for name in r["missing"])
    assert b["credit_rows"] == [{"kind": "企业", "serious": 1, "general": 0, "watchlist": 0},
                                {"kind": "个人", "serious": 0, "general": 1, "watchlist": 1}]
    # next year the count of this year's draws starts again, the cycle still holds the draw
    nxt = selectors.dashboard(world.staff, dt.date(DRAW_DAY.year + 1, 1, 4))
    assert nxt["year_draws"] == [] and nxt["covered"] == 0 and nxt["covered_cycle"] == n
    # every object drawn within the cycle: 全覆盖
    for ref, _kind, _name in InspectionObject.objects.values_list("ref", "kind", "name"):
        if ref not in drawn:
            InspectionObject.objects.filter(ref=ref).update(active=False)
    assert selectors.dashboard(world.staff, DRAW_DAY)["full_coverage"]
    html = client_for(world.staff).get("/supervision/").content.decode()
    assert "已实现全覆盖" in html and "其他" not in html.split('id="coverage-table"')[1].split("</table>")[0]


def test_demo_has_an_accepted_challenge_project_with_its_reward_case(world):
    """The demo showed no accepted 揭榜挂帅 project, so the reward's 免申即享 case never appeared:
    one is carried through the real services (call from a 榜单, review, 立项, instalments, 中期,
    验收 → policy event → screening of that enterprise)."""
    from kechuang.core.accounts import ensure_demo_users
    from kechuang.enterprises.demo import load_demo as enterprises_demo
    from kechuang.policies.models import ScreeningRun
    from kechuang.supervision import demo, projects
    from kechuang.supervision.models import Project

    ent = enterprises_demo()
    ensure_demo_users(ent)
    demo.load_demo_projects()
    demo.load_demo_projects()  # once
    (p,) = Project.objects.filter(call__challenge__isnull=False)
    assert (p.status, p.call.challenge.status, p.applicant_id, p.is_demo) == ("completed", "accepted", ent.pk, True)
    assert not p.instalments.filter(paid_on__isnull=True).exists()
    (case,) = projects.challenge_reward_cases(world.staff, p)
    assert (case.status, case.amount, case.measure.citation) == ("candidate", Decimal("100"), "南政规〔2025〕2号 一、（二）")
    run = ScreeningRun.objects.get(enterprise=ent)
    assert run.reason.startswith(f"揭榜挂帅项目「{p.title}」")
