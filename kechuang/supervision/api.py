"""项目与监管 API (signed in, session auth; scoped like the pages):

- ``GET /api/supervision/projects``: the projects the user may see (stage, category, amounts).
- ``GET /api/supervision/projects/{id}``: one project (no reviewer names unless the bureau asks).
- ``GET /api/supervision/credit/check?decision=…&on=…&uscc=…``: the one credit check, for the
  bureau and the finance side (the answer names the record, the rule and the end date).
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema, Status

from kechuang.core.inputs import ApiId
from kechuang.core.permissions import can, require
from kechuang.core.scoping import get_scoped_or_404

from .credit import check_credit
from .models import Decision, Project

router = Router(tags=["项目与监管"])


class ErrorOut(Schema):
    detail: str
    field: str = ""


def _project(p: Project, *, names: bool) -> dict:
    out = {"id": p.pk, "title": p.title, "category": p.call.category.name, "call": p.call.title,
           "applicant": p.applicant.name, "pi": p.pi_name, "status": p.status, "status_label": p.get_status_display(),
           "requested_amount": format(p.requested_amount.normalize(), "f"),
           "approved_amount": None if p.approved_amount is None else format(p.approved_amount.normalize(), "f"),
           "score": None if p.score is None else str(p.score), "rank": p.rank,
           "start_on": p.start_on.isoformat() if p.start_on else None,
           "end_on": p.end_on.isoformat() if p.end_on else None}
    if names:
        out["reviewers"] = [r.expert.name for r in p.reviews.select_related("expert")]
    return out


@router.get("/projects", summary="科技计划项目")
def supervision_api_projects(request):
    require(request.user, "supervision.project.view")
    qs = Project.objects.restrict(request.user, "view").select_related("call__category", "applicant")[:2000]
    items = [_project(p, names=False) for p in qs]
    return {"items": items, "count": len(items)}


@router.get("/projects/{project_id}", summary="科技计划项目详情")
def supervision_api_project(request, project_id: ApiId):
    require(request.user, "supervision.project.view")
    p = get_scoped_or_404(Project.objects.select_related("call__category", "applicant"), request.user, "view",
                          pk=project_id)
    return _project(p, names=can(request.user, "supervision.review.names"))


@router.get("/credit/check", summary="信用核查", response={200: dict, 422: ErrorOut})
def supervision_api_credit_check(request, decision: str = "", on: str = "", uscc: str = "", institute: str = "",
                                 person_name: str = ""):
    require(request.user, "supervision.credit.check")
    if decision not in Decision.values:
        return Status(422, ErrorOut(detail=f"decision 应为 {'、'.join(Decision.values)} 之一", field="decision"))
    try:
        day = dt.date.fromisoformat(on) if on else timezone.localdate()
    except ValueError:
        return Status(422, ErrorOut(detail="on 应为 YYYY-MM-DD", field="on"))
    if not (uscc or institute or person_name):
        return Status(422, ErrorOut(detail="须给出 uscc、institute 或 person_name", field="uscc"))
    v = check_credit(decision=decision, on=day, uscc=uscc or None, institute=institute or None,
                     person_name=person_name or None)
    return {"allowed": v.allowed, "decision": v.decision, "on": v.on.isoformat(), "rule": v.rule,
            "until": v.until.isoformat() if v.until else None, "message": v.message, "warnings": list(v.warnings)}
