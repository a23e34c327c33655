"""Scoping cases for the technology market's catalogue pages: achievements, moderation, institutes, instruments, match outcomes (merged into scoping_cases.CASES)."""
from tests.scoping.framework import Case


def _achievements(world):
    """A published achievement (public listing) and a draft (only the bureau may see it)."""
    from kechuang.techmarket.models import Achievement
    pub = Achievement.objects.create(title="已发布的石材切割成果", abstract="切割", status="published")
    draft = Achievement.objects.create(title="待审核的抛光成果", abstract="抛光", status="review")
    return {"own": {"pk": pub.pk}, "foreign": {"pk": draft.pk}}


def _institute_listings(world):
    """An institute page lists its published achievements, never its unpublished ones."""
    from kechuang.techmarket.models import Achievement, Institute
    inst = Institute.objects.create(name="测试研究院", kind="大院大所")
    Achievement.objects.create(title="研究院已发布成果", abstract="a", status="published", owner_institute=inst)
    Achievement.objects.create(title="研究院草稿成果", abstract="b", status="draft", owner_institute=inst)
    return {"kwargs": {"pk": inst.pk}, "own": "研究院已发布成果", "foreign": "研究院草稿成果"}


CASES: dict = {
    "techmarket:achievement_detail": Case.objects(
        _achievements, note="published achievements are public listings; drafts and submissions only for the bureau"),
    "techmarket:moderation": Case.role("staff", note="成果审核 is for the bureau"),
    "techmarket:institutes": Case.global_(note="institutes are public reference rows for signed-in users"),
    "techmarket:institute_detail": Case.listing(
        _institute_listings, note="public institute row; its unpublished achievements stay hidden"),
    "techmarket:instruments": Case.global_(note="shared instruments are public reference rows for signed-in users"),
    "techmarket:outcomes": Case.role("staff", note="对接成效 (all townships' needs) is for the bureau"),
}
