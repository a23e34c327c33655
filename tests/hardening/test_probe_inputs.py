"""Issue 11 item 5: every input of the hostile probe's list, each answered without a server error
(4xx with a Chinese sentence, or the page with the input ignored), never stored.

Each probe was run against the code before the fix and gave HTTP 500 (or stored a poisoned value)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.urls import reverse

from kechuang.core.models import Role
from kechuang.enterprises.models import Enterprise
from kechuang.targets.models import Milestone, Period, Task
from tests.world import SYSTEM

BIG = "99999999999999999999"


@pytest.fixture
def staff(world, client_for):
    return client_for(world.staff)


def _ok(response, *, allowed=(200, 302, 400, 403, 404, 422)):
    assert response.status_code in allowed, (response.status_code, response.content[:400])
    assert response.status_code < 500
    return response


def _has_chinese(response):
    text = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        text = json.dumps(response.json(), ensure_ascii=False)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text[:300]


@pytest.mark.parametrize("path", [
    "/diagnosis/pipeline/?run=abc",
    f"/diagnosis/pipeline/?run={BIG}",
    f"/diagnosis/pipeline/?township={BIG}",
    "/diagnosis/pipeline/?rung=abc",
    f"/enterprises/?township={BIG}",
    "/enterprises/?township=abc",
    f"/enterprises/?page={BIG}",
    "/enterprises/?page=-1",
    f"/policies/cases/?page={BIG}",
    "/policies/cases/?year=-1",
    f"/policies/cases/?year={BIG}",
    f"/policies/publicity/?year={BIG}",
    "/policies/screening/?year=-1",
    f"/policies/screening/?year={BIG}",
    f"/targets/?year={BIG}",
    "/targets/?year=-1",
    f"/targets/data/?year={BIG}",
    "/targets/report/?period=abc",
    f"/targets/report/?period={BIG}",
    "/targets/review/?on=0001-01-01",
    "/targets/review/?on=abc",
    f"/techmarket/?maturity_min={BIG}",
    "/techmarket/?maturity_min=abc",
    f"/techmarket/contracts/?start=0001-01-01&end={BIG}",
    "/changes/enterprises.enterprise/abc/",
    f"/changes/enterprises.enterprise/{BIG}/",
    "/changes/nosuch.model/1/",
    f"/core/audit/?page={BIG}",
    f"/audit/?page={BIG}",
])
def test_query_parameters_never_give_a_server_error(staff, path):
    _ok(staff.get(path))


@pytest.mark.parametrize("on", ["0001-01-01", "2000-01-01", "abc", "9999-12-31"])
def test_diagnosis_dates_before_any_rules_say_so(world, client_for, client, on):
    ent = world.enterprise_a
    page = _ok(client_for(world.staff).get(f"/diagnosis/enterprise/{ent.pk}/?on={on}"))
    if on in ("0001-01-01", "2000-01-01") and page.status_code != 200:
        _has_chinese(page)
    # anonymous: the public API and the public self-check
    r = _ok(client.post(f"/api/public/diagnosis/evaluate?on={on}", data={"enterprise": {}},
                        content_type="application/json"))
    if on in ("0001-01-01", "2000-01-01"):
        assert r.status_code == 422, r.content
        assert "施行" in r.json()["detail"] or "尚无" in r.json()["detail"], r.json()
    r = _ok(client_for(world.ent_user_a).post("/diagnosis/self-check/", {"on": on}))


def test_api_integer_overflow_is_a_422(staff):
    for path in (f"/api/enterprises/?township={BIG}", f"/api/enterprises/?page={BIG}", f"/api/enterprises/{BIG}",
                 f"/api/targets/reports?year={BIG}", "/api/targets/reports?year=-1",
                 f"/api/policies/cases?year={BIG}", f"/api/diagnosis/enterprises/{BIG}",
                 "/api/targets/series?base=100&growth=1e20&year_from=2020&year_to=2025",
                 f"/api/targets/series?base=100&growth=0.1&year_from=2020&year_to={BIG}",
                 f"/api/targets/series?base=100&growth=0.1&year_from=2020&year_to=2025&decimals={BIG}"):
        r = staff.get(path)
        assert r.status_code in (404, 422), (path, r.status_code, r.content[:300])
        if r.status_code == 422:
            _has_chinese(r)


def test_employees_overflow_is_a_field_error_not_stored(world, staff):
    ent = world.enterprise_a
    _ok(staff.post(f"/enterprises/{ent.pk}/edit/", {"name": ent.name, "employees": BIG,
                                                         "township": ent.township_id}))
    ent.refresh_from_db()
    assert ent.employees is None


def test_hundred_thousand_character_username_at_login(db, client):
    r = _ok(client.post("/login/", {"username": "x" * 100_000, "password": "whatever-1A"}))
    assert r.status_code in (200, 400)


def test_growth_1e20_in_plan_series_is_refused(staff):
    r = staff.get("/api/targets/series?base=100&growth=1e20&year_from=2020&year_to=2025")
    assert r.status_code == 422


def test_milestone_and_period_abc(world, staff):
    task = Task.objects.create(code="T-1", source="测试", title="测试任务")
    Milestone.objects.create(task=task, title="节点", due=dt.date(2030, 1, 1))
    _ok(staff.post(f"/targets/ledger/{task.pk}/", {"action": "done", "milestone": "abc"}))
    _ok(staff.post(f"/targets/ledger/{task.pk}/", {"action": "done", "milestone": BIG}))
    _ok(staff.post(f"/targets/ledger/{task.pk}/", {"action": "progress", "percent": "1e20", "text": "x"}))
    _ok(staff.post("/targets/report/", {"period": "abc", "indicator": "abc", "region": "abc", "value": "1"}))
    _ok(staff.post("/targets/review/", {"action": "open", "year": BIG, "kind": "h1"}))
    _ok(staff.post("/targets/review/", {"action": "open", "year": "-1", "kind": "h1"}))
    assert not Period.objects.filter(year__lt=1949).exists()


def test_measure_abc_in_sandbox(world, staff):
    from kechuang.policies.models import PolicyDocument

    doc = PolicyDocument.objects.filter(is_sandbox=False).first()
    if doc is None:
        pytest.fail("policy reference data missing")
    draft = _ok(staff.post(f"/policies/p/{doc.code}/sandbox/"))
    sandbox = PolicyDocument.objects.filter(is_sandbox=True).first()
    assert sandbox is not None, draft
    for data in ({"measure": "abc", "amount": "1"}, {"measure": BIG, "amount": "1"},
                 {"measure": str(sandbox.measures.first().pk), "amount": "1e20"},
                 {"measure": str(sandbox.measures.first().pk), "amount": "NaN"},
                 {"measure": str(sandbox.measures.first().pk), "amount": "abc"}):
        _ok(staff.post(f"/policies/sandbox/{sandbox.pk}/", data))


def test_dispatch_contract_without_a_deal(world, client_for, settings, tmp_path):
    from kechuang.techmarket import services as s
    from kechuang.techmarket.models import Achievement, Broker, Match

    settings.MEDIA_ROOT = tmp_path
    ach = Achievement.objects.create(title="石材切割", status="published")
    broker = Broker.objects.create(user=world.broker_a, name="经理")
    need = s.need_post(user=SYSTEM, enterprise=world.enterprise_a, title="需求", description="x", is_public=False)
    m = Match.objects.create(need=need, achievement=ach, rank=1, score=0.9)
    d = s.dispatch_assign(user=SYSTEM, match=m, broker=broker, reason="测试")
    c = client_for(world.broker_a)
    url = reverse("techmarket:dispatch_detail", args=[d.pk])
    _ok(c.post(url, {"action": "contract", "contract_type": "技术开发", "registered_on": "2026-01-01",
                     "registration_no": "X1", "amount": "10"}))
    _ok(c.post(url, {"action": "deal", "amount": "1e20", "signed_on": "2026-01-01"}))
    _ok(c.post(url, {"action": "deal", "amount": "NaN", "signed_on": "0001-01-01"}))
    d.refresh_from_db()
    assert getattr(d, "deal", None) is None


def _workbook_with_missing_shared_string() -> bytes:
    """A minimal .xlsx whose cell points at shared string #5 of a table holding one string."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>""")
        z.writestr("_rels/.rels", """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>""")
        z.writestr("xl/workbook.xml", """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="企业" sheetId="1" r:id="rId1"/></sheets></workbook>""")
        z.writestr("xl/_rels/workbook.xml.rels", """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>""")
        z.writestr("xl/sharedStrings.xml", """<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>统一社会信用代码</t></si></sst>""")
        z.writestr("xl/worksheets/sheet1.xml", """<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>5</v></c></row>
<row r="2"><c r="A2" t="s"><v>7</v></c></row>
</sheetData></worksheet>""")
    return buf.getvalue()


def test_workbook_pointing_at_a_missing_shared_string(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = _workbook_with_missing_shared_string()
    r = _ok(client_for(world.staff).post("/enterprises/import/", {
        "file": SimpleUploadedFile("x.xlsx", data)}))
    _has_chinese(r)
    r = _ok(client_for(world.staff).post("/techmarket/import/", {
        "kind": "needs", "file": SimpleUploadedFile("x.xlsx", data)}))
    assert Enterprise.objects.count() == 2


def test_clerk_cannot_overflow_either(world, client_for):
    c = client_for(world.clerk_a)
    assert world.clerk_a.role == Role.TOWNSHIP_CLERK
    for path in (f"/enterprises/?township={BIG}", f"/enterprises/?page={BIG}", "/targets/report/?period=abc"):
        _ok(c.get(path))


# ---- found by the write fuzz (tests/hardening/test_write_fuzz.py) -----------------------------------

@pytest.mark.parametrize("year", ["1e309", "NaN", "abc", BIG, "1800"])
def test_commissioner_round_and_assessment_year_is_checked(world, staff, year):
    """POST /commissioners/rounds/ ran int() on the year: "1e309", "NaN", "abc" gave HTTP 500."""
    from kechuang.commissioners.models import Assessment, SelectionRound

    r = _ok(staff.post(reverse("commissioners:rounds"), {"year": year, "title": "选认", "level": "county"}),
            allowed=(400,))
    _has_chinese(r)
    assert "年度" in r.content.decode()
    assert not SelectionRound.objects.exists()
    r = _ok(staff.post(reverse("commissioners:assessment"), {"action": "run", "year": year}), allowed=(400,))
    assert "年度" in r.content.decode()
    assert not Assessment.objects.exists()


def test_an_unguarded_int_conversion_is_a_chinese_400_not_a_500():
    """The safety net for the class: a view that forgets the helpers answers 400, never 500."""
    from kechuang.core.inputs import describe

    for text in ("1e309", "NaN", "x" * 10):
        with pytest.raises(ValueError) as info:
            int(text)
        assert "数字" in describe(info.value)
    assert describe(ValueError("something else")) is None


@pytest.mark.parametrize("body", ['{"year": 1e309}', '{"year": NaN}', '{"value": Infinity}', "not json {"])
def test_api_bodies_with_non_finite_numbers_are_refused_in_chinese(staff, body):
    """json.loads turned 1e309 into inf and accepted NaN; django-ninja answered in English."""
    r = _ok(staff.post("/api/targets/reports", body, content_type="application/json"), allowed=(400, 422))
    _has_chinese(r)
    assert "Cannot parse" not in r.content.decode()


def test_api_refusals_of_django_ninja_are_in_chinese(db, client):
    r = client.get("/api/enterprises/")
    assert r.status_code == 401
    _has_chinese(r)


def test_a_stored_control_character_no_longer_breaks_the_excel_export(world, staff):
    """A name with \\x01 or ESC (a form accepted it) made every .xlsx export carrying it fail with
    IllegalCharacterError (HTTP 500); now the character is dropped from the cell."""
    from openpyxl import load_workbook

    ent = world.enterprise_a
    ent.name = "水头甲\x01\x1b石材有限公司"
    ent.save()
    r = _ok(staff.get("/enterprises/export/"), allowed=(200,))
    body = b"".join(r.streaming_content) if r.streaming else r.content
    wb = load_workbook(io.BytesIO(body), read_only=True)
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "水头甲石材有限公司" in cells


def test_a_stored_control_character_no_longer_breaks_the_word_report(world, staff):
    """The same name broke every .docx carrying it (lxml: "All strings must be XML compatible",
    HTTP 500): the Word writers drop the character as the Excel path does (one place,
    kechuang.core.safe_export.install)."""
    from docx import Document

    ent = world.enterprise_a
    ent.name = "水头甲\x01\x1b石材有限公司"
    ent.save()
    r = _ok(staff.get(reverse("diagnosis:enterprise_docx", args=[ent.pk])), allowed=(200,))
    body = b"".join(r.streaming_content) if r.streaming else r.content
    doc = Document(io.BytesIO(body))
    text = "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for row in t.rows for c in row.cells])
    assert "水头甲石材有限公司" in text and "\x01" not in text
    # any document the platform builds: paragraphs, runs, table cells, headings, properties
    doc = Document()
    doc.add_heading("标题\x02", level=1)
    doc.add_paragraph("正文\x00甲").add_run("追加\x1b乙").add_text("再加\x0b丙")
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "单元格\x1f丁"
    doc.core_properties.title = "属性\x01戊"
    buf = io.BytesIO()
    doc.save(buf)
    again = Document(io.BytesIO(buf.getvalue()))
    assert [p.text for p in again.paragraphs] == ["标题", "正文甲追加乙再加丙"]
    assert again.tables[0].cell(0, 0).text == "单元格丁" and again.core_properties.title == "属性戊"


@pytest.mark.parametrize("value", ["a\x00b", "\x01", "esc\x1b[31m", "\x7f"])
def test_control_characters_in_input_are_refused_naming_the_field(world, client_for, client, value):
    """NUL gave 500 on PostgreSQL and was stored on SQLite; other control characters were stored
    and broke exports. Refused at the door with the parameter named (pages, forms and the API)."""
    staff = client_for(world.staff)
    before = Enterprise.objects.count()
    r = _ok(staff.post(reverse("commissioners:rounds"), {"year": "2025", "title": value}), allowed=(400,))
    assert "「title」" in r.content.decode() and "控制字符" in r.content.decode()
    r = _ok(staff.get("/enterprises/", {"q": value}), allowed=(400,))
    assert "「q」" in r.content.decode()
    r = _ok(client.post("/login/", {"username": value, "password": "x"}), allowed=(400,))
    _has_chinese(r)
    r = _ok(staff.post("/api/targets/reports", json.dumps({"year": 2025, "indicator": value}),
                       content_type="application/json"), allowed=(400, 422))
    assert "控制字符" in r.content.decode("unicode_escape", "replace") or "控制字符" in json.dumps(r.json(),
                                                                                                 ensure_ascii=False)
    assert Enterprise.objects.count() == before


def test_a_form_post_to_a_json_api_operation_is_a_chinese_400(world, staff):
    """Found by the write fuzz: a multipart form sent to a JSON operation must not make the input
    checks consume the body the operation reads (RawPostDataException, HTTP 500)."""
    r = _ok(staff.post("/api/resources/products/1", {"name": "x"}), allowed=(400, 404, 422))
    _has_chinese(r)
