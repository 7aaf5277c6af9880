"""Section tagging: the shipped model, its interface, persistence and the scoring code."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from nlp.document import SECTION_LABELS, Document
from nlp.errors import ModelError
from nlp.evaluate import expected_calibration_error, score_blocks
from nlp.sections import DEFAULT_MODEL, KeywordTagger, load_tagger
from nlp.sections.keywords import heading_label
from nlp.structure import parse

SHARED = Path(__file__).parents[1].parent / "shared"
HAVE_MODEL = (DEFAULT_MODEL / "meta.json").exists()

REPORT = """某县文化旅游局2023年度部门整体支出绩效自评报告
一、部门基本情况
（一）主要职能
负责全县文化旅游事业发展规划的拟订和组织实施，指导文物保护和非遗传承工作。
（二）机构设置和人员编制
本局内设办公室、产业股、文物股3个股室，核定行政编制12名，实有在职人员11人。
二、部门整体支出情况
2023年度年初预算数为856.20万元，调整后预算数为901.35万元，全年实际支出889.10万元，预算执行率为98.64%。
其中基本支出612.40万元，项目支出276.70万元；三公经费支出3.12万元，较上年下降12%。
三、绩效指标完成情况
产出指标：全年举办文化惠民演出48场，目标值40场，得分10分。
满意度指标：群众满意度调查结果为96%，目标值不低于90%。
四、存在的问题
1.部分项目前期论证不充分，预算执行进度前慢后快。
2.绩效目标设置不够细化，个别指标难以量化考核。
五、下一步改进措施
1.加强项目前期论证，科学编制预算，加快预算执行进度。
2.细化绩效目标，完善指标体系，强化绩效结果应用。
"""


def _doc(text: str = REPORT) -> Document:
    return Document(doc="demo.txt", lines=text.split("\n"))


def test_heading_keyword_map() -> None:
    assert heading_label("七、存在的问题及原因分析") == "problems"
    assert heading_label("（三）下一步改进措施") == "measures"
    assert heading_label("二、部门整体支出管理及使用情况") == "budget"
    assert heading_label("（一）主要职能职责") == "duties"
    assert heading_label("三、绩效指标完成情况") == "indicators"
    assert heading_label("附件2") == "other"
    assert heading_label("某县某局") is None
    # a self-evaluation table is an indicator table even when its title names the budget
    assert heading_label("部门预算项目支出绩效自评表") == "indicators"


def test_cue_words_tell_problems_from_measures() -> None:
    from nlp.sections.features import _cue_counts

    prob = _cue_counts("项目前期论证不够充分，资金支付进度滞后，执行率偏低。")
    meas = _cue_counts("下一步将进一步加强预算编制管理，完善绩效目标设置。")
    assert prob.get("prob", 0) >= 2 and prob.get("meas", 0) == 0
    assert meas.get("meas", 0) >= 2 and meas.get("fut", 0) >= 1
    assert meas.get("meas", 0) > meas.get("prob", 0)


def test_cue_counts_equal_a_plain_count_of_distinct_cues() -> None:
    """The first-character index finds exactly the cues a test of every cue finds (nested cues too)."""
    from nlp.sections.features import _CUES, _cue_counts

    texts = ["尚未达到预期，未达到年初目标，未达标准", "将进一步加强管理，下一步要做好整改", "已完成了验收",
             "", "无", "资金到位" * 100 + "存在问题"]
    for text in texts:
        plain = {name: sum(c in text[:300] for c in cues) for name, cues in _CUES.items()}
        assert _cue_counts(text) == {k: v for k, v in plain.items() if v}
    assert _cue_counts(texts[0])["prob"] == 3  # 尚未, 未达到 and 未达: nested cues each count once


def test_keyword_tagger_scores() -> None:
    doc = _doc()
    blocks = parse(doc)
    KeywordTagger().tag(doc, blocks)
    for b in blocks:
        assert abs(sum(b.scores.values()) - 1) < 1e-6
        assert set(b.scores) == set(SECTION_LABELS)


@pytest.mark.skipif(not HAVE_MODEL, reason="no shipped section model")
def test_shipped_model_loads_fast_and_tags_a_report() -> None:
    t0 = time.perf_counter()
    tagger = load_tagger()
    assert time.perf_counter() - t0 < 5.0  # ~1 s on an idle machine; CI shares cores
    doc = _doc()
    blocks = parse(doc)
    proba = tagger.predict_proba(doc, blocks)
    assert proba.shape == (len(blocks), len(SECTION_LABELS))
    assert np.allclose(proba.sum(axis=1), 1.0)
    tagger.tag(doc, blocks)
    by_line = {b.line_start: b for b in blocks}
    for b in blocks:
        assert b.confidence == pytest.approx(max(b.scores.values()))
        assert b.section == max(b.scores, key=b.scores.get)
    assert by_line[4].section == "duties"
    assert by_line[8].section == "budget"
    assert by_line[14].section == "problems" and by_line[15].section == "problems"
    assert by_line[17].section == "measures" and by_line[18].section == "measures"
    right = sum(b.section == e for b, e in zip(
        blocks, ["other", "duties", "duties", "duties", "duties", "duties", "budget", "budget", "budget",
                 "indicators", "indicators", "indicators", "problems", "problems", "problems",
                 "measures", "measures", "measures"], strict=True))
    assert right >= 15


@pytest.mark.skipif(not HAVE_MODEL, reason="no shipped section model")
def test_explain_gives_weighted_cues() -> None:
    tagger = load_tagger()
    doc = _doc()
    blocks = parse(doc)
    tagger.tag(doc, blocks)
    ex = tagger.explain(doc, blocks)
    assert len(ex) == len(blocks)
    assert all(e["label"] == b.section for e, b in zip(ex, blocks, strict=True))
    cues = ex[13]["cues"]
    assert cues and all(c["weight"] > 0 for c in cues)
    assert cues == sorted(cues, key=lambda c: -c["weight"])
    assert not any("rules" in e for e in ex)


@pytest.mark.skipif(not HAVE_MODEL, reason="no shipped section model")
def test_contents_page_is_other_and_explained_by_its_rule() -> None:
    """The shipped model learned how far each `other` rule holds; a 目录 run is tagged `other`
    whatever its entries name, and --explain says which rule decided."""
    tagger = load_tagger()
    assert all(0.5 < r <= 1.0 for r in tagger.rule_other_.values())
    entries = ["一、部门基本情况", "二、部门整体支出情况", "三、存在的问题", "四、下一步改进措施"]
    doc = _doc("\n".join([REPORT.split("\n")[0], "目录", *entries, *REPORT.split("\n")[1:]]))
    blocks = parse(doc)
    tagger.tag(doc, blocks)
    ex = tagger.explain(doc, blocks)
    toc = [i for i, b in enumerate(blocks) if 2 <= b.line_start <= 6]
    assert [blocks[i].section for i in toc[1:]] == ["other"] * len(entries)
    assert all(ex[i]["rules"] == ["toc"] for i in toc[1:])
    problems = next(b for b in blocks if b.text.startswith("1.部分项目"))
    assert problems.section == "problems"  # the body under the same heading words is not touched


@pytest.mark.skipif(not HAVE_MODEL, reason="no shipped section model")
def test_meta_json_is_complete() -> None:
    meta = json.loads((DEFAULT_MODEL / "meta.json").read_text(encoding="utf-8"))
    assert meta["backend"] == "sklearn" and meta["labels"] == list(SECTION_LABELS)
    assert meta["schema_version"] >= 1 and len(meta["training_data"]["sha256"]) == 64
    assert meta["rebuild"].startswith("nlp train sections")
    assert 0 < meta["cv_metrics"]["accuracy"] <= 1
    size = sum(f.stat().st_size for f in DEFAULT_MODEL.iterdir())
    assert size < 3_000_000


def test_round_trip_small_model(tmp_path: Path) -> None:
    """Train on synthetic reports, save, load: same probabilities."""
    from nlp.sections.model import SklearnSectionTagger
    from nlp.sections.train import block_targets

    docs, ys = [], []
    variants = [("存在的问题", "改进措施"), ("存在问题及原因", "下一步工作打算"), ("主要问题", "改进建议")]
    for k in range(6):
        p, m = variants[k % 3]
        text = REPORT.replace("存在的问题", p).replace("下一步改进措施", m).replace("856.20", str(800 + k))
        doc = Document(doc=f"d{k}.txt", lines=text.split("\n"))
        blocks = parse(doc)
        gold = {1: "other", 2: "duties", 3: "duties", 4: "duties", 5: "duties", 6: "duties", 7: "budget",
                8: "budget", 9: "budget", 10: "indicators", 11: "indicators", 12: "indicators", 13: "problems",
                14: "problems", 15: "problems", 16: "measures", 17: "measures", 18: "measures"}
        ys.append(block_targets(blocks, {ln: [lab] for ln, lab in gold.items()}))
        docs.append((doc, blocks))
    model = SklearnSectionTagger(n_features=2**12, inner_folds=3).fit(docs, ys)
    doc, blocks = docs[0]
    before = model.predict_proba(doc, blocks)
    model.save(tmp_path / "m", {"note": "test"})
    loaded = load_tagger(tmp_path / "m")
    after = loaded.predict_proba(doc, blocks)
    assert np.allclose(before, after, atol=1e-5)
    assert json.loads((tmp_path / "m" / "meta.json").read_text())["note"] == "test"
    assert (after.argmax(axis=1) == ys[0]).mean() > 0.8
    assert set(loaded.rule_other_) == {"toc", "glossary", "chart"}
    assert loaded.rule_other_ == pytest.approx(model.rule_other_)
    # the later stacking rounds are fitted, saved and used: dropping them changes the output
    assert len(loaded.later_) == model.rounds - 1 >= 1
    loaded.later_ = []
    assert not np.allclose(loaded.predict_proba(doc, blocks), after, atol=1e-6)
    one_round = SklearnSectionTagger(n_features=2**12, inner_folds=3, rounds=1).fit(docs, ys)
    assert one_round.later_ == []


def test_unknown_backend_and_missing_model(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text(json.dumps({"schema_version": 1, "backend": "abacus"}))
    with pytest.raises(ModelError):
        load_tagger(tmp_path)
    with pytest.raises(ModelError):
        load_tagger(tmp_path / "nowhere")


@pytest.mark.skipif(not HAVE_MODEL, reason="no shipped section model")
def test_broken_weights_are_a_model_error(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_MODEL / "meta.json", tmp_path / "meta.json")
    (tmp_path / "model.skops").write_bytes(b"not a zip")
    with pytest.raises(ModelError):
        load_tagger(tmp_path)


def test_score_blocks_counts_like_the_guide() -> None:
    gold = {1: ["other"], 2: ["duties"], 3: ["budget", "indicators"], 4: ["problems"], 6: ["measures"]}
    preds = [(1, 1, "other", 0.9), (2, 3, "duties", 0.6), (4, 4, "measures", 0.7)]
    m = score_blocks([(gold, preds)])
    assert m["lines"] == 5 and m["uncovered_lines"] == 1
    assert m["mixed_blocks"] == 1 and m["blocks"] == 3
    assert m["accuracy"] == pytest.approx(2 / 5)
    assert m["per_label"]["duties"] == {"p": 0.5, "r": 1.0, "f1": pytest.approx(0.6667, abs=1e-4), "support": 1}
    assert expected_calibration_error([(0.9, True), (0.9, False)]) == pytest.approx(0.4)


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared")
def test_grouped_cv_on_shared_gold() -> None:
    from nlp.evaluate import evaluate_sections
    from nlp.sections.train import load_gold

    dirs = [SHARED / "gold" / "seeds", SHARED / "gold" / "corpus"]
    m = evaluate_sections(dirs, None, n_splits=5)
    # lines the reader blanks as page furniture ("- 3 -") cannot be covered by any block
    blanked = sum(1 for e in load_gold(dirs) for ln in e.gold_lines
                  if ln > len(e.document.lines) or not e.document.lines[ln - 1].strip())
    assert m["uncovered_lines"] == blanked and m["mixed_blocks"] == 0
    assert m["accuracy"] >= 0.83 and m["ece"] <= 0.05


def test_window_words_enter_as_if_each_block_listed_its_neighbours() -> None:
    """The window bag (``win:``) is built as a sparse product for training and as running sums of
    scores for prediction; both must equal listing every neighbour's words in each block's dict."""
    from sklearn.feature_extraction import FeatureHasher

    from nlp.sections.features import featurise, window_features

    doc = _doc()
    blocks = parse(doc)
    feats = featurise(doc, blocks)
    hasher = FeatureHasher(n_features=2**12, input_type="dict", alternate_sign=False)
    named = hasher.transform([{**f, **window_features(feats.words, i)} for i, f in enumerate(feats.feats)])
    assert abs(feats.matrix(hasher) - named).max() < 1e-12
    # a block's window holds the words of up to three blocks either side, not its own
    own = window_features(feats.words, 5)
    assert any(k == "win:" + w for w in feats.words[4] for k in own)
    assert not any(k == "win:" + w for w in feats.words[5] if w not in
                   {x for j in (2, 3, 4, 6, 7, 8) for x in feats.words[j]} for k in own)


@pytest.mark.skipif(not HAVE_MODEL, reason="no shipped section model")
def test_stage1_scores_equal_the_decision_function_of_the_full_matrix() -> None:
    tagger = load_tagger()
    from nlp.sections.features import featurise

    doc = _doc()
    blocks = parse(doc)
    feats = featurise(doc, blocks)
    full = tagger.stage1_.decision_function(feats.matrix(tagger._hasher()))
    assert np.allclose(tagger.stage1_scores(feats), full, atol=1e-9)


@pytest.mark.skipif(not HAVE_MODEL, reason="no shipped section model")
def test_fast_hashing_equals_the_public_feature_hasher() -> None:
    """The direct hashing path gives scikit-learn's FeatureHasher matrix (duplicates summed)."""
    tagger = load_tagger()
    from nlp.sections.features import featurise

    doc = _doc()
    feats = featurise(doc, parse(doc))
    rows = feats.feats + feats.window_counts()
    fast = tagger._hash_rows(rows)
    public = tagger._hasher().transform(rows)
    assert fast.shape == public.shape and fast.nnz >= public.nnz > 0
    assert abs(fast - public).max() < 1e-12
    weights = tagger._stage1_weights()
    assert weights.flags["C_CONTIGUOUS"] and weights.dtype == np.float64
    assert np.allclose(weights, tagger.stage1_.coef_.T)


def test_recurring_text_cache_leaves_features_unchanged() -> None:
    """Features of a report are the same whether its recurring cells were met in earlier reports or not."""
    from nlp.read import read
    from nlp.sections.features import featurise, recurring_text_cache
    from nlp.segment import Segmenter

    sample = sorted((Path(__file__).resolve().parents[1] / "corpora" / "sample" / "txt").glob("*.txt"))
    docs = [read(p) for p in sample[:5]]
    cold = Segmenter()
    fresh = [featurise(d, parse(d), seg=cold) for d in docs[-1:]]
    assert len(recurring_text_cache(cold).words) > 0
    warm = Segmenter()
    for d in docs[:-1]:
        featurise(d, parse(d), seg=warm)
    cache = recurring_text_cache(warm)
    assert cache.own and cache.words and cache is not recurring_text_cache(cold)
    again = featurise(docs[-1], parse(docs[-1]), seg=warm)
    assert again.feats == fresh[0].feats and again.words == fresh[0].words
    cache.max_items = 1
    cache.trim()  # bounded: an overfull cache is emptied
    assert not cache.words and not cache.own


def test_appendix_flags_mark_attached_forms_only() -> None:
    """Blocks after an attachment title that opens a table are flagged; a title heading the whole
    report, or a contents-page entry, is not an attachment."""
    from nlp.sections.features import appendix_flags

    body = ["一、部门职责", "负责全县档案管理。", "二、存在的问题", "经费保障不足。", "三、改进措施", "加强统筹。"]
    attached = "\n".join([*body, "附表：项目支出绩效自评表", "\t项目名称", "\t档案数字化", "\t年度目标"])
    blocks = parse(_doc(attached))
    flags = appendix_flags(blocks)
    start = next(i for i, b in enumerate(blocks) if b.text.startswith("附表"))
    assert not any(flags[: start + 1]) and all(flags[start + 1 :])
    header = "\n".join(["附件2", "某县档案馆2024年度部门整体支出绩效自评报告", *body])
    assert not any(appendix_flags(parse(_doc(header))))
    contents = "\n".join([*body, "附件1 17", "\t项目名称", "\t档案数字化"])
    assert not any(appendix_flags(parse(_doc(contents))))
    prose = "\n".join([*body, "附件：项目支出绩效自评报告", "一、项目概况", "项目总投资50万元。"])
    assert not any(appendix_flags(parse(_doc(prose))))  # an attached report, not a form


def test_toc_flags_read_contents_pages_and_stop_at_the_body() -> None:
    """A 目录 title opens a contents run (no page numbers needed) that ends where an entry comes round
    again or a heading stands over body text; page numbers on their own lines mark entries too; a
    flattened table of serial numbers and unnumbered cells is not a contents page."""
    from nlp.sections.features import toc_flags

    entries = ["一、部门基本情况", "二、部门整体支出情况", "三、绩效指标完成情况", "四、存在的问题"]
    body = ["一、部门基本情况", "本局负责全县档案的收集、整理和保管，核定编制8名，实有人员7人，下设两个股室。"]
    blocks = parse(_doc("\n".join(["某县档案局2023年度部门整体支出绩效自评报告", "目  录", *entries, *body])))
    flags = toc_flags(blocks)
    texts = [b.text.strip() for b in blocks]
    first_entry = texts.index(entries[0])
    assert flags[first_entry : first_entry + len(entries)] == [True] * len(entries)
    assert not flags[0] and not any(flags[first_entry + len(entries) :])

    paged = []
    for k, e in enumerate(entries):
        paged += [e, str(2 + 3 * k)]
    blocks = parse(_doc("\n".join(["某县档案局2023年度绩效自评报告", *paged, *body])))
    flags = toc_flags(blocks)
    assert sum(flags) >= len(paged) - 1 and not flags[-1]

    table = ["序号", "单位名称", "单位性质", "1", "某县档案局", "行政单位", "2", "某县档案馆", "事业单位", "3",
             "某县史志办", "事业单位", "4"]
    assert not any(toc_flags(parse(_doc("\n".join(["决算单位构成", *table])))))


def test_glossary_and_chart_flags() -> None:
    """Definition lines in a run are a glossary even without their heading; one definition in prose
    is not. The placeholder series names of a flattened chart mark its data and its title."""
    from nlp.sections.features import chart_flags, glossary_flags

    gloss = ["（四）其他情况说明", "本年度无其他需要说明的事项。", "1.财政拨款收入：指本级财政当年拨付的资金。",
             "2.事业收入：指事业单位开展专业业务活动取得的收入。", "3.基本支出：指为保障机构正常运转发生的支出。",
             "4.一般公共服务（类）行政运行（项）：反映行政单位的基本支出。"]
    blocks = parse(_doc("\n".join(gloss)))
    flags = glossary_flags(blocks)
    assert [b.text[:2] for b, f in zip(blocks, flags, strict=True) if f] == ["1.", "2.", "3.", "4."]
    lone = ["二、部门整体支出情况", "基本支出：指为保障机构正常运转发生的支出，本年为120万元。", "项目支出80万元。"]
    assert not any(glossary_flags(parse(_doc("\n".join(lone)))))

    chart = ["五、其他说明", "本年收入结构图", "系列 1\t", "2022年\t2023年\t120.5\t系列 2\t", "2022年\t2023年\t98.1\t",
             "六、存在的问题", "资金拨付滞后。"]
    blocks = parse(_doc("\n".join(chart)))
    flagged = [b.text.strip() for b, f in zip(blocks, chart_flags(blocks), strict=True) if f]
    assert flagged[0] == "本年收入结构图" and "资金拨付滞后。" not in flagged and len(flagged) >= 3


def test_other_rules_take_their_training_rate() -> None:
    """A block a rule marks gets `other` with the rule's smoothed training rate; rules that held less
    than half the time, and unmarked blocks, keep the model's probabilities."""
    from nlp.sections.features import DocFeatures
    from nlp.sections.model import SklearnSectionTagger

    model = SklearnSectionTagger()
    model.rule_other_ = {"toc": 0.9, "glossary": 0.4}
    p = np.full((3, len(SECTION_LABELS)), 1.0 / len(SECTION_LABELS))
    feats = DocFeatures(feats=[{}, {}, {}], heading_of=[-1] * 3, section_start=[0] * 3,
                        rules={"toc": [True, False, False], "glossary": [False, True, False]})
    out = model._apply_rules(p.copy(), feats)
    other = SECTION_LABELS.index("other")
    assert out[0, other] == pytest.approx(0.9 + 0.1 / len(SECTION_LABELS))
    assert np.allclose(out[1:], p[1:]) and np.allclose(out.sum(axis=1), 1.0)
