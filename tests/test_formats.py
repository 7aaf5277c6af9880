"""The same report in every format gives the same blocks as its .txt.

corpora/render.py renders each sample report to GBK text, .docx, .pdf and .html, one source line
per paragraph / visual line / ``<p>``, blank lines included (empty paragraphs, vertical gaps, empty
``<p></p>``). Reading any of them and parsing the structure must give the .txt's blocks: kind,
text and line range, so a citation ``doc:line`` means the same in every format.

One thing only the text formats can show: a line that starts with a tab (a flattened table's cell
in these reports). HTML collapses leading whitespace and a PDF has no tab character, so there the
kind of such a block may differ (``heading`` rather than ``table_row``); its text and lines may not.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp import structure
from nlp.read import read

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"
REPORTS = sorted(p.stem for p in (SAMPLE / "txt").glob("*")) if (SAMPLE / "txt").is_dir() else []
FORMATS = ("gbk", "docx", "html", "pdf")


def _blocks(path: Path) -> list[tuple[str, str, int, int]]:
    return [(b.kind, b.text, b.line_start, b.line_end) for b in structure.parse(read(path))]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stem", REPORTS)
def test_same_blocks_as_the_txt(stem: str, fmt: str) -> None:
    txt = next((SAMPLE / "txt").glob(stem + ".*"))
    rendered = list((SAMPLE / fmt).glob(stem + ".*"))
    if not rendered:
        pytest.skip(f"no {fmt} rendering of {stem}")
    want, got = _blocks(txt), _blocks(rendered[0])
    if fmt in ("gbk", "docx"):
        assert got == want
        return
    assert [b[1:] for b in got] == [b[1:] for b in want]  # text and line range: always the same
    source = read(txt).lines
    for w, g in zip(want, got, strict=True):
        if w[0] != g[0]:
            assert source[w[2] - 1][:1] == "\t", f"{fmt} block {g} has kind {g[0]}, the txt says {w[0]}"


def test_formats_really_differ_on_disk() -> None:
    """The comparison above is not comparing a file with itself."""
    if not REPORTS:
        pytest.skip("corpora/sample/txt is missing")
    stem = REPORTS[0]
    sizes = {fmt: next((SAMPLE / fmt).glob(stem + ".*")).read_bytes() for fmt in FORMATS}
    assert len({v for v in sizes.values()}) == len(FORMATS)
    assert sizes["docx"][:2] == b"PK" and sizes["pdf"][:4] == b"%PDF" and b"<p>" in sizes["html"]
