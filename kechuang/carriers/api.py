"""Carriers API (signed in, session auth; scoped like the pages):

- ``GET /api/carriers/``: the carriers the user may see, with kind, current level and history.
- ``POST /api/carriers/{id}/reports``: file the year's figures (the operator or the bureau);
  403 with the refusal sentence for another's carrier, 422 naming the field for a bad number.
"""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema, Status

from kechuang.core.inputs import ApiId
from kechuang.core.scoping import get_scoped_or_404

from . import selectors, services
from .models import Carrier

router = Router(tags=["创新载体"])


class ErrorOut(Schema):
    detail: str
    field: str = ""


class ReportIn(Schema):
    year: int = Field(..., ge=2000, le=2100)
    tenants: int | None = Field(None, ge=0, le=1_000_000)
    new_tenants: int | None = Field(None, ge=0, le=1_000_000)
    graduated: int | None = Field(None, ge=0, le=1_000_000)
    tech_sme_tenants: int | None = Field(None, ge=0, le=1_000_000)
    hnte_tenants: int | None = Field(None, ge=0, le=1_000_000)
    staff: int | None = Field(None, ge=0, le=1_000_000)
    mentors: int | None = Field(None, ge=0, le=1_000_000)
    activities: int | None = Field(None, ge=0, le=1_000_000)
    patents_granted: int | None = Field(None, ge=0, le=1_000_000)
    income: Decimal | None = Field(None, ge=0, le=10_000_000, allow_inf_nan=False)
    investment_raised: Decimal | None = Field(None, ge=0, le=10_000_000, allow_inf_nan=False)


@router.get("/", summary="创新载体名录")
def carriers_api_list(request):
    items = [selectors.public_item(c) for c in selectors.carriers_for(request.user)[:2000]]
    return {"items": items, "count": len(items)}


@router.post("/{carrier_id}/reports", summary="填报载体年度数据", response={200: dict, 422: ErrorOut})
def carriers_api_report(request, carrier_id: ApiId, payload: ReportIn):
    carrier = get_scoped_or_404(Carrier, request.user, "view", pk=carrier_id)
    figures = payload.dict(exclude={"year"}, exclude_none=True)
    try:
        report = services.annual_report_submit(actor=request.user, carrier=carrier, year=payload.year, figures=figures)
    except ValidationError as exc:
        field, messages = next(iter(getattr(exc, "message_dict", {"": exc.messages}).items()))
        return Status(422, ErrorOut(detail="；".join(messages), field=field))
    return {"id": report.pk, "carrier": carrier.name, "year": report.year}
