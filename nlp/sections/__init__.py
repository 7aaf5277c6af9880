"""Section tagging: which part of a report each block belongs to (duties, budget, … other).

``load_tagger(path)`` reads a model folder's ``meta.json`` and dispatches on its ``backend``
("sklearn" here; other backends plug in by providing an object with ``predict_proba``,
``tag`` and ``explain``). Without a shipped model the keyword tagger keeps the CLI usable.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from nlp.document import SECTION_LABELS, Block, Document
from nlp.errors import ModelError

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "sections"
SCHEMA_VERSION = 1


class SectionTagger(Protocol):
    """What the pipeline needs from a section model, whatever its backend."""

    def predict_proba(self, document: Document, blocks: list[Block]) -> np.ndarray: ...

    def tag(self, document: Document, blocks: list[Block]) -> None: ...

    def explain(self, document: Document, blocks: list[Block]) -> list[dict[str, Any]]: ...


def apply_proba(blocks: list[Block], proba: np.ndarray) -> None:
    """Write label, confidence and per-label scores onto the blocks."""
    proba = np.asarray(proba, dtype=float)
    if len(blocks) != len(proba):
        raise ValueError(f"{len(blocks)} blocks but {len(proba)} rows of probabilities")
    best = proba.argmax(axis=1).tolist() if len(proba) else []
    rows = proba.tolist()  # plain floats, converted once for the whole report
    for b, row, k in zip(blocks, rows, best, strict=True):
        b.section = SECTION_LABELS[k]
        b.confidence = row[k]
        b.scores = dict(zip(SECTION_LABELS, row, strict=True))


class KeywordTagger:
    """Fallback: the label named by the nearest heading the keyword map recognises."""

    def predict_proba(self, document: Document, blocks: list[Block]) -> np.ndarray:
        from nlp.sections.keywords import heading_label

        out = np.full((len(blocks), len(SECTION_LABELS)), 0.05)
        for i, b in enumerate(blocks):
            cands = ([b.text] if b.kind == "heading" else []) + list(reversed(b.heading_path))
            lab = next((x for x in (heading_label(t) for t in cands) if x), "other")
            out[i, SECTION_LABELS.index(lab)] = 0.7
        return out / out.sum(axis=1, keepdims=True)

    def tag(self, document: Document, blocks: list[Block]) -> None:
        apply_proba(blocks, self.predict_proba(document, blocks))

    def explain(self, document: Document, blocks: list[Block]) -> list[dict[str, Any]]:
        return [{"label": b.section, "cues": [{"feature": "heading:" + (b.heading_path[-1] if b.heading_path
                                                                           else b.text), "weight": 1.0}]}
                for b in blocks]


def read_meta(path: Path) -> dict[str, Any]:
    meta_file = path / "meta.json"
    if not meta_file.exists():
        raise ModelError(str(path), "no meta.json in the section model folder")
    try:
        return json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(str(meta_file), f"unreadable meta.json: {exc}") from exc


def load_tagger(path: str | Path | None = None) -> Any:
    """The section tagger saved at ``path`` (default: the shipped ``models/sections``)."""
    if path is None:
        path = DEFAULT_MODEL
        if not (path / "meta.json").exists():
            return KeywordTagger()
    path = Path(path)
    if not path.exists():
        raise ModelError(str(path), "no such section model folder")
    meta = read_meta(path)
    backend = meta.get("backend", "sklearn")
    if backend == "sklearn":
        from nlp.sections.model import SklearnSectionTagger

        return SklearnSectionTagger.load(path)
    if backend == "keywords":
        return KeywordTagger()
    if backend == "transformers":
        from nlp.integrations.transformers_backend import TransformersTagger

        return TransformersTagger.load(path)
    raise ModelError(str(path), f"unknown section model backend {backend!r}")
