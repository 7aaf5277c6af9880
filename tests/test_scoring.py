"""Our scoring agrees with the shared scorer, and its metrics behave on hand-made cases."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nlp import scoring


def test_calibration_error_of_a_perfectly_calibrated_set_is_zero():
    pairs = [(0.75, True)] * 3 + [(0.75, False)] + [(0.25, True)] + [(0.25, False)] * 3
    assert scoring.calibration_error(pairs) == pytest.approx(0.0)
    assert scoring.calibration_error([(0.9, False)] * 4) == pytest.approx(0.9)


def test_rank_auc():
    assert scoring.rank_auc([(0.9, True), (0.1, False)]) == 1.0
    assert scoring.rank_auc([(0.5, True), (0.5, False)]) == 0.5
    assert scoring.rank_auc([(0.1, True), (0.9, False), (0.5, True)]) == 0.0


def test_bcubed_perfect_and_merged():
    assert scoring.bcubed([("a", "x"), ("a", "x"), ("b", "y")]) == (1.0, 1.0)
    p, r = scoring.bcubed([("a", "x"), ("a", "x"), ("b", "x")])
    assert r == 1.0 and p == pytest.approx((2 / 3 * 2 + 1 / 3) / 3)


def test_sections_coverage_and_mixing():
    gold = {"r": {"lines": {"1": "other", "2": "budget", "3": ["problems", "measures"]}}}
    rows = [{"doc": "r.txt", "line_start": 1, "line_end": 2, "section": "budget", "confidence": 0.5},
            {"doc": "r.txt", "line_start": 3, "line_end": 3, "section": "measures", "confidence": 0.9}]
    res = scoring.score_sections(gold, rows)
    assert res["accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert res["mixed_blocks"] == 1 and res["uncovered_lines"] == 0


@pytest.mark.slow
def test_agrees_with_the_shared_scorer(shared_dir, tmp_path):
    gold_dir, docs = shared_dir / "gold" / "seeds", shared_dir / "seeds"
    gold = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in gold_dir.glob("*.json") if p.name != "themes.json"}
    files = [str(p) for p in sorted(docs.glob("*.txt"))]
    nlp_bin = [sys.executable, "-m", "nlp.cli"]
    for what in ("sections", "figures", "facts", "statements"):
        out = tmp_path / f"{what}.jsonl"
        subprocess.run([*nlp_bin, what, *files, "-o", str(out)], check=True, capture_output=True)
        shared = subprocess.run([sys.executable, str(shared_dir / "tools" / "score.py"), what, "--gold", str(gold_dir),
                                 "--pred", str(out)], check=True, capture_output=True, text=True).stdout
        theirs = json.loads(shared.strip().splitlines()[-1])
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
        themes = json.loads((gold_dir / "themes.json").read_text(encoding="utf-8"))
        if what == "sections":
            ours = scoring.score_sections(gold, rows)
        elif what == "figures":
            ours = scoring.score_figures(gold, rows)
        elif what == "facts":
            ours = scoring.score_facts(gold, rows)
        else:
            ours = scoring.score_statements(gold, rows, themes)
        for key, value in theirs.items():
            if key in ours and isinstance(value, (int, float)) and value == value:
                assert ours[key] == pytest.approx(value, abs=1e-3), (what, key)


def test_eval_scores_every_stage_on_the_sample_corpus(sample_dir):
    from nlp.eval_all import evaluate_set, model_figures, render

    result = evaluate_set(sample_dir / "gold", sample_dir / "txt")
    assert result["documents"] == len(list((sample_dir / "gold").glob("s*.json")))
    assert result["sections"]["uncovered_lines"] == 0 and result["sections"]["mixed_blocks"] == 0
    assert result["figures"]["p"] > 0.9 and result["facts"]["f1"] > 0.8
    assert result["brief"]["traceable"] == 1.0 and result["brief"]["cited"] > 20
    cross = model_figures()
    assert {"sections", "figures", "facts", "statements"} <= set(cross)
    assert 0.0 < cross["sections"]["accuracy"] <= 1.0
    text = render({"sets": {"sample": result}, "cross_validated": cross})
    assert "== sample (14 documents" in text and "traceable 1.0" in text
