"""Platform parameters of the assessment (data/targets/parameters.yaml), pure Python.

Parameters the documents fix carry their citation; those they leave open (scoring cap, warning
thresholds, the list of A-class townships) are marked ``verified: false`` for the bureau to confirm.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from .numbers import TargetDataError, to_decimal

__all__ = ["PARAMETERS_FILE", "Parameters", "current_parameters", "load_parameters"]

PARAMETERS_FILE = Path(__file__).resolve().parents[2] / "data" / "targets" / "parameters.yaml"


@dataclass(frozen=True)
class Parameters:
    """The values the assessment reads."""

    talent_a_class_townships: tuple[str, ...]
    talent_project_factor: Decimal
    scoring_cap: Decimal
    warning_green: Decimal
    warning_yellow: Decimal


def load_parameters(path: str | Path = PARAMETERS_FILE) -> Parameters:
    """Read and check the parameter file; raises ``TargetDataError`` naming the parameter."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}

    def value(name: str):
        item = data.get(name)
        if not isinstance(item, dict) or "value" not in item:
            raise TargetDataError(f"参数 {name}：缺少 value")
        return item["value"]

    towns = value("talent_a_class_townships") or []
    if not isinstance(towns, list) or not all(isinstance(t, str) and t.strip() for t in towns):
        raise TargetDataError("参数 talent_a_class_townships：应为乡镇简称列表")
    numbers = {name: to_decimal(value(name), f"参数 {name}")
               for name in ("talent_project_factor", "scoring_cap", "warning_green", "warning_yellow")}
    if numbers["warning_yellow"] > numbers["warning_green"]:
        raise TargetDataError("参数 warning_yellow：不能高于 warning_green")
    return Parameters(talent_a_class_townships=tuple(t.strip() for t in towns), **numbers)


_cache: dict[str, tuple[float, Parameters]] = {}


def current_parameters(path: str | Path = PARAMETERS_FILE) -> Parameters:
    """The parameters, re-read when the file changes (the bureau edits the YAML)."""
    path = Path(path)
    mtime = path.stat().st_mtime
    cached = _cache.get(str(path))
    if cached is None or cached[0] != mtime:
        cached = (mtime, load_parameters(path))
        _cache[str(path)] = cached
    return cached[1]
