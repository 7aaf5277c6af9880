"""Statements: where one sentence holds several problems or measures, and where its commas only
continue one thought. Every text here is our own invented sentence (no real report text)."""
from __future__ import annotations

from nlp.statements.extract import extract_candidates
from nlp.statements.split import (
    Span,
    split_measure_clauses,
    split_measure_list,
    split_problem_clauses,
    strip_example_lead,
    strip_trailing_trigger,
)


def _span(text: str, line: int = 1) -> Span:
    return Span(text, [line] * len(text))


def _texts(spans: list[Span]) -> list[str]:
    return [s.text for s in spans]




# --- problems ---------------------------------------------------------------------------------

def test_listed_causes_split_where_each_clause_has_its_own_subject():
    s = _span("项目目标与单位职能衔接不够紧密，考核细则未充分覆盖日常业务，部分指标存在“重数量、轻质量”倾向，难以反映实际成效")
    got = _texts(split_problem_clauses(s, causes=True))
    assert got == ["项目目标与单位职能衔接不够紧密", "考核细则未充分覆盖日常业务",
                   "部分指标存在“重数量、轻质量”倾向，难以反映实际成效"]


def test_a_problem_and_its_detail_stay_one_outside_a_list_of_causes():
    # the labelling guide's own shape: a problem, then which part of it ("部分…较慢")
    s = _span("年度资金拨付进度不够均衡，部分乡镇项目支出进度较慢")
    assert _texts(split_problem_clauses(s)) == [s.text]


def test_parallel_clauses_split_anywhere():
    s = _span("未建立统一的设备台账管理制度，未将维护保养情况纳入年度考核范围")
    assert _texts(split_problem_clauses(s)) == ["未建立统一的设备台账管理制度", "未将维护保养情况纳入年度考核范围"]


def test_a_new_problem_after_tongshi_splits_and_also_continues():
    s = _span("但截至年底验收手续仍未办理，也未能完成竣工结算，同时配套道路仍在施工中，整体进度明显滞后")
    assert _texts(split_problem_clauses(s)) == ["但截至年底验收手续仍未办理，也未能完成竣工结算",
                                               "配套道路仍在施工中，整体进度明显滞后"]


def test_consequences_examples_and_causes_never_split():
    for text in (
        "仓储管理人员专业能力不足，导致部分物资账实不符的情况时有发生",
        "资产登记手续不够规范，如部分办公设备未贴标签、未录入系统等",
        "因上级补助资金下达较晚，部分工程款项未能在年内支付完毕",
        "财政资金紧张，年度预算执行无法全部到位",
    ):
        assert _texts(split_problem_clauses(_span(text), causes=True)) == [text], text


def test_a_merged_heading_stays_with_the_first_problem():
    s = _span("管护机制不健全。未建立村级管护队伍，未落实日常巡查经费")
    head_end = s.text.find("。") + 1
    assert _texts(split_problem_clauses(s, head_end)) == ["管护机制不健全。未建立村级管护队伍", "未落实日常巡查经费"]


def test_cause_heading_splits_a_problem_line_in_the_pipeline(tagged_doc):
    d, b = tagged_doc([
        ("（二）原因分析", "problems", "heading", ["一、问题与原因"]),
        ("一是保障能力不足。专职统计人员配备不足，基层台账数据的采集、核对机制不完善，难以支撑量化分析。",
         "problems", "list_item", ["一、问题与原因", "（二）原因分析"]),
        ("（三）存在的问题及原因分析", "problems", "heading", ["二、绩效情况"]),
        ("一是保障能力不足。专职统计人员配备不足，基层台账数据的采集、核对机制不完善，难以支撑量化分析。",
         "problems", "list_item", ["二、绩效情况", "（三）存在的问题及原因分析"]),
    ])
    cands, _ = extract_candidates(d, b)
    line2 = [c.span.text for c in cands if c.span.line == 2 and c.type == "problem"]
    line4 = [c.span.text for c in cands if c.span.line == 4 and c.type == "problem"]
    assert line2 == ["保障能力不足。专职统计人员配备不足", "基层台账数据的采集、核对机制不完善，难以支撑量化分析"]
    assert len(line4) == 1  # under a heading that names problems too, a problem and its detail stay one
    assert all(c.split == "clause" for c in cands if c.span.line == 2)


def test_a_consequence_sentence_joins_the_problem_before_it(tagged_doc):
    d, b = tagged_doc([
        ("三、存在的问题", "problems", "heading", []),
        ("2.考核指标缺失。未建立长效评估框架；导致评估结果只反映当年工作量。", "problems", "list_item", ["三、存在的问题"]),
    ])
    cands, _ = extract_candidates(d, b)
    got = [c.span.text for c in cands if c.type == "problem"]
    assert not any(t.startswith("导致") for t in got), got
    assert any("导致评估结果" in t for t in got), got


def test_causes_listed_after_shou_are_problems_and_the_heading_stays_one(tagged_doc):
    d, b = tagged_doc([
        ("三、存在的问题", "problems", "heading", []),
        ("二是专项资金支付进度偏慢。支付进度主要受配套资金到位偏晚、工程招标周期较长、部分村组用地手续未办结的现象。",
         "problems", "list_item", ["三、存在的问题"]),
    ])
    cands, _ = extract_candidates(d, b)
    got = [c.span.text for c in cands if c.type == "problem"]
    assert got[0] == "专项资金支付进度偏慢"
    assert {"配套资金到位偏晚", "工程招标周期较长", "部分村组用地手续未办结"} <= set(got)


def test_a_cause_named_without_a_shortfall_is_not_a_problem(tagged_doc):
    d, b = tagged_doc([
        ("三、存在的问题", "problems", "heading", []),
        ("二是工期有所延后。主要受雨季施工条件、地质情况等因素的影响。", "problems", "list_item", ["三、存在的问题"]),
    ])
    cands, _ = extract_candidates(d, b)
    got = [c.span.text for c in cands if c.type == "problem"]
    assert "雨季施工条件" not in got and "地质情况" not in got


def test_a_trailing_cause_cue_is_cut_from_the_deviation_it_follows():
    assert strip_trailing_trigger(_span("全年预算调整幅度较大，主要原因是：")).text == "全年预算调整幅度较大"
    assert strip_trailing_trigger(_span("主要原因是")) is None
    s = _span("原因是设备到货延迟")
    assert strip_trailing_trigger(s) is s


# --- measures ---------------------------------------------------------------------------------

def test_a_goal_clause_stays_with_its_measure():
    s = _span("细化季度用款计划，提高预算编制的准确性，完善项目库动态管理机制")
    assert _texts(split_measure_clauses(s)) == ["细化季度用款计划，提高预算编制的准确性", "完善项目库动态管理机制"]


def test_parallel_jiang_clauses_are_measures_of_their_own():
    s = _span("将“场馆服务”细化为“开放天数”“接待人次”等指标，将“设备维护”拆解为“完好率”“维修时效”等指标")
    assert _texts(split_measure_clauses(s)) == ["将“场馆服务”细化为“开放天数”“接待人次”等指标",
                                               "将“设备维护”拆解为“完好率”“维修时效”等指标"]


def test_each_recommendation_of_an_audit_is_a_measure():
    s = _span("县审计局下达审计决定，建议县文体局限期完成整改，同时建议县文体局规范场馆租赁收费，加强资产日常管理")
    assert _texts(split_measure_clauses(s)) == ["县审计局下达审计决定", "建议县文体局限期完成整改",
                                               "建议县文体局规范场馆租赁收费", "加强资产日常管理"]


def test_an_audit_reports_advice_heading_is_a_section_title():
    from nlp.statements.split import is_section_title

    assert is_section_title("三、审计处理意见和建议")
    assert is_section_title("审计建议")
    assert not is_section_title("审计发现县文体局场馆租赁收入未及时上缴")


def test_short_verb_measures_joined_by_dunhao_split():
    assert _texts(split_measure_list(_span("加强业务培训、加大督查力度、完善考核办法"))) == [
        "加强业务培训", "加大督查力度", "完善考核办法"]
    assert split_measure_list(_span("加强设备、车辆、物资管理")) is None  # objects of one verb
    assert split_measure_list(_span("进一步加强项目管理")) is None


def test_a_preface_clause_stays_with_the_measure_it_introduces():
    s = _span("按照厉行节约的要求，压减公务接待支出，规范车辆运行费用管理")
    assert _texts(split_measure_clauses(s)) == ["按照厉行节约的要求，压减公务接待支出", "规范车辆运行费用管理"]
    # only the clause right before the cut is a preface: later clauses still split
    s = _span("在资产管理方面，完善资产台账，加强出租出借审批，规范处置程序")
    assert _texts(split_measure_clauses(s)) == ["在资产管理方面，完善资产台账", "加强出租出借审批", "规范处置程序"]


def test_an_enumerated_item_of_two_action_clauses_is_one_measure(tagged_doc):
    d, b = tagged_doc([
        ("四、下一步改进措施", "measures", "heading", []),
        ("一是加强与主管部门的沟通，加快项目资金拨付。", "measures", "list_item", ["四、下一步改进措施"]),
        ("二是完善资产清查制度，加强报废审批，规范处置收入上缴。", "measures", "list_item", ["四、下一步改进措施"]),
        ("三是完善考核办法，同时建议主管部门加大督导力度。", "measures", "list_item", ["四、下一步改进措施"]),
    ])
    cands, _ = extract_candidates(d, b)
    by_line = {ln: [c.span.text for c in cands if c.span.line == ln] for ln in (2, 3, 4)}
    assert by_line[2] == ["加强与主管部门的沟通，加快项目资金拨付"]
    assert by_line[3] == ["完善资产清查制度", "加强报废审批", "规范处置收入上缴"]  # three or more: a list
    assert by_line[4] == ["完善考核办法", "建议主管部门加大督导力度"]  # a recommendation stands alone


def test_a_purpose_clause_before_work_done_is_not_a_measure(tagged_doc):
    d, b = tagged_doc([
        ("三、改进措施", "measures", "heading", []),
        ("为规范专项资金使用，提高管理水平，我站已制定《专项资金管理办法》。", "measures", "paragraph", ["三、改进措施"]),
        ("为提高资金效益，下一步将建立项目绩效跟踪台账。", "measures", "paragraph", ["三、改进措施"]),
    ])
    cands, _ = extract_candidates(d, b)
    assert not [c for c in cands if c.span.line == 2]
    assert [c.span.line for c in cands if c.type == "measure"] == [3]


def test_a_heading_that_names_a_kind_of_content_is_not_a_statement(tagged_doc):
    d, b = tagged_doc([
        ("资金节约保障措施", "measures", "heading", []),
        ("进一步完善采购审批，严格控制会议支出，压减一般性支出。", "measures", "paragraph", ["资金节约保障措施"]),
        ("加强绩效运行监控", "measures", "heading", []),
        ("按月比对项目进度与支出进度，偏差较大的及时预警。", "measures", "paragraph", ["加强绩效运行监控"]),
    ])
    cands, _ = extract_candidates(d, b)
    got = [c.span.text for c in cands if c.type == "measure"]
    assert not any("保障措施" in t for t in got), got
    assert {"进一步完善采购审批", "严格控制会议支出", "压减一般性支出"} <= set(got)
    assert "加强绩效运行监控" in got  # a heading that opens with an action is still a measure


def test_an_example_lead_word_is_dropped():
    assert strip_example_lead(_span("例如，将巡查频次提高到每周两次")).text == "将巡查频次提高到每周两次"
    s = _span("如期完成全部整改任务")
    assert strip_example_lead(s) is s


# --- confidence -------------------------------------------------------------------------------

def test_the_second_stage_calibration_is_monotone_and_bounded():
    import numpy as np

    from nlp.statements.confidence import recalibrate, recalibration
    from nlp.statements.train import fit_recalibration

    scores = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.9, 0.95, 0.97])
    ab = fit_recalibration(scores, np.array([0, 0, 1, 0, 1, 1, 1, 1]))
    assert ab[0] > 0  # higher scores were right more often: the map rises
    out = recalibrate(np.linspace(0.0, 1.0, 21), ab)
    assert np.all(np.diff(out) >= 0) and out.min() > 0.0 and out.max() < 1.0
    shipped = recalibration()  # the shipped model's (None only without a model folder)
    if shipped is not None:
        got = recalibrate(np.array([0.2, 0.5, 0.8]), shipped)
        assert np.all(np.diff(got) > 0)


def test_the_wording_model_reads_the_statement_and_its_type():
    from nlp.statements.confidence import load_wording_model, wording

    class _C:  # the two attributes wording() reads
        def __init__(self, text: str, typ: str) -> None:
            self.type = typ
            self.span = type("S", (), {"text": text})()

    assert wording(_C("预算编制不够精细", "problem")) == "P|预算编制不够精细"
    assert wording(_C("加强预算执行监控", "measure")) == "M|加强预算执行监控"
    shipped = load_wording_model()
    if shipped is not None:
        model, weight = shipped
        assert 0.0 < weight <= 1.0
        p = model.predict_proba(["P|项目资金支付进度滞后，部分资金未及时拨付", "P|全年共召开会议十二次"])[:, 1]
        assert p[0] > p[1]  # a shortfall reads as a problem, a count of meetings does not


def test_a_heading_above_gives_candidates_only_where_the_tagger_allows_it(tagged_doc):
    rows = [
        ("五、评价结论及建议", "indicators", "heading", []),
        ("（一）评价结论", "indicators", "heading", ["五、评价结论及建议"]),
        ("一是资金监管到位，做到专款专用；二是加强内部控制建设。", "indicators", "list_item",
         ["五、评价结论及建议", "（一）评价结论"]),
    ]
    d, b = tagged_doc(rows)
    b[2].scores = {"indicators": 0.9, "measures": 0.05}
    cands, _ = extract_candidates(d, b)
    assert not [c for c in cands if c.span.line == 3]  # the tagger put the block elsewhere, and firmly
    b[2].scores = {"indicators": 0.55, "measures": 0.4}
    cands, _ = extract_candidates(d, b)
    got = [(c.type, c.source) for c in cands if c.span.line == 3]
    assert got and all(g == ("measure", "heading_path") for g in got)


def test_a_cue_word_inside_a_list_of_nouns_opens_no_section():
    from nlp.statements.extract import _heading_cues

    assert _heading_cues("受理群众来信、来访、建议和网上投诉共计3000余件") == []
    assert _heading_cues("收集意见、建议等方面的反馈") == []
    assert _heading_cues("3、建议：加快项目验收") == [(2, 5, "measure")]  # numbered: a heading
    assert _heading_cues("二、存在的问题：验收滞后")[0][2] == "problem"


def test_a_list_of_problems_closed_by_a_count_is_split():
    from nlp.statements.split import split_inline_list

    s = _span("审计发现，该站存在设备台账登记不全、维修费用超标准列支、备用金长期未清理等3个方面问题")
    assert _texts(split_inline_list(s, "problem")) == ["设备台账登记不全", "维修费用超标准列支", "备用金长期未清理"]
    s = _span("检查组提出规范台账登记、压减维修费用等两项建议")
    assert _texts(split_inline_list(s, "measure")) == ["规范台账登记", "压减维修费用"]


def test_an_audits_advice_lists_its_measures_after_the_addressee():
    got = split_measure_list(_span("审计建议该站健全备用金审批程序、盘活闲置检测设备、清理长期挂账款项"))
    assert _texts(got) == ["健全备用金审批程序", "盘活闲置检测设备", "清理长期挂账款项"]
    assert split_measure_list(_span("建议该站加强设备、车辆、物资管理")) is None  # objects of one verb


def test_a_sentence_listing_problems_gives_no_measure_of_its_own(tagged_doc):
    d, b = tagged_doc([
        ("二、审计发现的问题及整改情况", "measures", "heading", []),
        ("审计发现，该站存在备用金长期未清理、检测设备闲置等2个方面问题；审计建议该站健全备用金审批程序、盘活闲置检测设备。",
         "measures", "paragraph", ["二、审计发现的问题及整改情况"]),
    ])
    cands, _ = extract_candidates(d, b)
    assert sorted(c.span.text for c in cands if c.type == "problem") == ["备用金长期未清理", "检测设备闲置"]
    assert [c.span.text for c in cands if c.type == "measure"] == ["健全备用金审批程序", "盘活闲置检测设备"]
