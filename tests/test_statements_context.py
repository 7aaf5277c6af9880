"""Statements: the context a candidate carries (headings above, a table's label cell, repeats), the
template debris dropped before scoring, and the document-grouped calibration of the confidence model.

Texts here are our own constructed sentences (no real report text).
"""
from __future__ import annotations

import numpy as np

from nlp.statements.extract import extract_candidates
from nlp.statements.split import INSTRUCTION, is_section_title


def test_form_instructions_are_not_statements(tagged_doc):
    assert INSTRUCTION.search("执行率低于85%的应单独说明原因（200字以内）")
    assert INSTRUCTION.search("完成率=实际完成数/计划数×100%")
    assert not INSTRUCTION.search("部分项目资金拨付进度偏慢，年底集中支付")
    assert INSTRUCTION.search("说明：日常公用经费填报基本支出中的商品和服务支出")
    assert INSTRUCTION.search("专项支出需要填报基本支出以外的全部支出")
    assert not INSTRUCTION.search("绩效自评表填报不规范，佐证材料不全")
    d, b = tagged_doc([
        ("偏差原因", "problems", "table_row", ["项目支出绩效自评表"]),
        ("1.执行率=执行数/全年预算数，执行率低于85%的应单独说明原因（200字以内）；2.其他资金指自筹资金。",
         "problems", "table_row", ["项目支出绩效自评表"]),
        ("偏差原因", "problems", "table_row", ["项目支出绩效自评表"]),
        ("因上级资金下达较晚，项目未能按期开工", "problems", "table_row", ["项目支出绩效自评表"]),
    ])
    cands, _ = extract_candidates(d, b)
    lines = {c.span.line for c in cands}
    assert 2 not in lines  # the note row gives nothing, not even its harmless-looking second item
    assert any(c.span.line == 4 and c.span.text.startswith("因上级资金下达较晚") for c in cands)


def test_a_cue_with_nothing_after_it_is_dropped(tagged_doc):
    d, b = tagged_doc([
        ("（三）存在的问题", "problems", "heading", ["三、自评结论"]),
        ("1、乡村道路养护覆盖率有待进一步提高。主要原因是", "problems", "list_item", ["（三）存在的问题"]),
    ])
    cands, _ = extract_candidates(d, b)
    got = [c.span.text for c in cands]
    assert any(t.startswith("乡村道路养护覆盖率有待进一步提高") for t in got), got
    assert not any(t.strip("。：:") in ("主要原因是", "原因是") for t in got), got


def test_intro_headings_are_section_titles_but_statements_are_not():
    assert is_section_title("针对上述问题，提出以下建议")
    assert is_section_title("针对问题提出具体的改进措施或建议")
    assert not is_section_title("加强预算执行管理的建议")
    assert not is_section_title("针对资金拨付慢的问题提出整改措施")


def test_candidates_carry_heading_table_label_and_repeat_context(tagged_doc):
    d, b = tagged_doc([
        ("五、存在的问题", "problems", "heading", []),
        ("部分项目绩效目标设置不够细化。", "problems", "paragraph", ["五、存在的问题"]),
        ("（一）主要工作内容", "problems", "heading", ["五、存在的问题"]),
        ("开展业务培训四期，完成档案整理工作。", "problems", "paragraph", ["五、存在的问题", "（一）主要工作内容"]),
        ("聘请专业机构开展年度审计。", "problems", "paragraph", ["五、存在的问题", "（一）主要工作内容"]),
        ("年度目标", "measures", "table_row", ["绩效自评表"]),
        ("做好日常运转保障", "measures", "table_row", ["绩效自评表"]),
        ("改进措施", "measures", "table_row", ["绩效自评表"]),
        ("加快项目资金支付进度", "measures", "table_row", ["绩效自评表"]),
        ("改进措施", "measures", "table_row", ["绩效自评表"]),
        ("加快项目资金支付进度", "measures", "table_row", ["绩效自评表"]),
    ])
    cands, _ = extract_candidates(d, b)
    by_line = {c.span.line: c for c in cands}
    assert by_line[2].heading_near == "problem" and by_line[2].heading_any == "problem"
    # under a heading that names no problems, inside a problems section
    assert by_line[5].heading_near is None and by_line[5].heading_any == "problem"
    assert by_line[7].cell_label == "other"  # its label cell says it is a goal
    assert by_line[9].cell_label == "measure"
    assert by_line[9].repeats == 1 and by_line[11].repeats == 1 and by_line[2].repeats == 0


def test_confidence_features_follow_the_context(tagged_doc):
    from nlp.statements.confidence import FEATURE_NAMES, features, matrix

    d, b = tagged_doc([
        ("改进措施", "measures", "table_row", ["绩效自评表"]),
        ("加快项目资金支付进度", "measures", "table_row", ["绩效自评表"]),
        ("年度目标", "measures", "table_row", ["绩效自评表"]),
        ("做好日常运转保障", "measures", "table_row", ["绩效自评表"]),
    ])
    cands, _ = extract_candidates(d, b)
    f = {c.span.line: features(c) for c in cands}
    assert f[2]["cell_label_same"] == 1.0 and f[2]["cell_label_other"] == 0.0
    assert f[4]["cell_label_same"] == 0.0 and f[4]["cell_label_other"] == 1.0
    assert all(len(row) == len(FEATURE_NAMES) for row in matrix(cands))


def test_calibration_folds_keep_each_document_whole():
    from nlp.statements.train import fit_confidence

    rng = np.random.default_rng(0)
    groups = np.repeat([f"d{i}" for i in range(10)], 20)
    X = rng.normal(size=(len(groups), 4))
    y = (X[:, 0] + 0.5 * rng.normal(size=len(groups)) > 0).astype(int)
    model = fit_confidence(X, y, groups)
    splits = model.cv
    assert len(splits) >= 2
    for tr, te in splits:
        assert not set(groups[tr]) & set(groups[te])
    p = model.predict_proba(X)[:, 1]
    assert ((p >= 0) & (p <= 1)).all()
    assert p[y == 1].mean() > p[y == 0].mean()


def test_a_flattened_table_row_is_no_statement_and_cell_bars_are_trimmed(tagged_doc):
    d, b = tagged_doc([
        ("（二）存在的问题", "problems", "heading", []),
        ("| 产出指标 | 数量指标 | 培训人次未达标 | ≥500 | 420 | 8 | 6 |", "problems", "table_row", ["（二）存在的问题"]),
        ("部分乡镇资金拨付进度偏慢 |", "problems", "paragraph", ["（二）存在的问题"]),
    ])
    cands, _ = extract_candidates(d, b)
    assert not any(c.span.line == 2 for c in cands)
    assert any(c.span.line == 3 and c.span.text == "部分乡镇资金拨付进度偏慢" for c in cands), [c.span.text for c in cands]


def test_a_table_label_cell_is_no_statement_but_a_short_cause_cell_is_kept(tagged_doc):
    d, b = tagged_doc([
        ("偏差原因分析", "problems", "table_row", ["项目支出绩效自评表"]),
        ("2.项目实施内容及过程概述", "problems", "table_row", ["项目支出绩效自评表"]),
        ("上级资金到位较晚，项目推迟开工", "problems", "table_row", ["项目支出绩效自评表"]),
        ("年度目标完成情况", "problems", "table_row", ["项目支出绩效自评表"]),
        ("配套资金紧张", "problems", "table_row", ["项目支出绩效自评表"]),
    ])
    cands, _ = extract_candidates(d, b)
    got = {c.span.line: c.span.text for c in cands}
    assert 2 not in got and 4 not in got, got
    assert got.get(3, "").startswith("上级资金到位较晚") and got.get(5) == "配套资金紧张", got


def test_hardship_of_the_people_helped_is_no_shortfall():
    from nlp.statements.split import PROBLEM_CUE_STRONG

    assert PROBLEM_CUE_STRONG.search("受上级资金下达较晚影响，项目推进困难")
    assert PROBLEM_CUE_STRONG.search("因财政资金困难，补助资金未能按时拨付")
    for text in ("为家庭经济困难学生发放助学金", "春节前走访慰问困难群众120户", "对生活确实困难的求助人给予临时救助"):
        assert not PROBLEM_CUE_STRONG.search(text), text
