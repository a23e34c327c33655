"""Indicator definitions (指标) shipped in ``data/targets/indicators.yaml`` (pure Python).

Each indicator has a unit, a kind (flow: amounts over a period that add up across periods;
stock: a count at a date, e.g. valid 高企 certificates; ratio: an intensity that never adds
up), a direction (higher / lower is better) and an aggregation from townships to the city
(sum, ratio_of_sums, none).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .numbers import TargetDataError

__all__ = ["Indicator", "load_indicators", "KINDS", "DIRECTIONS", "AGGREGATIONS", "INDICATORS_FILE"]

INDICATORS_FILE = Path(__file__).resolve().parents[2] / "data" / "targets" / "indicators.yaml"
KINDS = ("flow", "stock", "ratio")
DIRECTIONS = ("higher", "lower")
AGGREGATIONS = ("sum", "ratio_of_sums", "none")
KIND_LABELS = {"flow": "流量", "stock": "存量", "ratio": "比率"}


@dataclass(frozen=True)
class Indicator:
    """One indicator: id (English), Chinese name, unit, kind, direction, aggregation, citation."""

    id: str
    name: str
    unit: str
    kind: str
    direction: str
    aggregation: str
    decimals: int
    citation: str
    note: str = ""
    numerator: str = ""
    denominator: str = ""

    @property
    def kind_label(self) -> str:
        """流量 / 存量 / 比率."""
        return KIND_LABELS[self.kind]


def load_indicators(path: str | Path = INDICATORS_FILE) -> dict[str, Indicator]:
    """Read and validate the indicator file; returns ``{id: Indicator}`` in file order.

    Raises ``TargetDataError`` naming the indicator and field for an unknown kind,
    direction or aggregation, a missing name/unit, a duplicate id, or a ratio indicator
    aggregated by ``sum``.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    errors: list[str] = []
    result: dict[str, Indicator] = {}
    for index, item in enumerate(data.get("indicators") or [], start=1):
        ident = str(item.get("id", "")).strip()
        where = f"指标第{index}项（{ident or '无 id'}）"
        if not ident:
            errors.append(f"{where} id：缺少")
            continue
        if ident in result:
            errors.append(f"{where} id：重复")
        for key in ("name", "unit", "citation"):
            if not str(item.get(key, "")).strip():
                errors.append(f"{where} {key}：缺少")
        for key, allowed in (("kind", KINDS), ("direction", DIRECTIONS), ("aggregation", AGGREGATIONS)):
            if item.get(key) not in allowed:
                errors.append(f"{where} {key}：应为 {'/'.join(allowed)} 之一，实际为“{item.get(key)}”")
        if item.get("kind") == "ratio" and item.get("aggregation") == "sum":
            errors.append(f"{where} aggregation：比率指标不能直接相加")
        decimals = item.get("decimals", 0)
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
            errors.append(f"{where} decimals：应为 0–6 的整数")
            decimals = 0
        result[ident] = Indicator(
            id=ident, name=str(item.get("name", "")), unit=str(item.get("unit", "")),
            kind=str(item.get("kind")), direction=str(item.get("direction")),
            aggregation=str(item.get("aggregation")), decimals=decimals,
            citation=str(item.get("citation", "")), note=str(item.get("note", "")),
            numerator=str(item.get("numerator", "")), denominator=str(item.get("denominator", "")),
        )
    if errors:
        raise TargetDataError("；\n".join(errors))
    return result
