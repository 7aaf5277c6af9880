"""The figures' fast paths give what the plain ones give: the confidence model's direct arithmetic
against scikit-learn's pipeline, on made-up lines covering prose, tables, ranges and comparators."""
from __future__ import annotations

import pytest

from nlp.document import Document
from nlp.figures import FigureExtractor
from nlp.figures.confidence import _NUMERIC, figure_features
from nlp.figures.extract import Extractor
from nlp.structure import parse

LINES = [
    "某某局2023年度部门整体支出绩效自评报告",
    "一、部门基本情况",
    "本部门核定编制25人，实有人数23人。",
    "年初预算数为570.79万元，全年预算数612.5万元，全年执行数598.02万元，预算执行率97.64%。",
    "其中：基本支出420.3万元，项目支出177.72万元。“三公”经费支出3.2万元。",
    "满意度不低于95%，完成率90%-95%，受理一百二十件，接待群众300人次。",
    "单位：万元",
    "项目 | 年初预算数 | 全年预算数 | 全年执行数 | 执行率 | 得分",
    "合计 | 570.79 | 612.50 | 598.02 | 97.64% | 9.8",
    "\t指标值\t实际完成值\t分值\t得分",
    "\t≥95%\t96%\t10\t10",
    "自评得分93.5分，评价等次为优秀。",
]


def test_numeric_names_follow_figure_features() -> None:
    doc = Document(doc="t.txt", lines=LINES)
    f = Extractor().extract(doc, parse(doc))[0]
    names = [k for k in figure_features(f, LINES[f.line - 1]) if "=" not in k]
    assert tuple(names) == _NUMERIC


def test_direct_confidence_equals_the_pipeline() -> None:
    ext = FigureExtractor.load()
    model = ext.confidence_model
    if model is None:
        pytest.skip("no shipped figures model")
    doc = Document(doc="t.txt", lines=LINES)
    figures = Extractor().extract(doc, parse(doc))
    assert len(figures) >= 15
    fast = model.predict_proba_figures(doc, [], figures)
    X = [figure_features(f, LINES[f.line - 1]) for f in figures]
    slow = model.classifier_.predict_proba(model.vectorizer_.transform(X))[:, 1]
    assert fast == pytest.approx([float(p) for p in slow], abs=1e-12)


def test_short_line_cache_is_not_changed_by_a_next_line_unit() -> None:
    from nlp.figures.extract import _SHORT_LINE, _short_line_mentions

    line = "本年度部门项目支出实际决算数额合计60.99"
    assert 20 < len(line) <= _SHORT_LINE
    doc = Document(doc="t.txt", lines=[line, "万元，比上年有所增加。"])
    for _ in range(2):  # the second run reads the line from the cache
        figs = [f for f in Extractor().extract(doc, parse(doc)) if f.line == 1]
        assert [(f.value, f.unit, f.pattern) for f in figs] == [(609900, "元", "next_line")]
    assert _short_line_mentions(line)[-1].unit is None  # the cached reading is the line's own


def test_line_reading_equals_the_grammar() -> None:
    from nlp.figures.extract import _line_mentions
    from nlp.figures.grammar import parse_figures

    for line in [*LINES, "\t100.00", "\t≥95%", "合计 | 12 | 13", "三个", ""]:
        for _ in range(2):
            assert _line_mentions(line) == parse_figures(line, bare=True)


def test_a_line_in_two_blocks_belongs_to_the_first() -> None:
    from nlp.document import Block

    lines = ["年初预算数为10万元。", "全年支出9万元。", "执行率90%。"]
    doc = Document(doc="t.txt", lines=lines)
    blocks = [Block(index=0, kind="paragraph", line_start=1, line_end=2, text=""),
              Block(index=1, kind="paragraph", line_start=2, line_end=3, text="")]
    got = {f.line: f.block for f in Extractor().extract(doc, blocks)}
    assert got == {1: 0, 2: 0, 3: 1}


def test_look_behind_prechecks_equal_the_patterns() -> None:
    """The grammar tries its look-behinds only where the character before the number allows a
    match: the same answers as searching everywhere, spaces and newlines included."""
    from nlp.figures.grammar import (
        _CMP_BEFORE,
        _NAME_AFTER,
        _NAME_FIRST,
        _REF_BEFORE,
        _cmp_before,
        _ref_before,
    )

    texts = ["第 3", "编号12", "表\t4", "No.5", "NO 6", "a7", "_8", "电话\n9", "为10", "≥ 11", "不低于\u300012",
             "约13", "将近\n14", "超过15", "达16", "是17", "（18", "19", "  20", "x 21", "传真22", "附件23"]
    for t in texts:
        s = next(i for i, c in enumerate(t) if c.isdigit())
        for lo in range(s + 1):
            assert _ref_before(t, lo, s) == (_REF_BEFORE.search(t, lo, s) is not None), (t, lo)
            got, want = _cmp_before(t, lo, s), _CMP_BEFORE.search(t, lo, s)
            assert (got and got.span()) == (want and want.span()), (t, lo)
    for t in ["3年", "3 月", "5\u3000号", "7届", "8大于", "9办理", "10办", "11路", "12元", "13 人", "14世纪", "15"]:
        e = next(i for i, c in enumerate(t) if not c.isdigit()) if not t.isdigit() else len(t)
        fast = e < len(t) and t[e] in _NAME_FIRST and _NAME_AFTER.match(t, e) is not None
        assert fast == (_NAME_AFTER.match(t, e) is not None), t


def test_chinese_numerals_without_a_counter_are_skipped_as_before() -> None:
    """A Chinese numeral followed by nothing a unit can start with is no figure (the suffix test is
    skipped there); one with a counter, a scale or spaces before its unit still is."""
    from nlp.figures.grammar import parse_figures

    assert parse_figures("统一规划，进一步加强，一是") == []
    got = [(m.value, m.unit) for m in parse_figures("受理一百二十件，培训三 次，两万元")]
    assert got == [(120.0, "件"), (3.0, "次"), (20000.0, "元")]


def test_scans_start_at_the_first_numeral() -> None:
    """The token scan starts three characters before the first numeral (百分之 opens a token) and
    the mask scan four before the first digit (a bracket and spaces open a mask)."""
    from nlp.figures.grammar import _MASK_ALL, _masked, parse_figures

    got = [(m.start, m.text, m.value, m.unit) for m in parse_figures("达到百分之五十，百分之九十五")]
    assert got == [(0, "达到百分之五十", 50.0, "%"), (8, "百分之九十五", 95.0, "%")]
    for line in ["（  2023）12号文", "文号〔2023〕5号", "见( 3 )条", "电话 023-12345678", "2023年5月", "无数字"]:
        assert _masked(line) == [m.span() for m in _MASK_ALL.finditer(line)], line


def test_suffix_skipped_only_where_it_would_match_empty() -> None:
    """Where the character after a number starts no suffix, the suffix pattern matches empty."""
    from nlp.figures.grammar import _SUFFIX, _SUFFIX_ANY

    text = "".join(chr(c) for c in range(0x20, 0x3100)) + "万元以上左右/亩余多亿"
    for e in range(len(text) + 1):
        if e == len(text) or text[e] not in _SUFFIX_ANY:
            m = _SUFFIX.match(text, e)
            assert m is not None and m.end() == e and not any(m.groups()), e
