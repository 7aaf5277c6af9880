"""Flags: the indicator-table reader with its shortcuts (rows that cannot be headers skipped, runs
without a target cell passed over) finds the same rows as a plain reading of every line.

Tables here are built at random from generic header and cell words (no real report text).
"""
from __future__ import annotations

import random

from nlp.triage import flags as fl


def _reference(lines: list[str]) -> list[tuple[int, str]]:
    """_table_rows_by_header as it was written first: every line looked at, no shortcut.

    Two layouts: one row per line (cells split by | or tabs), and Word tables flattened to one
    tab-indented cell per line with rows separated by empty lines (an empty cell is a line holding
    only a tab). The line returned for a missing actual is the empty cell's line (else the row's).
    """
    out: list[tuple[int, str]] = []
    # layout 1: a row per line
    header: tuple[int, int, int] | None = None  # (ncols, target idx, actual idx)
    for n, raw in enumerate(lines, start=1):
        if "|" not in raw and "\t" not in raw.strip():
            if raw.strip():
                header = None if not raw.startswith("\t") else header
            continue
        cells = fl._cells(raw)
        t = next((i for i, c in enumerate(cells) if fl._HDR_TARGET.match(c)), None)
        a = next((i for i, c in enumerate(cells) if fl._HDR_ACTUAL.match(c)), None)
        if t is not None and a is not None and a > t:
            header = (len(cells), t, a)
            continue
        if header is None or len(cells) != header[0]:
            continue
        target, actual = cells[header[1]], cells[header[2]]
        if target not in fl._EMPTY_CELL:
            out.append((n, "missing" if actual in fl._EMPTY_CELL else "ok"))
    # layout 2: a table flattened to one cell per line (Word-to-text, PDF and HTML extraction). An
    # empty cell reads as an empty line or vanishes, so rows cannot be told apart. Anchor on the two
    # score cells that follow the actual column (分值, 得分): the cell before them is the actual, the
    # one before that the target. An "actual" written like a target (≥95%) means the actual cell
    # vanished.
    def is_cell(text: str) -> bool:
        t = text.strip()
        return bool(t) and (text.startswith("\t") or (len(t) <= 30 and not t.endswith("。")))

    i = 0
    while i < len(lines):
        hdr: list[str] = []
        j = i
        while j < len(lines) and is_cell(lines[j]):
            hdr.append(lines[j].strip())
            j += 1
        t = next((k for k, c in enumerate(hdr) if fl._HDR_TARGET.match(c)), None)
        if (t is None or t + 3 >= len(hdr) or not fl._HDR_ACTUAL.match(hdr[t + 1])
                or not fl._HDR_SCORE.match(hdr[t + 2]) or not fl._HDR_SCORE.match(hdr[t + 3])):
            i = max(j, i + 1)
            continue
        region: list[tuple[int, str]] = []
        j = i + t + 4  # the header may run straight into the rows (no empty line between)
        while j < len(lines) and (is_cell(lines[j]) or not lines[j].strip()):
            region.append((j + 1, lines[j].strip()))
            j += 1
        k = 0
        while k < len(region):
            if not fl._SCORE_CELL.match(region[k][1]):
                k += 1
                continue
            end = k
            while end + 1 < len(region) and fl._SCORE_CELL.match(region[end + 1][1]):
                end += 1
            if end > k and end - 3 >= 0:  # the last two numbers of the run are 分值 and 得分
                (_tl, target), (al, actual) = region[end - 3], region[end - 2]
                if fl._TARGET_ONLY_CELL.match(actual):
                    out.append((al, "missing"))
                elif target not in fl._EMPTY_CELL and not fl._SCORE_CELL.match(target):
                    out.append((al, "missing" if actual in fl._EMPTY_CELL else "ok"))
            k = end + 1
        i = j
    return out


_HEADERS = ["年度指标值", "目标值", "预期目标值", "全年目标", "指标值", "实际完成值", "实际值", "完成值", "实际完成情况",
            "分值", "得分", "权重", "自评得分", "一级指标", "三级指标", "偏差原因"]
_CELLS = ["", "", "\t", "—", "/", "无", "≥95%", "≤5%", "100%", "98%", "10", "9.5", "20", "3", "1200人次",
          "按时完成", "培训人数", "群众满意度", "资金拨付及时率", "说明文字。", "这是一句较长的说明文字，用来充当表格之外的正文段落。"]


def _doc(rng: random.Random) -> list[str]:
    lines: list[str] = []
    for _ in range(rng.randint(1, 8)):
        form = rng.random()
        if form < 0.35:  # a row per line, cells split by | or tabs
            sep = rng.choice([" | ", "|", "\t"])
            width = rng.randint(2, 6)
            if rng.random() < 0.5:
                lines.append(sep.join(rng.choice(_HEADERS) for _ in range(width)))
            for _ in range(rng.randint(0, 5)):
                lines.append(sep.join(rng.choice(_CELLS + _HEADERS[:3]) for _ in range(width)))
        elif form < 0.8:  # one cell per line, perhaps tab-indented, rows apart by empty lines
            tab = "\t" if rng.random() < 0.5 else ""
            if rng.random() < 0.7:
                head = ["一级指标", rng.choice(_HEADERS[:5]), rng.choice(_HEADERS[5:9]), "分值", "得分"]
                if rng.random() < 0.2:
                    head[rng.randrange(len(head))] = rng.choice(_HEADERS)
                lines.extend(tab + h for h in head)
            for _ in range(rng.randint(0, 6)):
                lines.extend(tab + rng.choice(_CELLS) for _ in range(rng.randint(1, 6)))
                if rng.random() < 0.5:
                    lines.append("")
        else:
            lines.extend(rng.choice(_CELLS + _HEADERS) for _ in range(rng.randint(1, 4)))
    return lines


def test_table_rows_by_header_matches_a_plain_reading():
    rng = random.Random(11)
    found = 0
    for _ in range(4000):
        lines = _doc(rng)
        want = _reference(lines)
        found += bool(want)
        assert fl._table_rows_by_header(lines) == want, lines
    assert found > 400  # the random tables do hold indicator rows of both layouts
