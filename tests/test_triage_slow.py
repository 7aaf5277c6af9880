"""Triage under fire: SIGKILL at random moments then resume, and the same run on a Dask LocalCluster.

Both must end with exactly the tables of one uninterrupted run (row by row, ordered), apart from
the timing column.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nlp.triage import run_triage
from nlp.triage.store import TABLES, Store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_triage import report_text  # noqa: E402

pytestmark = pytest.mark.slow


def _corpus(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        sub = folder / f"d{i % 3}"
        sub.mkdir(exist_ok=True)
        (sub / f"r{i:03d}.txt").write_text(report_text(i, rate=[96.5, 62.0, 101.0, 88.0][i % 4],
                                                       problems=["normal", "none", "missing"][i % 3]),
                                           encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    return folder


def _tables(db: Path) -> dict[str, list[tuple]]:
    with Store(db) as st:
        return {t: st.table_rows(t, exclude=("elapsed_s",)) for t in TABLES}


def _same_tables(got: dict[str, list[tuple]], want: dict[str, list[tuple]]) -> None:
    """Row-by-row equality, with the first differing rows in the message."""
    for table in want:
        extra = sorted(set(got[table]) - set(want[table]))[:3]
        missing = sorted(set(want[table]) - set(got[table]))[:3]
        assert got[table] == want[table], (table, len(got[table]), len(want[table]), extra, missing)


def _snapshot(tmp_path: Path) -> Path:
    """A frozen copy of the package and its models: the subprocesses run this code, so edits made to
    the checkout while the test runs cannot make two runs of "the same code" differ."""
    snap = tmp_path / "snap"
    shutil.copytree(ROOT / "nlp", snap / "nlp", ignore=shutil.ignore_patterns("__pycache__"))
    if (ROOT / "models").is_dir():
        shutil.copytree(ROOT / "models", snap / "models")
    return snap


def _cmd(folder: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "nlp.cli", "triage", str(folder), "--db", str(db), "--jobs", "2",
            "--batch-size", "3", "--no-progress"]


def _done(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with Store(db, read_only=True) as st:
            c = st.counts()
        return c["documents"] + c["failures"]
    except Exception:  # noqa: BLE001 - a db that was never committed is simply empty
        return 0


def test_sigkill_at_random_points_then_resume_equals_uninterrupted(tmp_path: Path) -> None:
    n = 240
    folder = _corpus(tmp_path / "c", n)
    snap = _snapshot(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(snap)}
    total = n + 2
    ref = tmp_path / "ref.duckdb"
    t0 = time.monotonic()
    out = subprocess.run(_cmd(folder, ref), capture_output=True, text=True, timeout=600, cwd=snap, env=env)
    full = time.monotonic() - t0
    assert "snap" in subprocess.run([sys.executable, "-c", "import nlp; print(nlp.__file__)"], capture_output=True,
                                    text=True, cwd=snap, env=env).stdout
    assert out.returncode == 1, out.stderr  # the two bad files
    reference = _tables(ref)
    assert len(reference["documents"]) == n and len(reference["failures"]) == 2

    db = tmp_path / "killed.duckdb"
    wal = db.with_name(db.name + ".wal")
    rng = random.Random(int(os.environ.get("TRIAGE_KILL_SEED", "7")))
    progress = []
    batches = total // 3
    for i in range(6):
        before = _done(db)
        proc = subprocess.Popen(_cmd(folder, db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                cwd=snap, env=env, start_new_session=True)
        if i == 0:
            time.sleep(rng.uniform(0.2, 2.0))  # during start-up: nothing committed yet
        else:
            # progress-driven, so machine load cannot move the kill past the end: wait for a random
            # number of batch commits (each one grows DuckDB's write-ahead log), then a random moment
            want = rng.randint(1, max(1, (batches - before // 3) // 3))
            seen, size = 0, -1
            deadline = time.monotonic() + 600
            while seen < want and proc.poll() is None and time.monotonic() < deadline:
                now = wal.stat().st_size if wal.exists() else 0
                if now > max(size, 0):
                    seen += 1
                size = now
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.5))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the parent, its forkserver and its workers: kill -9
        proc.wait(timeout=30)
        after = _done(db)
        assert after >= before  # committed batches survive
        progress.append(after)
    print("kill test: full run", round(full, 2), "s; rows after each kill", progress)
    assert sum(0 < p < total for p in progress) >= 2, progress  # kills landed mid-run
    final = subprocess.run(_cmd(folder, db), capture_output=True, text=True, timeout=600, cwd=snap, env=env)
    assert final.returncode in (0, 1), final.stderr
    _same_tables(_tables(db), reference)
    # and once more: nothing left to do, nothing duplicated
    again = subprocess.run(_cmd(folder, db), capture_output=True, text=True, timeout=600, cwd=snap, env=env)
    assert again.returncode == 0
    _same_tables(_tables(db), reference)


def test_dask_local_cluster_equals_process_pool(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    folder = _corpus(tmp_path / "c", 24)
    ref = tmp_path / "ref.duckdb"
    assert run_triage([str(folder)], ref, jobs=2, progress=False) == 1
    db = tmp_path / "dask.duckdb"
    assert run_triage([str(folder)], db, jobs=2, progress=False, dask="local", batch_size=6) == 1
    _same_tables(_tables(db), _tables(ref))
    # resume under Dask: nothing redone
    assert run_triage([str(folder)], db, jobs=2, progress=False, dask="local") == 0
    _same_tables(_tables(db), _tables(ref))
