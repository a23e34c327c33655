"""Export of a (restricted, filtered) enterprise queryset to the template's workbook layout, so
that importing the export changes nothing (the round trip)."""

from __future__ import annotations

import io

from kechuang.enterprises.excel_io import write_export
from kechuang.enterprises.excel_schema import ENTERPRISE, IP, QUALIFICATIONS, YEARS
from kechuang.enterprises.models import FiscalYear, IPRight, Qualification

CHUNK = 5000


def _ent_rows(ents: list[dict]):
    for e in ents:
        e = dict(e)
        e["township"] = e.pop("township__name")
        yield e


def _child_rows(model, sheet, ids: list[int], uscc_of: dict[int, str], order):
    fields = [c.field for c in sheet.columns if c.field != "uscc"]
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        for row in model.objects.filter(enterprise_id__in=part).order_by(*order).values("enterprise_id", *fields):
            row["uscc"] = uscc_of[row.pop("enterprise_id")]
            yield row


def export_workbook(queryset, user=None) -> bytes:
    """The enterprises of `queryset` with their years, IP and qualifications as .xlsx bytes.
    The caller restricts the queryset (action "export") and records the audit event. Phone
    numbers are masked unless the user's role works with them (kechuang.core.safe_export)."""
    from kechuang.core.safe_export import mask_phone, may_see_phone

    fields = [c.field for c in ENTERPRISE.columns if c.field != "township"]
    ents = list(queryset.order_by("name", "id").values("id", "township__name", *fields))
    if user is not None and not may_see_phone(user):
        for e in ents:
            e["contact_phone"] = mask_phone(e.get("contact_phone") or "")
    ids = [e["id"] for e in ents]
    uscc_of = {e["id"]: e["uscc"] for e in ents}
    buffer = io.BytesIO()
    write_export(buffer, {
        ENTERPRISE.title: _ent_rows(ents),
        YEARS.title: _child_rows(FiscalYear, YEARS, ids, uscc_of, ("enterprise_id", "year")),
        IP.title: _child_rows(IPRight, IP, ids, uscc_of, ("enterprise_id", "id")),
        QUALIFICATIONS.title: _child_rows(Qualification, QUALIFICATIONS, ids, uscc_of, ("enterprise_id", "kind", "valid_from", "id")),
    })
    return buffer.getvalue()


def export_count(queryset) -> int:
    """Number of enterprises an export of `queryset` contains (for the audit record)."""
    return queryset.count()

