"""JSON API of the enterprise registry (mounted at /api/enterprises/; session auth, scoped)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Router, Schema

from kechuang.core.inputs import ApiId, ApiPage
from kechuang.enterprises import selectors
from kechuang.enterprises.facts import enterprise_facts, facts_json

router = Router(tags=["企业库"])


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    township: str
    industry_code: str
    size_class: str
    established_on: dt.date | None
    employees: int | None


class EnterprisePage(Schema):
    count: int
    page: int
    results: list[EnterpriseOut]


def _out(e) -> dict:
    return {"id": e.pk, "uscc": e.uscc, "name": e.name, "township": e.township.name, "industry_code": e.industry_code,
            "size_class": e.size_class, "established_on": e.established_on, "employees": e.employees}


@router.get("/", response=EnterprisePage, url_name="enterprises_api_list")
def enterprises_api_list(request, q: str = "", township: ApiId | None = None, qualification: str = "",
                         validity: str = "", industry: str = "", size: str = "", sort: str = "name", page: ApiPage = 1):
    """企业列表（与页面相同的筛选条件），每页 100 条。"""
    filters = selectors.ListFilters.from_query({"q": q, "township": str(township or ""), "qualification": qualification,
                                                "validity": validity, "industry": industry, "size": size, "sort": sort})
    qs = selectors.enterprise_list(request.user, filters)
    page = max(1, page)
    rows = list(qs[(page - 1) * 100: page * 100])
    return {"count": qs.count(), "page": page, "results": [_out(e) for e in rows]}


@router.get("/{pk}", response=EnterpriseOut, url_name="enterprises_api_detail")
def enterprises_api_detail(request, pk: ApiId):
    """单个企业的基本信息。"""
    return _out(selectors.enterprise_detail(request.user, pk))


@router.get("/{pk}/facts", url_name="enterprises_api_facts")
def enterprises_api_facts(request, pk: ApiId):
    """企业数据（facts JSON，格式见 docs/commands.md），金额为万元。"""
    enterprise = selectors.enterprise_detail(request.user, pk)
    return HttpResponse(facts_json(enterprise_facts(enterprise), indent=None), content_type="application/json")



