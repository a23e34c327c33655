"""Demo data for `kechuang serve --demo`: institutes, brokers and an instrument."""
from __future__ import annotations


def load_demo(stdout=None) -> None:
    """Create two institutes with experts, three brokers and one shared instrument (idempotent)."""
    from .models import Broker, Institute, Instrument
    hqu, _ = Institute.objects.get_or_create(name="华侨大学", defaults={
        "kind": "高校", "city": "泉州", "platforms": ["石材加工技术工程研究中心"],
        "experts": [{"name": "陈教授", "title": "教授", "field": "智能装备"}]})
    Institute.objects.get_or_create(name="中国科学院海西研究院泉州装备制造研究中心", defaults={
        "kind": "大院大所", "city": "泉州", "platforms": ["智能制造中试平台"],
        "experts": [{"name": "林研究员", "title": "研究员", "field": "新材料"}]})
    Instrument.objects.get_or_create(name="场发射扫描电子显微镜", owner=hqu,
                                     defaults={"category": "分析测试", "fee": "400 元/小时"})
    for name, fields in (("张技术经理", ["新材料", "化学工程"]), ("李技术经理", ["智能装备", "机械工程"]),
                         ("王技术经理", ["生物医药", "食品科学"])):
        Broker.objects.get_or_create(name=name, defaults={"fields": fields, "institution": "南安市技术转移中心"})
    n_catalogue = _load_catalogue_demo(hqu)
    if stdout is not None:
        stdout.write("技术市场演示数据：科研院所 2 家、技术经理人 3 名、仪器 1 台\n")
        stdout.write(f"技术市场演示数据（成果目录）：{n_catalogue}\n")


def _load_catalogue_demo(hqu) -> str:
    """A third institute with experts, shared instruments of several categories, and achievements
    awaiting 成果审核 (idempotent)."""
    from .models import Achievement, Institute, Instrument
    jm, _ = Institute.objects.get_or_create(name="泉州市石材产业技术研究院", defaults={
        "kind": "新型研发机构", "city": "南安", "platforms": ["石材检测中心", "石材智能制造中试基地"],
        "experts": [{"name": "黄高级工程师", "title": "高级工程师", "field": "石材加工"},
                    {"name": "吴博士", "title": "副研究员", "field": "新材料"},
                    {"name": "郑教授", "title": "教授", "field": "智能装备"}]})
    for name, owner, category, fee, available in (
            ("X射线荧光光谱仪", jm, "分析测试", "300 元/样", True),
            ("石材抗折试验机", jm, "力学性能", "150 元/组", True),
            ("五轴数控桥切机", jm, "中试加工", "按加工量面议", False),
            ("激光粒度分析仪", hqu, "分析测试", "200 元/样", True)):
        Instrument.objects.get_or_create(name=name, owner=owner, defaults={
            "category": category, "fee": fee, "available": available})
    drafts = (
        ("石材锯泥资源化制备免烧砖技术", "以石材加工锯泥为主要原料，掺入少量胶凝材料压制免烧砖，抗压强度达 MU15。",
         ["锯泥", "免烧砖", "固废利用"], "新材料", 6, jm, ["transfer", "license"], "review"),
        ("花岗岩板材表面缺陷视觉检测系统", "基于深度学习识别花岗岩板材裂纹、色斑，检出率 95% 以上，可接入生产线。",
         ["机器视觉", "缺陷检测", "花岗岩"], "智能装备", 7, hqu, ["license", "use_first"], "review"),
        ("水暖卫浴铜合金无铅化配方", "低铅黄铜替代配方，切削性能接近传统铅黄铜，满足饮用水卫生要求。",
         ["无铅黄铜", "水暖卫浴"], "新材料", 5, None, ["equity"], "review"),
        ("茶叶低温烘焙节能装备", "", ["茶叶烘焙"], "智能装备", 4, None, [], "draft"),
    )
    made = 0
    for title, abstract, keywords, field, trl, inst, modes, status in drafts:
        _, created = Achievement.objects.get_or_create(title=title, defaults={
            "abstract": abstract, "keywords": keywords, "field": field, "maturity": trl, "owner_institute": inst,
            "owner_name": "" if inst else "南安市某企业研发中心", "transfer_modes": modes, "status": status,
            "source": "manual", "contact": "0595-86381234"})
        made += created
    return f"科研院所 1 家、仪器 4 台、待审核/草稿成果 {len(drafts)} 项（新建 {made} 项）"


DEMO_NEED_TITLES = ("石材加工废水循环处理与回用技术", "LED外延片与芯片缺陷检测", "超薄石材复合板切割金刚石工具")


def load_demo_activity(stdout=None) -> None:
    """One whole flow for the demo accounts (idempotent): the demo enterprise's needs, matched;
    one dispatched to jingli_demo and carried to a deal and a registered contract (which shows
    in the township's 技术合同成交额), one waiting for first contact, and a 揭榜挂帅 challenge
    with a team's application and milestones."""
    import datetime as dt

    from django.utils import timezone

    from kechuang.core.models import User
    from kechuang.core.permissions import system_actor

    from . import services
    from .models import Broker, Need

    actor = system_actor("command:demo techmarket")

    staff = User.objects.filter(username="kjj_demo").first()
    ent_user = User.objects.filter(username="qiye_demo").select_related("enterprise").first()
    broker_user = User.objects.filter(username="jingli_demo").first()
    if not (staff and ent_user and ent_user.enterprise and broker_user):
        return
    broker = Broker.objects.filter(user=broker_user).first()
    if broker is None:
        broker = Broker.objects.filter(name="张技术经理", user__isnull=True).first()
        if broker is None:
            return
        broker.user = broker_user
        broker.save(update_fields=["user"])
    if Need.objects.filter(enterprise=ent_user.enterprise, title__in=DEMO_NEED_TITLES).exists():
        return
    enterprise, today = ent_user.enterprise, timezone.localdate()
    done = services.need_post(user=actor,
        enterprise=enterprise, title=DEMO_NEED_TITLES[0], field="环境工程", budget="80",
        description="石材切割、磨抛产生大量含石粉污水，需要絮凝沉淀与过滤回用工艺，回用率不低于 90%，污泥压滤后综合利用。",
        deadline=today + dt.timedelta(days=90))
    matches = services.need_match(user=actor, need=done, k=8)
    if matches:
        services.match_feedback(user=actor, match=matches[0], feedback="interested", note="希望到厂实地对接")
        d = services.dispatch_assign(user=actor, match=matches[0], broker=broker, reason="演示：指定本领域技术经理人")
        services.dispatch_note(user=actor, dispatch=d, text="已电话联系成果方，约定下周到厂考察。", author=broker.name)
        services.dispatch_advance(user=actor, dispatch=d)   # 对接 → 洽谈
        services.dispatch_advance(user=actor, dispatch=d)   # 洽谈 → 签约
        deal = services.deal_sign(user=actor, dispatch=d, amount="60", signed_on=today)
        services.contract_register(user=actor, deal=deal, contract_type="transfer", registered_on=today,
                                   registration_no=f"DEMO-{today.year}-0001")
    waiting = services.need_post(user=actor,
        enterprise=enterprise, title=DEMO_NEED_TITLES[1], field="光电信息", budget="50",
        description="本企业生产氮化镓 LED 外延片，需要外延片表面缺陷和芯片光电参数的快速检测方法，提高良率。")
    matches = services.need_match(user=actor, need=waiting, k=8)
    if matches:
        services.dispatch_assign(user=actor, match=matches[0], broker=broker, reason="演示：指定本领域技术经理人")
    bounty_need = services.need_post(user=actor,
        enterprise=enterprise, title=DEMO_NEED_TITLES[2], field="新材料", budget="150",
        description="厚度 3 mm 以下石材复合板切割崩边严重，需要研发专用金刚石锯片及配套工艺，崩边不大于 0.3 mm。")
    challenge = services.challenge_publish(
        need=bounty_need, published_on=today, bounty="150", deadline=today + dt.timedelta(days=60),
        milestones=[("方案论证", today + dt.timedelta(days=90)), ("样机试切验收", today + dt.timedelta(days=270))],
        user=actor)
    services.challenge_apply(challenge=challenge, team="华侨大学石材加工团队", lead="陈教授",
                             institution="华侨大学", proposal="采用梯度胎体配方与激光焊接薄基体，配合低速大进给工艺。",
                             user=actor)
    if stdout is not None:
        stdout.write(f"技术市场演示流程：需求 3 项（1 项已成交并登记合同）、揭榜挂帅榜单 1 个（{challenge.title}）\n")
