"""Property-based fuzzing: arbitrary bytes and text never raise anything but our own errors.

The CI profile tries a bounded number of examples; ``make fuzz`` runs the long profile
(``HYPOTHESIS_PROFILE=long``), which tries thousands per property.
"""
from __future__ import annotations

import io
import os
import zipfile

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from nlp.document import Document
from nlp.errors import NlpError
from nlp.pipeline import Pipeline
from nlp.read import from_text, read

REPORT_LINES = [
    "某区水务局2024年度部门整体支出绩效自评报告",
    "一、部门基本情况",
    "本局编制人数15人，实有人数14人。",
    "二、预算执行情况",
    "年初预算数为420.50万元，全年实际支出401.20万元，预算执行率为95.41%。",
    "三、存在的问题",
    "一是预算编制不够精细；二是部分项目进度滞后。",
    "四、下一步改进措施",
    "进一步加强预算执行监控。",
]

# Unicode that real inputs throw at us: controls, RTL and zero-width marks, combining marks,
# lone surrogates, full-width forms, CJK and the report's own punctuation.
HOSTILE_CHARS = st.one_of(
    st.characters(),
    st.sampled_from(list("\u200b\u200e\u200f\u202e\ufeff\u3000\x00\x0b\x0c\x1c\x85\u2028\u2029\u0301\u20dd"
                         "一二三四五六七八九十百千万亿元％%（）()、，。；：0123456789０１２３４５６７８９.．,-—…|")),
    st.sampled_from(["\ud800", "\udfff"]),
)
hostile_text = st.text(alphabet=HOSTILE_CHARS, max_size=400)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


def _check_report(pipeline: Pipeline, document: Document) -> None:
    report = pipeline.process(document)
    covered = {ln for b in report.blocks for ln in range(b.line_start, b.line_end + 1)}
    nonempty = {i + 1 for i, line in enumerate(document.lines) if line.strip()}
    assert nonempty <= covered
    for fig in report.figures:
        assert 0 <= fig.start < fig.end <= len(document.lines[fig.line - 1])
    for st_ in report.statements:
        assert 1 <= st_.line <= len(document.lines)


@given(text=hostile_text)
@example(text="\ud800")  # a lone surrogate once crashed the section model's feature hasher
def test_any_text_through_every_stage(pipeline, text):
    _check_report(pipeline, from_text(text, doc="fuzz.txt"))


@given(noise=st.lists(hostile_text, min_size=1, max_size=6))
def test_valid_parts_still_come_out(pipeline, noise):
    lines = [*noise[:3], *REPORT_LINES, *noise[3:]]
    report = pipeline.process(from_text("\n".join(lines), doc="mixed.txt"))
    texts = {f.text for f in report.figures}
    assert "420.50万元" in texts and "95.41%" in texts


@given(data=st.binary(max_size=4000), suffix=st.sampled_from([".txt", ".md", ".html", ".docx", ".pdf"]))
def test_any_bytes_in_any_format(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(data)
    try:
        document = read(path)
    except NlpError as exc:
        assert path.name in str(exc)
        return
    assert isinstance(document, Document)


def _docx_with(document_xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        zf.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        zf.writestr("word/document.xml", document_xml)
    return buf.getvalue()


@given(body=st.binary(max_size=2000))
def test_mangled_docx_parts(tmp_path_factory, body):
    path = tmp_path_factory.mktemp("docx") / "mangled.docx"
    path.write_bytes(_docx_with(body))
    try:
        read(path)
    except NlpError as exc:
        assert "mangled.docx" in str(exc)


@given(data=st.binary(min_size=1, max_size=3000), cut=st.integers(min_value=1, max_value=3000))
def test_truncated_pdf(tmp_path_factory, data, cut):
    path = tmp_path_factory.mktemp("pdf") / "cut.pdf"
    path.write_bytes((b"%PDF-1.4\n" + data)[:cut])
    try:
        read(path)
    except NlpError as exc:
        assert "cut.pdf" in str(exc)


def test_a_100k_character_line(pipeline):
    line = ("预算执行率为95%，" * 12_500)[:100_000]
    report = pipeline.process(from_text("\n".join(["一、预算执行情况", line, "二、存在的问题", "无"]), doc="long.txt"))
    assert sum(f.line == 2 for f in report.figures) > 1000


@pytest.mark.slow
def test_a_flood_of_short_lines(pipeline):
    # a million lines under `make fuzz` (HYPOTHESIS_PROFILE=long); a tenth of that in CI
    n = 1_000_000 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 100_000
    lines = [f"{i % 97}、项目{i % 13}完成{i % 7}件" for i in range(n)]
    report = pipeline.process(from_text("\n".join(lines), doc="flood.txt"))
    assert report.blocks[-1].line_end == n


_TAGS = st.sampled_from(["<p>", "</p>", "<p></p>", "<br>", "<table><tr><td>", "</td><td>", "</td></tr></table>",
                         "<h2>", "</h2>", "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>",
                         "&amp;", "&nbsp;", "&#0;", "&#xD800;", "&lol;", '<!DOCTYPE x [<!ENTITY lol "lol">]>',
                         '<a href="javascript:alert(1)">', "</a>", "<div style='display:none'>", "</div>", "<"])


@given(parts=st.lists(st.one_of(_TAGS, hostile_text), max_size=40))
def test_tag_soup_html(tmp_path_factory, parts):
    """Any mix of tags, entities and text: our errors or lines, never script text or an expanded entity."""
    path = tmp_path_factory.mktemp("html") / "soup.html"
    # The script comes first: after the soup, an unclosed "<![CDATA[" (a bogus comment up to the next ">")
    # would eat its start tag, and a browser too would then show its text.
    path.write_text("<html><body><script>SECRET_SCRIPT</script>" + "".join(parts) + "</body></html>",
                    encoding="utf-8", errors="surrogatepass")
    try:
        document = read(path)
    except NlpError as exc:
        assert "soup.html" in str(exc)
        return
    assert not any("SECRET_SCRIPT" in line for line in document.lines)
