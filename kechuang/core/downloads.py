"""Download responses with Chinese file names carrying the date (“兑现案件-2026-06-30.xlsx”).

The name is sent as RFC 6266/5987 ``filename*=UTF-8''…`` with an ASCII ``filename=`` fallback
for old clients; characters that do not belong in a file name are replaced.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPES = {"xlsx": XLSX, "docx": DOCX, "pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def dated_name(stem: str, ext: str, on: dt.date | None = None) -> str:
    """``{stem}-{YYYY-MM-DD}.{ext}`` (today, local time, unless ``on``), safe as a file name."""
    on = on or timezone.localdate()
    clean = re.sub(r'[\\/:*?"<>|\r\n\t]+', "_", stem).strip(" ._") or "导出"
    return f"{clean}-{on.isoformat()}.{ext}"


def attachment(body: bytes, filename: str, content_type: str | None = None) -> HttpResponse:
    """``body`` as a download named ``filename`` (any Unicode)."""
    ext = filename.rsplit(".", 1)[-1].lower()
    response = HttpResponse(body, content_type=content_type or TYPES.get(ext, "application/octet-stream"))
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or f"download.{ext}"
    if ascii_name.startswith("."):
        ascii_name = "download" + ascii_name
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response
