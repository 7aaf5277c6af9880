"""The per-partition function Dask workers run: one Pipeline per worker process, reused across partitions."""
from __future__ import annotations

import time
from typing import Any

from nlp.triage.worker import Outcome, failure, make_pipeline, process_path

_PIPELINES: dict[Any, Any] = {}


def process_partition(tasks: list[tuple[str, str]], stages: tuple[str, ...] | None,
                      file_timeout: float | None) -> list[Outcome]:
    """Outcomes of one partition of (path, sha) tasks. A file over the time budget becomes a failure
    (a Dask worker thread cannot be killed mid-file; the budget is checked when the file returns)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # parallelism comes from Dask's worker processes
        return _process(tasks, stages, file_timeout)


def _process(tasks: list[tuple[str, str]], stages: tuple[str, ...] | None,
             file_timeout: float | None) -> list[Outcome]:
    key = tuple(stages) if stages else None
    pipeline = _PIPELINES.get(key)
    if pipeline is None:
        pipeline = _PIPELINES[key] = make_pipeline(stages)
    out: list[Outcome] = []
    for path, sha in tasks:
        t0 = time.perf_counter()
        oc = process_path(pipeline, path, sha)
        elapsed = time.perf_counter() - t0
        if file_timeout and elapsed > file_timeout:
            oc = failure(path, sha, None, elapsed, error="timeout", exc_type="TimeBudgetExceededError",
                         message=f"{path}: took {elapsed:.1f} s, longer than {file_timeout:g} s "
                                 "(raise the per-file time budget (--file-timeout) or inspect the file)")
        out.append(oc)
    return out
