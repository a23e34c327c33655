"""科技特派员: public roster (contract §8), counting only confirmed logs, disputes, coverage and counts
recomputed from rows, dated assessment weights and grade lines, Excel import, agreement document,
uploads and the confirmer rule."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kechuang.commissioners import selectors, services
from kechuang.commissioners.models import Assessment, Commissioner, Recognition, ServiceLog
from kechuang.commissioners.services import CommissionerError
from tests.commissioners.helpers import SYSTEM, setup

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def _assess(year=YEAR, on=None):
    services.assessment_run(actor=SYSTEM, year=year, on=on)
    return {a.commissioner.name: a for a in Assessment.objects.filter(year=year).select_related("commissioner")}


# --------------------------------------------------------------------------- public roster
def test_public_roster_page_and_json_without_sign_in(world):
    setup(world)
    Commissioner.objects.filter(name="特派员B").update(status=Commissioner.Status.REVOKED)
    anon = Client()
    page = anon.get("/public/commissioners/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "特派员A" not in html and "特**" in html          # an individual's name is masked
    assert "派出单位A" in html and "县级" in html and "农业" in html
    assert "派出单位B" not in html                           # revoked: not in the roster
    assert not re.search(r"1[3-9]\d{9}", html)               # no 11-digit mobile number
    data = anon.get("/public/commissioners/?format=json").json()
    assert set(data) >= {"items", "count"} and data["count"] == len(data["items"]) == 1
    item = data["items"][0]
    assert {item["kind"], item["level"], item["dispatch_unit"], item["field"]} == {"individual", "county", "派出单位A",
                                                                                    "农业"}
    assert "13812345678" not in json.dumps(data, ensure_ascii=False)


def test_public_roster_lists_only_the_current_years_recognised(world):
    s = setup(world)
    c = s["a"]["commissioner"]
    Commissioner.objects.filter(pk=c.pk).update(recognised_year=YEAR - 2, valid_until=dt.date(YEAR - 1, 12, 31))
    Recognition.objects.filter(commissioner=c).update(year=YEAR - 2)
    names = {i["dispatch_unit"] for i in selectors.public_roster(YEAR)}
    assert "派出单位A" not in names and "派出单位B" in names


# --------------------------------------------------------------------------- confirmation rule
def test_a_log_without_confirmation_counts_nothing(world):
    s = setup(world)
    result = _assess()
    a = result["特派员A"]
    assert a.figures["logs"] == 0 and Decimal(a.figures["days"]) == 0 and a.score == 0 and a.grade == "不合格"
    cov = selectors.coverage(world.staff, YEAR)
    assert not next(r for r in cov["rows"] if r["name"] == "水头镇")["covered"]
    services.log_confirm(actor=s["a"]["clerk"], log=s["a"]["log"], confirmed=True, rating=5)
    a = _assess()["特派员A"]
    assert a.figures["logs"] == 1 and Decimal(a.figures["days"]) == 1 and a.score > 0
    cov = selectors.coverage(world.staff, YEAR)
    row = next(r for r in cov["rows"] if r["name"] == "水头镇")
    assert row["covered"] and row["logs"] == 1 and row["villages_served"] == 1


def test_a_disputed_log_is_excluded_until_resolved(world):
    s = setup(world)
    log = services.log_confirm(actor=s["a"]["clerk"], log=s["a"]["log"], confirmed=False, reason="未到村服务")
    assert log.status == ServiceLog.Status.DISPUTED
    assert _assess()["特派员A"].figures["logs"] == 0
    with pytest.raises(CommissionerError):      # the recipient cannot flip it afterwards
        services.log_confirm(actor=s["a"]["clerk"], log=log, confirmed=True)
    with pytest.raises(CommissionerError):      # resolution needs a reason
        services.log_resolve(actor=world.staff, log=log, counts=True, resolution="")
    services.log_resolve(actor=world.staff, log=log, counts=True, resolution="核实有服务照片和签到")
    assert _assess()["特派员A"].figures["logs"] == 1
    other = services.log_confirm(actor=s["a"]["ent_user"], log=s["a"]["firm_log"], confirmed=False, reason="内容不符")
    services.log_resolve(actor=world.staff, log=other, counts=False, resolution="异议成立")
    assert _assess()["特派员A"].figures["logs"] == 1   # a rejected log never counts


def test_only_the_recipient_confirms(world):
    s = setup(world)
    with pytest.raises(PermissionDenied):        # an enterprise user for a village's log
        services.log_confirm(actor=world.ent_user_a, log=s["a"]["log"], confirmed=True)
    with pytest.raises(PermissionDenied):        # another township's clerk
        services.log_confirm(actor=world.clerk_b, log=s["a"]["log"], confirmed=True)
    with pytest.raises(PermissionDenied):        # the commissioner's own word is not a confirmation
        services.log_confirm(actor=s["a"]["user"], log=s["a"]["log"], confirmed=True)
    with pytest.raises(PermissionDenied):        # a commissioner cannot answer another's assignment
        services.assignment_respond(actor=s["b"]["user"], assignment=s["a"]["assignment"], accept=False, reason="x")
    services.log_confirm(actor=world.ent_user_a, log=s["a"]["firm_log"], confirmed=True)


def test_confirm_page_at_phone_width_posts_confirmation(world, client_for):
    s = setup(world)
    c = client_for(world.clerk_a)
    url = f"/commissioners/logs/{s['a']['log'].pk}/"
    assert "确认" in c.get(url).content.decode()
    r = c.post(url, {"action": "confirm", "rating": "4", "income_increase": "2.5"})
    assert r.status_code == 302
    log = ServiceLog.objects.get(pk=s["a"]["log"].pk)
    assert log.status == "confirmed" and log.income_increase == Decimal("2.5") and log.confirmed_by == world.clerk_a


# --------------------------------------------------------------------------- coverage and counts
def test_coverage_and_counts_recompute_from_rows(world):
    s = setup(world)
    cov = selectors.coverage(world.staff, YEAR)
    assert cov["covered"] == 0 and cov["townships"] == 27
    services.log_confirm(actor=world.clerk_b, log=s["b"]["log"], confirmed=True)
    cov = selectors.coverage(world.staff, YEAR)
    assert cov["covered"] == 1 and next(r for r in cov["rows"] if r["name"] == "溪美街道")["covered"]
    assert selectors.coverage(world.clerk_a, YEAR)["rows"][0]["name"] == "水头镇"     # a clerk sees their own
    assert selectors.coverage(world.clerk_a, YEAR)["covered"] == 0
    ServiceLog.objects.filter(pk=s["b"]["log"].pk).delete()
    assert selectors.coverage(world.staff, YEAR)["covered"] == 0
    # recognitions in the seed's units: 个人 人次, 团队 组次, 法人 家次
    services.commissioner_register(actor=SYSTEM, name="北京团队", kind="team", level="province", source="北京",
                                   dispatch_unit="北京某大学", year=YEAR, members=[{"name": "王", "is_leader": True}])
    services.commissioner_register(actor=SYSTEM, name="某公司", kind="legal", level="province",
                                   dispatch_unit="某公司", year=YEAR)
    rows = {(r["year"], r["level"]): r for r in selectors.recognition_counts()}
    assert rows[(YEAR, "county")]["individual"] == 2
    assert (rows[(YEAR, "province")]["team"], rows[(YEAR, "province")]["legal"]) == (1, 1)
    assert rows[(YEAR, "province")]["text"] == "0人次个人，1组次团队，1家次法人"


def test_fields_served_and_teams_vs_individuals(world):
    s = setup(world)
    services.log_confirm(actor=world.clerk_a, log=s["a"]["log"], confirmed=True)
    ServiceLog.objects.filter(pk=s["a"]["firm_log"].pk).update(field="数字经济", status="confirmed")
    b = selectors.service_breakdown(world.staff, YEAR)
    assert (b["farming"], b["secondary_tertiary"], b["total"]) == (1, 1, 2)
    assert {k["kind"]: k["logs"] for k in b["kinds"]} == {"individual": 2, "team": 0, "legal": 0}
    x = selectors.crossborder_summary(world.staff, YEAR)
    assert (x["secondary_tertiary"], x["cross_region"], x["teams"]) == (1, 0, 0)
    services.commissioner_register(actor=SYSTEM, name="北京团队", kind="team", level="province", source="北京",
                                   dispatch_unit="北京某大学", year=YEAR, members=[{"name": "王", "is_leader": True}])
    x = selectors.crossborder_summary(world.staff, YEAR)
    assert (x["cross_region"], x["teams"]) == (1, 1)


# --------------------------------------------------------------------------- assessment
def test_assessment_weights_change_by_date(world):
    s = setup(world)
    services.log_confirm(actor=world.clerk_a, log=s["a"]["log"], confirmed=True, rating=5)
    services.rule_add(actor=SYSTEM, effective_from=dt.date(YEAR, 1, 1),
                      weights={"days": "1", "recipients": "0", "results": "0", "rating": "0"},
                      targets={"days": "10", "recipients": "5", "results": "3"},
                      grade_lines={"优秀": "85", "合格": "60"}, subsidy={"优秀": "2", "合格": "1", "不合格": "0"})
    services.rule_add(actor=SYSTEM, effective_from=dt.date(YEAR, 7, 1),
                      weights={"days": "0", "recipients": "0", "results": "0", "rating": "1"},
                      targets={"days": "10", "recipients": "5", "results": "3"},
                      grade_lines={"优秀": "85", "合格": "60"}, subsidy={"优秀": "2", "合格": "1", "不合格": "0"})
    spring = _assess(on=dt.date(YEAR, 6, 30))["特派员A"]
    assert spring.score == Decimal("10.00")                # 1 day of 10, weight 1 on days
    autumn = _assess(on=dt.date(YEAR, 7, 1))["特派员A"]
    assert autumn.score == Decimal("100.00") and autumn.grade == "优秀"   # rating 5/5, weight 1 on rating
    assert autumn.subsidy == Decimal("2") and autumn.payment == Assessment.Payment.PAYABLE
    with pytest.raises(CommissionerError):
        services.rule_add(actor=SYSTEM, effective_from=dt.date(YEAR, 8, 1), weights={"days": "0.5"},
                          grade_lines={}, subsidy={})


@pytest.mark.parametrize(("days", "grade"), [("8.5", "优秀"), ("8", "合格"), ("6", "合格"), ("5.5", "不合格")])
def test_grade_lines_both_sides(world, days, grade):
    s = setup(world)
    ServiceLog.objects.filter(pk=s["a"]["log"].pk).update(status="confirmed", days=Decimal(days))
    services.rule_add(actor=SYSTEM, effective_from=dt.date(YEAR, 1, 1),
                      weights={"days": "1", "recipients": "0", "results": "0", "rating": "0"},
                      targets={"days": "10", "recipients": "5", "results": "3"},
                      grade_lines={"优秀": "85", "合格": "60"}, subsidy={"优秀": "2", "合格": "1", "不合格": "0"})
    assert _assess()["特派员A"].grade == grade


def test_default_rule_is_marked_unverified(world, client_for):
    setup(world)
    _rule, params = selectors.rule_on(dt.date(YEAR, 12, 31))
    assert "待核实" in params["citation"]
    assert "待核实" in client_for(world.staff).get(f"/commissioners/assessment/?year={YEAR}").content.decode()


def _excellent_a(world):
    s = setup(world)
    ServiceLog.objects.filter(commissioner=s["a"]["commissioner"]).update(status="confirmed", days=Decimal("31"),
                                                                           rating=5, new_techniques=3)
    return s, _assess()["特派员A"]


def test_subsidy_goes_through_the_redemption_flow_not_paid_here(world):
    """后补助 (default 优秀 2 万元, 待核实) becomes a 候选 case of the policies redemption flow: 核实 (credit
    check) → the commissioner confirms with a bank account → 公示 → the 财政局 pays after 5 days."""
    from kechuang.policies import services as pol
    from kechuang.policies.models import Case

    s, a = _excellent_a(world)
    assert (a.grade, a.subsidy, a.payment) == ("优秀", Decimal("2"), Assessment.Payment.PAYABLE)
    with pytest.raises(PermissionDenied):
        services.subsidy_refer(actor=world.clerk_a, assessment=a)
    with pytest.raises(PermissionDenied):
        services.subsidy_refer(actor=world.finance, assessment=a)
    a = services.subsidy_refer(actor=world.staff, assessment=a)
    case = a.case
    assert a.payment == Assessment.Payment.REFERRED and case.status == "candidate"
    assert case.enterprise_id is None and case.payee_kind == "commissioner" and case.payee_name == "特派员A"
    assert case.amount == case.amount_max == Decimal("2") and isinstance(case.amount, Decimal)
    assert "明政办〔2021〕62号 第一章 四" in case.measure.citation and case.measure.policy.status == "review"
    assert "待核实" in case.evidence["basis"] and "服务对象确认" in case.evidence["data"][0]
    assert case.credit_subjects == [{"person_name": "特派员A"}]
    again = services.subsidy_refer(actor=world.staff, assessment=Assessment.objects.get(pk=a.pk))
    assert again.case_id == case.pk and Case.objects.filter(payee_ref=case.payee_ref).count() == 1
    # row scope: the commissioner sees their own case, the other commissioner and enterprises do not
    assert Case.objects.restrict(s["a"]["user"], "view").filter(pk=case.pk).exists()
    assert not Case.objects.restrict(s["b"]["user"], "view").filter(pk=case.pk).exists()
    assert not Case.objects.restrict(world.ent_user_a, "view").filter(pk=case.pk).exists()
    today = timezone.localdate()
    case = pol.case_verify(user=world.staff, case=case, today=today)
    with pytest.raises(PermissionDenied):
        pol.case_confirm(user=s["b"]["user"], case=case, bank_account="6222020000001234", bank_name="农行")
    case = pol.case_confirm(user=s["a"]["user"], case=case, bank_account="6222020000001234", bank_name="农行三明分行",
                            today=today)
    case = pol.case_publicize(user=world.staff, case=case, today=today)
    with pytest.raises(Exception, match="公示期未满"):
        pol.case_disburse(user=world.finance, case=case, today=today + dt.timedelta(days=pol.PUBLICITY_DAYS - 1))
    case = pol.case_disburse(user=world.finance, case=case, today=today + dt.timedelta(days=pol.PUBLICITY_DAYS))
    assert case.status == "paid"
    a = Assessment.objects.get(pk=a.pk)
    assert a.payment_words == "兑现案件：已拨付"
    # re-assessing a year whose 后补助 has left 候选 keeps the referred amount
    services.rule_add(actor=SYSTEM, effective_from=dt.date(YEAR, 1, 1),
                      weights={"days": "1", "recipients": "0", "results": "0", "rating": "0"},
                      targets={"days": "10", "recipients": "5", "results": "3"},
                      grade_lines={"优秀": "85", "合格": "60"}, subsidy={"优秀": "3", "合格": "1", "不合格": "0"})
    assert _assess()["特派员A"].subsidy == Decimal("2")


def test_subsidy_candidate_follows_reassessment(world):
    _s, a = _excellent_a(world)
    case = services.subsidy_refer(actor=world.staff, assessment=a).case
    services.rule_add(actor=SYSTEM, effective_from=dt.date(YEAR, 1, 1),
                      weights={"days": "1", "recipients": "0", "results": "0", "rating": "0"},
                      targets={"days": "10", "recipients": "5", "results": "3"},
                      grade_lines={"优秀": "85", "合格": "60"}, subsidy={"优秀": "2.5", "合格": "1", "不合格": "0"})
    a = _assess()["特派员A"]
    case.refresh_from_db()
    assert a.case_id == case.pk and case.status == "candidate" and case.amount == Decimal("2.5")


def test_subsidy_case_refused_by_the_one_credit_check_while_in_force(world):
    """A serious 科研失信 record of the commissioner ending on day D refuses 核实 on D; on D+1 it passes."""
    from django.core.exceptions import ValidationError

    from kechuang.policies import services as pol

    _s, a = _excellent_a(world)
    case = services.subsidy_refer(actor=world.staff, assessment=a).case
    day = timezone.localdate() + dt.timedelta(days=3)
    _serious("特派员A", ends_on=day)
    with pytest.raises(ValidationError, match="一票否决"):
        pol.case_verify(user=world.staff, case=case, today=day)
    case.refresh_from_db()
    assert pol.case_verify(user=world.staff, case=case, today=day + dt.timedelta(days=1)).status == "verified"


# --------------------------------------------------------------------------- import
def _workbook(rows):
    from openpyxl import Workbook

    from kechuang.commissioners.excel import HEADERS

    wb = Workbook()
    ws = wb.active
    ws.append(list(HEADERS))
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_reports_every_bad_row_and_writes_nothing(world):
    from kechuang.commissioners import excel

    good = ["张三", "个人", "省级", "福建农林大学", YEAR, f"{YEAR}-12-31", "本地", "教授", "茶树", "农业", "茶", "水头镇", "", "", ""]
    data = _workbook([good,
                      ["李四", "学生", "省级", "某单位", YEAR, None, "", "", "", "农业", "", "", "", "", ""],
                      ["王五", "团队", "国家级", "", "去年", None, "", "", "", "航天", "", "火星镇", "", "", ""]])
    report = excel.import_workbook(data, actor=world.staff)
    assert not report.ok and report.rows == 3
    joined = "\n".join(report.errors)
    for expected in ("第3行 类别", "第4行 认定级别", "第4行 派出单位", "第4行 认定年度", "第4行 服务领域",
                     "第4行 服务乡镇", "第4行 团队负责人"):
        assert expected in joined
    assert not Commissioner.objects.filter(name="张三").exists()
    report = excel.import_workbook(_workbook([good]), actor=world.staff, dry_run=True)
    assert report.ok and not Commissioner.objects.filter(name="张三").exists()
    report = excel.import_workbook(_workbook([good]), actor=world.staff)
    assert report.ok and report.created == 1
    c = Commissioner.objects.get(name="张三")
    assert c.level == "province" and list(c.townships.values_list("name", flat=True)) == ["水头镇"]
    with pytest.raises(PermissionDenied):
        excel.import_workbook(_workbook([good]), actor=world.clerk_a)


# --------------------------------------------------------------------------- agreement
def test_agreement_word_document_is_a4_with_recorded_fields(world):
    from docx import Document

    s = setup(world)
    doc = Document(io.BytesIO(services.agreement_docx(s["a"]["agreement"])))
    sec = doc.sections[0]
    assert (round(sec.page_width.cm, 1), round(sec.page_height.cm, 1)) == (21.0, 29.7)
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    for expected in ("科技特派员服务三方协议", "派出单位A", "特派员A", "协议a目标", "协议a成果", "利益分成比例 10.00%"):
        assert expected in text


def test_agreement_fields_validated(world):
    s = setup(world)
    kw = dict(actor=SYSTEM, commissioner=s["a"]["commissioner"], recipient=s["a"]["village"], goals="g",
              deliverables="d")
    with pytest.raises(CommissionerError):
        services.agreement_create(**kw, starts_on=dt.date(YEAR, 5, 1), ends_on=dt.date(YEAR, 4, 30))
    with pytest.raises(CommissionerError):
        services.agreement_create(**kw, starts_on=dt.date(YEAR, 1, 1), ends_on=dt.date(YEAR, 2, 1), benefit="equity")
    with pytest.raises(CommissionerError):
        services.agreement_create(**kw, starts_on=dt.date(YEAR, 1, 1), ends_on=dt.date(YEAR, 2, 1), benefit="share",
                                  share_ratio="1.5")
    with pytest.raises(PermissionDenied):    # commissioner B for A's commissioner
        services.agreement_create(**{**kw, "actor": s["b"]["user"]}, starts_on=dt.date(YEAR, 1, 1),
                                  ends_on=dt.date(YEAR, 2, 1))


def test_signed_copy_upload_checks_type_and_content(world):
    s = setup(world)
    ag = s["a"]["agreement"]
    with pytest.raises(CommissionerError, match="不允许"):
        services.agreement_upload_signed(actor=SYSTEM, agreement=ag,
                                         upload=SimpleUploadedFile("x.exe", b"MZ...."))
    with pytest.raises(CommissionerError, match="扩展名与文件内容不符"):
        services.agreement_upload_signed(actor=SYSTEM, agreement=ag,
                                         upload=SimpleUploadedFile("x.pdf", b"not a pdf"))
    ag = services.agreement_upload_signed(actor=SYSTEM, agreement=ag,
                                          upload=SimpleUploadedFile("签署件.pdf", b"%PDF-1.4 x"))
    assert ag.status == "signed" and ag.signed_name == "签署件.pdf"


# --------------------------------------------------------------------------- flows
def test_need_proposal_ranks_matching_commissioner_and_decline_needs_reason(world, monkeypatch):
    monkeypatch.setenv("KECHUANG_EMBEDDER", "hashing")
    s = setup(world)
    need = services.need_post(actor=world.clerk_a, recipient=s["a"]["village"], title="茶树病虫害防治",
                              description="茶园病虫害严重", field="农业")
    props = selectors.proposals(need)
    assert props[0]["commissioner"] == s["a"]["commissioner"]    # same field and serves the village
    assert props[0]["distance"] == 0 and props[0]["score"] > props[-1]["score"]
    a = services.need_assign(actor=world.clerk_a, need=need, commissioner=s["a"]["commissioner"])
    with pytest.raises(CommissionerError):
        services.assignment_respond(actor=s["a"]["user"], assignment=a, accept=False, reason="")
    services.assignment_respond(actor=s["a"]["user"], assignment=a, accept=False, reason="时间冲突")
    need.refresh_from_db()
    assert need.status == "open"
    with pytest.raises(PermissionDenied):    # township B cannot assign A's need
        services.need_assign(actor=world.clerk_b, need=need, commissioner=s["b"]["commissioner"])


def test_online_answer_counts_only_after_confirmation(world):
    s = setup(world)
    q = services.question_answer(actor=s["a"]["user"], question=s["a"]["question"], answer="每亩施有机肥 200 公斤")
    assert q.log.online and q.log.status == "pending"
    assert _assess()["特派员A"].figures["online"] == 0
    services.log_confirm(actor=world.ent_user_a, log=q.log, confirmed=True)
    assert _assess()["特派员A"].figures["online"] == 1


def test_selection_round_flow_recognises_after_publicity(world):
    rnd = services.round_open(actor=world.staff, year=YEAR + 1, title="选认")
    services.round_advance(actor=world.staff, rnd=rnd)
    app = services.application_submit(actor=world.staff, rnd=rnd, name="申报人甲", dispatch_unit="某所", fields=["农业"],
                                      townships=["水头镇"])
    bad = services.application_submit(actor=world.staff, rnd=rnd, name="申报人乙", dispatch_unit="某所")
    services.round_advance(actor=world.staff, rnd=rnd)
    with pytest.raises(CommissionerError):   # recommendations missing
        services.round_advance(actor=world.staff, rnd=rnd)
    services.application_recommend(actor=world.staff, app=app, recommended=True)
    with pytest.raises(CommissionerError):   # a refusal needs a reason
        services.application_recommend(actor=world.staff, app=bad, recommended=False)
    services.application_recommend(actor=world.staff, app=bad, recommended=False, opinion="专业不对口")
    services.round_advance(actor=world.staff, rnd=rnd)
    services.application_review(actor=world.staff, app=app, approved=True, score="88")
    today = timezone.localdate()
    services.round_advance(actor=world.staff, rnd=rnd, today=today)
    with pytest.raises(CommissionerError, match="公示期"):
        services.round_advance(actor=world.staff, rnd=rnd, today=today + dt.timedelta(days=4))
    services.round_advance(actor=world.staff, rnd=rnd, today=today + dt.timedelta(days=5))
    c = Commissioner.objects.get(name="申报人甲")
    assert c.recognised_year == YEAR + 1 and c.recognitions.filter(year=YEAR + 1).exists()
    assert not Commissioner.objects.filter(name="申报人乙").exists()
    with pytest.raises(PermissionDenied):
        services.round_open(actor=world.clerk_a, year=YEAR, title="x")


def test_every_write_is_change_logged(world):
    from kechuang.core.models import ChangeLog

    s = setup(world)
    services.log_confirm(actor=world.clerk_a, log=s["a"]["log"], confirmed=True)
    assert ChangeLog.objects.filter(model="commissioners.ServiceLog", object_id=str(s["a"]["log"].pk),
                                    action="update").exists()


# --------------------------------------------------------------------------- the one credit check
def _serious(name, ends_on):
    from kechuang.supervision import services as sup

    sup.credit_record_create(user=SYSTEM, subject_kind="person", subject_name=name, behaviour="数据造假",
                             severity="serious", outcome="取消资格", authority="市科技局", basis="科技部令第19号",
                             effective_on=dt.date(YEAR, 1, 1), ends_on=ends_on)


def test_credit_check_blocks_subsidy_and_recognition_while_in_force(world):
    s = setup(world)
    ServiceLog.objects.filter(commissioner=s["a"]["commissioner"]).update(status="confirmed", days=Decimal("31"),
                                                                           rating=5, new_techniques=3)
    today = timezone.localdate()
    _serious("特派员A", ends_on=today)                       # in force up to and including today
    a = _assess(on=today)["特派员A"]
    assert a.payment == Assessment.Payment.BLOCKED and "一票否决" in a.payment_note
    assert services.credit_check(s["a"]["commissioner"], today + dt.timedelta(days=1), decision="payment") is None
    rnd = services.round_open(actor=SYSTEM, year=YEAR + 1, title="选认")
    services.round_advance(actor=SYSTEM, rnd=rnd)
    app = services.application_submit(actor=SYSTEM, rnd=rnd, name="特派员A", dispatch_unit="某所")
    services.round_advance(actor=SYSTEM, rnd=rnd)
    services.application_recommend(actor=SYSTEM, app=app, recommended=True)
    services.round_advance(actor=SYSTEM, rnd=rnd)
    with pytest.raises(CommissionerError, match="信用核查"):
        services.application_review(actor=SYSTEM, app=app, approved=True, today=today)
    services.application_review(actor=SYSTEM, app=app, approved=True, today=today + dt.timedelta(days=1))


def test_message_centre_tells_who_acts_next(world):
    from kechuang.inbox.models import Message

    s = setup(world)
    assert Message.objects.filter(recipient=world.clerk_a, title__contains="请确认科技特派员服务").count() == 1
    assert Message.objects.filter(recipient=world.ent_user_a, title__contains="请确认科技特派员服务").count() == 1
    assert not Message.objects.filter(recipient=world.clerk_b, url=f"/commissioners/logs/{s['a']['log'].pk}/").exists()
    assert Message.objects.filter(recipient=s["a"]["user"], title__startswith="新的需求指派").exists()
    services.log_confirm(actor=world.clerk_a, log=s["a"]["log"], confirmed=False, reason="未到村")
    assert Message.objects.filter(recipient=world.staff, title__startswith="服务日志有异议").exists()


def test_rule_entry_validated(world):
    base = dict(actor=SYSTEM, effective_from=dt.date(YEAR, 3, 1),
                weights={"days": "0.4", "recipients": "0.2", "results": "0.2", "rating": "0.2"},
                targets={"days": "30", "recipients": "5", "results": "3"},
                grade_lines={"优秀": "85", "合格": "60"}, subsidy={"优秀": "2", "合格": "1", "不合格": "0"})
    for bad in ({"weights": {**base["weights"], "days": "1.4"}}, {"weights": {**base["weights"], "days": "x"}},
                {"targets": {**base["targets"], "days": "0"}}, {"grade_lines": {"优秀": "60", "合格": "60"}},
                {"subsidy": {**base["subsidy"], "优秀": "-1"}}):
        with pytest.raises(CommissionerError):
            services.rule_add(**{**base, **bad})
    services.rule_add(**base)
    with pytest.raises(CommissionerError, match="已有"):
        services.rule_add(**base)
    with pytest.raises(PermissionDenied):
        services.rule_add(**{**base, "actor": world.clerk_a, "effective_from": dt.date(YEAR, 4, 1)})


def test_bind_account_and_revoke(world, client_for):
    s = setup(world)
    c = s["a"]["commissioner"]
    with pytest.raises(CommissionerError, match="已绑定"):
        services.commissioner_bind_account(actor=world.staff, commissioner=s["b"]["commissioner"], username="comm_a")
    with pytest.raises(CommissionerError, match="科技特派员"):
        services.commissioner_bind_account(actor=world.staff, commissioner=c, username="clerk_a")
    r = client_for(world.staff).post(f"/commissioners/roster/{c.pk}/", {"action": "revoke", "reason": "考核不合格"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.status == "revoked"
    assert client_for(world.clerk_a).post(f"/commissioners/roster/{s['b']['commissioner'].pk}/",
                                          {"action": "revoke", "reason": "x"}).status_code == 403


# --------------------------------------------------------------------------- feeding the targets module
def test_confirmed_services_feed_the_ledger_task_of_attachment_1_item_7(world, client_for):
    """Seed 000 has no 科技特派员 indicator in 附件2; its 附件1 第7项 task shows the counts the rows give:
    only confirmed logs, a township clerk only their own township."""
    from kechuang.targets.derived import task_figures
    from kechuang.targets.models import Task

    s = setup(world)
    figures = lambda user: {f["label"]: f["value"] for f in task_figures(selectors.LEDGER_TASK, user, YEAR)}  # noqa: E731
    assert figures(world.staff)["经服务对象确认的服务"] == 0            # nothing confirmed yet
    services.log_confirm(actor=world.clerk_a, log=s["a"]["log"], confirmed=True)
    services.log_confirm(actor=world.clerk_b, log=s["b"]["log"], confirmed=False, reason="未到村")
    staff = figures(world.staff)
    assert staff["经服务对象确认的服务"] == 1 and staff["有已确认服务的乡镇（街道）"] == 1
    assert staff["有已确认服务的村"] == 1
    assert figures(world.clerk_b)["经服务对象确认的服务"] == 0           # B's log is disputed, and A's is not B's
    task = Task.objects.get(code=selectors.LEDGER_TASK)
    html = client_for(world.staff).get(f"/targets/ledger/{task.pk}/").content.decode()
    assert "系统核算" in html and "经服务对象确认的服务" in html


def test_commissioner_confirms_own_subsidy_case_on_the_case_page(world, client_for):
    from kechuang.policies import services as pol

    s, a = _excellent_a(world)
    case = services.subsidy_refer(actor=world.staff, assessment=a).case
    pol.case_verify(user=world.staff, case=case)
    own = client_for(s["a"]["user"])
    page = own.get(f"/policies/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "特派员A（科技特派员）" in html and "确认享受" in html and "None" not in html
    assert client_for(s["b"]["user"]).get(f"/policies/cases/{case.pk}/").status_code == 404
    listing = own.get("/policies/cases/").content.decode()
    assert "特派员A（科技特派员）" in listing
    staff_html = client_for(world.staff).get(f"/commissioners/assessment/?year={YEAR}").content.decode()
    assert "兑现案件：已核实" in staff_html
