"""PDF: text lines in reading order per page, ruled tables as pipe rows, page numbers dropped.

Vertical gaps become empty lines (a gap of two line pitches is one empty line), so a PDF typeset
one source line per PDF line gets the source's line numbers back, blank lines included.
"""
from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

from nlp.errors import CorruptDocumentError, EmptyDocumentError, InputTooLargeError
from nlp.read.clean import is_page_footer
from nlp.read.limits import Limits

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


def _page_items(page: Any) -> list[tuple[float, float, str, dict[str, Any] | None]]:
    """``(top, bottom, text, table_hint)`` for text lines and table rows of one page."""
    items: list[tuple[float, float, str, dict[str, Any] | None]] = []
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
    for ln in text_page.extract_text_lines(return_chars=False, keep_blank_chars=True):
        text = ln["text"].rstrip()
        if text.strip():
            items.append((ln["top"], ln["bottom"], text, None))
    items.sort(key=lambda it: (round(it[0], 1), it[3] is not None))
    return items


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
        per_page: list[tuple[float, list[tuple[float, float, str, dict[str, Any] | None]]]] = []
        failed = 0
        for i, page in enumerate(pages):
            try:
                per_page.append((float(page.height), _page_items(page)))
            except Exception as exc:  # noqa: BLE001 - one bad page should not lose the others
                failed += 1
                warnings.append(f"page {i + 1} unreadable ({type(exc).__name__})")
                per_page.append((0.0, []))
            finally:
                page.close()  # free the page's parsed objects as we go
        if failed == n_pages and n_pages:
            raise CorruptDocumentError(name, "no page could be read")
    finally:
        pdf.close()
    if not any(items for _, items in per_page):
        raise EmptyDocumentError(name, "the PDF has no text layer", "scanned PDF needs OCR")
    return _layout(per_page, warnings)


def _layout(per_page: list[tuple[float, list[tuple[float, float, str, dict[str, Any] | None]]]],
            warnings: list[str]) -> tuple[list[str], dict[int, dict[str, Any]], list[str]]:
    # Page numbers at the page edge that recur on most pages are furniture, not lines of the text:
    # drop them before measuring the layout. A lone one (a page number typed into the text) stays
    # a line and is blanked by the cleaner, so line numbers do not shift.
    marked: list[list[bool]] = []
    for height, items in per_page:
        marks = []
        for k, (top, bottom, text, hint) in enumerate(items):
            edge = k in (0, len(items) - 1) and (top > height * 0.85 or bottom < height * 0.12)
            marks.append(hint is None and edge and bool(is_page_footer(text) or _BARE_NUMBER.match(text)))
        marked.append(marks)
    footers = 0
    if sum(any(m) for m in marked) >= max(2, len(per_page) // 2):
        kept: list[tuple[float, list[tuple[float, float, str, dict[str, Any] | None]]]] = []
        for (height, items), marks in zip(per_page, marked, strict=True):
            kept.append((height, [it for it, m in zip(items, marks, strict=True) if not m]))
            footers += sum(marks)
        per_page = kept
    gaps = [round(b[0] - a[0], 1) for _, items in per_page for a, b in zip(items, items[1:], strict=False)
            if b[0] - a[0] > 1]
    pitch = statistics.median_low(gaps) if gaps else 0.0
    if gaps:
        # The most common gap is the line pitch; the median guards against a bimodal tie.
        common = max(set(gaps), key=gaps.count)
        if gaps.count(common) >= len(gaps) * 0.3:
            pitch = common
    firsts = [items[0][0] for _, items in per_page if items]
    lasts = [items[-1][0] for _, items in per_page[:-1] if items]
    top_ref = min(firsts) if firsts else 0.0
    bottom_ref = max(lasts) if lasts else 0.0

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
        warnings.append(f"dropped {footers} page-number line(s)")
    return lines, hints, warnings
