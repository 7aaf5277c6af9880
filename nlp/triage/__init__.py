"""Corpus triage: stream many reports through the whole pipeline into DuckDB, resumably, and rank them.

``nlp triage PATH... --db triage.duckdb`` walks the folders, hashes each file (sha256 of its bytes),
skips files already done with the same hash, redoes changed ones (old rows deleted, new inserted in
the same transaction) and sends the rest to ``--jobs`` worker processes (each builds its Pipeline
once; at most ``jobs`` files in flight, so memory stays flat over tens of thousands of files). A
file that fails — an :class:`~nlp.errors.NlpError`, any unexpected exception in a stage, a worker
that dies, or one that overruns ``--file-timeout`` (killed and replaced; recorded as
``TimeBudgetExceededError``) — goes to the ``failures`` table and the run goes on (``--strict``
stops at the first). Results are committed every ``--batch-size`` files, so a run killed at any
moment loses at most the batch in flight and running the same command again resumes.

``--dask ADDRESS`` (``tcp://scheduler:8786``) or ``--dask local`` runs the same per-file work on
Dask distributed workers (a ``dask.bag`` over file paths, one Pipeline per worker process);
results come back to this process, the only writer of the database. For a real cluster: install
this package (``pip install 'nlp[dask]'``) in the same version on every worker, start
``dask scheduler`` and ``dask worker tcp://scheduler:8786 --nthreads 1 --nworkers N`` on the
machines, make the input paths readable at the same absolute paths on every worker (shared
filesystem), and run ``nlp triage /shared/reports --dask tcp://scheduler:8786 --db triage.duckdb``.
Under Dask a worker cannot be killed per file: a file that overruns the budget is recorded as a
``TimeBudgetExceededError`` failure once it returns.

Tables, columns and flag codes: ``nlp/triage/SCHEMA.md``.
"""
from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from nlp.triage.worker import Outcome, failure, sha256_file

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_ALL_FAILED = 0, 1, 2, 3


class _Tasks:
    """Lazily hash the files; skip the done ones; note the changed ones and the unreadable ones."""

    def __init__(self, paths: list[str], known: dict[str, str]) -> None:
        self.paths = paths
        self.known = known
        self.skipped = 0
        self.replace: set[str] = set()
        self.unreadable: list[Outcome] = []

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for path in self.paths:
            t0 = time.perf_counter()
            try:
                sha = sha256_file(path)
            except OSError as exc:
                from nlp.errors import InputNotFoundError

                err = InputNotFoundError(path, f"cannot read: {exc.strerror or exc}")
                self.unreadable.append(failure(path, "", err, time.perf_counter() - t0))
                continue
            old = self.known.get(path)
            if old == sha:
                self.skipped += 1
                continue
            if old is not None:
                self.replace.add(path)
            yield path, sha


def _dask_outcomes(tasks: Iterable[tuple[str, str]], address: str, jobs: int, stages: tuple[str, ...] | None,
                   file_timeout: float | None, partition_size: int) -> Iterator[Outcome]:
    """Run tasks on Dask: windows of a dask.bag over (path, sha), partitions computed on the workers."""
    import dask.bag as db
    from dask.distributed import Client, LocalCluster, as_completed

    from nlp.triage.dask_work import process_partition

    cluster = None
    if address == "local":
        import logging

        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or jobs)
        window = max(1, partition_size) * n_workers * 2
        it = iter(tasks)
        while True:
            chunk = []
            for task in it:
                chunk.append(task)
                if len(chunk) >= window:
                    break
            if not chunk:
                return
            bag = db.from_sequence(chunk, partition_size=max(1, partition_size))
            parts = bag.map_partitions(process_partition, stages, file_timeout).to_delayed()
            futures = client.compute(parts)
            for fut in as_completed(futures):
                yield from fut.result()
                fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _progress(enabled: bool, console: Any) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("[bold]triage[/]"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                    TextColumn("{task.fields[rate]} files/s"), TextColumn("failed {task.fields[failed]}"),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=console, disable=not enabled, transient=False)


def _summary(console: Any, stats: dict[str, Any], ranking: list[dict[str, Any]], top: int) -> None:
    from rich.table import Table

    counts = Table(title="nlp triage", show_header=False, box=None)
    for k, v in stats.items():
        counts.add_row(k, str(v))
    console.print(counts)
    if not ranking or top <= 0:
        return
    table = Table(title=f"Top {min(top, len(ranking))} reports to read first", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("score", justify="right")
    table.add_column("report", overflow="fold", max_width=40)
    table.add_column("reasons (line: why)", overflow="fold")
    for row in ranking[:top]:
        reasons = "\n".join(f"{f['line']}: {f['reason']}" for f in row["flags"][:3]) or "-"
        if len(row["flags"]) > 3:
            reasons += f"\n… {len(row['flags']) - 3} more"
        table.add_row(str(row["rank"]), f"{row['score']:g}", row["doc"], reasons, end_section=False)
    console.print(table)


def run_triage(paths: list[str], db: str | Path, jobs: int = 1, report: str | Path | None = None,
               csv: str | Path | None = None, dask: str | None = None, file_timeout: float = 120.0,
               batch_size: int = 32, top: int = 10, progress: bool = True, strict: bool = False,
               *, stages: tuple[str, ...] | None = None, console: Any = None, factory: str | None = None,
               max_tasks: int = 2000) -> int:
    """Run (or resume) a triage; returns the exit status: 0 ok, 1 some files failed, 2 no input, 3 all failed.

    ``stages`` limits the pipeline (tests, benchmarks); ``console`` is a rich Console for the summary;
    ``factory`` ("module:function") builds each worker's pipeline instead of the standard one (tests).
    """
    from rich.console import Console

    from nlp.read import iter_paths
    from nlp.triage.render import write_csv, write_html
    from nlp.triage.store import Store

    console = console or Console(stderr=True)
    files = list(dict.fromkeys(iter_paths(paths)))
    if not files:
        console.print("nlp: no input files found")
        return EXIT_USAGE
    t_start = time.perf_counter()
    store = Store(db)
    done = failed = 0
    stopped = False
    try:
        tasks = _Tasks(files, store.known())
        batch: list[Outcome] = []

        def flush() -> None:
            if batch:
                store.write_batch(batch, replace=[o["doc"] for o in batch if o["doc"] in tasks.replace])
                batch.clear()

        show = progress and console.is_terminal
        pool: Any = None
        with _progress(show, console) as bar:
            task_id = bar.add_task("triage", total=len(files), rate="-", failed=0)
            pending = iter(tasks)
            first = next(pending, None)  # start no workers (or cluster) when everything is already done
            outcomes: Iterable[Outcome]
            if first is None:
                outcomes = iter(())
            elif dask:
                outcomes = _dask_outcomes(itertools.chain([first], pending), dask, jobs, stages, file_timeout,
                                          max(1, batch_size // 2))
            else:
                from nlp.triage.pool import TimedPool

                pool = TimedPool(jobs, stages=stages, file_timeout=file_timeout, factory=factory,
                                 max_tasks=max_tasks).__enter__()
                outcomes = pool.imap_unordered(itertools.chain([first], pending))
            state = {"skipped": 0}

            def handle(oc: Outcome) -> bool:
                """Count, batch and show one outcome; True when --strict says stop."""
                nonlocal done, failed
                batch.append(oc)
                if oc["ok"]:
                    done += 1
                else:
                    failed += 1
                    console.print(f"nlp: {oc['message']}", markup=False, highlight=False)
                if len(batch) >= batch_size:
                    flush()
                elapsed = time.perf_counter() - t_start
                bar.update(task_id, advance=1 + tasks.skipped - state["skipped"], failed=failed,
                           rate=f"{(done + failed) / elapsed:.1f}" if elapsed > 0 else "-")
                state["skipped"] = tasks.skipped
                return strict and not oc["ok"]

            def drain() -> bool:
                stop = False
                while tasks.unreadable and not stop:
                    stop = handle(tasks.unreadable.pop(0))
                return stop

            try:
                for oc in outcomes:
                    if drain() or handle(oc) or drain():
                        stopped = True
                        break
                if not stopped and drain():
                    stopped = True
                tasks.unreadable.clear()
                flush()
                bar.update(task_id, completed=done + failed + tasks.skipped)
            finally:
                if pool is not None:
                    pool.close()
                close = getattr(outcomes, "close", None)
                if close is not None:
                    close()
        store.checkpoint()
        elapsed = time.perf_counter() - t_start
        # the whole ranking only for the files that list it; the summary shows the top rows
        ranking = store.ranking(None if report is not None or csv is not None else max(0, top))
        all_failures = store.failures()
        counts = store.counts()
        stats = {
            "files found": len(files), "processed now": done, "failed now": failed,
            "skipped (already done)": tasks.skipped, "documents in db": counts["documents"],
            "failures in db": counts["failures"], "seconds": f"{elapsed:.1f}",
            "files/s": f"{(done + failed) / elapsed:.1f}" if elapsed > 0 else "-",
        }
        if pool is not None and pool.stages_run:
            from nlp.pipeline import ALL_STAGES

            ran = pool.stages_run
            stats["stages"] = " ".join(ran) + ("" if len(ran) >= len(stages or ALL_STAGES) else
                                               " (the others are not installed)")
        if stopped:
            stats["stopped"] = "at the first failure (--strict)"
        if report is not None:
            write_html(ranking, all_failures, report, stats={"documents": counts["documents"]})
        if csv is not None:
            write_csv(ranking, csv)
        _summary(console, stats, ranking, top)
    finally:
        store.close()
    if failed and not done and not stopped:
        return EXIT_ALL_FAILED
    if failed:
        return EXIT_SOME_FAILED
    return EXIT_OK


__all__ = ["run_triage", "EXIT_OK", "EXIT_SOME_FAILED", "EXIT_ALL_FAILED", "EXIT_USAGE"]


def _main() -> None:  # pragma: no cover - python -m nlp.triage
    raise SystemExit(run_triage(sys.argv[1:], db="triage.duckdb"))
