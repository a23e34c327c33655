"""Dated, cited rule parameters loaded from ``kechuang/rules/parameters/*.yaml``.

Each scheme file lists its rule *versions* (e.g. the 2022 暂行办法 and the 2026 办法 for
专精特新) and its *parameters*. A parameter has one or more dated values, each with a
structured citation (文号 + 条/款/项), ``effective`` / ``expiry`` dates, ``verified``
(false for the [S]/[U] items of RULES-SOURCES.md) and a ``note`` with the open question.
:func:`parameters_for(scheme, on)` resolves the version and every parameter in force on
a date; a parameter without a value on that date is an error, never a silent default.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

PARAMETER_DIR = Path(__file__).with_name("parameters")


class ParameterError(LookupError):
    """A parameter file is malformed or has no value in force on the requested date."""


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from: the document number and the article/clause/item."""

    document: str
    article: str

    def __str__(self) -> str:
        return f"{self.document} {self.article}".strip()


@dataclass(frozen=True)
class Band:
    """One band of a scoring table: values ≥ ``minimum`` earn ``points`` (a range)."""

    minimum: Fraction
    points_min: int
    points_max: int
    label: str = ""
    strict: bool = False  # True: values must be strictly above ``minimum`` (e.g. "> 0")


@dataclass(frozen=True)
class Param:
    """One parameter value in force: the value with its citation and verification state."""

    name: str
    value: Any
    citation: Citation
    effective: _dt.date
    expiry: _dt.date | None
    verified: bool
    note: str
    label: str

    @property
    def fraction(self) -> Fraction:
        """The value as an exact fraction (for ratio/amount comparisons)."""
        return Fraction(Decimal(str(self.value)))

    @property
    def decimal(self) -> Decimal:
        """The value as an exact Decimal."""
        return Decimal(str(self.value))

    @property
    def bands(self) -> tuple[Band, ...]:
        """The value as scoring bands, highest first."""
        return self.value  # converted at load time


@dataclass(frozen=True)
class RuleVersion:
    """A version of a scheme's rules, in force from ``effective`` until ``expiry``."""

    id: str
    title: str
    documents: tuple[str, ...]
    effective: _dt.date
    expiry: _dt.date | None
    verified: bool
    note: str


@dataclass(frozen=True)
class ParameterSet:
    """All parameters of one scheme resolved for one date."""

    scheme: str
    title: str
    on: _dt.date
    version: RuleVersion
    params: Mapping[str, Param]
    rules_version: str

    def __getitem__(self, name: str) -> Param:
        try:
            return self.params[name]
        except KeyError:
            raise ParameterError(
                f"{self.scheme}: 参数 {name} 在 {self.on.isoformat()} 无有效取值") from None

    def __contains__(self, name: str) -> bool:
        return name in self.params


def _as_date(value: Any, where: str) -> _dt.date | None:
    if value is None:
        return None
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(f"{where}: 日期格式错误 {value!r}") from None


def _convert_value(raw: Any, where: str) -> Any:
    if isinstance(raw, list) and raw and isinstance(raw[0], dict) and "min" in raw[0]:
        bands = []
        for i, b in enumerate(raw):
            pts = b.get("points")
            if isinstance(pts, list):
                lo, hi = int(pts[0]), int(pts[1])
            elif isinstance(pts, int):
                lo = hi = pts
            else:
                raise ParameterError(f"{where}[{i}]: points 应为整数或 [最小, 最大]")
            bands.append(Band(Fraction(Decimal(str(b["min"]))), lo, hi, str(b.get("label", "")),
                              bool(b.get("strict", False))))
        mins = [b.minimum for b in bands]
        if mins != sorted(mins, reverse=True):
            raise ParameterError(f"{where}: 档次应按下限从高到低排列")
        return tuple(bands)
    return raw


@cache
def _load(scheme: str) -> tuple[dict, str]:
    path = PARAMETER_DIR / f"{scheme}.yaml"
    if not path.exists():
        raise ParameterError(f"未知的认定类型 {scheme!r}")
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return data, digest


def _in_force(eff: _dt.date, exp: _dt.date | None, on: _dt.date) -> bool:
    return eff <= on and (exp is None or on <= exp)


@cache
def earliest_effective(scheme: str) -> _dt.date:
    """The first day any version of ``scheme``'s rules is in force in this system."""
    data, _ = _load(scheme)
    return min(_as_date(v["effective"], f"{scheme}.versions") for v in data["versions"])  # type: ignore[type-var]


def in_force(scheme: str, on: _dt.date) -> bool:
    """Whether ``scheme`` has a rule version in force on ``on`` (else parameters_for raises)."""
    data, _ = _load(scheme)
    return any(_in_force(_as_date(v["effective"], scheme), _as_date(v.get("expiry"), scheme), on)  # type: ignore[arg-type]
               for v in data["versions"])


@lru_cache(maxsize=256)
def parameters_for(scheme: str, on: _dt.date) -> ParameterSet:
    """Resolve the rule version and every parameter of ``scheme`` in force on ``on``."""
    data, digest = _load(scheme)
    version = None
    for v in data["versions"]:
        rv = RuleVersion(
            id=v["id"], title=v["title"], documents=tuple(v.get("documents", ())),
            effective=_as_date(v["effective"], f"{scheme}.versions"),  # type: ignore[arg-type]
            expiry=_as_date(v.get("expiry"), f"{scheme}.versions"),
            verified=bool(v.get("verified", True)), note=str(v.get("note", "")),
        )
        if _in_force(rv.effective, rv.expiry, on):
            version = rv
    if version is None:
        raise ParameterError(f"{scheme}: {on.isoformat()} 没有生效的认定办法")
    params: dict[str, Param] = {}
    for name, spec in data["parameters"].items():
        for i, v in enumerate(spec["values"]):
            where = f"{scheme}.{name}.values[{i}]"
            eff = _as_date(v.get("effective"), where)
            if eff is None:
                raise ParameterError(f"{where}: 缺少 effective")
            exp = _as_date(v.get("expiry"), where)
            if not _in_force(eff, exp, on):
                continue
            cit = v.get("citation") or {}
            if not cit.get("document") or "article" not in cit:
                raise ParameterError(f"{where}: 缺少出处（document/article）")
            params[name] = Param(
                name=name, value=_convert_value(v["value"], where),
                citation=Citation(str(cit["document"]), str(cit["article"])),
                effective=eff, expiry=exp, verified=bool(v.get("verified", False)),
                note=str(v.get("note", "")), label=str(spec.get("label", name)),
            )
    return ParameterSet(scheme=scheme, title=data["title"], on=on, version=version,
                        params=params, rules_version=f"{version.id}+{digest}")


def all_parameters(scheme: str) -> list[dict]:
    """Every dated value of every parameter of ``scheme`` (for documentation pages)."""
    data, _ = _load(scheme)
    out = []
    for name, spec in data["parameters"].items():
        for v in spec["values"]:
            out.append({"name": name, "label": spec.get("label", name), **v})
    return out
