"""Talent API (signed in, session auth; scoped like the pages; person data masked — the full ID
number is never in the API, its audited reveal is a page of the bureau's):

- ``GET /api/talent/persons/``: the persons the user may see (masked ID and phone), with their
  recognitions; ``GET /api/talent/persons/{person_id}``: one of them.
- ``GET /api/talent/teams/``: 港湾计划 teams and 高层次人才创新创业项目 in scope, with the linked
  科技计划项目's state and milestones.
- ``GET /api/talent/benefits/?year=``: the year's benefits by recipient (person, team,
  institution), with the amount, whether paid and the reason (就高不重复).
Read-only: recognition decisions and registrations are made on the pages (each audited there).
"""
from __future__ import annotations

from django.utils import timezone
from ninja import Query, Router

from kechuang.core.inputs import ApiId
from kechuang.core.permissions import require
from kechuang.core.scoping import get_scoped_or_404

from . import benefits, selectors
from .models import Recognition

router = Router(tags=["人才"])


def _recognition(r: Recognition) -> dict:
    return {"id": r.pk, "tier": r.tier, "tier_label": r.get_tier_display(), "channel": r.get_channel_display(),
            "status": r.get_status_display(), "year": r.year, "basis": r.basis,
            "valid_until": r.valid_until.isoformat() if r.valid_until else None}


def _person(p, user) -> dict:
    return {"id": p.pk, "name": p.name, "id_number": p.masked_id, "phone": p.masked_phone,
            "education": p.get_education_display(), "title": p.title, "workplace": p.workplace,
            "arrived_on": p.arrived_on.isoformat() if p.arrived_on else None,
            "recognitions": [_recognition(r) for r in p.recognitions.restrict(user, "view")]}


@router.get("/persons/", summary="人才库（脱敏）")
def talent_api_persons(request, q: str = Query("", max_length=30)):
    require(request.user, "talent.person.view")
    items = [_person(p, request.user) for p in selectors.persons_for(request.user, q.strip()[:30])[:2000]]
    return {"items": items, "count": len(items)}


@router.get("/persons/{person_id}", summary="人才（脱敏）")
def talent_api_person(request, person_id: ApiId):
    require(request.user, "talent.person.view")
    p = get_scoped_or_404(selectors.persons_for(request.user), request.user, "view", pk=person_id)
    return _person(p, request.user)


@router.get("/teams/", summary="人才团队与项目")
def talent_api_teams(request):
    require(request.user, "talent.person.view")
    items = []
    for t in selectors.teams_for(request.user)[:2000]:
        items.append({"id": t.pk, "name": t.name, "kind": t.get_kind_display(), "leader": t.leader.name,
                      "host": t.host.name, "township": t.township.name, "approved_on": t.approved_on.isoformat(),
                      "project": selectors.team_project_state(t),
                      "milestones": [m.to_json() for m in selectors.team_milestones(t)]})
    return {"items": items, "count": len(items)}


@router.get("/benefits/", summary="人才待遇与奖励（按兑现对象）")
def talent_api_benefits(request, year: int | None = Query(None, ge=2000, le=2100)):
    require(request.user, "talent.person.view")
    year = year or timezone.localdate().year
    rows = benefits.benefits_for(request.user, year)
    return {"year": year, "items": [
        {"recipient": b.recipient, "recipient_kind": b.recipient_label, "measure": b.measure_code, "title": b.title,
         "citation": b.citation, "amount": f"{b.amount.normalize():f}" if b.counted else "0", "paid": b.counted,
         "reason": b.reason, "channel": b.channel, "case_status": b.case.get_status_display() if b.case else None}
        for b in rows]}
