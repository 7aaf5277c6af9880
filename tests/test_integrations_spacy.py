"""spaCy components on a blank Chinese pipeline with the jieba segmenter."""
from __future__ import annotations

import subprocess
import sys

import pytest

spacy = pytest.importorskip("spacy")

REPORT = "\n".join([
    "某县水利局2024年度部门整体支出绩效自评报告",
    "一、部门基本情况",
    "本局编制人数12人，实有人数11人，负责全县水资源管理工作。",
    "二、预算执行情况",
    "年初预算数为356.20万元，全年实际支出340.50万元，预算执行率为95.6%。",
    "三、存在的问题",
    "一是预算编制不够精细；二是部分项目进度滞后。",
    "四、下一步改进措施",
    "进一步加强预算执行监控，提高资金使用效益。",
])


@pytest.fixture(scope="module")
def pipeline():
    from nlp.integrations.spacy import blank_pipeline

    return blank_pipeline()


def test_factories_found_by_name_through_entry_points():
    # a fresh interpreter that never imports our package: spaCy must find the factories itself
    code = ("import spacy, sys; n = spacy.blank('zh'); n.add_pipe('report_sections'); n.add_pipe('report_figures'); "
            "print(n.pipe_names, 'nlp.integrations.spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['report_sections', 'report_figures'] True"


def test_blocks_carry_sections(pipeline):
    doc = pipeline(REPORT)
    blocks = doc.spans["blocks"]
    assert len(blocks) >= 8
    by_text = {span.text: span for span in blocks}
    problem = next(s for t, s in by_text.items() if t.startswith("一是预算编制"))
    assert problem._.section == "problems"
    assert abs(sum(problem._.section_scores.values()) - 1.0) < 1e-6
    assert 0.0 <= problem._.section_confidence <= 1.0
    assert problem._.line_start == 7
    measure = next(s for t, s in by_text.items() if t.startswith("进一步加强"))
    assert measure._.section == "measures"
    assert measure._.heading_path[-1].endswith("下一步改进措施")


def test_figures_are_entities_with_values(pipeline):
    doc = pipeline(REPORT)
    ents = {ent.text: ent for ent in doc.ents}
    assert "356.20万元" in ents
    budget = ents["356.20万元"]
    assert budget.label_ == "AMOUNT"
    assert budget._.value == pytest.approx(3562000.0)
    assert budget._.unit == "元"
    assert budget._.metric == "budget_initial"
    rate = ents["95.6%"]
    assert rate.label_ == "PERCENT" and rate._.value == pytest.approx(95.6)
    assert rate._.metric == "execution_rate"
    staff = ents["12人"]
    assert staff.label_ == "COUNT" and staff._.metric == "staff_authorized"


def test_segmenter_uses_domain_dictionary(pipeline):
    doc = pipeline("三公经费预算执行率较低")
    words = [t.text for t in doc]
    assert "三公经费" in words and "预算执行率" in words
