"""Uploaded files, checked in one place (issue 11 item 7).

* One size limit, ``settings.KECHUANG_UPLOAD_MAX_BYTES``, for every upload (Excel imports,
  report evidence, dispatch attachments); Django's own request limits are set from it.
* :func:`check_file` — name, allowed extension, not empty, under the limit, and the first bytes
  match the extension (a ``.pdf`` that is really an executable is refused).
* :func:`check_xlsx` — before openpyxl (or the fast reader) parses a workbook: the total
  decompressed size, the number of shared strings and the number of rows are capped, by
  streaming through the zip without building anything. A 9 MB file that expands to gigabytes
  or holds ten million shared strings is refused in well under a second and a few MB of memory.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from django.conf import settings

_ZIP, _OLE = (b"PK\x03\x04",), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
#: allowed types and the first bytes a genuine file of that type starts with
MAGIC = {
    ".pdf": (b"%PDF-",), ".ofd": _ZIP, ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",), ".doc": _OLE, ".docx": _ZIP, ".xls": _OLE, ".xlsx": _ZIP, ".zip": _ZIP,
    ".wps": _OLE, ".et": _OLE,
}


class UploadError(ValueError):
    """A refused upload; the message is the Chinese sentence shown."""


#: the one upload limit when neither the settings nor the environment set one
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: room for the other fields of a form posted with a file (names, text, the CSRF token)
FORM_OVERHEAD_BYTES = 1024 * 1024


def request_limits(limit: int) -> dict:
    """Django's request limits derived from the one upload limit (``settings.py`` applies them):

    * ``DATA_UPLOAD_MAX_MEMORY_SIZE``: a body that is not a file (a JSON or form post) may be as
      large as one upload plus the form's other fields; larger is refused with 400 before parsing;
    * ``FILE_UPLOAD_MAX_MEMORY_SIZE``: a file above 2.5 MB (or the limit, if smaller) is streamed
      to a temporary file instead of memory;
    * ``KECHUANG_REQUEST_MAX_BYTES``: a multipart request is refused once its declared length
      passes one upload plus the form fields (:class:`LimitedUploadHandler`), before it is read.
    """
    limit = int(limit)
    if limit <= 0:
        raise ValueError("KECHUANG_UPLOAD_MAX_BYTES must be a positive number of bytes")
    return {
        "DATA_UPLOAD_MAX_MEMORY_SIZE": limit + FORM_OVERHEAD_BYTES,
        "FILE_UPLOAD_MAX_MEMORY_SIZE": min(limit, 2_621_440),
        "KECHUANG_REQUEST_MAX_BYTES": limit + FORM_OVERHEAD_BYTES,
    }


def max_bytes() -> int:
    return int(getattr(settings, "KECHUANG_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


from django.core.files.uploadhandler import FileUploadHandler  # noqa: E402


class LimitedUploadHandler(FileUploadHandler):
    """First upload handler: a multipart request longer than one upload plus the form's fields is
    refused (400 with a Chinese sentence) before any of it is read into memory or onto disk; a
    file between the limit and that length reaches the view, whose :func:`check_size` names it."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = int(getattr(settings, "KECHUANG_REQUEST_MAX_BYTES", max_bytes() + FORM_OVERHEAD_BYTES))
        if content_length and content_length > limit:
            from django.core.exceptions import RequestDataTooBig

            raise RequestDataTooBig(f"上传内容 {_mb(content_length)} MB，超过上限 {_mb(max_bytes())} MB")
        return None

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def check_size(size: int, name: str = "文件") -> None:
    if not size:
        raise UploadError(f"「{name}」: 文件为空")
    limit = max_bytes()
    if size > limit:
        raise UploadError(f"「{name}」: {size / 1024 / 1024:.1f} MB，超过上限 {_mb(limit)} MB")


def check_file(upload, allowed=None, *, what: str = "附件") -> str:
    """Validate name, type (extension and content), emptiness and size; return the suffix."""
    allowed = MAGIC if allowed is None else allowed
    name = (getattr(upload, "name", "") or "").strip()
    if not name:
        raise UploadError(f"{what}: 请选择要上传的文件")
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        names = "、".join(sorted(allowed))
        raise UploadError(f"{what}「{name}」: 类型 {suffix or '（无扩展名）'} 不允许，请上传 {names}")
    size = getattr(upload, "size", None) or 0
    try:
        check_size(size, name)
    except UploadError as exc:
        raise UploadError(f"{what}{exc}") from None
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in allowed[suffix]):
        raise UploadError(f"{what}「{name}」: 内容不是 {suffix} 文件（扩展名与文件内容不符）")
    return suffix


# --- .xlsx caps --------------------------------------------------------------------------------

def xlsx_limits() -> dict:
    return {
        "uncompressed": int(getattr(settings, "KECHUANG_XLSX_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)),
        "shared_strings": int(getattr(settings, "KECHUANG_XLSX_MAX_SHARED_STRINGS", 500_000)),
        "rows": int(getattr(settings, "KECHUANG_XLSX_MAX_ROWS", 200_000)),
    }


_SI = re.compile(rb"<(?:\w+:)?si[\s>/]")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_PLAIN = {_SI: (b"<si>", b"<si "), _ROW: (b"<row>", b"<row ")}


def _matches(pattern, data: bytes) -> int:
    """Occurrences of the start tag: bytes.count for the usual spelling (fast), the regex only
    when a namespace prefix (``<x:si>``) appears."""
    if b":" + _PLAIN[pattern][0][1:-1] in data:
        return len(pattern.findall(data))
    return sum(data.count(tag) for tag in _PLAIN[pattern])


def _count_stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, pattern, limit: int, budget: list[int]) -> int:
    """Count matches of ``pattern`` in a member, streaming; stop past ``limit`` or the byte budget."""
    count = 0
    tail = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise UploadError("工作簿解压后过大（疑似压缩炸弹），拒绝读取。请删除无关内容或分批导入。")
            data = tail + chunk
            # matches inside the carried tail were counted with the previous chunk
            count += _matches(pattern, data) - _matches(pattern, tail)
            tail = data[-16:]
            if count > limit:
                break
    return count


def check_xlsx(data: bytes) -> None:
    """Refuse a workbook whose decompressed size, shared strings or rows exceed the caps.
    Raises UploadError with a Chinese sentence; does nothing for a file that is not a zip (the
    importers have their own messages for those)."""
    limits = xlsx_limits()
    check_size(len(data), "工作簿")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return
    with zf:
        infos = zf.infolist()
        if len(infos) > 10_000:
            raise UploadError("工作簿包含的部件过多，拒绝读取。")
        declared = sum(max(i.file_size, 0) for i in infos)
        if declared > limits["uncompressed"]:
            raise UploadError(f"工作簿解压后约 {_mb(declared)} MB，超过上限 {_mb(limits['uncompressed'])} MB"
                              "（疑似压缩炸弹），请删除无关内容或分批导入。")
        # the declared sizes can lie: stream the parts that matter and count real bytes
        budget = [limits["uncompressed"]]
        for info in infos:
            name = info.filename.lower()
            if name.endswith("sharedstrings.xml"):
                n = _count_stream(zf, info, _SI, limits["shared_strings"], budget)
                if n > limits["shared_strings"]:
                    raise UploadError(f"工作簿的共享字符串超过 {limits['shared_strings']:,} 个，拒绝读取"
                                      "（疑似恶意文件）。请分批导入。")
        rows = 0
        for info in infos:
            name = info.filename.lower()
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                rows += _count_stream(zf, info, _ROW, limits["rows"] - rows, budget)
                if rows > limits["rows"]:
                    raise UploadError(f"工作簿超过 {limits['rows']:,} 行，请分批导入。")


def load_xlsx(source):
    """openpyxl's read-only workbook of ``source`` (bytes or a file object) after check_xlsx:
    the one way every importer opens an uploaded workbook. Raises UploadError (caps) or
    openpyxl's own errors for a broken file."""
    from openpyxl import load_workbook

    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read()
    check_xlsx(data)
    return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
