"""Calibrated confidence that a figure is right (value and unit match the gold reading, and its
metric agrees), from how it was found: the grammar rule that fired, unit and kind, whether it sits
in a table, whether a label was bound, the metric, comparator, digits, the line around it.

A logistic regression over one-hot and a few numeric features: small, fast, and well calibrated
when the classes are this lopsided (checked with document-grouped cross-validation; ECE in
meta.json). ``threshold`` in meta.json drops the figures a reader should not be shown.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from nlp.document import Block, Document, Figure

SCHEMA_VERSION = 1


def heuristic_confidence(f: Figure) -> float:
    """A prior by pattern, used when no trained model is shipped."""
    return {"arabic": 0.97, "cn": 0.85, "pct_cn": 0.9, "range": 0.9, "table": 0.9, "table_label": 0.9,
            "table_cmp": 0.75}.get(f.pattern, 0.6)


def figure_features(f: Figure, line: str, section: str | None = None) -> dict[str, Any]:
    """Features of one figure in its source line (no I/O, cheap). ``section`` is accepted for
    callers that have it but not used: the shipped model is trained without the tagger."""
    digits = len(re.sub(r"\D", "", f.text))
    left = line[max(0, f.start - 4):f.start]
    right = line[f.end:f.end + 3]
    stripped = line.strip()
    return {
        "pattern=" + f.pattern: 1.0,
        "kind=" + f.kind: 1.0,
        "unit=" + str(f.unit): 1.0,
        "kind_table=" + f"{f.kind}|{f.in_table}": 1.0,
        "in_table": float(f.in_table),
        "label_found": float(bool(f.label)),
        "label_len": min(len(f.label or ""), 20) / 20.0,
        "metric=" + str(f.metric): 1.0,
        "has_metric": float(f.metric is not None),
        "comparator": float(f.comparator is not None),
        "digits": min(digits, 12) / 12.0,
        "decimal": float("." in f.text or "．" in f.text),
        "zero": float(f.value == 0),
        "whole_line": float(stripped == f.text.strip()),
        "tab_line": float(line.startswith("\t")),
        "pipe_line": float("|" in line),
        "range": float(f.range_part is not None),
        "quote_left": float(any(q in left for q in "“「《\"")),
        "right_cjk": float(bool(right) and "\u4e00" <= right[0] <= "\u9fff"),
        "line_len": min(len(line), 400) / 400.0,
    }


# The numeric features of figure_features, in its order; _logit computes them in this order too.
_NUMERIC = ("in_table", "label_found", "label_len", "has_metric", "comparator", "digits", "decimal", "zero",
            "whole_line", "tab_line", "pipe_line", "range", "quote_left", "right_cjk", "line_len")
_NON_DIGIT = re.compile(r"\D")
_QUOTE_OPEN = re.compile('[“「《"]')


def _plan(f: Figure, weights: dict[str, tuple[int, float]],
          numeric: tuple[tuple[int, float] | None, ...]) -> tuple[tuple[int, float], ...]:
    """The model's terms for a figure's one-hot features merged with its numeric ones, in column
    order: ``(-1, w)`` adds the one-hot coefficient ``w``, ``(i, c)`` adds numeric value ``i`` times
    ``c``. A function of (pattern, kind, unit, in_table, metric) only."""
    get = weights.get
    kind = f.kind
    terms = [w for w in (get("pattern=" + f.pattern), get("kind=" + kind), get("unit=" + str(f.unit)),
                         get(f"kind_table={kind}|{f.in_table}"), get("metric=" + str(f.metric))) if w is not None]
    plan = [(col, (-1, w)) for col, w in terms]
    plan += [(cw[0], (i, cw[1])) for i, cw in enumerate(numeric) if cw is not None]
    plan.sort()
    return tuple(step for _col, step in plan)


def _line_facts(line: str) -> tuple[str, str, float, float, float]:
    """What the features read of a figure's whole line (the same for every figure on it): the line,
    stripped, and its tab, pipe and length features."""
    return (line, line.strip(), 1.0 if line.startswith("\t") else 0.0, 1.0 if "|" in line else 0.0,
            min(len(line), 400) / 400.0)


def _logit(f: Figure, line_facts: tuple[str, str, float, float, float], weights: dict[str, tuple[int, float]],
           numeric: tuple[tuple[int, float] | None, ...],
           plans: dict[tuple[Any, ...], tuple[tuple[int, float], ...]] | None = None) -> float:
    """The linear part of the model for ``figure_features(f, line)`` without building its dict:
    the same products, summed in column order (a zero product leaves the sum as it is). ``line_facts``
    is ``_line_facts(line)``, made once per line; ``plans`` keeps the column order of each one-hot
    combination (they recur: a handful per report)."""
    line, stripped, tab_line, pipe_line, line_len = line_facts
    key = (f.pattern, f.kind, f.unit, f.in_table, f.metric)
    plan = plans.get(key) if plans is not None else None
    if plan is None:
        plan = _plan(f, weights, numeric)
        if plans is not None and len(plans) < 4096:
            plans[key] = plan
    text = f.text
    start, end = f.start, f.end
    label = f.label
    values = (
        1.0 if f.in_table else 0.0,
        1.0 if label else 0.0,
        min(len(label or ""), 20) / 20.0,
        0.0 if f.metric is None else 1.0,
        0.0 if f.comparator is None else 1.0,
        min(len(_NON_DIGIT.sub("", text)), 12) / 12.0,
        1.0 if ("." in text or "．" in text) else 0.0,
        1.0 if f.value == 0 else 0.0,
        1.0 if stripped == text.strip() else 0.0,
        tab_line,
        pipe_line,
        0.0 if f.range_part is None else 1.0,
        1.0 if _QUOTE_OPEN.search(line, max(0, start - 4), start) else 0.0,
        1.0 if end < len(line) and "\u4e00" <= line[end] <= "\u9fff" else 0.0,
        line_len,
    )
    acc = 0.0
    for i, c in plan:
        if i < 0:
            acc += c
        else:
            v = values[i]
            if v:
                acc += v * c
    return acc


class ConfidenceModel:
    """DictVectorizer + LogisticRegression with the scikit-learn estimator conventions."""

    def __init__(self, C: float = 1.0, threshold: float = 0.0) -> None:
        self.C = C
        self.threshold = threshold

    def fit(self, X: list[dict[str, Any]], y: list[int]) -> ConfidenceModel:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectorizer_ = DictVectorizer(sparse=True)
        Xv = self.vectorizer_.fit_transform(X)
        self.classifier_ = LogisticRegression(C=self.C, max_iter=2000)
        self.classifier_.fit(Xv, y)
        self.classes_ = self.classifier_.classes_
        return self

    def predict_proba(self, X: list[dict[str, Any]]) -> Any:
        return self.classifier_.predict_proba(self.vectorizer_.transform(X))

    def predict(self, X: list[dict[str, Any]]) -> Any:
        return self.classifier_.predict(self.vectorizer_.transform(X))

    def predict_proba_figures(self, document: Document, blocks: list[Block], figures: list[Figure]) -> list[float]:
        clf = self.classifier_
        if figures and len(clf.classes_) == 2 and list(clf.classes_) == [0, 1] and clf.coef_.shape[0] == 1:
            # One call per report, but scikit-learn's input checks (and DictVectorizer's sparse
            # matrix) cost more than the model: the same arithmetic as LogisticRegression.predict_proba
            # for two classes, each row's products summed in column order as the sparse product does.
            import numpy as np
            from scipy.special import expit

            weights, numeric = self._weights()
            plans = self.__dict__["_weights_cache"][3]  # made with the weights, for the same model
            lines = document.lines
            per_line: dict[int, tuple[str, str, float, float, float]] = {}
            z = []
            for f in figures:
                facts = per_line.get(f.line)
                if facts is None:
                    facts = per_line[f.line] = _line_facts(lines[f.line - 1])
                z.append(_logit(f, facts, weights, numeric, plans))
            return [float(p) for p in expit(np.asarray(z, dtype=float) + clf.intercept_)]
        X = [figure_features(f, document.lines[f.line - 1]) for f in figures]
        proba = self.predict_proba(X)
        pos = list(self.classes_).index(1)
        return [float(p[pos]) for p in proba]

    def _weights(self) -> tuple[dict[str, tuple[int, float]], tuple[tuple[int, float] | None, ...]]:
        """Feature name -> (column, coefficient) of the fitted model, and the same for the numeric
        features in ``_NUMERIC`` order (None where the model lacks one); built once per model, with
        an empty memo of the one-hot plans ``_logit`` reads for this model."""
        cache = self.__dict__.get("_weights_cache")
        if cache is None or cache[0] is not self.classifier_:
            coef = [float(c) for c in self.classifier_.coef_[0]]
            table = {name: (col, coef[col]) for name, col in self.vectorizer_.vocabulary_.items()}
            numeric = tuple(table.get(name) for name in _NUMERIC)
            cache = self.__dict__["_weights_cache"] = (self.classifier_, table, numeric, {})
        return cache[1], cache[2]

    # -- persistence ----------------------------------------------------------------------
    def save(self, folder: Path, meta: dict[str, Any]) -> None:
        import skops.io as sio

        folder.mkdir(parents=True, exist_ok=True)
        sio.dump({"vectorizer": self.vectorizer_, "classifier": self.classifier_}, folder / "model.skops")
        meta = {"schema_version": SCHEMA_VERSION, "classes": [0, 1], "threshold": self.threshold,
                "C": self.C, **meta}
        (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path) -> ConfidenceModel:

        from nlp.errors import ModelError

        folder = Path(folder)
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            path = folder / "model.skops"
            from nlp.artefacts import load_skops

            parts = load_skops(path)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(str(folder), f"figures model cannot be read: {exc}") from exc
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise ModelError(str(folder), f"figures model has schema {meta.get('schema_version')}, "
                                          f"expected {SCHEMA_VERSION}")
        model = cls(C=float(meta.get("C", 1.0)), threshold=float(meta.get("threshold", 0.0)))
        model.vectorizer_, model.classifier_ = parts["vectorizer"], parts["classifier"]
        model.classes_ = model.classifier_.classes_
        return model
