"""Scoping cases of the talent pages: person data is seen by the bureau, the township of the
employer and the employer itself; recognition, import and reveal are the bureau's."""
from datetime import date

from stdnum.cn import ric

from tests.scoping.framework import Case


def _idn(n):
    first = f"35058319900101{n:03d}"
    return first + ric.calc_check_digit(first + "0")


def _world(world):
    from kechuang.talent import services
    from kechuang.talent.models import Nominator

    out = {}
    for key, ent, n in (("a", world.enterprise_a, 1), ("b", world.enterprise_b, 2)):
        p = services.person_register(actor=world.staff, name=f"人才{key}", id_number=_idn(n), employer=ent)
        services.team_register(actor=world.staff, name=f"团队{key}", kind="harbour", leader=p, host=ent,
                               approved_on=date(date.today().year, 3, 1))
        services.graduate_enrol(actor=world.staff, person=p, degree="master", base=ent,
                                start=date(date.today().year, 1, 1), end=date(date.today().year, 12, 31))
        out[key] = p
    out["nominator"] = Nominator.objects.create(name="举荐专家", unit="华侨大学", quota_per_year=5)
    out["rec"] = services.recognition_by_competition(actor=world.staff, person=out["a"], competition="大赛", rank=1,
                                                     tier="D", year=2026)
    return out


def _person(world):
    w = _world(world)
    return {"own": {"pk": w["a"].pk}, "foreign": {"pk": w["b"].pk}}


def _self(world):
    from kechuang.talent.models import PilotOrg, Recognition

    w = _world(world)
    for ent in (world.enterprise_a, world.enterprise_b):
        PilotOrg.objects.create(enterprise=ent, quota_per_year=5)
    return {"own": {"pk": w["a"].pk}, "foreign": {"pk": w["b"].pk}, "data": {"tier": "E", "year": 2026},
            "unchanged": lambda: not Recognition.objects.filter(person=w["b"], channel="self").exists()}


def _team(world):
    from kechuang.talent.models import Team

    w = _world(world)
    return {"own": {"pk": Team.objects.get(leader=w["a"]).pk}, "foreign": {"pk": Team.objects.get(leader=w["b"]).pk}}


def _api_person(world):
    w = _world(world)
    return {"own": {"person_id": w["a"].pk}, "foreign": {"person_id": w["b"].pk}}


def _listing(marker):
    def build(world):
        _world(world)
        return {"kwargs": {}, "query": {}, "own": f"{marker}a", "foreign": f"{marker}b"}
    return build


def _post(data_for):
    def build(world):
        w = _world(world)
        kwargs, data = data_for(w)
        return {"kwargs": kwargs, "data": data}
    return build


def _institute_id():
    from kechuang.techmarket.models import Institute

    return Institute.objects.get_or_create(name="泉州某研究所", defaults={"city": "泉州"})[0].pk


CASES: dict = {
    "talent:recognitions": Case.role("staff", note="the bureau confirms recognitions"),
    "talent:recognition_decide": Case.role("staff", method="post", build=_post(
        lambda w: ({"pk": w["rec"].pk}, {"decision": "confirm"})), note="POST only"),
    "talent:persons": Case.listing(_listing("人才"), note="persons of the clerk's township's employers only"),
    "talent:person_new": Case.role("staff", note="only the bureau registers persons"),
    "talent:person": Case.objects(_person),
    "talent:person_reveal": Case.role("staff", method="post", build=_post(lambda w: ({"pk": w["a"].pk}, {})),
                                      note="full ID number: the bureau only, audited"),
    "talent:person_land": Case.role("staff", method="post", build=_post(
        lambda w: ({"pk": w["a"].pk}, {"institute": _institute_id(), "arrived_on": "2026-03-01"})), note="POST only"),
    "talent:person_nominate": Case.role("staff", method="post", build=_post(
        lambda w: ({"pk": w["a"].pk}, {"nominator": w["nominator"].pk, "tier": "D", "year": 2026})), note="POST only"),
    "talent:person_competition": Case.role("staff", method="post", build=_post(
        lambda w: ({"pk": w["a"].pk}, {"competition": "大赛", "rank": 2, "tier": "D", "year": 2026})), note="POST only"),
    "talent:person_self": Case.objects(_self, actor="ent_user_a", method="post",
                                       note="a pilot enterprise recognises its own employees only"),
    "talent:listing_import": Case.role("staff", note="only the bureau imports programme lists"),
    "talent:teams": Case.listing(_listing("团队"), note="teams of the clerk's township only"),
    "talent:team": Case.objects(_team, note="a team of the clerk's township only"),
    "talent:team_project": Case.role("staff", method="post", build=_post(lambda w: (
        {"pk": w["a"].led_teams.get().pk}, {"project": ""})), note="only the bureau links a team to its project"),
    "talent:graduates": Case.listing(_listing("人才"), note="students of the clerk's township's bases only"),
    "api:talent_api_persons": Case.listing(_listing("人才"), note="masked persons of the clerk's township only"),
    "api:talent_api_person": Case.objects(_api_person),
    "api:talent_api_teams": Case.listing(_listing("团队"), note="teams of the clerk's township only"),
    "api:talent_api_benefits": Case.listing(_listing("人才"), note="benefits of the clerk's township only"),
    "talent:benefits": Case.listing(_listing("人才"), note="benefits of the clerk's township's persons and students only"),
    "talent:benefits_refer": Case.role("staff", method="post", build=_post(lambda w: ({}, {"year": 2026})),
                                       note="only the bureau refers benefits to the redemption flow"),
    "talent:recruitment_new": Case.role("staff", method="post", build=_post(
        lambda w: ({}, {"person": w["a"].pk, "institute": _institute_id(), "recruited_on": "2026-03-01",
                        "approved_amount": "5"})), note="only the bureau records 引才 rewards"),
    "talent:mentor_new": Case.role("staff", method="post", build=_post(
        lambda w: ({}, {"name": "导师团队", "base_uscc": w["a"].employer.uscc, "leader": w["a"].pk, "year": 2026,
                        "approved_amount": "50"})), note="only the bureau records mentor-team awards"),
}
