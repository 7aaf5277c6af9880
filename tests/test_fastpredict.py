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


def test_the_wording_pipeline_scores_as_scikit_learn_does() -> None:
    from nlp.fastpredict import text_positive_proba
    from nlp.statements.confidence import wording_model

    good = ["P|专项资金拨付滞后", "P|绩效目标设置不够细化", "P|部分项目支出进度偏慢", "M|进一步加强预算执行监控",
            "M|完善内部控制制度", "M|加大业务培训力度", "P|档案资料不齐全  缺少验收报告"]
    bad = ["P|全年召开会议12次", "M|完成道路硬化3.5公里", "P|根据有关规定开展自评", "M|项目于2023年6月开工",
           "P|共发放补助资金 86 万元", "M|Ａ区、B区已全部完工"]
    model = wording_model().fit(good + bad, [1] * len(good) + [0] * len(bad))
    texts = ["P|预算执行进度  偏慢", "M|加强培训", "P|Ｘ项目2024年完工", "P|", "M|从未出现过的字"]
    assert np.allclose(text_positive_proba(model)(texts), model.predict_proba(texts)[:, 1], atol=1e-10)
    assert text_positive_proba(model)([]).shape == (0,)
    other = LogisticRegression().fit(np.arange(10.0)[:, None], [0] * 5 + [1] * 5)
    assert np.allclose(text_positive_proba(other)(np.array([[2.0], [8.0]])), other.predict_proba([[2.0], [8.0]])[:, 1])
