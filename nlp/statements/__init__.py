"""Problem and measure statements: extraction, near-duplicates, boilerplate and themes.

``extract_statements`` works on one report; ``link_statements`` and ``build_themes`` work on
many at once (they need every report to tell the common from the particular).
"""
from __future__ import annotations

from nlp.statements.extract import StatementsFound, extract_statements
from nlp.statements.link import link_statements, report_boilerplate_share
from nlp.statements.themes import build_themes

__all__ = ["StatementsFound", "build_themes", "extract_statements", "link_statements", "report_boilerplate_share"]
