"""Write-matrix cases of the technology market (tests/scoping/writes.py): needs, dispatches and
challenges of 水头甲 (enterprise A), whose broker is broker_a."""
import datetime as dt

from tests.scoping.writes import Write, form, upload, xlsx
from tests.world import SYSTEM

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _market(world):
    from tests.techmarket.scoping_cases import _market as market

    if "_tm_market" not in world.__dict__:
        world.__dict__["_tm_market"] = market(world)
    return world.__dict__["_tm_market"]["a"]


def _need_new(world):
    return {"data": {"title": "石材废料再利用", "description": "寻找石粉综合利用技术", "field": "新材料",
                     "budget": "30", "deadline": "", "is_public": "on"}}


def _feedback(world):
    a = _market(world)
    match = a["need"].matches.first()
    return {"kwargs": {"pk": a["need"].pk}, "data": {"action": "feedback", "match": match.pk,
                                                     "feedback": "interested", "note": "请联系"}}


def _need_dispatch(world):
    from kechuang.techmarket import services

    _market(world)   # brokers for the rule
    need = services.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="无适合成果的需求",
                              description="铜合金铸件无铅化", is_public=False)
    return {"kwargs": {"pk": need.pk}, "data": {"broker_id": "", "reason": ""}}


def _note(world):
    return {"kwargs": {"pk": _market(world)["dispatch"].pk}, "data": {"action": "note", "text": "已电话联系"}}


def _import(world):
    from kechuang.techmarket import excel

    sheet = xlsx(list(excel.ACHIEVEMENT_HEADERS),
                 [["矩阵成果", "简介", "石材；切割", "智能装备", 7, "华侨大学", "转让、许可", 10, 20, ""]])
    return {"data": form(kind="achievements", file=upload("成果.xlsx", sheet, XLSX))}


def _moderation(world):
    from kechuang.techmarket.models import Achievement

    a = Achievement.objects.create(title="待审成果", abstract="摘要", keywords=["石材"], status="review")
    return {"data": {"action": "publish", "achievement": a.pk}}


def _challenge_new(world):
    need = _market(world)["need"]
    return {"data": {"need": need.pk, "title": "石材切割揭榜", "summary": "揭榜内容", "field": "智能装备",
                     "bounty": "50", "deadline": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
                     "published_on": dt.date.today().isoformat(), "milestones": ""}}


def _challenge(world):
    from kechuang.techmarket import services

    ch = services.challenge_publish(need=_market(world)["need"], published_on=dt.date.today(), title="揭榜",
                                    summary="内容", bounty="50", user=SYSTEM,
                                    deadline=dt.date.today() + dt.timedelta(days=60))
    return {"kwargs": {"pk": ch.pk}, "data": {"action": "close", "reason": "需求已解决"}}


WRITES = {
    "techmarket:need_new": Write.action("techmarket.need.post", _need_new),
    "techmarket:need_detail": Write.action("techmarket.match.feedback", _feedback,
                                           note="action=feedback; rematch and dispatch are the same view with "
                                                "their own permission"),
    "techmarket:need_dispatch": Write.action("techmarket.dispatch.assign", _need_dispatch),
    "techmarket:dispatch_detail": Write.action("techmarket.dispatch.work", _note,
                                               note="action=note; drop (终止) is the same view with "
                                                    "techmarket.dispatch.assign, tests/techmarket/test_dispatch_need.py"),
    "techmarket:import": Write.action("techmarket.import", _import),
    "techmarket:moderation": Write.action("techmarket.achievement.moderate", _moderation),
    "techmarket:challenge_new": Write.action("techmarket.challenge.publish", _challenge_new),
    "techmarket:challenge_detail": Write.action("techmarket.challenge.manage", _challenge,
                                                note="action=close; apply, review and milestones are the same view"),
}
