"""Adapter from the enterprise facts of contract section 2 to what the measures read.

General keys are validated by :func:`kechuang.rules.facts.parse_facts` (the project's one
facts parser); ``events`` are validated here because the policy measures need more event
kinds than the parser knows (see :mod:`.events`). Errors of either become
:class:`PolicyInputError` with the same key path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kechuang.rules.facts import Facts, FactsError, Qualification, YearFigures, parse_facts

from .errors import PolicyInputError
from .events import PolicyEvent, parse_events


@dataclass(frozen=True)
class Enterprise:
    """The facts one policy calculation reads."""

    name: str | None
    uscc: str | None
    region: str | None
    established_on: dt.date | None
    years: Mapping[int, YearFigures]
    qualifications: tuple[Qualification, ...]
    events: tuple[PolicyEvent, ...]

    def holds_during(self, kinds: tuple[str, ...] | list[str], start: dt.date, end: dt.date) -> bool:
        """True when a qualification of one of ``kinds`` is valid on some day of [start, end]."""
        for q in self.qualifications:
            if q.kind not in kinds:
                continue
            q_start = q.valid_from or q.first_recognized_on
            if q_start is not None and q_start > end:
                continue
            if q.valid_until is not None and q.valid_until < start:
                continue
            return True
        return False


def enterprise_from_facts(obj: Mapping[str, Any] | Facts) -> Enterprise:
    """Validate a facts object (dict) and return the :class:`Enterprise` view.

    Raises :class:`PolicyInputError` naming the key path of the first problem.
    """
    if isinstance(obj, Facts):
        return Enterprise(obj.name, obj.uscc, obj.region, obj.established_on, obj.years,
                          obj.qualifications, ())
    if not isinstance(obj, Mapping):
        raise PolicyInputError("$", "企业数据应为 JSON 对象")
    rest = {k: v for k, v in obj.items() if k != "events"}
    try:
        facts = parse_facts(rest)
    except FactsError as exc:
        raise PolicyInputError(exc.key, exc.message) from None
    events = parse_events(obj.get("events"))
    return Enterprise(facts.name, facts.uscc, facts.region, facts.established_on, facts.years,
                      facts.qualifications, events)
