"""Writes of the talent module: every service names its actor, calls ``require()`` and runs in one
transaction; writes are change-logged by the core signals (the ID number never in clear text in
the log: see ``SECRET_FIELDS`` handling in ``kechuang.core.changes``)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kechuang.core.permissions import require

from . import rules
from .models import (
    GraduateStudent,
    MentorAward,
    Nominator,
    Person,
    Programme,
    ProgrammeListing,
    Recognition,
    Recruitment,
    Team,
)


def _credit_refusal(person: Person, on: dt.date) -> None:
    """The one credit check (kechuang.supervision.credit) before a person is recognised: a
    serious 科研失信 record in force refuses it, naming the record and its end date."""
    from kechuang.supervision.credit import check_credit

    verdict = check_credit(decision="qualification", on=on, person_id_number=person.id_number,
                           person_name=person.name)
    if not verdict.allowed:
        raise ValidationError({"person": verdict.message})


def _saved(obj):
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def person_register(*, actor, name: str, id_number: str, education: str = "other", title: str = "",
                    employer=None, institute=None, arrived_on: dt.date | None = None, phone: str = "",
                    is_demo: bool = False) -> Person:
    """Enter a person; when they have landed at an institute in 泉州, 免申即认 is checked at once."""
    require(actor, "talent.person.register")
    person = _saved(Person(name=name.strip(), id_number=(id_number or "").strip().upper(), education=education,
                           title=title, employer=employer, institute=institute, arrived_on=arrived_on,
                           phone=phone, is_demo=is_demo))
    automatic_recognition_propose(actor=actor, person=person)
    return person


@transaction.atomic
def person_land(*, actor, person: Person, institute, arrived_on: dt.date) -> list[Recognition]:
    """Record that a person landed (joined an institute here); proposes 免申即认 where it applies."""
    require(actor, "talent.person.register", person)
    person.institute = institute
    person.arrived_on = arrived_on
    _saved(person)
    return automatic_recognition_propose(actor=actor, person=person)


@transaction.atomic
def listing_add(*, actor, programme: Programme, year: int, name: str, id_number: str) -> ProgrammeListing:
    """Add one person to an upper-level programme list (the Excel import calls this per row)."""
    require(actor, "talent.listing.import")
    listing = ProgrammeListing(programme=programme, year=year, name=name.strip(),
                               id_number=(id_number or "").strip().upper())
    existing = ProgrammeListing.objects.filter(programme=programme, id_number=listing.id_number).first()
    if existing is not None:
        return existing
    _saved(listing)
    person = Person.objects.filter(id_number=listing.id_number).first()
    if person is not None:
        automatic_recognition_propose(actor=actor, person=person)
    return listing


def automatic_recognition_propose(*, actor, person: Person) -> list[Recognition]:
    """免申即认: a person on an imported national/provincial programme list who has landed at an
    institute in 泉州 gets a recognition proposal at the corresponding tier — once per listing,
    never twice (a database constraint backs this). The bureau confirms it."""
    require(actor, "talent.person.register")
    if person.institute is None or person.arrived_on is None or not rules.in_quanzhou(person.institute.city):
        return []
    made = []
    for listing in ProgrammeListing.objects.filter(id_number=person.id_number).select_related("programme"):
        if Recognition.objects.filter(person=person, listing=listing, channel=Recognition.Channel.AUTOMATIC).exists():
            continue
        tier = rules.TIER_BY_PROGRAMME_LEVEL[listing.programme.level]
        basis = (f"免申即认：列入{listing.programme.name}（{listing.programme.get_level_display()}，{listing.year}年）"
                 f"并于 {person.arrived_on:%Y-%m-%d} 落地{person.institute.name}（{rules.AUTOMATIC_CITATION}）")
        try:
            with transaction.atomic():
                made.append(Recognition.objects.create(
                    person=person, listing=listing, tier=tier, channel=Recognition.Channel.AUTOMATIC,
                    year=person.arrived_on.year, basis=basis[:300]))
        except IntegrityError:   # a concurrent scan made it first
            continue
    return made


@transaction.atomic
def recognition_decide(*, actor, recognition: Recognition, confirm: bool, note: str = "",
                       on: dt.date | None = None) -> Recognition:
    """Confirm (with validity) or reject a proposed recognition."""
    require(actor, "talent.recognition.confirm", recognition)
    recognition = Recognition.objects.select_for_update().get(pk=recognition.pk)
    if recognition.status != Recognition.Status.PROPOSED:
        raise ValidationError({"status": f"该认定已是“{recognition.get_status_display()}”，不能再处理。"})
    if not confirm and not (note or "").strip():
        raise ValidationError({"decided_note": "不予认定须写明理由。"})
    on = on or dt.date.today()
    if confirm:
        _credit_refusal(recognition.person, on)
    recognition.status = Recognition.Status.CONFIRMED if confirm else Recognition.Status.REJECTED
    recognition.valid_until = rules.valid_until(on) if confirm else None
    recognition.decided_on = on
    recognition.decided_note = (note or "").strip()[:300]
    recognition.save()
    return recognition


@transaction.atomic
def recognition_nominate(*, actor, person: Person, nominator: Nominator, tier: str, year: int) -> Recognition:
    """专家举荐: a registered nominating expert's nominee is recognised directly, within the
    nominator's yearly quota."""
    require(actor, "talent.recognition.record", person)
    _credit_refusal(person, dt.date.today())
    nominator = Nominator.objects.select_for_update().get(pk=nominator.pk)
    used = Recognition.objects.filter(nominator=nominator, year=year,
                                      channel=Recognition.Channel.NOMINATION).exclude(
        status=Recognition.Status.REJECTED).count()
    if used >= nominator.quota_per_year:
        raise ValidationError({"nominator": f"{nominator.name} {year} 年的举荐名额（{nominator.quota_per_year} 名）"
                                            f"已用完，不能再举荐（{rules.NOMINATION_CITATION}）。"})
    on = dt.date.today()
    return _saved(Recognition(person=person, nominator=nominator, tier=tier, year=year,
                              channel=Recognition.Channel.NOMINATION, status=Recognition.Status.CONFIRMED,
                              valid_until=rules.valid_until(on), decided_on=on,
                              basis=f"专家举荐：{nominator}（{rules.NOMINATION_CITATION}）"[:300]))


@transaction.atomic
def recognition_self(*, actor, person: Person, tier: str, year: int) -> Recognition:
    """自主认定: a pilot enterprise recognises its own employee, within its yearly quota and up to
    its highest tier; the bureau sees it in the list (备案)."""
    from .models import PilotOrg, Tier

    require(actor, "talent.recognition.self", person)
    pilot = PilotOrg.objects.select_for_update().filter(enterprise_id=person.employer_id).first()
    if pilot is None:
        raise ValidationError({"person": "该人才的工作单位不是自主认定试点单位，不能自主认定。"})
    if Tier.values.index(tier) < Tier.values.index(pilot.highest_tier):
        raise ValidationError({"tier": f"{pilot} 最高可自主认定{Tier(pilot.highest_tier).label}，不能认定更高层次。"})
    used = Recognition.objects.filter(pilot=pilot, year=year).exclude(status=Recognition.Status.REJECTED).count()
    if used >= pilot.quota_per_year:
        raise ValidationError({"person": f"{pilot} {year} 年的自主认定名额（{pilot.quota_per_year} 名）已用完。"})
    _credit_refusal(person, dt.date.today())
    return _saved(Recognition(person=person, pilot=pilot, tier=tier, year=year, channel=Recognition.Channel.SELF,
                              status=Recognition.Status.CONFIRMED, valid_until=rules.valid_until(dt.date.today()),
                              decided_on=dt.date.today(),
                              basis=f"自主认定：{pilot}（{rules.SELF_CITATION}）"[:300]))


@transaction.atomic
def recognition_by_competition(*, actor, person: Person, competition: str, rank: int, tier: str,
                               year: int) -> Recognition:
    """赛事评审: the top three of a registered competition apply directly (a proposal to confirm)."""
    require(actor, "talent.recognition.record", person)
    if not 1 <= rank <= rules.COMPETITION_TOP:
        raise ValidationError({"rank": f"只有赛事前 {rules.COMPETITION_TOP} 名可直接申报认定（{rules.COMPETITION_CITATION}），"
                                       f"该人才名次为第 {rank} 名。"})
    return _saved(Recognition(person=person, tier=tier, year=year, channel=Recognition.Channel.COMPETITION,
                              basis=f"赛事评审：{competition.strip()} 第 {rank} 名（{rules.COMPETITION_CITATION}）"[:300]))


@transaction.atomic
def team_register(*, actor, name: str, kind: str, leader: Person, host, approved_on: dt.date, project: str = "",
                  members=()) -> Team:
    """Enter a 港湾计划 team or a 高层次人才创新创业项目 (they count toward the township targets)."""
    require(actor, "talent.team.register")
    team = _saved(Team(name=name.strip(), kind=kind, leader=leader, host=host, township=host.township,
                       approved_on=approved_on, project=project))
    if members:
        team.members.set(members)
    return team


@transaction.atomic
def graduate_enrol(*, actor, person: Person, degree: str, base, start: dt.date, end: dt.date) -> GraduateStudent:
    """Record a graduate student trained here at a joint-training base."""
    require(actor, "talent.graduate.record", base)
    return _saved(GraduateStudent(person=person, degree=degree, base=base, start=start, end=end))


def graduate_allowance(study: GraduateStudent, year: int) -> dict:
    """The living allowance of ``year`` for one student: paid to the student (the base is only the
    channel), rate × months within the policy's validity (南政规〔2025〕2号 (十四), in force from
    2025-10-23: earlier months earn nothing)."""
    from .benefits import ALLOWANCE, _nanan_measure

    rate = rules.allowance_rates()[study.degree]
    policy, _row = _nanan_measure(ALLOWANCE)
    start = max(study.start, policy.effective)
    end = min(study.end, policy.expiry) if policy.expiry else study.end
    months = rules.months_in_year(start, end, year) if end >= start else 0
    return {"recipient": study.person.name, "recipient_kind": "个人", "channel": study.base.name,
            "degree": study.get_degree_display(), "months": months, "rate": rate,
            "amount": rate * Decimal(months)}

def _within_measure_cap(measure_id: str, amount: Decimal, what: str) -> Decimal:
    """The approved amount must be positive and within the measure's cap (read from the policy data)."""
    from kechuang.policies.selectors import engine_policies

    amount = Decimal(str(amount))
    cap = None
    for policy in engine_policies():
        for m in policy.measures:
            if m.id == measure_id:
                cap = m.benefit.max_per_unit or m.benefit.max
    if amount <= 0:
        raise ValidationError({"approved_amount": f"{what}：核定金额应大于 0 万元。"})
    if cap is not None and amount > cap:
        raise ValidationError({"approved_amount": f"{what}：核定金额 {amount.normalize():f} 万元超过政策上限 "
                                                  f"{cap.normalize():f} 万元（南政规〔2025〕2号 （十四））。"})
    return amount


@transaction.atomic
def recruitment_record(*, actor, person: Person, recruited_on: dt.date, approved_amount, enterprise=None,
                       institute=None) -> Recruitment:
    """机构引才: the organisation (an enterprise or an institute) that brought ``person`` here and the
    one-off reward the bureau approved (≤ 10 万元/人); the reward goes to the organisation."""
    require(actor, "talent.benefit.record")
    if (enterprise is None) == (institute is None):
        raise ValidationError({"enterprise": "引才机构：请选择一家企业或一家科研院所（二选一）。"})
    if Recruitment.objects.filter(person=person).exists():
        raise ValidationError({"person": f"{person.name} 已登记过机构引才，一次性奖励不重复（南政规〔2025〕2号 （十四））。"})
    amount = _within_measure_cap("nanan-2025-2.14e", approved_amount, "机构引才奖励")
    return _saved(Recruitment(person=person, enterprise=enterprise, institute=institute, recruited_on=recruited_on,
                              approved_amount=amount))


@transaction.atomic
def mentor_award_record(*, actor, name: str, base, leader: Person, year: int, approved_amount) -> MentorAward:
    """导师团队创新奖励 of one year for a joint-training base's mentor team (≤ 100 万元), paid to the team."""
    require(actor, "talent.benefit.record")
    amount = _within_measure_cap("nanan-2025-2.14d", approved_amount, "导师团队创新奖励")
    if MentorAward.objects.filter(base=base, name=(name or "").strip(), year=year).exists():
        raise ValidationError({"name": f"{base} 的“{name}”{year} 年已登记创新奖励，不重复。"})
    return _saved(MentorAward(name=(name or "").strip(), base=base, leader=leader, year=year, approved_amount=amount))


@transaction.atomic
def team_link_project(*, actor, team: Team, project) -> Team:
    """Link a team (港湾计划 or a 高层次人才创新创业项目) to the 科技计划项目 that carries it: its
    milestones (立项, 中期检查, 拨款, 验收) and acceptance are then those the project lifecycle
    (kechuang.supervision.projects) records — this module only reads them. The project must be the
    host enterprise's own and not refused or revoked; one project carries one team."""
    require(actor, "talent.team.register", team)
    if project.applicant_id != team.host_id:
        raise ValidationError({"plan_project": f"该科技计划项目的申报单位是{project.applicant}，不是依托企业{team.host}。"})
    if project.status in ("rejected", "revoked"):
        raise ValidationError({"plan_project": f"该科技计划项目“{project.get_status_display()}”，不能作为团队项目。"})
    other = Team.objects.filter(plan_project=project).exclude(pk=team.pk).first()
    if other is not None:
        raise ValidationError({"plan_project": f"该科技计划项目已关联“{other.name}”。"})
    team.plan_project = project
    return _saved(team)
