"""Write-matrix cases of 人才 (tests/scoping/writes.py), built from its scoping cases."""
import datetime as dt

from tests.scoping.writes import Write, form, like_scoping, upload, xlsx
from tests.world import SYSTEM

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = dt.date.today().year


def _idn(n):
    from tests.talent.scoping_cases import _idn as idn

    return idn(n)


def _person(world, n=30):
    from kechuang.talent import services

    return services.person_register(actor=SYSTEM, name=f"矩阵人才{n}", id_number=_idn(n), employer=world.enterprise_a)


def _person_new(world):
    return {"data": {"name": "新登记人才", "id_number": _idn(31), "education": "doctor",
                     "employer_uscc": world.enterprise_a.uscc}}


def _listing_import(world):
    sheet = xlsx(["人才计划", "层级", "入选年度", "姓名", "居民身份证号码"],
                 [["福建省引才“百人计划”", "省级", YEAR - 1, "名单人才", _idn(32)]])
    return {"data": form(file=upload("名单.xlsx", sheet, XLSX))}


def _recruitment(world):
    p = _person(world, 33)
    return {"data": {"person": p.pk, "enterprise_uscc": world.enterprise_a.uscc,
                     "recruited_on": dt.date.today().isoformat(), "approved_amount": "5"}}


def _mentor(world):
    p = _person(world, 34)
    return {"data": {"name": "导师团队", "base_uscc": world.enterprise_a.uscc, "leader": p.pk, "year": YEAR,
                     "approved_amount": "20"}}


def _refer(world):
    from kechuang.talent import services

    services.mentor_award_record(actor=SYSTEM, name="导师团队", base=world.enterprise_a, leader=_person(world, 35),
                                 year=YEAR, approved_amount="20")
    return {"data": {"year": YEAR}}


def _team_project(world):
    """A team hosted by enterprise_a and an approved 科技计划项目 of enterprise_a to link it to."""
    from kechuang.supervision import projects
    from kechuang.talent import services
    from tests.supervision.test_projects import _approve, _score_all, _to_review
    from tests.talent.scoping_cases import _world

    w = _world(world)
    call, _experts, p, _d = _to_review(world)
    _score_all(p)
    projects.review_rank(user=world.staff, call=call)
    p.refresh_from_db()
    p = _approve(world, p)
    team = services.team_register(actor=world.staff, name="写入矩阵团队", kind="project_startup", leader=w["a"],
                                  host=world.enterprise_a, approved_on=dt.date(2026, 4, 1))
    return {"kwargs": {"pk": team.pk}, "data": {"project": p.pk}}

WRITES = {
    "talent:person_new": Write.action("talent.person.register", _person_new),
    "talent:listing_import": Write.action("talent.listing.import", _listing_import),
    "talent:recruitment_new": Write.action("talent.benefit.record", _recruitment),
    "talent:mentor_new": Write.action("talent.benefit.record", _mentor),
    "talent:benefits_refer": Write.action("policies.case.refer", _refer),
    "talent:recognition_decide": like_scoping("talent:recognition_decide", "talent.recognition.confirm"),
    "talent:person_reveal": like_scoping("talent:person_reveal", "talent.person.view_id", audited=True,
                                         note="a full view of the ID number: its record is the PERSONAL_DATA_VIEW "
                                              "audit row"),
    "talent:person_land": like_scoping("talent:person_land", "talent.person.register"),
    "talent:person_nominate": like_scoping("talent:person_nominate", "talent.recognition.record"),
    "talent:person_competition": like_scoping("talent:person_competition", "talent.recognition.record"),
    "talent:person_self": like_scoping("talent:person_self", "talent.recognition.self"),
    "talent:team_project": Write.action("talent.team.register", _team_project),
}
