"""On SQLite a page that only reads takes no write lock: ``kechuang.wsgi.application`` runs GET,
HEAD and OPTIONS views outside a request transaction (each write inside still has its service's own
transaction), while POST and the other methods keep ``ATOMIC_REQUESTS``: all or nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import HttpResponse

from kechuang.core.handlers import KechuangHandler

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_wsgi_application_is_the_product_handler():
    from kechuang.wsgi import application

    assert isinstance(application, KechuangHandler)


def test_reads_take_no_request_transaction_on_sqlite_and_writes_keep_theirs(rf):
    seen = {}

    def view(request):
        seen[request.method] = connection.in_atomic_block
        return HttpResponse("好")

    wrapped = KechuangHandler().make_view_atomic(view)
    for method in ("get", "head", "options", "post", "put", "patch", "delete"):
        assert getattr(rf, method)("/").method
        wrapped(getattr(rf, method)("/"))
    sqlite = connection.vendor == "sqlite"
    assert seen == {"GET": not sqlite, "HEAD": not sqlite, "OPTIONS": not sqlite,
                    "POST": True, "PUT": True, "PATCH": True, "DELETE": True}


def test_a_failing_post_still_rolls_back_everything(rf, world):
    from kechuang.core.models import Region

    def view(request):
        Region.objects.filter(pk=world.township_a.pk).update(name="改名后出错")
        raise RuntimeError("失败")

    wrapped = KechuangHandler().make_view_atomic(view)
    with pytest.raises(RuntimeError):
        wrapped(rf.post("/"))
    world.township_a.refresh_from_db()
    assert world.township_a.name != "改名后出错"


def test_a_view_marked_non_atomic_stays_non_atomic(rf):
    from django.db import transaction

    seen = []

    @transaction.non_atomic_requests
    def view(request):
        seen.append(connection.in_atomic_block)
        return HttpResponse("好")

    wrapped = KechuangHandler().make_view_atomic(view)
    wrapped(rf.post("/"))
    wrapped(rf.get("/"))
    assert seen == [False, False]
