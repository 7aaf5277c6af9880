"""Fault injection: good reports mixed with every kind of broken or hostile file.

The real command line (``.venv/bin/nlp``) runs over one folder holding good sample reports in
four formats and one file of each failure kind. Every good report must come out exactly as it
does when the folder holds nothing else; every bad one must be named once, with its error kind;
nothing may be written anywhere but the output paths (the folder and a private TMPDIR are
snapshotted before and after).
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from nlp.triage.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample"
NLP = Path(sys.executable).with_name("nlp")
GOOD = {"good_a.txt": "txt/s01_xinfang_zhengti.txt", "good_b.docx": "docx/s03_weijian_zhengti.docx",
        "good_c.pdf": "pdf/s05_jiaotong_zhengti.pdf", "good_d.html": "html/s07_minzheng_zhengti.html"}
MAX_BYTES = 1_000_000
# file name -> the error kind it must be recorded with
BAD = {
    "empty.txt": "empty",
    "blank.txt": "empty",
    "garbage.txt": "binary",
    "sjis.txt": "encoding",
    "undecodable.txt": "encoding",
    "truncated.docx": "corrupt",
    "plainzip.docx": "corrupt",
    "xxe.docx": "unsafe",
    "laughs.docx": "unsafe",
    "bomb.docx": "unsafe",
    "garbage.pdf": "corrupt",
    "locked.pdf": "corrupt",
    "scanned.pdf": "empty",
    "huge.txt": "too_large",
}
EXPLICIT = ("notes.rtf", "unsupported_format")  # given by name: folder walks skip unknown suffixes
TABLES = ("documents", "blocks", "figures", "facts", "checks", "statements", "flags")

pytestmark = [pytest.mark.slow,  # ~75 s: a dozen CLI runs, each loading the models
              pytest.mark.skipif(not all((SAMPLE / src).is_file() for src in GOOD.values()),
                                 reason="corpora/sample is incomplete")]


def _rezip(src: Path, dst: Path, replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, (replace or {}).get(item.filename, zin.read(item.filename)))
        for k, v in (extra or {}).items():
            zout.writestr(k, v)


def _with_doctype(docx: Path, dst: Path, doctype: bytes, entity: bytes) -> None:
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml")
    end = xml.index(b"?>") + 2
    body = xml[end:]
    first_text = body.index(b">", re.search(rb"<w:t[ >]", body).start()) + 1
    evil = xml[:end] + doctype + body[:first_text] + entity + body[first_text:]
    _rezip(docx, dst, replace={"word/document.xml": evil})


def _pdf_canvas(path: Path, **kw: object):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    return canvas.Canvas(str(path), pagesize=A4, **kw)


def make_bad_files(folder: Path) -> None:
    """One file per failure kind, all made here (no real report text)."""
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text(" \n\t\n\u3000\u3000\n\n", encoding="utf-8")
    (folder / "garbage.txt").write_bytes(bytes((i * 7919 + 13) % 256 for i in range(20_000)))
    (folder / "sjis.txt").write_bytes(("本年度の予算執行状況を報告します。事業は計画どおり進み、支出は適正でした。" * 30)
                                      .encode("shift_jis"))
    (folder / "undecodable.txt").write_bytes(b"\x80\xff\xfe\x81 abc \xff\x80" * 400)
    docx = SAMPLE / GOOD["good_b.docx"]
    data = docx.read_bytes()
    (folder / "truncated.docx").write_bytes(data[: len(data) // 2])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "这只是一个压缩包，不是Word文档。")
    (folder / "plainzip.docx").write_bytes(buf.getvalue())
    _with_doctype(docx, folder / "xxe.docx", b'<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"&xxe;")
    _with_doctype(docx, folder / "laughs.docx",
                  b'<!DOCTYPE w [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                  b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>', b"&d;")
    _rezip(docx, folder / "bomb.docx", extra={"word/media/pad.bin": bytes(30_000_000)})  # ~1000:1
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.4\n" + bytes((i * 31 + 7) % 256 for i in range(5000)))
    c = _pdf_canvas(folder / "locked.pdf", encrypt="secret-pw")
    c.drawString(100, 700, "budget report")
    c.showPage()
    c.save()
    c = _pdf_canvas(folder / "scanned.pdf")
    c.rect(100, 100, 300, 400, fill=1)  # a page that is all picture, no text layer
    c.showPage()
    c.save()
    line = "本单位年初预算数为一百万元，全年实际支出九十五万元，预算执行率为百分之九十五。\n"
    (folder / "huge.txt").write_text(line * (MAX_BYTES // len(line.encode()) + 100), encoding="utf-8")
    (folder / "notes.rtf").write_text(r"{\rtf1\ansi 预算说明}", encoding="utf-8")


HOSTILE_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>某局绩效自评报告</title>
<script>alert('pwned-by-script')</script></head><body>
<h1>某局2023年度部门整体支出绩效自评报告</h1>
<p>一、部门基本情况</p><p>本单位内设机构6个，编制人数32人。</p>
<p>二、预算执行情况</p><p>年初预算数为512.3万元，全年支出498.1万元，预算执行率为97.2%。</p>
<p><a href="javascript:alert('pwned-by-link')">点击查看附件</a></p>
<p>三、存在的问题</p><p>绩效目标设置不够细化，部分指标难以量化。</p>
<p>四、改进措施</p><p>细化绩效指标，提高目标的可衡量性。</p>
<img src="x" onerror="alert('pwned-by-img')">
</body></html>
"""


def _snapshot(*roots: Path) -> dict[str, tuple[int, float]]:
    out = {}
    for root in roots:
        for p in root.rglob("*"):
            if p.is_file():
                st = p.stat()
                out[str(p)] = (st.st_size, st.st_mtime)
    return out


def _nlp(args: list[str], tmp: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NLP_MAX_BYTES": str(MAX_BYTES), "TMPDIR": str(tmp), "TMP": str(tmp), "TEMP": str(tmp)}
    return subprocess.run([str(NLP), *args], capture_output=True, text=True, env=env, timeout=timeout)


def _rows(db: Path, docs: set[str]) -> dict[str, list[tuple]]:
    with Store(db) as st:
        return {t: sorted((r for r in st.table_rows(t, exclude=("elapsed_s",)) if r[0] in docs), key=repr)
                for t in TABLES}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("faults")
    folder, private_tmp = base / "in", base / "tmp"
    folder.mkdir()
    private_tmp.mkdir()
    for name, src in GOOD.items():
        shutil.copy(SAMPLE / src, folder / name)
    (folder / "good_e.html").write_text(HOSTILE_HTML, encoding="utf-8")
    good = {str(folder / n) for n in [*GOOD, "good_e.html"]}
    alone_db = base / "alone.duckdb"
    alone = _nlp(["triage", str(folder), "--db", str(alone_db), "--no-progress"], private_tmp)
    assert alone.returncode == 0, alone.stderr
    alone_jsonl = {}
    for cmd in ("sections", "facts"):
        run = _nlp([cmd, str(folder), "-o", str(base / f"alone_{cmd}.jsonl")], private_tmp)
        assert run.returncode == 0, run.stderr
        alone_jsonl[cmd] = (base / f"alone_{cmd}.jsonl").read_text(encoding="utf-8").splitlines()

    make_bad_files(folder)
    explicit = str(folder / EXPLICIT[0])
    out = base / "out"
    before = _snapshot(folder, private_tmp)
    db, report, csv = out / "t.duckdb", out / "triage.html", out / "triage.csv"
    tri = _nlp(["triage", str(folder), explicit, "--db", str(db), "--report", str(report), "--csv", str(csv),
                "--no-progress", "--jobs", "2"], private_tmp)
    runs = {cmd: _nlp([cmd, str(folder), explicit, "-o", str(out / f"{cmd}.jsonl")], private_tmp)
            for cmd in ("sections", "facts")}
    after = _snapshot(folder, private_tmp)
    return {"folder": folder, "good": good, "alone_db": alone_db, "alone_jsonl": alone_jsonl, "db": db,
            "report": report, "csv": csv, "triage": tri, "runs": runs, "before": before, "after": after,
            "out": out, "tmp": private_tmp}


def test_triage_exit_status_and_good_rows_unchanged(mixed: dict) -> None:
    tri = mixed["triage"]
    assert tri.returncode == 1, tri.stderr
    good = mixed["good"]
    with Store(mixed["db"]) as st:
        docs = {r[0] for r in st.con.execute("SELECT doc FROM documents").fetchall()}
    assert docs == good
    together, alone = _rows(mixed["db"], good), _rows(mixed["alone_db"], good)
    for table in TABLES:
        assert together[table] == alone[table], f"{table} rows of the good reports changed beside bad files"
    assert len(together["blocks"]) > 100 and len(together["figures"]) > 20 and together["facts"]


def test_every_bad_file_is_a_named_failure_of_its_kind(mixed: dict) -> None:
    with Store(mixed["db"]) as st:
        rows = st.con.execute("SELECT doc, error, exc_type, message FROM failures").fetchall()
    got = {Path(doc).name: (error, exc_type, message) for doc, error, exc_type, message in rows}
    expected = {**BAD, EXPLICIT[0]: EXPLICIT[1]}
    assert {n: e for n, (e, _, _) in got.items()} == expected
    for name, (_error, exc_type, message) in got.items():
        assert name in message and exc_type.endswith("Error"), (name, message)
        assert "(" in message and message.rstrip().endswith(")"), f"{name}: no advice in {message!r}"
    assert "encrypted" in got["locked.pdf"][2]
    assert "OCR" in got["scanned.pdf"][2]


def test_hostile_html_is_read_as_text_only(mixed: dict) -> None:
    with Store(mixed["db"]) as st:
        texts = [r[0] for r in st.con.execute("SELECT text FROM blocks WHERE doc LIKE '%good_e.html'").fetchall()]
    joined = "\n".join(texts)
    assert "预算执行率为97.2%" in joined and "点击查看附件" in joined
    assert "pwned" not in joined and "javascript" not in joined
    html = mixed["report"].read_text(encoding="utf-8")
    assert "pwned" not in html  # the script never reaches the report, escaped or not
    assert "<script>alert" not in html and 'href="javascript:' not in html.lower()


def test_nothing_written_outside_the_outputs(mixed: dict) -> None:
    assert mixed["before"] == mixed["after"], "inputs or the temporary folder changed"
    written = sorted(p.name for p in mixed["out"].iterdir())
    assert written == sorted(["t.duckdb", "triage.html", "triage.csv", "sections.jsonl", "facts.jsonl"])


@pytest.mark.parametrize("cmd", ["sections", "facts"])
def test_line_commands_name_each_bad_file_once(mixed: dict, cmd: str) -> None:
    run = mixed["runs"][cmd]
    assert run.returncode == 1, run.stderr
    lines = [s for s in run.stderr.splitlines() if s.strip()]
    bad = [*BAD, EXPLICIT[0]]
    for name in bad:
        assert sum(name in s for s in lines) == 1, f"{name} not named exactly once in:\n{run.stderr}"
    assert len(lines) == len(bad), run.stderr
    rows = (mixed["out"] / f"{cmd}.jsonl").read_text(encoding="utf-8").splitlines()
    assert rows == mixed["alone_jsonl"][cmd]  # good outputs complete and identical
    assert {json.loads(r)["doc"] for r in rows} == mixed["good"]


def test_file_timeout_stops_a_file_and_records_it(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE / GOOD["good_b.docx"], folder / "big.docx")
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    db = tmp_path / "t.duckdb"
    run = _nlp(["triage", str(folder), "--db", str(db), "--no-progress", "--file-timeout", "0.001"], private_tmp,
               timeout=120)
    assert run.returncode == 3, run.stderr  # the only file failed
    with Store(db) as st:
        rows = st.con.execute("SELECT doc, error, exc_type, message FROM failures").fetchall()
        assert st.counts()["documents"] == 0
    assert [(Path(d).name, e, t) for d, e, t, _m in rows] == [("big.docx", "timeout", "TimeBudgetExceededError")]
    assert "big.docx" in rows[0][3] and "--file-timeout" in rows[0][3]
