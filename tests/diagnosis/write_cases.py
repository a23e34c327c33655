"""Write-matrix cases of the diagnosis pages and API (tests/scoping/writes.py)."""
from tests.scoping.writes import Write

FACTS = {"name": "自测企业", "employees": 50, "founded": "2015-03-01"}


def _selfcheck(world):
    return {"data": {"on": "2026-06-30", "employees": "50"}}


def _evaluate(world):
    return {"data": FACTS}


WRITES = {
    "diagnosis:selfcheck": Write.no_change("the self-check computes from the posted figures and stores nothing",
                                           _selfcheck),
    "diagnosis:run_start": Write.action("diagnosis.run.start", lambda w: {"data": {"on": "2026-06-30"}}),
    "api:diagnosis_api_evaluate": Write.no_change("evaluates the posted facts; stores nothing", _evaluate),
    "public_api:diagnosis_public_evaluate": Write.no_change("public self-check; stores nothing", _evaluate),
}
