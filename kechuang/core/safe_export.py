"""Exports that cannot carry a formula (issue 11 item 8; OWASP "CSV injection").

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run
as a formula by a spreadsheet. Kechuang never writes formulas, so:

* every Excel cell goes through openpyxl's value binding, which :func:`install` (called once
  at start-up) wraps: text that openpyxl would turn into a formula stays text (cell type
  ``s``), and the other risky leading characters are stored as plain text too — for every
  workbook, present and future, whichever code builds it; control characters that no worksheet
  may hold are dropped instead of failing the export;
* every Word document (python-docx) likewise: :func:`install` wraps the one place a run's text
  and a document property become XML, so a control character stored before input refused them
  is dropped from a .docx (the diagnosis report, the 晾晒 bulletin, a commissioner's letter)
  instead of failing it with lxml's "All strings must be XML compatible";
* every CSV cell goes through :func:`csv_cell` (a leading ``'`` as OWASP recommends), used by
  :func:`csv_writer`.

Phone numbers: :func:`mask_phone` (138****5678) and :func:`may_see_phone` — which roles see
them in full in forms and exports; a full view elsewhere writes a PERSONAL_DATA_VIEW audit row
(:func:`full_view`, used by the enterprise, commissioner and talent pages).
"""

from __future__ import annotations

import csv

RISKY = ("=", "+", "-", "@", "\t", "\r")

_installed = False


def is_risky(value) -> bool:
    return isinstance(value, str) and value.startswith(RISKY)


def csv_cell(value):
    """The CSV form of one value: risky text gets a leading apostrophe."""
    if is_risky(value):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(fh, **kwargs):
    """csv.writer whose cells are escaped with :func:`csv_cell`."""
    return _SafeWriter(csv.writer(fh, **kwargs))


def drop_control_characters(value):
    """``value`` without the control characters no XML document may hold (NUL, ESC, \\x01 …; tab,
    line feed and carriage return stay); anything that is not text is returned as it is."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def install() -> None:
    """Make openpyxl store every string as text, never as a formula; make openpyxl and
    python-docx drop control characters instead of failing the export."""
    global _installed
    if _installed:
        return
    from docx.oxml.coreprops import CT_CoreProperties
    from docx.oxml.text.run import CT_R
    from openpyxl.cell import cell as cell_module

    original = cell_module.Cell._bind_value

    def _bind_value(self, value):
        # a control character stored before input refused them (or by an import) must not
        # make the whole export fail: it is dropped from the cell
        value = drop_control_characters(value)
        original(self, value)
        if isinstance(value, str) and self.data_type == "f":
            self.data_type = "s"  # "=cmd|' /C calc'!A0" is shown, never evaluated

    cell_module.Cell._bind_value = _bind_value

    # python-docx: every run's text (Paragraph.add_run, Run.text, Run.add_text, Cell.text, headings,
    # headers and footers) becomes <w:t> elements through CT_R.add_t; document properties through
    # CT_CoreProperties._set_element_text
    add_t = CT_R.add_t
    set_element_text = CT_CoreProperties._set_element_text

    def _add_t(self, text):
        return add_t(self, drop_control_characters(text))

    def _set_element_text(self, prop_name, value):
        return set_element_text(self, prop_name, drop_control_characters(value))

    CT_R.add_t = _add_t
    CT_CoreProperties._set_element_text = _set_element_text
    _installed = True


# --- phone numbers ----------------------------------------------------------------------------

def mask_phone(value: str) -> str:
    """138****5678 (keeps the first 3 and last 4 digits); short numbers keep only the last 2."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else value[:3] + "****"
    return "*" * (len(value) - 2) + value[-2:]


def may_see_phone(user, enterprise=None) -> bool:
    """Bureau staff work with the contacts; an enterprise user sees its own. Township clerks,
    department liaisons, brokers and the administrators see them masked."""
    from kechuang.core.models import Role

    role = getattr(user, "role", "")
    if role == Role.BUREAU_STAFF:
        return True
    if role == Role.ENTERPRISE_USER and enterprise is not None:
        return getattr(user, "enterprise_id", None) == getattr(enterprise, "pk", None)
    return False


def full_view(request, permission: str, obj, *, object_ref: str, fields: list[str]) -> bool:
    """Whether ``request.user`` may see ``obj``'s personal data (phone, ID number) in full; when
    so, the view is written to the audit log (PERSONAL_DATA_VIEW, naming the fields) before the
    page is answered. Everyone else gets the masked values."""
    from kechuang.core import audit
    from kechuang.core.models import AuditEvent
    from kechuang.core.permissions import can

    if not can(request.user, permission, obj):
        return False
    audit.record(AuditEvent.Kind.PERSONAL_DATA_VIEW, request=request, object_ref=object_ref,
                 detail={"字段": "、".join(fields)})
    return True
