"""Triage under fire: SIGKILL at random moments then resume, and the same run on a Dask LocalCluster.

Both must end with exactly the tables of one uninterrupted run (row by row, ordered), apart from
the timing column.
"""
from __future__ import annotations

import os
import random
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
    total = n + 2
    ref = tmp_path / "ref.duckdb"
    t0 = time.monotonic()
    out = subprocess.run(_cmd(folder, ref), capture_output=True, text=True, timeout=600, cwd=ROOT)
    full = time.monotonic() - t0
    assert out.returncode == 1, out.stderr  # the two bad files
    t0 = time.monotonic()
    subprocess.run(_cmd(folder, ref), capture_output=True, timeout=600, cwd=ROOT)
    startup = time.monotonic() - t0  # a run with nothing to do: imports, walking, hashing
    work = max(0.5, full - startup)
    reference = _tables(ref)
    assert len(reference["documents"]) == n and len(reference["failures"]) == 2

    db = tmp_path / "killed.duckdb"
    rng = random.Random(int(os.environ.get("TRIAGE_KILL_SEED", "7")))
    progress = []
    for i in range(6):
        before = _done(db)
        proc = subprocess.Popen(_cmd(folder, db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                cwd=ROOT, start_new_session=True)
        # a random moment within what is left to do (the first kill may land during start-up)
        left = work * (total - before) / total
        time.sleep((0.5 if i == 0 else startup) + rng.uniform(0.1, 0.8) * left)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the parent, its forkserver and its workers: kill -9
        proc.wait(timeout=30)
        after = _done(db)
        assert after >= before  # committed batches survive
        progress.append(after)
    print("kill test: full run", round(full, 2), "s; rows after each kill", progress)
    assert sum(0 < p < total for p in progress) >= 2, progress  # kills landed mid-run
    final = subprocess.run(_cmd(folder, db), capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert final.returncode in (0, 1), final.stderr
    assert _tables(db) == reference
    # and once more: nothing left to do, nothing duplicated
    again = subprocess.run(_cmd(folder, db), capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert again.returncode == 0
    assert _tables(db) == reference


def test_dask_local_cluster_equals_process_pool(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    folder = _corpus(tmp_path / "c", 24)
    ref = tmp_path / "ref.duckdb"
    assert run_triage([str(folder)], ref, jobs=2, progress=False) == 1
    db = tmp_path / "dask.duckdb"
    assert run_triage([str(folder)], db, jobs=2, progress=False, dask="local", batch_size=6) == 1
    assert _tables(db) == _tables(ref)
    # resume under Dask: nothing redone
    assert run_triage([str(folder)], db, jobs=2, progress=False, dask="local") == 0
    assert _tables(db) == _tables(ref)
