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
    n_owned = load_csl_owners()
    if stdout is not None:
        stdout.write("技术市场演示数据：科研院所 2 家、技术经理人 3 名、仪器 1 台\n")
        stdout.write(f"技术市场演示数据（成果目录）：{n_catalogue}\n")
        stdout.write(f"技术市场演示数据（成果持有方）：演示科研机构 {len(CSL_OWNERS)} 家，"
                     f"{n_owned} 项 CSL 成果按学科归属到机构和专家并附联系人\n")


# Demo owners of the shipped CSL achievements, by discipline (the CSL ``discipline`` column, stored in
# Achievement.field): each discipline group belongs to one demo institute, each discipline to one of
# its experts, who is the contact a broker calls. Names and numbers are invented and marked 演示.
# institute: (kind, city, platforms, [(expert, title, field, phone, email, [disciplines])])
CSL_OWNERS = {
    "泉州材料与化工研究院（演示）": ("新型研发机构（演示）", "泉州", ["新材料中试平台（演示）"], [
        ("林材远（演示）", "研究员", "新材料", "0595-22680101", "linca@demo.invalid",
         ["材料科学与工程", "冶金工程", "矿业工程"]),
        ("黄化成（演示）", "教授级高工", "化学工程", "0595-22680102", "huanghc@demo.invalid",
         ["化学/化学工程与技术", "石油与天然气工程"]),
        ("王纺衣（演示）", "副研究员", "纺织服装", "0595-22680103", "wangfy@demo.invalid",
         ["纺织科学与工程"]),
    ]),
    "闽南机电与信息技术研究院（演示）": ("新型研发机构（演示）", "南安", ["智能装备工程中心（演示）"], [
        ("陈机械（演示）", "研究员", "智能装备", "0595-86390201", "chenjx@demo.invalid",
         ["机械工程", "力学", "兵器科学与技术", "船舶与海洋工程", "航空宇航科学与技术",
          "动力工程及工程热物理", "核科学与技术"]),
        ("吴电子（演示）", "教授", "电子信息", "0595-86390202", "wudz@demo.invalid",
         ["电子科学与技术", "信息与通信工程", "光学工程", "电气工程"]),
        ("郑算法（演示）", "副教授", "计算机与控制", "0595-86390203", "zhengsf@demo.invalid",
         ["计算机科学与技术", "控制科学与工程", "数学", "物理学", "天文学"]),
    ]),
    "南安食品与农业科技研究所（演示）": ("科研院所（演示）", "南安", ["农产品加工中试基地（演示）"], [
        ("苏食安（演示）", "研究员", "食品科学", "0595-86390301", "susa@demo.invalid",
         ["食品科学与工程", "水产", "畜牧学/兽医学"]),
        ("叶农艺（演示）", "高级农艺师", "农业工程", "0595-86390302", "yeny@demo.invalid",
         ["园艺学", "作物学", "农业工程", "林学/林业工程", "农业资源利用", "植物保护", "农林经济管理"]),
    ]),
    "海西生物医药研究中心（演示）": ("科研院所（演示）", "泉州", ["生物医药公共技术平台（演示）"], [
        ("许药师（演示）", "研究员", "生物医药", "0595-22680401", "xuys@demo.invalid",
         ["药学", "中医学/中药学", "生物学/生物科学与工程"]),
        ("蔡临床（演示）", "主任医师", "临床医学", "0595-22680402", "cailc@demo.invalid",
         ["基础医学/临床医学", "口腔医学", "公共卫生与预防医学", "心理学", "体育学"]),
    ]),
    "泉州环境与资源研究院（演示）": ("科研院所（演示）", "泉州", ["环境监测与治理中心（演示）"], [
        ("洪环保（演示）", "研究员", "环境工程", "0595-22680501", "honghb@demo.invalid",
         ["环境科学与工程", "大气科学", "海洋科学", "水利工程"]),
        ("庄地学（演示）", "高级工程师", "资源与测绘", "0595-22680502", "zhuangdx@demo.invalid",
         ["地理学", "地质学/地质资源与地质工程", "测绘科学与技术", "地球物理学"]),
    ]),
    "闽南土木与交通工程研究院（演示）": ("新型研发机构（演示）", "泉州", ["建筑与交通工程实验室（演示）"], [
        ("傅桥隧（演示）", "教授级高工", "土木交通", "0595-22680601", "fuqs@demo.invalid",
         ["土木工程", "交通运输工程", "建筑学"]),
    ]),
    "闽南经济与社会发展研究中心（演示）": ("智库（演示）", "泉州", ["产业政策研究室（演示）"], [
        ("杨经管（演示）", "研究员", "经济管理", "0595-22680701", "yangjg@demo.invalid",
         ["工商管理", "应用经济学", "理论经济学", "公共管理", "图书馆、情报与档案管理"]),
        ("高人文（演示）", "副研究员", "人文社科", "0595-22680702", "gaorw@demo.invalid", []),   # every other discipline
    ]),
}


def load_csl_owners() -> int:
    """Give the shipped CSL achievements demo owners (institute + expert + contact) by discipline
    (idempotent: only achievements still without an institute). Returns how many were assigned."""
    from kechuang.core.changes import log_bulk, snapshot

    from .models import Achievement, Institute
    expert_of: dict[str, tuple] = {}
    fallback = None
    for name, (kind, city, platforms, experts) in CSL_OWNERS.items():
        inst, _ = Institute.objects.get_or_create(name=name, defaults={
            "kind": kind, "city": city, "platforms": platforms,
            "experts": [{"name": e, "title": t, "field": f, "phone": ph, "email": em}
                        for e, t, f, ph, em, _d in experts]})
        for e, t, _f, ph, _em, disciplines in experts:
            for d in disciplines:
                expert_of[d] = (inst, e, t, ph)
            if not disciplines:
                fallback = (inst, e, t, ph)
    todo = list(Achievement.objects.filter(source="CSL", owner_institute__isnull=True))
    before = {a.pk: snapshot(a) for a in todo}
    for a in todo:
        inst, expert, title, phone = expert_of.get(a.field) or fallback
        a.owner_institute = inst
        a.owner_name = f"{expert}课题组"
        a.contact = f"{expert} {title} {phone}（演示号码）"
    Achievement.objects.bulk_update(todo, ["owner_institute", "owner_name", "contact"], batch_size=500)
    log_bulk(Achievement, "update", todo, before)
    return len(todo)


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
    hx = Institute.objects.filter(name="中国科学院海西研究院泉州装备制造研究中心").first()
    drafts += (   # published: what the demo needs of load_demo_activity are matched to
        ("石材加工废水絮凝沉淀与压滤回用成套技术",
         "针对石材切割、磨抛产生的含石粉废水，采用复合絮凝剂快速沉降、斜管沉淀与板框压滤，清水回用率达 92%，"
         "压滤泥饼可用于制备免烧砖。已在南安 3 家石材企业应用。",
         ["石材废水", "絮凝沉淀", "压滤", "废水回用"], "环境工程", 8, jm, ["license", "use_first"], "published"),
        ("LED外延片表面缺陷与芯片光电参数快速检测系统",
         "基于暗场散射成像和深度学习识别氮化镓外延片表面颗粒、划痕、裂纹等缺陷，结合探针台快速测试芯片光电参数，"
         "检测节拍 30 秒/片，可接入产线提高良率。",
         ["LED外延片", "缺陷检测", "光电参数", "氮化镓"], "光电信息", 6, hx or hqu, ["license", "transfer"], "published"),
    )
    made = 0
    for title, abstract, keywords, field, trl, inst, modes, status in drafts:
        _, created = Achievement.objects.get_or_create(title=title, defaults={
            "abstract": abstract, "keywords": keywords, "field": field, "maturity": trl, "owner_institute": inst,
            "owner_name": "" if inst else "南安市某企业研发中心", "transfer_modes": modes, "status": status,
            "source": "manual", "contact": "0595-86381234"})
        made += created
    return f"科研院所 1 家、仪器 4 台、演示成果 {len(drafts)} 项（已发布 2 项、待审核/草稿 4 项；新建 {made} 项）"


DEMO_NEED_TITLES = ("石材加工废水循环处理与回用技术", "LED外延片与芯片缺陷检测", "超薄石材复合板切割金刚石工具",
                    "卫浴水龙头铜合金铸件无铅化工艺")


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
    # the catalogue index is built by a background job once the worker runs, which is after this
    # loader: without it every demo need matched nothing (no dispatch, deal or contract in the
    # demo, an empty broker workbench), so the loader brings the index in step itself first
    from .catalogue import catalogue_sync

    catalogue_sync()
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
    # no published achievement fits this one (the 无铅黄铜 formula waits in 成果审核): the need page
    # says so and suggests dispatch to a broker instead of listing weak candidates
    nofit = services.need_post(user=actor,
        enterprise=enterprise, title=DEMO_NEED_TITLES[3], field="新材料", budget="40",
        description="我公司生产卫浴水龙头，铜合金铸件需要无铅化，寻找低铅黄铜配方与铸造工艺，满足饮用水卫生标准。")
    services.need_match(user=actor, need=nofit, k=8)
    if stdout is not None:
        stdout.write(f"技术市场演示流程：需求 4 项（1 项已成交并登记合同、1 项暂无合适成果）、揭榜挂帅榜单 1 个（{challenge.title}）\n")
