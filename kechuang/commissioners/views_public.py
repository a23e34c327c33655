"""公开信息: the roster of recognised 科技特派员 (contract section 8), no sign-in."""
from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import selectors


@login_not_required
@require_GET
def roster(request):
    """/public/commissioners/: the current year's recognised commissioners — kind, level, field,
    派出单位 (an individual's name masked, no phone or other personal data); ``?format=json`` gives
    ``{"items": [...], "count": N}``."""
    year = timezone.localdate().year
    items = selectors.public_roster(year)
    if request.GET.get("format") == "json":
        return JsonResponse({"year": year, "items": items, "count": len(items)},
                            json_dumps_params={"ensure_ascii": False})
    return render(request, "commissioners/public_roster.html", {"items": items, "year": year})
