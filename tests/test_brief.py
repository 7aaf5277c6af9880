"""The leadership brief: contract fields, order by reach, traceable citations, escaping, atomic writes."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nlp.brief import Brief, build_brief
from nlp.brief.render import SCRIPT, _script_hash, md_code, md_escape
from nlp.document import Document, Report, Statement, Theme

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SCORE = SHARED / "tools" / "score.py"

HOSTILE = [
    "<script>document.title='PWNED';document.body.setAttribute('data-pwned','1')</script>",
    "[点击查看](javascript:alert(1)) 资金拨付不及时",
    "<img src=x onerror=alert(1)> 绩效目标设置不够细化",
    '<a href="https://evil.example/x" onclick="alert(1)">链接</a> 部分项目进度滞后',
]

# Our own sentences (not from any real report): (doc, department, [(line text, type or None, boilerplate)]).
REPORTS = [
    ("a/甲局.txt", "甲县财政局", [
        ("2023年度部门整体支出绩效自评报告", None, 0.0),
        ("一、存在的问题", None, 0.0),
        ("（一）预算执行进度不均衡，下半年支出集中。", "problem", 0.7),
        ("（二）绩效目标设置不够细化，部分指标难以量化。", "problem", 0.8),
        ("二、改进措施", None, 0.0),
        ("（一）加强预算执行监控，按月通报支出进度。", "measure", 0.6),
    ]),
    ("b/乙局.txt", "乙县水利局", [
        ("项目支出绩效自评报告", None, 0.0),
        ("存在问题：项目资金到位较晚，预算执行进度偏慢。", "problem", 0.4),
        ("下一步：加强预算执行监控，督促项目单位加快支出进度。", "measure", 0.5),
    ]),
    ("c/丙局.txt", "丙县教育局", [
        ("部门整体支出绩效自评", None, 0.0),
        ("五、存在的问题及原因分析", None, 0.0),
        ("预算执行进度慢，年底突击支出。", "problem", 0.2),
        ("绩效目标不够细化量化。", "problem", 0.9),
        ("固定资产管理不规范，账实不符。", "problem", 0.1),
    ]),
    ("d/丁局.txt", "丁县档案馆", [
        ("整体支出绩效自评报告", None, 0.0),
        ("四、存在的问题", None, 0.0),
        ("无。", None, 0.0),
        ("五、下一步工作", None, 0.0),
        ("继续加强预算执行监控。", "measure", 0.9),
    ]),
]

THEME_OF = {  # which of our sentences say the same thing
    "预算执行进度": "execution", "年底突击": "execution", "绩效目标": "targets", "固定资产": "assets",
    "加强预算执行监控": "monitor",
}


def _key(text: str) -> str:
    return next((v for k, v in THEME_OF.items() if k in text), text)


def make_reports(extra: list[str] | None = None) -> list[Report]:
    reports = []
    for doc, dept, rows in REPORTS:
        lines = [r[0] for r in rows]
        stmts = []
        for i, (text, type_, bp) in enumerate(rows, 1):
            if type_:
                body = re.sub(r"^（[一二三四五]）|^存在问题：|^下一步：", "", text).rstrip("。")
                stmts.append(Statement(doc=doc, line=i, type=type_, text=body, boilerplate=bp,
                                       cluster=_key(body), theme=_key(body), confidence=0.9))
        report = Report(doc=doc, document=Document(doc=doc, lines=lines), department=dept, year=2023,
                        statements=stmts)
        if any(t == "无。" for t in lines):
            report.no_problems_stated = True
            report.no_problems_line = lines.index("无。") + 1
        reports.append(report)
    if extra:
        doc = "e/<img src=x onerror=alert(9)>.txt"
        lines = ["三、存在的问题", *extra]
        stmts = [Statement(doc=doc, line=i, type="problem", text=t, boilerplate=0.6, cluster=f"h{i}",
                           theme=f"h{i}") for i, t in enumerate(extra, 2)]
        reports.append(Report(doc=doc, document=Document(doc=doc, lines=lines), statements=stmts,
                              department="<script>alert('dept')</script>"))
    return reports


def themes_for(reports: list[Report]) -> dict[str, list[Theme]]:
    """Themes grouped by our own key, handed in so the tests do not depend on the theme builder."""
    out: dict[str, list[Theme]] = {}
    for type_ in ("problem", "measure"):
        groups: dict[str, list[Statement]] = {}
        for r in reports:
            for s in r.statements:
                if s.type == type_:
                    groups.setdefault(s.theme or s.text, []).append(s)
        out[type_] = [Theme(id=k, type=type_, title=k, summary=v[-1].text, statements=v,
                            reports=list(dict.fromkeys(s.doc for s in v)), keywords=[k])
                      for k, v in sorted(groups.items())]  # deliberately not by reach
    return out


@pytest.fixture
def brief() -> Brief:
    reports = make_reports()
    return build_brief(reports, themes=themes_for(reports), link=False)


def test_json_has_the_contract_fields(brief: Brief) -> None:
    d = json.loads(brief.to_json())
    assert d["reports"] == len(REPORTS)
    assert set(d) >= {"reports", "problems", "measures"}
    assert d["problems"] and d["measures"]
    for theme in d["problems"] + d["measures"]:
        assert {"theme", "summary", "reports", "statements", "boilerplate"} <= set(theme)
        assert isinstance(theme["theme"], str) and theme["theme"]
        assert 0.0 <= theme["boilerplate"] <= 1.0
        assert theme["reports"] == list(dict.fromkeys(s["doc"] for s in theme["statements"]))
        for s in theme["statements"]:
            assert set(s) >= {"doc", "line", "text"} and isinstance(s["line"], int)


def test_themes_are_ordered_by_reach(brief: Brief) -> None:
    d = brief.to_dict()
    for kind in ("problems", "measures"):
        reach = [len(t["reports"]) for t in d[kind]]
        assert reach == sorted(reach, reverse=True)
    # The execution theme is in three reports, the assets theme in one.
    assert d["problems"][0]["theme"] == "execution" and len(d["problems"][0]["reports"]) == 3
    assert d["problems"][-1]["theme"] == "assets"
    assert [t["theme"] for t in d["measures"]] == ["monitor"]


def test_max_themes_keeps_the_widest_and_counts_the_rest() -> None:
    reports = make_reports()
    b = build_brief(reports, themes=themes_for(reports), link=False, max_themes=1)
    d = b.to_dict()
    assert [t["theme"] for t in d["problems"]] == ["execution"]
    assert d["omitted_themes"]["problems"] == 2


def test_every_cited_statement_is_at_its_line(brief: Brief) -> None:
    docs = {r.doc: r.document for r in make_reports()}
    d = brief.to_dict()
    cited = [s for k in ("problems", "measures") for t in d[k] for s in t["statements"]]
    assert len(cited) == sum(1 for r in make_reports() for _ in r.statements)
    for s in cited:
        assert s["text"] in docs[s["doc"]].line(s["line"])
    for r in d["no_problems_stated"]:
        assert docs[r["doc"]].line(r["line"]) == r["text"] == "无。"
    for r in d["boilerplate_reports"]:
        for s in r["examples"]:
            assert s["text"] in docs[s["doc"]].line(s["line"])


def test_summary_sentences_come_from_statements_and_counts(brief: Brief) -> None:
    pattern = re.compile(r"^(\d+) 份报告提(?:到此类问题|出此类措施)（(\d+) 条表述）；代表性表述：「(.+)」（(.+):(\d+)）。$")
    for theme in brief.problems + brief.measures:
        m = pattern.match(theme.summary)
        assert m, theme.summary
        n, count, text, name, line = m.groups()
        assert int(n) == theme.reach and int(count) == len(theme.statements)
        cited = [s for s in theme.statements
                 if s.text == text or (text.endswith("…") and s.text.startswith(text[:-1]))]
        assert cited, f"quoted text is not one of the theme's statements: {text}"
        assert any(Path(s.doc).name == name and s.line == int(line) for s in cited)


def test_long_statements_are_quoted_by_their_opening_words() -> None:
    text = "预算编制不够科学，" * 40
    doc = "长.txt"
    st = Statement(doc=doc, line=1, type="problem", text=text)
    report = Report(doc=doc, document=Document(doc=doc, lines=[text]), statements=[st])
    theme = Theme(id="t", type="problem", title="预算编制", summary=text, statements=[st], reports=[doc])
    b = build_brief([report], themes={"problem": [theme], "measure": []}, link=False)
    summary = b.to_dict()["problems"][0]["summary"]
    quote = re.search(r"「(.+)」", summary).group(1)
    assert quote.endswith("…") and text.startswith(quote[:-1]) and len(quote) < len(text)
    assert b.to_dict()["problems"][0]["statements"][0]["text"] == text  # the JSON keeps it whole
    assert text in b.to_html()  # whole in the hover title, clipped in the list


def test_report_lists(brief: Brief) -> None:
    d = brief.to_dict()
    assert [r["doc"] for r in d["no_problems_stated"]] == ["d/丁局.txt"]
    assert d["no_problems_stated"][0]["line"] == 3
    heavy = d["boilerplate_reports"]
    shares = [r["boilerplate_share"] for r in heavy]
    assert shares == sorted(shares, reverse=True) and shares[0] == 1.0
    assert heavy[0]["doc"] == "a/甲局.txt"  # both its problems score >= 0.5
    # 甲 1.0, 乙 0.0, 丙 1/3 -> mean over the reports that state problems
    assert d["boilerplate_share"] == pytest.approx((1.0 + 0.0 + 1 / 3) / 3, abs=1e-4)


def test_unlinked_reports_are_linked_first() -> None:
    pytest.importorskip("nlp.statements")
    reports = make_reports()
    for r in reports:
        for st in r.statements:
            st.cluster, st.theme = "", None
    b = build_brief(reports)  # as nlp.summarise(reports) straight after the pipeline
    assert all(st.cluster for r in reports for st in r.statements)
    cited = {(s.doc, s.line) for t in b.problems + b.measures for s in t.statements}
    assert cited == {(st.doc, st.line) for r in reports for st in r.statements}  # max_themes not reached


def test_no_reports_gives_an_empty_brief(tmp_path: Path) -> None:
    b = build_brief([])
    assert b.to_dict()["reports"] == 0 and b.to_dict()["problems"] == []
    for suffix in (".json", ".md", ".html"):
        b.write(tmp_path / f"brief{suffix}")
        assert (tmp_path / f"brief{suffix}").stat().st_size > 0


def test_html_renders_hostile_text_as_text() -> None:
    import lxml.html

    reports = make_reports(HOSTILE)
    page = build_brief(reports, themes=themes_for(reports), link=False).to_html()
    tree = lxml.html.document_fromstring(page)
    scripts = tree.xpath("//script")
    assert len(scripts) == 1 and scripts[0].text == SCRIPT  # only ours
    assert not tree.xpath("//img") and not tree.xpath("//*[@onerror or @onclick]")
    assert not tree.xpath("//*[@src]")
    hrefs = tree.xpath("//@href")
    assert hrefs and all(h.startswith("#") for h in hrefs)
    text = tree.text_content()
    for hostile in HOSTILE:
        assert hostile in text  # shown literally
    assert "<script>alert('dept')</script>" in text  # its department, in the boilerplate table
    assert "<img src=x onerror=alert(9)>.txt" in text  # its file name
    csp = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp and f"'{_script_hash(SCRIPT)}'" in csp
    assert "http" not in csp


def test_markdown_renders_hostile_text_as_text() -> None:
    from markdown_it import MarkdownIt

    reports = make_reports(HOSTILE)
    md = build_brief(reports, themes=themes_for(reports), link=False).to_markdown()
    rendered = MarkdownIt("commonmark", {"html": True}).render(md)  # raw HTML allowed, as GitHub does
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered
    assert "javascript:" not in re.findall(r'href="([^"]*)"', rendered)
    assert "[点击查看](javascript:alert(1))" in _unescape_html(rendered)
    assert "<img src=x onerror=alert(1)>" in _unescape_html(rendered)


def _unescape_html(text: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", text))


@pytest.mark.parametrize("text", [
    "1. 不是列表", "- 不是列表", "# 不是标题", "> 不是引用", "*强调* _强调_ `代码`", "a | b", "= 下划线",
    "![图](x.png)", "\\[x\\]", "&lt;b&gt;",
])
def test_md_escape_is_literal(text: str) -> None:
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": True}).render(md_escape(text))
    assert rendered.startswith("<p>") and rendered.count("<") == 2  # one paragraph, nothing else
    assert _unescape_html(rendered).strip() == text


@pytest.mark.parametrize("text", ["a.txt:3", "a`b.txt", "``x", "<b>&amp;</b> [x](y)", "` x `"])
def test_md_code_is_literal(text: str) -> None:
    import html

    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": True}).render(md_code(text))
    m = re.fullmatch(r"<p><code>(.*)</code></p>\n", rendered)
    assert m and html.unescape(m.group(1)) == text


def test_write_chooses_the_format_by_suffix(brief: Brief, tmp_path: Path) -> None:
    brief.write(tmp_path / "b.json")
    brief.write(tmp_path / "b.md")
    brief.write(tmp_path / "b.html")
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["reports"] == len(REPORTS)
    assert (tmp_path / "b.md").read_text(encoding="utf-8").startswith("# ")
    assert (tmp_path / "b.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(ValueError, match="unknown brief format"):
        brief.write(tmp_path / "b.pdf")
    assert not (tmp_path / "b.pdf").exists()


def test_write_dash_is_json_on_stdout(brief: Brief, capsys: pytest.CaptureFixture[str]) -> None:
    brief.write("-")
    assert json.loads(capsys.readouterr().out) == brief.to_dict()


def test_write_is_atomic(brief: Brief, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nlp.output

    target = tmp_path / "brief.html"
    brief.write(target)
    before = target.read_bytes()

    class Boom(RuntimeError):
        pass

    real = nlp.output.atomic_writer

    def half_writer(path: object, *a: object, **k: object):  # writes a little, then fails
        import contextlib

        @contextlib.contextmanager
        def cm():
            with real(path, *a, **k) as fh:
                class Half:
                    def write(self, text: str) -> None:
                        fh.write(text[:10])
                        raise Boom("disk full")
                yield Half()
        return cm()

    monkeypatch.setattr(nlp.output, "atomic_writer", half_writer)
    with pytest.raises(Boom):
        brief.write(target)
    with pytest.raises(Boom):
        brief.write(tmp_path / "new.md")
    assert target.read_bytes() == before
    assert not (tmp_path / "new.md").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.html"]  # no temp files left


@pytest.mark.skipif(not SCORE.is_file(), reason="../shared/tools/score.py is not beside this checkout")
def test_score_brief_finds_every_citation(brief: Brief, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    for r in make_reports():
        path = docs / r.doc
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(r.document.lines) + "\n", encoding="utf-8")
    brief.write(tmp_path / "brief.json")
    out = subprocess.run([sys.executable, str(SCORE), "brief", "--docs", str(docs),
                          "--brief", str(tmp_path / "brief.json")], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["traceable"] == 1.0 and result["cited"] > 0


def _contained(text: str, window: str) -> float:
    """Share of the text's character bigrams found in the window (statements may drop a word)."""
    grams = {text[i: i + 2] for i in range(len(text) - 1)}
    return sum(1 for g in grams if g in window) / len(grams) if grams else 0.0


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds is not beside this checkout")
def test_brief_of_the_seed_reports_is_traceable(tmp_path: Path) -> None:
    pytest.importorskip("nlp.statements")
    import nlp
    from nlp.pipeline import link_reports

    pipe = nlp.load(stages=("structure", "sections", "statements"))
    files = sorted((SHARED / "seeds").glob("*.txt"))
    reports = [pipe(f) for f in files]
    link_reports(reports)
    b = nlp.summarise(reports)
    d = b.to_dict()
    assert d["reports"] == len(files)
    texts = {Path(r.doc).name: r.document for r in reports}
    for kind in ("problems", "measures"):
        reach = [len(t["reports"]) for t in d[kind]]
        assert reach == sorted(reach, reverse=True)
        for t in d[kind]:
            for s in t["statements"]:
                doc = texts[Path(s["doc"]).name]
                window = "".join(doc.lines[s["line"] - 1: s["line"] + 2])
                assert _contained(s["text"], window) >= 0.8, (s, window)
    if SCORE.is_file():
        b.write(tmp_path / "brief.json")
        out = subprocess.run([sys.executable, str(SCORE), "brief", "--docs", str(SHARED / "seeds"),
                              "--brief", str(tmp_path / "brief.json")], capture_output=True, text=True,
                             check=True)
        assert json.loads(out.stdout.strip().splitlines()[-1])["traceable"] == 1.0
