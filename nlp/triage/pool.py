"""A process pool that enforces a time budget per file: the parent kills a late worker and starts another.

Why not ``concurrent.futures``: it cannot stop a running task. Here each worker owns a pipe; the parent
hands one file at a time to an idle worker (so at most ``jobs`` files are in flight and memory stays
flat however long the corpus), waits on all pipes with a deadline, and when a worker overruns its
budget (or dies) the parent kills it, records the file as failed and starts a fresh worker.
Workers build their Pipeline once and are recycled after ``max_tasks`` files to bound slow leaks.
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import time
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any

from nlp.triage.worker import Outcome, failure

_READY = "__ready__"


def load_factory(spec: str | None) -> Any:
    """``"package.module:function"`` -> the function (a pipeline factory taking ``stages``)."""
    if not spec:
        from nlp.triage.worker import make_pipeline

        return make_pipeline
    import importlib

    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _worker_main(conn: Connection, stages: tuple[str, ...] | None, factory: str | None = None) -> None:
    """Worker loop: build the pipeline once, then answer (path, sha) requests until told to stop."""
    import os
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    # parallelism comes from processes: one native thread each, or OpenMP/BLAS pools of every
    # worker fight over the cores (scikit-learn's tree ensembles slow down by orders of magnitude)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from nlp.triage.worker import process_path

    pipeline = load_factory(factory)(stages)
    conn.send((_READY, tuple(getattr(pipeline, "stages", ()) or ())))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        path, sha = msg
        conn.send(process_path(pipeline, path, sha))


class _Worker:
    def __init__(self, ctx: Any, stages: tuple[str, ...] | None, factory: str | None = None) -> None:
        parent, child = ctx.Pipe(duplex=True)
        self.conn: Connection = parent
        self.proc = ctx.Process(target=_worker_main, args=(child, stages, factory), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False
        self.task: tuple[str, str] | None = None
        self.deadline = 0.0
        self.started = 0.0
        self.done = 0

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(None)
        self.proc.join(2)
        if self.proc.is_alive():
            self.kill()
        with contextlib.suppress(Exception):
            self.conn.close()


class TimedPool:
    """``jobs`` worker processes; :meth:`imap_unordered` yields one outcome per (path, sha) task."""

    def __init__(self, jobs: int, stages: tuple[str, ...] | None = None, file_timeout: float | None = 120.0,
                 max_tasks: int = 2000, start_timeout: float = 300.0, factory: str | None = None) -> None:
        """``factory`` ("module:function", called with ``stages``) replaces the standard pipeline."""
        self.jobs = max(1, int(jobs))
        self.stages = stages
        self.factory = factory
        self.file_timeout = file_timeout if file_timeout and file_timeout > 0 else None
        self.max_tasks = max_tasks
        self.start_timeout = start_timeout
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        self.ctx = mp.get_context(method)
        if method == "forkserver":
            self.ctx.set_forkserver_preload(["nlp.triage.worker", "nlp.pipeline"])
        self.workers: list[_Worker] = []
        self.restarts = 0
        self.start_failures = 0
        self.stages_run: tuple[str, ...] = ()  # what the workers' pipelines actually run

    def __enter__(self) -> TimedPool:
        self.workers = [_Worker(self.ctx, self.stages, self.factory) for _ in range(self.jobs)]
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for w in self.workers:
            if w.task is not None:
                w.kill()
            else:
                w.stop()
        self.workers = []

    def _replace(self, w: _Worker) -> None:
        w.kill()
        self.workers[self.workers.index(w)] = _Worker(self.ctx, self.stages, self.factory)
        self.restarts += 1

    def imap_unordered(self, tasks: Iterable[tuple[str, str]]) -> Iterator[Outcome]:
        """Outcomes as they finish; never more than ``jobs`` files in flight."""
        pending = iter(tasks)
        backlog: deque[tuple[str, str]] = deque()
        exhausted = False
        spawn_deadline = time.monotonic() + self.start_timeout

        def assign(w: _Worker) -> None:
            """Give an idle, ready worker its next file (if any is left)."""
            nonlocal exhausted
            if not backlog and not exhausted:
                try:
                    backlog.append(next(pending))
                except StopIteration:
                    exhausted = True
            if not backlog:
                return
            task = backlog.popleft()
            try:
                w.conn.send(task)
            except (OSError, ValueError):
                backlog.appendleft(task)
                self._replace(w)
                return
            w.task = task
            w.started = time.monotonic()
            w.deadline = w.started + self.file_timeout if self.file_timeout else float("inf")

        while True:
            # hand out work to every idle, ready worker
            for w in list(self.workers):
                if w.ready and w.task is None:
                    assign(w)
            busy = [w for w in self.workers if w.task is not None]
            if exhausted and not backlog and not busy:
                return
            starting = [w for w in self.workers if not w.ready]
            if starting and not busy and time.monotonic() > spawn_deadline:
                raise RuntimeError("triage workers did not start (see the error above)")
            now = time.monotonic()
            timeout = min((w.deadline for w in busy), default=now + 1.0) - now
            conns = [w.conn for w in busy + starting]
            ready = wait(conns, timeout=max(0.0, min(timeout, 1.0))) if conns else []
            by_conn = {id(w.conn): w for w in self.workers}
            for conn in ready:
                w = by_conn.get(id(conn))
                if w is None:
                    continue
                try:
                    raw = w.conn.recv_bytes()
                except (EOFError, OSError):
                    if w.task is not None:
                        path, sha = w.task
                        code = w.proc.exitcode
                        w.task = None
                        yield failure(path, sha, None, time.monotonic() - w.started, error="crash",
                                      exc_type="WorkerCrashed",
                                      message=f"{path}: the worker process died (exit code {code}) on this file")
                    if not w.ready:
                        self.start_failures += 1
                        if self.start_failures > 3:
                            raise RuntimeError("triage workers die while starting (see the error above)") from None
                    self._replace(w)
                    continue
                msg: Any = None
                if w.task is None:  # only a starting worker speaks unasked: its ready message
                    msg = ForkingPickler.loads(raw)
                    if isinstance(msg, tuple) and msg and msg[0] == _READY:
                        w.ready = True
                        self.stages_run = msg[1]
                        spawn_deadline = time.monotonic() + self.start_timeout
                        continue
                # a busy worker's message is its outcome: hand it the next file first, then decode
                # the outcome and let the caller handle it (a batch write) while the worker runs
                w.task = None
                w.done += 1
                if w.done >= self.max_tasks:
                    w.stop()
                    self.workers[self.workers.index(w)] = _Worker(self.ctx, self.stages, self.factory)
                else:
                    assign(w)
                yield ForkingPickler.loads(raw) if msg is None else msg
            now = time.monotonic()
            for w in list(self.workers):
                if w.task is not None and now > w.deadline:
                    path, sha = w.task
                    w.task = None
                    self._replace(w)
                    yield failure(path, sha, None, now - w.started, error="timeout",
                                  exc_type="TimeBudgetExceededError",
                                  message=f"{path}: took longer than {self.file_timeout:g} s "
                                          "(raise the per-file time budget (--file-timeout) or inspect the file)")
