"""Figures: the grammar on every written form, the exclusions, table cells, labels and metrics,
the shipped confidence model, and P/R against the shared gold files when they are present."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.document import Block, Document
from nlp.figures import FigureExtractor, parse_figures
from nlp.figures.extract import Extractor

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def one(text: str):
    ms = parse_figures(text)
    assert len(ms) == 1, [(m.text, m.value, m.unit) for m in ms]
    return ms[0]


# ------------------------------------------------------------------ grammar: forms
@pytest.mark.parametrize(("text", "value", "unit", "kind"), [
    ("年初预算数为570.79万元。", 5707900, "元", "amount"),
    ("总投资1.2亿元", 120000000, "元", "amount"),
    ("办公费3千元", 3000, "元", "amount"),
    ("支出1,234.56万元", 12345600, "元", "amount"),
    ("支出1，234万元", 12340000, "元", "amount"),
    ("执行率88.86%", 88.86, "%", "percent"),
    ("完成率４５．６％", 45.6, "%", "percent"),
    ("差错率3‰", 3, "‰", "percent"),
    ("满意度百分之九十五", 95, "%", "percent"),
    ("自评得分93分", 93, "分", "score"),
    ("受理一百二十件", 120, "件", "count"),
    ("下设两个科室", 2, "个", "count"),
    ("接待群众300人次", 300, "人次", "count"),
    ("新增车辆5辆", 5, "辆", "count"),
    ("改造3061户", 3061, "户", "count"),
    ("办公用房120平方米", 120, "平方米", "other"),
    ("15个工作日内办结", 15, "个工作日", "other"),
    ("培训8小时", 8, "小时", "other"),
    ("覆盖12所学校", 12, "所", "count"),
    ("加装电梯4部", 4, "部", "count"),
    ("日检测能力2万管", 20000, "管", "count"),
])
def test_forms(text: str, value: float, unit: str, kind: str) -> None:
    m = one(text)
    assert m.value == pytest.approx(value)
    assert m.unit == unit
    assert m.kind == kind
    assert text[m.start:m.end] == m.text


@pytest.mark.parametrize(("text", "comparator"), [
    ("满意度≥95%", ">="), ("故障率≤5%", "<="), ("得分＜60分", "<"), ("人数>10人", ">"),
    ("不低于95%", ">="), ("不少于2000件", ">="), ("不超过10次", "<="), ("不高于5%", "<="),
    ("达到95%以上", ">="), ("3次以下", "<="), ("超过100人", ">"), ("低于20%", "<"), ("等于100%", "="),
])
def test_comparators(text: str, comparator: str) -> None:
    m = one(text)
    assert m.comparator == comparator
    assert text[m.start:m.end] == m.text
    assert not m.text[0].isdigit() or m.text.endswith(("以上", "以下"))  # the bound is part of the mention


@pytest.mark.parametrize("text", ["30余人", "约30人", "近30人", "30人左右", "30多人"])
def test_approximations(text: str) -> None:
    m = one(text)
    assert (m.value, m.unit, m.approx, m.comparator) == (30, "人", True, None)


def test_ranges_give_two_figures() -> None:
    a, b = parse_figures("目标值90%-95%")
    assert (a.value, a.unit, b.value, b.unit) == (90, "%", 95, "%")
    a, b = parse_figures("每年开展3至5次")
    assert (a.value, a.unit, a.range_part, b.value, b.unit) == (3, "次", 0, 5, "次")
    a, b = parse_figures("投入3-5万元")
    assert (a.value, a.unit, b.value) == (30000, "元", 50000)
    lo, hi = parse_figures("75≤得分＜85分为良好")
    assert (lo.value, lo.unit, hi.value, hi.unit, hi.comparator) == (75, "分", 85, "分", "<")


def test_offsets_point_into_the_line() -> None:
    line = "其中：基本支出100万元、项目支出50万元，执行率为99.5%。"
    ms = parse_figures(line)
    assert [line[m.start:m.end] for m in ms] == ["100万元", "50万元", "99.5%"]


# ------------------------------------------------------------------ grammar: exclusions
@pytest.mark.parametrize("text", [
    "2023年", "2023年度部门决算", "10月13日召开会议", "日期2023-01-01", "2023.01.01",
    "依据〔2019〕8号文件", "依据[2020]12号文件", "长发﹝2019﹞8号", "1、加强管理", "（二）主要做法",
    "（3）自评方法", "①加强学习", "联系电话：0734-5551234", "电话13812345678",
    "项目编码51041121Y000000068012", "十九届六中全会", "党的二十大精神", "12345热线", "“五包一”责任制",
    "“零进京”", "一老一小", "5A级景区", "610办", "第3名", "附件1", "表2", "浏览次数:12次",
    "建党100周年", "统一部署", "一项一项抓落实", "一人一档", "（一个专项一行）", "中央八项规定",
])
def test_not_figures(text: str) -> None:
    assert parse_figures(text) == []


def test_bare_numbers_only_on_request() -> None:
    assert parse_figures("共计 233.09") == []
    (m,) = parse_figures("233.09", bare=True)
    assert (m.value, m.unit, m.pattern) == (233.09, None, "bare")


# ------------------------------------------------------------------ grammar: properties
@given(st.integers(min_value=0, max_value=10**12))
def test_integers_round_trip(n: int) -> None:
    (m,) = parse_figures(f"共{n}人")
    assert m.value == n
    (m,) = parse_figures(f"共{n:,}人")
    assert m.value == n
    full = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    (m,) = parse_figures(f"共{full}人")
    assert m.value == n


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_decimals_round_trip(d) -> None:
    (m,) = parse_figures(f"支出{d}元")
    assert m.value == pytest.approx(float(d))
    (m,) = parse_figures(f"支出{d}万元")
    assert m.value == pytest.approx(float(d) * 10000)


@settings(max_examples=60)
@given(st.integers(min_value=1, max_value=99_999_999))
def test_chinese_numerals_round_trip(n: int) -> None:
    written = cn2an.an2cn(str(n))
    (m,) = parse_figures(f"共办理{written}件")
    assert m.value == n
    assert m.unit == "件"


def test_linear_time_on_hostile_lines() -> None:
    for line in ("1," * 50_000, "1" * 100_000, "一" * 100_000, "1.2" * 30_000, "万元" * 50_000,
                 "≥" * 50_000 + "1", "（1）" * 20_000, "2023年" * 15_000):
        t = time.perf_counter()
        parse_figures(line, bare=True)
        assert time.perf_counter() - t < 5.0


def test_extractor_stays_fast_on_hostile_lines() -> None:
    ext = Extractor()
    for line in ("|1" * 50_000, "（1）" * 20_000, "分别为1元、" * 10_000, "\t1" * 30_000, "1 2 " * 25_000):
        t = time.perf_counter()
        ext.extract(Document(doc="h.txt", lines=[line, line[:500]]), [])
        assert time.perf_counter() - t < 15.0


# ------------------------------------------------------------------ extraction: tables, labels, metrics
def _doc(lines: list[str]) -> tuple[Document, list[Block]]:
    doc = Document(doc="t.txt", lines=lines)
    blocks = [Block(index=i, kind="paragraph", line_start=i + 1, line_end=i + 1, text=t)
              for i, t in enumerate(lines) if t.strip()]
    return doc, blocks


def test_prose_labels_and_metrics() -> None:
    doc, blocks = _doc(["本单位年初预算数为233.09万元，调整后预算数为300万元，全年实际支出280.5万元，预算执行率为93.5%。",
                        "其中：基本支出200万元、项目支出80.5万元。自评总分为92分。",
                        "核定编制数12人，实有人数11人。"])
    figs = Extractor().extract(doc, blocks)
    got = {(f.value, f.metric) for f in figs}
    assert (2330900, "budget_initial") in got
    assert (3000000, "budget_adjusted") in got
    assert (2805000, "expenditure_total") in got
    assert (93.5, "execution_rate") in got
    assert (2000000, "basic_expenditure") in got
    assert (805000, "project_expenditure") in got
    assert (92, "self_score") in got
    assert (12, "staff_authorized") in got and (11, "staff_actual") in got
    labels = {f.value: f.label for f in figs}
    assert labels[2330900] == "年初预算数"
    assert labels[2000000] == "基本支出"


def test_tab_table_cells_take_header_units() -> None:
    lines = ["整体支出绩效自评表", "\t年度预算申请", "（万元）", "\t年初预算数", "\t全年预算数", "\t全年执行数",
             "\t分值", "\t执行率", "\t得分", "", "\t年度资金总额", "\t120.5", "\t130", "\t125", "\t10",
             "\t96.15%", "\t9.6", ""]
    doc, blocks = _doc(lines)
    figs = {f.line: f for f in Extractor().extract(doc, blocks)}
    assert (figs[12].value, figs[12].unit, figs[12].metric) == (1205000, "元", "budget_initial")
    assert (figs[13].value, figs[13].metric) == (1300000, "budget_adjusted")
    assert (figs[14].value, figs[14].metric) == (1250000, "expenditure_total")
    assert (figs[15].value, figs[15].unit, figs[15].kind) == (10, "分", "score")
    assert (figs[16].value, figs[16].unit, figs[16].metric) == (96.15, "%", "execution_rate")
    assert (figs[17].value, figs[17].unit) == (9.6, "分")


def test_pipe_table_indicator_rows() -> None:
    lines = ["一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |",
             "产出指标 | 数量指标 | 改造户数 | ≥2000 | 3061 | 10 | 9 |",
             "质量指标 | 验收通过率 | ≥95% | 100% | 5 | 5 |"]
    doc, blocks = _doc(lines)
    figs = Extractor().extract(doc, blocks)
    row2 = [(f.value, f.unit) for f in figs if f.line == 2]
    assert row2 == [(2000, None), (3061, None), (10, "分"), (9, "分")]
    row3 = [(f.value, f.unit) for f in figs if f.line == 3]
    assert row3 == [(95, "%"), (100, "%"), (5, "分"), (5, "分")]


def _metrics(lines: list[str]) -> dict[float, str | None]:
    doc, blocks = _doc(lines)
    return {f.value: f.metric for f in Extractor().extract(doc, blocks)}


def test_a_project_reports_own_spending_and_score_are_the_reports_totals() -> None:
    body = ["截至年底，该项目实际支出84.6万元，预算执行率94.00%。", "经自评，该项目得分91分，等级为优秀。"]
    project = _metrics(["青山县林业局", "2024年度森林防火专项项目支出绩效自评报告", *body])
    assert project[846000] == "expenditure_total"
    assert project[94.0] == "execution_rate"
    assert project[91] == "self_score"
    whole = _metrics(["青山县林业局2024年度部门整体支出绩效自评报告", *body,
                      "森林防火专项项目绩效自评得分88分。"])
    assert whole[846000] != "expenditure_total"  # one project of a department is a part
    assert whole[91] is None and whole[88] is None


def test_budget_history_does_not_hide_the_total_and_sub_items_stay_parts() -> None:
    got = _metrics(["本部门年初预算数为900.00万元，年中追加预算60.00万元，全年预算数为960.00万元，"
                    "支出决算为950.40万元，完成全年预算数的99.00%。",
                    "“三公”经费财政拨款支出预算为5.00万元，其中公务接待费预算数为1.20万元，支出决算为4.10万元。",
                    "本年收入合计980.00万元，其中：财政拨款收入930.00万元。",
                    "项目支出实际执行320.00万元，超出调整后预算数12.00万元。"])
    assert got[9000000] == "budget_initial" and got[9600000] == "budget_adjusted"
    assert got[600000] is None  # 追加 is a change, not a budget
    assert got[9504000] == "expenditure_total" and got[99.0] == "execution_rate"
    assert got[50000] is None and got[12000] is None  # 三公 and its parts are not the unit's budget
    assert got[9800000] == "revenue_total" and got[9300000] is None
    assert got[120000] is None
    assert _metrics(["本年度在编人员增加3人，实有人数25人。"]) == {3: None, 25: "staff_actual"}


def test_expenditure_table_split_columns_and_total_rows() -> None:
    lines = ["支出决算表", "单位：万元", "\t项目", "\t合计", "\t基本支出", "\t项目支出", "", "\t合计", "\t500.00",
             "\t320.00", "\t180.00", "", "\t一般公共服务支出", "\t400.00", "\t300.00", "\t100.00", ""]
    doc, blocks = _doc(lines)
    figs = {f.line: f for f in Extractor().extract(doc, blocks)}
    assert (figs[9].value, figs[9].metric) == (5000000, "expenditure_total")
    assert (figs[10].value, figs[10].metric) == (3200000, "basic_expenditure")
    assert (figs[11].value, figs[11].metric) == (1800000, "project_expenditure")
    assert all(figs[n].metric is None and figs[n].unit == "元" for n in (14, 15, 16))


def test_grade_rows_and_bands_are_scores() -> None:
    lines = ["绩效评价结果", "决策 | 20.00 | 18.50 | 良 |", "100.00 | 90.30 | 优 |", "注:优(≥90)", "良(≥80,<90)"]
    doc, blocks = _doc(lines)
    figs = Extractor().extract(doc, blocks)
    row2 = [(f.value, f.kind, f.metric) for f in figs if f.line == 2]
    assert row2 == [(20, "score", None), (18.5, "score", None)]
    assert [(f.value, f.metric) for f in figs if f.line == 3] == [(100, None), (90.3, "self_score")]
    assert [(f.value, f.comparator, f.kind) for f in figs if f.line == 5] == [(80, ">=", "score"), (90, "<", "score")]


def test_points_closing_rows_of_an_indicator_table_without_score_headers() -> None:
    lines = ["\t一级指标", "\t三级指标", "\t年度指标值", "\t实际完成指标值", "", "\t指标1:培训覆盖率", "\t100%",
             "\t100%", "\t4", "", "\t指标2:宣传活动", "\t已完成", "\t已完成", "\t3", "", "\t指标3:满意度",
             "\t≥90", "\t95", ""]
    doc, blocks = _doc(lines)
    figs = {(f.line, f.value): f for f in Extractor().extract(doc, blocks)}
    assert (figs[(9, 4)].unit, figs[(9, 4)].kind) == ("分", "score")
    assert (figs[(14, 3)].unit, figs[(14, 3)].kind) == ("分", "score")
    assert figs[(18, 95)].kind != "score"  # an actual value under its column stays a value


def test_rate_units_are_kept_as_written() -> None:
    assert (one("亩均投入570.69元/亩").unit, one("亩均投入570.69元/亩").value) == ("元/亩", 570.69)
    assert one("补助标准1.2万元/人").value == 12000 and one("补助标准1.2万元/人").unit == "元/人"
    assert one("培训成本400元/人、天").unit == "元"


def test_shipped_model_is_calibrated_and_loads() -> None:
    ext = FigureExtractor.load()
    assert ext.confidence_model is not None
    meta = json.loads((Path(__file__).resolve().parents[1] / "models/figures/meta.json").read_text("utf-8"))
    assert meta["cv"]["ece"] <= 0.05
    doc, blocks = _doc(["全年实际支出280.5万元，满意度达到95%以上。"])
    figs = ext.extract(doc, blocks)
    assert len(figs) == 2 and all(0.5 < f.confidence <= 1 for f in figs)


# ------------------------------------------------------------------ against the shared gold
@pytest.mark.skipif(not (SHARED / "gold" / "seeds").is_dir(), reason="/work/shared gold not present")
@pytest.mark.parametrize(("name", "p_floor", "r_floor"), [("seeds", 0.97, 0.95), ("corpus", 0.93, 0.85)])
def test_gold_precision_recall(tmp_path: Path, name: str, p_floor: float, r_floor: float) -> None:
    gold = SHARED / "gold" / name
    docs = [SHARED / name / (json.loads(g.read_text("utf-8"))["doc"]) for g in sorted(gold.glob("*.json"))
            if g.name != "themes.json"]
    from nlp.figures.extract import Extractor as _E
    from nlp.read import read
    from nlp.structure import parse

    ext = FigureExtractor.load()
    rows = []
    for d in docs:
        document = read(d)
        for f in ext.extract(document, parse(document)):
            assert document.lines[f.line - 1][f.start:f.end] == f.text  # offsets point into the source line
            assert 0.0 <= f.confidence <= 1.0
            rows.append(json.dumps(f.to_dict(str(d)), ensure_ascii=False))
    assert _E  # the rule extractor is what the shipped one wraps
    pred = tmp_path / "figures.jsonl"
    pred.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score.py"), "figures", "--gold", str(gold),
                          "--pred", str(pred)], capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["p"] >= p_floor
    assert result["r"] >= r_floor


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "gold" / "seeds").is_dir(), reason="/work/shared gold not present")
def test_train_command_writes_a_calibrated_model(tmp_path: Path) -> None:
    from nlp.figures.confidence import ConfidenceModel
    from nlp.figures.train import train_command

    cv = train_command(tmp_path / "figures")
    meta = json.loads((tmp_path / "figures" / "meta.json").read_text("utf-8"))
    assert meta["cv"]["method"].startswith("GroupKFold")
    assert cv["ece"] <= 0.05 and cv["precision"] >= 0.95
    model = ConfidenceModel.load(tmp_path / "figures")
    assert list(model.classes_) == [0, 1]
