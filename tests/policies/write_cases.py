"""Write-matrix cases of the policies pages and API (tests/scoping/writes.py)."""
from kechuang.core.models import Role
from tests.scoping.writes import Write

CALC = {"facts": {"name": "测算企业"}, "year": 2026}


def _case(world):
    from tests.policies.scoping_cases import _cases

    own, _foreign = _cases(world)
    return {"kwargs": {"pk": own.pk}, "data": {"action": "dispute", "text": "研发费用数据有误"}}


def _measure(world):
    import yaml

    from kechuang.policies.models import Measure

    m = Measure.objects.get(code="nanan-2025-2.1a")
    return {"kwargs": {"pk": m.pk}, "data": {"title": m.title + "（修订）", "text": m.text, "citation": m.citation,
                                             "spec": yaml.safe_dump(m.spec, allow_unicode=True, sort_keys=False)}}


def _sandbox(world):
    from kechuang.policies import services
    from kechuang.policies.models import PolicyDocument
    from tests.world import SYSTEM

    draft = services.sandbox_draft_create(user=SYSTEM, policy=PolicyDocument.objects.get(code="nanan-2025-2"))
    m = next(m for m in draft.measures.all() if m.spec.get("benefit", {}).get("kind") == "fixed")
    return {"kwargs": {"pk": draft.pk}, "data": {"measure": m.pk, "amount": "7"}}


WRITES = {
    "policies:policy_status": Write.action("policies.policy.edit", lambda w: {
        "kwargs": {"code": "nanan-2025-2"}, "data": {"status": "expired"}}),
    "policies:measure_edit": Write.action("policies.policy.edit", _measure),
    "policies:sandbox_create": Write.action("policies.sandbox.edit", lambda w: {"kwargs": {"code": "nanan-2025-2"}}),
    "policies:sandbox": Write.action("policies.sandbox.edit", _sandbox),
    "policies:screening": Write.action("policies.screening.run", lambda w: {"data": {"year": "2026"}}),
    "policies:case": Write.action("policies.dispute.raise", _case, only={Role.ENTERPRISE_USER, Role.BUREAU_STAFF},
                                  note="a dispute on 水头甲's case (action=dispute; the other actions are the same "
                                       "view with their own permission): a commissioner raises disputes only on "
                                       "their own 后补助 case"),
    "policies:public_calculator": Write.no_change("the public calculator computes and stores nothing",
                                                  lambda w: {"data": {"year": "2026"}}),
    "api:policies_calc": Write.no_change("computes from the posted facts; stores nothing", lambda w: {"data": CALC}),
    "public_api:policies_public_calc": Write.no_change("public calculator; stores nothing", lambda w: {"data": CALC}),
}
