"""Read Chinese budget-performance reports and triage a pile of them.

The public API is small: ``nlp.load()`` gives a :class:`~nlp.pipeline.Pipeline`;
calling it on a path or a text gives a :class:`~nlp.document.Report`;
``nlp.summarise(reports)`` gives the leadership brief.
Heavy modules are imported only when first used so that ``import nlp`` stays cheap.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from nlp.brief import Brief
    from nlp.document import Report
    from nlp.pipeline import Pipeline


def load(**options: Any) -> Pipeline:
    """Return a ready pipeline (models are loaded lazily on first use)."""
    from nlp.pipeline import Pipeline

    return Pipeline(**options)


def summarise(reports: list[Report], **options: Any) -> Brief:
    """Build the leadership brief from processed reports."""
    from nlp.brief import build_brief

    return build_brief(reports, **options)


__all__ = ["__version__", "load", "summarise"]
