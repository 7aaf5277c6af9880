"""HTML: the page's text as lines, navigation and scripts dropped, tables as pipe rows.

Parsed with lxml through BeautifulSoup: nothing is executed or fetched, and HTML parsing does
not expand custom entities. Each block element, ``<br>``-separated run, list item, heading and
table row becomes one line; ``<h1>``-``<h6>`` give heading hints.
"""
from __future__ import annotations

import re
from typing import Any

from nlp.read.text import decode_bytes

_DROP = frozenset({"script", "style", "nav", "noscript", "iframe", "form", "template", "svg", "object",
                   "embed", "canvas", "button", "select", "textarea", "input", "head", "title", "meta",
                   "link", "audio", "video", "map", "dialog", "menu"})
_PAGE_FURNITURE = frozenset({"header", "footer", "aside"})
_BLOCKS = frozenset({"p", "div", "li", "dt", "dd", "blockquote", "section", "article", "main", "ul", "ol",
                     "dl", "table", "tbody", "thead", "tfoot", "caption", "figure", "figcaption",
                     "address", "center", "body", "html", "fieldset", "details", "summary", "hr",
                     "header", "footer", "aside", "td", "th"})
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_NAV_CLASS = re.compile(r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|sidebar|share|copyright|skip|footer)(?:$|[\s_-])",
                        re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
_WS = re.compile(r"[ \t\r\n\f]+")
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "big5": "big5hkscs"}
_LAYOUT_ROW_CHARS = 400
_LAYOUT_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section", "article")


def decode_html(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """Text of an HTML file: BOM, then ``<meta charset>``, then the text detector."""
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        m = _META_CHARSET.search(data[:8192])
        if m:
            declared = m.group(1).decode("ascii").lower()
            enc = _ALIASES.get(declared, declared)
            try:
                return data.decode(enc), enc, []
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong declaration is common; fall through to detection
    return decode_bytes(data, name)


def _is_dropped(tag: Any) -> bool:
    if tag.name in _DROP:
        return True
    attrs = tag.attrs or {}
    if str(attrs.get("role", "")).lower() in ("navigation", "banner", "contentinfo", "search"):
        return True
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    if _HIDDEN_STYLE.search(str(attrs.get("style", ""))):
        return True
    if tag.name in _PAGE_FURNITURE and tag.find_parent(("article", "main")) is None:
        return True
    cls = attrs.get("class", [])
    ident = " ".join(cls if isinstance(cls, list) else [str(cls)]) + " " + str(attrs.get("id", ""))
    return bool(_NAV_CLASS.search(ident)) and tag.name not in ("body", "html", "main", "article")


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.hints: dict[int, dict[str, Any]] = {}
        self.buf: list[str] = []
        self.tables = 0

    def flush(self) -> None:
        text = _WS.sub(" ", "".join(self.buf)).strip()
        self.buf.clear()
        if text:
            self.lines.append(text)

    def emit(self, text: str, hint: dict[str, Any] | None = None) -> None:
        self.flush()
        text = _WS.sub(" ", text).strip()
        if text:
            self.lines.append(text)
            if hint:
                self.hints[len(self.lines)] = hint


def _text_of(tag: Any) -> str:
    """Visible text of an element, dropped descendants excluded, ``<br>`` as a space."""
    from bs4 import NavigableString, Tag
    from bs4.element import Comment, Doctype, ProcessingInstruction

    parts: list[str] = []

    def walk(el: Any) -> None:
        for ch in el.children:
            if isinstance(ch, (Comment, Doctype, ProcessingInstruction)):
                continue
            if isinstance(ch, NavigableString):
                parts.append(str(ch))
            elif isinstance(ch, Tag):
                if _is_dropped(ch):
                    continue
                if ch.name == "br" or ch.name in _BLOCKS or ch.name in _HEADINGS:
                    parts.append(" ")
                walk(ch)

    walk(tag)
    return _WS.sub(" ", "".join(parts)).strip()


def _own_cells(tr: Any) -> list[Any]:
    return [c for c in tr.find_all(("td", "th"), recursive=False)]


def _is_layout_row(tr: Any, cells: list[Any]) -> bool:
    """Pages laid out with tables: a row holding a nested table or a whole article is a container."""
    if any(c.find("table") is not None for c in cells):
        return True
    for c in cells:
        blocks = [b for b in c.find_all(_LAYOUT_BLOCKS) if b.name == "br" or b.get_text(strip=True)]
        if len(blocks) >= 3:
            return True
    return sum(len(c.get_text()) for c in cells) > _LAYOUT_ROW_CHARS


def read_html(data: bytes, name: str) -> tuple[list[str], dict[int, dict[str, Any]], str, list[str]]:
    """``(lines, hints, encoding, warnings)`` for the bytes of an HTML file."""
    from bs4 import BeautifulSoup, NavigableString, Tag
    from bs4.element import Comment, Doctype, ProcessingInstruction

    text, encoding, warnings = decode_html(data, name)
    soup = BeautifulSoup(text, "lxml")
    out = _Lines()
    row_counter: dict[int, int] = {}
    data_tables: dict[int, int] = {}

    def walk(el: Any, table: int | None) -> None:
        for ch in el.children:
            if isinstance(ch, (Comment, Doctype, ProcessingInstruction)):
                continue
            if isinstance(ch, NavigableString):
                out.buf.append(str(ch))
                continue
            if not isinstance(ch, Tag) or _is_dropped(ch):
                continue
            name_ = ch.name
            if name_ == "br":
                out.flush()
            elif name_ in _HEADINGS:
                out.emit(_text_of(ch), {"heading": _HEADINGS[name_]})
            elif name_ == "pre":
                out.flush()
                for line in ch.get_text().split("\n"):
                    out.emit(line)
            elif name_ == "table":
                out.flush()
                t = out.tables
                out.tables += 1
                row_counter[t] = 0
                walk(ch, t)
                out.flush()
            elif name_ == "tr":
                cells = _own_cells(ch)
                if _is_layout_row(ch, cells):
                    out.flush()
                    walk(ch, None)
                    out.flush()
                    continue
                # A spanned cell (colspan/rowspan) appears once: merged cells are not repeated.
                texts = [_text_of(c).replace("|", "｜") for c in cells]
                if any(texts):
                    hint = None
                    if table is not None:
                        # Layout tables get no number: only tables that hold data rows are counted.
                        number = data_tables.setdefault(table, len(data_tables))
                        hint = {"table": number, "row": row_counter.get(table, 0)}
                    out.emit("| " + " | ".join(texts) + " |", hint)
                if table is not None:
                    row_counter[table] = row_counter.get(table, 0) + 1
            elif name_ == "p" and table is None and not ch.get_text().strip():
                out.flush()
                out.lines.append("")  # an empty paragraph is a blank line: line numbers stay those of the text
            elif name_ in _BLOCKS:
                out.flush()
                walk(ch, table)
                out.flush()
            else:
                walk(ch, table)

    root = soup.body or soup
    walk(root, None)
    out.flush()
    return out.lines, out.hints, encoding, warnings
