"""Issue 11 item 7: uploads. One limit (KECHUANG_UPLOAD_MAX_BYTES), workbook caps before parsing
(zip bomb, shared-string bomb, row bomb — generated here), and the magic-byte and empty-file
checks of dispatch attachments applied to report evidence too."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.core import uploads
from kechuang.core.uploads import UploadError, check_file, check_xlsx

CT = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WB = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="企业" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WB_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _xlsx(sheet_chunks, sst_chunks) -> bytes:
    """A workbook whose sheet and shared-string parts are streamed from generators."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in (("[Content_Types].xml", CT), ("_rels/.rels", RELS), ("xl/workbook.xml", WB),
                           ("xl/_rels/workbook.xml.rels", WB_RELS)):
            z.writestr(name, text)
        for name, chunks in (("xl/sharedStrings.xml", sst_chunks), ("xl/worksheets/sheet1.xml", sheet_chunks)):
            with z.open(name, "w", force_zip64=True) as fh:
                for chunk in chunks:
                    fh.write(chunk)
    return buf.getvalue()


def _sheet(rows=1, padding_mb=0):
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'.encode()
    yield b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    block = b"".join(b'<row r="%d"/>' % i for i in range(2, 1002))
    for _ in range(max(0, rows - 1) // 1000):
        yield block
    pad = b" " * (1 << 20)
    for _ in range(padding_mb):
        yield pad
    yield b"</sheetData></worksheet>"


def _sst(count=1):
    yield f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="{count}" uniqueCount="{count}">'.encode()
    block = b"<si><t>a</t></si>" * 10_000
    for _ in range(count // 10_000):
        yield block
    yield b"<si><t>a</t></si>" * (count % 10_000)
    yield b"</sst>"


def _measured(fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        fn()
    finally:
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return elapsed, peak


def test_an_ordinary_workbook_passes():
    check_xlsx(_xlsx(_sheet(rows=5000), _sst(5000)))


def test_zip_bomb_refused_before_parsing():
    data = _xlsx(_sheet(padding_mb=210), _sst(1))
    assert len(data) < 2 * 1024 * 1024  # a small file …
    with pytest.raises(UploadError, match="解压后") as info:
        elapsed, peak = _measured(lambda: check_xlsx(data))
    elapsed, peak = _measured(lambda: pytest.raises(UploadError, check_xlsx, data))
    assert elapsed < 5 and peak < 50 * 1024 * 1024, (elapsed, peak)
    assert "压缩炸弹" in str(info.value)


def test_shared_string_bomb_refused_before_parsing(settings):
    data = _xlsx(_sheet(), _sst(600_000))
    with pytest.raises(UploadError, match="共享字符串"):
        check_xlsx(data)
    elapsed, peak = _measured(lambda: pytest.raises(UploadError, check_xlsx, data))
    assert elapsed < 5 and peak < 50 * 1024 * 1024, (elapsed, peak)
    settings.KECHUANG_XLSX_MAX_SHARED_STRINGS = 700_000
    check_xlsx(data)  # the cap is the setting, both sides


def test_row_bomb_refused(settings):
    settings.KECHUANG_XLSX_MAX_ROWS = 10_000
    with pytest.raises(UploadError, match="行"):
        check_xlsx(_xlsx(_sheet(rows=12_001), _sst(1)))
    check_xlsx(_xlsx(_sheet(rows=9_001), _sst(1)))


@pytest.mark.django_db
def test_bombs_through_both_import_pages(world, client_for):
    data = _xlsx(_sheet(), _sst(600_000))
    c = client_for(world.staff)
    r = c.post("/enterprises/import/", {"file": SimpleUploadedFile("炸弹.xlsx", data)})
    assert r.status_code in (200, 302) and "共享字符串" in r.content.decode()
    r = c.post("/techmarket/import/", {"kind": "needs", "file": SimpleUploadedFile("炸弹.xlsx", data)})
    assert r.status_code == 200 and "共享字符串" in r.content.decode()


def test_one_upload_limit_everywhere(settings):
    settings.KECHUANG_UPLOAD_MAX_BYTES = 1000
    assert uploads.max_bytes() == 1000
    from kechuang.techmarket import services as tm

    assert tm.DISPATCH_ATTACHMENT_MAX_BYTES == 1000
    ok = SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 995)
    check_file(ok)
    with pytest.raises(UploadError, match="超过上限"):
        check_file(SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 996))
    with pytest.raises(UploadError, match="超过上限"):
        check_xlsx(b"PK\x03\x04" + b"0" * 1000)


@pytest.mark.django_db
@pytest.mark.parametrize("name, content, message", [
    ("名单.pdf", b"MZ\x90\x00 an executable", "内容不是 .pdf 文件"),
    ("名单.pdf", b"", "文件为空"),
    ("照片.png", b"%PDF-1.4", "内容不是 .png 文件"),
    ("名单.exe", b"MZ", "不允许"),
])
def test_report_evidence_gets_the_attachment_checks(world, name, content, message):
    from kechuang.targets import services
    from kechuang.targets.models import Indicator, Report

    period = services.period_open(user=world.staff, year=2023, kind="H1")
    with pytest.raises(ValidationError) as info:
        services.report_submit(user=world.clerk_a, period=period, region=world.township_a,
                               indicator=Indicator.objects.get(code="hnte_count"), value="1",
                               files=[SimpleUploadedFile(name, content)])
    assert message in str(info.value)
    assert not Report.objects.exists()


# ---- Django's request limits come from the one upload limit (issue 11 item 7) -------------------

def test_django_request_limits_are_derived_from_the_one_upload_limit(settings):
    from kechuang.core.uploads import FORM_OVERHEAD_BYTES, request_limits

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.KECHUANG_UPLOAD_MAX_BYTES + FORM_OVERHEAD_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.KECHUANG_UPLOAD_MAX_BYTES
    assert settings.FILE_UPLOAD_HANDLERS[0] == "kechuang.core.uploads.LimitedUploadHandler"
    small = request_limits(1000)
    assert small == {"DATA_UPLOAD_MAX_MEMORY_SIZE": 1000 + FORM_OVERHEAD_BYTES, "FILE_UPLOAD_MAX_MEMORY_SIZE": 1000,
                     "KECHUANG_REQUEST_MAX_BYTES": 1000 + FORM_OVERHEAD_BYTES}
    with pytest.raises(ValueError):
        request_limits(0)


def test_the_environment_sets_the_one_limit_and_django_follows():
    import os
    import subprocess
    import sys

    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kechuang.settings'; django.setup();"
            "from django.conf import settings as s;"
            "print(s.KECHUANG_UPLOAD_MAX_BYTES, s.DATA_UPLOAD_MAX_MEMORY_SIZE, s.FILE_UPLOAD_MAX_MEMORY_SIZE)")
    env = {**os.environ, "KECHUANG_UPLOAD_MAX_BYTES": "3000000"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3000000", str(3000000 + 1024 * 1024), "2621440"]


@pytest.mark.django_db
def test_a_request_over_the_limit_is_refused_in_chinese_before_it_is_read(world, client_for, settings):
    from kechuang.core.uploads import request_limits

    settings.KECHUANG_UPLOAD_MAX_BYTES = 50_000
    for name, value in request_limits(50_000).items():
        setattr(settings, name, value)
    c = client_for(world.staff)
    big = SimpleUploadedFile("企业.xlsx", b"PK\x03\x04" + b"0" * 1_200_000)
    r = c.post("/enterprises/import/", {"file": big})
    assert r.status_code == 400, r.status_code
    assert "不能超过" in r.content.decode() and "MB" in r.content.decode()
    # a form or JSON body over the limit: the same (DATA_UPLOAD_MAX_MEMORY_SIZE from the one limit)
    r = c.post("/api/targets/reports", '{"x": "' + "y" * 1_200_000 + '"}', content_type="application/json")
    assert r.status_code in (400, 413), r.status_code
