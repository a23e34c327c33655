"""Every page of the module answers each role without a server error; demo data fills the public list."""
from __future__ import annotations

import json

import pytest
from django.test import Client

PAGES = ["/resources/", "/resources/instruments/", "/resources/bookings/", "/resources/vouchers/",
         "/resources/service-orgs/", "/resources/finance/", "/resources/finance/loans/", "/resources/report/",
         "/resources/settlements/", "/resources/import/?kind=instruments", "/resources/import/?kind=service_orgs",
         "/resources/report/?format=xlsx"]


@pytest.mark.parametrize("who", ["staff", "ent_user_a", "clerk_a", "broker_a", "liaison_a", "inst", "org", "finance",
                                 "sys_admin"])
def test_pages_answer_every_role(who, world, res, client_for):
    user = {"inst": res.inst_user_a, "org": res.org_user_a, "finance": res.finance}.get(who) or getattr(world, who)
    c = client_for(user)
    for url in PAGES + [f"/resources/instruments/{res.instr_a.pk}/", f"/resources/service-orgs/{res.org_a.pk}/"]:
        r = c.get(url)
        assert r.status_code in (200, 403), (who, url, r.status_code)
        if r.status_code == 200 and "html" in r.get("Content-Type", ""):
            text = r.content.decode()
            assert ">None<" not in text and " None " not in text, (who, url)


def test_demo_fills_public_list(db):
    from kechuang.core.reference import load_reference_data
    from kechuang.resources import demo as res_demo
    from kechuang.techmarket import demo as tm_demo

    load_reference_data()
    tm_demo.load_demo()
    res_demo.load_demo()
    res_demo.load_demo()       # idempotent
    data = json.loads(Client().get("/public/instruments/", {"format": "json"}).content)
    assert data["count"] >= 1
    assert all(i["fee_rules"] for i in data["items"])
    page = Client().get("/public/instruments/").content.decode()
    assert "X射线荧光光谱仪" in page
