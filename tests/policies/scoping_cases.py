"""Scoping cases for the policy URLs (see tests/scoping/framework.py)."""

from tests.scoping.framework import Case


def _cases(world):
    """One hnte-recognition case for each of the two enterprises."""
    from kechuang.policies import services
    from kechuang.policies.models import Case as RedemptionCase

    for ent in (world.enterprise_a, world.enterprise_b):
        services.policy_event_record(user=world.staff, enterprise=ent, kind="hnte_recognized", date="2026-03-01",
                                     source="测试")
    services.screening_run(user=world.staff, year=2026)
    own = RedemptionCase.objects.get(enterprise=world.enterprise_a)
    foreign = RedemptionCase.objects.get(enterprise=world.enterprise_b)
    return own, foreign


def _case_objects(world):
    own, foreign = _cases(world)
    return {"own": {"pk": own.pk}, "foreign": {"pk": foreign.pk}}


def _case_list(world):
    _cases(world)
    return {"own": world.enterprise_a.name, "foreign": world.enterprise_b.name}


def _case_export(world):
    _cases(world)  # xlsx: USCCs are ASCII, names would be character references
    return {"own": world.enterprise_a.uscc, "foreign": world.enterprise_b.uscc}


def _enterprise(world):
    return {"own": {"pk": world.enterprise_a.pk}, "foreign": {"pk": world.enterprise_b.pk}}


def _sandbox(world):
    from kechuang.policies import services
    from kechuang.policies.models import PolicyDocument

    real = PolicyDocument.objects.get(code="quanzhou-hnte-3")
    draft = services.sandbox_draft_create(user=world.staff, policy=real)
    return {"own": {"pk": draft.pk}, "foreign": {"pk": real.pk}}


def _measure(world):
    from kechuang.policies.models import Measure

    return {"own": {"pk": Measure.objects.get(code="nanan-2025-2.1a").pk}, "foreign": {"pk": 10 ** 9}}


def _proxy_letters(world):
    """A 代办 授权书 on each enterprise's case."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kechuang.policies import services

    own, foreign = _cases(world)
    ids = {}
    for key, case in (("own", own), ("foreign", foreign)):
        pdf = SimpleUploadedFile("授权书.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
        ids[key] = services.case_proxy_authorize(user=world.staff, case=case, kind="letter", signed_by="法人",
                                                 letter=pdf).pk
    return {"own": {"pk": ids["own"]}, "foreign": {"pk": ids["foreign"]}}


CASES = {
    "policies:index": Case.global_(note="published policies are reference data for every signed-in user"),
    "policies:policy": Case.global_(kwargs={"code": "nanan-2025-2"}, note="a published policy"),
    "policies:sandbox_create": Case.global_(kwargs={"code": "nanan-2025-2"},
                                            note="POST only (GET 405); the view refuses all but bureau staff"),
    "policies:policy_status": Case.global_(kwargs={"code": "nanan-2025-2"},
                                           note="POST only (GET 405); the view refuses all but bureau staff"),
    "policies:measure_edit": Case.objects(_measure, actor="staff",
                                          note="a measure of a published policy opens; an unknown pk is 404"),
    "policies:public_calculator": Case.public(note="公开政策计算器: reads only the shipped policy data"),
    "policies:enterprise": Case.objects(_enterprise),
    "policies:cases": Case.listing(_case_list),
    "policies:cases_export": Case.listing(_case_export),
    "policies:case": Case.objects(_case_objects),
    "policies:proxy_letter": Case.objects(_proxy_letters, note="a 代办 授权书 downloads like its case opens"),
    "policies:publicity": Case.global_(note="公示 lists publicized cases of every township by design"),
    "policies:publicity_export": Case.global_(note="Excel of the 公示 list"),
    "policies:screening": Case.role("staff"),
    "policies:finder": Case.global_(note="bureau and township clerks; the enterprises come from "
                                         "Enterprise.objects.restrict(user) — tests/policies/test_finder.py checks a "
                                         "clerk finds only their township and an enterprise user is refused"),
    "policies:sandbox": Case.objects(_sandbox, actor="staff",
                                     note="a draft opens; a real (non-sandbox) policy is not a sandbox: 404"),
    "api:policies_calc": Case.global_(note="POST only; computes from the posted facts, reads no business rows"),
    "api:policies_cases": Case.listing(lambda w: {**_case_list(w)}),
    "public_api:policies_public_calc": Case.public(note="POST only; the shipped policy data", expect=(405,)),
}
