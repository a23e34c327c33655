"""Matching a broker can trust (issue 13): suggestions only above the calibrated relevance floor,
a plain "no achievement fits" on the need page otherwise, reasons made of technical terms, and
the shipped CSL achievements owned by demo institutes and experts with a contact."""
import pytest
from django.urls import reverse

from kechuang.search.relevance import FLOOR
from kechuang.techmarket import services
from kechuang.techmarket.demo import CSL_OWNERS, load_csl_owners
from kechuang.techmarket.models import Achievement, Institute, Need
from tests.world import SYSTEM

FAUCET = ("卫浴水龙头铜合金铸件无铅化工艺",
          "我公司生产卫浴水龙头，铜合金铸件需要无铅化，寻找低铅黄铜配方与铸造工艺，满足饮用水卫生标准。")
FORMER_TOP = ("斑点叉尾(鮰)软罐头的加工工艺", "面窝加工工艺参数优化研究", "空间太阳望远镜中的轻量化铍镜研究")


@pytest.fixture
def real_model(settings, monkeypatch, tmp_path_factory):
    """The bundled multilingual-e5 model (the one the relevance is calibrated for) over the CSL
    catalogue the test database holds; document vectors come from the shipped cache."""
    settings.VAR_DIR = tmp_path_factory.mktemp("techmarket-real-model")
    monkeypatch.delenv("KECHUANG_EMBEDDER", raising=False)


def test_no_fit_need_lists_nothing_and_says_so(world, client_for, real_model):
    assert Achievement.objects.filter(source="CSL", status="published").count() == 2000
    need = services.need_post(user=SYSTEM, enterprise=world.enterprise_a, title=FAUCET[0], description=FAUCET[1])
    assert services.need_match(user=SYSTEM, need=need) == []
    page = client_for(world.staff).get(reverse("techmarket:need_detail", args=[need.pk])).content.decode()
    assert "成果库中没有适合这项需求的成果" in page and f"匹配度达到 {FLOOR:.0f}%" in page
    assert "可以把需求派给技术经理人" in page and 'id="dispatch-need"' in page    # the bureau may dispatch it
    assert not any(title in page for title in FORMER_TOP)
    owner_page = client_for(world.ent_user_a).get(reverse("techmarket:need_detail", args=[need.pk])).content.decode()
    assert "成果库中没有适合这项需求的成果" in owner_page


def test_search_box_says_nothing_fits_and_folds_the_closest_few(world, client_for, real_model):
    """The faucet need's title alone in the search box: 合金 is its only word papers carry; no
    paper reaches the floor, the page says so, offers to post the need, and folds at most five
    closest papers instead of a list of twenty at 0–1 %."""
    from kechuang.techmarket.views import WEAK_SHOWN

    search = reverse("techmarket:search")
    page = client_for(world.ent_user_a).get(search, {"q": FAUCET[0]}).content.decode()
    assert "成果库中没有适合这项检索的成果" in page and reverse("techmarket:need_new") in page
    folded = page.split('<details class="weak-results">', 1)
    assert len(folded) == 2 and '<div class="card">' not in folded[0]
    assert 0 < folded[1].count('<div class="card">') <= WEAK_SHOWN
    assert "硬质合金滚刀" not in folded[0]
    # a search with a fitting paper lists it above the fold
    page = client_for(world.ent_user_a).get(search, {"q": "陶瓷材料增韧补强"}).content.decode()
    above = page.split('<details class="weak-results">', 1)[0]
    assert "成果库中没有适合" not in page and "陶瓷" in above and above.count('<div class="card">') >= 1


def test_fitting_need_gets_calibrated_suggestions_with_term_reasons(world, real_model):
    need = services.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="LED芯片出光效率低",
                              description="光电企业生产LED芯片，希望提高出光效率、改善电极设计")
    matches = services.need_match(user=SYSTEM, need=need)
    assert matches and all(m.score * 100 >= FLOOR for m in matches)
    assert "LED" in matches[0].achievement.title
    for m in matches:
        for line in m.reasons:
            if line.startswith("匹配关键词") or line.startswith("标题含") or line.startswith("摘要含"):
                assert all(len(t) >= 2 for t in line.split("：", 1)[1].split("、")), line
    # a rematch after the need changes drops the suggestions nobody answered
    Need.objects.filter(pk=need.pk).update(title=FAUCET[0], description=FAUCET[1])
    need.refresh_from_db()
    assert services.need_match(user=SYSTEM, need=need) == []
    assert need.matches.count() == 0


def test_csl_achievements_get_demo_owners_by_discipline(world):
    assert Achievement.objects.filter(source="CSL", owner_institute__isnull=True).count() == 2000
    assert load_csl_owners() == 2000
    assert load_csl_owners() == 0    # idempotent
    csl = Achievement.objects.filter(source="CSL").select_related("owner_institute")
    assert all(a.owner_institute.name.endswith("（演示）") and "演示号码" in a.contact for a in csl)
    textile = csl.filter(field="纺织科学与工程").first()
    assert textile.owner_institute.name == "泉州材料与化工研究院（演示）" and textile.contact.startswith("王纺衣")
    history = csl.filter(field="历史学").first()
    assert history.owner_institute.name == "闽南经济与社会发展研究中心（演示）"
    assert Institute.objects.filter(name__in=list(CSL_OWNERS)).count() == len(CSL_OWNERS)
    inst = Institute.objects.get(name="闽南机电与信息技术研究院（演示）")
    assert all(e["phone"] and e["email"].endswith("@demo.invalid") for e in inst.experts)
