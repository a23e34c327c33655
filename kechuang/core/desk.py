"""The home page as the user's desk: their to-dos and a few charts that matter to their role.

An app contributes by defining, on its AppConfig (like ``nav_items`` / ``home_cards``):

    def desk_todos(self, user) -> list[Todo]        # what is waiting for this user, scoped
    def desk_charts(self, user) -> list[DeskChart]  # small charts drawn with the vendored ECharts

Every read goes through row scoping (``Model.objects.restrict(user)``), as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings


@dataclass(frozen=True)
class Todo:
    """One thing waiting for the user: a sentence, where to act, and how urgent (ok/warn/bad)."""

    text: str
    url: str
    count: int | None = None
    level: str = ""


@dataclass(frozen=True)
class DeskChart:
    """A small chart: ``kind`` is bar, hbar, funnel or pie; values line up with labels."""

    id: str
    title: str
    kind: str
    labels: list[str]
    values: list[float]
    url: str = ""
    unit: str = ""
    note: str = ""
    series_name: str = ""
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "labels": self.labels, "values": self.values,
                "unit": self.unit, "name": self.series_name or self.title}


@dataclass
class Desk:
    todos: list[Todo]
    charts: list[DeskChart]
    lists: list[dict]


def desk_for(user) -> Desk:
    """Collect to-dos, charts and short lists from the product apps, in menu order."""
    todos: list[Todo] = []
    charts: list[DeskChart] = []
    lists: list[dict] = []
    for dotted in settings.PROJECT_APPS:
        cfg = next((c for c in apps.get_app_configs() if c.name == dotted), None)
        if cfg is None:
            continue
        if hasattr(cfg, "desk_todos"):
            todos += cfg.desk_todos(user)
        if hasattr(cfg, "desk_charts"):
            charts += [c for c in cfg.desk_charts(user) if c.values and any(v for v in c.values)]
        if hasattr(cfg, "desk_lists"):
            lists += cfg.desk_lists(user)
    order = {"bad": 0, "warn": 1, "": 2, "ok": 3}
    todos.sort(key=lambda t: order.get(t.level, 2))
    return Desk(todos, charts, lists)
