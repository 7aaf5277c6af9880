"""Packed boosted trees give scikit-learn's own probabilities, for plain and calibrated models."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from nlp.fastpredict import PackedTrees, positive_proba


def _data(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    X[:, 3] = rng.integers(0, 4, size=n)  # a few distinct values, like counts
    y = ((X[:, 0] + 0.5 * X[:, 3] - X[:, 1] * X[:, 2]) > 0.7).astype(int)
    X[rng.random(X.shape) < 0.08] = np.nan  # missing values take each node's learned side
    return X, y


@pytest.mark.parametrize("depth", [2, 3, None])
def test_packed_trees_match_predict_proba(depth: int | None) -> None:
    X, y = _data()
    model = HistGradientBoostingClassifier(max_iter=40, max_depth=depth, random_state=0).fit(X, y)
    fast = positive_proba(model)
    Xt, _ = _data(150, seed=1)
    assert np.allclose(fast(Xt), model.predict_proba(Xt)[:, 1], atol=1e-12)
    assert np.allclose(PackedTrees(model).raw(Xt), model.decision_function(Xt), atol=1e-12)
    assert fast(Xt[:0]).shape == (0,)


def test_sigmoid_calibrated_model_matches() -> None:
    X, y = _data()
    base = HistGradientBoostingClassifier(max_iter=30, max_depth=3, random_state=0)
    model = CalibratedClassifierCV(base, method="sigmoid", cv=3, ensemble=False).fit(X, y)
    Xt, _ = _data(120, seed=2)
    assert np.allclose(positive_proba(model)(Xt), model.predict_proba(Xt)[:, 1], atol=1e-12)


def test_other_models_fall_back_to_their_own_predict_proba() -> None:
    X, y = _data()
    X = np.nan_to_num(X)
    lr = LogisticRegression().fit(X, y)
    assert np.allclose(positive_proba(lr)(X[:20]), lr.predict_proba(X[:20])[:, 1])
    ensemble = CalibratedClassifierCV(HistGradientBoostingClassifier(max_iter=10), cv=3).fit(X, y)
    assert np.allclose(positive_proba(ensemble)(X[:20]), ensemble.predict_proba(X[:20])[:, 1])


def test_a_model_is_packed_once() -> None:
    X, y = _data()
    model = HistGradientBoostingClassifier(max_iter=5).fit(X, y)
    assert positive_proba(model) is positive_proba(model)
