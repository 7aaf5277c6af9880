"""Loading skops weights safely: only scikit-learn, NumPy and SciPy types are trusted.

Why: ``skops.io.load(path, trusted=get_untrusted_types(path))`` trusts whatever the file names,
which is pickle's problem again. A model folder from elsewhere must not run code on load. And
``skops.io`` is imported here once, cheaply (``skops_io``), for every model folder.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from nlp.errors import ModelError

TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.")

_LIGHT_MODULES = ("linear_model", "svm", "preprocessing", "feature_extraction", "pipeline", "calibration",
                  "isotonic", "naive_bayes", "ensemble", "tree", "neighbors", "decomposition", "cluster",
                  "compose", "dummy", "feature_selection", "multiclass", "impute")


def skops_io() -> Any:
    """``skops.io``, imported without walking every scikit-learn module.

    Why: skops builds its default trusted-type list with ``sklearn.utils.all_estimators()``,
    which imports all of scikit-learn and, through its array-API shims, torch when installed
    (seconds). We list the estimators of the usual modules instead; loading is unaffected
    because we always pass an explicit trusted list.
    """
    import sys

    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    import importlib
    import inspect

    import sklearn.utils
    from sklearn.base import BaseEstimator

    def light_all_estimators(type_filter: Any = None) -> list[tuple[str, type]]:
        found: dict[str, type] = {}
        for name in _LIGHT_MODULES:
            try:
                mod = importlib.import_module(f"sklearn.{name}")
            except ImportError:  # pragma: no cover - depends on the scikit-learn version
                continue
            for attr in getattr(mod, "__all__", dir(mod)):
                obj = getattr(mod, attr, None)
                if inspect.isclass(obj) and issubclass(obj, BaseEstimator) and not attr.startswith("_"):
                    found[attr] = obj
        return sorted(found.items())

    original = sklearn.utils.all_estimators
    sklearn.utils.all_estimators = light_all_estimators
    try:
        import skops.io
    finally:
        sklearn.utils.all_estimators = original
    return skops.io




def load_skops(path: str | Path) -> Any:
    """The object saved at ``path``; ModelError when it names a type outside the trusted libraries."""
    sio = skops_io()
    path = Path(path)
    try:
        untrusted = sio.get_untrusted_types(file=str(path))
    except Exception as exc:  # noqa: BLE001 - any unreadable artefact is a model error
        raise ModelError(str(path), f"cannot read model weights: {exc}") from exc
    refused = sorted(t for t in untrusted if not t.startswith(TRUSTED_PREFIXES))
    if refused:
        raise ModelError(str(path), f"refusing untrusted types in model weights: {refused}")
    try:
        return sio.load(str(path), trusted=untrusted)
    except Exception as exc:  # noqa: BLE001
        raise ModelError(str(path), f"cannot load model weights: {exc}") from exc
