"""Probabilities of small boosted models on a few rows, without scikit-learn's per-call overhead.

Why: the statement and boilerplate models are gradient-boosted trees (150 shallow trees) asked about
a dozen candidates per report. scikit-learn walks each tree in its own compiled call and validates
its input every time, which costs about a millisecond per report, more than the trees' arithmetic.
Here every tree of a fitted ``HistGradientBoostingClassifier`` (binary, numeric features) is packed
into flat node arrays once, and all rows walk all trees together, one NumPy step per tree level.
Probabilities equal ``predict_proba``'s to rounding (tested); other models fall back to it.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
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
