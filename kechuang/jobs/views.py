"""Pages of background jobs: 我的任务, one job with its live progress bar, cancel and retry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kechuang.core.permissions import can, require
from kechuang.core.roles import Role
from kechuang.core.scoping import get_scoped_or_404

from . import services
from .models import Job


def mine(request):
    """我的任务: the jobs the user started (科技局 may tick “全部” to see everyone's)."""
    require(request.user, "jobs.job.view")
    qs = Job.objects.restrict(request.user).select_related("started_by")
    everyone = request.GET.get("all") == "1" and getattr(request.user, "role", "") == Role.BUREAU_STAFF
    if not everyone:
        qs = qs.filter(started_by_id=request.user.pk)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "jobs/list.html", {"page": page, "everyone": everyone})


def _context(request, job: Job) -> dict:
    return {"job": job, "can_cancel": not job.is_finished and can(request.user, "jobs.job.cancel", job),
            "can_retry": job.state in (Job.State.FAILED, Job.State.CANCELLED)
            and can(request.user, "jobs.job.retry", job)}


def detail(request, pk: int):
    """One job: its arguments, state, a progress bar that refreshes itself, the result link."""
    job = get_scoped_or_404(Job, request.user, "view", pk=pk)
    return render(request, "jobs/detail.html", _context(request, job))


def progress(request, pk: int):
    """The progress fragment the job page polls (htmx, every second until the job finishes)."""
    job = get_scoped_or_404(Job, request.user, "view", pk=pk)
    return render(request, "jobs/_progress.html", _context(request, job))


@require_POST
def cancel(request, pk: int):
    job = get_scoped_or_404(Job, request.user, "change", pk=pk)
    try:
        services.job_cancel(actor=request.user, job=job)
        messages.success(request, "已请求取消该任务")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("jobs:detail", pk=job.pk)


@require_POST
def retry(request, pk: int):
    job = get_scoped_or_404(Job, request.user, "change", pk=pk)
    try:
        services.job_retry(actor=request.user, job=job)
        messages.success(request, "任务已重新排队")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("jobs:detail", pk=job.pk)


def file(request, pk: int):
    """The file a finished job produced (a bulletin…), for whoever may see the job."""
    from django.http import Http404

    from kechuang.core.audit import AuditEvent, record
    from kechuang.core.downloads import attachment

    from .files import job_file_path

    job = get_scoped_or_404(Job, request.user, "view", pk=pk)
    path = job_file_path(job) if job.state == Job.State.DONE else None
    if path is None:
        raise Http404("任务没有可下载的文件")
    record(AuditEvent.Kind.EXPORT, request=request, object_ref=f"jobs.Job:{job.pk}",
           detail={"file": job.result.get("filename", ""), "job": job.kind})
    return attachment(path.read_bytes(), job.result.get("filename") or path.name,
                      job.result.get("content_type") or "application/octet-stream")
