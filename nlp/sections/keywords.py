"""A hand-written map from heading words to section labels.

Why: headings name their sections in a small, stable vocabulary (存在的问题, 改进措施 …). The
map labels headings confidently where it can, which gives (a) silver training labels for every
report without gold and (b) the fallback tagger used when no trained model is available.
The first rule that matches wins, so the specific ones come first; where a heading names both
problems and measures, the one named first decides ("存在的问题及整改措施" opens problems).
"""
from __future__ import annotations

import re
from functools import lru_cache

# (label, pattern) — patterns are matched against a heading's text without its numbering.
HEADING_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("other", re.compile(r"目录|名词解释|其他需要说明|其他说明|附件|附表|附：|联系人|联系电话|填报")),
    ("measures", re.compile(r"改进|整改|措施|建议|下一步|今后|工作计划|打算|意见|努力方向|结果应用|应用情况")),
    ("problems", re.compile(r"问题|不足|偏差|原因分析|未完成原因|困难|差距|短板")),
    ("indicators", re.compile(r"绩效目标|绩效指标|指标|自评结论|评价结论|综合评价|自评得分|得分|评分|等级|"
                              r"产出|效益|满意度|评价结果|自评结果|绩效情况|目标完成|目标设定|自评表|评价表|目标表")),
    ("budget", re.compile(r"预算|决算|收入|支出|资金|经费|财务|资产|采购|三公|收支|拨款|结转|结余|会计|成本")),
    ("duties", re.compile(r"职能|职责|机构|编制|人员|部门概况|单位概况|基本情况|部门简介|单位简介|概况|"
                          r"主要任务|组织架构|内设")),
    ("achievements", re.compile(r"成效|成绩|完成情况|工作开展|履职|主要工作|重点工作|亮点|经验|做法")),
    ("other", re.compile(r"评价工作|自评工作|组织实施|评价方法|评价依据|评价过程|工作开展情况|报告|说明")),
]

_PROBLEM_AND = re.compile(r"(?:问题|不足|偏差)[及和与、]")

_STRIP = re.compile(r"^[#\s]*(?:第[一二三四五六七八九十\d]+[部分章节篇]+|[（(]?[一二三四五六七八九十\d]+[）)、．.]?|"
                    r"[①②③④⑤⑥⑦⑧⑨⑩])?\s*")


@lru_cache(maxsize=16384)
def heading_label(text: str) -> str | None:
    """The label a heading's words name, or None when they name none confidently.

    (Cached: headings and short cells recur within and across reports, and the answer is a string.)"""
    body = _STRIP.sub("", text, count=1)[:40]
    if not body:
        return None
    for label, rx in HEADING_RULES:
        m = rx.search(body)
        if m:
            if label == "measures":  # "问题及整改": the problem named first opens the section
                p = HEADING_RULES[2][1].search(body)
                if p and p.start() < m.start() and _PROBLEM_AND.search(body):
                    return "problems"
            return label
    return None


# words in ordinary text that lean towards one label (for the fallback tagger only)
TEXT_CUES: dict[str, tuple[str, ...]] = {
    "problems": ("问题", "不足", "不够", "有待", "欠缺", "滞后", "较慢", "偏低", "不到位"),
    "measures": ("加强", "进一步", "完善", "提高", "强化", "建议", "确保", "推进", "落实"),
    "budget": ("万元", "预算", "决算", "支出", "收入", "经费", "资金"),
    "indicators": ("指标", "得分", "分值", "满意度", "完成率", "%", "自评"),
    "duties": ("职责", "编制", "内设", "机构", "负责"),
    "achievements": ("开展", "完成", "取得", "成效"),
}
