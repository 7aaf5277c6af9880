"""Render the sample reports (corpora/sample/txt) into every input format the toolkit reads.

    python corpora/render.py [--src DIR] [--out DIR]

Why: the readers must give back the same lines as the text file, so that the gold files (keyed by
line number) score every format. The mapping is therefore one line to one unit:

- docx: one paragraph per line (empty lines as empty paragraphs, a leading tab kept as a tab);
  a run of ``| a | b |`` lines becomes one real Word table, one row per line.
- pdf: reportlab with the built-in CID font STSong-Light (no font file), one text line per line,
  blank lines as blank slots, a new page when the page is full, no page numbers. The page is as
  wide as the document's longest line so that no line wraps.
- html: one ``<p>`` per line (``<p></p>`` for empty ones; top-level headings as ``<h2>``/``<h3>`` with
  the line's text unchanged), pipe-table runs as ``<table>``, plus a ``<nav>`` and ``<script>``s that a
  reader must drop.
- gbk: the text re-encoded as GB18030.

Output is deterministic (fixed zip timestamps, reportlab's invariant mode), so re-rendering gives
the committed files. ``extract_lines`` reads a rendering back (used by tests/test_corpus.py).
"""

from __future__ import annotations

import argparse
import html
import io
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SRC = HERE / "sample" / "txt"
DEFAULT_OUT = HERE / "sample"
FORMATS = ("docx", "pdf", "html", "gbk")
PIPE_ROW = re.compile(r"^\|.*\|\s*$")
TOP_HEADING = re.compile(r"^(?:#{1,6} |第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、)")
FONT = "STSong-Light"
FONT_SIZE = 10.5
LEADING = 16.0
MARGIN = 50.0
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def source_files(src_dir: Path) -> list[Path]:
    return sorted(p for p in Path(src_dir).iterdir() if p.suffix in (".txt", ".md"))


def read_lines(path: Path) -> list[str]:
    """The file's lines as the gold files count them (a final newline ends the last line)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def output_name(src: Path, fmt: str) -> str:
    if fmt == "gbk":
        return src.name
    return src.stem + "." + fmt


def pipe_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _runs(lines: list[str]):
    """(kind, payload) in order: ('line', text) or ('table', [row lines])."""
    i = 0
    while i < len(lines):
        if PIPE_ROW.match(lines[i]):
            j = i
            while j < len(lines) and PIPE_ROW.match(lines[j]):
                j += 1
            yield "table", lines[i:j]
            i = j
        else:
            yield "line", lines[i]
            i += 1


# ------------------------------------------------------------------ docx

def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so that the same input gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            info = zipfile.ZipInfo(item.filename, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, zin.read(item.filename))
    return out.getvalue()


def render_docx(lines: list[str], dest: Path, title: str) -> None:
    import datetime as dt

    import docx
    from docx.enum.text import WD_BREAK  # noqa: F401  (imported to fail early on a broken install)
    from docx.oxml.ns import qn

    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    cp = d.core_properties
    cp.title, cp.author, cp.last_modified_by = title, "nlp sample corpus", "nlp sample corpus"
    cp.created = cp.modified = dt.datetime(2024, 1, 1)
    cp.revision = 1
    for kind, payload in _runs(lines):
        if kind == "line":
            d.add_paragraph(payload)
        else:
            rows = [pipe_cells(r) for r in payload]
            ncols = max(len(r) for r in rows)
            table = d.add_table(rows=len(rows), cols=ncols)
            table.style = "Table Grid"
            for r, cells in enumerate(rows):
                for c in range(ncols):
                    table.cell(r, c).text = cells[c] if c < len(cells) else ""
    buf = io.BytesIO()
    d.save(buf)
    dest.write_bytes(_fixed_zip(buf.getvalue()))


# ------------------------------------------------------------------ pdf

def render_pdf(lines: list[str], dest: Path, title: str) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    shown = [ln.replace("\t", "    ").rstrip() for ln in lines]
    widest = max((pdfmetrics.stringWidth(s, FONT, FONT_SIZE) for s in shown), default=0.0)
    width = max(595.0, widest + 2 * MARGIN)  # A4 width, or wider so that no line wraps
    height = 842.0
    c = canvas.Canvas(str(dest), pagesize=(width, height), invariant=1)
    c.setTitle(title)
    c.setAuthor("nlp sample corpus")
    y = height - MARGIN
    for s in shown:
        if y < MARGIN:
            c.showPage()
            y = height - MARGIN
        if s.strip():
            c.setFont(FONT, FONT_SIZE)
            indent = pdfmetrics.stringWidth(s[: len(s) - len(s.lstrip())], FONT, FONT_SIZE)
            c.drawString(MARGIN + indent, y, s.strip())
        y -= LEADING
    c.showPage()
    c.save()


# ------------------------------------------------------------------ html

_HEAD = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<script>window.__stat = {{"page": "{stem}", "views": 1024}};</script>
</head>
<body>
<nav><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/czxx/">财政信息</a> 打印 关闭</nav>
<div class="article">
"""
_TAIL = """</div>
<script>document.querySelectorAll("p").forEach(function (p) {{ p.dataset.seen = "1"; }});</script>
</body>
</html>
"""


def render_html(lines: list[str], dest: Path, title: str, stem: str) -> None:
    out = [_HEAD.format(title=html.escape(title), stem=stem)]
    for kind, payload in _runs(lines):
        if kind == "table":
            out.append("<table>\n")
            for row in payload:
                cells = "".join(f"<td>{html.escape(c)}</td>" for c in pipe_cells(row))
                out.append(f"<tr>{cells}</tr>\n")
            out.append("</table>\n")
            continue
        text = html.escape(payload, quote=False)
        if TOP_HEADING.match(payload):
            tag = "h3" if payload.startswith("##") else "h2"
            out.append(f"<{tag}>{text}</{tag}>\n")
        else:
            out.append(f"<p>{text}</p>\n")
    out.append(_TAIL.format())
    dest.write_text("".join(out), encoding="utf-8")


# ------------------------------------------------------------------ gbk

def render_gbk(src: Path, dest: Path) -> None:
    dest.write_bytes(src.read_text(encoding="utf-8").encode("gb18030"))


# ------------------------------------------------------------------ driver

def render_one(src: Path, out_dir: Path) -> dict[str, Path]:
    lines = read_lines(src)
    title = next((ln.strip("# ").strip() for ln in lines if ln.strip()), src.stem)
    made = {}
    for fmt in FORMATS:
        (out_dir / fmt).mkdir(parents=True, exist_ok=True)
        dest = out_dir / fmt / output_name(src, fmt)
        if fmt == "docx":
            render_docx(lines, dest, title)
        elif fmt == "pdf":
            render_pdf(lines, dest, title)
        elif fmt == "html":
            render_html(lines, dest, title, src.stem)
        else:
            render_gbk(src, dest)
        made[fmt] = dest
    return made


def render_all(src_dir: Path = DEFAULT_SRC, out_dir: Path = DEFAULT_OUT) -> list[Path]:
    """Render every .txt/.md in src_dir into out_dir/{docx,pdf,html,gbk}/; returns the files written."""
    written: list[Path] = []
    for src in source_files(Path(src_dir)):
        written.extend(render_one(src, Path(out_dir)).values())
    return written


# ------------------------------------------------------------------ reading back (for tests)

def extract_lines(path: Path) -> list[str]:
    """The lines a rendering holds, right-stripped; for a PDF only its non-empty lines, stripped."""
    path = Path(path)
    if path.suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        out: list[str] = []
        body = d.element.body
        for el in body.iterchildren():
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "p":
                from docx.text.paragraph import Paragraph

                out.append(Paragraph(el, d).text.rstrip())
            elif tag == "tbl":
                from docx.table import Table

                for row in Table(el, d).rows:
                    out.append("| " + " | ".join(c.text for c in row.cells) + " |")
        return out
    if path.suffix == ".pdf":
        import pdfplumber

        with pdfplumber.open(str(path)) as pdf:
            text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        return [ln.strip() for ln in text.split("\n") if ln.strip()]
    if path.suffix == ".html":
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for el in soup(["script", "nav", "style"]):
            el.decompose()
        out = []
        for el in soup.find_all(["p", "h1", "h2", "h3", "h4", "h5", "h6", "table"]):
            if el.name == "table":
                for tr in el.find_all("tr"):
                    out.append("| " + " | ".join(td.get_text() for td in tr.find_all(["td", "th"])) + " |")
            elif el.find_parent("table") is None:
                out.append(el.get_text().rstrip())
        return out
    text = path.read_bytes().decode("gb18030")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln.rstrip() for ln in lines]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC, help="folder of .txt/.md sample reports")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write docx/ pdf/ html/ gbk/ into")
    a = ap.parse_args(argv)
    written = render_all(a.src, a.out)
    print(f"rendered {len(written)} files into {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
