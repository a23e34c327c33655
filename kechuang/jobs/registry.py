"""The kinds of job the product runs, registered by each app in its own ``jobs.py``:

    from kechuang.jobs.registry import job_kind

    @job_kind("policies.screening", label="免申即享筛查", perm="jobs.screening.start")
    def screening(ctx, *, actor, year):
        ctx.progress(0, 3, step="读取企业数据")
        ...
        return JobOutcome(url=reverse(...), label="候选 12 项")

A handler receives the ``JobContext`` (progress, cancellation) and the job's arguments as
keywords, with ``actor`` = the person who started it or the system actor. It must be idempotent:
a job re-run after a worker died, or retried after a failure, must not duplicate its effects
(write in one transaction, or upsert by a natural key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class JobOutcome:
    """What a finished job links to: the page of its result, a short Chinese summary and any
    JSON data worth keeping."""

    url: str = ""
    label: str = ""
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    perm: str
    handler: Callable
    cancellable: bool = True


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, label: str, perm: str, cancellable: bool = True):
    """Register ``handler`` as the job kind ``name`` (``<app>.<what>``) needing ``perm`` to start."""

    def register(handler: Callable) -> Callable:
        from kechuang.core.permissions import PERMISSIONS

        if perm not in PERMISSIONS:
            raise KeyError(f"job kind {name!r}: unknown permission {perm!r}")
        if name in _KINDS and _KINDS[name].handler is not handler:
            raise ValueError(f"job kind {name!r} registered twice")
        _KINDS[name] = JobKind(name, label, perm, handler, cancellable)
        return handler

    return register


def get_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"没有这种后台任务：{name}") from None


def all_kinds() -> dict[str, JobKind]:
    return dict(_KINDS)
