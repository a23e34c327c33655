"""The home page is the user's desk (issue 13 item 12): to-dos and role charts, not the menu again."""

import datetime as dt

import pytest
from django.utils.html import strip_tags

from tests.e2e.crawler import raw_identifiers
from tests.world import SYSTEM

pytestmark = pytest.mark.django_db


def _main(resp) -> str:
    return resp.content.decode().split('<main class="content">')[1]


def test_bureau_desk_has_ladder_funnel_redemption_and_todos(world, client_for):
    from kechuang.policies import services
    from kechuang.policies.reference import load_reference_data

    load_reference_data()
    services.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="hnte_recognized",
                                 date=f"{dt.date.today().year}-01-02", fields={"first_time": True}, source="名单")
    c = client_for(world.staff)
    c.post("/diagnosis/pipeline/run/")
    from kechuang.jobs.worker import run_pending

    run_pending()  # the 培育库 run is a background job now: the worker runs it
    services.screening_run(user=world.staff, year=dt.date.today().year)
    html = _main(c.get("/"))
    assert "您可以使用的功能" not in html  # the menu is not repeated as a table
    assert 'id="desk-ladder"' in html and "梯次培育漏斗" in html
    assert 'id="desk-redemption"' in html and "政策兑现" in html
    assert "免申即享候选案件 1 件待核实" in html
    assert "vendor/echarts.min.js" in c.get("/").content.decode()
    assert [x for x in raw_identifiers(strip_tags(html.split('<script')[0])) if x != world.staff.username] == []


def test_enterprise_desk_lists_its_qualifications_candidates_and_needs(world, client_for):
    from kechuang.enterprises.models import Qualification
    from kechuang.techmarket import services as tm

    today = dt.date.today()
    Qualification.objects.create(enterprise=world.enterprise_a, kind="hnte", valid_from=today - dt.timedelta(days=900),
                                 valid_until=today + dt.timedelta(days=90))
    tm.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="石材锯泥资源化利用", description="锯泥制砖")
    html = _main(client_for(world.ent_user_a).get("/"))
    assert "我的资质" in html and "高新技术企业" in html and f"有效期至 {today + dt.timedelta(days=90):%Y-%m-%d}" in html
    assert "1 项资质将在半年内到期" in html
    assert "我的技术需求" in html and "石材锯泥资源化利用" in html
    assert "可享受的政策" in html
    # another enterprise sees none of it
    other = _main(client_for(world.ent_user_b).get("/"))
    assert "石材锯泥资源化利用" not in other and "将在半年内到期" not in other


def test_broker_desk_shows_first_contacts_due(world, client_for):
    html = _main(client_for(world.broker_a).get("/"))
    assert "待办事项" in html and "暂无待办事项" in html


def test_enterprise_and_finance_find_their_step_of_a_case_on_the_desk(world, client_for):
    """The case waits for the enterprise's 确认 (its to-do), then, after the 公示期, for the
    finance officer's 拨付 (theirs), and never before the 公示期 is over."""
    from kechuang.policies import services
    from kechuang.policies.models import Case
    from kechuang.policies.reference import load_reference_data

    load_reference_data()
    year = dt.date.today().year
    services.policy_event_record(user=world.staff, enterprise=world.enterprise_a, kind="hnte_recognized",
                                 date=f"{year}-01-02", fields={"first_time": True}, source="名单")
    services.screening_run(user=world.staff, year=year)
    case = Case.objects.get()
    services.case_verify(user=world.staff, case=case)
    assert "政策兑现 1 项待贵企业确认" in _main(client_for(world.ent_user_a).get("/"))
    services.case_confirm(user=world.ent_user_a, case=case, bank_account="6228480012345678", bank_name="农行南安支行")
    services.case_publicize(user=world.staff, case=case)
    finance = client_for(world.finance)
    assert "待拨付" not in _main(finance.get("/"))  # the 公示期 runs
    Case.objects.filter(pk=case.pk).update(publicized_on=dt.date.today() - dt.timedelta(days=10))
    assert "公示期满的兑现案件 1 件待拨付" in _main(finance.get("/"))


def test_amounts_read_in_wan_or_yuan_without_noise():
    from decimal import Decimal

    from kechuang.core.templatetags.ui import wan_text, yuan

    assert wan_text(Decimal("60.0000")) == "60" and wan_text(Decimal("12.5000")) == "12.5"
    assert yuan(Decimal("0.0550")) == "550" and yuan(Decimal("1.23456")) == "12,345.6" and yuan(None) == "—"
