"""Figures of a document: the grammar on every line, table cells read through their headers,
labels and metrics bound, one record per mention.

Flattened tables come in several shapes (one cell per line, tab-indented, rows split by blank
lines; one cell per line with blank lines between every cell; pipe rows; space-separated rows).
A single reading serves all of them: the document is a stream of cells; runs of text cells are
header candidates (a new header when two or more name value columns: 年初预算数, 指标值, 得分 …),
a text cell before numbers is the row label, and numbers fill the value columns left to right.
A column's name gives the unit (得分 → 分, 执行率 → %, money columns in the table's declared
unit, 单位：万元 → 元 × 10,000), or a 度量单位 cell in the row does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from nlp.document import Block, Document, Figure
from nlp.figures.grammar import _UNITS, KIND_OF_UNIT, Mention, parse_figures
from nlp.figures.labels import _rx, clause_context, metric_for, prose_label

_PLACEHOLDER = {"—", "——", "-", "--", "/", "－", "……", "…", "无", "－－", "---", "——————", "_"}
_VALUE_COL = re.compile(
    r"(?:预算数|预算|决算数|执行数|执行率|指标值|完成值|目标值|实际值|^值|分值|得分|权重|分数|总分|人数|编制数|控制率|"
    r"金额|投资|规模|比例|占比|执行情况|完成率|实际完成|实际支出|支出数|决算支出|收入数)$"
)
_UNIT_DECL = re.compile(r"(?:单位[:：]\s*|[(（]\s*)(万元|亿元|千元|元|人|个|%)\s*[)）]?")
_UNIT_CELLS = set(_UNITS) | {"百分比", "百分率", "万元", "元", "％"}
_CMP_CELLS = {"≥": ">=", "≤": "<=", ">": ">", "<": "<", "＞": ">", "＜": "<", "=": "=", "＝": "=",
              ">=": ">=", "<=": "<=", "大于等于": ">=", "小于等于": "<=", "等于": "="}
_PROSE = re.compile(r"[。！？]|[，,；;].{6,}[，,；;]")
_LABEL_NUM = re.compile(r"^(?P<label>[^0-9０-９]{2,30})[:：]\s*$")
_SPLIT_PIPE = re.compile(r"(?:(?<!\s)\s+)?\|\s*")  # guard: linear on long runs of spaces
_SPACED_UNIT = re.compile(r"[0-9０-９]\s+(?:年|月|日|万|元|%|个|人|次|分)")
_STAFF_LABEL = re.compile(r"(?:人员编制|编制人数|编制数|核定编制|实有人数|在职人数|实际人数|在编人数|职工人数)[:：]?$")
_DONE_WORDS = re.compile(r"^(?:已?完成|达标|是|否|明显|提升|提高|逐步|良好|有效|按时|及时|满意|合格|正常|"
                         r"持续|[0-9]{4}\s*年).{0,6}$")
_UNIT_START = re.compile(r"(?:人次|个|人|件|次|户|家|项|名)[，,。；;、\s]")
_POINTS_CELL = re.compile(r"[(（]\s*([0-9]+(?:\.[0-9]+)?)\s*分\s*[)）]\s*$")
_YEAR = re.compile(r"(20[0-9]{2}|19[0-9]{2})\s*年")
# Columns that split a spending total (合计 | 基本支出 | 项目支出): value columns only side by side.
_SPLIT_COLS = {"合计", "基本支出", "项目支出", "人员经费", "公用经费"}
# The title of a report on one project (项目支出绩效自评报告), not a department's (部门整体支出).
_PROJECT_TITLE = re.compile(r"项目.{0,12}(?:绩效|自评|评价)")
_DEPT_TITLE = re.compile(r"整体|部门决算|单位决算")
# Grade words: a row that holds one scores the numbers beside it; "优(≥90)" bounds a grade's score.
_GRADE_CELLS = {"优", "良", "中", "差", "优秀", "良好", "合格", "不合格", "一般", "较差"}
_GRADE_BAND = re.compile(r"(?:优秀|良好|优|良|中等|中|合格|及格|较差|差|一般)\s{0,2}[(（]([^()（）\n]{1,24})[)）]")


def is_project_report(lines: list[str]) -> bool:
    """Whether the document evaluates one project: read from its title (the first lines)."""
    head = "".join(ln.strip() for ln in [ln for ln in lines[:40] if ln.strip()][:6])
    head = _rx(r"\s").sub("", head)
    m = _PROJECT_TITLE.search(head)
    # the title comes first: a match after a sentence (an excerpt's "(二)项目支出绩效自评结果") is a heading
    return bool(m) and m.start() <= 45 and "。" not in head[:m.start()] and not _DEPT_TITLE.search(head[:m.end() + 10])


@dataclass(slots=True)
class _Cell:
    line: int
    start: int
    end: int
    text: str


@dataclass
class _Table:
    """What the reader knows about the table it is in."""

    columns: list[str] = field(default_factory=list)
    col: int = 0
    scale: float | None = None  # money unit declared for the table, in 元
    pending: list[str] = field(default_factory=list)
    row_label: str = ""
    row_unit: str | None = None
    row: list[tuple[_Cell, Mention | None, int]] = field(default_factory=list)
    title: str = ""
    years: list[int] = field(default_factory=list)
    last_text: str = ""
    break_at: int = -1  # index in pending where the current row began (-1: unknown)

    def reset(self) -> None:
        self.columns, self.col, self.scale, self.pending = [], 0, None, []
        self.row_label, self.row_unit, self.row, self.title, self.years = "", None, [], "", []


_NAME_DROP = re.compile(r"[(（][^)）]*[)）]?|\s")
_GROUP_UNIT = re.compile(r"[(（]\s*(万元|元)")
_COL_SCORE = re.compile(r"得分|分值|权重|分数|总分|评分")
_COL_PERCENT = re.compile(r"率|比例|占比|比重|百分比")
_COL_COUNT = re.compile(r"人数|编制")
_COL_MONEY = re.compile(r"预算|决算|执行数|金额|资金|支出|收入|投资|拨款|经费|^合计$")
_COL_TARGET = re.compile(r"指标值|完成值|目标值|实际值|^值$|实际完成")
_CELL_PUNCT = re.compile(r"[，。；]")
_TITLE_END = re.compile(r"表[)）]?$")
_SIGN_OFF = re.compile(r"填表人|填报日期|联系电话|审核人|负责人[:：]|制表")


@lru_cache(maxsize=8192)
def _column_name(cell: str) -> str:
    """A header cell without its bracketed notes and spaces (cached: headers repeat)."""
    return _NAME_DROP.sub("", cell)


@lru_cache(maxsize=8192)
def _is_value_col(cell: str) -> bool:
    """Whether a header cell names a value column (cached: headers repeat)."""
    if _UNIT_DECL.search(cell) and _GROUP_UNIT.search(cell):
        return False  # "年度预算数（万元）" groups the columns below it
    name = _column_name(cell)
    return 1 <= len(name) <= 14 and bool(_VALUE_COL.search(name))


def _col_unit(col: str, table: _Table) -> tuple[str | None, str, float, bool]:
    """(unit, kind, multiplier, known) for a bare number in column ``col``."""
    what = _col_class(col)
    if what == "score":
        return "分", "score", 1.0, True
    if what == "percent":
        return "%", "percent", 1.0, True
    if what == "count":
        return "人", "count", 1.0, True
    if what == "money":
        if table.scale is not None:
            return "元", "amount", table.scale, True
        return None, "amount", 1.0, False
    if what == "target":
        return table.row_unit, "other", 1.0, True
    return None, "other", 1.0, False


@lru_cache(maxsize=8192)
def _col_class(col: str) -> str:
    """What a column's name says its numbers are (the first rule that applies; cached)."""
    name = _column_name(col)
    if _COL_SCORE.search(name):
        return "score"
    if _COL_PERCENT.search(name):
        return "percent"
    if _COL_COUNT.search(name):
        return "count"
    if _COL_MONEY.search(name):
        return "money"
    if _COL_TARGET.search(name):
        return "target"
    return ""


def _cells_of(line: str, number: int, stripped: str | None = None) -> list[_Cell]:
    """The cells of one line (``stripped``: the line stripped, when the caller has it)."""
    if stripped is None:
        stripped = line.strip()
    if not stripped:
        return []
    if "|" in stripped:
        out, pos = [], 0
        for part in stripped.split("|"):
            t = part.strip()
            if t:
                i = line.find(t, pos)
                out.append(_Cell(number, i, i + len(t), t))
                pos = i + len(t)
        return out
    toks = stripped.split()
    if len(toks) >= 2 and not _PROSE.search(stripped) and len(stripped) <= 80 and not _SPACED_UNIT.search(
            stripped) and not _CELL_PUNCT.search(stripped) and (
            any(_numeric(t) for t in toks) or sum(_is_value_col(t) for t in toks) >= 2):
        out, pos = [], 0
        for t in toks:
            i = line.find(t, pos)
            out.append(_Cell(number, i, i + len(t), t))
            pos = i + len(t)
        return out
    i = len(line) - len(line.lstrip())  # where ``stripped`` starts: line.find(stripped)
    return [_Cell(number, i, i + len(stripped), stripped)]


@lru_cache(maxsize=8192)
def _numeric(t: str) -> Mention | None:
    """The one figure a cell consists of, or None (cached: table cells repeat; callers never mutate it)."""
    if len(t) > _SHORT_LINE:
        return None
    # a cell that is a whole short line has been read as one already (and the other way round)
    ms = _short_line_mentions(t)  # a cell is at most _SHORT_LINE long
    if len(ms) == 1 and ms[0].start == 0 and ms[0].end == len(t):
        return ms[0]
    return None


# Table cells and headers: lines this short recur across reports, and a cell (at most 40 characters)
# that is a whole line shares the line's reading
_SHORT_LINE = 40


@lru_cache(maxsize=8192)
def _short_line_mentions(raw: str) -> tuple[Mention, ...]:
    return tuple(parse_figures(raw, bare=True))


def _line_mentions(raw: str) -> list[Mention]:
    """The grammar on one line; a short line's reading is cached (cells like "\t100.00" or "得分" recur
    across reports). The mentions are shared with the cache: callers replace one, never mutate it."""
    if len(raw) <= _SHORT_LINE:
        return list(_short_line_mentions(raw))
    return parse_figures(raw, bare=True)


class Extractor:
    """Rule part of the extractor: grammar + tables + labels + metrics (confidence set later)."""

    def extract(self, document: Document, blocks: list[Block]) -> list[Figure]:
        lines = document.lines
        # the block of each line number (1-based; lines no block covers hold None)
        block_of: list[Block | None] = [None] * (len(lines) + 1)
        for b in reversed(blocks):  # the first block that covers a line has the last word
            lo, hi = max(b.line_start, 1), min(b.line_end, len(lines))
            if lo <= hi:
                block_of[lo:hi + 1] = [b] * (hi - lo + 1)
        figures: list[Figure] = []
        table = _Table()
        self.project = is_project_report(lines)
        prev_tab = False
        for idx, raw in enumerate(lines):
            number = idx + 1
            stripped = raw.strip()
            if not stripped:
                # an empty cell keeps its column: a lone blank between two tab cells (readers strip the
                # tab of an empty cell; a row break is two or more blank lines)
                lone = "\t" in raw or (0 < idx < len(lines) - 1 and lines[idx - 1].startswith("\t")
                                       and lines[idx + 1].startswith("\t") and lines[idx + 1].strip() != "")
                if lone:
                    if table.row:
                        table.row.append((_Cell(number, 0, 0, ""), None, -1))
                    continue
                if prev_tab:
                    self._end_row(table, figures)
                    table.break_at = len(table.pending)
                prev_tab = False
                continue
            tab = raw.startswith("\t")
            if prev_tab and not tab and len(stripped) <= 12 and table.pending \
                    and not _numeric(stripped) and "|" not in raw:
                table.pending[-1] += stripped  # a header cell wrapped onto the next line
                decl = _UNIT_DECL.search(table.pending[-1])
                if decl and decl.group(1) in ("万元", "亿元", "千元", "元"):
                    table.scale = {"万元": 1e4, "亿元": 1e8, "千元": 1e3, "元": 1.0}[decl.group(1)]
                continue
            prev_tab = tab
            block = block_of[number]
            bidx = block.index if block is not None else -1
            section = block.section if block is not None else None
            in_cells = tab or "|" in raw or (len(stripped) <= 40 and not _PROSE.search(raw))
            mentions = _line_mentions(raw)
            if mentions and mentions[-1].pattern == "bare" and not raw[mentions[-1].end:].strip() \
                    and len(stripped) > 20 and not tab and "|" not in raw:
                self._unit_on_next_line(raw, lines, idx, mentions)
            # prose figures (with a unit) are figures wherever they are
            prev_end = 0
            line_figs: list[Figure] = []
            for k, m in enumerate(mentions):
                if m.pattern == "bare":
                    continue
                label = prose_label(raw, m.start, prev_end)
                if "分别" in raw:  # the list form needs 分别为 / 分别是 before the number
                    label = self._list_label(raw, mentions, k) or label
                ctx = clause_context(raw, m.start)
                f = Figure(block=bidx, line=number, start=m.start, end=m.end, text=m.text, value=m.value,
                           unit=m.unit, kind=m.kind, comparator=m.comparator, label=label,
                           metric=metric_for(label, ctx, m.kind, m.unit, comparator=m.comparator, value=m.value,
                                             project=self.project),
                           pattern=m.pattern,
                           in_table=in_cells, range_part=m.range_part)
                f.confidence = 0.0
                line_figs.append(f)
                prev_end = m.end
            if mentions:
                line_figs.extend(self._grade_bands(raw, number, bidx, mentions))
            if not in_cells:
                if len(stripped) > 40:
                    self._end_row(table, figures)
                    table.reset()
                # bare numbers with a comparator in prose are not figures
                figures.extend(line_figs)
                continue
            figures.extend(line_figs)
            self._table_line(raw, number, bidx, table, figures, section, stripped)
        self._end_row(table, figures)
        figures.sort(key=lambda f: (f.line, f.start))
        return figures

    @staticmethod
    def _unit_on_next_line(raw: str, lines: list[str], idx: int, mentions: list[Mention]) -> None:
        """A number that ends its line while the next line opens with its unit ("60.99" / "万元，…")."""
        nxt = next((ln for ln in lines[idx + 1: idx + 3] if ln.strip()), "")
        head = nxt.lstrip()[:6]
        if not head or head[0].isdigit() or not (head.startswith(("万元", "亿元", "元", "%", "％")) or _UNIT_START.match(head)):
            return
        last = mentions[-1]
        joined = parse_figures(raw[last.start:last.end] + head[:4])
        if joined and joined[0].start == 0 and joined[0].unit is not None:
            j = joined[0]
            # a new mention in its place: the line's mentions may be shared with the line cache
            mentions[-1] = replace(last, value=j.value, unit=j.unit, kind=j.kind, pattern="next_line")

    def _list_label(self, raw: str, mentions: list[Mention], k: int) -> str | None:
        """"A、B分别为x、y": the k-th number after 分别为 takes the k-th name before it."""
        m = mentions[k]
        left = raw[max(0, m.start - 60):m.start]
        j = max(left.rfind("分别为"), left.rfind("分别是"))
        if j < 0:
            return None
        names_part = left[:j]
        cut = max(names_part.rfind(c) for c in "。；;，,：:")
        names = [n for n in _rx(r"[、和及与]").split(names_part[cut + 1:]) if n.strip()]
        abs_j = max(0, m.start - 60) + j
        order = sum(1 for mm in mentions[max(0, k - 40):k] if abs_j <= mm.start < m.start and mm.pattern != "bare")
        if len(names) >= 2 and order < len(names):
            return names[order].strip()[-14:]
        return None

    @staticmethod
    def _grade_bands(raw: str, number: int, bidx: int, mentions: list[Mention]) -> list[Figure]:
        """"优(≥90)", "良（≥80,<90）": the bare numbers bounding a grade are scores."""
        out: list[Figure] = []
        if "(" not in raw and "（" not in raw:
            return out  # a band needs its bracket
        for g in _GRADE_BAND.finditer(raw):
            lo, hi = g.start(1), g.end(1)
            for m in mentions:
                if m.pattern == "bare" and lo <= m.start and m.end <= hi and 0 <= m.value <= 100:
                    out.append(Figure(block=bidx, line=number, start=m.start, end=m.end, text=m.text, value=m.value,
                                      unit="分", kind="score", comparator=m.comparator, label=raw[g.start():lo - 1],
                                      pattern="grade_band", in_table=True))
        return out

    def _grade_row(self, cells: list[_Cell], number: int, bidx: int, table: _Table,
                   figures: list[Figure]) -> bool:
        """A headerless row with a grade cell (产出 | 20.00 | 20.00 | 优): its numbers are points;
        full marks of 100 then the score is the overall score (100.00 | 94.04 | 优)."""
        if table.columns or not any(c.text in _GRADE_CELLS for c in cells):
            return False
        nums = [(c, m) for c in cells if (m := _numeric(c.text)) is not None]
        if not nums or any(m.pattern != "bare" or m.comparator or not 0 <= m.value <= 100 for _c, m in nums):
            return False
        total = len(nums) == 2 and nums[0][1].value == 100 and nums[1][1].value <= 100
        for i, (c, m) in enumerate(nums):
            metric = "self_score" if total and i == 1 and not self._part_table(table) else None
            figures.append(Figure(block=bidx, line=number, start=c.start, end=c.end, text=c.text, value=m.value,
                                  unit="分", kind="score", label="总分 得分" if total else None, metric=metric,
                                  pattern="grade_row", in_table=True))
        return True

    def _table_line(self, raw: str, number: int, bidx: int, table: _Table, figures: list[Figure],
                    section: str | None, stripped: str | None = None) -> None:
        cells = _cells_of(raw, number, stripped)
        one_line_row = len(cells) > 1 or "|" in raw
        if one_line_row:
            self._end_row(table, figures)
            table.col = 0
            table.row_label = ""
            table.break_at = len(table.pending)
            if self._grade_row(cells, number, bidx, table, figures):
                return
        for cell in cells:
            t = cell.text
            decl = _UNIT_DECL.search(t) if ("单位" in t or "(" in t or "（" in t) else None  # what it needs
            if decl:
                u = decl.group(1)
                if u in ("万元", "亿元", "千元", "元"):
                    table.scale = {"万元": 1e4, "亿元": 1e8, "千元": 1e3, "元": 1.0}[u]
            m = _numeric(t)
            if m is None and "表" in t and len(t) <= 40:
                table.title = t
                if _TITLE_END.search(t):  # a table title: the next table has its own header
                    self._end_row(table, figures)
                    table.columns, table.years, table.pending, table.break_at = [], [], [], -1
                    table.scale = None
            if t in _PLACEHOLDER:
                self._start_row_if_pending(table)
                table.row.append((cell, None, bidx))
                continue
            if t in _CMP_CELLS:
                continue
            if m is None:
                if ":" in t or "：" in t:
                    k = max(t.rfind(":"), t.rfind("："))
                    lm = _LABEL_NUM.match(t[:k + 1])
                    tail = t[k + 1:].strip()
                    tm = _numeric(tail) if (lm and tail) else None
                    if tm is not None and tm.pattern == "bare" and table.scale is not None:
                        self._end_row(table, figures)
                        start = cell.start + t.rfind(tail)
                        figures.append(Figure(block=bidx, line=number, start=start, end=start + len(tail),
                                              text=tail, value=_round(tm.value * table.scale), unit="元",
                                              kind="amount", label=lm.group("label").strip(" 　：:"), metric=None,
                                              pattern="table_label", in_table=True))
                        continue
                if t in _UNIT_CELLS and table.row:
                    unit = "%" if t in ("百分比", "百分率", "％") else t
                    table.row_unit = "元" if unit in ("万元", "元") else unit
                    continue
                if table.row:
                    self._end_row(table, figures)
                if _SIGN_OFF.search(t):
                    table.reset()
                    continue
                if one_line_row and decl:  # "年初预算数（万元）" in a one-line header is itself a column
                    t = _UNIT_DECL.sub("", t).strip() or t
                table.pending.append(t)
                continue
            self._start_row_if_pending(table)
            table.row.append((cell, m, bidx))
        if one_line_row:
            self._end_row(table, figures)

    def _end_row(self, table: _Table, figures: list[Figure]) -> None:
        """Place the row's number cells under the value columns and emit the bare ones."""
        row, table.row = table.row, []
        while row and row[-1][1] is None:
            row.pop()  # trailing empty cells (偏差原因 left blank) hold no value column
        if not row:
            table.row_unit = None
            return
        cols = table.columns
        n = len(row)
        offset = 0
        if cols and n < len(cols):
            best = None
            for off in range(0, len(cols) - n + 1):
                agree = 0
                for i, (_c, m, _b) in enumerate(row):
                    if m is None or m.pattern == "bare":
                        continue
                    u, k, _mult, known = _col_unit(cols[off + i], table)
                    agree += 1 if (known and k == m.kind) else (-1 if known and k in ("percent", "score") else 0)
                key = (agree, off)  # ties: the rightmost placement (text values fill the first columns)
                if best is None or key > best[0]:
                    best = (key, off)
            offset = best[1] if best else 0
        row_unit = table.row_unit
        sibling = None  # the unit a target cell states (≤180万元) serves the bare actual value beside it
        for i, (_cell, m, _b) in enumerate(row):
            c = cols[offset + i] if offset + i < len(cols) else ""
            if m is not None and m.pattern != "bare" and m.unit and _COL_TARGET.search(_column_name(c)):
                base = _raw_number(m.text)
                sibling = (m.unit, m.kind, (m.value / base) if (m.scaled and base) else 1.0)
        for i, (cell, m, bidx) in enumerate(row):
            if m is None:
                continue
            col = cols[offset + i] if offset + i < len(cols) else ""
            if m.pattern != "bare":
                if col:  # a cell with its own unit: the table still names what it measures
                    for f in reversed(figures[-12:]):
                        if f.line == cell.line and f.start == cell.start + m.start:
                            f.label = f"{table.row_label} {_column_name(col)}".strip()
                            metric = metric_for(f.label, "", f.kind, f.unit, in_table=True,
                                                row_label=table.row_label, column=self._year_col(col, table),
                                                title=table.title)
                            if metric and not self._part_table(table):
                                f.metric = metric
                            break
                continue
            if i == 0 and table.last_text and m.pattern == "bare":
                pm = _POINTS_CELL.search(table.last_text)
                if pm and 0 <= m.value <= float(pm.group(1)):
                    figures.append(Figure(block=bidx, line=cell.line, start=cell.start, end=cell.end, text=cell.text,
                                          value=m.value, unit="分", kind="score", label=_column_name(table.last_text),
                                          pattern="table_points", in_table=True))
                    continue
            if not col and i == 0 and _STAFF_LABEL.search(table.row_label or "") and float(m.value).is_integer():
                lab = table.row_label
                figures.append(Figure(block=bidx, line=cell.line, start=cell.start, end=cell.end, text=cell.text,
                                      value=m.value, unit=None, kind="count", label=lab,
                                      metric=metric_for(lab, "", "count", None), pattern="table_pair", in_table=True))
                continue
            words = i == 0 and len(row) == 1 and bool(_DONE_WORDS.search(table.row_label or ""))
            if i == len(row) - 1 and (words or (i > 0 and not col)) and self._points_after_values(cols, m):
                # an indicator table whose 分值/得分 headers were lost: the number closing a row after its
                # target and actual values (or after 已完成 | 已完成) is the indicator's points
                figures.append(Figure(block=bidx, line=cell.line, start=cell.start, end=cell.end, text=cell.text,
                                      value=m.value, unit="分", kind="score", label=table.row_label or None,
                                      pattern="table_points", in_table=True))
                continue
            if not col and not (table.scale is not None and not m.comparator):
                if m.comparator:
                    figures.append(Figure(block=bidx, line=cell.line, start=cell.start, end=cell.end, text=cell.text,
                                          value=m.value, unit=None, kind="other", comparator=m.comparator,
                                          label=table.row_label or None, pattern="table_cmp", in_table=True))
                continue
            unit, kind, mult, known = _col_unit(col, table)
            if not col and table.scale is not None and not m.comparator:
                unit, kind, mult, known = "元", "amount", table.scale, True  # 单位：万元 over the whole table
            if _COL_TARGET.search(_column_name(col)):
                unit = row_unit
                kind = KIND_OF_UNIT.get(unit, "count") if unit else "other"
                if unit == "元":
                    kind = "amount"
                if unit is None and sibling is not None:
                    unit, kind, mult = sibling
                known = True
                if unit is None and _DONE_WORDS.search(table.row_label or ""):
                    continue  # the value columns already hold words (已完成): this number is something else
            if not known:
                continue
            if unit is None:
                kind = "count" if float(m.value).is_integer() else "other"
            if kind == "count" and not float(m.value).is_integer():
                continue
            if kind != "amount" and not m.comparator and float(m.value).is_integer() and 1990 <= m.value <= 2100:
                continue
            rl = table.row_label
            label = f"{rl} {_column_name(col)}".strip()
            metric = metric_for(label, "", kind, unit, in_table=True, row_label=rl, column=self._year_col(col, table),
                                title=table.title)
            if metric and self._part_table(table):
                metric = None
            figures.append(Figure(block=bidx, line=cell.line, start=cell.start, end=cell.end, text=cell.text,
                                  value=_round(m.value * mult), unit=unit, kind=kind, comparator=m.comparator,
                                  label=label, metric=metric, pattern="table", in_table=True))
        table.row_unit = None
        table.last_text = ""

    @staticmethod
    def _points_after_values(cols: list[str], m: Mention) -> bool:
        names = [_column_name(c) for c in cols]
        scoreless = any(_rx(r"实际完成|完成值|实际值").search(c) for c in names) and not any(
            _rx(r"得分|分值|权重|分数|评分|预算|决算|执行数|金额").search(c) for c in names)
        return scoreless and m.pattern == "bare" and not m.comparator and 0 <= m.value <= 100 and not (
            "." in m.text and len(m.text.split(".")[-1]) > 2)

    def _part_table(self, table: _Table) -> bool:
        """A project's table inside a department report states the project's figures, not the report's."""
        return not getattr(self, "project", False) and bool(_rx(r"项目支出.*表|项目.*自评表").search(table.title))

    @staticmethod
    def _year_col(col: str, table: _Table) -> str:
        """A column of an earlier year (2022年决算数 next to 2023年决算数) names no current metric."""
        y = _YEAR.search(col)
        if y and table.years and int(y.group(1)) < max(table.years):
            return ""
        return col

    @staticmethod
    def _start_row_if_pending(table: _Table) -> None:
        if not table.pending:
            return
        table.last_text = table.pending[-1]
        head, rowcells = table.pending, []
        if 0 <= table.break_at < len(table.pending):
            # cells after the last row break open this row; only those before it can be a header
            head, rowcells = table.pending[:table.break_at], table.pending[table.break_at:]
        values, gap, cut = [], 0, False
        for p in head:
            if _is_value_col(p):
                if values and gap >= 2:  # header, then a text column and a row label: the rest is a row
                    cut = True
                    break
                values.append(p)
                gap = 0
            elif values:
                gap += 1
        cols_head = head if rowcells else head[:-1]  # without rowcells the last cell is the row label
        split = 0
        while split < len(cols_head) and cols_head[len(cols_head) - 1 - split] in _SPLIT_COLS:
            split += 1
        if split >= 2 and len(values) < 2:
            values = cols_head[len(cols_head) - split:]
        unit_col = any(_rx(r"(?:度量|计量)?单位").match(p) for p in head)
        last = table.pending[-1]
        if len(values) >= 2 or (len(values) == 1 and unit_col and len(head) >= 3):
            table.columns = values
            table.years = [int(y.group(1)) for y in (_YEAR.search(v) for v in values) if y]
            if rowcells:
                table.row_label = rowcells[-1]
            else:
                table.row_label = "" if (_is_value_col(last) and not cut) else last
        else:
            if rowcells and len(head) >= 3 and not values:
                table.columns, table.years = [], []  # a new header naming no value columns: forget the old one
            table.row_label = last
        table.break_at = -1
        table.col = 0
        table.row_unit = None
        table.pending = []


def _raw_number(text: str) -> float | None:
    from nlp.figures.grammar import _TOKEN, to_number

    m = _TOKEN.search(text)
    return to_number(m.group("ar") or m.group("cn") or "") if m else None


def _round(v: float) -> float:
    r = round(v, 6)
    return float(int(r)) if r == int(r) else r
