"""Pages of the talent module. Person data is masked everywhere; the bureau may reveal one ID
number at a time, and each reveal is audited. There is no public list of persons."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kechuang.core import audit
from kechuang.core.models import AuditEvent
from kechuang.core.permissions import can, require
from kechuang.core.scoping import get_scoped_or_404

from . import imports, rules, selectors, services
from .forms import (
    CompetitionForm,
    LandForm,
    MentorAwardForm,
    NominationForm,
    PersonForm,
    RecruitmentForm,
    SelfForm,
)
from .models import Recognition


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@require_GET
def persons(request):
    """人才库 (scoped; ID numbers and phones masked)."""
    require(request.user, "talent.person.view")
    q = (request.GET.get("q") or "").strip()[:30]
    page = Paginator(selectors.persons_for(request.user, q), 50).get_page(request.GET.get("page"))
    return render(request, "talent/persons.html", {"page": page, "q": q,
                                                   "may_register": can(request.user, "talent.person.register")})


@require_http_methods(["GET", "POST"])
def person_new(request):
    require(request.user, "talent.person.register")
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = services.person_register(actor=request.user, name=d["name"], id_number=d["id_number"],
                                              education=d["education"], title=d["title"], employer=d["employer"],
                                              institute=d["institute"], arrived_on=d["arrived_on"], phone=d["phone"])
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            made = person.recognitions.filter(channel=Recognition.Channel.AUTOMATIC).count()
            messages.success(request, f"已登记{person.name}。" + (f"符合免申即认，已生成 {made} 条认定建议。" if made else ""))
            return redirect("talent:person", pk=person.pk)
    return render(request, "talent/person_new.html", {"form": form})


def _person_page(request, person, full_id: str = ""):
    checks = None
    if "ss" in request.GET:
        checks = rules.employment_precheck(social_security=request.GET.get("ss", "")[:120],
                                           contract=request.GET.get("contract", "")[:120],
                                           tax=request.GET.get("tax", "")[:120])
    return render(request, "talent/person.html", {
        "p": person, "full_id": full_id, "checks": checks, "get": request.GET,
        "recognitions": person.recognitions.restrict(request.user, "view").select_related("nominator"),
        "may_reveal": can(request.user, "talent.person.view_id", person),
        "may_record": can(request.user, "talent.recognition.record", person),
        "may_self": can(request.user, "talent.recognition.self", person)
        and hasattr(person.employer, "talent_pilot") if person.employer_id else False,
        "self_form": SelfForm(initial={"year": timezone.localdate().year}),
        "land_form": LandForm(initial={"arrived_on": timezone.localdate()}),
        "nomination_form": NominationForm(initial={"year": timezone.localdate().year}),
        "competition_form": CompetitionForm(initial={"year": timezone.localdate().year})})


@require_GET
def person(request, pk: int):
    require(request.user, "talent.person.view")
    return _person_page(request, get_scoped_or_404(selectors.persons_for(request.user), request.user, "view", pk=pk))


@require_POST
def person_reveal(request, pk: int):
    """Show the full ID number and phone once, writing an audit row (个人信息保护: every full view
    audited)."""
    p = get_scoped_or_404(selectors.persons_for(request.user), request.user, "view", pk=pk)
    require(request.user, "talent.person.view_id", p)
    audit.record(AuditEvent.Kind.PERSONAL_DATA_VIEW, request=request, object_ref=f"人才：{p.name}（编号 {p.pk}）",
                 detail={"字段": "居民身份证号码、手机号" if p.phone else "居民身份证号码"})
    return _person_page(request, p, full_id=p.id_number)


def _person_action(request, pk, form_class, act):
    p = get_scoped_or_404(selectors.persons_for(request.user), request.user, "view", pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[f].label if f in form.fields else ''}：{e}"
                                         for f, errs in form.errors.items() for e in errs))
    else:
        try:
            messages.success(request, act(p, form.cleaned_data))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    return redirect("talent:person", pk=pk)


@require_POST
def person_land(request, pk: int):
    require(request.user, "talent.person.register")

    def act(p, d):
        made = services.person_land(actor=request.user, person=p, institute=d["institute"], arrived_on=d["arrived_on"])
        return f"已记录落地{d['institute'].name}。" + (f"符合免申即认，生成 {len(made)} 条认定建议。" if made else "")
    return _person_action(request, pk, LandForm, act)


@require_POST
def person_nominate(request, pk: int):
    require(request.user, "talent.recognition.record")

    def act(p, d):
        services.recognition_nominate(actor=request.user, person=p, nominator=d["nominator"], tier=d["tier"],
                                      year=d["year"])
        return "已登记专家举荐认定。"
    return _person_action(request, pk, NominationForm, act)


@require_POST
def person_competition(request, pk: int):
    require(request.user, "talent.recognition.record")

    def act(p, d):
        services.recognition_by_competition(actor=request.user, person=p, competition=d["competition"],
                                            rank=d["rank"], tier=d["tier"], year=d["year"])
        return "已登记赛事评审认定申请，待确认。"
    return _person_action(request, pk, CompetitionForm, act)


@require_POST
def person_self(request, pk: int):
    require(request.user, "talent.recognition.self")

    def act(p, d):
        services.recognition_self(actor=request.user, person=p, tier=d["tier"], year=d["year"])
        return "已自主认定，并报科技局备案。"
    return _person_action(request, pk, SelfForm, act)


@require_GET
def recognitions(request):
    """人才认定: proposals (免申即认 first) to confirm or reject, and decided ones."""
    require(request.user, "talent.recognition.confirm")
    status = request.GET.get("status", "proposed")
    status = status if status in Recognition.Status.values else "proposed"
    page = Paginator(selectors.recognitions_for(request.user, status), 50).get_page(request.GET.get("page"))
    return render(request, "talent/recognitions.html", {"page": page, "status": status,
                                                        "statuses": Recognition.Status.choices})


@require_POST
def recognition_decide(request, pk: int):
    rec = get_scoped_or_404(Recognition, request.user, "view", pk=pk)
    require(request.user, "talent.recognition.confirm", rec)
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.recognition_decide(actor=request.user, recognition=rec, confirm=confirm,
                                    note=request.POST.get("note", "")[:300])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"已{'确认' if confirm else '驳回'}{rec.person.name}的认定。")
    return redirect("talent:recognitions")


@require_http_methods(["GET", "POST"])
def listing_import(request):
    """导入上级人才计划名单 (Excel, per-row errors, all or nothing)."""
    require(request.user, "talent.listing.import")
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 Excel 文件。")
        else:
            result = imports.import_listings(actor=request.user, upload=upload)
            if result.ok:
                messages.success(request, f"已导入 {result.created} 人（已在名单中的 {result.existing} 人未重复导入），"
                                          f"生成免申即认建议 {result.proposals} 条。")
    return render(request, "talent/import.html", {"result": result, "columns": imports.COLUMNS})


@require_GET
def teams(request):
    """港湾计划 teams and 高层次人才创新创业项目, with this year's counts by township."""
    require(request.user, "talent.person.view")
    year = _year(request.GET.get("year"))
    on = dt.date(year, 12, 31)
    rows = selectors.teams_for(request.user)
    from kechuang.core.models import Region

    teams_by, projects_by = selectors.harbour_teams(year, on), selectors.talent_projects(year, on)
    visible = set(rows.values_list("township_id", flat=True))
    counts = [(r.name, teams_by.get(r.pk, 0), projects_by.get(r.pk, 0)) for r in Region.townships()
              if r.pk in visible and (r.pk in teams_by or r.pk in projects_by)]
    return render(request, "talent/teams.html", {"rows": rows, "year": year, "counts": counts})


@require_GET
def graduates(request):
    """在南培养研究生 and this year's living allowance, paid to each student by months."""
    require(request.user, "talent.person.view")
    year = _year(request.GET.get("year"))
    try:
        rows = [(g, services.graduate_allowance(g, year)) for g in selectors.graduates_for(request.user)]
        error = ""
    except LookupError as exc:
        rows, error = [], str(exc)
    total = sum((a["amount"] for _g, a in rows), start=0)
    return render(request, "talent/graduates.html", {"rows": rows, "year": year, "total": total, "error": error,
                                                     "min_days": rules.MIN_DAYS_FOR_A_MONTH})


def _benefits_page(request, year, recruitment_form=None, mentor_form=None):
    from . import benefits

    persons = selectors.persons_for(request.user)
    try:
        rows, error = benefits.benefits_for(request.user, year), ""
    except LookupError as exc:
        rows, error = [], str(exc)
    payable = sum((b.amount for b in rows if b.counted), start=0)
    return render(request, "talent/benefits.html", {
        "rows": rows, "year": year, "error": error, "payable": payable,
        "may_refer": can(request.user, "policies.case.refer"),
        "may_record": can(request.user, "talent.benefit.record"),
        "recruitment_form": recruitment_form or RecruitmentForm(persons=persons, initial={
            "recruited_on": timezone.localdate()}),
        "mentor_form": mentor_form or MentorAwardForm(persons=persons, initial={"year": year})})


@require_GET
def benefits(request):
    """人才待遇与奖励 by recipient (person, team, institution): the calculator's amounts with the
    stacking reason (就高不重复), the channel, and the redemption case once referred."""
    require(request.user, "talent.person.view")
    return _benefits_page(request, _year(request.GET.get("year")))


@require_POST
def benefits_refer(request):
    """转入兑现流程: the year's payable benefits become 候选 cases with their recipient as payee."""
    from . import benefits as b

    require(request.user, "policies.case.refer")
    year = _year(request.POST.get("year"))
    try:
        made = b.benefits_refer(actor=request.user, year=year)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"已转入兑现流程 {len(made)} 项（已转入且未变化的不重复生成）。")
    return redirect(f"{reverse('talent:benefits')}?year={year}")


@require_POST
def recruitment_new(request):
    """登记机构引才 (the reward goes to the recruiting organisation)."""
    require(request.user, "talent.benefit.record")
    form = RecruitmentForm(request.POST, persons=selectors.persons_for(request.user))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.recruitment_record(actor=request.user, person=d["person"], enterprise=d["enterprise"],
                                        institute=d["institute"], recruited_on=d["recruited_on"],
                                        approved_amount=d["approved_amount"])
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, f"已登记{d['person'].name}的机构引才。")
            return redirect(f"{reverse('talent:benefits')}?year={d['recruited_on'].year}")
    return _benefits_page(request, timezone.localdate().year, recruitment_form=form)


@require_POST
def mentor_new(request):
    """登记导师团队创新奖励 (paid to the team)."""
    require(request.user, "talent.benefit.record")
    form = MentorAwardForm(request.POST, persons=selectors.persons_for(request.user))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.mentor_award_record(actor=request.user, name=d["name"], base=d["base"], leader=d["leader"],
                                         year=d["year"], approved_amount=d["approved_amount"])
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, f"已登记“{d['name']}”{d['year']} 年创新奖励。")
            return redirect(f"{reverse('talent:benefits')}?year={d['year']}")
    return _benefits_page(request, timezone.localdate().year, mentor_form=form)


def _team_projects(user, team):
    from kechuang.supervision.models import Project

    return Project.objects.restrict(user, "view").filter(applicant=team.host).exclude(
        status__in=["rejected", "revoked"]).order_by("-id")


@require_GET
def team(request, pk: int):
    """One team or project: members, the linked 科技计划项目 and its milestones and acceptance as the
    project lifecycle records them."""
    require(request.user, "talent.person.view")
    t = get_scoped_or_404(selectors.teams_for(request.user), request.user, "view", pk=pk)
    may_link = can(request.user, "talent.team.register", t)
    return render(request, "talent/team.html", {
        "t": t, "members": t.members.all(), "project": selectors.team_project_state(t),
        "milestones": selectors.team_milestones(t), "may_link": may_link,
        "may_see_project": can(request.user, "supervision.project.view"),
        "projects": _team_projects(request.user, t) if may_link else []})


@require_POST
def team_project(request, pk: int):
    """Link the team to the 科技计划项目 that carries it (the bureau)."""
    t = get_scoped_or_404(selectors.teams_for(request.user), request.user, "view", pk=pk)
    require(request.user, "talent.team.register", t)
    project = _team_projects(request.user, t).filter(pk=_int(request.POST.get("project"))).first()
    if project is None:
        messages.error(request, "请选择依托企业的一个科技计划项目。")
    else:
        try:
            services.team_link_project(actor=request.user, team=t, project=project)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, f"已关联科技计划项目“{project.title}”，里程碑与验收以项目全过程管理为准。")
    return redirect("talent:team", pk=t.pk)


def _int(value) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**31 else None
