"""Scoping cases for the technology market's 揭榜挂帅 pages: challenge detail, applications, review, award, milestones; dispatch attachments (merged into scoping_cases.CASES)."""
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.scoping.framework import Case
from tests.world import SYSTEM


def _challenges(world):
    """A challenge from township A's private need (open) and a withdrawn one from township B's.

    Open challenges are public to signed-in users; a withdrawn (撤榜) one is visible only to the
    bureau, the need's township and its enterprise."""
    from kechuang.techmarket import services

    out = {}
    for key, ent in (("a", world.enterprise_a), ("b", world.enterprise_b)):
        need = services.need_post(user=SYSTEM, enterprise=ent, title=f"{key}需求", description="保密的需求描述", is_public=False)
        out[key] = services.challenge_publish(user=SYSTEM, need=need, published_on=date(2026, 5, 1), title=f"榜单{key}",
                                              summary=f"榜单{key}内容")
    services.challenge_close(user=SYSTEM, challenge=out["b"], reason="需求已自行解决")
    return out


def _challenge_detail(world):
    ch = _challenges(world)
    return {"own": {"pk": ch["a"].pk}, "foreign": {"pk": ch["b"].pk}}


def _dispatch_attachment(world):
    from kechuang.techmarket import services
    from tests.techmarket.scoping_cases import _market

    m = _market(world)
    ids = {}
    for key, broker in (("a", world.broker_a), ("b", world.broker_b)):
        pdf = SimpleUploadedFile(f"合同{key}.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        ids[key] = services.dispatch_attach(dispatch=m[key]["dispatch"], upload=pdf, user=broker).pk
    return {"own": {"pk": ids["a"]}, "foreign": {"pk": ids["b"]}}


CASES: dict = {
    "techmarket:challenge_new": Case.role("staff", note="only the bureau publishes 榜单"),
    "techmarket:challenge_detail": Case.objects(
        _challenge_detail, note="open challenges are public to signed-in users; a withdrawn one of another "
                                "township is not"),
    "techmarket:public_challenges": Case.public(note="公开榜单: open challenges' public fields only"),
    "techmarket:dispatch_attachment": Case.objects(_dispatch_attachment, actor="broker_a",
                                                   note="a broker downloads only files of their own dispatches"),
}
