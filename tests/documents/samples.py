"""The documents the tests measure: a full-size bulletin (27 units × 10 indicators), a small one,
an empty period, and the pre-diagnosis report of a sample enterprise."""

from __future__ import annotations

import datetime as dt

from tests.rules.test_report import FACTS
from tests.targets.test_bulletin import sample, township_sample

ON = dt.date(2026, 6, 30)


def full_bulletin():
    return township_sample()


def small_bulletin():
    return sample()


def report_inputs():
    from kechuang.rules.engine import evaluate_all
    from kechuang.rules.facts import parse_facts

    facts = parse_facts({**FACTS, "region": "水头镇"})
    return evaluate_all(facts, ON), facts
