"""The training-only reports (corpora/train): every gold file agrees with its text, so the section
tagger and the statement model learn from labels that are really there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT / "corpora" / "train"
LABELS = {"duties", "budget", "indicators", "achievements", "problems", "measures", "other"}
FACT_KEYS = {
    "department", "year", "revenue_total", "budget_initial", "budget_adjusted", "expenditure_total",
    "execution_rate", "basic_expenditure", "project_expenditure", "personnel_expenditure", "public_expenditure",
    "three_public_expenditure", "self_score", "grade", "staff_authorized", "staff_actual",
}


def _sources() -> list[Path]:
    return sorted((TRAIN / "txt").glob("*.txt"))


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _as_list(v: str | list[str]) -> list[str]:
    return v if isinstance(v, list) else [v]


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_training_set_shape() -> None:
    srcs = _sources()
    assert len(srcs) >= 20
    for p in srcs:
        assert (TRAIN / "gold" / (p.stem + ".json")).exists(), p.name
    # none of these documents is in the scored sample corpus
    sample = {p.stem for p in (ROOT / "corpora" / "sample" / "txt").iterdir()}
    assert not sample & {p.stem for p in srcs}


@pytest.mark.parametrize("src", _sources(), ids=lambda p: p.name)
def test_train_gold_matches_text(src: Path) -> None:
    g = json.loads((TRAIN / "gold" / (src.stem + ".json")).read_text(encoding="utf-8"))
    lines = _lines(src)
    assert g["doc"] == src.name
    labelled = {int(k) for k in g["lines"]}
    non_empty = {i for i, ln in enumerate(lines, 1) if ln.strip()}
    assert labelled == non_empty, (sorted(non_empty - labelled)[:5], sorted(labelled - non_empty)[:5])
    for k, lab in g["lines"].items():
        assert set(_as_list(lab)) <= LABELS, (k, lab)
    assert "figures" not in g  # figures are not annotated in this set: trainers must not read absences
    assert set(g.get("facts", {})) <= FACT_KEYS
    for s in g["statements"]:
        ln = s["line"]
        assert s["type"] in ("problem", "measure") and isinstance(s["boilerplate"], bool)
        # a statement may run onto the following (wrapped) lines
        window = _norm("".join(lines[ln - 1 : ln + 3]))
        assert _norm(s["text"]) in window, s
        assert s["text"].strip() not in ("无", "暂无")


def test_section_trainer_reads_the_training_set() -> None:
    from nlp.sections.train import default_gold_dirs, load_gold

    dirs = default_gold_dirs()
    assert (TRAIN / "gold").resolve() in dirs
    examples = load_gold([(TRAIN / "gold").resolve()])
    assert len(examples) == len(_sources())
    for e in examples:
        assert (e.y >= 0).mean() > 0.5, e.name  # most blocks carry a target label
