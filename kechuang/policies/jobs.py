"""Job kinds of the policy app: the 免申即享 screening runs in a worker, not in the request."""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse

from kechuang.jobs.registry import JobOutcome, job_kind


@job_kind("policies.screening", label="免申即享筛查", perm="jobs.screening.start")
def screening(ctx, *, actor, year: int):
    """Screen every enterprise for ``year`` (idempotent: one transaction; a rerun adds no duplicate)
    and tell the enterprise users of each new candidate."""
    from kechuang.core.models import Role, User
    from kechuang.inbox.services import notify

    from .models import Case
    from .services import screening_run

    run = screening_run(user=actor, year=int(year), progress=ctx.progress)
    new_cases = list(Case.objects.filter(last_run=run, evidence_changed=False).select_related("measure"))
    accounts = defaultdict(list)
    for u in User.objects.filter(role=Role.ENTERPRISE_USER, is_active=True,
                                 enterprise_id__in={c.enterprise_id for c in new_cases}):
        accounts[u.enterprise_id].append(u)
    for case in new_cases:
        if accounts.get(case.enterprise_id):
            notify(accounts[case.enterprise_id], f"免申即享新候选：{case.measure.title}",
                   f"经数据比对，贵企业{case.year}年度可能符合“{case.measure.title}”，科技局核实后将通知您确认。",
                   reverse("policies:case", args=[case.pk]), "notice", dedupe_key=f"case-{case.pk}-candidate")
    return JobOutcome(url=reverse("policies:cases") + f"?year={run.year}",
                      label=f"{run.enterprise_count} 家企业，候选 {run.candidate_count} 项（新增 {run.new_count}，"
                            f"证据变化 {run.changed_count}）",
                      data={"run": run.pk, "candidates": run.candidate_count, "new": run.new_count,
                            "changed": run.changed_count})
