"""The transformers backend, end to end with a tiny randomly initialised BERT built here."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from nlp.integrations.transformers_sections import TransformersSectionClassifier, make_tiny_bert  # noqa: E402

CONTEXTS = ["一、部门基本情况", "二、预算执行情况", "三、存在的问题", "四、改进措施", "五、绩效指标完成情况"]
TEXTS = ["本局负责全县的信访接待工作", "年初预算数为120万元", "预算编制不够精细", "进一步加强预算管理",
         "群众满意度达到95%"]
LABELS = ["duties", "budget", "problems", "measures", "indicators"]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    base = make_tiny_bert(tmp_path_factory.mktemp("tiny") / "bert", TEXTS + CONTEXTS)
    clf = TransformersSectionClassifier(base, epochs=60, learning_rate=3e-3, batch_size=5)
    return clf.fit(CONTEXTS * 4, TEXTS * 4, LABELS * 4)


def test_fine_tuning_lowers_the_loss(fitted):
    assert fitted.loss_history_[-1] < fitted.loss_history_[0]


def test_probabilities_cover_every_label(fitted):
    proba = fitted.predict_proba(CONTEXTS, TEXTS)
    assert proba.shape == (5, 7)
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert fitted.predict(CONTEXTS, TEXTS) == LABELS


def test_artefact_round_trips(fitted, tmp_path):
    fitted.save(tmp_path / "model")
    again = TransformersSectionClassifier.load(tmp_path / "model")
    assert np.allclose(fitted.predict_proba(CONTEXTS, TEXTS), again.predict_proba(CONTEXTS, TEXTS), atol=1e-5)


def test_missing_checkpoint_is_a_model_error(tmp_path):
    from nlp.errors import ModelError

    with pytest.raises(ModelError, match="no local checkpoint"):
        TransformersSectionClassifier(tmp_path / "nothing").fit(["a"], ["b"], ["other"])
