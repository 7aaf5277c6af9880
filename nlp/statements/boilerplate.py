"""Boilerplate: how generic and interchangeable a statement is (placeholder; model below)."""
from __future__ import annotations

from nlp.document import Report


def score_reports(reports: list[Report]) -> None:
    for r in reports:
        for s in r.statements:
            s.boilerplate = 0.5
