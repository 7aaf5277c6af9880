"""The data that flows through the pipeline: small dataclasses, no behaviour beyond conversion.

read -> Document -> Blocks -> (sections on blocks) -> Figures -> Facts/Checks -> Statements -> Report
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SECTION_LABELS: tuple[str, ...] = (
    "duties", "budget", "indicators", "achievements", "problems", "measures", "other",
)
CORE_LABELS: tuple[str, ...] = ("duties", "budget", "indicators", "problems", "measures")
BLOCK_KINDS: tuple[str, ...] = ("heading", "paragraph", "list_item", "table_row")
FIGURE_KINDS: tuple[str, ...] = ("amount", "percent", "count", "score", "other")
METRICS: tuple[str, ...] = (
    "revenue_total", "budget_initial", "budget_adjusted", "expenditure_total", "execution_rate",
    "basic_expenditure", "project_expenditure", "personnel_expenditure", "public_expenditure",
    "three_public_expenditure", "self_score", "grade", "staff_authorized", "staff_actual",
)
STATEMENT_TYPES: tuple[str, ...] = ("problem", "measure")


@dataclass(slots=True)
class Document:
    """A report as read: cleaned lines that map one-to-one onto source lines.

    ``lines[i]`` is source line ``i + 1`` (for .docx/.pdf/.html: extracted paragraph ``i + 1``).
    Cleaning (debris, stray spaces) never adds or removes lines, so line numbers stay exact.
    ``hints`` carries layout the reader saw, keyed by 1-based line: ``{"heading": 2}`` for a
    Word/HTML heading of level 2, ``{"bold": True}``, ``{"table": 3, "row": 0}`` for table rows.
    """

    doc: str
    lines: list[str]
    format: str = "txt"
    encoding: str | None = None
    hints: dict[int, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def line(self, number: int) -> str:
        """Source line by its 1-based number."""
        return self.lines[number - 1]


@dataclass(slots=True)
class Block:
    """A run of lines that belong together: a heading, a paragraph, a list item or a table row."""

    index: int
    kind: str
    line_start: int
    line_end: int
    text: str
    heading_path: list[str] = field(default_factory=list)
    level: int | None = None  # heading depth (1 = outermost) for headings
    marker: str | None = None  # the numbering that opened it: "一、", "（一）", "1.", "①" …
    section: str = "other"
    confidence: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self, doc: str) -> dict[str, Any]:
        return {
            "doc": doc,
            "block": self.index,
            "kind": self.kind,
            "line_start": self.line_start,
            "line_end": self.line_end,
            "text": self.text,
            "section": self.section,
            "confidence": round(float(self.confidence), 4),
            "scores": {k: round(float(v), 4) for k, v in self.scores.items()},
            "heading_path": list(self.heading_path),
        }


@dataclass(slots=True)
class Figure:
    """One number mention with what it measures."""

    block: int
    line: int
    start: int
    end: int
    text: str
    value: float
    unit: str | None
    kind: str
    comparator: str | None = None
    label: str | None = None
    metric: str | None = None
    confidence: float = 0.0
    pattern: str = ""  # the grammar rule that fired (a feature for the confidence model)
    in_table: bool = False
    range_part: int | None = None  # 0 / 1 for the two ends of a range

    def to_dict(self, doc: str) -> dict[str, Any]:
        return {
            "doc": doc,
            "block": self.block,
            "line": self.line,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "value": self.value,
            "unit": self.unit,
            "kind": self.kind,
            "comparator": self.comparator,
            "label": self.label,
            "metric": self.metric,
            "confidence": round(float(self.confidence), 4),
        }


@dataclass(slots=True)
class Fact:
    """A report-level value (a canonical metric) chosen among competing figure mentions."""

    key: str
    value: float | str
    unit: str | None
    confidence: float
    line: int
    text: str
    alternatives: list[dict[str, Any]] = field(default_factory=list)  # mentions it beat, for --explain
    reason: str = ""

    def to_dict(self, explain: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "value": self.value,
            "unit": self.unit,
            "confidence": round(float(self.confidence), 4),
            "line": self.line,
            "text": self.text,
        }
        if explain:
            out["reason"] = self.reason
            out["alternatives"] = self.alternatives
        return out


@dataclass(slots=True)
class Check:
    """A consistency check over facts: ok, fail or unknown, with a detail a person can verify."""

    check: str
    status: str  # "ok" | "fail" | "unknown"
    detail: str
    lines: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "status": self.status, "detail": self.detail, "lines": self.lines}


@dataclass(slots=True)
class Statement:
    """One problem or one measure, as stated at a source line."""

    doc: str
    line: int
    type: str  # "problem" | "measure"
    text: str
    block: int = -1
    confidence: float = 0.0
    cluster: str = ""
    reports_in_cluster: int = 1
    boilerplate: float = 0.0
    theme: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "line": self.line,
            "type": self.type,
            "text": self.text,
            "cluster": self.cluster,
            "reports_in_cluster": self.reports_in_cluster,
            "boilerplate": round(float(self.boilerplate), 4),
            "confidence": round(float(self.confidence), 4),
        }


@dataclass(slots=True)
class Report:
    """Everything the pipeline learned about one document."""

    doc: str
    document: Document
    blocks: list[Block] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    department: str | None = None
    year: int | None = None
    department_confidence: float | None = None
    year_confidence: float | None = None
    facts: dict[str, Fact] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    no_problems_stated: bool = False  # the problems section says 无 / 暂无 / 未发现问题
    no_problems_line: int | None = None

    # -- conversions -------------------------------------------------------------------------
    def facts_dict(self, explain: bool = False) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "department": self.department,
            "year": self.year,
            "department_confidence": None if self.department_confidence is None else round(self.department_confidence, 4),
            "year_confidence": None if self.year_confidence is None else round(self.year_confidence, 4),
            "facts": {k: f.to_dict(explain) for k, f in self.facts.items()},
            "checks": [c.to_dict() for c in self.checks],
        }

    def _frame(self, rows: list[dict[str, Any]]) -> Any:
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("pandas is needed for DataFrames: pip install 'nlp[frames]'") from exc
        return pd.DataFrame(rows)

    def blocks_frame(self) -> Any:
        return self._frame([b.to_dict(self.doc) for b in self.blocks])

    def figures_frame(self) -> Any:
        return self._frame([f.to_dict(self.doc) for f in self.figures])

    def facts_frame(self) -> Any:
        return self._frame([{"key": k, **f.to_dict()} for k, f in self.facts.items()])

    def checks_frame(self) -> Any:
        return self._frame([c.to_dict() for c in self.checks])

    def statements_frame(self) -> Any:
        return self._frame([s.to_dict() for s in self.statements])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Theme:
    """Statements of many reports grouped by what they say; ordered by reach (reports)."""

    id: str
    type: str  # "problem" | "measure"
    title: str  # key words naming the theme
    summary: str  # a representative statement, verbatim (extractive)
    statements: list[Statement] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    boilerplate: float = 0.0
    keywords: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme": self.title,
            "summary": self.summary,
            "reports": list(self.reports),
            "statements": [{"doc": s.doc, "line": s.line, "text": s.text} for s in self.statements],
            "boilerplate": round(float(self.boilerplate), 4),
            "keywords": list(self.keywords),
            "id": self.id,
        }
