"""Job kinds of the enterprise registry: a large Excel import is validated and committed in a
worker (the page uploads, the job validates everything, then writes all or nothing and, when
rows are bad, leaves the per-row error workbook to download)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from kechuang.jobs.registry import JobOutcome, job_kind

#: an upload with more data rows than this is imported by a background job
IMPORT_JOB_ROWS = 300


def _uploads() -> Path:
    path = Path(settings.VAR_DIR) / "job-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_upload(data: bytes) -> str:
    """Store an uploaded workbook for its job; returns the token the job reads it by."""
    token = uuid.uuid4().hex
    (_uploads() / f"{token}.xlsx").write_bytes(data)
    return token


def data_rows(data: bytes) -> int:
    """Rows in the workbook's sheets (from their recorded dimensions; header rows included)."""
    from .excel_io import open_workbook

    wb = open_workbook(data)
    try:
        return sum(max(0, (ws.max_row or 0) - 1) for ws in wb.worksheets)
    finally:
        wb.close()


@job_kind("enterprises.import", label="企业数据导入", perm="jobs.import.start")
def import_job(ctx, *, actor, upload: str, filename: str, dry_run: bool = False):
    """Validate and (unless dry run or any bad row) commit the stored upload; idempotent: rows are
    matched on 统一社会信用代码 and written in one transaction, so a re-run updates nothing twice."""
    from kechuang.core import audit
    from kechuang.core.models import AuditEvent
    from kechuang.core.permissions import is_system

    from .excel_io import WorkbookError, error_report
    from .imports import import_workbook
    from .views import save_error_report

    if not upload.isalnum():
        raise ValueError("bad upload token")
    data = (_uploads() / f"{upload}.xlsx").read_bytes()
    user = None if is_system(actor) else actor
    try:
        result = import_workbook(data, filename=filename, user=user, dry_run=dry_run, progress=ctx.progress)
    except WorkbookError as exc:
        from django.core.exceptions import ValidationError

        raise ValidationError(str(exc)) from None
    audit.record(AuditEvent.Kind.IMPORT, user=user, username=actor.get_username(),
                 outcome="success" if result.ok else "failure", object_ref=f"enterprises:{filename}",
                 detail={"file": filename, "dry_run": dry_run, "problems": len(result.problems),
                         "counts": result.counts, "job": ctx.job_id})
    if not result.ok:
        token = save_error_report(user or actor, error_report(data, result.problems), filename)
        shown = [str(p) for p in result.problems[:20]]
        return JobOutcome(url=reverse("enterprises:import_report", args=[token]),
                          label=f"发现 {len(result.problems)} 处问题，未导入任何数据——下载错误报告",
                          data={"problems": len(result.problems), "first": shown})
    (_uploads() / f"{upload}.xlsx").unlink(missing_ok=True)
    verb = "试运行通过（未保存）" if dry_run else "已导入"
    return JobOutcome(url=reverse("enterprises:list"), label=f"{verb}：{result.summary()}",
                      data={"counts": result.counts, "committed": result.committed})


@job_kind("enterprises.demo", label="生成演示数据", perm="jobs.demo.start")
def demo_job(ctx, *, actor, count: int, seed: int = 2026):
    """Generate ``count`` demo enterprises (``kechuang enterprises demo --background``). Idempotent
    and resumable: each batch commits on its own and a rerun skips the USCCs already present."""
    from .demo import generate

    stats = generate(int(count), seed=int(seed), progress=ctx.progress)
    return JobOutcome(url=reverse("enterprises:list"),
                      label=f"新建演示企业 {stats['created']} 家（已存在 {stats['existing']} 家）", data=stats)
