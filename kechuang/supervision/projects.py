"""科技计划项目 services: the lifecycle from call to closure.

States and transitions are declared once in ``TRANSITIONS`` (name → sources, target, permission,
Chinese label); every transition service goes through :func:`_move`, which checks the permission
(with row scope), the source state, and lets the change log record the write. The page shows only
the transitions :func:`allowed_transitions` gives.

    填报中 draft ─提交 submit─▶ 已提交 submitted ─形式审查通过─▶ 专家评审中 review ─立项─▶ 实施中 in_progress
                                 └─形式审查不通过─▶ 未立项 rejected ◀─不予立项─┘
    in_progress ─验收通过─▶ 已结题 completed;  ─终止 (宽容失败: 勤勉尽责 → no credit penalty)─▶ 已终止
    in_progress / completed ─撤销─▶ 已撤销 revoked

Seed 004 第三章 二: 科研诚信承诺制 (a submission needs the signed 承诺书), "信用承诺+容缺办理" (missing
documents under a signed promise with a due date), 勤勉尽责与宽容失败; 一票否决 through
:func:`kechuang.supervision.credit.check_credit` at 揭榜申报, 立项, 专家入库 and 拨付. Seed 001 (二):
揭榜挂帅 projects are paid 50–200 万 after passing acceptance — 验收 of a challenge project records
the policy event ``challenge_project_accepted`` with ``subsidy`` that the 免申即享 screening pays on.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.permissions import can, require
from kechuang.core.roles import Role
from kechuang.supervision.credit import check_credit
from kechuang.supervision.models import (
    Call,
    ChangeRequest,
    Decision,
    Draw,
    DrawPurpose,
    Expert,
    ExpertConflict,
    Instalment,
    MissingDocument,
    PlanCategory,
    Project,
    ProjectStatus,
    ReviewAssignment,
    id_number_digest,
)

S = ProjectStatus
#: 近三年合作 counts as a conflict of interest (review systems' common rule)
COLLABORATION_YEARS = 3
#: 立项公示 in working days before the first payment (待核实: the city's own rule is not in our texts)
APPROVAL_PUBLICITY_WORKING_DAYS = 5
#: a 一般 credit record for a project terminated without 勤勉尽责, in years (待核实)
NON_DILIGENT_RESTRICTION_YEARS = 3


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    permission: str
    label: str


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition((S.DRAFT,), S.SUBMITTED, "supervision.project.apply", "提交申报"),
    "formal_pass": Transition((S.SUBMITTED,), S.REVIEW, "supervision.project.manage", "形式审查通过"),
    "formal_fail": Transition((S.SUBMITTED,), S.REJECTED, "supervision.project.manage", "形式审查不通过"),
    "approve": Transition((S.REVIEW,), S.IN_PROGRESS, "supervision.project.manage", "立项"),
    "decline": Transition((S.REVIEW,), S.REJECTED, "supervision.project.manage", "不予立项"),
    "midterm": Transition((S.IN_PROGRESS,), S.IN_PROGRESS, "supervision.project.manage", "中期检查"),
    "accept": Transition((S.IN_PROGRESS,), S.COMPLETED, "supervision.project.manage", "验收通过，结题"),
    "terminate": Transition((S.IN_PROGRESS,), S.TERMINATED, "supervision.project.manage", "终止"),
    "revoke": Transition((S.IN_PROGRESS, S.COMPLETED), S.REVOKED, "supervision.project.manage", "撤销"),
}


def allowed_transitions(user, project: Project) -> list[tuple[str, str]]:
    """(name, label) of the transitions ``user`` may take on ``project`` now."""
    return [(n, t.label) for n, t in TRANSITIONS.items()
            if project.status in t.sources and can(user, t.permission, project)]


def _move(user, project: Project, name: str) -> Project:
    t = TRANSITIONS[name]
    require(user, t.permission, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status not in t.sources:
        raise ValidationError(f"项目当前为“{project.get_status_display()}”，不能{t.label}")
    project.status = t.target
    return project


def _required(value, label: str):
    if isinstance(value, str):
        value = value.strip()
    if value in (None, ""):
        raise ValidationError(f"{label}：必填")
    return value


def _calendar():
    from kechuang.techmarket.workdays import shipped_calendar

    return shipped_calendar()


def _refuse_on_credit(verdict) -> None:
    if not verdict.allowed:
        raise ValidationError(f"{verdict.message}依据：{verdict.rule}。")


# --- plan categories, calls, experts -----------------------------------------------------------

@transaction.atomic
def category_create(*, user, code: str, name: str, description: str = "", is_demo: bool = False) -> PlanCategory:
    """计划类别 as data."""
    require(user, "supervision.call.manage")
    _required(code, "类别代码")
    _required(name, "计划类别")
    if PlanCategory.objects.filter(code=code.strip()).exists():
        raise ValidationError(f"类别代码：{code} 已存在")
    return PlanCategory.objects.create(code=code.strip(), name=name.strip(), description=description, is_demo=is_demo)


@transaction.atomic
def call_create(*, user, category: PlanCategory, year: int, title: str, opens_on: dt.date, closes_on: dt.date,
                max_amount, experts_per_project: int = 3, guide: str = "", required_documents=(),
                challenge=None, is_demo: bool = False) -> Call:
    """申报指南. With ``challenge`` (a 揭榜挂帅 榜单) the call turns that challenge into projects."""
    require(user, "supervision.call.manage")
    _required(title, "指南名称")
    if closes_on < opens_on:
        raise ValidationError("申报截止：不能早于申报开始")
    max_amount = Decimal(str(max_amount))
    if not (0 <= max_amount <= 100_000):
        raise ValidationError("单项资助上限：应在 0~100000 万元之间")
    if not (3 <= int(experts_per_project) <= 15):
        raise ValidationError("每项评审专家数：应为 3~15 名")
    if challenge is not None and Call.objects.filter(challenge=challenge).exists():
        raise ValidationError("该揭榜挂帅榜单已有申报指南")
    return Call.objects.create(category=category, year=year, title=title.strip(), opens_on=opens_on,
                               closes_on=closes_on, max_amount=max_amount,
                               experts_per_project=int(experts_per_project), guide=guide,
                               required_documents=list(required_documents), challenge=challenge, is_demo=is_demo)


@transaction.atomic
def expert_admit(*, user, name: str, unit: str, field: str = "", title: str = "", account=None,
                 person_id_number: str = "", today: dt.date | None = None, is_demo: bool = False) -> Expert:
    """专家入库, after the one credit check (decision 专家入库) on the person."""
    require(user, "supervision.expert.manage")
    _required(name, "姓名")
    _required(unit, "工作单位")
    today = today or timezone.localdate()
    if account is not None and getattr(account, "role", "") != Role.EXPERT:
        raise ValidationError("系统账户：应为“评审专家”角色的账户")
    kw = {"person_id_number": person_id_number} if person_id_number else {"person_name": name}
    _refuse_on_credit(check_credit(decision=Decision.EXPERT_ADMISSION, on=today, **kw))
    return Expert.objects.create(name=name.strip(), unit=unit.strip(), field=field, title=title, account=account,
                                 person_id_digest=id_number_digest(person_id_number) if person_id_number else "",
                                 admitted_on=today, is_demo=is_demo)


@transaction.atomic
def expert_conflict_add(*, user, expert: Expert, unit: str, kind: str, year: int | None = None,
                        reason: str = "") -> ExpertConflict:
    """An expert's declared conflict or collaboration (with its year) with a unit."""
    require(user, "supervision.expert.manage")
    _required(unit, "单位")
    if kind not in ExpertConflict.Kind.values:
        raise ValidationError("类型：应为本人申报的利益关系或近三年合作")
    if kind == ExpertConflict.Kind.COLLABORATION and not year:
        raise ValidationError("合作年份：近三年合作须填写年份")
    return ExpertConflict.objects.create(expert=expert, unit=unit.strip(), kind=kind, year=year, reason=reason)


# --- application ----------------------------------------------------------------------------

@transaction.atomic
def project_create(*, user, call: Call, applicant, title: str, pi_name: str, requested_amount,
                   co_applicants=(), summary: str = "", is_demo: bool = False) -> Project:
    """填报 an application (draft) for ``applicant`` — an enterprise user only for its own enterprise."""
    require(user, "supervision.project.apply", applicant)
    _required(title, "项目名称")
    _required(pi_name, "项目负责人")
    amount = Decimal(str(requested_amount))
    if amount < 0 or amount > call.max_amount:
        raise ValidationError(f"申请资助：应在 0~{call.max_amount.normalize():f} 万元之间（指南上限）")
    return Project.objects.create(call=call, applicant=applicant, title=title.strip(), pi_name=pi_name.strip(),
                                  requested_amount=amount, co_applicants=[c.strip() for c in co_applicants if c.strip()],
                                  summary=summary, is_demo=is_demo)


@transaction.atomic
def project_submit(*, user, project: Project, integrity_promise: bool, credit_promise: bool = False,
                   missing=(), today: dt.date | None = None) -> Project:
    """提交: within the call's window, with the signed 科研诚信承诺书; missing documents only under a
    signed 信用承诺 with a due date (容缺办理). A 揭榜挂帅 call asks the credit check (揭榜申报)."""
    today = today or timezone.localdate()
    project = _move(user, project, "submit")
    call = project.call
    if not (call.opens_on <= today <= call.closes_on):
        raise ValidationError(f"不在申报期内（{call.opens_on} 至 {call.closes_on}）")
    if not integrity_promise:
        raise ValidationError("科研诚信承诺书：提交申报须签署")
    missing = [(n.strip(), d) for n, d in missing if n and n.strip()]
    if missing and not credit_promise:
        raise ValidationError("信用承诺：有容缺材料时须签署信用承诺")
    for name, due in missing:
        if due is None or due <= today:
            raise ValidationError(f"容缺材料“{name}”：承诺补交期限应晚于今天")
    if call.challenge_id:
        _refuse_on_credit(check_credit(decision=Decision.CHALLENGE_APPLICATION, on=today,
                                       enterprise=project.applicant, person_name=project.pi_name))
    project.integrity_promise, project.credit_promise = True, bool(credit_promise)
    project.submitted_on = today
    project.save()
    for name, due in missing:
        MissingDocument.objects.create(project=project, name=name, due_on=due)
    return project


@transaction.atomic
def document_submitted(*, user, document: MissingDocument, on: dt.date | None = None) -> MissingDocument:
    """补交 a 容缺 document."""
    require(user, "supervision.project.apply", document.project)
    document.submitted_on = on or timezone.localdate()
    document.save()
    return document


@transaction.atomic
def project_formal_review(*, user, project: Project, passed: bool, note: str = "",
                          today: dt.date | None = None) -> Project:
    """形式审查. It cannot pass while a 容缺 document is overdue."""
    today = today or timezone.localdate()
    project = _move(user, project, "formal_pass" if passed else "formal_fail")
    if passed:
        overdue = project.missing_documents.filter(submitted_on__isnull=True, due_on__lt=today).first()
        if overdue is not None:
            raise ValidationError(f"容缺材料“{overdue.name}”逾期未补交（承诺 {overdue.due_on}），形式审查不能通过")
    elif not (note or "").strip():
        raise ValidationError("形式审查意见：不通过时必填")
    project.formal_note = (note or "").strip()
    project.save()
    return project


# --- expert review ----------------------------------------------------------------------------

def review_rosters(projects, experts, year: int) -> tuple[list, list, list]:
    """Roster rows of a review draw: objects = applications (unit = applicant's name), inspectors
    = experts (unit = employer), conflicts = co-applicants, declared ties and collaborations within
    3 years (same unit is excluded by the draw itself)."""
    objs = [[f"project:{p.pk}", p.title, p.applicant.name] for p in projects]
    insp = [[f"expert:{e.pk}", e.name, e.unit] for e in experts]
    ties: dict[int, list[ExpertConflict]] = {}
    for c in ExpertConflict.objects.filter(expert__in=experts):
        ties.setdefault(c.expert_id, []).append(c)
    conflicts = []
    for p in projects:
        units = {p.applicant.name, *p.co_applicants}
        for e in experts:
            if e.unit in p.co_applicants:
                conflicts.append([f"expert:{e.pk}", f"project:{p.pk}", "合作单位（共同申报）"])
                continue
            for c in ties.get(e.pk, []):
                if c.unit in units and (c.kind == ExpertConflict.Kind.DECLARED
                                        or (c.year or 0) >= year - COLLABORATION_YEARS):
                    conflicts.append([f"expert:{e.pk}", f"project:{p.pk}", c.get_kind_display()])
                    break
    return objs, insp, conflicts


@transaction.atomic
def review_draw(*, user, call: Call, seed: str, seed_source: str, today: dt.date | None = None) -> Draw:
    """Draw ``call.experts_per_project`` experts for every application under review of ``call``
    without a draw yet, with the 双随机 algorithm (ratio 1: every application), and assign them."""
    from kechuang.supervision import services

    require(user, "supervision.project.manage")
    today = today or timezone.localdate()
    projects = list(Project.objects.filter(call=call, status=S.REVIEW, review_draw__isnull=True)
                    .select_related("applicant").order_by("pk"))
    if not projects:
        raise ValidationError("该指南没有待抽取专家的项目")
    experts = list(Expert.objects.filter(active=True))
    objs, insp, conf = review_rosters(projects, experts, today.year)
    d = services.draw_announce(user=user, title=f"{call.title} 评审专家抽取", seed_source=seed_source,
                               announced_on=today, draw_on=today, purpose=DrawPurpose.REVIEW, ratio="1",
                               per_object=call.experts_per_project, is_demo=call.is_demo)
    d = services.draw_run(user=user, draw_row=d, seed=seed, today=today, objects=objs, inspectors=insp,
                          conflicts=conf)
    by_pk = {f"project:{p.pk}": p for p in projects}
    for item in d.result["drawn"]:
        p = by_pk[item["object"]]
        for eid in item["inspectors"]:
            ReviewAssignment.objects.create(project=p, expert_id=int(eid.split(":")[1]))
        p.review_draw = d
        p.save()
    return d


@transaction.atomic
def review_submit(*, user, assignment: ReviewAssignment, score, comment: str,
                  today: dt.date | None = None) -> ReviewAssignment:
    """An expert scores an application assigned to them (0–100) with a comment."""
    require(user, "supervision.review.score")
    if not ReviewAssignment.objects.restrict(user, "change").filter(pk=assignment.pk).exists():
        raise ValidationError("该评审任务不属于您")
    if assignment.project.status != S.REVIEW:
        raise ValidationError("项目不在专家评审阶段")
    score = Decimal(str(score))
    if not (0 <= score <= 100):
        raise ValidationError("评分：应在 0~100 之间")
    assignment.score, assignment.comment = score, _required(comment, "评审意见")
    assignment.submitted_on = today or timezone.localdate()
    assignment.save()
    return assignment


@transaction.atomic
def review_rank(*, user, call: Call) -> list[Project]:
    """Average score and rank of every application of ``call`` whose reviews are all in."""
    require(user, "supervision.project.manage")
    ranked = []
    for p in Project.objects.filter(call=call, status=S.REVIEW).prefetch_related("reviews"):
        scores = [r.score for r in p.reviews.all()]
        if scores and all(s is not None for s in scores):
            p.score = (sum(scores) / len(scores)).quantize(Decimal("0.01"))
            ranked.append(p)
    ranked.sort(key=lambda p: (-p.score, p.pk))
    for i, p in enumerate(ranked, start=1):
        p.rank = i
        p.save()
    return ranked


# --- 立项, 拨款, 中期, 变更 --------------------------------------------------------------------

@transaction.atomic
def project_approve(*, user, project: Project, approved_amount, goals: str, indicators, budget_lines,
                    start_on: dt.date, end_on: dt.date, instalments, lump_sum: bool = False,
                    challenge_subsidy=None, today: dt.date | None = None) -> Project:
    """立项 with the 任务书 (goals, indicators, budget lines, 包干制), instalments summing to the
    approved amount, and 公示; the one credit check (立项) on the applicant and the PI first."""
    today = today or timezone.localdate()
    project = _move(user, project, "approve")
    _refuse_on_credit(check_credit(decision=Decision.PROJECT_APPROVAL, on=today, enterprise=project.applicant,
                                   person_name=project.pi_name))
    if project.score is None:
        raise ValidationError("评审得分：专家评审完成并排名后才能立项")
    amount = Decimal(str(approved_amount))
    if amount < 0 or amount > project.call.max_amount:
        raise ValidationError(f"立项资助：应在 0~{project.call.max_amount.normalize():f} 万元之间")
    _required(goals, "任务目标")
    if not indicators:
        raise ValidationError("考核指标：至少一项")
    if end_on <= start_on:
        raise ValidationError("实施结束：应晚于实施开始")
    plan = [(Decimal(str(a)), d) for a, d in instalments]
    if sum((a for a, _ in plan), Decimal(0)) != amount:
        raise ValidationError(f"拨款计划：各期合计应等于立项资助 {amount.normalize():f} 万元")
    if project.call.challenge_id:
        if challenge_subsidy is None or not (50 <= Decimal(str(challenge_subsidy)) <= 200):
            raise ValidationError("揭榜挂帅补助：应在 50~200 万元之间（南政规〔2025〕2号 一、（二））")
        project.challenge_subsidy = Decimal(str(challenge_subsidy))
    project.approved_amount, project.goals = amount, goals.strip()
    project.indicators, project.budget_lines, project.lump_sum = list(indicators), list(budget_lines), lump_sum
    project.start_on, project.end_on, project.approved_on = start_on, end_on, today
    project.midterm_due = start_on + (end_on - start_on) / 2
    project.publicity_ends_on = _calendar().add_working_days(today, APPROVAL_PUBLICITY_WORKING_DAYS)
    project.save()
    for seq, (a, d) in enumerate(plan, start=1):
        Instalment.objects.create(project=project, seq=seq, amount=a, planned_on=d)
    if project.call.challenge_id:
        ch = project.call.challenge
        ch.status = "awarded"
        ch.save()
    return project


@transaction.atomic
def project_decline(*, user, project: Project, note: str) -> Project:
    project = _move(user, project, "decline")
    project.closing_note = _required(note, "不予立项理由")
    project.save()
    return project


@transaction.atomic
def instalment_pay(*, user, instalment: Instalment, today: dt.date | None = None) -> Instalment:
    """拨款 of one instalment: after the 立项公示, in order, and only when the credit check (拨付) passes."""
    require(user, "supervision.project.pay")
    today = today or timezone.localdate()
    instalment = Instalment.objects.select_for_update().get(pk=instalment.pk)
    project = instalment.project
    if project.status not in (S.IN_PROGRESS, S.COMPLETED):
        raise ValidationError(f"项目当前为“{project.get_status_display()}”，不能拨款")
    if instalment.paid_on:
        raise ValidationError("该期已拨付")
    if project.publicity_ends_on and today <= project.publicity_ends_on:
        raise ValidationError(f"立项公示期未满（至 {project.publicity_ends_on}）")
    if project.instalments.filter(seq__lt=instalment.seq, paid_on__isnull=True).exists():
        raise ValidationError("前一期尚未拨付")
    _refuse_on_credit(check_credit(decision=Decision.PAYMENT, on=today, enterprise=project.applicant,
                                   person_name=project.pi_name))
    instalment.paid_on = today
    instalment.save()
    return instalment


@transaction.atomic
def project_midterm(*, user, project: Project, on: dt.date, conclusion: str) -> Project:
    """中期检查 with its conclusion."""
    project = _move(user, project, "midterm")
    project.midterm_on, project.midterm_conclusion = on, _required(conclusion, "中期检查结论")
    project.save()
    return project


@transaction.atomic
def change_request(*, user, project: Project, kind: str, new_value: str, reason: str) -> ChangeRequest:
    """变更申请 (负责人、实施期限 as YYYY-MM-DD, 预算) by the applicant, while in implementation."""
    require(user, "supervision.project.apply", project)
    if project.status != S.IN_PROGRESS:
        raise ValidationError("只有实施中的项目可以申请变更")
    if kind not in ChangeRequest.Kind.values:
        raise ValidationError("变更事项：应为项目负责人、实施期限或预算调整")
    _required(new_value, "变更为")
    _required(reason, "理由")
    if kind == ChangeRequest.Kind.PERIOD:
        try:
            new_end = dt.date.fromisoformat(new_value.strip())
        except ValueError:
            raise ValidationError("变更为：实施期限应为日期（YYYY-MM-DD）") from None
        if new_end <= project.start_on:
            raise ValidationError("变更为：新的结束日期应晚于实施开始")
    return ChangeRequest.objects.create(project=project, kind=kind, new_value=new_value.strip(), reason=reason.strip())


@transaction.atomic
def change_decide(*, user, change: ChangeRequest, approve: bool, note: str = "",
                  today: dt.date | None = None) -> ChangeRequest:
    """审批变更; an approved change of PI or period is applied to the project."""
    require(user, "supervision.project.manage", change.project)
    if change.status != ChangeRequest.Status.PENDING:
        raise ValidationError("该变更已审批")
    change.status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.REFUSED
    change.decided_on, change.decision_note = today or timezone.localdate(), note
    change.save()
    if approve:
        p = change.project
        if change.kind == ChangeRequest.Kind.PI:
            p.pi_name = change.new_value
        elif change.kind == ChangeRequest.Kind.PERIOD:
            p.end_on = dt.date.fromisoformat(change.new_value)
        else:
            p.budget_lines = [*p.budget_lines, {"item": "预算调整", "note": change.new_value}]
        p.save()
    return change


# --- 验收, 终止, 撤销 ------------------------------------------------------------------------

@transaction.atomic
def project_accept(*, user, project: Project, indicators_met: bool, audit_passed: bool, note: str,
                   today: dt.date | None = None) -> Project:
    """验收: indicators met and the financial audit passed → 结题. A 揭榜挂帅 project's acceptance
    records the policy event ``challenge_project_accepted`` (subsidy 50–200 万) for the applicant
    and screens that enterprise at once (``policies.services.screen_enterprise``), so the reward's
    免申即享 candidate case, cited to 南政规〔2025〕2号 一、（二）, is there the same day and goes the
    redemption flow (核实 with the credit check → 确认 → 公示 → 拨付). Otherwise use
    :func:`project_terminate`."""
    today = today or timezone.localdate()
    if not (indicators_met and audit_passed):
        raise ValidationError("验收未通过（考核指标未完成或财务审计未通过）：请作出终止决定并认定是否勤勉尽责")
    project = _move(user, project, "accept")
    project.indicators_met, project.audit_passed = True, True
    project.closing_note, project.closed_on = _required(note, "验收意见"), today
    project.save()
    if project.call.challenge_id:
        from kechuang.core.permissions import system_actor
        from kechuang.policies.services import policy_event_record, screen_enterprise

        ch = project.call.challenge
        ch.status = "accepted"
        ch.save()
        actor = system_actor("supervision:project_accept")
        policy_event_record(user=actor, enterprise=project.applicant,
                            kind="challenge_project_accepted", date=today.isoformat(),
                            fields={"subsidy": format(project.challenge_subsidy.normalize(), "f")},
                            source=f"科技计划项目验收：{project.title}（项目编号 {project.pk}）")
        # 免申即享 at once for this enterprise: the reward's candidate case, cited to its article
        screen_enterprise(user=actor, enterprise=project.applicant, year=today.year,
                          reason=f"揭榜挂帅项目「{project.title}」（项目编号 {project.pk}）验收通过，即时筛查该企业")
    return project


def challenge_reward_cases(user, project: Project):
    """The 免申即享 cases (as far as ``user`` may see them) of the 揭榜挂帅 reward that ``project``'s
    acceptance gave rise to: the applicant's cases, in the acceptance year, of measures triggered
    by the event ``challenge_project_accepted``."""
    from kechuang.policies.models import Case

    if not (project.call.challenge_id and project.status == S.COMPLETED and project.closed_on):
        return Case.objects.none()
    return (Case.objects.restrict(user, "view")
            .filter(enterprise_id=project.applicant_id, year=project.closed_on.year,
                    measure__spec__trigger__event="challenge_project_accepted")
            .select_related("measure__policy"))


@transaction.atomic
def project_terminate(*, user, project: Project, reason: str, diligent: bool, indicators_met: bool | None = None,
                      audit_passed: bool | None = None, today: dt.date | None = None) -> Project:
    """终止 (including a failed acceptance). 宽容失败: when the review finds the team 勤勉尽责 there is
    no credit penalty; otherwise a 一般 credit record restricts 立项 and 揭榜申报 for 3 years (待核实)."""
    from kechuang.core.permissions import system_actor
    from kechuang.supervision import services

    today = today or timezone.localdate()
    project = _move(user, project, "terminate")
    project.closing_note, project.closed_on, project.diligent = _required(reason, "终止理由"), today, bool(diligent)
    project.indicators_met, project.audit_passed = indicators_met, audit_passed
    project.save()
    if not diligent:
        services.credit_record_create(
            user=system_actor("supervision:project_terminate"), subject_kind="enterprise",
            enterprise=project.applicant, subject_name=project.applicant.name,
            behaviour=f"科技计划项目“{project.title}”终止且未被认定勤勉尽责", severity="general",
            outcome=f"{NON_DILIGENT_RESTRICTION_YEARS}年内限制申报科技计划项目和揭榜挂帅", authority="南安市科学技术局",
            basis="明政办〔2021〕62号 第三章 二（勤勉尽责与宽容失败制度）", effective_on=today,
            ends_on=today.replace(year=today.year + NON_DILIGENT_RESTRICTION_YEARS) - dt.timedelta(days=1),
            is_demo=project.is_demo)
    return project


@transaction.atomic
def project_revoke(*, user, project: Project, reason: str, today: dt.date | None = None) -> Project:
    """撤销 (e.g. found to have obtained the project by fraud); the credit record of the finding is
    entered separately in the 科研信用 database with its own basis."""
    project = _move(user, project, "revoke")
    project.closing_note, project.closed_on = _required(reason, "撤销理由"), today or timezone.localdate()
    project.save()
    return project
