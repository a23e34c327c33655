"""Issue 11 item 8: no formula in any export (OWASP CSV injection), phone numbers masked for the
roles that do not need them, and a full view of personal data audited."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from kechuang.core.models import AuditEvent
from kechuang.core.safe_export import csv_cell, mask_phone

EVIL = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\",\"点我\")"]


def test_any_workbook_stores_risky_text_as_text():
    wb = Workbook()
    ws = wb.active
    ws.append(EVIL)
    wb2 = Workbook(write_only=True)
    ws2 = wb2.create_sheet()
    ws2.append(EVIL)
    for book in (wb, wb2):
        buf = io.BytesIO()
        book.save(buf)
        cells = list(load_workbook(io.BytesIO(buf.getvalue())).worksheets[0].iter_rows())[0]
        assert [c.value for c in cells] == EVIL
        assert all(c.data_type == "s" for c in cells), [c.data_type for c in cells]


def test_csv_cells_are_escaped():
    assert [csv_cell(v) for v in EVIL] == ["'" + v for v in EVIL]
    assert csv_cell("水头镇") == "水头镇" and csv_cell(-5) == -5


@pytest.mark.django_db
def test_enterprise_export_keeps_a_formula_name_as_text_and_masks_phones_for_clerks(world, client_for):
    ent = world.enterprise_a
    ent.name = "=cmd|' /C calc'!A0"
    ent.contact_phone = "13812345678"
    ent.save()
    for user, phone in ((world.clerk_a, "138****5678"), (world.staff, "13812345678")):
        r = client_for(user).get("/enterprises/export/")
        assert r.status_code == 200
        ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
        rows = [[c for c in row] for row in ws.iter_rows()]
        header = [c.value for c in rows[0]]
        mine = next(row for row in rows[1:] if row[header.index("统一社会信用代码")].value == ent.uscc)
        name = mine[header.index("企业名称")]
        assert name.value == ent.name and name.data_type == "s"
        assert mine[header.index("联系电话")].value == phone


@pytest.mark.django_db
def test_clerk_form_shows_the_phone_masked_and_keeps_it(world, client_for):
    ent = world.enterprise_a
    ent.contact_phone = "13812345678"
    ent.save()
    c = client_for(world.clerk_a)
    page = c.get(f"/enterprises/{ent.pk}/edit/").content.decode()
    assert "13812345678" not in page and mask_phone("13812345678") in page
    form = c.get(f"/enterprises/{ent.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "township"}
    data.update({"township": ent.township_id, "name": ent.name, "contact_phone": mask_phone("13812345678"),
                 "size_class": ent.size_class or ""})
    c.post(f"/enterprises/{ent.pk}/edit/", data)
    ent.refresh_from_db()
    assert ent.contact_phone == "13812345678"


@pytest.mark.django_db
def test_full_phone_view_is_audited(world, client_for):
    ent = world.enterprise_a
    ent.contact_phone = "13812345678"
    ent.save()
    r = client_for(world.staff).get(f"/enterprises/{ent.pk}/?phone=1")
    assert "13812345678" in r.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PERSONAL_DATA_VIEW, username=world.staff.username).exists()
