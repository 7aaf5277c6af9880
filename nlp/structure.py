"""Document -> Blocks: headings, list items, paragraphs and table rows, with heading paths.

Why line-based and conservative: the gold labels every source line, and a block that spans
lines of two different sections can never be right. So a block is one non-empty line (joining
clearly wrapped paragraph lines is available with ``join_wrapped=True``). Flattened table cells (one cell
per line, tab-indented, as Word-to-text conversions write them) and pipe-table rows become one
``table_row`` block each.

Heading levels follow the numbering style in the way documents nest them: a style seen for the
first time opens a level below the current one, a style already on the stack closes everything
below it (a stack, like a reader keeps in their head). No segmentation here: parse() must be
much faster than jieba.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.document import Block, Document

_CN_NUM = "一二三四五六七八九十百零〇两"
_TERMINAL = "。！？!?；;"
_SOFT_END = "，,、：:"

# (style, regex) in priority order; the regex matches the marker at the start of a stripped line.
_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(rf"^第[{_CN_NUM}\d]+[部分章节篇]+")),
    ("cn", re.compile(rf"^[{_CN_NUM}]+\s*[、．.]")),
    ("pcn", re.compile(rf"^[（(]\s*[{_CN_NUM}]+\s*[）)]")),
    ("num", re.compile(r"^\d{1,2}\s*[、．.](?!\d)")),
    ("pnum", re.compile(r"^[（(]\s*\d{1,2}\s*[）)]")),
    ("rnum", re.compile(r"^\d{1,2}\s*[）)]")),
    ("circ", re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]")),
    ("task", re.compile(rf"^任务[{_CN_NUM}\d]+")),
    ("bullet", re.compile(r"^[-•·●○■□▪◆◇*]\s+")),
    ("first", re.compile(r"^(?:[一二三四五六七八九十]是|首先|其次|再次|最后)[，,：:]?")),
]
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_PIPE_ROW = re.compile(r"^\|.*\|?\s*$")
_PIPE_RULE = re.compile(r"^\|?[\s:|\-]+\|?$")
_PAGE_OR_TOC = re.compile(r"((?<!\.)\.{4,}|(?<!…)…{2,}|(?<!·)·{4,})\s*\d*\s*$")  # runs tried once, not from each dot
_STYLES_LIST_ONLY = {"bullet", "first"}
_TERMINAL_RX = re.compile(f"[{_TERMINAL}]")
_LINE_END = _TERMINAL + _SOFT_END
_NO_HINT: dict = {}  # (read only)


def _markers_by_first() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    """For each character a marker can open with, the marker patterns that can match after it (in
    priority order): a line is tried only against those, not against all ten."""
    firsts = {"part": "第", "cn": _CN_NUM, "pcn": "（(", "pnum": "（(", "circ": "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳",
              "task": "任", "bullet": "-•·●○■□▪◆◇*", "first": "一二三四五六七八九十首其再最"}
    out: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {}
    for c in set("".join(firsts.values())):
        out[c] = tuple((style, rx) for style, rx in _MARKERS if c in firsts.get(style, ""))
    return out


_BY_FIRST = _markers_by_first()
_BY_DIGIT = tuple((style, rx) for style, rx in _MARKERS if style in ("num", "rnum"))  # the two opening with \d


@dataclass(slots=True)
class _Line:
    number: int
    raw: str
    text: str
    style: str | None = None
    marker: str | None = None
    kind: str = "paragraph"
    level_hint: int | None = None
    last: int = 0  # the last line of a joined group (0: this line only)


def strip_debris(text: str) -> str:
    """Text without Word bookmark debris (``[bookmark: _Toc…]``) and outer whitespace."""
    if "[bookmark" in text:
        text = _BOOKMARK.sub("", text)
    return text.strip()


def find_marker(text: str) -> tuple[str | None, str | None]:
    """The numbering style and marker that open ``text`` (already stripped), if any."""
    if not text:
        return None, None
    c = text[0]
    tries = _BY_FIRST.get(c)
    if tries is None:
        if not c.isdigit():
            return None, None
        tries = _BY_DIGIT
    for style, rx in tries:
        m = rx.match(text)
        if m:
            return style, m.group(0)
    return None, None


def _is_table_cell(raw: str) -> bool:
    """A flattened table cell: the converter indents each cell with a tab."""
    return "\t" in raw and (raw.startswith("\t") or ("\t" in raw.strip() and len(raw.strip().split("\t")) >= 2))


def _headingish(body: str, full: str, style: str | None) -> bool:
    """Short, title-like text: no sentence inside it, no sentence-final punctuation.

    (A contents-page or page-number line is never one: that search runs last, on titles only.)"""
    body = body.strip()
    if not body:
        return style is not None
    n = len(body)
    if n > (28 if style is None else 40):  # too long for a title either way (checked first: cheapest)
        return False
    inner = body.rstrip("。.；;：:")
    if _TERMINAL_RX.search(inner):
        return False
    if style is not None:
        if n > 22 and (n > 40 or "，" in inner or "," in inner):
            return False
    else:  # unnumbered: stricter (a title line)
        if n > 28 or body[-1] in _LINE_END or "，" in body or "," in body:
            return False
        if sum(ch.isdigit() for ch in body) > n // 3:
            return False
    return not _PAGE_OR_TOC.search(full)


def _classify(number: int, raw: str, hints: dict) -> _Line:
    text = strip_debris(raw)
    ln = _Line(number, raw, text)
    hint = (hints.get(number) or _NO_HINT) if hints else _NO_HINT
    if hint and hint.get("table") is not None:
        ln.kind = "table_row"
        return ln
    md = _MD_HEADING.match(text) if text[:1] == "#" else None
    if md:
        ln.kind, ln.style, ln.marker = "heading", f"md{len(md.group(1))}", md.group(1)
        ln.level_hint = len(md.group(1))
        return ln
    if text[:1] == "|" and _PIPE_ROW.match(text) and text.count("|") >= 2:
        ln.kind = "table_row"
        return ln
    if _is_table_cell(raw):
        ln.kind = "table_row"
        return ln
    style, marker = find_marker(text)
    if hint and "heading" in hint:
        ln.kind, ln.style, ln.marker = "heading", style or f"hint{hint['heading']}", marker
        ln.level_hint = int(hint["heading"]) if hint["heading"] else None
        return ln
    body = text[len(marker):] if marker else text
    if style is not None and style not in _STYLES_LIST_ONLY:
        ln.style, ln.marker = style, marker
        ln.kind = "heading" if _headingish(body, text, style) else "list_item"
        return ln
    if style in _STYLES_LIST_ONLY:
        ln.style, ln.marker, ln.kind = style, marker, "list_item"
        return ln
    if hint and hint.get("bold") and _headingish(body, text, "bold"):
        ln.kind, ln.style = "heading", "bold"
        return ln
    if _headingish(text, text, None):
        ln.kind, ln.style = "heading", "plain"
        return ln
    ln.kind = "paragraph"
    return ln


def _continues(prev: _Line, nxt: _Line) -> bool:
    """Whether ``nxt`` is the wrapped continuation of paragraph ``prev`` (conservative)."""
    if prev.kind not in ("paragraph", "list_item") or nxt.kind != "paragraph":
        return False
    if nxt.number != prev.number + 1:
        return False
    p = prev.raw.rstrip()
    if len(p) < 30 or p[-1] in _TERMINAL + "：:」”)）" or p[-1].isdigit():
        return False
    first = nxt.text[0]
    # a continuation opens mid-sentence: not with a quote, bracket or a number
    return not (first in "“\"「《（(【[" or first.isdigit())


def parse(document: Document, join_wrapped: bool = False) -> list[Block]:
    """Blocks of ``document`` in order; every non-empty line is in exactly one block.

    ``join_wrapped`` joins clearly wrapped paragraph lines into one block. It is off by default:
    in PDF-wrapped text a section often changes mid-paragraph, and a block must never span
    lines of two sections.
    """
    hints = document.hints or {}
    lines: list[_Line] = []
    for i, raw in enumerate(document.lines, 1):
        if not raw.strip():
            continue
        ln = _classify(i, raw, hints)
        if not ln.text:  # only debris (a bookmark): still a line the gold labels
            ln.text = raw.strip()
            ln.kind = "paragraph"
        lines.append(ln)

    # a numbered "heading" that is a sentence among list items of its style is a list item too
    # (what makes a line a suspect never changes; only its kind does, so the suspects are listed once)
    suspects = [k for k, ln in enumerate(lines)
                if ln.kind == "heading" and ln.style is not None and ln.style not in ("plain", "bold")
                and ln.level_hint is None and ln.text[-1:] in "。；;"]
    for _ in range(2 if suspects else 0):
        for k in suspects:
            ln = lines[k]
            if ln.kind != "heading":
                continue
            near = [lines[j] for j in (k - 1, k + 1) if 0 <= j < len(lines)]
            if any(x.style == ln.style and (x.kind == "list_item" or x.text[-1:] in "。；;") for x in near):
                ln.kind = "list_item"

    # group wrapped paragraph lines
    if join_wrapped:
        groups: list[list[_Line]] = []
        for ln in lines:
            if groups and _continues(groups[-1][-1], ln) and len(groups[-1]) < 50:
                groups[-1].append(ln)
            else:
                groups.append([ln])
        # a group becomes one line spanning its lines (a copy: the lines themselves stay as they were)
        lines = [g[0] if len(g) == 1 else _Line(g[0].number, g[0].raw, "".join(x.text for x in g), g[0].style,
                                                g[0].marker, g[0].kind, g[0].level_hint, g[-1].number)
                 for g in groups]

    blocks: list[Block] = []
    stack: list[tuple[str, str]] = []  # (style, heading text), outermost first
    ordinals: list[int | None] = []  # the number each stacked heading counted
    titles: list[str] = []  # the heading texts of the stack (each block gets a copy)
    plain: str | None = None  # the last unnumbered title line, below the numbered stack
    for head in lines:  # (no tuple per line: fewer objects for the cycle collector to walk)
        text = head.text
        end = head.last or head.number
        if head.kind == "heading":
            style = head.style or "plain"
            if style == "plain" or style == "bold":
                blocks.append(Block(len(blocks), "heading", head.number, end, text, titles.copy(), len(stack) + 1,
                                    None))
                plain = text
                continue
            if head.level_hint is not None and style.startswith(("md", "hint")):
                # explicit levels: keep only shallower explicit ones
                depth = head.level_hint
                keep = [k for k, s in enumerate(stack) if _explicit_level(s[0]) < depth]
                stack = [stack[k] for k in keep]
                ordinals = [ordinals[k] for k in keep]
            else:
                styles = [s for s, _ in stack]
                if style not in styles:
                    # a numbering slip: this marker continues a sibling style's count one level up
                    n = ordinal(head.marker)
                    for pos in range(len(stack) - 1, -1, -1):
                        st = stack[pos][0]
                        if st in _SIBLING_STYLES.get(style, ()) and n is not None and n > 1 \
                                and ordinals[pos] is not None and ordinals[pos] + 1 == n:
                            style = st
                            break
                if style in styles:
                    cut = styles.index(style)
                    stack = stack[:cut]
                    ordinals = ordinals[:cut]
            path = [t for _, t in stack]
            stack.append((style, text))
            ordinals.append(ordinal(head.marker))
            ordinals = ordinals[: len(stack)]
            titles = [*path, text]
            plain = None
            blocks.append(Block(len(blocks), "heading", head.number, end, text, path,
                                head.level_hint if head.level_hint is not None else len(stack), head.marker))
            continue
        blocks.append(Block(len(blocks), head.kind, head.number, end, text,
                            titles.copy() if plain is None else [*titles, plain], None, head.marker))
    return blocks


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def ordinal(marker: str | None) -> int | None:
    """The number a marker counts (``（三）`` → 3, ``12.`` → 12, ``②`` → 2), if it has one."""
    if not marker:
        return None
    digits = "".join(c for c in marker if c.isdigit() and c.isascii())
    if digits:
        return int(digits)
    for c in marker:
        if c in _CIRCLED:
            return _CIRCLED.index(c) + 1
    cn = "".join(c for c in marker if c in _CN_DIGITS or c in "十百")
    if not cn:
        return None
    total, cur = 0, 0
    for c in cn:
        if c == "十":
            total += (cur or 1) * 10
            cur = 0
        elif c == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            cur = _CN_DIGITS[c]
    return total + cur


# styles a writer mixes up at one level (（二） followed by （3）, 一、 followed by 3.)
_SIBLING_STYLES = {"pcn": ("pnum",), "pnum": ("pcn",), "num": ("rnum",), "rnum": ("num",), "cn": ("num",)}


def _explicit_level(style: str) -> int:
    if style.startswith("md") or style.startswith("hint"):
        try:
            return int(style[2:] if style.startswith("md") else style[4:])
        except ValueError:
            return 99
    return 99
