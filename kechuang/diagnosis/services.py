"""Writes of the diagnosis app: the recorded 培育库 run."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from kechuang.core.permissions import require
from kechuang.diagnosis.loader import load_population
from kechuang.diagnosis.models import SCHEME_ORDER, DiagnosisResult, DiagnosisRun
from kechuang.diagnosis.pipeline import hnte_pool, place_on_ladder, status_strings, target_and_top_condition
from kechuang.rules.engine import evaluate_population
from kechuang.rules.features import features_from_population

_RESULT_COLUMNS = (
    "run_id", "enterprise_id", "township_id", "rung", "hnte_pool", "target_scheme", "top_condition",
    "hnte_eligible", "tsme_eligible", "innovative_sme_eligible", "srdi_sme_eligible",
    "little_giant_eligible", "hnte_score_min", "hnte_score_max", "tsme_score_min", "tsme_score_max",
    "statuses",
)


def _insert_results(rows: list[tuple], batch: int = 5000) -> None:
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in _RESULT_COLUMNS)
    marks = ", ".join(["%s"] * len(_RESULT_COLUMNS))
    sql = f"INSERT INTO {qn(DiagnosisResult._meta.db_table)} ({cols}) VALUES ({marks})"
    if connection.vendor == "sqlite":
        # the DB-API cursor directly: Django's wrapper re-formats every row of executemany
        connection.ensure_connection()
        raw = connection.connection.cursor()
        raw.executemany(sql.replace("%s", "?"), rows)
        raw.close()
        return
    with connection.cursor() as cur:
        for i in range(0, len(rows), batch):
            cur.executemany(sql, rows[i:i + batch])


def diagnosis_run_create(*, user, on: dt.date | None = None, queryset=None, note: str = "",
                         progress=None) -> DiagnosisRun:
    """Run the pre-diagnosis over the registry the user may view (or ``queryset``), place every
    enterprise on the ladder, store the results and record the run (rules versions, timings).

    Reading and evaluating happen before the write transaction, so ``progress(done, total, step=…)``
    (a job's or a terminal's) is seen while it runs; the run and all its results are then written
    in one transaction (a cancelled or killed run leaves nothing)."""
    require(user, "diagnosis.run.start")
    from kechuang.enterprises.models import Enterprise

    report = progress or (lambda *a, **k: None)
    on = on or dt.date.today()
    t0 = time.perf_counter()
    qs = queryset if queryset is not None else Enterprise.objects.restrict(user, "view")
    timings = {}
    report(0, 3, step="读取企业数据")
    t = time.perf_counter()
    loaded = load_population(qs, on=on)
    timings["load_ms"] = round((time.perf_counter() - t) * 1000)
    report(1, 3, step=f"比对认定条件（{loaded.population.n} 家企业）")
    t = time.perf_counter()
    pop = loaded.population
    F = features_from_population(pop, on)
    batch = {s: evaluate_population(s, pop, on, features=F) for s in SCHEME_ORDER}
    rung = place_on_ladder(F)
    pool = hnte_pool(batch["hnte"], F)
    target, top = target_and_top_condition(batch, F)
    stat = status_strings(batch, SCHEME_ORDER)
    timings["evaluate_ms"] = round((time.perf_counter() - t) * 1000)
    report(2, 3, step="写入培育库结果")
    with transaction.atomic():
        run = DiagnosisRun.objects.create(evaluated_on=on, created_by=user if getattr(user, "pk", None) else None,
                                          note=note)
        t = time.perf_counter()
        n = pop.n
        hn, ts = batch["hnte"], batch["tsme"]
        rows = list(zip(
            [run.pk] * n, loaded.ids.tolist(), [t_ or None for t_ in loaded.township_ids.tolist()],
            rung.tolist(), pool.tolist(), target.tolist(), top.tolist(),
            *(batch[s].eligible.tolist() for s in SCHEME_ORDER),
            hn.score_min.tolist(), hn.score_max.tolist(), ts.score_min.tolist(), ts.score_max.tolist(),
            stat, strict=False,
        ))
        _insert_results(rows)
        timings["store_ms"] = round((time.perf_counter() - t) * 1000)
        run.enterprise_count = n
        run.rules_versions = {s: b.rules_version for s, b in batch.items()}
        run.finished_at = timezone.now()
        run.duration_ms = round((time.perf_counter() - t0) * 1000)
        run.timings = timings
        run.save()
    report(3, 3, step="完成")
    return run


_ = np
