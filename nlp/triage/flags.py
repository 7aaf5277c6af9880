"""Red flags: pure functions over a :class:`~nlp.document.Report`, and the score that ranks reports.

Why: a finance bureau receives hundreds of self-evaluation reports and can read only a few with care.
A flag names something a reader should look at, *where* it is (a source line, always), and how much
it weighs; the score (sum of weights) orders reports by how much they deserve a reader's time.

Every function here works with whatever the Report carries: a report processed without the
sections stage has no section labels, so section-based flags stay silent instead of firing on
everything; one without facts has no rates, so rate flags stay silent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.document import Block, Report

# Thresholds (documented in SCHEMA.md; change them here only).
EXEC_LOW = 80.0
EXEC_HIGH = 100.0
HIGH_SCORE = 90.0
HIGH_SCORE_EXEC = 85.0
BOILERPLATE_SHARE = 0.7
MAX_CHECK_FLAGS = 3


@dataclass(slots=True, frozen=True)
class Flag:
    """One reason to read a report: a code, a weight, a sentence for a person, the line it came from."""

    code: str
    weight: float
    reason: str
    line: int

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "weight": self.weight, "reason": self.reason, "line": self.line}


FLAG_CODES: dict[str, str] = {
    "check_failed": "a consistency check over the report's own figures fails",
    "execution_rate_off": "budget execution rate far from 100% (< 80% or > 100%)",
    "high_score_low_execution": "self-score >= 90 while the execution rate is < 85%",
    "no_problems_section": "the report has no problems section at all",
    "no_problems_stated": "the problems section says there are none (无 / 暂无 / 未发现问题)",
    "problems_empty": "the problems section has a heading but nothing under it",
    "boilerplate_problems": "the problems stated are mostly boilerplate found in many reports",
    "indicators_without_actuals": "indicators state targets but no actual values",
}


def _quote(report: Report, line: int, width: int = 40) -> str:
    try:
        text = report.document.line(line).strip()
    except (IndexError, AttributeError):
        return ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _num(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().rstrip("%"))
    except ValueError:
        return None


# -- facts and checks -------------------------------------------------------------------------
def check_flags(report: Report) -> list[Flag]:
    """Each failed consistency check (up to MAX_CHECK_FLAGS) at the first line it names."""
    out: list[Flag] = []
    for chk in report.checks:
        if chk.status != "fail":
            continue
        line = min(chk.lines) if chk.lines else _first_content_line(report)
        out.append(Flag("check_failed", 2.0, f"check {chk.check} fails: {chk.detail}", line))
        if len(out) >= MAX_CHECK_FLAGS:
            break
    return out


def execution_flags(report: Report) -> list[Flag]:
    """Execution rate off, and a high self-score that sits beside a low execution rate."""
    out: list[Flag] = []
    rate_fact = report.facts.get("execution_rate")
    rate = _num(rate_fact.value) if rate_fact is not None else None
    if rate_fact is not None and rate is not None:
        if rate < EXEC_LOW:
            weight = 2.0 + min(3.0, (EXEC_LOW - rate) / 10.0)
            out.append(Flag("execution_rate_off", round(weight, 2),
                            f"budget execution rate {rate:g}% is far below 100% (< {EXEC_LOW:g}%)",
                            rate_fact.line))
        elif rate > EXEC_HIGH:
            weight = 2.0 + min(3.0, (rate - EXEC_HIGH) / 5.0)
            out.append(Flag("execution_rate_off", round(weight, 2),
                            f"budget execution rate {rate:g}% is above 100%: spending beyond the budget "
                            "or a miscalculated rate", rate_fact.line))
    score_fact = report.facts.get("self_score")
    score = _num(score_fact.value) if score_fact is not None else None
    if score_fact is not None and score is not None and rate is not None and rate_fact is not None \
            and score >= HIGH_SCORE and rate < HIGH_SCORE_EXEC:
        out.append(Flag("high_score_low_execution", 4.0,
                        f"self-score {score:g} (≥ {HIGH_SCORE:g}) although the execution rate is only {rate:g}% "
                        f"(line {rate_fact.line})", score_fact.line))
    return out


# -- the problems section ---------------------------------------------------------------------
def _sections_ran(report: Report) -> bool:
    return any(b.section != "other" or b.confidence > 0 for b in report.blocks)


def _first_content_line(report: Report) -> int:
    for i, text in enumerate(report.document.lines, start=1):
        if text.strip():
            return i
    return 1


def problems_flags(report: Report) -> list[Flag]:
    """Missing, empty, "none" or boilerplate problems section."""
    if report.no_problems_stated:
        line = report.no_problems_line or _problems_line(report) or _first_content_line(report)
        quoted = _quote(report, line)
        return [Flag("no_problems_stated", 3.0,
                     f"the problems section states there are no problems: “{quoted}”", line)]
    if not report.blocks or not _sections_ran(report):
        return []
    problem_blocks = [b for b in report.blocks if b.section == "problems"]
    if not problem_blocks:
        line = _missing_section_line(report)
        return [Flag("no_problems_section", 3.0,
                     f"no problems section in {len(report.document.lines)} lines "
                     f"(line {line} is where one would be expected)", line)]
    body = [b for b in problem_blocks if b.kind != "heading" and b.text.strip()]
    has_statements = any(s.type == "problem" for s in report.statements)
    if not body and not has_statements:
        head = problem_blocks[0]
        return [Flag("problems_empty", 2.5,
                     f"the problems section “{_quote(report, head.line_start)}” has nothing under it",
                     head.line_start)]
    share = report_boilerplate(report)
    if share is not None and share >= BOILERPLATE_SHARE:
        problems = [s for s in report.statements if s.type == "problem"]
        line = problems[0].line if problems else problem_blocks[0].line_start
        weight = 2.0 + 2.0 * (share - BOILERPLATE_SHARE) / (1.0 - BOILERPLATE_SHARE)
        return [Flag("boilerplate_problems", round(weight, 2),
                     f"{share:.0%} of the problems stated are boilerplate seen in many reports", line)]
    return []


def report_boilerplate(report: Report) -> float | None:
    """The statements module's boilerplate share of the report's problems, when it is available."""
    if not any(s.type == "problem" for s in report.statements):
        return None
    try:
        from nlp.statements import report_boilerplate_share
    except ImportError:
        return None
    try:
        value = report_boilerplate_share(report)
    except Exception:  # a flag must never take the file down  # noqa: BLE001
        return None
    return None if value is None else float(value)


def _problems_line(report: Report) -> int | None:
    for b in report.blocks:
        if b.section == "problems":
            return b.line_start
    return None


def _missing_section_line(report: Report) -> int:
    """Where a problems section would be expected: before the measures, else after the last heading."""
    for b in report.blocks:
        if b.section == "measures":
            return b.line_start
    headings = [b for b in report.blocks if b.kind == "heading"]
    if headings:
        return headings[-1].line_start
    return _first_content_line(report)


# -- indicators -------------------------------------------------------------------------------
_TARGET = re.compile(r"(≥|≤|＞|＜|>=|<=|不低于|不高于|不少于|不超过|不大于|不小于|大于等于|小于等于|目标值|指标值|预期值|预期目标)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ACTUAL = re.compile(r"(实际|完成值|实现值|已完成|完成了|完成率|达到了|达成|实现了|执行数|执行率为)")
_EMPTY_CELL = {"", "-", "—", "——", "/", "／", "无", "空", "待定"}
_CELL_SPLIT = re.compile(r"\s*[|\t]\s*")
_TARGET_ONLY_CELL = re.compile(r"^(?:≥|≤|＞|＜|>=|<=|>|<|不低于|不高于|不少于|不超过)\s*\d")


def _cells(text: str) -> list[str]:
    parts = _CELL_SPLIT.split(text.strip().strip("|"))
    return [p.strip() for p in parts]


def _row_state(block: Block) -> str | None:
    """'missing' when an indicator row has a target and no actual, 'ok' when it has both, else None."""
    text = block.text
    cells = _cells(text) if ("|" in text or "\t" in text) else []
    if len(cells) >= 2:
        for i, cell in enumerate(cells):
            if _TARGET_ONLY_CELL.match(cell):
                rest = cells[i + 1:]
                return "missing" if not rest or rest[0] in _EMPTY_CELL else "ok"
        return None
    if not _TARGET.search(text) or not _NUMBER.search(text):
        return None
    if _ACTUAL.search(text):
        return "ok"
    numbers = _NUMBER.findall(text)
    return "missing" if len(numbers) <= 1 else None


def indicator_flags(report: Report) -> list[Flag]:
    """Indicators with targets but no actual values (rows labelled ``indicators``).

    Heuristic: a table row whose target cell (``≥95%``) is followed by an empty cell, or a sentence
    that states a target (目标值, ≥, 不低于 …) with one number and no word of achievement
    (实际, 完成值, 达到了 …). Fires when at least two such rows exist and they are at least half of
    the rows that state a target.
    """
    if not _sections_ran(report):
        return []
    missing: list[Block] = []
    ok = 0
    for b in report.blocks:
        if b.section != "indicators" or b.kind == "heading":
            continue
        state = _row_state(b)
        if state == "missing":
            missing.append(b)
        elif state == "ok":
            ok += 1
    total = len(missing) + ok
    if len(missing) >= 2 and len(missing) / total >= 0.5:
        share = len(missing) / total
        first = missing[0]
        return [Flag("indicators_without_actuals", round(2.0 + share, 2),
                     f"{len(missing)} of {total} indicator rows state a target without an actual value, "
                     f"first: “{_quote(report, first.line_start)}”", first.line_start)]
    return []


# -- all together -----------------------------------------------------------------------------
def red_flags(report: Report) -> list[Flag]:
    """Every flag for one report, heaviest first (stable for equal weights)."""
    flags = [*check_flags(report), *execution_flags(report), *problems_flags(report), *indicator_flags(report)]
    return sorted(flags, key=lambda f: (-f.weight, f.line, f.code))


def triage_score(flags: list[Flag]) -> float:
    """How much a report deserves a reader's time: the sum of its flags' weights."""
    return round(sum(f.weight for f in flags), 3)


def rank(reports: list[Report]) -> list[tuple[Report, float, list[Flag]]]:
    """Reports ordered by score (highest first), then by name, with their flags."""
    scored = []
    for r in reports:
        flags = red_flags(r)
        scored.append((r, triage_score(flags), flags))
    return sorted(scored, key=lambda t: (-t[1], t[0].doc))
