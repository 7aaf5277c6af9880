"""Figures: every number in a report with its value, unit, kind, label, canonical metric and a
calibrated confidence. ``FigureExtractor.load()`` is what the pipeline uses; ``parse_figures``
is the grammar on one string."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from nlp.document import Block, Document, Figure
from nlp.figures.grammar import Mention, parse_figures

__all__ = ["FigureExtractor", "Mention", "parse_figures"]

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "figures"


class FigureExtractor:
    """Grammar + table reading + label/metric binding, then a calibrated confidence per figure.

    Figures whose confidence falls below ``min_confidence`` are dropped: precision matters more
    than recall to the people who read the figures.
    """

    def __init__(self, confidence_model: Any = None, min_confidence: float = 0.0) -> None:
        self.confidence_model = confidence_model
        self.min_confidence = min_confidence

    @classmethod
    def load(cls, path: str | Path | None = None) -> FigureExtractor:
        """The shipped extractor; the confidence model is read from ``path`` (default models/figures)."""
        from nlp.figures.confidence import ConfidenceModel

        folder = Path(path) if path is not None else DEFAULT_MODEL
        model = ConfidenceModel.load(folder) if (folder / "meta.json").exists() else None
        threshold = model.threshold if model is not None else 0.0
        return cls(confidence_model=model, min_confidence=threshold)

    def extract(self, document: Document, blocks: list[Block]) -> list[Figure]:
        from nlp.figures.confidence import heuristic_confidence
        from nlp.figures.extract import Extractor

        figures = Extractor().extract(document, blocks)
        if self.confidence_model is not None and figures:
            probs = self.confidence_model.predict_proba_figures(document, blocks, figures)
            for f, p in zip(figures, probs, strict=True):
                f.confidence = float(p)
        else:
            for f in figures:
                f.confidence = heuristic_confidence(f)
        return [f for f in figures if f.confidence >= self.min_confidence]
