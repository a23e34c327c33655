"""Writes of the policy app: screening runs, the redemption workflow, disputes, sandbox drafts.

Workflow of a case (兑现案件), the three steps the leading cities run (数据比对 → 意愿确认 → 拨付):

    候选 candidate ──核实 verify (科技局)──▶ 已核实 verified ──企业确认 confirm──▶ 企业已确认 confirmed
        │                                    │  └─放弃声明 waive / 逾期未确认 expire ─▶ 企业放弃 waived
        └─不予兑现 reject                     ▼
    confirmed ──公示 publicize (科技局)──▶ 公示中 publicized ──拨付 disburse (财政)──▶ 已拨付 paid
                                                               └─信用一票否决 / reject ─▶ 不予兑现 rejected

An open 异议 (dispute) pauses the case: no transition until the bureau resolves it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from decimal import Decimal

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.changes import log_bulk, snapshot
from kechuang.core.permissions import PermissionRefused, account, require
from kechuang.core.roles import Role
from kechuang.supervision.credit import check_credit, refusals_for_enterprises
from kechuang.supervision.models import Decision

from .engine.calculator import evaluate_measure
from .engine.model import Policy
from .engine.money import from_units
from .engine.screening import ELIGIBLE, NONE_MAX, screen
from .models import Case, Dispute, Measure, PolicyDocument, PolicyEvent, ProxyAuthorization, ScreeningRun
from .population import load_population
from .selectors import engine_policies

#: days an enterprise has to confirm (意愿确认) after verification; silence past it = 放弃
CONFIRM_DAYS = 15
#: 公示期 in calendar days before payment
PUBLICITY_DAYS = 5


# --- policy events ------------------------------------------------------------------

def policy_event_record(*, user, enterprise, kind: str, date, fields: dict | None = None, source: str = "") -> PolicyEvent:
    """Record an event (认定、验收、备案…) for an enterprise after validating it like the calculator does."""
    from .engine.errors import PolicyInputError
    from .engine.events import parse_events

    require(user, "policies.event.record")
    try:
        parsed = parse_events([{**(fields or {}), "kind": kind, "date": date}])[0]
    except PolicyInputError as exc:
        raise ValidationError(f"{exc.key.replace('events[0].', '')}：{exc.message}") from None
    stored = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in parsed.fields.items()}
    return PolicyEvent.objects.create(enterprise=enterprise, kind=kind, date=parsed.date, fields=stored,
                                      source=source)


# --- screening ----------------------------------------------------------------------


def _drop_key(text: str) -> str:
    """Evidence for people: the facts key paths (events[0], qualifications[1]) left out."""
    text = re.sub(r"[，,]?\s*(?:events|qualifications|years)\[\d+\](?:\.\w+)?\s*[，,]?", "，", text)
    return text.replace("（，", "（").replace("，）", "）")

def _evidence(dbp, i: int, measure, policy: Policy, year: int) -> dict:
    ent = dbp.enterprise(i)
    out = evaluate_measure(measure, policy, ent, year)
    sources = dbp.event_sources(i)
    data = []
    for line in out.evidence:
        m = re.search(r"events\[(\d+)\]", line)
        if m:
            src = sources.get(int(m.group(1))) or "政策事件登记"
            line = _drop_key(line) + f"（来源：{src}）"
        elif "years[" in line:
            line = _drop_key(line) + "（来源：企业库年度数据）"
        elif "qualifications[" in line:
            line = _drop_key(line) + "（来源：企业库资质记录）"
        data.append(line)
    basis = _drop_key(out.basis)
    return {
        "measure": measure.id, "policy": policy.doc_no, "citation": measure.citation,
        "window": policy.window_text(), "basis": basis,
        "conditions": [c.to_json() for c in out.conditions], "data": data,
        "amount": str(out.amount), "amount_max": None if out.amount_max is None else str(out.amount_max),
    }


def _hash(evidence: dict) -> str:
    return hashlib.sha256(json.dumps(evidence, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def screening_run(*, user, year: int, enterprise_qs=None, progress=None, reason: str = "",
                  enterprise=None) -> ScreeningRun:
    """Screen every enterprise against every published measure for ``year`` and store the candidates.

    Idempotent: a rerun creates no duplicate case; a case whose evidence changed is updated (amounts
    only while still 候选) and flagged ``evidence_changed``; a 候选 no longer eligible is flagged too.
    The comparison runs outside any transaction (``progress(done, total, step=…)`` is called between
    its steps, so a job's page can show them); everything is written in one transaction at the end,
    so an interrupted run leaves nothing behind. ``reason`` (why the run was made, in words) and
    ``enterprise`` (the one enterprise of a run limited to it) are shown on the screening page.
    """
    require(user, "policies.screening.run")
    step = progress or (lambda *a, **k: None)
    t0 = time.perf_counter()
    docs = {d.code: d for d in PolicyDocument.objects.filter(status="published", is_sandbox=False)}
    if not docs:
        raise ValidationError("数据库中没有已发布的政策，请先执行 migrate 加载政策数据")
    policies = engine_policies()
    measure_pk = {(p, c): pk for pk, p, c in Measure.objects.filter(policy__in=docs.values()).values_list(
        "pk", "policy__code", "code")}
    step(0, 4, step="读取企业数据")
    dbp = load_population(enterprise_qs)
    step(1, 4, step=f"比对 {dbp.population.n} 家企业与 {len(policies)} 份政策")
    res = screen(dbp.population, year, policies)
    step(2, 4, step="整理候选与证据")
    monetary = [mc for mc in res.measures if mc.measure.benefit.monetary and mc.measure.kind != "mechanism"]
    dbp.prepare({int(i) for mc in monetary for i in np.flatnonzero(mc.status == ELIGIBLE)})
    wanted_pks = [measure_pk[(mc.policy.id, mc.measure.id)] for mc in monetary]
    eligible_ids = {dbp.enterprise_ids[int(i)] for mc in monetary for i in np.flatnonzero(mc.status == ELIGIBLE)}
    # the one credit check, for the whole population at once: a refused candidate keeps its case
    # (the data are true) with the refusal in its evidence; 核实 and 拨付 then refuse it.
    credit = refusals_for_enterprises(decision=Decision.PAYMENT, on=timezone.localdate(), enterprise_ids=eligible_ids)
    found = {}
    for mc in monetary:
        mpk = measure_pk[(mc.policy.id, mc.measure.id)]
        for i in np.flatnonzero(mc.status == ELIGIBLE):
            ev = _evidence(dbp, int(i), mc.measure, mc.policy, year)
            ent_id = dbp.enterprise_ids[int(i)]
            if ent_id in credit:
                ev["credit"] = {"allowed": False, "message": credit[ent_id].message, "rule": credit[ent_id].rule,
                                "until": credit[ent_id].until.isoformat() if credit[ent_id].until else None}
            amax = None if int(mc.amount_max[i]) == NONE_MAX else from_units(int(mc.amount_max[i]))
            found[(ent_id, mpk)] = (ev, _hash(ev), from_units(int(mc.amount[i])), amax)
    step(3, 4, step=f"写入 {len(found)} 项候选")
    with transaction.atomic():
        run = ScreeningRun.objects.create(year=year, started_by=account(user), enterprise=enterprise,
                                          reason=reason[:300], enterprise_count=dbp.population.n,
                                          policies=[p.doc_no for p in policies])
        existing_qs = Case.objects.filter(year=year, measure_id__in=wanted_pks)
        if enterprise_qs is not None:  # a run over some enterprises leaves the others' cases alone
            existing_qs = existing_qs.filter(enterprise_id__in=dbp.enterprise_ids)
        existing = {(e, m): (pk, h, s) for pk, e, m, h, s in existing_qs.values_list(
            "pk", "enterprise_id", "measure_id", "evidence_hash", "status")}
        new, changed = [], {}
        for key, (ev, h, amount, amax) in found.items():
            if key not in existing:
                new.append(Case(enterprise_id=key[0], measure_id=key[1], year=year, amount=amount, amount_max=amax,
                                evidence=ev, evidence_hash=h, last_run=run))
            elif existing[key][1] != h:
                changed[existing[key][0]] = (ev, h, amount, amax)
        stale = [pk for key, (pk, _h, status) in existing.items() if key not in found and status == "candidate"]
        Case.objects.bulk_create(new, batch_size=2000)
        to_update = list(Case.objects.filter(pk__in=list(changed) + stale).select_related("enterprise", "measure"))
        before = {c.pk: snapshot(c) for c in to_update}
        for c in to_update:
            if c.pk in changed:
                ev, h, amount, amax = changed[c.pk]
                c.evidence, c.evidence_hash = ev, h
                if c.status == "candidate":
                    c.amount, c.amount_max = amount, amax
            else:
                c.evidence = {**c.evidence, "no_longer_eligible": f"{year}年第{run.pk}次筛查不再符合"}
                c.evidence_hash = _hash(c.evidence)
            c.evidence_changed, c.last_run = True, run
        Case.objects.bulk_update(to_update, ["evidence", "evidence_hash", "amount", "amount_max", "evidence_changed",
                                             "last_run"], batch_size=2000)
        log_bulk(Case, "update", to_update, before=before)  # changes to existing cases are logged
        run.candidate_count = len(found)
        run.new_count = len(new)
        run.changed_count = len(to_update)
        run.finished_at = timezone.now()
        run.seconds = round(time.perf_counter() - t0, 3)
        run.save()
    step(4, 4, step="完成")
    return run


def notify_new_candidates(run: ScreeningRun) -> int:
    """Tell the enterprise users of each case ``run`` created (message centre); the number told."""
    from collections import defaultdict

    from django.urls import reverse

    from kechuang.core.models import User
    from kechuang.inbox.services import notify

    new_cases = list(Case.objects.filter(last_run=run, evidence_changed=False, enterprise__isnull=False)
                     .select_related("measure"))
    accounts = defaultdict(list)
    for u in User.objects.filter(role=Role.ENTERPRISE_USER, is_active=True,
                                 enterprise_id__in={c.enterprise_id for c in new_cases}):
        accounts[u.enterprise_id].append(u)
    told = 0
    for case in new_cases:
        if accounts.get(case.enterprise_id):
            notify(accounts[case.enterprise_id], f"免申即享新候选：{case.measure.title}",
                   f"经数据比对，贵企业{case.year}年度可能符合“{case.measure.title}”，科技局核实后将通知您确认。",
                   reverse("policies:case", args=[case.pk]), "notice", dedupe_key=f"case-{case.pk}-candidate")
            told += 1
    return told


def screen_enterprise(*, user, enterprise, year: int, reason: str) -> ScreeningRun | None:
    """免申即享 for one enterprise at once, after an event the platform itself recorded for it (e.g.
    a 揭榜挂帅 project passing 验收): the same screening as the yearly run, over this enterprise only,
    so its candidate case (with the measure's article and the evidence) appears without waiting for
    the bureau's next full run; that run later finds the case unchanged. Other enterprises' cases
    are not touched. ``reason`` (the event, in words) is shown with the run on the screening page.
    None when no policy is published yet (the event waits for the next run)."""
    from kechuang.enterprises.models import Enterprise

    require(user, "policies.screening.run")
    if not PolicyDocument.objects.filter(status="published", is_sandbox=False).exists():
        return None
    run = screening_run(user=user, year=int(year), enterprise_qs=Enterprise.objects.filter(pk=enterprise.pk),
                        enterprise=enterprise, reason=reason)
    notify_new_candidates(run)
    return run


# --- workflow -----------------------------------------------------------------------

def _save(case: Case, before: dict) -> None:
    """Save a workflow transition and log it (Case opts out of the automatic log)."""
    case.save()
    log_bulk(Case, "update", [case], before={case.pk: before})


def _save_on_behalf(case: Case, before: dict, auth, action: str, user=None) -> None:
    """Save a transition; when the bureau acts for the enterprise the change-log entry names the
    authorisation it rests on, and the authorisation is marked used."""
    if auth is None:
        _save(case, before)
        return
    from kechuang.core.changes import change_context

    with change_context(user=user, source=f"{action}（依据代办授权#{auth.pk}：{auth}）"):
        _save(case, before)
    _use(auth, action)


def credit_verdict(case: Case, on: dt.date):
    """The one credit check (:func:`kechuang.supervision.credit.check_credit`) for the payee of a case:
    the enterprise, or each of the subjects a referring module named (a commissioner by name, a
    legal-person commissioner as an institute); the first refusal wins."""
    if case.enterprise_id:
        return check_credit(decision=Decision.PAYMENT, on=on, enterprise=case.enterprise)
    verdict = None
    for subject in case.credit_subjects or [{"person_name": case.payee_name}]:
        verdict = check_credit(decision=Decision.PAYMENT, on=on, **subject)
        if not verdict.allowed:
            return verdict
    return verdict


#: who may be named as a credit subject by a referring module (keys of check_credit)
CREDIT_SUBJECT_KEYS = {"person_name", "institute", "uscc"}


@transaction.atomic
def case_refer(*, user, measure: Measure, year: int, payee_kind: str, payee_name: str, payee_ref: str,
               amount: Decimal, evidence: dict, credit_subjects: list[dict], payee_user=None,
               today: dt.date | None = None) -> tuple[Case, bool]:
    """A subsidy computed by another module (e.g. the 科技特派员后补助 from the yearly assessment)
    enters the redemption flow as a 候选 case: the same 核实 → 确认 → 公示 → 拨付 steps, the same
    credit check at 核实 and at 拨付. Idempotent per (payee, measure, year): a second referral of
    the same amount returns the case (``created`` False); a changed amount updates a case still 候选
    and is refused once the case has moved on. A refusal of the credit check on ``today`` is kept
    in the evidence (as screening does); 核实 then refuses it."""
    require(user, "policies.case.refer")
    if payee_kind not in Case.PayeeKind.values or payee_kind == Case.PayeeKind.ENTERPRISE:
        raise ValidationError("兑现对象类别：企业的案件由免申即享筛查生成")
    if not (payee_name or "").strip() or not (payee_ref or "").strip():
        raise ValidationError("兑现对象：必填")
    amount = Decimal(str(amount))
    if amount <= 0:
        raise ValidationError("金额：应大于 0 万元")
    subjects = []
    for sub in credit_subjects:
        clean = {k: str(v).strip() for k, v in sub.items() if k in CREDIT_SUBJECT_KEYS and str(v).strip()}
        if clean:
            subjects.append(clean)
    if not subjects:
        raise ValidationError("信用核查主体：至少一个（姓名或机构）")
    today = today or timezone.localdate()
    ev = dict(evidence)
    verdict = None
    for sub in subjects:
        verdict = check_credit(decision=Decision.PAYMENT, on=today, **sub)
        if not verdict.allowed:
            break
    if verdict is not None and not verdict.allowed:
        ev["credit"] = {"allowed": False, "message": verdict.message, "rule": verdict.rule,
                        "until": verdict.until.isoformat() if verdict.until else None}
    h = _hash(ev)
    case = Case.objects.select_for_update().filter(enterprise__isnull=True, payee_ref=payee_ref.strip(),
                                                   measure=measure, year=int(year)).first()
    if case is None:
        case = Case(payee_kind=payee_kind, payee_name=payee_name.strip(), payee_ref=payee_ref.strip(),
                    payee_user=payee_user, credit_subjects=subjects, measure=measure, year=int(year),
                    amount=amount, amount_max=amount, evidence=ev, evidence_hash=h)
        case.full_clean(exclude=["enterprise", "evidence_hash"])
        case.save()
        log_bulk(Case, "create", [case])
        return case, True
    if case.amount == amount and case.evidence_hash == h:
        return case, False
    if case.status != "candidate":
        raise ValidationError(f"该补助已在兑现流程中（{case.get_status_display()}），金额或依据不能再改")
    before = snapshot(case)
    case.amount = case.amount_max = amount
    case.evidence, case.evidence_hash, case.evidence_changed = ev, h, True
    case.payee_name, case.payee_user, case.credit_subjects = payee_name.strip(), payee_user, subjects
    _save(case, before)
    return case, False


def _transition(case: Case, allowed: tuple[str, ...], action: str) -> dict:
    """Check the transition is allowed; return the snapshot before it (for the change log)."""
    if case.paused:
        raise ValidationError(f"该案件有未处理的异议，已暂停，不能{action}")
    if case.status not in allowed:
        raise ValidationError(f"当前状态为“{case.get_status_display()}”，不能{action}")
    return snapshot(case)


@transaction.atomic
def case_verify(*, user, case: Case, approved_amount: Decimal | None = None, today: dt.date | None = None) -> Case:
    """科技局核实: candidate → verified; sets the confirmation deadline; the approved amount must lie in the measure's range."""
    require(user, "policies.case.verify", case)
    before = _transition(case, ("candidate",), "核实")
    today = today or timezone.localdate()
    verdict = credit_verdict(case, today)
    if not verdict.allowed:
        raise ValidationError(f"{verdict.message}依据：{verdict.rule}。请作出不予兑现决定。")
    if approved_amount is not None:
        approved_amount = Decimal(str(approved_amount))
        lo, hi = case.amount, case.amount_max
        if approved_amount < 0 or (hi is not None and approved_amount > hi) or (
                hi is not None and lo == hi and approved_amount != lo):
            rng = f"{lo}~{hi}" if hi is not None else f"≥{lo}"
            raise ValidationError(f"核定金额 {approved_amount} 万元超出本措施范围（{rng} 万元）")
    elif case.amount_max is None or case.amount != case.amount_max:
        raise ValidationError("本措施金额为区间或待核定，核实时须填写核定金额")
    case.approved_amount = approved_amount if approved_amount is not None else case.amount
    case.status = "verified"
    case.confirm_deadline = today + dt.timedelta(days=CONFIRM_DAYS)
    _save(case, before)
    return case




BANK_ACCOUNT = re.compile(r"^\d{8,30}$")

# --- 代办 (acting on the enterprise's behalf) ------------------------------------------

#: 授权书 scans: type by extension and first bytes, size limit
PROXY_LETTER_TYPES = {".pdf": (b"%PDF-",), ".ofd": (b"PK\x03\x04",), ".jpg": (b"\xff\xd8\xff",),
                      ".jpeg": (b"\xff\xd8\xff",), ".png": (b"\x89PNG\r\n\x1a\n",)}
PROXY_LETTER_MAX_BYTES = 10 * 1024 * 1024
PROXY_REQUEST_MIN_CHARS = 10
PROXY_REFUSAL = ("科技局代企业确认兑现意愿、填写收款账户或声明放弃，须先登记该企业的代办授权"
                 "（上传授权书或录入企业书面申请）。")


def _check_letter(upload) -> str:
    from pathlib import Path

    name = (getattr(upload, "name", "") or "").strip()
    if not name:
        raise ValidationError("授权书：请选择要上传的文件")
    suffix = Path(name).suffix.lower()
    if suffix not in PROXY_LETTER_TYPES:
        raise ValidationError(f"授权书“{name}”：类型 {suffix or '（无扩展名）'} 不允许，请上传 PDF、OFD、JPG 或 PNG")
    size = upload.size or 0
    if size == 0:
        raise ValidationError(f"授权书“{name}”：文件为空")
    if size > PROXY_LETTER_MAX_BYTES:
        raise ValidationError(f"授权书“{name}”：超过 {PROXY_LETTER_MAX_BYTES // 1024 // 1024} MB")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in PROXY_LETTER_TYPES[suffix]):
        raise ValidationError(f"授权书“{name}”：文件内容与扩展名 {suffix} 不符")
    return name[:200]


@transaction.atomic
def case_proxy_authorize(*, user, case: Case, kind: str, signed_by: str, letter=None,
                         request_text: str = "") -> ProxyAuthorization:
    """Record the enterprise's 代办 authorisation on ``case``: an uploaded 授权书 (``kind="letter"``)
    or the text of its written request (``kind="request"``), with who signed it. The enterprise
    itself or the 科技局 (entering a paper letter) records it; it is change-logged and shown in
    the case's 办理记录."""
    require(user, "policies.case.proxy_authorize", case)
    if case.status in ("paid", "rejected", "waived"):
        raise ValidationError(f"案件已“{case.get_status_display()}”，不再需要代办授权")
    signed_by = (signed_by or "").strip()
    if not signed_by:
        raise ValidationError("企业签署人：必填（法定代表人或其授权的经办人姓名）")
    if len(signed_by) > 60:
        raise ValidationError("企业签署人：不超过 60 字")
    auth = ProxyAuthorization(case=case, kind=kind, signed_by=signed_by, recorded_by=account(user),
                              recorded_at=timezone.now())
    if kind == ProxyAuthorization.Kind.LETTER:
        if letter is None:
            raise ValidationError("授权书：请上传企业签章的授权书扫描件")
        auth.letter_name = _check_letter(letter)
        auth.letter = letter
    elif kind == ProxyAuthorization.Kind.REQUEST:
        text = (request_text or "").strip()
        if len(text) < PROXY_REQUEST_MIN_CHARS:
            raise ValidationError(f"书面申请内容：至少 {PROXY_REQUEST_MIN_CHARS} 个字，写明委托科技局代办的事项")
        if len(text) > 5000:
            raise ValidationError("书面申请内容：不超过 5000 字")
        auth.request_text = text
    else:
        raise ValidationError("授权方式：应为“授权书”或“企业书面申请”")
    auth.save()
    return auth


def _on_behalf(user, case: Case, permission: str, action: str) -> ProxyAuthorization | None:
    """The bureau acting for the enterprise needs a recorded authorisation; returns it (None when the
    enterprise acts itself or a command does)."""
    require(user, permission, case)
    if getattr(user, "role", "") != Role.BUREAU_STAFF:
        return None
    auth = case.proxy_authorizations.filter(used_at__isnull=True).order_by("recorded_at", "id").first()
    if auth is None:
        raise PermissionRefused(permission, PROXY_REFUSAL)
    return auth


def _use(auth: ProxyAuthorization | None, action: str) -> None:
    if auth is not None:
        auth.used_for, auth.used_at = action, timezone.now()
        auth.save(update_fields=["used_for", "used_at"])


def _clean_account(account: str) -> str:
    return re.sub(r"[\s-]", "", account or "")


@transaction.atomic
def case_confirm(*, user, case: Case, bank_account: str, bank_name: str, today: dt.date | None = None) -> Case:
    """企业意愿确认 before the deadline, giving the receiving bank account: verified → confirmed."""
    auth = _on_behalf(user, case, "policies.case.confirm", "确认")
    before = _transition(case, ("verified",), "确认")
    today = today or timezone.localdate()
    if case.confirm_deadline and today > case.confirm_deadline:
        raise ValidationError(f"已超过确认截止日 {case.confirm_deadline}，视为放弃")
    account = _clean_account(bank_account)
    if not BANK_ACCOUNT.match(account):
        raise ValidationError("收款账户：应为 8~30 位数字")
    if not (bank_name or "").strip():
        raise ValidationError("开户行：必填")
    case.bank_account, case.bank_name = account, bank_name.strip()
    case.status = "confirmed"
    _save_on_behalf(case, before, auth, "代办确认并填写收款账户", user)
    return case


@transaction.atomic
def case_waive(*, user, case: Case, reason: str = "") -> Case:
    """企业放弃声明: verified → waived."""
    auth = _on_behalf(user, case, "policies.case.waive", "放弃")
    before = _transition(case, ("verified",), "放弃")
    case.status = "waived"
    case.reason = reason or "企业声明放弃"
    _save_on_behalf(case, before, auth, "代办放弃声明", user)
    return case


@transaction.atomic
def cases_expire_silence(*, user, today: dt.date | None = None) -> int:
    """Verified cases past their confirmation deadline count as given up (逾期未确认视为放弃)."""
    require(user, "policies.case.expire")
    today = today or timezone.localdate()
    n = 0
    for case in Case.objects.filter(status="verified", paused=False, confirm_deadline__lt=today):
        before = snapshot(case)
        case.status = "waived"
        case.reason = f"逾期未确认（截止 {case.confirm_deadline}），视为放弃"
        _save(case, before)
        n += 1
    return n


@transaction.atomic
def case_publicize(*, user, case: Case, today: dt.date | None = None) -> Case:
    """科技局公示: confirmed → publicized (the 公示 page shows the clause, the data used and the result)."""
    require(user, "policies.case.publicize", case)
    before = _transition(case, ("confirmed",), "公示")
    case.status = "publicized"
    case.publicized_on = today or timezone.localdate()
    _save(case, before)
    return case


@transaction.atomic
def case_disburse(*, user, case: Case, today: dt.date | None = None) -> Case:
    """财政拨付 after the 公示期: the one credit check (:func:`kechuang.supervision.credit.check_credit`,
    一票否决 → 不予兑现) and the bank-account check first."""
    require(user, "policies.case.disburse", case)
    before = _transition(case, ("publicized",), "拨付")
    today = today or timezone.localdate()
    if case.publicized_on and today < case.publicized_on + dt.timedelta(days=PUBLICITY_DAYS):
        raise ValidationError(f"公示期未满（{case.publicized_on} 起 {PUBLICITY_DAYS} 天）")
    verdict = credit_verdict(case, today)
    if not verdict.allowed:
        case.status = "rejected"
        case.reason = f"{verdict.message}依据：{verdict.rule}。不予兑现"
        _save(case, before)
        return case
    if not BANK_ACCOUNT.match(case.bank_account or "") or not case.bank_name:
        raise ValidationError("收款账户核验未通过：账户应为 8~30 位数字且填写开户行")
    case.status = "paid"
    case.paid_on = today
    _save(case, before)
    return case


@transaction.atomic
def case_reject(*, user, case: Case, reason: str) -> Case:
    """不予兑现 with a reason (科技局 before 公示, or 财政 at payment)."""
    require(user, "policies.case.reject", case)
    before = _transition(case, ("candidate", "verified", "confirmed", "publicized"), "作出不予兑现决定")
    if not (reason or "").strip():
        raise ValidationError("不予兑现原因：必填")
    case.status = "rejected"
    case.reason = reason.strip()
    _save(case, before)
    return case


@transaction.atomic
def dispute_raise(*, user, case: Case, text: str) -> Dispute:
    """企业对所用数据提出异议: the case pauses until the bureau resolves it."""
    require(user, "policies.dispute.raise", case)
    if case.status in ("paid", "rejected", "waived"):
        raise ValidationError(f"案件已“{case.get_status_display()}”，不能再提出异议")
    if not (text or "").strip():
        raise ValidationError("异议内容：必填")
    d = Dispute.objects.create(case=case, raised_by=account(user), text=text.strip())
    before = snapshot(case)
    case.paused = True
    _save(case, before)
    return d


@transaction.atomic
def dispute_resolve(*, user, dispute: Dispute, resolution: str) -> Dispute:
    """科技局处理异议; the case resumes when no dispute is open."""
    require(user, "policies.dispute.resolve", dispute.case)
    if dispute.resolved:
        raise ValidationError("该异议已处理")
    if not (resolution or "").strip():
        raise ValidationError("处理意见：必填")
    dispute.resolved, dispute.resolution = True, resolution.strip()
    dispute.resolved_by, dispute.resolved_at = account(user), timezone.now()
    dispute.save()
    case = dispute.case
    if not case.disputes.filter(resolved=False).exists():
        before = snapshot(case)
        case.paused = False
        _save(case, before)
    return dispute


# --- 政策沙盘 -------------------------------------------------------------------------

@transaction.atomic
def sandbox_draft_create(*, user, policy: PolicyDocument) -> PolicyDocument:
    """Copy a policy as a sandbox draft (never published, never used by real results)."""
    require(user, "policies.sandbox.edit")
    n = PolicyDocument.objects.filter(based_on=policy, is_sandbox=True).count() + 1
    draft = PolicyDocument.objects.create(
        code=f"{policy.code}-sandbox-{n}-{int(time.time())}", doc_no=f"{policy.doc_no}（沙盘草稿{n}）",
        title=policy.title, issuer=policy.issuer, level=policy.level, region=policy.region,
        effective=policy.effective, expiry=policy.expiry, status="draft", stacking_principle=policy.stacking_principle,
        source=policy.source, parameters=policy.parameters, review={}, is_sandbox=True, based_on=policy)
    for m in policy.measures.all():
        Measure.objects.create(policy=draft, code=m.code, order=m.order, article=m.article, title=m.title,
                               text=m.text, citation=m.citation, kind=m.kind, spec=m.spec,
                               lead_units=m.lead_units, responsible_units=m.responsible_units)
    return draft


@transaction.atomic
def sandbox_measure_update(*, user, measure: Measure, amount=None, line=None, maximum=None) -> Measure:
    """Change a draft measure's fixed amount, revenue line or upper bound (validated through the engine)."""
    require(user, "policies.sandbox.edit")
    if not measure.policy.is_sandbox:
        raise PermissionRefused("policies.sandbox.edit", "只能修改沙盘草稿中的措施，不能修改正式政策。")
    spec = json.loads(json.dumps(measure.spec))
    benefit = spec.get("benefit", {})
    if amount is not None:
        if benefit.get("kind") != "fixed":
            raise ValidationError("金额：该措施不是定额奖励")
        benefit["amount"] = str(Decimal(str(amount)))
    if maximum is not None:
        if "max" not in benefit:
            raise ValidationError("最高金额：该措施没有上限")
        benefit["max"] = str(Decimal(str(maximum)))
    if line is not None:
        trig = spec.get("trigger", {}).get("revenue_first_above")
        if not trig:
            raise ValidationError("营业收入线：该措施没有营业收入门槛")
        trig["line"] = str(Decimal(str(line)))
    measure.spec = spec
    from .engine.errors import PolicyDataError
    from .engine.model import measure_from_dict
    try:
        measure_from_dict(measure.to_dict(), "sandbox", measure.policy.code)
    except PolicyDataError as exc:
        raise ValidationError(str(exc)) from None
    measure.save()
    return measure


# --- editing policies (科技局) ----------------------------------------------------------

POLICY_TRANSITIONS = {"draft": ("review",), "review": ("draft", "published"), "published": ("expired",),
                      "expired": ("published",)}


@transaction.atomic
def policy_set_status(*, user, policy: PolicyDocument, status: str) -> PolicyDocument:
    """Lifecycle draft → review → published → expired (change-logged); sandbox drafts are never published."""
    require(user, "policies.policy.edit")
    if status not in POLICY_TRANSITIONS.get(policy.status, ()):
        raise ValidationError(f"不能从“{policy.get_status_display()}”改为“{dict(PolicyDocument.Status.choices).get(status, status)}”")
    if policy.is_sandbox and status in ("review", "published"):
        raise ValidationError("沙盘草稿不能送审或发布")
    if status == "published":
        policy.to_engine()  # validates every measure
    policy.status = status
    policy.save()
    return policy


@transaction.atomic
def measure_update(*, user, measure: Measure, title: str, text: str, citation: str, spec_yaml: str) -> Measure:
    """Edit a measure (title, original text, citation and its rule as YAML), validated by the engine first."""
    import yaml

    from .engine.errors import PolicyDataError
    from .engine.model import measure_from_dict

    require(user, "policies.policy.edit")
    try:
        spec = yaml.safe_load(spec_yaml) or {}
    except yaml.YAMLError as exc:
        raise ValidationError(f"规则：YAML 格式错误（{exc}）") from None
    if not isinstance(spec, dict):
        raise ValidationError("规则：应为映射（trigger、benefit、stacking …）")
    for key in ("id", "article", "title", "text", "citation", "kind", "lead_units", "responsible_units"):
        spec.pop(key, None)
    candidate = {"id": measure.code, "article": measure.article, "title": title.strip(), "text": text,
                 "citation": citation.strip(), "kind": measure.kind, **spec}
    try:
        measure_from_dict(candidate, "measure", measure.policy.code)
    except PolicyDataError as exc:
        raise ValidationError(f"规则有误：{exc}") from None
    from .reference import _jsonable

    measure.title, measure.text, measure.citation = title.strip(), text, citation.strip()
    measure.spec = _jsonable(spec)
    measure.save()
    return measure
