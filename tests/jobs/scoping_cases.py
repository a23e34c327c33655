"""Scoping cases for the jobs pages: a person reaches only the jobs they started."""

from kechuang.jobs.models import Job
from tests.scoping.framework import Case


def _jobs(world, state="running", kind="enterprises.import"):
    own = Job.objects.create(kind=kind, label="甲的导入", started_by=world.clerk_a, actor_name="clerk_a",
                             args={"upload": "x", "filename": "a.xlsx"}, state=state)
    foreign = Job.objects.create(kind=kind, label="乙的导入", started_by=world.clerk_b, actor_name="clerk_b",
                                 args={"upload": "y", "filename": "b.xlsx"}, state=state)
    return own, foreign


def _objects(state="running"):
    def build(world):
        own, foreign = _jobs(world, state)
        return {"own": {"pk": own.pk}, "foreign": {"pk": foreign.pk},
                "unchanged": lambda: Job.objects.get(pk=foreign.pk).state == state
                and not Job.objects.get(pk=foreign.pk).cancel_requested}
    return build


def _files(world):
    from kechuang.jobs.files import job_files

    own, foreign = _jobs(world, "done", kind="targets.bulletin")
    for job in (own, foreign):
        (job_files() / f"job-{job.pk}.xlsx").write_bytes(b"PK")
        Job.objects.filter(pk=job.pk).update(result={"file": f"job-{job.pk}.xlsx", "filename": "通报.xlsx"})
    return {"own": {"pk": own.pk}, "foreign": {"pk": foreign.pk}}


def _listing(world):
    _jobs(world)
    return {"own": "甲的导入", "foreign": "乙的导入"}


CASES = {
    "jobs:mine": Case.listing(_listing),
    "jobs:detail": Case.objects(_objects()),
    "jobs:progress": Case.objects(_objects()),
    "jobs:cancel": Case.objects(_objects(), method="post"),
    "jobs:retry": Case.objects(_objects("failed"), method="post"),
    "jobs:file": Case.objects(_files),
}
