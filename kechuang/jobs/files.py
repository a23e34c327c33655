"""Files a job produces (a bulletin, an export): stored under ``VAR_DIR/job-files`` by job id, so a
retried or re-run job overwrites its own file (idempotent), and downloaded through the job's page
(``jobs:file``), i.e. only by whoever may see the job."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse


def job_files() -> Path:
    path = Path(settings.VAR_DIR) / "job-files"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_job_file(ctx, body: bytes, filename: str, content_type: str) -> tuple[str, dict]:
    """Store ``body`` as the file of the running job; returns (download url, result data)."""
    ext = re.sub(r"[^a-z0-9]", "", filename.rsplit(".", 1)[-1].lower())[:8] or "bin"
    name = f"job-{int(ctx.job_id)}.{ext}"
    tmp = job_files() / f"{name}.tmp"
    tmp.write_bytes(body)
    tmp.replace(job_files() / name)
    return reverse("jobs:file", args=[ctx.job_id]), {"file": name, "filename": filename,
                                                     "content_type": content_type, "bytes": len(body)}


def job_file_path(job) -> Path | None:
    name = (job.result or {}).get("file", "")
    if not re.fullmatch(r"job-[0-9]{1,12}\.[a-z0-9]{1,8}", name or "") or not name.startswith(f"job-{job.pk}."):
        return None
    path = job_files() / name
    return path if path.is_file() else None
