"""The 科技资源 entrance (产业大脑): one hybrid search over institutes, instruments, achievements,
policy measures, financial products, service organisations and 技术经理人; only rows the user may
see, each with the actions the user's permissions allow; an overview by seed industry chain."""
from __future__ import annotations

from decimal import Decimal

import pytest

from kechuang.core.models import Role
from kechuang.resources import portal
from kechuang.resources.models import FinancialProduct
from kechuang.techmarket.models import Broker
from tests.world import World


@pytest.fixture
def extra(res):
    broker = Broker.objects.create(name="林经理", fields=["新材料", "石材陶瓷"], institution="泉州技术转移中心")
    product = FinancialProduct.objects.create(name="科技贷（演示银行）", kind="tech_loan", provider="演示银行",
                                              min_amount=Decimal("10"), max_amount=Decimal("500"),
                                              description="面向科技型中小企业的信用贷款")
    return broker, product


def kinds(hits):
    return {h["kind"] for h in hits}


def titles(hits):
    return [h["title"] for h in hits]


def actions(hit):
    return [label for label, _ in hit["actions"]]


def test_one_search_spans_every_kind(world, res, extra):
    ent = world.ent_user_a
    assert "场发射扫描电子显微镜" in titles(portal.search(ent, "电子显微镜"))
    assert "甲大学" in titles(portal.search(ent, "甲大学 新材料"))
    assert "丙检测认证有限公司" in titles(portal.search(ent, "检测认证"))
    assert "科技贷（演示银行）" in titles(portal.search(ent, "科技贷 信用贷款"))
    hits = portal.search(ent, "国家高新技术企业认定奖励")
    measure = next(h for h in hits if h["kind"] == "measure")
    assert measure["title"] == "国家高新技术企业认定奖励" and "政策条款" in actions(measure)
    assert "林经理（技术经理人）" in titles(portal.search(ent, "技术转移中心"))
    assert "achievement" in kinds(portal.search(ent, "陶瓷 釉料"))        # the published CSL catalogue
    # the hybrid engine ran (reasons from both halves), not BM25 alone
    assert portal.engine().embedder is not None


def test_kind_filter_and_relevance(world, res, extra):
    hits = portal.search(world.ent_user_a, "电子显微镜", kind="instrument")
    assert kinds(hits) == {"instrument"}
    # rows that share no term with the query appear only as the few nearest by meaning
    unrelated = [h for h in portal.search(world.ent_user_a, "电子显微镜", kind="product")]
    assert len(unrelated) <= portal.SEMANTIC_NEIGHBOURS


def test_only_visible_rows(world, res, extra):
    ent = world.ent_user_a
    assert "内部专用质谱仪" not in titles(portal.search(ent, "内部专用质谱仪"))      # internal sharing
    assert "内部专用质谱仪" in titles(portal.search(res.inst_user_a, "内部专用质谱仪"))  # its own institute
    assert "内部专用质谱仪" not in titles(portal.search(res.inst_user_b, "内部专用质谱仪"))
    Broker.objects.filter(pk=extra[0].pk).update(active=False)
    assert "林经理（技术经理人）" not in titles(portal.search(ent, "技术转移中心"))       # not in service


def test_actions_follow_permissions(world, res, extra):
    def hit(user, q, kind):
        return next(h for h in portal.search(user, q, kind=kind))

    ent = world.ent_user_a
    instr = hit(ent, "电子显微镜", "instrument")
    assert actions(instr) == ["预约仪器", "申领创新券"]
    assert actions(hit(ent, "技术转移中心", "broker")) == ["发布需求，请技术经理人对接"]
    assert actions(hit(ent, "甲大学", "institute")) == ["机构主页", "发布技术需求"]
    assert "测算本企业可享政策" in actions(hit(ent, "国家高新技术企业认定奖励", "measure"))
    staff = world.staff
    assert actions(hit(staff, "技术转移中心", "broker")) == ["派单对接"]
    assert actions(hit(staff, "电子显微镜", "instrument")) == ["仪器详情"]   # the bureau does not book
    clerk = world.clerk_a
    assert "申领创新券" not in actions(hit(clerk, "检测认证", "service_org"))
    assert "政策找企" in actions(hit(clerk, "国家高新技术企业认定奖励", "measure"))


def test_edits_are_searchable_at_once(world, res, extra):
    assert "场发射扫描电子显微镜" in titles(portal.search(world.ent_user_a, "电子显微镜"))
    res.instr_a.name = "冷场扫描电镜"
    res.instr_a.save()
    hits = portal.search(world.ent_user_a, "冷场扫描电镜", kind="instrument")
    assert titles(hits)[0] == "冷场扫描电镜"
    assert "场发射扫描电子显微镜" not in titles(portal.search(world.ent_user_a, "场发射", kind="instrument"))


def test_portal_page(world, res, extra, client_for):
    c = client_for(world.ent_user_a)
    page = c.get("/resources/", {"q": "石材 检测"}).content.decode()
    assert "检索结果" in page and "丙检测认证有限公司" in page and "申领创新券" in page
    page = c.get("/resources/", {"q": "电子显微镜", "kind": "instrument"}).content.decode()
    assert "场发射扫描电子显微镜" in page and "共享仪器 1 条" in page
    page = c.get("/resources/", {"q": "电子显微镜", "kind": "nonsense"}).content.decode()   # unknown kind: all
    assert "场发射扫描电子显微镜" in page
    # overview by industry chain: institutes, instruments, service organisations, brokers
    assert "按产业链一览" in page and "林经理" in page and "?q=%E7%9F%B3%E6%9D%90%E9%99%B6%E7%93%B7" in page
    row = next(r for r in portal.overview(world.ent_user_a) if r["chain"] == "石材陶瓷")
    assert [i.name for i in row["institutes"]] == ["甲大学"] and row["instruments"] == 1    # the internal one not
    assert [o.name for o in row["service_orgs"]] == ["丙检测认证有限公司"] and [b.name for b in row["brokers"]] == ["林经理"]
    assert c.get("/resources/", {"q": " "}).status_code == 200                              # blank: overview only


def test_portal_refused_to_system_administrators(world, client_for):
    admin = World.user("sysadmin_portal", Role.SYS_ADMIN)
    assert client_for(admin).get("/resources/", {"q": "仪器"}).status_code == 403
