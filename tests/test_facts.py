"""Facts: department, fiscal year and canonical metrics chosen among competing mentions.

Choosing logic runs on hand-built figure lists over our own short texts (no real report text);
the gold-based test reads /work/shared at run time and skips when it is absent.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from nlp.document import Document, Figure
from nlp.facts import (
    FactConfidence,
    HeuristicConfidence,
    extract_facts,
    feature_vector,
    find_department,
    find_year,
    load_facts_model,
    normalise_department,
)

SHARED = Path(__file__).parents[1].parent / "shared"
REPO = Path(__file__).parents[1]


def doc(*lines: str) -> Document:
    return Document(doc="t.txt", lines=list(lines))


def fig(d: Document, line: int, text: str, value: float, unit: str | None, kind: str, *,
        nth: int = 0, metric: str | None = None, in_table: bool = False, label: str | None = None,
        comparator: str | None = None, confidence: float = 0.9) -> Figure:
    """A figure at the nth occurrence of ``text`` on a line of ``d``."""
    src = d.lines[line - 1]
    start = -1
    for _ in range(nth + 1):
        start = src.index(text, start + 1)
    return Figure(block=0, line=line, start=start, end=start + len(text), text=text, value=value, unit=unit,
                  kind=kind, metric=metric, in_table=in_table, label=label, comparator=comparator,
                  confidence=confidence)


def facts_of(d: Document, figures: list[Figure]):
    return extract_facts(d, [], figures, model=HeuristicConfidence())


# ------------------------------------------------------------------------------ choosing
def test_summary_sentence_beats_table_cell():
    d = doc("某某县园林局2023年度部门整体支出绩效自评报告",
            "2023年度本局实际支出合计412.30万元，其中基本支出300.10万元、项目支出112.20万元。",
            "\t全年执行数",
            "\t412.03")
    figs = [fig(d, 2, "412.30万元", 4123000, "元", "amount"),
            fig(d, 2, "300.10万元", 3001000, "元", "amount"),
            fig(d, 2, "112.20万元", 1122000, "元", "amount"),
            fig(d, 4, "412.03", 4120300, "元", "amount", metric="expenditure_total", in_table=True,
                label="年度资金总额 全年执行数")]
    found = facts_of(d, figs)
    assert found.facts["expenditure_total"].value == 4123000
    assert found.facts["expenditure_total"].line == 2
    assert found.facts["basic_expenditure"].value == 3001000
    assert found.facts["project_expenditure"].value == 1122000
    beaten = found.facts["expenditure_total"].alternatives
    assert any(a["line"] == 4 and a["value"] == 4120300 for a in beaten)


def test_table_cell_used_when_no_sentence_states_it():
    d = doc("\t年初预算数", "\t全年预算数", "\t全年执行数", "\t年度资金总额", "\t88.00", "\t90.50", "\t90.10")
    figs = [fig(d, 5, "88.00", 880000, "元", "amount", in_table=True, label="年度资金总额 年初预算数"),
            fig(d, 6, "90.50", 905000, "元", "amount", in_table=True, label="年度资金总额 全年预算数"),
            fig(d, 7, "90.10", 901000, "元", "amount", in_table=True, label="年度资金总额 全年执行数")]
    found = facts_of(d, figs)
    assert found.facts["budget_initial"].value == 880000
    assert found.facts["budget_adjusted"].value == 905000
    assert found.facts["expenditure_total"].value == 901000


def test_overall_execution_rate_beats_project_rate():
    d = doc("全年预算数为120.00万元，全年实际支出110.40万元，预算执行率为92.00%。",
            "其中项目支出预算执行率为75.50%，基本支出预算执行率为99.10%。")
    figs = [fig(d, 1, "120.00万元", 1200000, "元", "amount"), fig(d, 1, "110.40万元", 1104000, "元", "amount"),
            fig(d, 1, "92.00%", 92.0, "%", "percent"),
            fig(d, 2, "75.50%", 75.5, "%", "percent"), fig(d, 2, "99.10%", 99.1, "%", "percent")]
    found = facts_of(d, figs)
    assert found.facts["execution_rate"].value == 92.0
    assert found.facts["budget_adjusted"].value == 1200000
    assert "budget_initial" not in found.facts


def test_only_a_project_rate_gives_no_overall_rate():
    d = doc("本年度项目支出预算执行率为75.50%。")
    found = facts_of(d, [fig(d, 1, "75.50%", 75.5, "%", "percent")])
    assert "execution_rate" not in found.facts


def test_main_self_score_beats_indicator_scores_and_bands():
    d = doc("该指标权重分值为20分，自评得分18分。",
            "评分标准：得分≥90分为优秀，80≤得分＜90分为良好。",
            "经综合评价，本部门整体支出绩效自评综合得分为88.50分，评价等次为“良”。")
    figs = [fig(d, 1, "20分", 20, "分", "score"), fig(d, 1, "18分", 18, "分", "score"),
            fig(d, 2, "≥90分", 90, "分", "score", comparator=">="), fig(d, 2, "＜90分", 90, "分", "score", comparator="<"),
            fig(d, 3, "88.50分", 88.5, "分", "score")]
    found = facts_of(d, figs)
    assert found.facts["self_score"].value == 88.5
    assert found.facts["self_score"].line == 3
    assert found.facts["grade"].value == "良好"


@pytest.mark.parametrize(("text", "grade"), [
    ("绩效评价等次为“优秀”。", "优秀"), ("自评等级：优", "优秀"), ("评价结果为良好。", "良好"),
    ("综合评定等级为“中”。", "中"), ("评价结果为差。", "差"),
])
def test_grade_normalised(text: str, grade: str):
    found = facts_of(doc(text), [])
    assert found.facts["grade"].value == grade


def test_good_results_are_no_grade():
    found = facts_of(doc("工作取得了良好成效，群众满意度较高。"), [])
    assert "grade" not in found.facts


def test_budget_adjusted_only_when_the_text_says_so():
    d = doc("本单位年初预算数为300.00万元，调整后全年预算数为320.50万元。",
            "下达预算资金150.00万元用于设备购置。")
    figs = [fig(d, 1, "300.00万元", 3000000, "元", "amount"), fig(d, 1, "320.50万元", 3205000, "元", "amount"),
            fig(d, 2, "150.00万元", 1500000, "元", "amount")]
    found = facts_of(d, figs)
    assert found.facts["budget_initial"].value == 3000000
    assert found.facts["budget_adjusted"].value == 3205000


def test_part_budget_is_not_the_budget():
    d = doc("基本支出年初预算数为80.00万元，项目支出年初预算数为20.00万元。")
    figs = [fig(d, 1, "80.00万元", 800000, "元", "amount"), fig(d, 1, "20.00万元", 200000, "元", "amount")]
    found = facts_of(d, figs)
    assert "budget_initial" not in found.facts
    assert "basic_expenditure" not in found.facts  # a budget of basic spending is not its actual


def test_staff_from_authorised_and_actual_headcount():
    d = doc("本单位编制人数12人，实有人数10人，其中行政编制6名。", "下设独立编制机构1个。")
    figs = [fig(d, 1, "12人", 12, "人", "count"), fig(d, 1, "10人", 10, "人", "count"),
            fig(d, 1, "6名", 6, "名", "count"), fig(d, 2, "1个", 1, "个", "count")]
    found = facts_of(d, figs)
    assert found.facts["staff_authorized"].value == 12
    assert found.facts["staff_actual"].value == 10


def test_staff_by_type_is_summed():
    d = doc("本局行政编制5名，实有人数5名。工勤编制数2名，实有2名。事业编制7名，实有人数6名。")
    figs = [fig(d, 1, "5名", 5, "名", "count"), fig(d, 1, "5名", 5, "名", "count", nth=1),
            fig(d, 1, "2名", 2, "名", "count"), fig(d, 1, "2名", 2, "名", "count", nth=1),
            fig(d, 1, "7名", 7, "名", "count"), fig(d, 1, "6名", 6, "名", "count")]
    found = facts_of(d, figs)
    assert found.facts["staff_authorized"].value == 14
    assert found.facts["staff_actual"].value == 13


def test_other_year_column_is_ignored():
    d = doc("某某局2023年度部门整体支出绩效自评报告", "\t支出总额", "\t905.00", "\t1012.40")
    figs = [fig(d, 3, "905.00", 9050000, "元", "amount", in_table=True, label="支出总额 2022年决算数"),
            fig(d, 4, "1012.40", 10124000, "元", "amount", in_table=True, label="支出总额 2023年决算数")]
    found = facts_of(d, figs)
    assert found.facts["expenditure_total"].value == 10124000


def test_personnel_and_public_funds():
    d = doc("2023年基本支出500.00万元，主要为人员经费支出和公用经费支出，其中人员经费支出420.00万元、公用经费支出80.00万元。")
    figs = [fig(d, 1, "500.00万元", 5000000, "元", "amount"), fig(d, 1, "420.00万元", 4200000, "元", "amount"),
            fig(d, 1, "80.00万元", 800000, "元", "amount")]
    found = facts_of(d, figs)
    assert found.facts["basic_expenditure"].value == 5000000
    assert found.facts["personnel_expenditure"].value == 4200000
    assert found.facts["public_expenditure"].value == 800000
    assert found.facts["public_expenditure"].text.endswith("80.00万元")


def test_three_public_total_not_its_parts():
    d = doc("“三公”经费支出决算为1.20万元，其中公务接待费支出决算0.70万元，公务用车运行维护费支出0.50万元。")
    figs = [fig(d, 1, "1.20万元", 12000, "元", "amount"), fig(d, 1, "0.70万元", 7000, "元", "amount"),
            fig(d, 1, "0.50万元", 5000, "元", "amount")]
    found = facts_of(d, figs)
    assert found.facts["three_public_expenditure"].value == 12000
    assert "expenditure_total" not in found.facts


def test_a_unit_slip_loses_to_the_plain_mention():
    d = doc("该项目年初预算数300元，其中中央资金200万元、县级资金100万元。", "\t年初预算数", "\t300.00",
            "本项目实际支出280.00万元，执行率93.33%。")
    figs = [fig(d, 1, "300元", 300, "元", "amount"), fig(d, 1, "200万元", 2000000, "元", "amount"),
            fig(d, 1, "100万元", 1000000, "元", "amount"),
            fig(d, 3, "300.00", 3000000, "元", "amount", in_table=True, label="年度资金总额 年初预算数"),
            fig(d, 4, "280.00万元", 2800000, "元", "amount"), fig(d, 4, "93.33%", 93.33, "%", "percent")]
    found = facts_of(d, figs)
    assert found.facts["budget_initial"].value == 3000000


def test_wrapped_line_carries_its_qualifier():
    d = doc("本部门项目支出总额500.00万元。其中，本", "级项目支出300.00万元，对下转移支付200.00万元。")
    figs = [fig(d, 1, "500.00万元", 5000000, "元", "amount"), fig(d, 2, "300.00万元", 3000000, "元", "amount"),
            fig(d, 2, "200.00万元", 2000000, "元", "amount")]
    found = facts_of(d, figs)
    assert found.facts["project_expenditure"].value == 5000000
    assert all(a["value"] != 3000000 or a["why"].startswith("a part") for a in found.facts["project_expenditure"].alternatives)


# ------------------------------------------------------------------------- department, year
def test_department_from_title_line():
    d = doc("关于印发绩效自评结果的通知", "某某市某某区园林绿化局2023年度部门整体支出绩效自评报告", "一、基本情况")
    name, info = find_department(d)
    assert name == "某某市某某区园林绿化局"
    assert info["best_source"] == "title"


def test_department_from_unit_name_field_with_seal_and_spaces():
    d = doc("部门整体支出绩效自评报告", "（2022 年度）", "部门单位名称（公章）：某某县  水务局", "填报时间：2023 年 4 月 1 日")
    name, _ = find_department(d)
    assert name == "某某县水务局"


def test_department_from_separate_org_line_above_title():
    d = doc("", "某某区信访局", "部门整体支出绩效自评报告", "一、部门基本情况")
    name, _ = find_department(d)
    assert name == "某某区信访局"


def test_department_from_flattened_table_field():
    d = doc("部门机构设置情况", "\t单位名称", "\t单位性质", "", "\t某某市某某区档案馆", "\t事业")
    name, _ = find_department(d)
    assert name == "某某市某某区档案馆"


@pytest.mark.parametrize("name", ["个旧市园林局", "和平区档案馆", "本溪县水务局", "项城市商务局"])
def test_place_names_keep_their_first_character(name: str):
    assert find_department(doc(f"{name}2023年度部门整体支出绩效自评报告"))[0] == name


def test_two_names_run_together_keep_the_unit():
    d = doc("发布机构：某某市财政局某某市水利局", "某某市水利局2018年度部门整体支出绩效自评报告")
    assert find_department(d)[0] == "某某市水利局"


def test_normalise_department():
    assert normalise_department(" 某某县 农业农村局（公章） ") == "某某县农业农村局"
    assert normalise_department("某某区信访局部门") == "某某区信访局"


def test_year_is_the_year_evaluated_not_the_writing_date():
    d = doc("某某局2023年度部门整体支出绩效自评报告", "报告日期：2024年3月5日", "2024年工作打算")
    year, info = find_year(d)
    assert year == 2023
    assert info["title"] == 1.0


def test_year_from_bracketed_title_line():
    assert find_year(doc("部门整体支出绩效自评报告", "(2022 年度)", "填报时间：2023 年 4 月 15 日"))[0] == 2022


def test_year_from_body_when_title_has_none():
    d = doc("绩效自评报告", "2021年度，本单位共完成项目5个。", "2021年度预算执行良好。", "发布时间：2022年6月1日")
    assert find_year(d)[0] == 2021


def test_no_department_or_year_in_plain_text():
    d = doc("本文没有单位名称。", "也没有年份。")
    assert find_department(d)[0] is None
    assert find_year(d)[0] is None


# ------------------------------------------------------------------------------ the model
def test_shipped_model_loads_and_is_a_probability():
    model = load_facts_model()
    meta = json.loads((REPO / "models" / "facts" / "meta.json").read_text(encoding="utf-8"))
    assert isinstance(model, FactConfidence)
    assert meta["schema_version"] == 1 and meta["classes"] == [0, 1]
    assert meta["cross_validated"]["grouping"] == "document"
    feats = {"score": 2.0, "margin": 1.5, "n_mentions": 3, "n_values": 1, "support": 1.0, "in_table": 0.0,
             "from_text": 1.0, "exact": 1.0, "qualified": 0.0, "fig_conf": 0.9}
    p = model.confidence("expenditure_total", feats)
    assert 0.0 <= p <= 1.0
    assert len(feature_vector("grade", feats)) == len(meta["features"])


def test_fact_confidence_follows_sklearn_conventions():
    import numpy as np

    X = np.array([feature_vector("year", {"score": s, "support": s}) for s in (0, 0, 0, 1, 1, 1, 1, 1)])
    y = np.array([0, 0, 1, 1, 1, 1, 1, 1])
    est = FactConfidence(C=0.5)
    assert not hasattr(est, "model_")
    assert est.fit(X, y) is est
    proba = est.predict_proba(X)
    assert proba.shape == (8, 2)
    assert proba[-1, 1] > proba[0, 1]


def test_fact_confidence_with_one_class_is_a_smoothed_rate():
    import numpy as np

    X = np.array([feature_vector("money", {"score": 1.0})] * 8)
    est = FactConfidence().fit(X, np.ones(8, dtype=int))
    assert est.predict_proba(X)[0, 1] == pytest.approx(0.9)
    assert est.predict(X).tolist() == [1] * 8


# ------------------------------------------------------------------------------ gold, shared
@pytest.mark.skipif(not (SHARED / "gold" / "seeds").is_dir(), reason="/work/shared gold is absent")
@pytest.mark.parametrize(("gold_dir", "doc_dir", "floor"), [("seeds", "seeds", 0.9), ("corpus", "corpus", 0.85)])
def test_facts_against_gold(gold_dir: str, doc_dir: str, floor: float):
    sys.path.insert(0, str(SHARED / "tools"))
    from score import fact_equal

    from nlp.pipeline import Pipeline

    pipe = Pipeline(stages=("structure", "sections", "figures", "facts"))
    tp = fp = fn = 0
    for gf in sorted((SHARED / "gold" / gold_dir).glob("*.json")):
        if gf.name == "themes.json":
            continue
        gold = json.loads(gf.read_text(encoding="utf-8"))
        report = pipe(SHARED / doc_dir / gold["doc"])
        pred: dict[str, object] = {k: f.value for k, f in report.facts.items()}
        if report.department:
            pred["department"] = report.department
        if report.year:
            pred["year"] = report.year
        for key in set(pred) | set(gold["facts"]):
            if key in pred and key in gold["facts"]:
                ok = fact_equal(key, pred[key], gold["facts"][key])
                tp += ok
                fp += not ok
                fn += not ok
            elif key in pred:
                fp += 1
            else:
                fn += 1
        for fact in report.facts.values():
            assert 0.0 <= fact.confidence <= 1.0
            assert 1 <= fact.line <= len(report.document.lines)
    p, r = tp / (tp + fp), tp / (tp + fn)
    assert 2 * p * r / (p + r) >= floor


# ------------------------------------------------------------------------------ robustness
def test_empty_and_out_of_range_inputs():
    empty = facts_of(doc(), [])
    assert empty.department is None and empty.year is None and empty.facts == {}
    d = doc("", "   ")
    stray = Figure(block=0, line=40, start=0, end=3, text="1万元", value=10000, unit="元", kind="amount",
                   metric="budget_initial")
    assert facts_of(d, [stray]).facts == {}


def test_never_raises_and_stays_a_probability():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    words = st.sampled_from(["年初预算数", "实际支出", "基本支出", "项目支出", "人员经费", "执行率", "自评得分", "编制数",
                             "实有人数", "其中", "，", "。", "为", "局", "2023年度", "报告", "\t", "|", "万元", "（", "）"])

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.lists(words, max_size=12).map("".join), min_size=1, max_size=6),
           st.lists(st.tuples(st.integers(0, 7), st.integers(0, 30), st.floats(0, 1e8, allow_nan=False),
                              st.sampled_from(["amount", "percent", "score", "count"])), max_size=8))
    def run(lines: list[str], raw: list[tuple[int, int, float, str]]) -> None:
        d = doc(*lines)
        figs = [Figure(block=0, line=ln, start=st_, end=st_ + 2, text="12", value=v, kind=k,
                       unit={"amount": "元", "percent": "%", "score": "分", "count": "人"}[k], metric=None)
                for ln, st_, v, k in raw]
        found = extract_facts(d, [], figs, model=load_facts_model())
        for fact in found.facts.values():
            assert 0.0 <= fact.confidence <= 1.0
        from nlp.checks import run_checks

        assert all(c.status in ("ok", "fail", "unknown") for c in run_checks(found.facts, figs, d))

    run()


def test_shared_readings_give_the_same_facts_and_checks():
    """Clause readings are memoised per document (facts and checks read the same clauses): results
    with the memo warm equal results on a fresh copy of the document, and the memo never crosses documents."""
    import dataclasses

    from nlp.checks import run_checks
    from nlp.facts import extract_facts, read_mentions
    from nlp.pipeline import Pipeline
    from nlp.read import from_text

    text = ("某县水利局2023年度部门整体支出绩效自评报告\n一、基本情况\n本单位编制数12人，实有人数11人。\n"
            "二、预算执行\n年初预算数为100.5万元，调整后预算数为120万元，全年实际支出114万元，预算执行率为95%。\n"
            "其中：基本支出80万元，项目支出34万元，基本支出为79万元。\n人员经费60万元，公用经费20万元。\n"
            "一级指标 | 年度指标值 | 实际完成值\n产出指标 | ≥500人次 | 520人次\n自评得分92分，等级为优秀。\n")
    pipe = Pipeline(stages=("structure", "sections", "figures"))
    rep = pipe(from_text(text, doc="a"))
    found = extract_facts(rep.document, rep.blocks, rep.figures)
    warm = run_checks(found.facts, rep.figures, rep.document)
    fresh_doc = dataclasses.replace(rep.document)  # another object: a cold memo
    cold_found = extract_facts(fresh_doc, rep.blocks, rep.figures)
    cold = run_checks(cold_found.facts, rep.figures, fresh_doc)
    assert found.facts == cold_found.facts and warm == cold
    assert read_mentions(rep.document, rep.figures, 2023) == read_mentions(fresh_doc, rep.figures, 2023)
    # a different document with the same line numbers and offsets but other words reads differently
    def metrics_of_80(doc: Document, figures: list[Figure]) -> set[str]:
        return {m.metric for m in read_mentions(doc, figures, 2023) if m.figure.text == "80万元"}

    assert metrics_of_80(rep.document, rep.figures) == {"basic_expenditure"}
    rep2 = pipe(from_text(text.replace("基本支出80万元", "公用经费80万元"), doc="b"))
    assert metrics_of_80(rep2.document, rep2.figures) == {"public_expenditure"}
