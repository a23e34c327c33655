"""港湾计划 teams and 高层次人才创新创业项目 (three tracks) carried by a 科技计划项目: milestones and
acceptance are read from the project lifecycle (kechuang.supervision.projects), never kept twice;
the targets still count the teams with the 0.5 rule from these rows."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kechuang.supervision import projects
from kechuang.talent import selectors, services
from tests.supervision.test_projects import _approve, _score_all, _to_review

from .test_talent import _person

pytestmark = pytest.mark.django_db


def _team(world, host, kind="project_startup", n=60):
    leader = _person(world, n, employer=host)
    return services.team_register(actor=world.staff, name=f"团队{n}", kind=kind, leader=leader, host=host,
                                  approved_on=dt.date(2026, 4, 1))


def _approved(world):
    call, _experts, p, _d = _to_review(world)
    _score_all(p)
    projects.review_rank(user=world.staff, call=call)
    p.refresh_from_db()
    return _approve(world, p)


def test_milestones_and_acceptance_come_from_the_project_lifecycle(world, client_for):
    team = _team(world, world.enterprise_a)
    assert selectors.team_milestones(team) == [] and selectors.team_project_state(team) is None
    p = _approved(world)
    services.team_link_project(actor=world.staff, team=team, project=p)
    labels = [m.label for m in selectors.team_milestones(team)]
    assert labels[0] == "立项" and "中期检查" in labels and labels[-1] == "验收"
    assert sum(1 for x in labels if "期拨款" in x) == 2
    projects.project_midterm(user=world.staff, project=p, on=dt.date(2026, 11, 1), conclusion="进展正常")
    projects.project_accept(user=world.staff, project=p, indicators_met=True, audit_passed=True, note="通过",
                            today=dt.date(2027, 5, 10))
    team.refresh_from_db()
    state = selectors.team_project_state(team)
    assert state["accepted"] and state["closed_on"] == "2027-05-10"
    last = selectors.team_milestones(team)[-1]
    assert last.label == "验收通过（结题）" and last.done == dt.date(2027, 5, 10) and last.state == "已完成"
    page = client_for(world.staff).get(f"/talent/teams/{team.pk}/").content.decode()
    assert "验收通过（结题）" in page and "中期检查" in page and "进展正常" in page
    assert client_for(world.clerk_b).get(f"/talent/teams/{team.pk}/").status_code == 404


def test_a_project_of_another_enterprise_or_linked_twice_is_refused(world):
    p = _approved(world)
    with pytest.raises(ValidationError, match="不是依托企业"):
        services.team_link_project(actor=world.staff, team=_team(world, world.enterprise_b, n=61), project=p)
    services.team_link_project(actor=world.staff, team=_team(world, world.enterprise_a, n=62), project=p)
    with pytest.raises(ValidationError, match="已关联"):
        services.team_link_project(actor=world.staff, team=_team(world, world.enterprise_a, kind="harbour", n=63),
                                   project=p)


def test_the_three_tracks_count_as_projects_and_harbour_teams_as_teams(world):
    for n, kind in enumerate(("harbour", "project_startup", "project_innovation", "project_industry")):
        _team(world, world.enterprise_a, kind=kind, n=70 + n)
    on = dt.date(2026, 12, 31)
    rid = world.enterprise_a.township_id
    assert selectors.talent_projects(2026, on)[rid] == 3
    assert selectors._count(2026, on, projects=False)[rid] == 1
