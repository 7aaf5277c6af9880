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
