"""Scoping cases for every diagnosis URL (see tests/scoping/framework.py)."""

from tests.scoping.framework import Case


def _ents(world):
    return {"own": {"pk": world.enterprise_a.pk}, "foreign": {"pk": world.enterprise_b.pk}}


def _run(world):
    from kechuang.diagnosis.services import diagnosis_run_create

    return diagnosis_run_create(user=world.staff)


def _pipeline(world):
    run = _run(world)
    return {"query": {"run": run.pk}, "own": world.enterprise_a.name, "foreign": world.enterprise_b.name}


def _export(world):
    run = _run(world)
    return {"kwargs": {"run_pk": run.pk}, "own": world.enterprise_a.uscc, "foreign": world.enterprise_b.uscc}


CASES = {
    "diagnosis:index": Case.global_(note="redirects by role; no rows"),
    "diagnosis:selfcheck": Case.public(note="public self-check: facts in the form, nothing read or stored"),
    "diagnosis:enterprise": Case.objects(_ents),
    "diagnosis:enterprise_docx": Case.objects(_ents),
    "diagnosis:pipeline": Case.listing(_pipeline, note="results restricted to the clerk's township"),
    "diagnosis:run_start": Case.global_(note="POST only (GET 405); bureau staff only, see tests/diagnosis/test_views.py"),
    "diagnosis:pipeline_export": Case.listing(_export, note="xlsx of the run's results, restricted with action export"),
    "api:diagnosis_api_evaluate": Case.global_(note="POST facts in, verdict out; reads no rows"),
    "api:diagnosis_api_enterprise": Case.objects(_ents),
    "public_api:diagnosis_public_evaluate": Case.public(note="POST facts in, verdict out; no account, nothing stored"),
}
