"""The leadership brief: themes of problems and measures across reports, every point cited.

``build_brief(reports)`` gives a :class:`Brief`; ``Brief.write(path)`` writes JSON, Markdown or
one self-contained HTML page according to the suffix.
"""
from __future__ import annotations

from nlp.brief.model import Brief, BriefTheme, ReportLine, build_brief

__all__ = ["Brief", "BriefTheme", "ReportLine", "build_brief"]
