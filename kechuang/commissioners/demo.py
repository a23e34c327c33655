"""Demo data for `kechuang serve --demo` (every row marked demo): commissioners of the three kinds
at the three levels (one team from 北京), villages, a selection round, and — after the demo accounts
exist — a year of services: needs, assignments, menu items and orders, agreements, service logs
(mostly confirmed, some waiting, one disputed), online Q&A and the year's assessment."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

DEMO_COMMISSIONERS = [
    # name, kind, level, source, dispatch unit, expertise, fields, industries, townships, villages
    ("林建华", "individual", "province", "本地", "福建农林大学", "茶树栽培、茶园病虫害绿色防控、茶叶加工工艺", ["农业"],
     "茶产业", ["水头镇", "康美镇"], [("水头镇", "山前村"), ("康美镇", "梅魁村")]),
    ("陈玉梅", "individual", "city", "本地", "南安市农业农村局", "蔬菜设施栽培、土壤改良与测土配方施肥", ["农业"],
     "蔬菜", ["溪美街道"], [("溪美街道", "下店村")]),
    ("北京食品加工科技特派员团队", "team", "province", "北京", "中国农业大学", "农产品精深加工、食品安全检测、冷链物流",
     ["加工制造", "农业"], "农产品加工", ["水头镇"], [("水头镇", "朴里村")]),
    ("泉州数字乡村服务中心", "legal", "county", "本地", "南安市科技局", "农村电商、数字乡村平台、直播带货培训",
     ["数字经济", "文旅康养"], "电商、乡村旅游", ["康美镇", "溪美街道"], []),
    ("黄志强", "individual", "county", "本地", "南安市林业局", "林下经济、中药材种植", ["林业"], "林下经济", ["康美镇"], []),
]

DEMO_USERNAME = "tepai_demo"


def load_demo(stdout=None) -> None:
    """Commissioners, villages and a selection round (idempotent)."""
    from django.utils import timezone

    from kechuang.core.models import Region
    from kechuang.core.permissions import system_actor

    from . import services
    from .models import Commissioner, SelectionRound

    actor = system_actor("command:serve --demo")
    year = timezone.localdate().year
    made = 0
    for name, kind, level, source, unit, expertise, fields, industries, towns, villages in DEMO_COMMISSIONERS:
        towns = [t for t in towns if Region.resolve(t)]
        villages = [(t, v) for t, v in villages if Region.resolve(t)]
        if Commissioner.objects.filter(name=name, dispatch_unit=unit).exists():
            continue
        members = ([{"name": "王教授", "unit": unit, "speciality": "食品工程", "is_leader": True},
                    {"name": "李副教授", "unit": unit, "speciality": "食品安全检测"},
                    {"name": "赵博士", "unit": unit, "speciality": "冷链物流"}] if kind == "team" else ())
        services.commissioner_register(actor=actor, name=name, kind=kind, level=level, source=source,
                                       dispatch_unit=unit, year=year, expertise=expertise, fields=fields,
                                       industries=industries, townships=towns, villages=villages, members=members,
                                       phone="13905950000", basis="演示数据", demo=True)
        # a history: the same commissioner recognised last year too
        services.commissioner_register(actor=actor, name=name, kind=kind, level=level, source=source,
                                       dispatch_unit=unit, year=year - 1, valid_until=dt.date(year, 12, 31),
                                       expertise=expertise, fields=fields, industries=industries, townships=towns,
                                       villages=villages, members=members, phone="13905950000", basis="演示数据",
                                       demo=True)
        Commissioner.objects.filter(name=name, dispatch_unit=unit).update(recognised_year=year,
                                                                          valid_until=dt.date(year, 12, 31))
        made += 1
    if not SelectionRound.objects.filter(year=year + 1, demo=True).exists():
        rnd = services.round_open(actor=actor, year=year + 1, title=f"{year + 1}年度县级科技特派员选认（演示）",
                                  notice="围绕四大主导产业，跨界别、跨区域、跨体制选认科技特派员。", demo=True)
        services.round_advance(actor=actor, rnd=rnd)
        services.application_submit(actor=actor, rnd=rnd, name="郑晓东", dispatch_unit="南安市农业科学研究所",
                                    expertise="水稻新品种选育", fields=["农业"], townships=["水头镇"])
    if stdout is not None:
        stdout.write(f"科技特派员演示数据：特派员 {len(DEMO_COMMISSIONERS)} 名（组、家，新建 {made}）\n")


def load_demo_activity(stdout=None) -> None:
    """A demo commissioner account bound to 林建华 and a year of services (idempotent)."""
    import os

    from django.utils import timezone

    from kechuang.core.accounts import random_password
    from kechuang.core.models import Region, Role, User
    from kechuang.core.permissions import system_actor

    from . import services
    from .models import Commissioner, ServiceLog

    actor = system_actor("command:serve --demo")
    lin = Commissioner.objects.filter(name="林建华", demo=True).first()
    shuitou = Region.resolve("水头镇")
    if lin is None or shuitou is None or ServiceLog.objects.filter(demo=True).exists():
        return
    user = User.objects.filter(username__iexact=DEMO_USERNAME).first()
    if user is None:
        password = os.environ.get("KECHUANG_DEMO_PASSWORD", "") or random_password()
        user = User(username=DEMO_USERNAME, role=Role.COMMISSIONER, last_name="林建华（演示特派员）",
                    password_changed_at=timezone.now())
        user.set_password(password)
        user.save()
        if stdout is not None:
            stdout.write(f"  演示账户 {DEMO_USERNAME}（科技特派员）密码：{password}\n")
    Commissioner.objects.filter(pk=lin.pk).update(account=user)
    lin.refresh_from_db()
    today = timezone.localdate()
    village = services.recipient_for(actor=actor, kind="village", township=shuitou, village="山前村", demo=True)
    coop = services.recipient_for(actor=actor, kind="cooperative", township=shuitou, name="水头镇山前茶叶专业合作社",
                                  village="山前村", demo=True)
    need = services.need_post(actor=actor, recipient=village, title="老茶园低产改造与病虫害绿色防控",
                              description="山前村 300 亩老茶园产量下降，茶小绿叶蝉危害重，希望指导改造和绿色防控。",
                              field="农业", posted_on=today - dt.timedelta(days=330), demo=True)
    a = services.need_assign(actor=actor, need=need, commissioner=lin, score="0.9")
    services.assignment_respond(actor=user, assignment=a, accept=True)
    agreement = services.agreement_create(
        actor=actor, commissioner=lin, recipient=village, need=need, goals="三年内老茶园亩产提高 20%，农药使用量减少 30%",
        starts_on=today - dt.timedelta(days=320), ends_on=today + dt.timedelta(days=45),
        deliverables="改造示范片 100 亩；培训茶农 200 人次；推广绿色防控技术 2 项", benefit="share", share_ratio="0.05",
        demo=True)
    services.need_post(actor=actor, recipient=coop, title="茶叶初制加工设备选型与工艺改进",
                       description="合作社拟新建初制厂，需要设备选型和做青工艺指导。", field="加工制造", demo=True)
    item = services.item_publish(actor=user, kind="training", title="茶园绿色防控技术培训",
                                 description="茶小绿叶蝉、茶尺蠖的识别和绿色防控，含现场演示。", available="每月第二周",
                                 demo=True)
    services.order_place(actor=actor, item=item, recipient=coop, note="合作社社员约 40 人")
    contents = ["茶园修剪与施肥现场指导", "茶小绿叶蝉绿色防控技术培训", "茶园土壤取样与测土配方",
                "秋季茶园管理现场指导", "茶叶做青工艺指导"]
    made = 0
    for i in range(12):
        served = today - dt.timedelta(days=300 - i * 25)
        if served.year != today.year:
            continue
        log = services.log_record(actor=actor, commissioner=lin, recipient=village if i % 3 else coop,
                                  served_on=served, place="山前村茶园", content=contents[i % len(contents)],
                                  days=Decimal("2"), people=15 + i, field="农业",
                                  agreement=agreement if i % 3 else None, demo=True)
        made += 1
        if i < 9:
            services.log_confirm(actor=actor, log=log, confirmed=True, rating=5 if i % 2 else 4,
                                 income_increase="1.5" if i % 4 == 0 else "0", new_techniques=1 if i == 4 else 0)
        elif i == 9:
            services.log_confirm(actor=actor, log=log, confirmed=False, reason="当天未见到特派员到村，请核实")
    q = services.question_ask(actor=actor, recipient=coop, commissioner=lin, text="春茶采摘后修剪深度多少合适？")
    services.question_answer(actor=user, question=q, answer="轻修剪剪去 3–5 厘米，树势弱的茶园宜深修剪 10–15 厘米。")
    services.assessment_run(actor=actor, year=today.year)
    services.subsidy_refer_year(actor=actor, year=today.year)   # 后补助 → the policies redemption flow
    if stdout is not None:
        stdout.write(f"科技特派员演示数据：需求 2 条、协议 1 份、服务日志 {made} 条、网上咨询 1 条、年度考核已计算\n")
