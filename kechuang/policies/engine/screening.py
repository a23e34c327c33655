"""Vectorised screening of a population (免申即享): the calculator's verdicts over columns.

``screen(population, year, policies)`` gives, for every measure, each enterprise's status
(0 ineligible, 1 near, 2 eligible), amount and upper bound (int64 分; ``NONE_MAX`` where the
amount is undetermined), and after the stacking rule which amounts count and the totals.
It mirrors :mod:`.conditions`, :mod:`.calculator` and :mod:`.stacking` rule for rule; a
property test checks that both paths agree on random populations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .columns import MISSING, Population, day, encode_value, years_of
from .errors import PolicyInputError
from .events import EVENT_KINDS
from .model import LEVEL_RANK, Measure, Policy
from .money import from_units, to_units

INELIGIBLE, NEAR, ELIGIBLE = 0, 1, 2
NONE_MAX = -1  # amount_max undetermined
NEAR_NUM, NEAR_DEN = 4, 5  # NEAR_FRACTION = 0.8 as an exact fraction


@dataclass
class MeasureColumns:
    """Per-enterprise verdict of one measure."""

    measure: Measure
    policy: Policy
    status: np.ndarray
    amount: np.ndarray
    amount_max: np.ndarray
    counted: np.ndarray


@dataclass
class ScreeningResult:
    """Verdicts of every measure for every enterprise of a population."""

    year: int
    population: Population
    measures: list[MeasureColumns]
    total: np.ndarray
    total_max: np.ndarray

    def candidates(self, include_near: bool = False) -> Iterable[tuple[int, MeasureColumns]]:
        """(enterprise index, measure columns) of every eligible (and optionally near) verdict."""
        for mc in self.measures:
            want = mc.status == ELIGIBLE if not include_near else mc.status >= NEAR
            for i in np.flatnonzero(want):
                yield int(i), mc


def _frac(d) -> tuple[int, int]:
    f = Fraction(d)
    return f.numerator, f.denominator


def _window_days(policy: Policy) -> tuple[int, int]:
    return day(policy.effective), (day(policy.expiry) if policy.expiry else np.iinfo(np.int64).max)


def _ent_mask(n: int, ents: np.ndarray) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    m[ents] = True
    return m


def _holds_during(pop: Population, kinds: Iterable[str], start: int, end: int) -> np.ndarray:
    """Per enterprise: some qualification of ``kinds`` valid on a day of [start, end]."""
    held = np.zeros(pop.n, dtype=bool)
    for k in kinds:
        q = pop.qual_cols(k)
        qs = np.where(q.vfrom != MISSING, q.vfrom, q.first)
        ok = ((qs == MISSING) | (qs <= end)) & ((q.vuntil == MISSING) | (q.vuntil >= start))
        held |= _ent_mask(pop.n, q.ent[ok])
    return held


def _year_days(year: int) -> tuple[int, int]:
    return day(dt.date(year, 1, 1)), day(dt.date(year, 12, 31))


def _raise_at(pop: Population, rows_ent: np.ndarray, bad: np.ndarray, key: str, message: str) -> None:
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise PolicyInputError(f"企业 {pop.ids[int(rows_ent[i])]} 的 {key}", message)


class _Instances:
    """Instances of one measure as columns: owner, hard-fail flag, non-pass count, amounts."""

    def __init__(self, ent: np.ndarray):
        k = len(ent)
        self.ent = ent
        self.hard = np.zeros(k, dtype=bool)
        self.nonpass = np.zeros(k, dtype=np.int64)
        self.amount = np.zeros(k, dtype=np.int64)
        self.amax = np.zeros(k, dtype=np.int64)

    def cond(self, passed: np.ndarray, missing: np.ndarray | None = None, hard: np.ndarray | bool = False) -> None:
        """Record one condition: passed / missing masks; ``hard`` marks unfixable fails."""
        missing = np.zeros_like(passed) if missing is None else missing
        failed = ~passed & ~missing
        self.nonpass += (~passed).astype(np.int64)
        self.hard |= failed & hard


def _event_instances(pop: Population, m: Measure, policy: Policy, year: int):
    t = m.trigger
    ec = pop.event_cols(t.event)
    in_year = ec.year == year
    has_kind = _ent_mask(pop.n, ec.ent[in_year])
    sel = in_year.copy()
    for name, value in t.match.items():
        col = ec.fields.get(name)
        code = encode_value(t.event, name, value)
        sel &= (col == code) if col is not None else False
    ent, days = ec.ent[sel], ec.day[sel]
    fields = {k: v[sel] for k, v in ec.fields.items()}
    if t.from_qualification is not None:
        q = pop.qual_cols(t.from_qualification)
        qy = years_of(q.vfrom)
        qsel = (q.vfrom != MISSING) & (qy == year) & ~has_kind[q.ent]
        qent, qday = q.ent[qsel], q.vfrom[qsel]
        first = np.where(q.first[qsel] == MISSING, MISSING, (q.first[qsel] == q.vfrom[qsel]).astype(np.int64))
        ent = np.concatenate([ent, qent])
        days = np.concatenate([days, qday])
        fields = {k: np.concatenate([v, np.full(len(qent), MISSING, dtype=np.int64)]) for k, v in fields.items()}
        if "first_time" in fields:
            fields["first_time"][len(fields["first_time"]) - len(qent):] = first
        else:
            fields["first_time"] = np.concatenate([np.full(len(ent) - len(qent), MISSING, dtype=np.int64), first])
    return ent, days, fields


def _benefit(pop: Population, m: Measure, inst: _Instances, fields: dict, live: np.ndarray) -> None:
    """Amounts per instance (only where ``live``: window passed); raises like the scalar path."""
    b = m.benefit
    k = len(inst.ent)
    get = lambda name: fields.get(name, np.full(k, MISSING, dtype=np.int64))  # noqa: E731
    if b.kind == "fixed":
        inst.amount[live] = inst.amax[live] = to_units(b.amount)
    elif b.kind == "range":
        v = get(b.field)
        have = live & (v != MISSING)
        lo, hi = to_units(b.min), to_units(b.max)
        _raise_at(pop, inst.ent, have & ((v < lo) | (v > hi)), b.field, f"超出“{m.title}”的金额范围（{m.citation}）")
        inst.amount[live], inst.amax[live] = lo, hi
        inst.amount[have], inst.amax[have] = v[have], v[have]
    elif b.kind == "up_to":
        v = get(b.field)
        have = live & (v != MISSING)
        _raise_at(pop, inst.ent, have & (v > to_units(b.max)), b.field, f"核定金额超过“{m.title}”最高限额（{m.citation}）")
        inst.amax[live] = to_units(b.max)
        inst.amount[have], inst.amax[have] = v[have], v[have]
    elif b.kind == "per_unit_up_to":
        units = get(b.unit_field)
        miss = units == MISSING
        inst.cond(~(live & miss), live & miss)
        ok = live & ~miss
        _raise_at(pop, inst.ent, ok & (units < 1), b.unit_field, "人数应至少为 1")
        cap = np.where(ok, to_units(b.max_per_unit) * np.where(ok, units, 0), 0)
        v = get(b.field)
        have = ok & (v != MISSING)
        _raise_at(pop, inst.ent, have & (v > cap), b.field, f"核定金额超过“{m.title}”最高限额（{m.citation}）")
        inst.amax[ok] = cap[ok]
        inst.amount[have], inst.amax[have] = v[have], v[have]
    elif b.kind == "per_month":
        kind, months = get(b.field), get(b.months_field)
        mk, mm = live & (kind == MISSING), live & (months == MISSING)
        inst.cond(~mk, mk)
        inst.cond(~mm, mm)
        ok = live & ~mk & ~mm
        _raise_at(pop, inst.ent, ok & ((months < 1) | (months > 12)), b.months_field, "一个年度内的补贴月数应在 1~12 之间")
        values = sorted(EVENT_KINDS[m.trigger.event][1][b.field])  # code = index in sorted enum
        rates = np.array([to_units(b.rates[v]) for v in values], dtype=np.int64)
        amt = np.where(ok, rates[np.where(ok, kind, 0)] * np.where(ok, months, 0), 0)
        inst.amount[ok], inst.amax[ok] = amt[ok], amt[ok]
    elif b.kind == "share_capped":
        base = get(b.field)
        miss = live & (base == MISSING)
        inst.cond(~miss, miss)
        inst.amax[miss] = to_units(b.cap)
        ok = live & ~miss
        num, den = _frac(b.share)
        amt = (2 * np.where(ok, base, 0) * num + den) // (2 * den)
        amt = np.minimum(amt, to_units(b.cap))
        inst.amount[ok], inst.amax[ok] = amt[ok], amt[ok]
    elif b.kind == "undetermined":
        inst.amax[:] = NONE_MAX


def _instances(pop: Population, m: Measure, policy: Policy, year: int) -> _Instances:
    t = m.trigger
    eff, exp = _window_days(policy)
    ys, ye = _year_days(year)
    overlaps = policy.overlaps_year(year)
    if t.type == "event":
        ent, days, fields = _event_instances(pop, m, policy, year)
        inst = _Instances(ent)
        live = (days >= eff) & (days <= exp)
        inst.cond(live, hard=True)
        for r in m.require:
            col = fields.get(r.field, np.full(len(ent), MISSING, dtype=np.int64))
            miss = col == MISSING
            if r.one_of is not None:
                codes = [encode_value(t.event, r.field, v) for v in r.one_of]
                ok = np.isin(col, codes)
            else:
                ok = col == encode_value(t.event, r.field, r.equals)
            inst.cond(ok & ~miss, miss, hard=True)
        for c in m.conditions:
            if c.check == "holds_any":
                held = _holds_during(pop, c.kinds, ys, ye)
                inst.cond(held[ent])
            elif c.check == "has_event":
                oc = pop.event_cols(c.kind)
                first_day = np.full(pop.n, np.iinfo(np.int64).max, dtype=np.int64)
                np.minimum.at(first_day, oc.ent, oc.day)
                inst.cond(first_day[ent] <= days)
        _benefit(pop, m, inst, fields, live)
        return inst
    if t.type == "holds_any":
        held = _holds_during(pop, t.kinds, ys, ye) if overlaps else np.zeros(pop.n, dtype=bool)
        return _Instances(np.flatnonzero(held).astype(np.int64))
    if t.type == "rd_intensity":
        fy = year - t.year_offset
        rd, rev = pop.fiscal("rd_expense", fy), pop.fiscal("operating_revenue", fy)
        ent = np.flatnonzero((rd != MISSING) & overlaps).astype(np.int64)
        rd, rev = rd[ent], rev[ent]
        inst = _Instances(ent)
        num, den = _frac(t.ratio)
        line = to_units(t.amount)
        over_amount = rd > line
        no_rev = (rev == MISSING) | (rev == 0)
        rev0 = np.where(no_rev, 1, rev)
        over_ratio = ~no_rev & (rd * den > num * rev0)
        passed = over_amount | over_ratio
        missing = ~over_amount & no_rev
        hard = ~no_rev & (NEAR_DEN * rd * den < NEAR_NUM * num * rev0) & (NEAR_DEN * rd < NEAR_NUM * line)
        inst.cond(passed, missing, hard=hard)
        return inst
    if t.type == "revenue_first_above":
        fy = year - t.year_offset
        rev = pop.fiscal(t.revenue_field, fy)
        ent = np.flatnonzero((rev != MISSING) & overlaps).astype(np.int64)
        rev = rev[ent]
        line = to_units(t.line)
        inst = _Instances(ent)
        inst.cond(rev > line, hard=NEAR_DEN * rev < NEAR_NUM * line)
        earlier = pop.year_list < fy
        prior = pop.money[t.revenue_field][ent][:, earlier] if earlier.any() else np.full((len(ent), 0), MISSING)
        prior_present = (prior != MISSING).any(axis=1)
        prior_above = ((prior != MISSING) & (prior > line)).any(axis=1)
        est = pop.established[ent]
        young = (est != MISSING) & (years_of(est) >= fy)
        first_pass = ~prior_above & (prior_present | young)
        first_missing = ~prior_above & ~prior_present & ~young
        inst.cond(first_pass, first_missing, hard=prior_above)
        fys, fye = _year_days(fy)
        inst.cond(_holds_during(pop, ("hnte",), fys, fye)[ent])
        inst.amount[:] = inst.amax[:] = to_units(m.benefit.amount)
        return inst
    if t.type == "became_above_size_while":
        q = pop.qual_cols("above_designated_size")
        qday = np.where(q.first != MISSING, q.first, q.vfrom)
        sel = (qday != MISSING) & (years_of(qday) == year)
        rows = np.flatnonzero(sel)
        ent, days = q.ent[rows], qday[rows]
        inst = _Instances(ent)
        live = (days >= eff) & (days <= exp)
        inst.cond(live, hard=True)
        fm = q.first[rows] == MISSING
        inst.cond(~fm, fm)
        # an earlier 规上 record of the same enterprise (another row with an earlier day)
        earlier = np.zeros(len(rows), dtype=bool)
        hn = pop.qual_cols(t.while_kind)
        hstart = np.where(hn.vfrom != MISSING, hn.vfrom, hn.first)
        for j, r in enumerate(rows):  # rows are few (only this year's upsizings)
            same = (q.ent == q.ent[r]) & (np.arange(len(q.ent)) != r) & (qday != MISSING) & (qday < days[j])
            earlier[j] = same.any()
        inst.cond(~earlier, hard=earlier)
        before = days - 1
        held = np.zeros(len(rows), dtype=bool)
        for j in range(len(rows)):
            same = hn.ent == ent[j]
            held[j] = (same & ((hstart == MISSING) | (hstart <= before[j]))
                       & ((hn.vuntil == MISSING) | (hn.vuntil >= before[j]))).any()
        inst.cond(held, hard=~held)
        inst.amount[live] = inst.amax[live] = to_units(m.benefit.amount)
        return inst
    raise AssertionError(t.type)  # pragma: no cover


def _measure_columns(pop: Population, m: Measure, policy: Policy, year: int) -> MeasureColumns:
    n = pop.n
    status = np.zeros(n, dtype=np.int8)
    amount = np.zeros(n, dtype=np.int64)
    amax = np.zeros(n, dtype=np.int64)
    if m.kind == "mechanism" or m.trigger is None:
        return MeasureColumns(m, policy, status, amount, amax, np.zeros(n, dtype=bool))
    inst = _instances(pop, m, policy, year)
    elig = ~inst.hard & (inst.nonpass == 0)
    near = ~inst.hard & (inst.nonpass == 1)
    ent = inst.ent
    has_near = _ent_mask(n, ent[near])
    has_elig = _ent_mask(n, ent[elig])
    status[has_near] = NEAR
    status[has_elig] = ELIGIBLE
    e_ent, e_amt, e_max = ent[elig], inst.amount[elig], inst.amax[elig]
    if m.aggregate == "sum":
        np.add.at(amount, e_ent, e_amt)
        undetermined = _ent_mask(n, e_ent[e_max == NONE_MAX])
        np.add.at(amax, e_ent, np.where(e_max == NONE_MAX, 0, e_max))
        amax[undetermined] = NONE_MAX
    else:
        key_max = np.where(e_max == NONE_MAX, e_amt, e_max)
        order = np.lexsort((key_max, e_amt, e_ent))
        last = np.ones(len(order), dtype=bool)
        if len(order):
            last[:-1] = e_ent[order][1:] != e_ent[order][:-1]
        pick = order[last]
        amount[e_ent[pick]] = e_amt[pick]
        amax[e_ent[pick]] = e_max[pick]
    return MeasureColumns(m, policy, status, amount, amax, np.zeros(n, dtype=bool))


def _stack(pop: Population, cols: list[MeasureColumns]) -> None:
    """The stacking rule of :mod:`.stacking`, column-wise."""
    n = pop.n
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(cols):
        # a measure paid to a person or team never counts toward the enterprise (calculator rule)
        if c.measure.benefit.monetary and c.measure.recipient == "enterprise":
            groups.setdefault(c.measure.stacking_group, []).append(i)
    for members in groups.values():
        levels = sorted({cols[i].policy.level for i in members}, key=LEVEL_RANK.__getitem__)
        acc = np.zeros(n, dtype=np.int64)
        any_counted = np.zeros(n, dtype=bool)
        for level in levels:
            win = np.full(n, -1, dtype=np.int64)
            best_a = np.zeros(n, dtype=np.int64)
            best_m = np.zeros(n, dtype=np.int64)
            for i in members:
                c = cols[i]
                if c.policy.level != level:
                    continue
                el = c.status == ELIGIBLE
                mx = np.where(c.amount_max == NONE_MAX, c.amount, c.amount_max)
                better = el & ((win < 0) | (c.amount > best_a) | ((c.amount == best_a) & (mx > best_m)))
                win[better], best_a[better], best_m[better] = i, c.amount[better], mx[better]
            has = win >= 0
            stacks = np.zeros(n, dtype=bool)
            for i in members:
                stacks |= (win == i) & cols[i].measure.stacks_on_higher
            first = has & ~any_counted
            add = has & any_counted & stacks
            replace = has & any_counted & ~stacks & (best_a > acc)
            for i in members:
                cols[i].counted[replace] = False
            for i in members:
                cols[i].counted |= (win == i) & (first | add | replace)
            acc = np.where(first | replace, best_a, np.where(add, acc + best_a, acc))
            any_counted |= has


def screen(pop: Population, year: int, policies: Iterable[Policy]) -> ScreeningResult:
    """Verdicts of every measure of ``policies`` for every enterprise of ``pop`` in ``year``."""
    cols = [_measure_columns(pop, m, p, year) for p in policies for m in p.measures]
    _stack(pop, cols)
    total = np.zeros(pop.n, dtype=np.int64)
    total_max = np.zeros(pop.n, dtype=np.int64)
    for c in cols:
        if not c.measure.benefit.monetary:
            continue
        k = c.counted & (c.status == ELIGIBLE)
        total += np.where(k, c.amount, 0)
        total_max += np.where(k, np.where(c.amount_max == NONE_MAX, c.amount, c.amount_max), 0)
    return ScreeningResult(year, pop, cols, total, total_max)


def units_to_json(units: int) -> float | None:
    """int64 分 → 万元 float (None for ``NONE_MAX``)."""
    return None if units == NONE_MAX else float(from_units(units))
