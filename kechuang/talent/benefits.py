"""Benefits that reach the person (issue 17 item 3): each benefit is computed by the policy
calculator (kechuang.policies.engine) from this module's rows and enters the redemption flow of
kechuang.policies with its **recipient** as the payee — never added to an enterprise's total:

| benefit | measure | recipient (payee) | how it enters the flow |
|---|---|---|---|
| 高层次人才待遇（按层次） | 泉州市高层次人才待遇 A～E（金额待核实） | the person | ``case_refer`` |
| 研究生生活补贴 | 南政规〔2025〕2号 （十四） 1000/2000 元/月 | the student | ``case_refer`` |
| 机构引才奖励 | 同上 （十四） 最高 10 万元/人 | the recruiting organisation | an institute: ``case_refer``; an enterprise: a policy event its screening pays on |
| 导师团队创新奖励 | 同上 （十四） 最高 100 万元 | the mentor team | ``case_refer`` |

就高不重复 across the tier benefits: in one year the calculator's stacking group keeps the highest
tier only (the others shown with the reason); across years a person gets the highest tier's
benefit once — a later higher tier pays the difference to what earlier cases already hold, a
later lower one nothing (补差: 待核实, see ``rules.TIER_TOP_UP``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import transaction

from kechuang.core.permissions import require

from . import rules
from .models import MentorAward, Person, Recognition, Recruitment, Tier

NANAN = "nanan-2025-2"
ALLOWANCE = rules.ALLOWANCE_MEASURE          # nanan-2025-2.14c, to the student
MENTOR = "nanan-2025-2.14d"                  # to the mentor team
RECRUIT = "nanan-2025-2.14e"                 # to the recruiting organisation

#: The tier benefits' policy (the 泉州 高层次人才 catalogue and its 待遇 are not in our texts): kept
#: in 审核中 status like the commissioners' 后补助 measure, so it never enters the enterprise
#: screening; its amounts are platform parameters, 待核实.
TIER_POLICY = {
    "code": "quanzhou-talent-tiers", "doc_no": "（文号待核实）", "title": "泉州市高层次人才分层次待遇",
    "issuer": "泉州市委人才办（待核实）", "level": "市", "region": "泉州市", "effective": dt.date(2021, 1, 1),
    "source": "seed 002 三、二是（人才分类认定与服务）提及；认定目录与待遇原文不在现有文本中",
    "stacking_principle": "同一人才按最高层次享受待遇，不重复享受（就高不重复）",
    "parameters": [{"id": "talent_tier_amounts", "value": None, "verified": False, "note": (
        "各层次人才待遇（安家补助）金额 A 类 200、B 类 100、C 类 50、D 类 30、E 类 10 万元为本平台参数；"
        "泉州市高层次人才认定目录及待遇原文未收入本平台，施行日期暂取 2021-01-01，待市委人才办、科技局核实。"
        "同一人才跨年度晋升层次的，按已享受金额补足差额（补差），待核实。")}],
}
TIER_AMOUNTS = {"A": "200", "B": "100", "C": "50", "D": "30", "E": "10"}     # 待核实


def _tier_measure(tier: str) -> dict:
    label = Tier(tier).label
    return {
        "code": f"quanzhou-talent-tiers.{tier}", "article": "（条款待核实）", "title": f"{label}待遇（安家补助）",
        "text": f"经认定的{label}，按层次给予安家补助（金额待核实）；同一人才就高享受，不重复。",
        "citation": "泉州市高层次人才认定和服务目录（原文待核实）", "kind": "monetary",
        "spec": {"trigger": {"event": "talent_recognized", "match": {"tier": tier}},
                 "benefit": {"kind": "fixed", "amount": TIER_AMOUNTS[tier]},
                 "recipient": "person", "stacking": {"group": "talent_tier", "stacks_on_higher": False}},
        "lead_units": ["市委人才办"], "responsible_units": ["市科技局", "市财政局", "市人社局"],
    }


def tier_policy():
    """The tier benefits' PolicyDocument with its five measures (created once)."""
    from kechuang.policies.models import Measure, PolicyDocument

    doc = PolicyDocument.objects.filter(code=TIER_POLICY["code"]).first()
    if doc is None:
        doc = PolicyDocument.objects.create(status=PolicyDocument.Status.REVIEW, **TIER_POLICY)
    have = set(doc.measures.values_list("code", flat=True))
    for i, tier in enumerate(Tier.values):
        spec = _tier_measure(tier)
        if spec["code"] not in have:
            Measure.objects.create(policy=doc, order=i + 1, **spec)
    return doc


def _nanan_measure(measure_id: str):
    """(engine policy holding only ``measure_id``, the Measure row) of 南政规〔2025〕2号."""
    from kechuang.policies.models import Measure

    row = Measure.objects.select_related("policy").get(policy__code=NANAN, code=measure_id)
    policy = row.policy.to_engine()
    return replace(policy, measures=tuple(m for m in policy.measures if m.id == measure_id)), row


@dataclass
class Benefit:
    """One benefit of one recipient and year, as the calculator computed it."""

    recipient_kind: str            # person | team | institution | enterprise (Case.PayeeKind values)
    recipient: str                 # the name
    payee_ref: str                 # the Case.payee_ref (or "" for an enterprise's policy event)
    measure_code: str
    title: str
    citation: str
    amount: Decimal
    counted: bool
    reason: str                    # the stacking reason or why nothing is paid
    basis: str = ""
    channel: str = ""              # the enterprise or base through which it is paid, if any
    conditions: list = field(default_factory=list)
    data: list = field(default_factory=list)
    credit_subjects: list = field(default_factory=list)
    case: object = None

    @property
    def recipient_label(self) -> str:
        return {"person": "个人", "team": "团队", "institution": "机构", "enterprise": "企业"}[self.recipient_kind]


def _calc(events: list[dict], year: int, policies, name: str):
    from kechuang.policies.engine import calculate

    return calculate({"name": name, "events": events}, year, policies)


def _recognition_day(rec: Recognition) -> dt.date:
    if rec.decided_on:
        return rec.decided_on
    if rec.valid_until:
        try:
            return rec.valid_until.replace(year=rec.valid_until.year - rules.RECOGNITION_VALID_YEARS)
        except ValueError:
            return rec.valid_until.replace(year=rec.valid_until.year - rules.RECOGNITION_VALID_YEARS, day=28)
    return dt.date(rec.year, 12, 31)


def _person_ref(person: Person) -> str:
    return f"talent.person:{person.pk}"


def _earlier_tier_cases(person: Person, year: int):
    from kechuang.policies.models import Case

    return (Case.objects.filter(enterprise__isnull=True, payee_ref=_person_ref(person), year__lt=year,
                                measure__policy__code=TIER_POLICY["code"])
            .exclude(status__in=["rejected", "waived"]).select_related("measure"))


def person_tier_benefits(person: Person, year: int) -> list[Benefit]:
    """The tier benefits of ``person`` for ``year``: every confirmed recognition decided in the year
    is an event; the calculator keeps the highest tier (stacking group ``talent_tier``) and says why
    the others are not paid; a tier already paid in an earlier year is deducted (就高不重复)."""
    recs = [r for r in person.recognitions.filter(status=Recognition.Status.CONFIRMED)
            if _recognition_day(r).year == year]
    if not recs:
        return []
    doc = tier_policy()
    events = [{"kind": "talent_recognized", "date": _recognition_day(r).isoformat(), "tier": r.tier} for r in recs]
    from kechuang.policies.engine.stacking import apply_stacking

    result = _calc(events, year, [doc.to_engine()], person.name)
    eligible = [o for o in result.outcomes if o.status == "eligible"]
    apply_stacking(eligible)      # the one stacking rule: 就高、从优、不重复 within the group talent_tier
    earlier = list(_earlier_tier_cases(person, year))
    paid_before = sum(((c.approved_amount if c.approved_amount is not None else c.amount) for c in earlier),
                      Decimal(0))
    out, best = [], None
    for o in eligible:
        b = Benefit("person", person.name, _person_ref(person), o.measure.id, o.measure.title, o.measure.citation,
                    o.amount if o.counted else Decimal(0), o.counted, o.stacking, basis=o.basis,
                    conditions=[c.to_json() for c in o.conditions], data=list(o.evidence),
                    credit_subjects=[{"person_name": person.name}])
        if o.counted:
            best = b
        out.append(b)
    if best is None:
        return out
    if earlier and paid_before >= best.amount:
        names = "、".join(f"{c.year}年“{c.measure.title}”" for c in earlier)
        best.counted, best.amount = False, Decimal(0)
        best.reason = f"不重复：已享受{names}共 {paid_before.normalize():f} 万元，不低于本层次待遇，就高不重复"
    elif earlier:
        full = best.amount
        best.amount = full - paid_before
        best.reason = (f"就高补差：本层次待遇 {full.normalize():f} 万元，已享受 {paid_before.normalize():f} 万元，"
                       f"补足差额（{rules.TIER_TOP_UP}）")
    else:
        best.reason = ("就高：同一人才同年认定多个层次，按最高层次享受待遇，发给人才本人" if len(out) > 1
                       else "发给人才本人")
    best.data.append(f"认定记录：{'；'.join(r.basis for r in recs)}（来源：人才认定）"[:500])
    return out


def graduate_benefit(person: Person, year: int, studies=None) -> Benefit | None:
    """研究生生活补贴 of ``year`` for one student (all their studies here), paid to the student; the
    months before the policy took effect do not count."""
    policy, row = _nanan_measure(ALLOWANCE)
    studies = list(studies if studies is not None else person.studies.select_related("base"))
    events, channels = [], []
    for s in studies:
        start = max(s.start, policy.effective)
        end = min(s.end, policy.expiry) if policy.expiry else s.end
        if end < start:
            continue
        months = rules.months_in_year(start, end, year)
        if months <= 0:
            continue
        last = min(end, dt.date(year, 12, 31))
        events.append({"kind": "postgraduate_trained", "date": last.isoformat(), "degree": s.degree,
                       "months": months})
        channels.append(s.base.name)
    if not events:
        return None
    result = _calc(events, year, [policy], person.name)
    o = result.by_id(ALLOWANCE)
    if o.status != "eligible":
        return None
    return Benefit("person", person.name, _person_ref(person), ALLOWANCE, o.measure.title, o.measure.citation,
                   o.amount, True, "发给研究生本人，联合培养基地只是发放渠道，不计入基地企业的合计",
                   basis=o.basis, channel="、".join(dict.fromkeys(channels)),
                   conditions=[c.to_json() for c in o.conditions], data=list(o.evidence),
                   credit_subjects=[{"person_name": person.name}])


def institute_recruitment_benefit(institute, year: int, recruitments) -> Benefit | None:
    """机构引才 reward of ``year`` for a research institute: the sum over the persons it brought
    here, each within 10 万元 (the calculator checks the cap); paid to the institute."""
    policy, _row = _nanan_measure(RECRUIT)
    events = [{"kind": "talent_recruited_by_org", "date": r.recruited_on.isoformat(), "persons": 1,
               "approved_amount": f"{r.approved_amount.normalize():f}"} for r in recruitments if r.recruited_on.year == year]
    if not events:
        return None
    o = _calc(events, year, [policy], institute.name).by_id(RECRUIT)
    if o.status != "eligible":
        return None
    names = "、".join(r.person.name for r in recruitments if r.recruited_on.year == year)
    return Benefit("institution", institute.name, f"talent.institute:{institute.pk}", RECRUIT, o.measure.title,
                   o.measure.citation, o.amount, True, "发给引才机构（科研院所），不发给个人",
                   basis=o.basis, conditions=[c.to_json() for c in o.conditions],
                   data=list(o.evidence) + [f"引进人才：{names}（来源：机构引才登记）"],
                   credit_subjects=[{"institute": institute.name}])


def mentor_benefit(award: MentorAward) -> Benefit | None:
    """导师团队创新奖励 of one award, paid to the team (its leader receives it for the team)."""
    policy, _row = _nanan_measure(MENTOR)
    events = [{"kind": "mentor_team_rewarded", "date": dt.date(award.year, 12, 31).isoformat(),
               "approved_amount": f"{award.approved_amount.normalize():f}"}]
    o = _calc(events, award.year, [policy], award.name).by_id(MENTOR)
    if o.status != "eligible":
        return None
    return Benefit("team", f"{award.name}（负责人 {award.leader.name}）", f"talent.mentor:{award.pk}", MENTOR,
                   o.measure.title, o.measure.citation, o.amount, True, "发给导师团队，不计入基地企业的合计",
                   basis=o.basis, channel=award.base.name, conditions=[c.to_json() for c in o.conditions],
                   data=list(o.evidence), credit_subjects=[{"person_name": award.leader.name}])


def enterprise_recruitment_benefit(recruitment: Recruitment) -> Benefit:
    """An enterprise's 引才 reward is paid on a policy event of that enterprise (its screening makes
    the case); shown here for completeness."""
    policy, _row = _nanan_measure(RECRUIT)
    events = [{"kind": "talent_recruited_by_org", "date": recruitment.recruited_on.isoformat(), "persons": 1,
               "approved_amount": f"{recruitment.approved_amount.normalize():f}"}]
    o = _calc(events, recruitment.recruited_on.year, [policy], recruitment.enterprise.name).by_id(RECRUIT)
    return Benefit("enterprise", recruitment.enterprise.name, "", RECRUIT, o.measure.title, o.measure.citation,
                   o.amount if o.status == "eligible" else Decimal(0), o.status == "eligible",
                   "发给引才企业：记为该企业的政策事件，由免申即享筛查生成兑现案件",
                   basis=o.basis or o.stacking, data=[f"引进人才：{recruitment.person.name}"])


def benefits_for(user, year: int) -> list[Benefit]:
    """Every benefit of ``year`` the user may see (rows through the scoping choke point), by recipient."""
    from kechuang.policies.models import Case

    from .selectors import graduates_for, persons_for

    out: list[Benefit] = []
    persons = persons_for(user).filter(recognitions__status=Recognition.Status.CONFIRMED,
                                       recognitions__year__in=[year - 1, year, year + 1]).distinct()
    for p in persons:
        out.extend(person_tier_benefits(p, year))
    by_person: dict[int, list] = {}
    for s in graduates_for(user).filter(start__lte=dt.date(year, 12, 31), end__gte=dt.date(year, 1, 1)):
        by_person.setdefault(s.person_id, []).append(s)
    for studies in by_person.values():
        b = graduate_benefit(studies[0].person, year, studies)
        if b:
            out.append(b)
    recs = Recruitment.objects.restrict(user, "view").filter(recruited_on__year=year).select_related(
        "person", "enterprise", "institute")
    by_institute: dict[int, list] = {}
    for r in recs:
        if r.institute_id:
            by_institute.setdefault(r.institute_id, []).append(r)
        else:
            out.append(enterprise_recruitment_benefit(r))
    for rs in by_institute.values():
        b = institute_recruitment_benefit(rs[0].institute, year, rs)
        if b:
            out.append(b)
    for award in MentorAward.objects.restrict(user, "view").filter(year=year).select_related("leader", "base"):
        b = mentor_benefit(award)
        if b:
            out.append(b)
    refs = {b.payee_ref for b in out if b.payee_ref}
    cases = {(c.payee_ref, c.measure.code): c for c in Case.objects.filter(
        enterprise__isnull=True, payee_ref__in=refs, year=year).select_related("measure")}
    for b in out:
        b.case = cases.get((b.payee_ref, b.measure_code))
    return out


@transaction.atomic
def benefits_refer(*, actor, year: int, today: dt.date | None = None) -> list:
    """转入兑现流程: every payable benefit of ``year`` becomes a 候选 case of the redemption flow
    (核实 → 确认 → 公示 → 拨付, the one credit check at 核实 and 拨付) with its recipient as the
    payee; an enterprise's 引才 reward is recorded as its policy event instead. Idempotent."""
    from kechuang.policies.models import Measure, PolicyEvent
    from kechuang.policies.services import case_refer, policy_event_record

    require(actor, "policies.case.refer")
    tier_policy()
    made = []
    for b in benefits_for(actor, year):
        if not b.counted or b.amount <= 0:
            continue
        if b.recipient_kind == "enterprise":
            continue
        measure = Measure.objects.get(code=b.measure_code,
                                      policy__code=NANAN if b.measure_code.startswith(NANAN) else TIER_POLICY["code"])
        evidence = {"source": "talent", "citation": b.citation, "window": f"{year}年度", "basis": b.basis,
                    "stacking": b.reason, "channel": b.channel, "conditions": b.conditions,
                    "data": b.data + ([f"发放渠道：{b.channel}"] if b.channel else [])}
        case, _created = case_refer(user=actor, measure=measure, year=year, payee_kind=b.recipient_kind,
                                    payee_name=b.recipient[:200], payee_ref=b.payee_ref, amount=b.amount,
                                    evidence=evidence, credit_subjects=b.credit_subjects, today=today)
        made.append(case)
    for r in Recruitment.objects.filter(recruited_on__year=year, enterprise__isnull=False).select_related(
            "enterprise", "person"):
        source = f"人才：机构引才 {r.person.name}（登记#{r.pk}）"[:200]
        if not PolicyEvent.objects.filter(enterprise=r.enterprise, kind="talent_recruited_by_org",
                                          source=source).exists():
            made.append(policy_event_record(user=actor, enterprise=r.enterprise, kind="talent_recruited_by_org",
                                            date=r.recruited_on, source=source,
                                            fields={"persons": 1, "approved_amount": f"{r.approved_amount.normalize():f}"}))
    return made
