"""Confidence that a figure's value, unit and metric are right (placeholder until trained)."""
from __future__ import annotations

from nlp.document import Figure


def heuristic_confidence(f: Figure) -> float:
    """A prior by pattern, used when no trained model is shipped."""
    return {"arabic": 0.95, "cn": 0.8, "pct_cn": 0.9, "range": 0.85, "table": 0.85, "table_label": 0.85,
            "table_cmp": 0.7}.get(f.pattern, 0.6)


class ConfidenceModel:  # replaced by the trained model below
    threshold = 0.0

    @classmethod
    def load(cls, folder):  # pragma: no cover - replaced
        return None
