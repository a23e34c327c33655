"""Shared helpers for the policy-engine tests."""

from __future__ import annotations

import pytest

from kechuang.policies.engine import calculate, load_policies


@pytest.fixture(scope="session")
def policies():
    """The shipped policies (data/policies/*.yaml)."""
    return load_policies()


@pytest.fixture()
def calc(policies):
    """calc(facts, year) → contract JSON (with --all)."""
    def run(facts, year=2026, extra=()):
        return calculate(facts, year, tuple(policies) + tuple(extra)).to_json(include_all=True)
    return run


def m(result, measure_id):
    """The measure entry ``measure_id`` of a result JSON."""
    for item in result["measures"]:
        if item["id"] == measure_id:
            return item
    raise KeyError(measure_id)


def ev(kind, date, **extra):
    """An event dict."""
    return {"kind": kind, "date": date, **extra}


def hnte(valid_from="2024-01-01", valid_until="2026-12-31", first=None):
    """A 高企 qualification record."""
    return {"kind": "hnte", "first_recognized_on": first or valid_from, "valid_from": valid_from,
            "valid_until": valid_until}
