"""The checks' fast paths give what the plain ones give: the report's own grade bands, read with
patterns compiled once and searched only where their comparison words are."""
from __future__ import annotations

import re

import pytest

from nlp.checks import _BANDS, grade_bands
from nlp.document import Document


def _bands_by_inline_patterns(text: str) -> tuple:
    """The reading as first written: both patterns searched for every grade."""
    text = re.sub(r"\s+", "", text)
    found: dict[str, float] = {}
    for grade, pat in (("优秀", r"优秀|优"), ("良好", r"良好|良"), ("中", r"中等|中|一般|合格")):
        m = re.search(rf"(?:得分|分数|总分|评分)?(?:≥|>=|大于等于|不低于)\s*(\d{{2}})分?(?:（含）)?(?:为|评为|的为|[,，]?等级为)[“\"]?(?:{pat})", text) \
            or re.search(rf"(\d{{2}})分(?:（含）|\(含\))?(?:以上|及以上)(?:（含\d+分）)?(?:为|评为|的为)[“\"]?(?:{pat})", text)
        if m:
            found[grade] = float(m.group(1))
    if "优秀" not in found:
        return _BANDS
    hi = found["优秀"]
    return ((hi, ("优秀",)), (found.get("良好", min(80.0, hi - 5)), ("良好",)), (found.get("中", 60.0), ("中", "一般")),
            (-1e9, ("差",)))


@pytest.mark.parametrize("lines", [
    ["评分标准：得分≥85分为优秀，75分≤得分＜85分为良好，60分以上为中。"],
    ["总分90分（含）以上为优秀，80分以上为良好，60分及以上为合格。"],
    ["得分 大于等于 92 分为“优”", "得分不低于80分的为良"],
    ["自评得分95分，等级为优秀。"],
    ["85分以上为优秀", "得分≥70分为良好"],
    [""],
])
def test_grade_bands_equal_the_inline_patterns(lines: list[str]) -> None:
    doc = Document(doc="t.txt", lines=lines)
    assert grade_bands(doc) == _bands_by_inline_patterns(doc.text)
