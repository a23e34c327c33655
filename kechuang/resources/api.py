"""创新资源 API (signed in, session auth; every read through the scoping choke point like the pages):

- ``GET /api/resources/instruments``: openly shared instruments with fee rules (``q`` searches).
- ``GET /api/resources/bookings``: the bookings the user may see (enterprise: its own; institute:
  its instruments'; bureau: all).
- ``GET /api/resources/vouchers``: the vouchers the user may see, with balance and validity.
"""
from __future__ import annotations

from ninja import Router

from . import selectors
from .models import Booking, Voucher

router = Router(tags=["创新资源"])
MAX_ITEMS = 2000


@router.get("/instruments", summary="共享仪器")
def resources_api_instruments(request, q: str = ""):
    rows = list(selectors.public_instruments(request.user, q=q[:100])[:MAX_ITEMS])
    rules = selectors.rules_for(p.instrument_id for p in rows)
    items = [selectors.instrument_item(p, rules) for p in rows]
    return {"items": items, "count": len(items)}


@router.get("/bookings", summary="仪器预约")
def resources_api_bookings(request, status: str = ""):
    qs = Booking.objects.restrict(request.user, "view").select_related("instrument__owner", "enterprise")
    if status in Booking.Status.values:
        qs = qs.filter(status=status)
    items = [{"id": b.pk, "instrument": b.instrument.name, "institute": b.instrument.owner.name,
              "enterprise": b.enterprise.name if b.enterprise_id else "", "starts_at": b.starts_at.isoformat(),
              "ends_at": b.ends_at.isoformat(), "status": b.status, "status_label": b.get_status_display(),
              "user_category": b.user_category, "actual_hours": str(b.actual_hours) if b.actual_hours is not None else None,
              "fee_wan": str(b.fee) if b.fee is not None else None} for b in qs[:MAX_ITEMS]]
    return {"items": items, "count": len(items)}


@router.get("/vouchers", summary="科技创新券")
def resources_api_vouchers(request):
    qs = Voucher.objects.restrict(request.user, "view").select_related("enterprise")
    items = [{"id": v.pk, "number": v.number, "enterprise": v.enterprise.name, "status": v.status,
              "status_label": v.get_status_display(), "mode": v.mode, "requested_wan": str(v.requested_amount),
              "face_value_wan": str(v.face_value), "balance_wan": str(v.balance),
              "valid_until": v.valid_until.isoformat() if v.valid_until else None, "categories": v.categories}
             for v in qs[:MAX_ITEMS]]
    return {"items": items, "count": len(items)}
