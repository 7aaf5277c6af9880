"""Red flags: pure functions over a :class:`~nlp.document.Report`, and the score that ranks reports.

Why: a finance bureau receives hundreds of self-evaluation reports and can read only a few with care.
A flag names something a reader should look at, *where* it is (a source line, always), and how much
it weighs; the score (sum of weights) orders reports by how much they deserve a reader's time.

Every function here works with whatever the Report carries: a report processed without the
sections stage has no section labels, so section-based flags stay silent instead of firing on
everything; one without facts has no rates, so rate flags stay silent.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from nlp.document import Block, Report

# Thresholds (documented in SCHEMA.md; change them here only).
EXEC_LOW = 80.0
EXEC_HIGH = 100.0
HIGH_SCORE = 90.0
HIGH_SCORE_EXEC = 85.0
BOILERPLATE_SHARE = 0.7
BOILERPLATE_STATEMENT = 0.8  # a statement counts as boilerplate from this score (single-report scores run high)
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


_PROBLEMS_HEADING = re.compile(r"存在的?(?:主要)?问题|问题(?:及|和|与)(?:其)?(?:原因|不足|整改|建议)|主要问题|不足之处|"
                               r"存在的不足|偏差(?:及|和)?原因")
_NONE_STATED = re.compile(r"^[（(]?[一1]?[）)、.]?\s*(?:无|暂无|没有|未发现|无明显)(?:问题|[^，,。]{0,6})?[。.；;]?$")
_FINAL_ACCOUNTS = re.compile(r"决算")
_SELF_EVAL = re.compile(r"绩效|自评|评价")


def _is_final_accounts(report: Report) -> bool:
    """A 部门决算 (final accounts) has no problems section by design: do not flag its absence."""
    head = [t for t in report.document.lines[:40] if t.strip()][:5]
    title = " ".join(head)
    return bool(_FINAL_ACCOUNTS.search(title)) and not _SELF_EVAL.search(title)


def _problems_span(report: Report) -> tuple[Block | None, list[Block]]:
    """The problems heading and the blocks under it, by the document's structure (up to the next
    heading of the same or a higher level), so sub-headed problems count even when their labels
    drift. Falls back to the blocks labelled ``problems`` when no heading opens the section."""
    blocks = report.blocks
    for i, b in enumerate(blocks):
        if b.kind != "heading" or not (b.section == "problems" or _PROBLEMS_HEADING.search(b.text)):
            continue
        body: list[Block] = []
        for nxt in blocks[i + 1:]:
            if nxt.kind == "heading" and (b.level is None or nxt.level is None or nxt.level <= b.level):
                break
            body.append(nxt)
        return b, [x for x in body if x.text.strip()]
    labelled = [b for b in blocks if b.section == "problems" and b.text.strip()]
    if labelled:
        return None, labelled
    return None, []


def problems_flags(report: Report) -> list[Flag]:
    """Missing, empty, "none" or boilerplate problems section."""
    if report.no_problems_stated:
        line = report.no_problems_line or _problems_line(report) or _first_content_line(report)
        quoted = _quote(report, line)
        return [Flag("no_problems_stated", 3.0,
                     f"the problems section states there are no problems: “{quoted}”", line)]
    if not report.blocks or not _sections_ran(report):
        return []
    head, body = _problems_span(report)
    if head is None and not body:
        if _is_final_accounts(report):
            return []
        line = _missing_section_line(report)
        return [Flag("no_problems_section", 3.0,
                     f"no problems section in {len(report.document.lines)} lines "
                     f"(line {line} is where one would be expected)", line)]
    has_statements = any(s.type == "problem" for s in report.statements)
    if not body and not has_statements and head is not None:
        return [Flag("problems_empty", 2.5,
                     f"the problems section “{_quote(report, head.line_start)}” has nothing under it",
                     head.line_start)]
    if not has_statements and len(body) == 1 and _NONE_STATED.match(body[0].text.strip()):
        return [Flag("no_problems_stated", 3.0,
                     f"the problems section states there are no problems: “{_quote(report, body[0].line_start)}”",
                     body[0].line_start)]
    share, line = report_boilerplate(report, body)
    if share is not None and share >= BOILERPLATE_SHARE:
        weight = 2.0 + 2.0 * (share - BOILERPLATE_SHARE) / (1.0 - BOILERPLATE_SHARE)
        return [Flag("boilerplate_problems", round(weight, 2),
                     f"{share:.0%} of the problems stated are boilerplate seen in many reports", line)]
    return []


def report_boilerplate(report: Report, body: list[Block] | None = None) -> tuple[float | None, int]:
    """Share of the report's problems that are boilerplate, and the first problem's line.

    The statements module's ``report_boilerplate_share`` over the report's problem statements; when
    the report has none (statements not run, or the problems were not recognised as such) the text
    of the problems section's blocks is scored with the statements module's boilerplate scorer.
    """
    problems = [s for s in report.statements if s.type == "problem"]
    try:
        if problems:
            from nlp.statements import report_boilerplate_share

            value = report_boilerplate_share(report, threshold=BOILERPLATE_STATEMENT)
            return (None if value is None else float(value)), problems[0].line
        items = [b for b in (body or []) if len(b.text.strip()) >= 6]
        if not items:
            return None, 0
        from nlp.statements.boilerplate import score_texts

        scores = score_texts([(b.text.strip(), "problem", report.doc) for b in items], None)
        return sum(1 for x in scores if x >= BOILERPLATE_STATEMENT) / len(scores), items[0].line_start
    except Exception:  # noqa: BLE001 - a flag must never take the file down (or a missing module)
        return None, 0


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
_TARGET_WORD = re.compile(r"目标值|指标值|预期值|预期目标|计划值|目标为|目标是")
_ACTUAL = re.compile(r"(实际|完成值|实现值|已完成|完成了|完成率|达到了|达成|实现了|执行数|执行率为)")
_EMPTY_CELL = {"", "-", "—", "——", "/", "／", "无", "空", "待定"}
_CELL_SPLIT = re.compile(r"(?:(?<!\s)\s+)?[|\t]\s*")  # guard: linear on long runs of spaces
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
    if not _TARGET_WORD.search(text) or not _NUMBER.search(text) or len(text.strip()) < 8:
        return None
    if _ACTUAL.search(text):
        return "ok"
    numbers = _NUMBER.findall(text)
    return "missing" if len(numbers) <= 1 else None


_HDR_TARGET = re.compile(r"^(?:年度|全年|预期|计划)?(?:指标值|目标值|目标)$|^预期目标值$")
_HDR_SCORE = re.compile(r"^(?:分值|权重|满分|标准分|得分|自评得分|评分|评价得分)$")
_SCORE_CELL = re.compile(r"^\d{1,3}(?:\.\d+)?$")
_HDR_ACTUAL = re.compile(r"^(?:全年|年度)?(?:实际完成值|实际值|实际完成|完成值|实际完成情况|实际达成值|实际完成数)$")


def _table_rows_by_header(lines: list[str]) -> list[tuple[int, str]]:
    """(line, state) per indicator row of tables whose header names a target and an actual column.

    Two layouts: one row per line (cells split by | or tabs), and Word tables flattened to one
    tab-indented cell per line with rows separated by empty lines (an empty cell is a line holding
    only a tab). The line returned for a missing actual is the empty cell's line (else the row's).
    """
    out: list[tuple[int, str]] = []
    whole = "".join(lines)
    has_cells = "|" in whole or "\t" in whole
    if not has_cells and "目标" not in whole and "指标值" not in whole:
        return out  # no row per line, and no target header cell (each holds one of these words)
    stripped = [raw.strip() for raw in lines]
    # layout 1: a row per line (a text without | or tab has none)
    rows = zip(lines, stripped, strict=True) if has_cells else ()
    header: tuple[int, int, int] | None = None  # (ncols, target idx, actual idx)
    for n, (raw, text) in enumerate(rows, start=1):
        if "|" not in raw and "\t" not in text:
            if text and not raw.startswith("\t"):
                header = None
            continue
        if header is None and not _may_be_header(raw):
            continue  # (a header needs a target and an actual cell, each holding its word)
        cells = _cells(raw)
        t = next((i for i, c in enumerate(cells) if _HDR_TARGET.match(c)), None)
        a = next((i for i, c in enumerate(cells) if _HDR_ACTUAL.match(c)), None)
        if t is not None and a is not None and a > t:
            header = (len(cells), t, a)
            continue
        if header is None or len(cells) != header[0]:
            continue
        target, actual = cells[header[1]], cells[header[2]]
        if target not in _EMPTY_CELL:
            out.append((n, "missing" if actual in _EMPTY_CELL else "ok"))
    # layout 2: a table flattened to one cell per line (Word-to-text, PDF and HTML extraction). An
    # empty cell reads as an empty line or vanishes, so rows cannot be told apart. Anchor on the two
    # score cells that follow the actual column (分值, 得分): the cell before them is the actual, the
    # one before that the target. An "actual" written like a target (≥95%) means the actual cell
    # vanished.
    # A header run needs a target cell (_HDR_TARGET's longest match is five characters): runs without
    # one are passed over, and a text without one has no such table.
    targets = [k for k, t in enumerate(stripped) if 0 < len(t) <= 5 and _HDR_TARGET.match(t)]
    if not targets:
        return out
    is_cell = [bool(t) and (raw.startswith("\t") or (len(t) <= 30 and not t.endswith("。")))
               for raw, t in zip(lines, stripped, strict=True)]
    targets = [k for k in targets if is_cell[k]]
    i = 0
    while i < len(lines):
        nxt = bisect.bisect_left(targets, i)
        if nxt == len(targets):
            break
        k = targets[nxt]  # the run holding the next target cell starts after the last non-cell line
        while k > i and is_cell[k - 1]:
            k -= 1
        i = j = k
        while j < len(lines) and is_cell[j]:
            j += 1
        hdr = stripped[i:j]
        t = next((k for k, c in enumerate(hdr) if _HDR_TARGET.match(c)), None)
        if (t is None or t + 3 >= len(hdr) or not _HDR_ACTUAL.match(hdr[t + 1])
                or not _HDR_SCORE.match(hdr[t + 2]) or not _HDR_SCORE.match(hdr[t + 3])):
            i = max(j, i + 1)
            continue
        region: list[tuple[int, str]] = []
        j = i + t + 4  # the header may run straight into the rows (no empty line between)
        while j < len(lines) and (is_cell[j] or not stripped[j]):
            region.append((j + 1, stripped[j]))
            j += 1
        k = 0
        while k < len(region):
            if not _SCORE_CELL.match(region[k][1]):
                k += 1
                continue
            end = k
            while end + 1 < len(region) and _SCORE_CELL.match(region[end + 1][1]):
                end += 1
            if end > k and end - 3 >= 0:  # the last two numbers of the run are 分值 and 得分
                (_tl, target), (al, actual) = region[end - 3], region[end - 2]
                if _TARGET_ONLY_CELL.match(actual):
                    out.append((al, "missing"))
                elif target not in _EMPTY_CELL and not _SCORE_CELL.match(target):
                    out.append((al, "missing" if actual in _EMPTY_CELL else "ok"))
            k = end + 1
        i = j
    return out


def _may_be_header(raw: str) -> bool:
    """Whether a row could hold a target and an actual header cell: each of those cells holds one
    of these words (every match of _HDR_TARGET holds 目标 or 指标值, of _HDR_ACTUAL 实际 or 完成值)."""
    return ("目标" in raw or "指标值" in raw) and ("实际" in raw or "完成值" in raw)


def indicator_flags(report: Report) -> list[Flag]:
    """Indicators with targets but no actual values.

    Heuristic, two sources: rows of tables whose header names a target column (年度指标值, 目标值)
    and an actual column (实际完成值, 实际值) — a row with a numeric target and an empty actual cell
    is missing its actual, whatever the section labels say; and, inside blocks labelled
    ``indicators``, a row whose target cell (``≥95%``) is followed by an empty cell or a sentence that
    states a target (目标值, ≥, 不低于 …) with one number and no word of achievement (实际, 完成值,
    达到了 …). Fires when at least two rows miss their actual and they are at least half of the rows
    that state a target.
    """
    rows = _table_rows_by_header(report.document.lines)
    seen = {line for line, _ in rows}
    missing = [line for line, state in rows if state == "missing"]
    ok = sum(1 for _, state in rows if state == "ok")
    if _sections_ran(report) and not rows:
        for b in report.blocks:
            if b.section != "indicators" or b.kind == "heading" or b.line_start in seen:
                continue
            state = _row_state(b)
            if state == "missing":
                missing.append(b.line_start)
            elif state == "ok":
                ok += 1
    total = len(missing) + ok
    if len(missing) >= 2 and len(missing) / total >= 0.5:
        share = len(missing) / total
        first = min(missing)
        return [Flag("indicators_without_actuals", round(2.0 + share, 2),
                     f"{len(missing)} of {total} indicator rows state a target without an actual value "
                     f"(first at line {first})", first)]
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
