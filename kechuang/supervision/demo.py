"""Demo data of the 项目与监管 module (``kechuang serve --demo``), every row marked ``is_demo``:
科研信用 records (one serious about a demo enterprise, one about a person — published masked — and
a 一般 one), 两单两库一细则, and one published 双随机 draw with a publicised result."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

DEMO_INSPECTORS = [
    ("陈建华", "南安市科学技术局", "闽执0583001"), ("林美玲", "南安市科学技术局", "闽执0583002"),
    ("黄志强", "南安市市场监督管理局", "闽执0583003"), ("吴晓燕", "南安市市场监督管理局", "闽执0583004"),
    ("郑国平", "南安市财政局", "闽执0583005"), ("许丽华", "南安市财政局", "闽执0583006"),
]


def _actor():
    from kechuang.core.permissions import system_actor

    return system_actor("command:serve --demo (项目与监管演示数据)")


def load_demo(stdout=None) -> None:
    """科研信用 demo records, once."""
    from kechuang.enterprises.models import Enterprise

    from . import services
    from .models import CreditRecord

    if CreditRecord.objects.filter(is_demo=True).exists():
        return
    today = timezone.localdate()
    from kechuang.enterprises.demo import uscc_for

    # not the enterprise of the demo account (other modules' demos apply, book and get paid with it)
    account_uscc = uscc_for((2026 * 7919) % 10_000_000)
    ents = list(Enterprise.objects.filter(is_demo=True).exclude(uscc=account_uscc).order_by("-id")[:2])
    actor = _actor()
    if ents:
        services.credit_record_create(
            user=actor, subject_kind="enterprise", enterprise=ents[0], subject_name=ents[0].name,
            behaviour="（演示）科技计划项目结题材料弄虚作假", severity="serious", outcome="终止项目，追回财政资金，三年内不得申报",
            authority="南安市科学技术局", basis="科技部令第19号《科学技术活动违规行为处理规定》第十条",
            effective_on=today - dt.timedelta(days=200), ends_on=today + dt.timedelta(days=900), is_demo=True)
    if len(ents) > 1:
        services.credit_record_create(
            user=actor, subject_kind="enterprise", enterprise=ents[1], subject_name=ents[1].name,
            behaviour="（演示）创新券使用材料不实", severity="general", outcome="一年内限制申报科技计划项目",
            authority="南安市科学技术局", basis="科研失信行为调查处理规则", effective_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=335), restricts=["project_approval", "voucher"], is_demo=True)
    services.credit_record_create(
        user=actor, subject_kind="person", subject_name="张伟明", person_id_number="11010519491231002X",
        person_unit="（演示）某高校", behaviour="（演示）评审专家违规泄露评审信息", severity="serious",
        outcome="取消评审专家资格，五年内不得参与科技计划项目评审", authority="南安市科学技术局",
        basis="科技部令第19号 第十二条", effective_on=today - dt.timedelta(days=100),
        ends_on=today + dt.timedelta(days=1700), is_demo=True)
    if stdout:
        stdout.write("  项目与监管：演示科研信用记录")


def load_demo_activity(stdout=None) -> None:
    """两单两库一细则 and one published draw with a publicised result (after the other apps' demo
    data exist, so the object library has carriers and institutes to draw from)."""
    from kechuang.enterprises.models import Enterprise

    from . import services
    from .models import Draw, InspectionObject, Inspector, ObjectKind

    load_demo_projects(stdout)
    if Draw.objects.filter(is_demo=True, purpose="inspection").exists():
        return
    actor = _actor()
    today = timezone.localdate()
    for name, unit, cert in DEMO_INSPECTORS:
        if not Inspector.objects.filter(cert_no=cert).exists():
            services.inspector_create(user=actor, name=name, unit=unit, cert_no=cert, is_demo=True)
    services.objects_sync(user=actor, is_demo=True)
    kind = ObjectKind.CARRIER
    if not InspectionObject.objects.filter(active=True, kind=kind).exists():
        kind = ObjectKind.ENTERPRISE
        for e in Enterprise.objects.filter(is_demo=True).order_by("id")[:40]:
            InspectionObject.objects.get_or_create(ref=f"manual:enterprise:{e.pk}", defaults={
                "kind": kind, "name": e.name, "unit": e.uscc, "is_demo": True})
    label = "创新载体建设运营情况" if kind == ObjectKind.CARRIER else "企业享受科技政策资金使用情况"
    item = services.inspection_item_create(
        user=actor, code=f"NA-KJ-DEMO-{kind}", name=f"（演示）{label}检查", object_kind=kind,
        basis="《国务院办公厅关于推广随机抽查规范事中事后监管的通知》（国办发〔2015〕58号）；南政规〔2025〕2号",
        content="建设运营或资金使用是否符合申报承诺和政策规定", method="书面检查与实地核查", is_demo=True)
    rule = services.inspection_rule_create(user=actor, item=item, name=f"（演示）{label}抽查细则", ratio="0.2",
                                           per_object=2, frequency_per_year=1, is_demo=True)
    d = services.draw_announce(user=actor, title=f"（演示）{today.year}年{label}双随机抽查", rule=rule,
                               seed_source="抽取日期 + 抽取当日上证指数收盘点位（演示）",
                               announced_on=today - dt.timedelta(days=7), draw_on=today, is_demo=True)
    d = services.draw_run(user=actor, draw_row=d, seed=f"{today:%Y%m%d}-上证收盘3421.55（演示）", today=today)
    first = d.result["drawn"][0]["object"] if d.result["drawn"] else None
    if first:
        r = services.result_record(user=actor, draw_row=d, object_ref=first, inspected_on=today, outcome="pass",
                                   finding="（演示）建设运营情况与申报一致", basis="国办发〔2015〕58号", today=today,
                                   is_demo=True)
        services.result_publicize(user=actor, result=r, today=today)
    if stdout:
        stdout.write("  项目与监管：演示双随机抽查")


def load_demo_projects(stdout=None) -> None:
    """A demo plan category, call, three experts and one project taken from application to
    implementation (experts drawn, scored, 立项 with 任务书), once."""
    from kechuang.enterprises.demo import uscc_for
    from kechuang.enterprises.models import Enterprise

    from . import projects
    from .models import PlanCategory, Project, ReviewAssignment

    if PlanCategory.objects.filter(is_demo=True).exists():
        return
    actor = _actor()
    today = timezone.localdate()
    account_uscc = uscc_for((2026 * 7919) % 10_000_000)
    ent = Enterprise.objects.filter(is_demo=True).exclude(uscc=account_uscc).order_by("id").first()
    if ent is None:
        return
    cat = projects.category_create(user=actor, code="DEMO-ZDYF", name="（演示）重点研发计划", is_demo=True)
    opens = today - dt.timedelta(days=90)
    call = projects.call_create(user=actor, category=cat, year=opens.year, title=f"（演示）{opens.year}年度重点研发计划申报指南",
                                opens_on=opens, closes_on=opens + dt.timedelta(days=30), max_amount="200",
                                guide="围绕石材、水暖厨卫、智能制造等主导产业关键技术攻关。", is_demo=True)
    for name, unit in ([("周明", "（演示）华侨大学"), ("蔡丽", "（演示）福州大学"), ("洪涛", "（演示）泉州师范学院"),
                                      ("苏强", "（演示）厦门理工学院")]):
        projects.expert_admit(user=actor, name=name, unit=unit, field="先进制造", title="教授", today=opens, is_demo=True)
    p = projects.project_create(user=actor, call=call, applicant=ent, title="（演示）石材智能切割装备关键技术研发",
                                pi_name="林志远", requested_amount="120", co_applicants=["（演示）华侨大学"],
                                is_demo=True)
    p = projects.project_submit(user=actor, project=p, integrity_promise=True, credit_promise=True,
                                missing=[("（演示）近三年财务审计报告", opens + dt.timedelta(days=40))],
                                today=opens + dt.timedelta(days=5))
    for doc in p.missing_documents.all():
        projects.document_submitted(user=actor, document=doc, on=opens + dt.timedelta(days=20))
    review_day = opens + dt.timedelta(days=35)
    projects.project_formal_review(user=actor, project=p, passed=True, today=review_day)
    projects.review_draw(user=actor, call=call, seed=f"{review_day:%Y%m%d}-上证收盘3388.20",
                         seed_source="抽取日期 + 抽取当日上证指数收盘点位（演示）", today=review_day)
    for k, a in enumerate(ReviewAssignment.objects.filter(project=p)):
        projects.review_submit(user=actor, assignment=a, score=str(82 + 3 * k), comment="技术路线清晰，产业化前景好（演示）",
                               today=review_day)
    projects.review_rank(user=actor, call=call)
    approve_day = review_day + dt.timedelta(days=10)
    projects.project_approve(user=actor, project=Project.objects.get(pk=p.pk), approved_amount="100",
                             goals="研制智能切割样机一台，切割效率提高30%", indicators=["样机1台", "申请发明专利2件"],
                             budget_lines=[{"item": "设备费", "amount": "60"}, {"item": "材料费", "amount": "40"}],
                             lump_sum=True, start_on=approve_day, end_on=approve_day + dt.timedelta(days=365),
                             instalments=[("60", approve_day + dt.timedelta(days=15)),
                                          ("40", approve_day + dt.timedelta(days=200))], today=approve_day)
    if stdout:
        stdout.write("  项目与监管：演示科技计划项目")
    load_demo_challenge_project(stdout)


def load_demo_challenge_project(stdout=None) -> None:
    """A 揭榜挂帅 project accepted a week ago, carried through the real services: a demo enterprise's
    need published as a 榜单 about 14 months ago, turned into a call, the demo enterprise user's
    enterprise 揭榜 (applies), experts drawn and scoring, 立项 with a 100 万元 challenge subsidy,
    both instalments paid, 中期检查, 验收 — which records the policy event and screens that
    enterprise at once, so the reward's 免申即享 candidate case (南政规〔2025〕2号 一、（二）) is in
    the demo (the enterprise sees it on its desk, the bureau in the cases). Once."""
    from kechuang.core.models import User
    from kechuang.enterprises.models import Enterprise
    from kechuang.techmarket import services as market

    from . import projects
    from .models import PlanCategory, Project, ReviewAssignment

    if PlanCategory.objects.filter(is_demo=True, code="DEMO-JBGS").exists():
        return
    solver_user = User.objects.filter(username="qiye_demo").select_related("enterprise").first()
    solver = solver_user.enterprise if solver_user else None
    if solver is None:
        return
    issuer = (Enterprise.objects.filter(is_demo=True, township__isnull=False).exclude(pk=solver.pk)
              .order_by("id").first())
    if issuer is None:
        return
    actor = _actor()
    today = timezone.localdate()
    day = today - dt.timedelta(days=430)   # the 张榜日期
    need = market.need_post(user=actor, enterprise=issuer, title="（演示）高端卫浴陶瓷釉面缺陷智能检测",
                            field="智能制造", budget="200",
                            description="陶瓷坐便器、洗面盆釉面针孔、缩釉、色差靠人工目检，漏检率高；需要在线视觉检测装备，"
                                        "检出率不低于 98%，节拍不低于每分钟 6 件。")
    challenge = market.challenge_publish(need=need, published_on=day, bounty="200",
                                         title="（演示）卫浴陶瓷釉面缺陷在线视觉检测装备",
                                         summary="研制陶瓷釉面缺陷在线视觉检测装备，检出率≥98%，节拍≥6 件/分钟。",
                                         field="智能制造", deadline=day + dt.timedelta(days=45), user=actor)
    cat = projects.category_create(user=actor, code="DEMO-JBGS", name="（演示）揭榜挂帅", is_demo=True)
    opens = day + dt.timedelta(days=50)
    call = projects.call_create(user=actor, category=cat, year=opens.year, challenge=challenge,
                                title=f"（演示）{challenge.title} 揭榜项目申报", opens_on=opens,
                                closes_on=opens + dt.timedelta(days=20), max_amount="200",
                                guide="由揭榜团队依托企业申报，按任务书分期拨付，验收通过后兑现揭榜挂帅补助。", is_demo=True)
    for name, unit in (("郭伟", "（演示）华侨大学"), ("庄静", "（演示）集美大学"), ("许斌", "（演示）泉州信息工程学院")):
        projects.expert_admit(user=actor, name=name, unit=unit, field="智能制造", title="教授", today=opens,
                              is_demo=True)
    p = projects.project_create(user=actor, call=call, applicant=solver, title=challenge.title,
                                pi_name="王建新", requested_amount="150", co_applicants=["（演示）华侨大学"],
                                is_demo=True)
    projects.project_submit(user=actor, project=p, integrity_promise=True, today=opens + dt.timedelta(days=3))
    review_day = opens + dt.timedelta(days=25)
    projects.project_formal_review(user=actor, project=Project.objects.get(pk=p.pk), passed=True, today=review_day)
    projects.review_draw(user=actor, call=call, seed=f"{review_day:%Y%m%d}-上证收盘3251.62",
                         seed_source="抽取日期 + 抽取当日上证指数收盘点位（演示）", today=review_day)
    for k, a in enumerate(ReviewAssignment.objects.filter(project=p)):
        projects.review_submit(user=actor, assignment=a, score=str(86 + 2 * k), comment="技术指标明确，团队有产业化经验（演示）",
                               today=review_day)
    projects.review_rank(user=actor, call=call)
    approve_day = review_day + dt.timedelta(days=7)
    start, end = approve_day + dt.timedelta(days=10), today - dt.timedelta(days=15)
    p = projects.project_approve(user=actor, project=Project.objects.get(pk=p.pk), approved_amount="150",
                                 goals="研制釉面缺陷在线视觉检测装备一套并在发榜企业产线运行",
                                 indicators=["检测装备1套", "检出率≥98%", "申请发明专利2件"],
                                 budget_lines=[{"item": "设备费", "amount": "90"}, {"item": "测试化验加工费", "amount": "60"}],
                                 lump_sum=True, start_on=start, end_on=end, challenge_subsidy="100",
                                 instalments=[("90", start + dt.timedelta(days=10)), ("60", start + dt.timedelta(days=200))],
                                 today=approve_day)
    for inst in p.instalments.order_by("seq"):
        projects.instalment_pay(user=actor, instalment=inst, today=inst.planned_on)
    projects.project_midterm(user=actor, project=Project.objects.get(pk=p.pk), on=p.midterm_due,
                             conclusion="样机已在发榜企业产线试运行，进度正常（演示）")
    projects.project_accept(user=actor, project=Project.objects.get(pk=p.pk), indicators_met=True, audit_passed=True,
                            note="考核指标全部完成，财务审计通过（演示）", today=today - dt.timedelta(days=7))
    if stdout:
        stdout.write(f"  项目与监管：演示揭榜挂帅项目已验收（{solver.name}，补助 100 万元进入免申即享候选）")
