"""The JSON API: list with the page's filters, detail, facts accepted by the rules parser."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kechuang.rules.facts import parse_facts

pytestmark = pytest.mark.django_db


def test_api_list_filters_and_scope(world, client_for):
    staff = client_for(world.staff)
    data = staff.get(reverse("api:enterprises_api_list"), {"q": "stjsc"}).json()
    assert data["count"] == 1 and data["results"][0]["uscc"] == world.enterprise_a.uscc
    clerk = client_for(world.clerk_b).get(reverse("api:enterprises_api_list")).json()
    assert [r["name"] for r in clerk["results"]] == ["溪美乙科技有限公司"]


def test_api_facts_parse(world, client_for):
    response = client_for(world.ent_user_a).get(reverse("api:enterprises_api_facts", args=[world.enterprise_a.pk]))
    facts = parse_facts(response.json())
    assert facts.uscc == world.enterprise_a.uscc and facts.region == "水头镇"
    assert client_for(world.ent_user_a).get(
        reverse("api:enterprises_api_facts", args=[world.enterprise_b.pk])).status_code == 404
