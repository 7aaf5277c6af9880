"""Smoke run of ``benchmarks/run.py`` on tiny corpora: it finishes, prints one JSON line with every
figure, and writes the same numbers to the results file."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_bench_smoke(tmp_path: Path) -> None:
    pytest.importorskip("psutil")
    out_file = tmp_path / "results.json"
    env = {**os.environ, "BENCH_QUICK": "1", "BENCH_N": "10", "BENCH_RESULTS": str(out_file)}
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py")], capture_output=True, text=True,
                          timeout=1200, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    assert json.loads(out_file.read_text(encoding="utf-8")) == last
    for key in ("a_read_structure_vs_jieba", "b_tagging_vs_jieba", "d_pipeline_vs_jieba", "d_2w_over_1w",
                "e_triage_10_peak_rss_mb", "e_triage_100_peak_rss_mb", "f_resume_over_first_run",
                "g_time_big_over_small", "targets_met"):
        assert key in last, key
    assert last["e_triage_100_exit"] == 0 and last["f_resume_exit"] == 0
    assert last["d_1w_failed"] == 0 and last["d_2w_failed"] == 0
    assert 0 < last["f_resume_over_first_run"] < 1  # resuming a finished corpus is cheaper than doing it
    for line in ("(a)", "(b)", "(c)", "(d)", "(e)", "(f)", "(g)"):
        assert any(x.startswith(line) for x in proc.stdout.splitlines()), line


def test_bench_only_runs_chosen_parts(tmp_path: Path) -> None:
    """``--only a`` prints (a) and (b) (one measurement) and its JSON line, and leaves the results file alone."""
    out_file = tmp_path / "results.json"
    env = {**os.environ, "BENCH_QUICK": "1", "BENCH_N": "10", "BENCH_RESULTS": str(out_file)}
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--only", "a"], capture_output=True,
                          text=True, timeout=600, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert any(x.startswith("(a)") for x in lines) and not any(x.startswith(("(c)", "(d)", "(e)")) for x in lines)
    last = json.loads(lines[-1])
    assert "a_read_structure_vs_jieba" in last and "d_pipeline_vs_jieba" not in last
    assert not out_file.exists()
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--only", "z"], capture_output=True,
                         text=True, timeout=120, cwd=ROOT, env=env)
    assert bad.returncode != 0 and "--only" in bad.stderr
