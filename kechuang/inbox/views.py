"""Pages of the message centre: the list (unread first), opening a message, marking all read."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kechuang.core.permissions import require
from kechuang.core.scoping import get_scoped_or_404

from . import services
from .models import Message


def inbox(request):
    """站内信 / 待办 of the signed-in user: all, or only the unread (``?show=unread``), newest first."""
    require(request.user, "inbox.message.view")
    qs = Message.objects.restrict(request.user)
    show = request.GET.get("show", "")
    if show == "unread":
        qs = qs.filter(read_at__isnull=True)
    kind = request.GET.get("kind", "")
    if kind in Message.Kind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "inbox/list.html", {"page": page, "show": show, "kind": kind,
                                               "kinds": Message.Kind.choices,
                                               "unread": services.unread_count(request.user)})


@login_not_required
def count(request):
    """The unread count for the header badge (fetched by htmx after the page loads). Signed out
    (the session ended, or the badge of a page loaded just before signing out), it answers 401
    with nothing to show: the login page it would otherwise be redirected to sets a new CSRF
    cookie, and the login form open in the browser would then be refused."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    return render(request, "inbox/_count.html", {"count": services.unread_count(request.user)})


def open_message(request, pk: int):
    """Mark the message read and go to the object it is about (or back to the list)."""
    msg = get_scoped_or_404(Message, request.user, "view", pk=pk)
    services.message_open(user=request.user, message=msg)
    if msg.url and url_has_allowed_host_and_scheme(msg.url, allowed_hosts={request.get_host()}):
        return redirect(msg.url)
    return redirect("inbox:list")


@require_POST
def mark_all_read(request):
    n = services.messages_mark_all_read(user=request.user)
    flash.success(request, f"已将 {n} 条消息标为已读")
    return redirect("inbox:list")
