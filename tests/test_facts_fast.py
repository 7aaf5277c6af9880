"""The facts' fast paths give what the plain ones give: whitespace removal without a regex, the
cached nearest-pattern lookup, and department/year/grade reading on made-up reports."""
from __future__ import annotations

import re

from nlp.document import Document
from nlp.facts import (
    _MEASURE_RX,
    _NEAREST_LISTS,
    _SUBJECT_RX,
    _despace,
    _grade_mentions,
    _nearest,
    _nearest_of,
    find_department,
    find_year,
    flat_text,
)


def test_despace_removes_what_the_regex_removes() -> None:
    text = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    assert _despace(text) == re.sub(r"\s+", "", text)
    assert _despace(" 年初\u3000预算\t数 \n") == "年初预算数"


def test_nearest_cached_equals_the_scan() -> None:
    assert _NEAREST_LISTS["measure"] is _MEASURE_RX and _NEAREST_LISTS["subject"] is _SUBJECT_RX
    for text in ["年初预算数为", "其中：基本支出", "人员编制数", "本年支出合计", "", "项目支出预算执行率", "编制各"]:
        for which, rx_list in (("measure", _MEASURE_RX), ("subject", _SUBJECT_RX)):
            assert _nearest_of(which, text) == _nearest(rx_list, text)
    full = [x for x in _MEASURE_RX if x[2] >= 1.0]
    assert _nearest_of("measure_full", "全年预算数") == _nearest(full, "全年预算数")


def test_department_year_and_grade_on_a_made_up_report() -> None:
    lines = ["某某县水利局2023年度部门整体支出绩效自评报告", "", "一、 部门 基本 概况",
             "单位名称：某某县水利局", "经评价，综合评分93分，评价等级为“优秀”。", "某某县水利局"]
    doc = Document(doc="t.txt", lines=lines)
    name, info = find_department(doc)
    assert name == "某某县水利局" and info["n_candidates"] == 1
    year, _ = find_year(doc)
    assert year == 2023
    assert [g["value"] for g in _grade_mentions(doc)] == ["优秀"]
    assert flat_text(doc) == re.sub(r"\s+", "", doc.text)


def test_lines_with_a_character_equal_a_search_per_line() -> None:
    from nlp.facts import _GRADE_CUE, _lines_with

    lines = ["评价等级为优秀", "", "无关", "等次：良好", "年度", "定为", "\t级"]
    doc = Document(doc="t.txt", lines=lines)
    want = [i for i, ln in enumerate(lines) if _GRADE_CUE.search(ln)]
    assert _lines_with(doc, _GRADE_CUE) == want == [0, 3, 5, 6]
    odd = Document(doc="u.txt", lines=["等\n次", "无", "级"])  # a line holding a newline: searched one by one
    assert _lines_with(odd, _GRADE_CUE) == [0, 2]


def test_nearest_prefilter_changes_nothing() -> None:
    """The union look-ahead only rules out texts where no pattern matches."""
    from nlp.facts import _NEAREST_ANY, _first_chars

    assert all(rx is not None for rx in _NEAREST_ANY.values())  # every lexicon pattern has known first characters
    texts = ["年初预算数为", "其中：基本支出", "人员编制数", "", "无关的话", "与2022年相比", "（款）", "‘三公’经费",
             "调整后全年预算", "资金", "核定", "a", "较上年增加"]
    for which, rx_list in _NEAREST_LISTS.items():
        for text in texts:
            assert _nearest(rx_list, text, _NEAREST_ANY[which]) == _nearest(rx_list, text), (which, text)
    from re import _parser  # type: ignore[attr-defined]

    assert _first_chars(_parser.parse("(?:财政)?(?:预算)?拨款|收入")) == {"财", "预", "拨", "收"}
    assert _first_chars(_parser.parse("a?")) == {"a", ""}
    assert _first_chars(_parser.parse(r"\w+")) is None
    assert _first_chars(_parser.parse("(?i:ab)")) is None


def test_label_reading_is_shared_across_years() -> None:
    """A label's metric does not depend on the year once the year allows the label."""
    from nlp.facts import _label_metric, _read_label

    for label in ["支出总额 2022年决算数", "合计 年初预算数", "基本支出 决算数", "公车运行维护 预算数", "得分"]:
        assert _read_label(label, None) == _label_metric(label)
    assert _read_label("支出总额 2022年决算数", 2023) is None
    assert _read_label("支出总额 2022年决算数", 2022) == _label_metric("支出总额 2022年决算数") is not None


def test_a_second_reading_of_the_same_figures_is_kept_and_fresh() -> None:
    """The checks read the facts' figures again without a year: the kept reading is returned as new
    mention objects; a label of another year, or a changed figure, is read again."""
    from nlp.document import Figure
    from nlp.facts import read_mentions

    lines = ["某某局2023年度部门整体支出绩效自评报告", "\t支出总额", "\t905.00", "\t1012.40", "年初预算数为100万元。"]
    d = Document(doc="t.txt", lines=lines)
    figs = [Figure(block=0, line=3, start=1, end=7, text="905.00", value=9050000.0, unit="元", kind="amount",
                   label="支出总额 2022年决算数", in_table=True),
            Figure(block=0, line=4, start=1, end=8, text="1012.40", value=10124000.0, unit="元", kind="amount",
                   label="支出总额 2023年决算数", in_table=True),
            Figure(block=0, line=5, start=6, end=11, text="100万元", value=1000000.0, unit="元", kind="amount")]
    with_year = read_mentions(d, figs, 2023)
    assert [m.figure.text for m in with_year] == ["1012.40", "100万元"]
    cold = Document(doc="t.txt", lines=list(lines))
    no_year = read_mentions(d, figs)  # the 2022 column counts without a year: read again
    assert no_year == read_mentions(cold, figs) and len(no_year) == 3
    again = read_mentions(d, figs, 2023)
    assert again == with_year and all(a is not b for a, b in zip(again, with_year, strict=True))
    figs[2].label, figs[2].metric = "x", "budget_initial"
    assert read_mentions(d, figs, 2023) == read_mentions(Document(doc="t.txt", lines=list(lines)), figs, 2023)
    same_year_only = figs[1:]
    assert read_mentions(d, same_year_only, 2023) == read_mentions(d, same_year_only)


def test_grade_lines_without_a_grade_word_are_skipped_as_before() -> None:
    """Grade mentions need a grade word: spaced ones (一 般) still count."""
    lines = ["评价等级为一 般", "等级：优 秀", "评价工作等次安排", "绩效等级为“良好”等级", "评分说明"]
    doc = Document(doc="t.txt", lines=lines)
    from nlp.facts import _GRADE_AFTER_RX, _GRADE_RX

    want = [(m.group(1), i + 1) for i, ln in enumerate(lines) for t in [_despace(ln)]
            for m in [*_GRADE_RX.finditer(t), *_GRADE_AFTER_RX.finditer(t)]]
    assert [(g["value"], g["line"]) for g in _grade_mentions(doc)] == [(
        {"一般": "一般", "优秀": "优秀", "良好": "良好"}[v], n) for v, n in want]
    assert [n for _v, n in want] == [1, 2, 4, 4]
