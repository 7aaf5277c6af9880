"""Corpus-level linking: clusters, reports per cluster and boilerplate scores for every statement.

``cluster`` groups statements that say the same thing across the input reports: reworded copies
(MinHash-LSH near-duplicates) and paraphrases (the theme clustering of
:mod:`nlp.statements.themes`), so the id is the theme's id, stable for a given input set.
"""
from __future__ import annotations

from nlp.document import Report


def link_statements(reports: list[Report]) -> None:
    """Set ``cluster``, ``reports_in_cluster``, ``theme`` and ``boilerplate`` on every statement."""
    from nlp.statements.boilerplate import score_reports
    from nlp.statements.themes import build_themes

    all_st = [s for r in reports for s in r.statements]
    if not all_st:
        return
    score_reports(reports)
    for typ in ("problem", "measure"):
        for th in build_themes(all_st, typ):
            n = len(th.reports)
            for s in th.statements:
                s.cluster = th.id
                s.theme = th.id
                s.reports_in_cluster = n


def report_boilerplate_share(report: Report, threshold: float = 0.5) -> float | None:
    """Share of the report's problem statements that are boilerplate (None without problems)."""
    probs = [s for s in report.statements if s.type == "problem"]
    if not probs:
        return None
    return sum(1 for s in probs if s.boilerplate >= threshold) / len(probs)
