"""PDF: text lines in reading order per page, ruled tables as pipe rows, page numbers dropped.

Vertical gaps become empty lines (a gap of two line pitches is one empty line), so a PDF typeset
one source line per PDF line gets the source's line numbers back, blank lines included.
"""
from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

from nlp.errors import CorruptDocumentError, EmptyDocumentError, EncodingError, InputTooLargeError
from nlp.read.clean import is_page_footer
from nlp.read.limits import Limits

# One text line or table row of a page: (top, bottom, text, table hint or None for text).
_Item = tuple[float, float, str, dict[str, Any] | None]
_Pages = list[tuple[float, list[_Item]]]  # (page height, its items) per page
_CID = re.compile(r"\(cid:\d+\)")
_BARE_NUMBER = re.compile(r"^\s*\d{1,4}\s*$|^\s*\d{1,4}\s*/\s*\d{1,4}\s*$")
_MAX_BLANKS = 40  # a gap never stands for more empty lines than this


def _open(path: Path, name: str) -> Any:
    import pdfplumber

    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        raise CorruptDocumentError(name, "not a PDF: no %PDF header")
    try:
        return pdfplumber.open(str(path))
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds
        raise _corrupt(name, exc) from None


def _corrupt(name: str, exc: BaseException) -> CorruptDocumentError:
    chain = f"{type(exc).__name__} {exc!r} {exc.__cause__!r} {exc.__context__!r}".lower()
    if "password" in chain or "encrypt" in chain:
        return CorruptDocumentError(name, "the PDF is encrypted (password protected)",
                                    "remove the password in a PDF viewer, or export it as text")
    return CorruptDocumentError(name, f"damaged or unreadable PDF ({type(exc).__name__}: {str(exc)[:200]})")


def _page_items(page: Any) -> tuple[list[_Item], dict[float, float]]:
    """``(top, bottom, text, table_hint)`` for text lines and table rows of one page, and the
    baseline (from the page top) of each text line by its top."""
    items: list[_Item] = []
    try:
        tables = page.find_tables()
    except Exception:  # noqa: BLE001 - table detection is a bonus; text still reads without it
        tables = []
    boxes = [t.bbox for t in tables]
    for ti, t in enumerate(tables):
        try:
            rows = t.extract()
        except Exception:  # noqa: BLE001
            continue
        for r, (cells, row) in enumerate(zip(rows, t.rows, strict=False)):
            texts = [re.sub(r"\s+", " ", c or "").strip().replace("|", "｜") for c in cells]
            if any(texts):
                items.append((row.bbox[1], row.bbox[3], "| " + " | ".join(texts) + " |", {"row": r, "_t": ti}))

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    baselines: dict[float, float] = {}
    for ln in text_page.extract_text_lines(return_chars=True, keep_blank_chars=True):
        text = ln["text"].rstrip()
        if text.strip():
            items.append((ln["top"], ln["bottom"], text, None))
            matrix = ln["chars"][0].get("matrix") if ln.get("chars") else None
            if matrix and len(matrix) == 6:
                baselines[ln["top"]] = float(page.bbox[3]) - float(matrix[5])
    items.sort(key=lambda it: (round(it[0], 1), it[3] is not None))
    return items, baselines


def read_pdf(path: Path, name: str, limits: Limits) -> tuple[list[str], dict[int, dict[str, Any]], list[str]]:
    """``(lines, hints, warnings)`` for a PDF file."""
    pdf = _open(path, name)
    warnings: list[str] = []
    try:
        try:
            pages = pdf.pages
            n_pages = len(pages)
        except Exception as exc:  # noqa: BLE001
            raise _corrupt(name, exc) from None
        if n_pages > limits.max_pdf_pages:
            raise InputTooLargeError(name, f"{n_pages} pages (limit {limits.max_pdf_pages})",
                                     "split the PDF or raise max_pdf_pages")
        per_page: _Pages = []
        failed = 0
        first_baselines: list[float | None] = []
        for i, page in enumerate(pages):
            try:
                items, baselines = _page_items(page)
                per_page.append((float(page.height), items))
                first_baselines.append(baselines.get(items[0][0]) if items else None)
            except Exception as exc:  # noqa: BLE001 - one bad page should not lose the others
                failed += 1
                warnings.append(f"page {i + 1} unreadable ({type(exc).__name__})")
                per_page.append((0.0, []))
                first_baselines.append(None)
            finally:
                page.close()  # free the page's parsed objects as we go
        if failed == n_pages and n_pages:
            raise CorruptDocumentError(name, "no page could be read")
    finally:
        pdf.close()
    if not any(items for _, items in per_page):
        raise EmptyDocumentError(name, "the PDF has no text layer", "scanned PDF needs OCR")
    per_page = _drop_unmapped_glyphs(per_page, name, warnings)
    return _layout(per_page, warnings, first_baselines)


def _drop_unmapped_glyphs(per_page: _Pages,
                          name: str, warnings: list[str]) -> _Pages:
    """Remove ``(cid:123)`` placeholders (glyphs without a Unicode mapping); refuse a PDF made of them."""
    total = unmapped = 0
    for _, items in per_page:
        for it in items:
            total += len(it[2])
            unmapped += sum(len(m) for m in _CID.findall(it[2]))
    if not unmapped:
        return per_page
    if unmapped > 0.5 * total:
        raise EncodingError(name, "the PDF's fonts carry no Unicode mapping, so its text cannot be extracted",
                            "scanned PDF needs OCR; or export the text from the program that made it")
    warnings.append("removed glyphs without a Unicode mapping")
    return [(h, [(t, b, _CID.sub("", x), hint) for t, b, x, hint in items]) for h, items in per_page]


def _line_pitch(per_page: _Pages) -> float:
    """Distance between two consecutive lines of running text.

    The smallest gap that recurs; halved while it exceeds twice the glyph height, because a text
    with an empty line after every line never shows a single-pitch gap.
    """
    gaps = [round((b[0] - a[0]) * 2) / 2 for _, items in per_page
            for a, b in zip(items, items[1:], strict=False) if b[0] - a[0] > 1]
    if not gaps:
        return 0.0
    floor = max(2, len(gaps) // 10)
    recurring = sorted(g for g in set(gaps) if gaps.count(g) >= floor)
    pitch = recurring[0] if recurring else statistics.median_low(gaps)
    heights = [it[1] - it[0] for _, items in per_page for it in items if it[3] is None and it[1] > it[0]]
    if heights:
        glyph = statistics.median(heights)
        while pitch > 2.2 * glyph and pitch / 2 >= 0.95 * glyph:
            pitch /= 2
    return pitch


def _layout(per_page: _Pages,
            warnings: list[str], first_baselines: list[float | None] | None = None) -> tuple[list[str], dict[int, dict[str, Any]], list[str]]:
    # Page numbers at the page edge that recur on most pages are furniture, not lines of the text:
    # drop them before measuring the layout. A lone one (a page number typed into the text) stays
    # a line and is blanked by the cleaner, so line numbers do not shift.
    marked: list[list[bool]] = []
    offsets: list[int] = []  # printed number minus page index, for bare-number candidates
    for p, (height, items) in enumerate(per_page):
        marks = []
        for k, (top, bottom, text, hint) in enumerate(items):
            edge = hint is None and k in (0, len(items) - 1) and (top > height * 0.85 or bottom < height * 0.12)
            strong = edge and is_page_footer(text)
            bare = edge and not strong and bool(_BARE_NUMBER.match(text))
            if bare:
                offsets.append(int(re.findall(r"\d+", text)[0]) - p)
            marks.append("strong" if strong else "bare" if bare else "")
        marked.append(marks)
    # A bare number counts as a page number only when it follows the page index on several pages.
    offset = max(set(offsets), key=offsets.count) if offsets else None
    for p, (_h, items) in enumerate(per_page):
        for k, (_t, _b, text, _hint) in enumerate(items):
            if marked[p][k] == "bare" and int(re.findall(r"\d+", text)[0]) - p != offset:
                marked[p][k] = ""
    if offset is not None and offsets.count(offset) < 2:
        marked = [[m if m == "strong" else "" for m in marks] for marks in marked]
    # Running headers/footers: the same text at the same height as first or last line of many pages.
    edges: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for p, (_h, items) in enumerate(per_page):
        for k in {0, len(items) - 1} if items else set():
            top, _b, text, hint = items[k]
            if hint is None and text.strip():
                edges.setdefault((text.strip(), round(top)), []).append((p, k))
    for places in edges.values():
        if len(places) >= 3 and len(places) >= len(per_page) // 2:
            for p, k in places:
                marked[p][k] = "strong"
    footers = 0
    if sum(any(m) for m in marked) >= max(2, len(per_page) // 2):
        kept: _Pages = []
        for (height, items), marks in zip(per_page, marked, strict=True):
            kept.append((height, [it for it, m in zip(items, marks, strict=True) if not m]))
            footers += sum(1 for m in marks if m)
        per_page = kept
    pitch = _line_pitch(per_page)
    firsts = [items[0][0] for _, items in per_page if items]
    lasts = [items[-1][0] for _, items in per_page[:-1] if items]
    top_ref = min(firsts) if firsts else 0.0
    bottom_ref = max(lasts) if lasts else 0.0
    if len(firsts) > 1 and pitch > 0 and first_baselines:
        # Trailing empty lines of a page leave no trace. Assume the bottom margin mirrors the top one
        # (measured at the baseline), which gives the last line slot a full page can hold. With several
        # full pages, trust it only near what they show, so pages that routinely end early are not padded.
        for (height, items), base in zip(per_page, first_baselines, strict=False):
            if items and base is not None and abs(items[0][0] - top_ref) < 0.5:
                mirrored = top_ref + int((height - 2 * base) / pitch + 1e-6) * pitch
                if bottom_ref < mirrored and (len(lasts) == 1 or mirrored <= bottom_ref + 3.5 * pitch):
                    bottom_ref = mirrored
                break

    def blanks(gap: float) -> int:
        if pitch <= 0 or gap < 1.5 * pitch:
            return 0
        return min(_MAX_BLANKS, round(gap / pitch) - 1)

    lines: list[str] = []
    hints: dict[int, dict[str, Any]] = {}
    table_ids: dict[tuple[int, int], int] = {}
    for p, (_height, items) in enumerate(per_page):
        if not items:
            continue
        lines.extend([""] * blanks(items[0][0] - top_ref + pitch))
        for k, (top, _bottom, text, hint) in enumerate(items):
            if k:
                lines.extend([""] * blanks(top - items[k - 1][0]))
            lines.append(text)
            if hint is not None:
                t = table_ids.setdefault((p, hint["_t"]), len(table_ids))
                hints[len(lines)] = {"table": t, "row": hint["row"]}
        if p < len(per_page) - 1:
            lines.extend([""] * blanks(bottom_ref - items[-1][0] + pitch))
    if footers:
        warnings.append(f"dropped {footers} page-number/running-header line(s)")
    return lines, hints, warnings
