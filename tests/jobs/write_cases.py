"""Write-matrix cases of the jobs pages (tests/scoping/writes.py)."""
from kechuang.core.models import Role
from tests.scoping.writes import Write

OWN = ("a job is reached by the person who started it (the township clerk here) and by the bureau, which runs "
       "the city's imports together (Job.scope_queryset); others get 404")


def _job(state):
    def build(world):
        from kechuang.jobs.models import Job

        job = Job.objects.create(kind="enterprises.import", label="甲的导入", started_by=world.clerk_a,
                                 actor_name="clerk_a", args={"upload": "x", "filename": "a.xlsx"}, state=state)
        return {"kwargs": {"pk": job.pk}}
    return build


WRITES = {
    "jobs:cancel": Write.action("jobs.job.cancel", _job("queued"), only={Role.TOWNSHIP_CLERK, Role.BUREAU_STAFF}, note=OWN),
    "jobs:retry": Write.action("jobs.job.retry", _job("failed"), only={Role.TOWNSHIP_CLERK, Role.BUREAU_STAFF}, note=OWN),
}
