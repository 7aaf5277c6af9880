"""Accuracy figures against gold files, computed the way the shared scorer defines them.

Section figures are line-based: every labelled line counts once; a prediction is right when
its label is among the line's accepted labels. ECE uses ten equal-width confidence bins.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from nlp.document import CORE_LABELS, SECTION_LABELS

Pred = tuple[int, int, str, float]  # line_start, line_end, label, confidence


def expected_calibration_error(pairs: list[tuple[float, bool]], bins: int = 10) -> float:
    """Mean |confidence − accuracy| over equal-width bins, weighted by bin size (see nlp.scoring)."""
    from nlp.scoring import calibration_error

    return calibration_error(pairs, bins)


def score_blocks(docs: list[tuple[dict[int, list[str]], list[Pred]]]) -> dict[str, Any]:
    """Line accuracy, per-label P/R/F1, macro and core macro F1, ECE, uncovered and mixed blocks."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    total = correct = uncovered = mixed = blocks = 0
    pairs: list[tuple[float, bool]] = []
    for gold, preds in docs:
        at: dict[int, Pred] = {}
        for p in preds:
            for ln in range(p[0], p[1] + 1):
                at.setdefault(ln, p)
            labs = [set(gold[ln]) for ln in range(p[0], p[1] + 1) if ln in gold]
            if labs:
                blocks += 1
                if not set.intersection(*labs):
                    mixed += 1
        for ln, accepted in gold.items():
            total += 1
            p = at.get(ln)
            if p is None:
                uncovered += 1
                fn[accepted[0]] += 1
                continue
            ok = p[2] in accepted
            correct += ok
            pairs.append((p[3], ok))
            if ok:
                tp[p[2]] += 1
            else:
                fp[p[2]] += 1
                fn[accepted[0]] += 1
    per: dict[str, dict[str, float]] = {}
    for lab in SECTION_LABELS:
        if tp[lab] + fp[lab] + fn[lab] == 0:
            continue
        pr = tp[lab] / (tp[lab] + fp[lab]) if tp[lab] + fp[lab] else 0.0
        rc = tp[lab] / (tp[lab] + fn[lab]) if tp[lab] + fn[lab] else 0.0
        f = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        per[lab] = {"p": round(pr, 4), "r": round(rc, 4), "f1": round(f, 4), "support": tp[lab] + fn[lab]}
    core = [per[k]["f1"] for k in CORE_LABELS if k in per]
    return {
        "documents": len(docs),
        "lines": total,
        "accuracy": round(correct / total, 4) if total else 0.0,
        "macro_f1": round(sum(v["f1"] for v in per.values()) / len(per), 4) if per else 0.0,
        "core_macro_f1": round(sum(core) / len(core), 4) if core else 0.0,
        "ece": round(expected_calibration_error(pairs), 4),
        "mean_confidence": round(sum(c for c, _ in pairs) / len(pairs), 4) if pairs else 0.0,
        "uncovered_lines": uncovered,
        "blocks": blocks,
        "mixed_blocks": mixed,
        "per_label": per,
    }


def print_section_figures(m: dict[str, Any], title: str, out: Any = None) -> None:
    """A table for people, then one JSON line with the figures."""
    out = out or sys.stdout
    print(title, file=out)
    print(f"  documents {m['documents']}  lines {m['lines']}  blocks {m['blocks']}", file=out)
    print(f"  accuracy {m['accuracy']:.4f}  core macro-F1 {m['core_macro_f1']:.4f}  "
          f"macro-F1 {m['macro_f1']:.4f}  ECE {m['ece']:.4f}", file=out)
    print(f"  uncovered lines {m['uncovered_lines']}  mixed blocks {m['mixed_blocks']}", file=out)
    print(f"  {'label':<13}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}", file=out)
    for lab, v in m["per_label"].items():
        print(f"  {lab:<13}{v['p']:>8.4f}{v['r']:>8.4f}{v['f1']:>8.4f}{v['support']:>9}", file=out)
    print(json.dumps(m, ensure_ascii=False, sort_keys=True), file=out)


def evaluate_sections(gold_dirs: list[Path], docs_dirs: list[Path] | None = None, n_splits: int | None = 5,
                      verbose: bool = False) -> dict[str, Any]:
    """Grouped cross-validated section figures (``n_splits=None``: leave one document out).

    Silver documents (reports without gold under the default folders) join every training fold.
    """
    from nlp.sections.train import (
        cross_val_predict,
        cv_metrics,
        default_silver_dirs,
        load_gold,
        load_silver,
        load_training_extra,
    )

    gold = load_gold([Path(g) for g in gold_dirs], [Path(d) for d in docs_dirs] if docs_dirs else None)
    extra = load_training_extra([Path(g) for g in gold_dirs])
    silver = load_silver(default_silver_dirs(), exclude={e.name for e in gold + extra})
    examples = gold + extra + silver
    probas = cross_val_predict(examples, n_splits=n_splits, verbose=verbose)
    m = cv_metrics(examples, probas)
    m["protocol"] = f"grouped {n_splits}-fold by document" if n_splits else "leave-one-document-out"
    m["silver_documents"] = len(silver)
    m["training_only_gold_documents"] = len(extra)
    return m


def evaluate_sections_cli(gold_dirs: list[Path], docs_dirs: list[Path], n_splits: int | None = 5) -> None:
    """``nlp evaluate sections``: cross-validated figures, as the shared scorer prints them."""
    m = evaluate_sections(gold_dirs, docs_dirs, n_splits=n_splits, verbose=True)
    print_section_figures(m, f"sections ({m['protocol']}; {m['silver_documents']} silver documents in training)")
