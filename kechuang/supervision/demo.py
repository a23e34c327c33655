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
    ents = list(Enterprise.objects.filter(is_demo=True).order_by("id")[:2])
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

    if Draw.objects.filter(is_demo=True).exists():
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
                               seed=f"{today:%Y%m%d}-上证收盘3421.55", seed_source="抽取日期 + 前一交易日上证指数收盘点位（演示）",
                               announced_on=today - dt.timedelta(days=7), draw_on=today, is_demo=True)
    d = services.draw_run(user=actor, draw_row=d, today=today)
    first = d.result["drawn"][0]["object"] if d.result["drawn"] else None
    if first:
        r = services.result_record(user=actor, draw_row=d, object_ref=first, inspected_on=today, outcome="pass",
                                   finding="（演示）建设运营情况与申报一致", basis="国办发〔2015〕58号", today=today,
                                   is_demo=True)
        services.result_publicize(user=actor, result=r, today=today)
    if stdout:
        stdout.write("  项目与监管：演示双随机抽查")
