"""Job kinds of the diagnosis app: the 培育库 batch diagnosis (全市 refresh) of every enterprise runs
in a worker; the pipeline page shows the bar and, when done, the link to the new run."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from kechuang.jobs.registry import JobOutcome, job_kind


def job_note(job_id: int) -> str:
    return f"后台任务 #{job_id}"


@job_kind("diagnosis.run", label="培育库批量诊断", perm="jobs.diagnosis.start")
def diagnosis_run(ctx, *, actor, on: str = ""):
    """Diagnose every enterprise the starter may view as of ``on``. Idempotent: the run is written
    in one transaction and named by the job, so a re-run after a lost worker returns that run."""
    from .models import DiagnosisRun
    from .services import diagnosis_run_create

    run = DiagnosisRun.objects.filter(note=job_note(ctx.job_id)).first()
    if run is None:
        run = diagnosis_run_create(user=actor, on=dt.date.fromisoformat(on) if on else None,
                                   note=job_note(ctx.job_id), progress=ctx.progress)
    return JobOutcome(url=f"{reverse('diagnosis:pipeline')}?run={run.pk}",
                      label=f"培育库运行 #{run.pk}：{run.enterprise_count} 家企业，用时 {run.duration_ms / 1000:.1f} 秒",
                      data={"run": run.pk, "enterprises": run.enterprise_count})
