"""Migrations 0005–0007: every dispatch made before them (always from a match) gets its need from
that match, and the rule "a dispatch's match is a suggestion for its need" is in place afterwards."""
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("techmarket", "0004_numeric_bounds")]
AFTER = [("techmarket", "0007_dispatch_need_required")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_existing_dispatches_get_their_need(world):
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()   # every app: whatever 0004 unapplied
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        Need, Achievement, Match, Broker, Dispatch = (
            old.get_model("techmarket", name) for name in ("Need", "Achievement", "Match", "Broker", "Dispatch"))
        rows = []
        for title in ("石材切割", "陶瓷釉料"):
            need = Need.objects.create(enterprise_id=world.enterprise_a.pk, township_id=world.township_a.pk,
                                       title=title, description=title)
            ach = Achievement.objects.create(title=f"{title}技术", status="published")
            match = Match.objects.create(need=need, achievement=ach, rank=1, score=0.9)
            broker = Broker.objects.create(name=f"{title}经理")
            d = Dispatch.objects.create(match=match, broker=broker, rule="旧规则", assigned_at=timezone.now(),
                                        first_contact_due=date(2026, 3, 5))
            rows.append((d.pk, need.pk, match.pk))
        _migrate(AFTER)
    finally:
        _migrate(leaf)
    from kechuang.techmarket.models import Dispatch as Current
    from kechuang.techmarket.models import Match as CurrentMatch

    for dispatch_id, need_id, match_id in rows:
        d = Current.objects.get(pk=dispatch_id)
        assert (d.need_id, d.match_id) == (need_id, match_id)
    (first, need_a, _), (_, need_b, match_b) = rows
    with pytest.raises(IntegrityError), transaction.atomic():
        Current.objects.filter(pk=first).update(need_id=need_b)
    with pytest.raises(IntegrityError), transaction.atomic():
        CurrentMatch.objects.filter(pk=match_b).update(need_id=need_a)
