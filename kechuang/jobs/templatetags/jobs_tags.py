"""``{% job_panel "targets.bulletin" %}``: the progress bars of the user's recent jobs of those kinds
on the page that starts them (the same fragment as the job page, polled by htmx while running;
the result link appears when done), so the page stays usable while the work runs."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()

#: how long a finished job's bar (with its result link) stays on the page that started it
RECENT = dt.timedelta(minutes=30)


@register.inclusion_tag("jobs/_panel.html", takes_context=True)
def job_panel(context, *kinds: str, limit: int = 3, anyone: bool = False):
    """The user's own recent jobs of ``kinds``; with ``anyone`` every recent job of those kinds the
    user may see (the index updates queued by publishing, on the moderation page)."""
    from kechuang.core.permissions import can

    from ..models import Job

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False) or not can(user, "jobs.job.view"):
        return {"jobs": []}
    since = timezone.now() - RECENT
    qs = Job.objects.restrict(user).filter(kind__in=kinds, created_at__gte=since)
    if not anyone:
        qs = qs.filter(started_by_id=user.pk)
    jobs = list(qs.order_by("-created_at")[:limit])
    for job in jobs:
        job.can_cancel = not job.is_finished and can(user, "jobs.job.cancel", job)
        job.can_retry = job.state in (Job.State.FAILED, Job.State.CANCELLED) and can(user, "jobs.job.retry", job)
    return {"jobs": jobs, "csrf_token": context.get("csrf_token")}
