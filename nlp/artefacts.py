"""Loading skops weights safely: only scikit-learn, NumPy and SciPy types are trusted.

Why: ``skops.io.load(path, trusted=get_untrusted_types(path))`` trusts whatever the file names,
which is pickle's problem again. A model folder from elsewhere must not run code on load.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from nlp.errors import ModelError

TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.")


def load_skops(path: str | Path) -> Any:
    """The object saved at ``path``; ModelError when it names a type outside the trusted libraries."""
    import skops.io as sio

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
