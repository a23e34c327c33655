"""``{% inbox_badge %}``: the header links to the message centre and 我的任务. The unread count
is fetched by htmx after the page has loaded (not polled: polling would keep an idle session alive), so a page's own
request costs no query for it."""

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("inbox/badge.html", takes_context=True)
def inbox_badge(context):
    from kechuang.core.passwords import password_expired
    from kechuang.core.permissions import has_perm

    request = context.get("request")
    user = getattr(request, "user", None)
    # Until sign-in is complete (second factor, a password that must be changed) every other URL
    # redirects, and htmx would paste that whole page into the header: show no badge then.
    if (user is None or not user.is_authenticated or password_expired(user)
            or (user.needs_second_factor and not request.session.get("otp_verified"))):
        return {"url": ""}
    jobs_url = reverse("jobs:mine") if has_perm(user, "jobs.job.view") else ""
    return {"url": reverse("inbox:list"), "count_url": reverse("inbox:count"), "jobs_url": jobs_url}
