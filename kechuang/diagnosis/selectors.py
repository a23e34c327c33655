"""Reads of the diagnosis app; each takes the acting ``user`` first (row scoping)."""

from __future__ import annotations

import datetime as dt

from kechuang.rules.engine import SCHEMES, evaluate, schemes_in_force
from kechuang.rules.facts import Facts, parse_facts
from kechuang.rules.verdict import Verdict


def enterprise_verdicts(user, pk: int, *, on: dt.date | None = None) -> tuple[object, Facts, list[Verdict]]:
    """All five schemes for one enterprise the user may view (404 otherwise)."""
    from kechuang.enterprises import selectors as ent_selectors
    from kechuang.enterprises.facts import enterprise_facts

    enterprise = ent_selectors.enterprise_detail(user, pk)
    on = on or dt.date.today()
    facts = parse_facts(enterprise_facts(enterprise, on=on))
    return enterprise, facts, [evaluate(s, facts, on) for s in schemes_in_force(on)]


def facts_verdicts(raw: dict, *, on: dt.date | None = None, schemes=SCHEMES) -> tuple[Facts, list[Verdict]]:
    """Verdicts for facts given by the caller (self-check, API); nothing is read or stored.

    Raises :class:`kechuang.rules.facts.FactsError` for bad facts and
    :class:`kechuang.rules.engine.NoRulesInForce` for a date before any rules (schemes not yet
    in force on ``on`` are left out)."""
    facts = parse_facts(raw)
    on = on or dt.date.today()
    return facts, [evaluate(s, facts, on) for s in schemes_in_force(on, schemes)]
