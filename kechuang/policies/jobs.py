"""Job kinds of the policy app: the 免申即享 screening runs in a worker, not in the request."""

from __future__ import annotations

from django.urls import reverse

from kechuang.jobs.registry import JobOutcome, job_kind


@job_kind("policies.screening", label="免申即享筛查", perm="jobs.screening.start")
def screening(ctx, *, actor, year: int):
    """Screen every enterprise for ``year`` (idempotent: one transaction; a rerun adds no duplicate)
    and tell the enterprise users of each new candidate."""
    from .services import notify_new_candidates, screening_run

    run = screening_run(user=actor, year=int(year), progress=ctx.progress, reason="年度筛查（筛查页面发起）")
    notify_new_candidates(run)
    return JobOutcome(url=reverse("policies:cases") + f"?year={run.year}",
                      label=f"{run.enterprise_count} 家企业，候选 {run.candidate_count} 项（新增 {run.new_count}，"
                            f"证据变化 {run.changed_count}）",
                      data={"run": run.pk, "candidates": run.candidate_count, "new": run.new_count,
                            "changed": run.changed_count})
