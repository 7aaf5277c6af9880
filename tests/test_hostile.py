"""Hostile input: entities, fetches, archive bombs, page bombs, spreadsheet formulas, half-written files.

What test_read / test_brief / test_triage already cover (an internal-entity docx, a padded zip,
the brief's HTML/Markdown escaping, csv_safe on ranking rows, the brief's atomic write) is not
repeated here; this file adds the attacks they leave out and the end-to-end paths.
"""
from __future__ import annotations

import csv
import io
import socket
import urllib.request
import zipfile
from pathlib import Path

import pytest

from nlp.errors import (
    ERROR_TYPES,
    BinaryInputError,
    CorruptDocumentError,
    EmptyDocumentError,
    EncodingError,
    InputNotFoundError,
    InputTooLargeError,
    NlpError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from nlp.read import Limits, read

REPORT = "\n".join([
    "某县水利局2023年度部门整体支出绩效自评报告",
    "一、部门基本情况",
    "本局内设机构5个，编制人数28人。",
    "二、预算执行情况",
    "年初预算数为356.8万元，全年实际支出341.2万元，预算执行率为95.6%。",
    "三、存在的问题",
    "部分项目资金拨付进度偏慢。",
    "四、改进措施",
    "加快资金拨付进度。",
]) + "\n"


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record (and refuse) every attempt to open a connection or a URL."""
    calls: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        calls.append(repr(args[:2]))
        raise OSError("network use in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return calls


def _docx(path: Path, lines: list[str]) -> Path:
    import docx

    d = docx.Document()
    for s in lines:
        d.add_paragraph(s)
    d.save(str(path))
    return path


def _rezip(src: Path, dst: Path, replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, (replace or {}).get(item.filename, zin.read(item.filename)))
        for k, v in (extra or {}).items():
            zout.writestr(k, v)
    return dst


def _with_doctype(xml: bytes, doctype: bytes) -> bytes:
    end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    return xml[:end] + doctype + xml[end:]


# -- XML entities in .docx: external (XXE), parameter, in any part, in UTF-16 ---------------------
XXE = b'<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
PARAM = b'<!DOCTYPE w [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>'
LAUGHS = (b'<!DOCTYPE w [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "[Content_Types].xml", "_rels/.rels"])
@pytest.mark.parametrize("doctype", [XXE, PARAM, LAUGHS], ids=["xxe", "parameter", "laughs"])
def test_docx_dtd_in_any_part_is_refused(tmp_path: Path, no_network: list[str], part: str, doctype: bytes) -> None:
    good = _docx(tmp_path / "good.docx", ["预算执行情况良好。"])
    with zipfile.ZipFile(good) as z:
        xml = z.read(part)
    evil = _rezip(good, tmp_path / "evil.docx", replace={part: _with_doctype(xml, doctype)})
    with pytest.raises(UnsafeInputError) as info:
        read(evil)
    assert str(evil) in str(info.value) and part in str(info.value)
    assert no_network == []


def test_docx_dtd_hidden_in_utf16_is_refused(tmp_path: Path) -> None:
    good = _docx(tmp_path / "good.docx", ["预算执行情况良好。"])
    with zipfile.ZipFile(good) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    xml = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    evil = _rezip(good, tmp_path / "utf16.docx",
                  replace={"word/document.xml": _with_doctype(xml.encode("utf-8"), LAUGHS).decode().encode("utf-16")})
    with pytest.raises(UnsafeInputError):
        read(evil)


def test_docx_with_too_many_entries_is_refused(tmp_path: Path) -> None:
    good = _docx(tmp_path / "good.docx", ["预算执行情况良好。"])
    many = _rezip(good, tmp_path / "many.docx", extra={f"word/media/p{i}.bin": b"x" for i in range(60)})
    with pytest.raises(UnsafeInputError, match="entries"):
        read(many, limits=Limits(max_zip_entries=50))
    assert read(many).lines  # under the default limit it is an ordinary document


# -- HTML: entities are not expanded, nothing is fetched ------------------------------------------
def test_html_does_not_expand_entities_or_fetch(tmp_path: Path, no_network: list[str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-CONTENT", encoding="utf-8")
    page = f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}"><!ENTITY a "lol">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<html><head><base href="http://127.0.0.1:9/"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">
<script src="http://127.0.0.1:9/x.js"></script></head><body>
<p>一、预算执行情况</p><p>外部实体：&xxe;</p><p>实体炸弹：&c;</p>
<img src="http://127.0.0.1:9/a.png"><iframe src="file://{secret}"></iframe><object data="file://{secret}"></object>
<p>预算执行率为95.6%。</p>
</body></html>
"""
    path = tmp_path / "evil.html"
    path.write_text(page, encoding="utf-8")
    text = "\n".join(read(path).lines)
    assert "一、预算执行情况" in text and "预算执行率为95.6%。" in text
    assert "TOPSECRET" not in text and "lol" not in text
    assert no_network == []


# -- errors: every kind names the file and says what to do ----------------------------------------
def _laughs_docx(tmp_path: Path) -> Path:
    good = _docx(tmp_path / "ok.docx", ["预算执行情况良好。"])
    with zipfile.ZipFile(good) as z:
        xml = z.read("word/document.xml")
    return _rezip(good, tmp_path / "laughs.docx", replace={"word/document.xml": _with_doctype(xml, LAUGHS)})


def _bad_file(kind: str, tmp_path: Path) -> tuple[Path, Limits | None]:
    p = tmp_path / {"not_found": "missing.txt", "unsupported_format": "notes.rtf", "empty": "empty.txt",
                    "encoding": "latin.txt", "binary": "nul.txt", "corrupt": "notzip.docx",
                    "too_large": "big.txt"}.get(kind, "x")
    if kind == "unsupported_format":
        p.write_text("预算", encoding="utf-8")
    elif kind == "empty":
        p.write_bytes(b"")
    elif kind == "encoding":
        p.write_bytes(b"\x80\xff\xfe\x81 abc \xff\x80" * 100)
    elif kind == "binary":
        p.write_bytes(b"\x00\x01\x02" * 300)
    elif kind == "corrupt":
        p.write_text("这不是Word文件", encoding="utf-8")
    elif kind == "too_large":
        p.write_text(REPORT, encoding="utf-8")
        return p, Limits(max_bytes=100)
    elif kind == "unsafe":
        return _laughs_docx(tmp_path), None
    return p, None


@pytest.mark.parametrize("error", [InputNotFoundError, UnsupportedFormatError, EmptyDocumentError, EncodingError,
                                   BinaryInputError, CorruptDocumentError, InputTooLargeError,
                                   UnsafeInputError], ids=lambda e: e.kind)
def test_each_error_names_the_file_and_says_what_to_do(tmp_path: Path, error: type[NlpError]) -> None:
    path, limits = _bad_file(error.kind, tmp_path)
    with pytest.raises(error) as info:
        read(path, limits=limits)
    exc = info.value
    assert exc.message.startswith(f"{path}: ") and exc.reason and exc.hint_text
    assert exc.message.endswith(f"({exc.hint_text})")
    assert exc.to_dict() == {"doc": str(path), "error": error.kind, "reason": exc.reason, "hint": exc.hint_text}


def test_every_error_type_has_advice() -> None:
    kinds = [e.kind for e in ERROR_TYPES]
    assert len(set(kinds)) == len(kinds)
    for err in ERROR_TYPES:
        assert len(err.hint) > 10, err
        assert err("a/b.txt", "why").message == f"a/b.txt: why ({err.hint})"


def test_pdf_page_limit_names_file_and_remedy(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "many.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for i, item in enumerate(["办公经费", "差旅费", "会议费", "培训费", "设备购置", "维修维护", "专项业务", "其他支出"]):
        c.setFont("STSong-Light", 11)
        c.drawString(100, 700 - 20 * i, f"{item}支出{100 + 7 * i}万元。")
        c.showPage()
    c.save()
    with pytest.raises(InputTooLargeError) as info:
        read(path, limits=Limits(max_pdf_pages=5))
    assert str(path) in info.value.message and "8 pages" in info.value.reason and "split" in info.value.hint_text
    assert len(read(path, limits=Limits(max_pdf_pages=8)).lines) >= 8


# -- the triage CSV: file names that a spreadsheet would run as formulas --------------------------
FORMULA_NAMES = ["=1+2.txt", "+cmd.txt", "-2+3.txt", "@SUM(A1).txt", "\tcmd.txt", "\rcmd.txt"]


def test_triage_csv_never_starts_a_cell_with_a_formula(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp.triage import run_triage

    monkeypatch.chdir(tmp_path)
    for name in FORMULA_NAMES:
        Path(name).write_text(REPORT, encoding="utf-8")
    out = tmp_path / "r.csv"
    code = run_triage(paths=FORMULA_NAMES, db=tmp_path / "t.duckdb", jobs=1, csv=out, progress=False,
                      stages=("structure", "sections"))
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    docs = {r[1] for r in rows[1:]}
    assert docs == {"'" + n for n in FORMULA_NAMES}  # shown, with the quote that keeps it text
    for row in rows:
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r", row


# -- every -o file is written atomically -----------------------------------------------------------
def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_jsonl_output_is_atomic_when_a_row_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from nlp import document
    from nlp.cli import app

    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"r{i}.txt").write_text(REPORT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "sections.jsonl"
    target.write_text("OLD CONTENT\n", encoding="utf-8")
    real, calls = document.Block.to_dict, []

    def flaky(self, *a, **k):  # the 20th row fails, after many were written to the temporary file
        calls.append(1)
        if len(calls) == 20:
            raise RuntimeError("renderer broke mid-write")
        return real(self, *a, **k)

    monkeypatch.setattr(document.Block, "to_dict", flaky)
    result = CliRunner().invoke(app, ["sections", str(src), "-o", str(target)])
    assert isinstance(result.exception, RuntimeError) and len(calls) == 20
    assert target.read_text(encoding="utf-8") == "OLD CONTENT\n"
    assert _only(out) == ["sections.jsonl"]  # no temporary file left behind
    monkeypatch.setattr(document.Block, "to_dict", real)
    assert CliRunner().invoke(app, ["sections", str(src), "-o", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8").count("\n") > 20


def test_triage_report_and_csv_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp.triage import render, run_triage

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(REPORT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    report, table = out / "triage.html", out / "triage.csv"
    report.write_text("OLD REPORT", encoding="utf-8")
    table.write_text("OLD CSV", encoding="utf-8")

    def broken_html(*a: object, **k: object) -> str:
        raise RuntimeError("renderer broke")

    real_safe, calls = render.csv_safe, []

    def broken_safe(value: object) -> object:  # fails after the header and a few cells were written
        calls.append(1)
        if len(calls) > 3:
            raise RuntimeError("renderer broke")
        return real_safe(value)

    kw = {"jobs": 1, "progress": False, "stages": ("structure", "sections")}
    monkeypatch.setattr(render, "render_html", broken_html)
    with pytest.raises(RuntimeError):
        run_triage(paths=[str(tmp_path / "in")], db=tmp_path / "t.duckdb", report=report, **kw)
    monkeypatch.setattr(render, "csv_safe", broken_safe)
    with pytest.raises(RuntimeError):
        run_triage(paths=[str(tmp_path / "in")], db=tmp_path / "t.duckdb", csv=table, **kw)
    assert len(calls) > 3
    assert report.read_text(encoding="utf-8") == "OLD REPORT" and table.read_text(encoding="utf-8") == "OLD CSV"
    assert _only(out) == ["triage.csv", "triage.html"]
