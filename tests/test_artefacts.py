"""Model weights load only when every type they name is scikit-learn, NumPy or SciPy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp.artefacts import load_skops
from nlp.errors import ModelError


class Planted:
    """A type no shipped model contains: loading it could run this module's code."""

    def __init__(self) -> None:
        self.x = 1


def test_sklearn_model_round_trips(tmp_path: Path) -> None:
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    m = LogisticRegression().fit(X, [0, 0, 1, 1])
    sio.dump(m, tmp_path / "m.skops")
    back = load_skops(tmp_path / "m.skops")
    assert np.allclose(back.predict_proba(X), m.predict_proba(X))


def test_foreign_type_is_refused(tmp_path: Path) -> None:
    import skops.io as sio

    sio.dump({"model": Planted()}, tmp_path / "evil.skops")
    with pytest.raises(ModelError, match="untrusted"):
        load_skops(tmp_path / "evil.skops")


def test_garbage_file_is_a_model_error(tmp_path: Path) -> None:
    p = tmp_path / "broken.skops"
    p.write_bytes(b"not a zip file")
    with pytest.raises(ModelError, match="broken.skops"):
        load_skops(p)


@pytest.mark.parametrize("name", ["statements/confidence.skops", "statements/boilerplate.skops",
                                  "statements/boilerplate_text.skops", "figures/model.skops"])
def test_shipped_weights_pass_the_check(name: str) -> None:
    path = Path(__file__).resolve().parents[1] / "models" / name
    assert load_skops(path) is not None
