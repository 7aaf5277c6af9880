"""Probabilities of small boosted models on a few rows, without scikit-learn's per-call overhead.

Why: the statement and boilerplate models are gradient-boosted trees (150 shallow trees) asked about
a dozen candidates per report. scikit-learn walks each tree in its own compiled call and validates
its input every time, which costs about a millisecond per report, more than the trees' arithmetic.
Here every tree of a fitted ``HistGradientBoostingClassifier`` (binary, numeric features) is packed
into flat node arrays once, and all rows walk all trees together, one NumPy step per tree level.
Probabilities equal ``predict_proba``'s to rounding (tested); other models fall back to it.
Likewise a character n-gram TF-IDF + logistic pipeline (the statement wording model) is scored from
its vocabulary, IDF and coefficients in plain Python: a few dozen short texts per report cost
scikit-learn's vectoriser more in setup than in counting.
"""
from __future__ import annotations

import math
import re
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Proba = Callable[[np.ndarray], np.ndarray]  # rows -> probability of the positive class


class PackedTrees:
    """The trees of a binary ``HistGradientBoostingClassifier`` as flat arrays (raw score only)."""

    def __init__(self, estimator: Any) -> None:
        nodes = [p.nodes for (p,) in estimator._predictors]
        sizes = np.array([len(t) for t in nodes])
        offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        flat = np.concatenate(nodes)
        shift = np.repeat(offsets, sizes)
        self.roots = offsets.astype(np.int64)
        self.feature = flat["feature_idx"].astype(np.int64)
        self.threshold = flat["num_threshold"].astype(float)
        self.missing_left = flat["missing_go_to_left"].astype(bool)
        self.left = flat["left"].astype(np.int64) + shift
        self.right = flat["right"].astype(np.int64) + shift
        self.leaf = flat["is_leaf"].astype(bool)
        self.value = flat["value"].astype(float)
        self.depth = int(flat["depth"].max()) if len(flat) else 0
        self.baseline = float(np.asarray(estimator._baseline_prediction).ravel()[0])
        # leaves point at themselves, so extra steps past a shallow leaf change nothing
        self.left[self.leaf] = np.nonzero(self.leaf)[0]
        self.right[self.leaf] = np.nonzero(self.leaf)[0]
        self.feature[self.leaf] = 0

    def raw(self, X: np.ndarray) -> np.ndarray:
        """The summed leaf values plus the baseline: ``decision_function``."""
        n = X.shape[0]
        node = np.broadcast_to(self.roots, (n, self.roots.size)).copy()
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            x = X[rows, self.feature[node]]
            go_left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            node = np.where(go_left, self.left[node], self.right[node])
        return self.baseline + self.value[node].sum(axis=1)


def _expit(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _packable(est: Any) -> bool:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return (isinstance(est, HistGradientBoostingClassifier) and getattr(est, "n_trees_per_iteration_", 0) == 1
            and getattr(est, "_preprocessor", None) is None and len(getattr(est, "classes_", ())) == 2
            and not any(p.nodes["is_categorical"].any() for (p,) in est._predictors))


_PACKED: weakref.WeakKeyDictionary[Any, Proba] = weakref.WeakKeyDictionary()


def positive_proba(model: Any) -> Proba:
    """A function giving ``model.predict_proba(X)[:, 1]``; packed trees where the model allows.
    Packed once per model object (a retrained, reloaded model is packed afresh)."""
    got = _PACKED.get(model)
    if got is None:
        got = _PACKED[model] = _positive_proba(model)
    return got


def _positive_proba(model: Any) -> Proba:
    from sklearn.calibration import CalibratedClassifierCV

    if _packable(model):
        trees = PackedTrees(model)
        return lambda X: _expit(trees.raw(np.asarray(X, dtype=float)))
    if isinstance(model, CalibratedClassifierCV) and len(model.calibrated_classifiers_) == 1:
        cc = model.calibrated_classifiers_[0]
        cal = cc.calibrators[0] if len(cc.calibrators) == 1 else None
        if cc.method == "sigmoid" and cal is not None and _packable(cc.estimator):
            trees = PackedTrees(cc.estimator)
            a, b = float(cal.a_), float(cal.b_)

            def calibrated(X: np.ndarray) -> np.ndarray:
                p = _expit(-(a * trees.raw(np.asarray(X, dtype=float)) + b))
                p[(p > 1.0) & (p <= 1.0 + 1e-5)] = 1.0
                return p

            return calibrated
    return lambda X: model.predict_proba(X)[:, 1]


TextProba = Callable[[Sequence[str]], np.ndarray]  # texts -> probability of the positive class
_PACKED_TEXT: weakref.WeakKeyDictionary[Any, TextProba] = weakref.WeakKeyDictionary()
_WHITE = re.compile(r"\s\s+")


def text_positive_proba(model: Any) -> TextProba:
    """A function giving ``model.predict_proba(texts)[:, 1]`` for a fitted char n-gram TF-IDF +
    binary logistic pipeline, in plain Python; other models fall back to ``predict_proba``."""
    got = _PACKED_TEXT.get(model)
    if got is None:
        got = _PACKED_TEXT[model] = _text_positive_proba(model)
    return got


def _text_packable(model: Any) -> bool:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    if not isinstance(model, Pipeline) or len(model.steps) != 2:
        return False
    vec, lr = model.steps[0][1], model.steps[1][1]
    return (isinstance(vec, TfidfVectorizer) and isinstance(lr, LogisticRegression) and len(lr.classes_) == 2
            and vec.analyzer == "char" and vec.preprocessor is None and vec.strip_accents is None
            and vec.norm == "l2" and vec.use_idf and not vec.binary)


def _text_positive_proba(model: Any) -> TextProba:
    if not _text_packable(model):
        return lambda texts: model.predict_proba(list(texts))[:, 1]
    vec, lr = model.steps[0][1], model.steps[1][1]
    idf = vec.idf_
    coef = lr.coef_[0]
    # per n-gram: its idf squared (for the row's norm) and its idf-weighted coefficient
    weight = {g: (float(idf[j]) ** 2, float(coef[j]) * float(idf[j])) for g, j in vec.vocabulary_.items()}
    lo, hi = vec.ngram_range
    lower, sublinear = vec.lowercase, vec.sublinear_tf
    bias = float(lr.intercept_[0])
    log, sqrt, exp = math.log, math.sqrt, math.exp

    def one(text: str) -> float:
        t = _WHITE.sub(" ", text.lower() if lower else text)
        size = len(t)
        grams: list[str] = []
        for n in range(lo, hi + 1):
            grams.extend([t[i:i + n] for i in range(size - n + 1)])
        get = weight.get
        norm2 = dot = 0.0
        for g, c in Counter(grams).items():
            w = get(g)
            if w is None:
                continue
            if c == 1:  # most n-grams occur once: tf 1 either way
                norm2 += w[0]
                dot += w[1]
            else:
                tf = 1.0 + log(c) if sublinear else float(c)
                norm2 += tf * tf * w[0]
                dot += tf * w[1]
        z = bias + (dot / sqrt(norm2) if norm2 > 0 else 0.0)
        return 1.0 / (1.0 + exp(-z))

    return lambda texts: np.array([one(t) for t in texts], dtype=float)
