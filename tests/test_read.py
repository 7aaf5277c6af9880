"""Readers: every format round-trips our own Chinese text line for line; every bad input fails
with the right error type naming the file."""
from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

import pytest

from nlp.errors import (
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
from nlp.read import SUPPORTED_SUFFIXES, Limits, from_text, iter_paths, read
from nlp.read.clean import clean_line, clean_lines, is_page_footer

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# Our own sentences (not taken from any real report).
LINES = [
    "某某县农业农村局2023年度部门整体支出绩效自评报告",
    "",
    "一、部门基本情况",
    "（一）部门职能：负责全县农业产业发展规划和农田水利建设。",
    "（二）机构设置：内设机构6个，编制人数32人，实有人数30人。",
    "",
    "二、预算执行情况",
    "全年预算数1,250.6万元，执行数1,198.3万元，预算执行率95.82%。",
    "三公经费支出3.2万元，较上年下降12%。",
    "",
    "",
    "三、存在的问题",
    "1. 部分项目绩效目标设置不够细化，量化指标偏少。",
    "四、改进措施",
    "下一步将加强预算绩效管理培训 and review the targets.",
]


def _expect_error(exc_type: type[NlpError], path: Path, limits: Limits | None = None) -> NlpError:
    with pytest.raises(exc_type) as info:
        read(path, limits=limits)
    assert path.name in str(info.value)
    assert info.value.reason
    return info.value


# ---------------------------------------------------------------- text files

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-be"])
def test_text_encodings_round_trip(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / f"report_{encoding}.txt"
    data = "\n".join(LINES).encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    p.write_bytes(data)
    d = read(p)
    assert d.lines == LINES
    assert d.format == "txt"
    assert d.doc == str(p)


def test_big5_text_is_decoded(tmp_path: Path) -> None:
    text = "臺北市政府年度施政績效報告\n預算執行率為百分之九十五，各項業務均依計畫推動。\n" * 5
    p = tmp_path / "tw.txt"
    p.write_bytes(text.encode("big5"))
    d = read(p)
    assert d.lines[0] == "臺北市政府年度施政績效報告"
    assert d.encoding in ("big5", "big5hkscs", "cp950")


@pytest.mark.parametrize("text", ["索引号：001-2023", "发布时间：2023-05-06", "单位：万元", "预算执行率"])
def test_short_gbk_snippets_are_not_read_as_big5(tmp_path: Path, text: str) -> None:
    p = tmp_path / "short.txt"
    p.write_bytes(text.encode("gbk"))
    assert read(p).lines == [text]


def test_utf16_without_bom(tmp_path: Path) -> None:
    p = tmp_path / "nobom.txt"
    p.write_bytes("\r\n".join(["Budget 2023 预算", "line two 第二行", "3"]).encode("utf-16-le"))
    assert read(p).lines == ["Budget 2023 预算", "line two 第二行", "3"]


def test_newlines_keep_editor_line_numbers(tmp_path: Path) -> None:
    p = tmp_path / "mixed.txt"
    # CRLF, lone CR and LF each end one line; a trailing newline leaves one empty last line.
    p.write_bytes("甲\r\n乙\r丙\n\n丁\n".encode())
    assert read(p).lines == ["甲", "乙", "丙", "", "丁", ""]


def test_a_few_broken_bytes_are_tolerated_with_a_warning(tmp_path: Path) -> None:
    p = tmp_path / "cut.txt"
    body = ("预算执行情况良好，资金使用规范。" * 40 + "\n") * 5
    p.write_bytes(body.encode("utf-8") + "结尾".encode()[:-1])  # cut inside the last character
    d = read(p)
    assert d.encoding == "utf-8"
    assert d.lines[0].startswith("预算执行情况良好")
    assert any("undecodable" in w for w in d.warnings)


def test_markdown_is_read_as_text(tmp_path: Path) -> None:
    p = tmp_path / "notes.md"
    p.write_text("# 绩效自评\n\n- 预算执行率 98%\n", encoding="utf-8")
    d = read(p)
    assert d.lines == ["# 绩效自评", "", "- 预算执行率 98%", ""]
    assert d.format == "md"


# ---------------------------------------------------------------- debris cleaning

def test_debris_cleaning_keeps_line_count(tmp_path: Path) -> None:
    src = [
        "[bookmark: _Toc101][bookmark: _GoBack]一、部门概况",
        "HYPERLINK \\l \"_Toc102\" 二、预算执行 PAGEREF _Toc102 \\h 3",
        'TOC \\o "1-3" \\h \\z \\u 目录',
        "- 3 -",
        "第 2 页 共 10 页",
        "\u3000\u3000预算执行率\u00a0为\u200b98%。\x07",
        "　",
        "21",
        "2019-2020年度",
    ]
    p = tmp_path / "debris.txt"
    p.write_text("\n".join(src), encoding="utf-8")
    d = read(p)
    assert len(d.lines) == len(src)
    assert d.lines == ["一、部门概况", "二、预算执行 3", "目录", "- 3 -", "第 2 页 共 10 页", "  预算执行率 为98%。", "",
                       "21", "2019-2020年度"]
    assert any("bookmark" in w for w in d.warnings)


def test_clean_line_leaves_plain_text_alone() -> None:
    for s in ["二、预算执行情况", "| 项目 | 金额 |", "a\tb", "收入合计 1,234.56 万元", "—— 附件"]:
        assert clean_line(s) == s
    lines, notes = clean_lines(["第3页", "[bookmark: _Toc1]", "正文"])
    assert lines == ["第3页", "[bookmark: _Toc1]", "正文"]  # debris alone on a line stays a line with text
    assert sorted(notes) == ["kept 2 debris only lines", "removed 1 bookmarks"]


def test_clean_lines_equal_clean_line_per_line() -> None:
    """clean_lines() skips clean_line() on lines without debris: the lines and notes must not change."""
    from collections import Counter

    pieces = ["[bookmark: _Toc9]", "[bookmark", "TOC \\o \"1-3\" \\h", "PAGEREF _Toc12 \\h", "\\* MERGEFORMAT",
              "TO", "C", "{", "}", " ", "\t", "\u3000", "\u200b", "\u00a0", "\x0b", "\x85", "\x01", "\x1c", "\x9f",
              "- 3 -", "第 3 页 共 10 页", "Page 2 of 9", "p. 4", "文字", "12", "。"]
    rng = random.Random(7)
    for _ in range(3000):
        lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(0, 5))]
        stats: Counter[str] = Counter()
        want = []
        for source in lines:
            cleaned = clean_line(source, stats)
            if not cleaned.strip() and source.strip():
                cleaned = source.strip().translate({c: None for c in [*range(9), *range(14, 32), *range(127, 133),
                                                                      *range(134, 160)]}) or source.strip()
                stats["debris_only_lines_kept"] += 1
                if is_page_footer(source):
                    stats["page_footers"] -= 1
            want.append(cleaned)
        got, notes = clean_lines(iter(lines))
        assert got == want
        assert notes == [f"{'kept' if w.endswith('_kept') else 'removed'} {n} "
                         f"{w.replace('_kept', '').replace('_', ' ')}" for w, n in sorted(stats.items()) if n > 0]


def test_from_text_cleans_the_same_way() -> None:
    d = from_text("[bookmark: _Toc9]标题\r\n正文\r\n", doc="mem")
    assert d.lines == ["标题", "正文", ""]
    assert d.doc == "mem"


# ---------------------------------------------------------------- bad text inputs

def test_empty_and_whitespace_only(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\u3000\n\t\n", encoding="utf-8")
    _expect_error(EmptyDocumentError, tmp_path / "empty.txt")
    _expect_error(EmptyDocumentError, tmp_path / "blank.txt")


def test_binary_inputs(tmp_path: Path) -> None:
    (tmp_path / "nul.txt").write_bytes(b"\x00\x00\x01\x00SQLite format\x00" + random.Random(7).randbytes(4000))
    (tmp_path / "zip.txt").write_bytes(b"PK\x03\x04" + bytes(100))
    (tmp_path / "ctl.txt").write_bytes(bytes(range(1, 32)) * 20)
    _expect_error(BinaryInputError, tmp_path / "nul.txt")
    assert "ZIP" in _expect_error(BinaryInputError, tmp_path / "zip.txt").reason
    _expect_error(BinaryInputError, tmp_path / "ctl.txt")


def test_undecodable_text(tmp_path: Path) -> None:
    p = tmp_path / "weird.txt"
    p.write_bytes(b"budget \xff\xfe\xff report \x80\xff line\n" * 20)
    _expect_error(EncodingError, p)


def test_missing_folder_and_unknown_suffix(tmp_path: Path) -> None:
    _expect_error(InputNotFoundError, tmp_path / "nowhere.txt")
    (tmp_path / "sheet.xlsx").write_bytes(b"x")
    _expect_error(UnsupportedFormatError, tmp_path / "sheet.xlsx")
    (tmp_path / "folder.txt").mkdir()
    _expect_error(UnsupportedFormatError, tmp_path / "folder.txt")


def test_size_limit_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "big.txt"
    p.write_text("预算执行情况\n" * 2000, encoding="utf-8")
    err = _expect_error(InputTooLargeError, p, Limits(max_bytes=1000))
    assert "1,000" in err.reason
    monkeypatch.setenv("NLP_MAX_BYTES", "2k")
    _expect_error(InputTooLargeError, p)
    monkeypatch.setenv("NLP_MAX_BYTES", "10MB")
    assert len(read(p).lines) == 2001
    assert read(p, limits={"max_bytes": 100_000}).lines[0] == "预算执行情况"


def test_doc_name_overrides_path_in_errors(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_bytes(b"")
    with pytest.raises(EmptyDocumentError) as info:
        read(tmp_path / "e.txt", doc="reports/e.txt")
    assert str(info.value).startswith("reports/e.txt: ")
    assert info.value.to_dict()["doc"] == "reports/e.txt"


# ---------------------------------------------------------------- iter_paths

def test_iter_paths_walks_sorted_skips_hidden_keeps_given(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for rel in ["b/2.txt", "b/1.docx", "a.pdf", "z.htm", "c.xlsx", ".hidden.txt", ".git/x.txt", "b/.tmp.md"]:
        (tmp_path / rel).write_text("x", encoding="utf-8")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in iter_paths([tmp_path])]
    assert found == ["a.pdf", "b/1.docx", "b/2.txt", "z.htm"]
    assert all(Path(p).suffix in SUPPORTED_SUFFIXES for p in found)
    given = str(tmp_path / "c.xlsx")
    assert list(iter_paths([given, "missing.txt"])) == [given, "missing.txt"]


# ---------------------------------------------------------------- docx

def _docx(path: Path, paragraphs: list[str], *, table: list[list[str]] | None = None,
          heading: str | None = None, bold: str | None = None) -> Path:
    import docx

    d = docx.Document()
    if heading:
        d.add_heading(heading, level=2)
    for s in paragraphs:
        d.add_paragraph(s)
    if bold:
        d.add_paragraph().add_run(bold).bold = True
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, val in enumerate(row):
                t.cell(r, c).text = val
        d.add_paragraph("表后说明：以上数据来自部门决算。")
    d.save(str(path))
    return path


def test_docx_from_txt_keeps_line_numbers(tmp_path: Path) -> None:
    p = _docx(tmp_path / "plain.docx", LINES)
    d = read(p)
    assert d.lines == LINES
    assert d.format == "docx"


def test_docx_table_heading_bold_and_merge(tmp_path: Path) -> None:
    import docx

    table = [["项目", "预算数", "执行数"], ["基本支出", "500.00", "498.20"], ["项目支出", "750.60", "700.10"]]
    p = _docx(tmp_path / "t.docx", ["正文第一段。"], table=table, heading="二、预算执行情况", bold="绩效指标完成情况")
    d = read(p)
    assert d.lines == ["二、预算执行情况", "正文第一段。", "绩效指标完成情况",
                       "| 项目 | 预算数 | 执行数 |", "| 基本支出 | 500.00 | 498.20 |", "| 项目支出 | 750.60 | 700.10 |",
                       "表后说明：以上数据来自部门决算。"]
    assert d.hints[1] == {"heading": 2}
    assert d.hints[3] == {"bold": True}
    assert d.hints[4] == {"table": 0, "row": 0} and d.hints[6] == {"table": 0, "row": 2}
    assert 2 not in d.hints and 7 not in d.hints

    # A horizontally merged cell appears once, a vertically merged one only in its first row.
    doc = docx.Document()
    t = doc.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "合计"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "支出"
    for r in (1, 2):
        t.cell(r, 1).text = f"类{r}"
        t.cell(r, 2).text = f"{r}0.5"
    doc.save(str(tmp_path / "m.docx"))
    assert read(tmp_path / "m.docx").lines == ["| 合计 |", "| 支出 | 类1 | 10.5 |", "|  | 类2 | 20.5 |"]


def test_docx_automatic_numbering_is_printed(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {ns} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>'
        '<w:suff w:val="nothing"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>'
        "</w:abstractNum>"))
    numbering.append(parse_xml(f'<w:num {ns} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    items = [("部门概况", 0), ("主要职能", 1), ("机构设置", 1), ("内设科室", 2), ("下属单位", 2), ("预算执行", 0),
             ("收入情况", 1)] + [(f"第{k}类", 1) for k in range(9)]
    for text, lvl in items:
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {ns}><w:ilvl w:val="{lvl}"/><w:numId w:val="90"/></w:numPr>'))
    d.save(str(tmp_path / "num.docx"))
    lines = read(tmp_path / "num.docx").lines
    assert lines[:7] == ["一、部门概况", "（一）主要职能", "（二）机构设置", "1. 内设科室", "2. 下属单位", "二、预算执行",
                         "（一）收入情况"]
    assert lines[-1] == "（十）第8类"


def _rezip(src: Path, dst: Path, replace: dict[str, bytes] | None = None, drop: set[str] | None = None,
           extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if drop and item.filename in drop:
                continue
            zout.writestr(item.filename, (replace or {}).get(item.filename, zin.read(item.filename)))
        for k, v in (extra or {}).items():
            zout.writestr(k, v)
    return dst


def test_bad_docx_inputs(tmp_path: Path) -> None:
    good = _docx(tmp_path / "good.docx", ["预算执行情况良好。"])
    data = good.read_bytes()
    (tmp_path / "truncated.docx").write_bytes(data[: len(data) // 2])
    _expect_error(CorruptDocumentError, tmp_path / "truncated.docx")

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "这只是一个压缩包")
    (tmp_path / "plainzip.docx").write_bytes(buf.getvalue())
    _expect_error(CorruptDocumentError, tmp_path / "plainzip.docx")

    (tmp_path / "notzip.docx").write_text("这不是Word文件", encoding="utf-8")
    _expect_error(CorruptDocumentError, tmp_path / "notzip.docx")
    (tmp_path / "legacy.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert "OLE" in _expect_error(CorruptDocumentError, tmp_path / "legacy.docx").reason

    _rezip(good, tmp_path / "nobody.docx", drop={"word/document.xml"})
    _expect_error(CorruptDocumentError, tmp_path / "nobody.docx")


def test_docx_with_entities_is_refused(tmp_path: Path) -> None:
    good = _docx(tmp_path / "good.docx", ["预算执行情况良好。"])
    with zipfile.ZipFile(good) as z:
        xml = z.read("word/document.xml")
    decl_end = xml.index(b"?>") + 2
    evil = (xml[:decl_end] + b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            + xml[decl_end:].replace("预算执行情况良好。".encode(), b"&b;"))
    _rezip(good, tmp_path / "laughs.docx", replace={"word/document.xml": evil})
    assert "DTD" in _expect_error(UnsafeInputError, tmp_path / "laughs.docx").reason


def test_docx_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    good = _docx(tmp_path / "good.docx", ["预算执行情况良好。"])
    bomb = _rezip(good, tmp_path / "bomb.docx", extra={"word/media/pad.bin": bytes(3_000_000)})
    assert bomb.stat().st_size < 100_000
    assert "zip bomb" in _expect_error(UnsafeInputError, bomb, Limits(max_docx_uncompressed=2_000_000)).reason
    assert "compressed" in _expect_error(UnsafeInputError, bomb, Limits(max_compression_ratio=50)).reason
    assert read(good, limits=Limits(max_compression_ratio=50, max_docx_uncompressed=2_000_000)).lines


# ---------------------------------------------------------------- pdf

def _pdf(path: Path, lines: list[str], *, table: list[list[str]] | None = None, footer: bool = True) -> Path:
    """One PDF line per source line, a new page when the next line would enter the bottom margin."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    margin, leading, page = 60, 16, 1
    y = height - margin
    c.setFont("STSong-Light", 11)
    for s in lines:
        if y < margin:
            if footer:
                c.drawCentredString(width / 2, 30, f"- {page} -")
            c.showPage()
            c.setFont("STSong-Light", 11)
            page, y = page + 1, height - margin
        c.drawString(50, y, s)
        y -= leading
    if table:
        y -= leading
        for row in table:
            y -= 20
            for k, cell in enumerate(row):
                c.rect(50 + 120 * k, y, 120, 20)
                c.drawString(55 + 120 * k, y + 6, cell)
    if footer:
        c.drawCentredString(width / 2, 30, f"- {page} -")
    c.showPage()
    c.save()
    return path


def test_pdf_lines_blank_lines_and_page_breaks(tmp_path: Path) -> None:
    # 75 lines over two pages; blank lines are only vertical gaps, also at a page's end and start.
    src = LINES * 5
    src[44:47] = ["", "", ""]
    d = read(_pdf(tmp_path / "r.pdf", src))
    assert d.format == "pdf"
    content = [s for s in d.lines if s.strip()]
    assert content == [s for s in src if s.strip()]
    # The page-number footers are dropped: they are not lines of the text.
    assert not any(s.startswith("- ") and s.endswith(" -") for s in d.lines)
    # Line numbers match the source for every non-empty line.
    assert [i for i, s in enumerate(d.lines) if s.strip()] == [i for i, s in enumerate(src) if s.strip()]


def test_pdf_running_header_is_dropped(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(tmp_path / "h.pdf"), pagesize=A4)
    for page in range(4):
        c.setFont("STSong-Light", 9)
        c.drawString(50, A4[1] - 30, "某某县财政局绩效评价报告（内部资料）")
        c.setFont("STSong-Light", 11)
        c.drawString(50, A4[1] - 80, f"第{page + 1}部分 正文内容。")
        c.drawString(50, 40, str(page + 1))
        c.showPage()
    c.save()
    d = read(tmp_path / "h.pdf")
    assert [s for s in d.lines if s] == [f"第{k}部分 正文内容。" for k in range(1, 5)]
    assert any("dropped" in w for w in d.warnings)


def test_pdf_table_rows_not_duplicated(tmp_path: Path) -> None:
    table = [["项目", "预算数", "执行数"], ["基本支出", "500.00", "498.20"]]
    d = read(_pdf(tmp_path / "t.pdf", LINES[:4], table=table))
    rows = [s for s in d.lines if s.startswith("|")]
    assert rows == ["| 项目 | 预算数 | 执行数 |", "| 基本支出 | 500.00 | 498.20 |"]
    assert sum("基本支出" in s for s in d.lines) == 1
    n = d.lines.index(rows[0]) + 1
    assert d.hints[n] == {"table": 0, "row": 0}


def test_bad_pdf_inputs(tmp_path: Path) -> None:
    (tmp_path / "garbage.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    _expect_error(CorruptDocumentError, tmp_path / "garbage.pdf")
    (tmp_path / "notpdf.pdf").write_text("只是文本", encoding="utf-8")
    _expect_error(CorruptDocumentError, tmp_path / "notpdf.pdf")

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "scan.pdf"), pagesize=A4)
    c.rect(100, 100, 300, 400, fill=1)  # an image-like page: drawing, no text
    c.showPage()
    c.save()
    err = _expect_error(EmptyDocumentError, tmp_path / "scan.pdf")
    assert "OCR" in str(err)

    c = canvas.Canvas(str(tmp_path / "locked.pdf"), pagesize=A4, encrypt="secret-pw")
    c.drawString(100, 700, "confidential budget")
    c.showPage()
    c.save()
    assert "encrypted" in _expect_error(CorruptDocumentError, tmp_path / "locked.pdf").reason


def test_pdf_glyphs_without_unicode_never_leak(tmp_path: Path) -> None:
    # reportlab encrypts the CID font's system-info strings too; pdfminer then cannot map the glyphs.
    from reportlab.lib import pdfencrypt
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    enc = pdfencrypt.StandardEncryption("", ownerPassword="owner-only", canPrint=0)
    c = canvas.Canvas(str(tmp_path / "owner.pdf"), encrypt=enc)
    c.setFont("STSong-Light", 12)
    c.drawString(100, 700, "预算执行率98%")
    c.showPage()
    c.save()
    try:
        lines = read(tmp_path / "owner.pdf").lines
    except EncodingError as exc:
        assert "owner.pdf" in str(exc)
    else:
        assert [s for s in lines if s] == ["预算执行率98%"]


def test_pdf_page_limit(tmp_path: Path) -> None:
    p = _pdf(tmp_path / "long.pdf", [f"第{i}行预算说明" for i in range(300)])
    _expect_error(InputTooLargeError, p, Limits(max_pdf_pages=5))


# ---------------------------------------------------------------- html

HTML = """<!DOCTYPE html>
<html><head><meta charset="gb2312"><title>站点标题</title>
<script>document.write('不应出现');</script><style>p {color: red}</style></head>
<body>
<nav><a href="/">首页</a> | <a href="/news">新闻</a></nav>
<div class="breadcrumb">当前位置：首页 &gt; 公开</div>
<header><p>某某县人民政府网站</p></header>
<div id="content">
<h1>某某县卫生健康局2023年度绩效自评报告</h1>
<p>一、部门概况&nbsp;本部门内设机构5个。</p>
<div>二、预算执行<br>全年预算数&amp;执行数见下表。</div>
<table><tr><th>项目</th><th>预算数</th></tr>
<tr><td>基本支出</td><td>320.5</td></tr>
<tr><td colspan="2">合计 320.5</td></tr></table>
<ul><li>问题一：绩效目标不细。</li><li>问题二：资金拨付慢。</li></ul>
<h3>三、改进措施</h3>
<pre>第一行
第二行</pre>
<div role="navigation">上一篇 下一篇</div>
<iframe src="http://example.com/x"></iframe>
<form><input value="搜索"></form>
<noscript>请启用脚本</noscript>
<p style="display:none">隐藏文字</p>
</div>
<footer>版权所有 某某县</footer>
</body></html>
"""


def test_html_blocks_tables_headings(tmp_path: Path) -> None:
    p = tmp_path / "page.html"
    p.write_bytes(HTML.encode("gb18030"))
    d = read(p)
    assert d.lines == [
        "某某县卫生健康局2023年度绩效自评报告",
        "一、部门概况 本部门内设机构5个。",
        "二、预算执行",
        "全年预算数&执行数见下表。",
        "| 项目 | 预算数 |",
        "| 基本支出 | 320.5 |",
        "| 合计 320.5 |",
        "问题一：绩效目标不细。",
        "问题二：资金拨付慢。",
        "三、改进措施",
        "第一行",
        "第二行",
    ]
    assert d.hints[1] == {"heading": 1} and d.hints[10] == {"heading": 3}
    assert d.hints[5] == {"table": 0, "row": 0} and d.hints[7] == {"table": 0, "row": 2}
    assert d.format == "html" and d.encoding == "gb18030"


def test_html_layout_tables_are_containers(tmp_path: Path) -> None:
    paras = "".join(f"<p>{s}</p>" for s in LINES if s)
    page = (
        "<html><body><table><tr><td><div class='top-nav'><a>首页</a><a>信息公开</a></div></td></tr>"
        f"<tr><td><table><tr><td><div id='zoom'>{paras}</div></td></tr></table></td></tr>"
        "<tr><td><table><tr><td>指标</td><td>目标值</td></tr><tr><td>满意度</td><td>≥90%</td></tr></table></td></tr>"
        "<tr><td><div class='footer'>主办单位：某某县人民政府</div></td></tr></table></body></html>"
    )
    p = tmp_path / "layout.html"
    p.write_text(page, encoding="utf-8")
    d = read(p)
    assert d.lines == [s for s in LINES if s] + ["| 指标 | 目标值 |", "| 满意度 | ≥90% |"]
    assert d.encoding == "utf-8"
    assert d.hints[len(d.lines)] == {"table": 0, "row": 1}


def test_html_without_charset_and_empty_page(tmp_path: Path) -> None:
    p = tmp_path / "x.htm"
    p.write_bytes("<html><body><p>预算执行率98%</p></body></html>".encode())
    assert read(p).lines == ["预算执行率98%"]
    e = tmp_path / "nav_only.html"
    e.write_text("<html><body><nav>首页 新闻</nav><script>var a=1;</script></body></html>", encoding="utf-8")
    _expect_error(EmptyDocumentError, e)


# ---------------------------------------------------------------- the shared sample reports

@pytest.mark.skipif(not SHARED.is_dir(), reason="/work/shared is not available")
def test_every_shared_report_reads_line_for_line() -> None:
    files = list(iter_paths([SHARED / "seeds", SHARED / "corpus"]))
    assert files
    for f in files:
        d = read(f)
        raw = Path(f).read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
        assert len(d.lines) == len(raw), f
        assert any(s.strip() for s in d.lines), f


@pytest.mark.skipif(not SHARED.is_dir(), reason="/work/shared is not available")
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_seed_reports_converted_keep_line_numbers(tmp_path: Path, fmt: str) -> None:
    """A seed report typed into a .docx (one paragraph per line) or a PDF (one line per line, blank
    lines as gaps, page-filling) reads back with every non-empty line at its source line number."""
    import re

    def content(lines: list[str]) -> list[tuple[int, str]]:
        # Tabs and glyphs missing from the STSong-Light font do not survive a PDF; compare the rest.
        out = [(i, re.sub(r"\s", "", s)) for i, s in enumerate(lines)]
        return [(i, s) for i, s in out if s]

    for src in sorted((SHARED / "seeds").glob("*.txt")):
        lines = read(src).lines
        target = tmp_path / f"{src.stem}.{fmt}"
        if fmt == "docx":
            import docx

            d = docx.Document()
            for s in lines:
                d.add_paragraph(s)
            d.save(str(target))
        else:
            _pdf(target, lines, footer=False)
        got = read(target).lines
        if fmt == "docx":
            assert got == lines, src.name
        else:
            # Glyphs the font lacks vanish, so compare positions of lines that have text on both sides.
            want = dict(content(lines))
            have = dict(content(got))
            shared_text = {i for i in want if i in have}
            assert len(shared_text) >= 0.97 * len(want), src.name
            assert all(want[i] == have[i] for i in shared_text), src.name
