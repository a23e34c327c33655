"""Job kinds of the technology market: building and updating the catalogue's search index
(queued on commit of every change to an achievement, by ``kechuang serve`` when no index exists,
and by the bureau's 重建检索索引 button; searches only read the index it writes)."""

from __future__ import annotations

from django.urls import reverse

from kechuang.jobs.registry import JobOutcome, job_kind

from .catalogue import INDEX_JOB


@job_kind(INDEX_JOB, label="成果检索索引更新", perm="jobs.search_index.start")
def search_index(ctx, *, actor, rebuild: bool = False):
    """Bring the index in step with the published achievements (idempotent: nothing changed →
    nothing written; a new version is swapped in only when complete)."""
    from .catalogue import catalogue_sync

    out = catalogue_sync(progress=ctx.progress, rebuild=bool(rebuild))
    label = (f"索引 {out['documents']} 项成果（新增或更新 {out['added']}，移除 {out['removed']}）"
             if out["added"] or out["removed"] else f"索引已是最新（{out['documents']} 项成果）")
    return JobOutcome(url=reverse("techmarket:search"), label=label, data=out)
