"""The brief as data: what a reader of many reports needs first, every point citing doc and line.

The brief adds no words of its own about a report: titles and summaries are either report text
(verbatim statements) or templates filled with counts and with that text, so every sentence can be
traced back to a statement at a line.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from nlp.document import STATEMENT_TYPES, Report, Statement, Theme

BOILERPLATE_CUTOFF = 0.5  # a statement at or above this score counts as boilerplate
SUMMARY_TEMPLATES: dict[str, str] = {
    "problem": "{n} 份报告提到此类问题（{m} 条表述）；代表性表述：「{text}」（{cite}）。",
    "measure": "{n} 份报告提出此类措施（{m} 条表述）；代表性表述：「{text}」（{cite}）。",
}
QUOTE_MAX = 80  # a longer representative statement is quoted by its opening words and "…"
TYPE_KEYS: dict[str, str] = {"problem": "problems", "measure": "measures"}


def short_doc(doc: str) -> str:
    """The file name of a doc path: short enough for a citation, still unique in practice."""
    name = PurePath(str(doc)).name
    return name or str(doc)


def cite(doc: str, line: int) -> str:
    return f"{short_doc(doc)}:{line}"


@dataclass(slots=True)
class BriefTheme:
    """One theme as the brief shows it: the theme's statements plus a traceable summary."""

    id: str
    type: str
    title: str
    summary: str
    reports: list[str]
    statements: list[Statement]
    boilerplate: float
    keywords: list[str] = field(default_factory=list)
    representative: Statement | None = None

    @property
    def reach(self) -> int:
        return len(self.reports)

    def to_dict(self) -> dict[str, Any]:
        rep = self.representative
        return {
            "theme": self.title,
            "summary": self.summary,
            "reports": list(self.reports),
            "statements": [{"doc": s.doc, "line": s.line, "text": s.text} for s in self.statements],
            "boilerplate": round(float(self.boilerplate), 4),
            "id": self.id,
            "type": self.type,
            "reach": self.reach,
            "keywords": list(self.keywords),
            "representative": (
                {"doc": rep.doc, "line": rep.line, "text": rep.text} if rep is not None else None
            ),
        }


@dataclass(slots=True)
class ReportLine:
    """Per-report figures the brief lists: counts and the boilerplate share of its problems."""

    doc: str
    department: str | None
    year: int | None
    problems: int
    measures: int
    boilerplate_share: float | None  # None when the report states no problem
    no_problems_stated: bool
    no_problems_line: int | None
    no_problems_text: str | None
    examples: list[Statement] = field(default_factory=list)  # its most boilerplate problem statements

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "department": self.department,
            "year": self.year,
            "problems": self.problems,
            "measures": self.measures,
            "boilerplate_share": None if self.boilerplate_share is None else round(self.boilerplate_share, 4),
            "no_problems_stated": self.no_problems_stated,
            "no_problems_line": self.no_problems_line,
        }


@dataclass(slots=True)
class Brief:
    """The leadership brief over a set of reports; render with ``to_json/to_markdown/to_html``."""

    reports: list[ReportLine]
    problems: list[BriefTheme]
    measures: list[BriefTheme]
    omitted: dict[str, int] = field(default_factory=dict)  # themes left out beyond max_themes
    top_boilerplate: int = 5

    # -- derived views ------------------------------------------------------------------------
    @property
    def n_reports(self) -> int:
        return len(self.reports)

    @property
    def boilerplate_share(self) -> float | None:
        """Mean boilerplate share over the reports that state problems."""
        shares = [r.boilerplate_share for r in self.reports if r.boilerplate_share is not None]
        return sum(shares) / len(shares) if shares else None

    @property
    def no_problems(self) -> list[ReportLine]:
        """Reports that say they have no problems (无 / 暂无 …)."""
        return [r for r in self.reports if r.no_problems_stated]

    @property
    def silent(self) -> list[ReportLine]:
        """Reports where no problem statement was found and no 'none' either."""
        return [r for r in self.reports if not r.no_problems_stated and r.problems == 0]

    @property
    def boilerplate_heavy(self) -> list[ReportLine]:
        """The reports whose problems are most boilerplate, most first (ties: more statements)."""
        ranked = [r for r in self.reports if r.boilerplate_share]
        ranked.sort(key=lambda r: (-(r.boilerplate_share or 0.0), -r.problems, r.doc))
        return ranked[: self.top_boilerplate]

    # -- conversions --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        share = self.boilerplate_share
        return {
            "reports": self.n_reports,
            "problems": [t.to_dict() for t in self.problems],
            "measures": [t.to_dict() for t in self.measures],
            "boilerplate_share": None if share is None else round(share, 4),
            "omitted_themes": dict(self.omitted),
            "no_problems_stated": [
                {"doc": r.doc, "department": r.department, "line": r.no_problems_line,
                 "text": r.no_problems_text}
                for r in self.no_problems
            ],
            "no_problem_statements": [{"doc": r.doc, "department": r.department} for r in self.silent],
            "boilerplate_reports": [
                {**r.to_dict(),
                 "examples": [{"doc": s.doc, "line": s.line, "text": s.text,
                               "boilerplate": round(float(s.boilerplate), 4)} for s in r.examples]}
                for r in self.boilerplate_heavy
            ],
            "report_list": [r.to_dict() for r in self.reports],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent) + "\n"

    def to_markdown(self) -> str:
        from nlp.brief.render import render_markdown

        return render_markdown(self)

    def to_html(self) -> str:
        from nlp.brief.render import render_html

        return render_html(self)

    def render(self, fmt: str) -> str:
        """The brief as ``json``, ``md``/``markdown`` or ``html``/``htm`` text."""
        fmt = fmt.lower().lstrip(".")
        if fmt == "json":
            return self.to_json()
        if fmt in ("md", "markdown"):
            return self.to_markdown()
        if fmt in ("html", "htm"):
            return self.to_html()
        raise ValueError(f"unknown brief format {fmt!r}: use .json, .md or .html")

    def write(self, path: Any) -> None:
        """Write the brief in the format its suffix names, atomically (no partial file on error).

        ``-`` writes the JSON form to standard output.
        """
        from nlp.output import write_text_atomic

        if str(path) == "-":
            import sys

            sys.stdout.write(self.to_json())
            sys.stdout.flush()
            return
        suffix = PurePath(str(path)).suffix
        text = self.render(suffix or "json")  # render first: a failure leaves nothing behind
        write_text_atomic(path, text)


# -- building ---------------------------------------------------------------------------------
def _bigrams(text: str) -> set[str]:
    t = "".join(ch for ch in text if not ch.isspace())
    return {t[i: i + 2] for i in range(len(t) - 1)} or ({t} if t else set())


def _medoid(statements: Sequence[Statement], cap: int = 150) -> Statement:
    """The statement most like the others (character bigrams): a fair representative."""
    pool = list(statements[:cap])
    if len(pool) <= 2:
        return min(pool, key=lambda s: (len(s.text), s.doc, s.line))  # the more concise one
    grams = [_bigrams(s.text) for s in pool]

    def score(i: int) -> float:
        total = 0.0
        for j, g in enumerate(grams):
            if i != j and grams[i] and g:
                total += len(grams[i] & g) / len(grams[i] | g)
        return total

    best = max(range(len(pool)), key=lambda i: (score(i), -abs(len(pool[i].text) - 30), -i))
    return pool[best]


def _report_share(report: Report) -> float | None:
    """Share of a report's problem statements that are boilerplate (None if it states none)."""
    problems = [s for s in report.statements if s.type == "problem"]
    if not problems:
        return None
    try:
        from nlp.statements import report_boilerplate_share
    except ImportError:
        report_boilerplate_share = None
    if report_boilerplate_share is not None:
        try:
            value = report_boilerplate_share(report)
        except Exception:  # a broken helper must not sink the whole brief: fall back below
            value = None
        if value is not None:
            return min(max(float(value), 0.0), 1.0)
    return sum(1 for s in problems if s.boilerplate >= BOILERPLATE_CUTOFF) / len(problems)


def _fallback_themes(statements: list[Statement], type_: str) -> list[Theme]:
    """Themes from the statements' own grouping (theme or cluster id) when no theme builder exists."""
    groups: dict[str, list[Statement]] = defaultdict(list)
    for s in statements:
        key = s.theme or s.cluster or f"{s.doc}:{s.line}"
        groups[key].append(s)
    themes = []
    for i, (key, members) in enumerate(groups.items()):
        rep = _medoid(members)
        title = rep.text if len(rep.text) <= 24 else rep.text[:23] + "…"
        reports = list(dict.fromkeys(s.doc for s in members))
        themes.append(Theme(id=f"{type_[0]}{i}:{key}", type=type_, title=title, summary=rep.text,
                            statements=members, reports=reports,
                            boilerplate=sum(s.boilerplate for s in members) / len(members)))
    return themes


def _themes(statements: list[Statement], type_: str) -> list[Theme]:
    if not statements:
        return []
    try:
        from nlp.statements import build_themes
    except ImportError:
        return _fallback_themes(statements, type_)
    return list(build_themes(statements, type_))


def _brief_theme(theme: Theme, type_: str, order: dict[str, int], index: int) -> BriefTheme | None:
    seen: set[tuple[str, int, str]] = set()
    members: list[Statement] = []
    for s in theme.statements:
        key = (s.doc, s.line, s.text)
        if key in seen or not s.text.strip():
            continue
        seen.add(key)
        members.append(s)
    if not members:
        return None
    members.sort(key=lambda s: (order.get(s.doc, len(order)), s.doc, s.line))
    reports = list(dict.fromkeys(s.doc for s in members))
    # The theme's own summary is meant to be a verbatim statement; use it when it is one.
    rep = next((s for s in members if s.text == theme.summary), None) or _medoid(members)
    template = SUMMARY_TEMPLATES.get(type_, SUMMARY_TEMPLATES["problem"])
    quote = rep.text if len(rep.text) <= QUOTE_MAX else rep.text[: QUOTE_MAX - 1] + "…"
    summary = template.format(n=len(reports), m=len(members), text=quote, cite=cite(rep.doc, rep.line))
    title = (theme.title or "").strip() or "、".join(theme.keywords[:3]) or rep.text[:24]
    boilerplate = theme.boilerplate
    if not boilerplate and members:
        boilerplate = sum(s.boilerplate for s in members) / len(members)
    return BriefTheme(id=theme.id or f"{type_}-{index}", type=type_, title=title, summary=summary,
                      reports=reports, statements=members, boilerplate=float(boilerplate),
                      keywords=list(theme.keywords), representative=rep)


def _no_problems_text(report: Report) -> str | None:
    ln = report.no_problems_line
    if ln is None:
        return None
    try:
        return report.document.line(ln).strip() or None
    except (IndexError, AttributeError):
        return None


def build_brief(
    reports: Iterable[Report],
    max_themes: int = 15,
    top_boilerplate: int = 5,
    link: bool | None = None,
    themes: dict[str, list[Theme]] | None = None,
) -> Brief:
    """The brief over processed reports.

    ``max_themes`` keeps the most widespread themes of each type (the rest are counted in
    ``omitted``); ``top_boilerplate`` is how many boilerplate-heavy reports to list. Reports not yet
    linked across each other (no cluster on any statement) are linked first unless ``link=False``.
    ``themes`` (``{"problem": [Theme…], "measure": [Theme…]}``) uses themes built elsewhere instead
    of ``nlp.statements.build_themes``.
    """
    reports = list(reports)
    all_statements = [s for r in reports for s in r.statements]
    if link is None:
        link = bool(all_statements) and not any(s.cluster for s in all_statements)
    if link and all_statements:
        try:
            from nlp.pipeline import link_reports

            link_reports(reports)
        except ImportError:
            pass

    order = {r.doc: i for i, r in enumerate(reports)}
    by_type: dict[str, list[BriefTheme]] = {}
    omitted: dict[str, int] = {}
    for type_ in STATEMENT_TYPES:
        stmts = [s for r in reports for s in r.statements if s.type == type_]
        given = themes.get(type_) if themes is not None else None
        built = [bt for i, t in enumerate(given if given is not None else _themes(stmts, type_))
                 if (bt := _brief_theme(t, type_, order, i)) is not None]
        # Most widespread first; then more statements; then first appearance (stable, deterministic).
        built.sort(key=lambda t: (-t.reach, -len(t.statements),
                                  min(order.get(d, len(order)) for d in t.reports), t.title))
        key = TYPE_KEYS[type_]
        by_type[key] = built[:max_themes] if max_themes and max_themes > 0 else built
        omitted[key] = len(built) - len(by_type[key])

    lines = []
    for r in reports:
        problems = [s for s in r.statements if s.type == "problem"]
        examples = sorted((s for s in problems if s.boilerplate >= BOILERPLATE_CUTOFF),
                          key=lambda s: (-s.boilerplate, s.line))[:2]
        lines.append(ReportLine(
            doc=r.doc, department=r.department, year=r.year, problems=len(problems),
            measures=sum(1 for s in r.statements if s.type == "measure"),
            boilerplate_share=_report_share(r), no_problems_stated=bool(r.no_problems_stated),
            no_problems_line=r.no_problems_line, no_problems_text=_no_problems_text(r),
            examples=examples,
        ))
    return Brief(reports=lines, problems=by_type["problems"], measures=by_type["measures"],
                 omitted=omitted, top_boilerplate=top_boilerplate)
