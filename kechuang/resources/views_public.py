"""Public pages of the 创新资源 module (contract section 8: no sign-in, ``?format=json`` gives
``{"items": [...], "count": N}``). Rows come through the scoping choke point as an anonymous
user: only instruments shared openly and published institute pages are reachable."""
from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render

from kechuang.core.permissions import can
from kechuang.core.scoping import get_scoped_or_404

from . import selectors
from .models import InstituteProfile

MAX_JSON_ITEMS = 5000


def _wants_json(request) -> bool:
    return request.GET.get("format") == "json"


@login_not_required
def instruments(request):
    """共享大型仪器（公开）: name, model, institute, fee rules and how to book; searchable."""
    q = (request.GET.get("q") or "").strip()[:100]
    category = (request.GET.get("category") or "").strip()[:60]
    qs = selectors.public_instruments(request.user, q=q, category=category)
    if _wants_json(request):
        rows = list(qs[:MAX_JSON_ITEMS])
        rules = selectors.rules_for(p.instrument_id for p in rows)
        items = [selectors.instrument_item(p, rules) for p in rows]
        return JsonResponse({"items": items, "count": len(items)}, json_dumps_params={"ensure_ascii": False})
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rules = selectors.rules_for(p.instrument_id for p in page)
    items = [selectors.instrument_item(p, rules) for p in page]
    categories = (selectors.public_instruments(request.user).exclude(instrument__category="")
                  .values_list("instrument__category", flat=True).distinct().order_by("instrument__category"))
    return render(request, "resources/public/instruments.html", {
        "page": page, "items": items, "q": q, "category": category, "categories": list(categories)})


@login_not_required
def institute(request, pk: int):
    """A 大院大所's public page: category, level, fields, experts, instruments and service results
    counted from the records."""
    profile = get_scoped_or_404(InstituteProfile.objects.select_related("institute"), request.user, "view",
                                institute_id=pk)
    inst = profile.institute
    instruments = selectors.public_instruments(request.user).filter(instrument__owner=inst)
    rules = selectors.rules_for(p.instrument_id for p in instruments)
    results = selectors.institute_results(inst)
    achievements = inst.achievements.filter(status="published").order_by("-id")[:20]
    if _wants_json(request):
        return JsonResponse({"name": inst.name, "category": profile.get_category_display(),
                             "level": profile.get_level_display(), "fields": profile.fields,
                             "results": {k: str(v) for k, v in results.items()}}, json_dumps_params={"ensure_ascii": False})
    return render(request, "resources/public/institute.html", {
        "profile": profile, "inst": inst, "results": results, "achievements": achievements,
        "instruments": [selectors.instrument_item(p, rules) for p in instruments],
        "can_edit": request.user.is_authenticated and can(request.user, "resources.institute.manage", profile)})
