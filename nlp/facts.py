"""Report facts: the reporting unit, the fiscal year and the canonical metrics of CONTRACT.md.

Why not simply take the first figure tagged with a metric: a report states the same quantity many
times (summary sentence, table cell, indicator table) and states many look-alikes (a project's
execution rate, an indicator's score, the basic-expenditure budget). So every figure mention is
read again in its clause: which *subject* it is about (the whole unit, basic expenditure, a
project, the "three public" funds, one indicator …) and which *measure* (budget, adjusted budget,
expenditure, rate, score …). Subject and measure together name the metric; mentions of a metric
then compete, and a clearly labelled summary sentence beats a table cell, the overall figure
beats a part's, agreement between mentions adds weight. The chosen fact's confidence comes from a
small calibrated model (``models/facts``) over the features of that competition.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter
from typing import Any

from nlp.document import Block, Document, Fact, Figure

MONEY_METRICS = (
    "revenue_total", "budget_initial", "budget_adjusted", "expenditure_total", "basic_expenditure",
    "project_expenditure", "personnel_expenditure", "public_expenditure", "three_public_expenditure",
)
STAFF_METRICS = ("staff_authorized", "staff_actual")
# A sentence figure whose clause names no measure nor subject is not taken on the extractor's word
STRICT_SENTENCES = True


@dataclass(slots=True)
class FactsFound:
    """What :func:`extract_facts` found for one report."""

    department: str | None = None
    year: int | None = None
    facts: dict[str, Fact] = field(default_factory=dict)
    department_confidence: float = 0.0
    year_confidence: float = 0.0
    department_alternatives: list[dict[str, Any]] = field(default_factory=list)
    features: dict[str, dict[str, float]] = field(default_factory=dict)  # per key, for the confidence model


# ------------------------------------------------------------------------------------ lexicon
# Measures: what is measured, regardless of whose money it is. Longest match wins at equal end.
_MEASURES: list[tuple[str, str, float]] = [
    # (regex, measure, exactness)
    (r"本年收入合计|收入合计|收入总计|总收入|收入决算数?|本年度?收入|年度收入|全年收入", "revenue", 1.0),
    (r"(?:财政)?(?:预算)?拨款收入|收入", "revenue", 0.6),
    (r"调整后(?:的)?(?:全年)?预算(?:数|总额|金额)?|全年预算(?:数|总额|金额)?|调整预算数?|调整后预算|预算调整(?:后|为)(?:的)?(?:预算)?(?:数|金额)?",
     "budget_adjusted", 1.0),
    (r"年初(?:批复)?预算(?:数|安排|总额|金额)?|年初安排|批复(?:的)?预算(?:数|金额)?|下达预算(?:数|金额)?"
     r"|(?:收入|支出)预算(?:数)?|(?:总体|总)预算|预算(?:数|金额|总额|安排|资金)|预算批复(?:数|金额)?|批复金额|[“\"]?二下[”\"]?批复数|指标金额", "budget", 1.0),
    (r"预算", "budget", 0.5),
    (r"本年支出合计|支出合计|支出总计|总支出|支出决算数?|全年执行数|实际支出(?:资金|金额|数)?|本年度?支出|年度支出"
     r"|全年支出|实际完成数|执行金额|执行数|已执行|决算数|实际使用|实际到位并支出|开支额|实际开支|累计支出|决算支出", "expenditure", 1.0),
    (r"支出(?:金额|总额)?", "expenditure", 0.5),
    (r"预算执行率|资金执行率|执行率|完成预算|预算完成率|支出进度|执行进度", "rate", 1.0),
    (r"自评(?:综合)?得分|自评分数?|综合(?:评价)?得分|总得分|总分|评价得分|最终得分|得分|评分|自评结果|评价总分|考核得分", "score", 1.0),
    (r"编制(?:人数|数|总数)|核定(?:编制)?|人员编制|编制", "authorized", 1.0),
    (r"实有(?:全额)?(?:在职)?(?:人数|人员)?|实际(?:在职)?人数|在职(?:在编)?(?:人员|人数)?|在编人员|职工总数", "actual", 1.0),
]
# Subjects: whose money (or which part). "other" blocks inheritance and disqualifies totals.
_SUBJECTS: list[tuple[str, str]] = [
    (r"基本支出|基本经费", "basic"),
    (r"项目支出|项目经费", "project"),
    (r"项目资金|专项资金|专项经费|项目", "project_loose"),
    (r"人员经费|人员类(?:经费|项目)?|人员支出", "personnel"),
    (r"(?:日常)?公用经费", "public"),
    (r"[“\"‘']?三公[”\"’']?经费", "three_public"),
    (r"公务接待|公务用车|公车|因公出国|出国经费", "three_public_part"),
    (r"一般公共预算|政府性基金|国有资本经营|社会保险基金|上级补助|事业收入|经营收入|其他收入|附属单位"
     r"|结转|结余|上年|去年|同比|较上年|与\d{4}年相比|比\d{4}年|减少|增加|下降|增长|调减|调增|追加|调剂|收支总计"
     r"|该指标|指标值|权重|分值|目标值|政府采购|机关运行|资产|到位资金|资金共计|总投资|占|工资福利|商品和服务|对个人和家庭"
     r"|资本性支出|合同|价款|中标|审定|涉及|本级|对下|下级|二层单位|所属单位|[（(][类款项][)）]|满分|未达到|低于|高于|超过|不足|不得|应当|每|扣", "other"),
    (r"(?:行政|事业|工勤|机关工勤|全额拨款事业单位|参公|政法专项)(?:人员)?编制", "part_staff"),
    (r"离休|退休|离退休|临聘|雇员|聘用|学生|借调", "other_staff"),
]
_MEASURE_RX = [(re.compile(p), m, e) for p, m, e in _MEASURES]
_SUBJECT_RX = [(re.compile(p), s) for p, s in _SUBJECTS]
_SENTENCE_END = re.compile(r"[。；;！？!?]")
_WHOLE_HINT = re.compile(r"整体|部门|综合|总分|全年|总体|本单位|我单位|单位")

# (subject, measure) -> metric
_METRIC_OF: dict[tuple[str | None, str | None], str] = {
    (None, "revenue"): "revenue_total",
    (None, "budget"): "budget_initial",
    (None, "budget_adjusted"): "budget_adjusted",
    (None, "expenditure"): "expenditure_total",
    (None, "rate"): "execution_rate",
    (None, "score"): "self_score",
    (None, "authorized"): "staff_authorized",
    (None, "actual"): "staff_actual",
    ("basic", None): "basic_expenditure",
    ("basic", "expenditure"): "basic_expenditure",
    ("project", None): "project_expenditure",
    ("project", "expenditure"): "project_expenditure",
    ("personnel", None): "personnel_expenditure",
    ("personnel", "expenditure"): "personnel_expenditure",
    ("public", None): "public_expenditure",
    ("public", "expenditure"): "public_expenditure",
    ("three_public", None): "three_public_expenditure",
    ("three_public", "expenditure"): "three_public_expenditure",
}
_KIND_OF_METRIC = {m: "amount" for m in MONEY_METRICS}
_KIND_OF_METRIC.update({"execution_rate": "percent", "self_score": "score",
                        "staff_authorized": "count", "staff_actual": "count"})

_GRADES = {"优秀": "优秀", "优": "优秀", "良好": "良好", "良": "良好", "中等": "中", "中": "中",
           "一般": "一般", "较差": "差", "差": "差"}
_GRADE_RX = re.compile(
    r"(?:评价等次|绩效等次|等次|评价等级|绩效等级|自评等级|等级|评价结果|评定结果|评定为|评定等级|评级|档次|定为|结果等级)"
    r"\s*(?:为|是|评定为|属于|：|:)?\s*[“\"「『（(]?\s*(优秀|良好|中等|较差|优|良|中|一般|差)\s*[”\"」』）)]?(?![好秀等化])"
)

# ----------------------------------------------------------------------------- departments
_ORG_SUFFIX = (
    r"(?:人民政府|人民法院|人民检察院|委员会|办公室|办事处|管理局|服务中心|中心|总工会|联合会|联合社|合作社|协会|学会"
    r"|红十字会|基金会|研究会|商会|工商联|文联|侨联|妇联|残联|科协"
    r"|研究院|研究所|卫生院|医院|学校|中学|小学|幼儿园|学院|大学|博物馆|图书馆|纪念馆|文化馆|馆|局|委|办|院|所|站|队|社|部|厅|处|室|署)"
    r"(?![法理])"
)
_FIELD_RX = re.compile(
    r"(?<![托价计方])(?:部门（单位）|部门\(单位\)|部门单位|预算单位|填报单位|报送单位|被评价单位|项目单位|实施单位|主管部门|单位|部门)"
    r"\s*(?:名\s*称)?\s*(?:[（(]\s*(?:公章|盖章|签章)\s*[)）])?\s*[:：]\s*(.+)$"
)
_FIELD_ALONE_RX = re.compile(
    r"^(?:部门（单位）|部门\(单位\)|部门单位|预算单位|填报单位|被评价单位|项目单位|实施单位|单位|部门)\s*(?:名\s*称)?"
    r"(?:[（(]\s*(?:公章|盖章|签章)\s*[)）])?\s*[:：]?$"
)
_FIELD_SPACE_RX = re.compile(
    r"(?:单位名称|部门名称|预算单位名称|项目实施单位|实施单位)(?:[（(]\s*(?:公章|盖章)\s*[)）])?(?:/项目负责人)?\s*(\S.+)$"
)
_META_RX = re.compile(r"(?:发布机构|来源|信息来源|发文机关|发布单位|作者)\s*[:：]?\s*([\u4e00-\u9fff（）()]{2,40})")
_TITLE_WORDS = re.compile(r"绩效|决算|预算|自评|评价|报告|公开|说明|审计|计分表|自评表")
_TITLE_CUT = re.compile(
    r"\d{4}\s*年|\d{4}(?=\D)|部门整体|单位整体|整体支出|部门决算|单位决算|本级决算|部门预算|决算|预算|项目支出|绩效|关于|自评|专项"
)
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*(?:年\s*(度)?|(?=部门|单位|整体|项目|决算|预算|绩效))")
_DATE_CONTEXT = re.compile(r"发布|日期|时间|公告|报告日期|填报|印发|成文|打印|浏览")


_LEAD_JUNK = re.compile(
    r"^(?:机构设置|项目负责人|负责人|项目实施单位|实施单位|主管部门|预算单位|单位名称|部门名称|名称|第[一二三四五六七八九十]部分|欢迎来到"
    r"|我们|我|是|根据|按照|对|由|在|为|经|及|与|年度|年|个别|各级|该|其|本单位|本部门|本级|个省级|省级|市级|县级|无纳入|纳入|包括)+"
)
_SUFFIX_RX = re.compile(_ORG_SUFFIX)
_BAD_ORG = re.compile(r"人民政府$|财政局$|财政厅$|^中共[\u4e00-\u9fff]{1,8}委$|^[省市县区]委$|总局$")


_WS = re.compile(r"\s+")
_SEAL = re.compile(r"[（(](?:公章|盖章|签章|章)[)）]")
_ORG_THEN_WORD = re.compile(rf"{_ORG_SUFFIX}(?:部门|单位|本级)$")
_TRAILING_WORD = re.compile(r"(?:部门|单位|本级)$")
_ORG_LEAD = re.compile(r"^(?:\d{4}年度?|[（(]?\d{4}年度?[)）]?|关于|附件\d*|[-—·•\s]+|[（(][一二三四五六七八九十\d]+[)）]|\[[^\]]*\])+")
_ORG_END_CHAR = re.compile(r"[局厅委办院]")
_PLACE_HEAD = re.compile(r"[\u4e00-\u9fff]{1,5}[省市县区州]")
_BRANCH_TAIL = re.compile(r"分局$|分院$|分所$|分中心$|分会$|支队$|大队$")
_NOT_IN_NAME = re.compile(r"[\d，,。；;：:“”\"]")


def _despace(text: str) -> str:
    """``text`` without whitespace: what ``_WS.sub("", text)`` gives (the same characters count as
    whitespace for both), without the regex."""
    return "".join(text.split())


@lru_cache(maxsize=8192)
def normalise_department(name: str) -> str:
    """A department name without spaces, seal marks and trailing report words (cached: a function
    of the name, read again for every candidate)."""
    s = _despace(name)
    s = _SEAL.sub("", s)
    s = s.strip("：:，,。.、|-—_ ")
    if s.endswith(("部门", "单位", "本级")) and _ORG_THEN_WORD.search(s):  # the pattern ends in one of these
        s = _TRAILING_WORD.sub("", s)
    return s


@lru_cache(maxsize=8192)
def _clip_org(text: str) -> str | None:
    """The longest organisation-looking prefix-free span of ``text`` ending in an org suffix (cached:
    a function of the text, and titles, field values and signature lines recur)."""
    text = _despace(text)
    best = None
    for m in _SUFFIX_RX.finditer(text):
        end = m.end()
        if end > 40:
            break  # matches come in order: every later one ends further on
        if end >= 3:
            best = text[:end]
    if best is None:
        return None
    best = _ORG_LEAD.sub("", best)
    best = _LEAD_JUNK.sub("", best)
    # two names run together (重庆市财政局重庆市水利局): keep the last
    inner = [m.end() for m in _ORG_END_CHAR.finditer(best[:-1])]
    for cut in reversed(inner):
        tail = best[cut:]
        if len(tail) >= 4 and _PLACE_HEAD.match(tail) and not tail.startswith(("区", "市", "县")) \
                and not _BRANCH_TAIL.search(tail):
            best = tail
            break
    best = normalise_department(best)
    if len(best) < 3 or _NOT_IN_NAME.search(best):
        return None
    return best


_DEPT_LINE_CHARS = re.compile(r"[单部发来作简概]")
_BULLET = re.compile(r"^[-•·*\s]+")
_BRACKETED = re.compile(r"^\[\s*(.*?)\s*\]$")
_FIELD_WORDS = frozenset(("部门", "单位", "预算单位名称", "单位名称"))  # a line that is only a field's name
_META_ALONE = re.compile(r"(?:发布机构|来源|信息来源|发文机关|发布单位)\s*[:：]?")
# the name starts at its first non-space character (a name that could start on the spaces the \s* before it
# takes made the pattern quadratic on long runs of spaces)
_SHORT_NAME = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）])?\s*([^，,。（(\s][^，,。（(]{2,39}?)\s*[（(]以下简称")
_OVERVIEW = re.compile(r"^(?:第[一二三四五六七八九十]部分|[一二三四五六七八九十]、)\s*(.+?)(?:单位|部门)?(?:基本)?概况$")
_HASHES_WS = re.compile(r"^#+\s*|\s+")
_YEAR_HEAD = re.compile(r"^[（(]?\d{4}年度?[)）]?")
_YEAR_TAIL = re.compile(r"[（(]?\d{4}年度?[)）]?$")
_REPORT_WORD = re.compile(r"报告|决算|说明|公开|自评表|评价表|计分表")


def _department_candidates(document: Document) -> list[dict[str, Any]]:
    """Candidate names with where they come from: field, title, metadata, signature."""
    lines = document.lines
    nonempty = [(i + 1, s) for i, ln in enumerate(lines) if (s := ln.strip())]
    cands: list[dict[str, Any]] = []

    def add(name: str | None, source: str, line: int, weight: float) -> None:
        if name and 3 <= len(name) <= 40:
            cands.append({"name": name, "source": source, "line": line, "weight": weight})

    for idx, (no, text) in enumerate(nonempty):
        if not _DEPT_LINE_CHARS.search(text):
            continue  # every pattern below needs one of these characters (单位/部门, 发布/来源/作者, 简称, 概况)
        t = text.replace("\t", " ")
        if t[0] in "-•·*":  # ``text`` is stripped: a leading run to drop starts with a bullet
            t = _BULLET.sub("", t)
        t = t.strip("| ")
        if t.startswith("["):
            t = _BRACKETED.sub(r"\1", t)
        # each pattern is tried only where the words it needs are there (a colon; 名称 or 实施单位)
        m = (_FIELD_RX.search(t) if ":" in t or "：" in t else None) or (
            _FIELD_SPACE_RX.search(t) if "名称" in t or "实施单位" in t else None)
        if m is None and "|" in t:
            cells = [c.strip() for c in t.split("|") if c.strip()]
            for a, b in zip(cells, cells[1:], strict=False):
                if re.fullmatch(r"(?:部门|单位|部门（单位）|单位名称|部门名称|预算单位名称|部门单位名称)(?:[（(]公章[)）])?", a):
                    org = _clip_org(b)
                    if org and org == normalise_department(b):
                        add(org, "field", no, 3.0)
                    break
        if m and not re.search(r"主管部门", t[: m.start(1)]) and not re.search(r"联系|电话|日期", t[: m.start(1)]):
            val = re.split(r"\s+(?=\S{1,8}[:：])|\s{2,}(?=\S*(?:联系|电话|日期|负责人|填表|编码))|\||/|填报日期|联系人"
                           r"|日期|电话|单位负责人|负责人|填表人", m.group(1).strip())[0]
            add(_clip_org(val), "field", no, 3.0)
        elif m and "主管部门" in t[: m.start(1)]:
            add(_clip_org(m.group(1)), "field_parent", no, 1.0)
        elif _FIELD_ALONE_RX.match(flat_t := _despace(t)) or flat_t.replace("|", "") in _FIELD_WORDS:
            for no2, text2 in nonempty[idx + 1: idx + 12]:
                cells = [c for c in re.split(r"[|\t]", text2) if c.strip()] or [text2]
                for c in cells:
                    org = _clip_org(c)
                    if org and org == normalise_department(re.sub(r"\s+", "", c)):
                        add(org, "field", no2, 3.0)
                        break
                else:
                    continue
                break
        mm = _META_RX.search(t) if idx < 25 else None  # a metadata line counts only near the top
        if mm:
            add(_clip_org(mm.group(1)), "meta", no, 1.0)
        elif idx < 25 and _META_ALONE.fullmatch(t) and idx + 1 < len(nonempty):
            nxt = _BULLET.sub("", nonempty[idx + 1][1]).strip()
            add(_clip_org(nxt), "meta", nonempty[idx + 1][0], 1.0)
        ms = _SHORT_NAME.match(t) if "以下简称" in t else None
        if ms:
            add(_clip_org(ms.group(1)), "title", no, 2.5)
        flat = "".join(t.split()) if "概" in t and "况" in t else ""  # t without whitespace, where it can end in 概况
        mo = _OVERVIEW.match(flat) if flat.endswith("概况") else None
        if mo:
            add(_clip_org(mo.group(1)), "title", no, 2.5)

    # title: the first lines that read like a report title, and a bare org line just above one
    head = nonempty[:25]
    for k, (no, text) in enumerate(head):
        t = _HASHES_WS.sub("", text) if text.startswith("#") else _despace(text)
        if len(t) <= 80 and _TITLE_WORDS.search(t):
            stripped = _YEAR_HEAD.sub("", t)
            cut = _TITLE_CUT.search(stripped)
            prefix = stripped[: cut.start()] if cut else stripped
            org = _clip_org(prefix)
            if org and org == normalise_department(prefix):
                add(org, "title", no, 3.0 if k < 8 else 2.5)
            if k > 0 and not org and len(t) >= 6 and _REPORT_WORD.search(t):
                pno, ptext = head[k - 1]
                p = _HASHES_WS.sub("", ptext) if ptext.startswith("#") else _despace(ptext)
                p = _YEAR_TAIL.sub("", p)
                porg = _clip_org(p)
                if porg and porg == normalise_department(p):
                    add(porg, "title", pno, 3.0)
    # signature: a bare org name among the last lines
    for no, text in nonempty[-8:]:
        t = _despace(text)
        if len(t) > 30:
            continue  # too long for a bare name, whatever _clip_org finds in it
        org = _clip_org(t)
        if org and org == normalise_department(t):
            add(org, "signature", no, 2.0)
    return cands


def _region_orgs(text: str) -> list[str]:
    """Organisation names with a place in them (某某县卫生健康局), found by walking back from each
    org suffix over Chinese characters (no backtracking regex: linear on any input)."""
    out = []
    for m in _SUFFIX_RX.finditer(text):
        j = m.start()
        while j > 0 and m.start() - j < 28 and ("\u4e00" <= text[j - 1] <= "\u9fff" or text[j - 1] in "（）()"):
            j -= 1
        chunk = text[j:m.end()]
        k = next((x for x, ch in enumerate(chunk) if ch in "省市县区州盟旗" and x >= 1), None)
        if k is not None and len(chunk) - k <= 18:
            out.append(chunk[max(0, k - 12):])
    return out


def _same_org(a: str, b: str) -> bool:
    return (a in b or b in a) and min(len(a), len(b)) >= 0.6 * max(len(a), len(b))


_CLAUSE_WORDS = re.compile(r"建议|要求|同时|意见|根据|按照|通过|以及")


def flat_text(document: Document) -> str:
    """The document's text without whitespace, made once per document (department, year and the
    grade bands all read it)."""
    memo = _doc_readings(document)
    flat = memo.get("flat_text")
    if flat is None:
        flat = memo["flat_text"] = _despace(_joined(document))
    return flat


def _joined(document: Document) -> str:
    """``document.text`` (the lines joined), made once per document."""
    memo = _doc_readings(document)
    text = memo.get("text")
    if text is None:
        text = memo["text"] = document.text
    return text


def _lines_with(document: Document, char: re.Pattern[str]) -> list[int]:
    """Indices of the lines holding a character of the class ``char``, in order: one scan of the
    joined text instead of a search per line (a match's line is the count of newlines before it)."""
    lines = document.lines
    text = _joined(document)
    if text.count("\n") != len(lines) - 1:  # a line with a newline of its own: search each line
        return [i for i, ln in enumerate(lines) if char.search(ln)]
    out: list[int] = []
    pos = line = 0
    for m in char.finditer(text):
        p = m.start()
        line += text.count("\n", pos, p)
        pos = p
        if not out or out[-1] != line:
            out.append(line)
    return out


def find_department(document: Document) -> tuple[str | None, dict[str, Any]]:
    """The reporting unit and the evidence for it (features for the confidence model)."""
    cands = _department_candidates(document)
    text = flat_text(document)
    if not cands:
        # fall back to the organisation named most often (at least twice), not a government or auditor
        counts = Counter(_clip_org(_CLAUSE_WORDS.split(name)[-1])
                         for name in _region_orgs(text[:6000]))
        counts.pop(None, None)
        for n in list(counts):  # a name inside a longer match (机构设置某某局) counts for the name
            for longer in counts:
                if longer != n and longer.endswith(n):
                    counts[n] += counts[longer]
        ranked = [(n, c) for n, c in counts.most_common()
                  if c >= 2 and not _BAD_ORG.search(n) and re.search(r"[省市县区州盟旗乡镇]", n)]
        if not ranked:
            return None, {"n_candidates": 0}
        name, n = ranked[0]
        return name, {"n_candidates": len(ranked), "best_source": "text", "support": n / sum(counts.values()),
                      "agree": 0.0, "mentions": n, "score": 0.5, "line": 0, "alternatives": []}
    groups: list[dict[str, Any]] = []
    for c in cands:
        for g in groups:
            if any(_same_org(c["name"], x["name"]) for x in g["members"]):
                g["members"].append(c)
                break
        else:
            groups.append({"members": [c]})
    total_w = sum(c["weight"] for c in cands)
    for g in groups:
        g["weight"] = sum(c["weight"] for c in g["members"])
        names = Counter(c["name"] for c in g["members"])
        # prefer the fuller (formal) name among those that agree
        g["name"] = max(names, key=lambda n: (names[n] + 0.1 * len(n) if len(n) <= 30 else 0, len(n)))
        g["mentions"] = text.count(g["name"])
        g["score"] = g["weight"] + 0.3 * math.log1p(g["mentions"])
    groups.sort(key=lambda g: (-g["score"], min(c["line"] for c in g["members"])))
    best = groups[0]
    sources = {c["source"] for c in best["members"]}
    top_source = max(best["members"], key=lambda c: c["weight"])["source"]
    info = {
        "n_candidates": len(groups),
        "best_source": top_source,
        "support": best["weight"] / total_w if total_w else 0.0,
        "agree": float(len(sources)),
        "mentions": best["mentions"],
        "score": best["score"],
        "line": min(c["line"] for c in best["members"]),
        "alternatives": [{"value": g["name"], "line": min(c["line"] for c in g["members"]),
                          "why": f"weaker evidence ({', '.join(sorted({c['source'] for c in g['members']}))})"}
                         for g in groups[1:5]],
    }
    return best["name"], info


_YEAR_MONTH = re.compile(r"\d{4}年\d{1,2}月")
_YEAR_DU = re.compile(r"\d{4}年度")
_YEAR_ALONE = re.compile(r"[（(]?\d{4}年度?[)）]?")
_YEAR_OF_DU = re.compile(r"((?:19|20)\d{2})年度")
_YEAR_NOT_DATE = re.compile(r"((?:19|20)\d{2})年(?!\d{1,2}月\d{1,2}日)")


def find_year(document: Document) -> tuple[int | None, dict[str, Any]]:
    """The fiscal year evaluated: from the title, else the most stated ``YYYY年度``."""
    first = []  # the first 14 non-empty lines
    for ln in document.lines:
        if ln.strip():
            first.append(ln.strip())
            if len(first) == 14:
                break
    title_years: list[tuple[int, int, bool]] = []
    for k, text in enumerate(first):
        if "1" not in text and "2" not in text:
            continue  # no year on this line (a title year is 19xx or 20xx)
        t = _despace(text)
        if _DATE_CONTEXT.search(t) and not _TITLE_WORDS.search(_DATE_CONTEXT.sub("", t)):
            continue
        if _YEAR_MONTH.search(t) and not _YEAR_DU.search(t):
            continue
        if _TITLE_WORDS.search(t) or _YEAR_ALONE.fullmatch(t):
            for m in _YEAR_IN_TITLE.finditer(t):
                y = int(m.group(1))
                if 1990 <= y <= 2035:
                    title_years.append((k, y, bool(m.group(2))))
    whole = flat_text(document)
    du = Counter(int(y) for y in _YEAR_OF_DU.findall(whole) if 1990 <= int(y) <= 2035)
    plain = Counter()
    for ln in document.lines:
        if "年" not in ln:
            continue  # (a substring test per line beats a scan of the joined text for one character)
        if "1" not in ln and "2" not in ln:
            continue  # no year on this line (19xx, 20xx)
        t = _despace(ln)
        if _DATE_CONTEXT.search(t):
            continue
        for m in _YEAR_NOT_DATE.finditer(t):
            y = int(m.group(1))
            if 1990 <= y <= 2035:
                plain[y] += 1
    info: dict[str, Any] = {"title": 0.0, "du": float(sum(du.values())), "agree": 0.0, "n_years": float(len(plain))}
    if title_years:
        # a 年度 year in the title beats a plain one; the earliest title line wins
        title_years.sort(key=lambda x: (not x[2], x[0]))
        y = title_years[0][1]
        info["title"] = 1.0
    elif du:
        y = du.most_common(1)[0][0]
    elif plain and plain.most_common(1)[0][0] >= 2005 and (plain.most_common(1)[0][1] >= 2 or len(plain) == 1):
        y = plain.most_common(1)[0][0]
    else:
        # only dates: the year a 12月31日 closes, else the year before publication
        ends = Counter(int(x) for x in re.findall(r"((?:19|20)\d{2})年12月31日", whole))
        pub = re.search(r"(?:发布|成文|公开)(?:日期|时间)\s*[:：]?\s*((?:19|20)\d{2})", whole)
        if ends:
            y = ends.most_common(1)[0][0]
        elif pub:
            y = int(pub.group(1)) - 1
        else:
            return None, info
        info["agree"] = 0.0
        return y, info
    tot = sum(plain.values()) or 1
    info["agree"] = plain.get(y, 0) / tot
    return y, info


# ------------------------------------------------------------------------------- metrics
@dataclass(slots=True)
class Mention:
    """One figure read as a candidate for a metric."""

    metric: str
    figure: Figure
    exact: float
    qualified: bool
    source: str  # "text" (our reading of its clause) or "figure" (the extractor's metric)
    score: float = 0.0
    why: str = ""
    penalty: float = 0.0


def _nearest(rx_list: list, text: str, any_rx: re.Pattern[str] | None = None) -> tuple[Any, int, int] | None:
    """The match closest to the end of ``text`` (then the longest). ``any_rx``, the union of the
    list's patterns, rules out in one search the texts where none of them matches (most do not)."""
    best = None
    n = len(text)
    if not n or (any_rx is not None and any_rx.search(text) is None):
        return None
    # Most patterns match nowhere in a clause: one search each, in a comprehension, finds those that do.
    for entry, m in [(entry, m) for entry in rx_list if (m := entry[0].search(text)) is not None]:
        rx = entry[0]
        # Overlapping matches (人员编制数 holds 人员编制 and 编制数): the match at every start
        # position. ``search`` from the next position lands on the next position where ``match``
        # succeeds, so positions without a match are skipped in C instead of tried one by one.
        while True:
            s, e = m.span()
            if e != s and s < n:
                key = (e, e - s)
                if best is None or key > best[0]:
                    best = (key, entry, m)
            if s + 1 >= n:
                break
            m = rx.search(text, s + 1)
            if m is None:
                break
    if best is None:
        return None
    return best[1], best[2].start(), best[2].end()


_NEAREST_LISTS: dict[str, list] = {"measure": _MEASURE_RX, "subject": _SUBJECT_RX,
                                    "measure_full": [x for x in _MEASURE_RX if x[2] >= 1.0]}


def _first_chars(items: Any) -> set[str] | None:
    """The characters a match of the parsed pattern ``items`` can start with, or None when any
    character can (a class, a dot, a look-around, or a pattern that can match nothing)."""
    from re import _constants as sre  # type: ignore[attr-defined]

    out: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            return out | {chr(av)}
        if op is sre.IN:
            for o, a in av:
                if o is sre.LITERAL:
                    out.add(chr(a))
                elif o is sre.RANGE and a[1] - a[0] < 256:
                    out.update(chr(c) for c in range(a[0], a[1] + 1))
                else:
                    return None
            return out
        if op is sre.SUBPATTERN:
            if av[1] or av[2]:
                return None  # inline flags (?i:…) change what a character matches
            alts, optional = [av[3]], False
        elif op is sre.BRANCH:
            alts, optional = av[1], False
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            alts, optional = [av[2]], av[0] == 0
        else:
            return None
        for alt in alts:
            got = _first_chars(alt)
            if got is None:
                return None
            out |= got
            if "" in got:  # the alternative can match the empty string
                optional = True
        out.discard("")
        if not optional:
            return out
    return out | {""}  # the whole sequence can match the empty string


def _any_of(rx_list: list) -> re.Pattern[str] | None:
    """One pattern that matches somewhere exactly when one of the list's does: their alternation,
    behind a look-ahead for the characters a match can start with, so a search skips other
    positions in one test (without it, the alternation is slower than the separate searches).
    None, and every pattern searched, where the first characters cannot be known (re's parser
    is internal: a Python without it gets no prefilter, not an error)."""
    starts: set[str] = set()
    try:
        from re import _parser  # type: ignore[attr-defined]

        for entry in rx_list:
            if entry[0].flags & re.IGNORECASE:
                return None
            got = _first_chars(_parser.parse(entry[0].pattern))
            if got is None or "" in got:
                return None
            starts |= got
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    head = "".join(re.escape(c) for c in sorted(starts))
    return re.compile(f"(?=[{head}])(?:" + "|".join(f"(?:{entry[0].pattern})" for entry in rx_list) + ")")


_NEAREST_ANY: dict[str, re.Pattern[str] | None] = {which: _any_of(rx_list) for which, rx_list in _NEAREST_LISTS.items()}


@lru_cache(maxsize=16384)
def _nearest_of(which: str, text: str) -> tuple[Any, int, int] | None:
    """``_nearest`` over one of the lexicon's pattern lists, cached: a function of the text only,
    and clause fragments (年初预算数为, 其中：基本支出) recur within and across reports."""
    return _nearest(_NEAREST_LISTS[which], text, _NEAREST_ANY[which])


_NEUTRAL_END = re.compile(r"(?:年|年度|全年|实际|总|拨款|本年|部门|整体|单位|局|共|计|安排|[、，,：:为（(\s])$")


def _accept_generic_expenditure(seg: str, start: int) -> bool:
    """Generic 支出 counts only after a neutral word, not after a category (一般公共服务支出)."""
    before = seg[:start]
    return not before or bool(_NEUTRAL_END.search(before))


@dataclass(slots=True)
class _Reading:
    subject: str | None
    measure: str | None
    exact: float
    seg: str
    penalty: float = 0.0
    part: bool = False  # introduced by 其中 (a part of something larger)


_GAP_BREAK = re.compile(r"[，,、（(；]")
# a clause ending in one of these (the clause has no whitespace, so no newline for ``$`` to skip)
_PER_EACH = ("各", "每", "平均", "人均", "生均", "户均", "均为", "分别", "分别为")
_SHORT_PAREN = re.compile(r"[（(][^（()）]{1,4}[)）]")
_GAP_CLOSE = re.compile(r"[）)，,；]")
_MONEY_WORD_HEAD = re.compile(r"^(?:支出|经费|资金|金额|总额|决算数?|合计)")
_GAP_FILL = re.compile(r"^(?:为|是|达|达到|共计|合计|总计|计|约|[:：]|（万元）|\(万元\))*$")


def _read_clause(line: str, fig: Figure, prev_end: int, carry: str = "") -> _Reading:
    """Subject, measure and how plainly they are stated, read from the figure's own line.

    ``carry`` is the unfinished end of the previous line (a wrapped paragraph), read as if it
    opened this line when nothing on this line comes before the figure's clause.
    """
    start = max(0, min(fig.start, len(line)))
    last = _SENTENCE_END.search(line[start - 1::-1]) if start else None  # the last sentence end before start
    sent_start = start - last.start() if last else 0
    seg_start = max(sent_start, prev_end, start - 40)
    seg = _despace(line[seg_start:start])
    if carry and seg_start == 0:
        seg = _despace(carry)[-12:] + seg
    measure = _nearest_of("measure", seg)
    meas_name, exact, m_start, m_end = None, 0.0, len(seg), len(seg)
    if measure:
        (_, meas_name, exact), m_start, m_end = measure
        if meas_name == "expenditure" and exact < 1.0 and not _accept_generic_expenditure(seg, m_start):
            meas_name, exact, m_start, m_end = None, 0.0, len(seg), len(seg)
    if meas_name in ("authorized", "actual") and not _GAP_FILL.match(seg[m_end:]):
        meas_name, exact, m_start, m_end = None, 0.0, len(seg), len(seg)  # 编制机构1个 is no headcount
    if meas_name:
        gap = seg[m_end:]
        if not _GAP_FILL.match(gap):
            exact *= 0.6 if len(gap) <= 8 and not _GAP_BREAK.search(gap) else 0.3
    reading = _Reading(None, meas_name, exact, seg)
    if seg.endswith(_PER_EACH):
        reading.subject = "other"  # 编制各12人: a per-unit or distributed figure, not the unit's total
        return reading
    reading.part = "其中" in (seg[:m_start] if meas_name else seg)
    subj = _nearest_of("subject", seg[:m_end] if meas_name else seg)
    if subj:
        (_, subject), s_start, s_end = subj
        gap = seg[s_end:m_start] if meas_name else seg[s_end:]
        if meas_name:
            gap = _SHORT_PAREN.sub("", gap)  # 因公出国（境）费
            attached = len(gap) <= 12 and not _GAP_CLOSE.search(gap)
        else:
            attached = _GAP_FILL.match(_MONEY_WORD_HEAD.sub("", gap)) is not None
        if s_end > m_start and meas_name:  # the subject word contains the measure (项目支出 vs 支出)
            attached = True
            if subject in ("basic", "project", "personnel", "public", "three_public"):
                reading.measure, meas_name = None, None
        if attached:
            reading.subject = subject
            # a qualifier right before the subject (本级项目支出, 对下转移支付) makes it another's part
            if subject in ("basic", "project", "personnel", "public") and re.search(
                    r"(?:本级|对下|下级|所属|二层单位|一般公共预算(?:财政拨款)?|政府性基金(?:预算)?(?:财政拨款)?)$",
                    seg[:s_start]):
                reading.subject = "other"
    chained = prev_end > sent_start and prev_end >= start - 40  # a list of figures: X数A，Y数B
    if reading.subject is None and meas_name and chained:
        sentence = _despace(line[max(sent_start, seg_start - 100):seg_start])  # the clauses before, when needed
        inh = _nearest_of("subject", sentence)
        if inh:
            s = inh[0][1]
            if s in ("basic", "project", "personnel", "public", "three_public", "three_public_part", "part_staff") \
                    or meas_name == "rate":
                reading.subject = s
    if reading.subject in ("basic", "project", "personnel", "public", "three_public") and meas_name is None:
        # a part stated without its own measure takes the measure of the sentence (…预算…，其中：基本支出X)
        before = line[max(0, seg_start - 80):seg_start]
        before = _despace(before[before.rfind("。") + 1:])
        inh = _nearest_of("measure_full", before)
        if inh and inh[0][1] in ("budget", "budget_adjusted"):
            reading.penalty = 0.7
    return reading


_PROJECT_HEAD = re.compile(r"(?:项目|专项资金|专项经费|专项)(?:支出)?(?:绩效)?(?:目标)?(?:自评|评价|绩效)")


def _is_project_report(document: Document) -> bool:
    head = _despace("".join(document.lines[:12]))
    return bool(_PROJECT_HEAD.search(head)) and "整体" not in head


_LABEL_NEUTRAL = re.compile(
    r"年度资金总额|资金总额|总额|合计|总计|小计|本年|当年|全年|年度|金额|部门|整体|其中|数|总|[（(]?万元[)）]?"
    r"|[\d一二三四五六七八九十、.．:：()（）\s]"
)


_LABEL_WORDS = [r for r, _m, _e in _MEASURE_RX] + [r for r, _s in _SUBJECT_RX]
_LABEL_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def _label_year_differs(label: str, year: int | None) -> bool:
    if year is None:
        return False
    years = [int(y) for y in _LABEL_YEAR.findall(label)]
    return bool(years) and year not in years


@lru_cache(maxsize=8192)
def _read_label(label: str, year: int | None) -> tuple[str, bool, float] | None:
    """A table cell's metric from its row and column labels (``支出总额 2022年决算数``).
    Cached: a function of its arguments only, and table headers repeat across reports."""
    if _label_year_differs(label, year):
        return None  # a column of another year (上年决算数)
    return _label_metric(label)


@lru_cache(maxsize=8192)
def _label_metric(label: str) -> tuple[str, bool, float] | None:
    """What :func:`_read_label` reads once the year allows the label: a function of the label
    alone, cached apart so the checks' reading (no year) and the facts' (the report's year) share it."""
    flat = _despace(label)
    measure = _nearest(_MEASURE_RX, flat, _NEAREST_ANY["measure"])
    subj = _nearest(_SUBJECT_RX, flat, _NEAREST_ANY["subject"])
    meas_name = measure[0][1] if measure else None
    subject = subj[0][1] if subj else None
    if subject == "project_loose":
        subject = "project" if meas_name == "expenditure" else "other"
    if subject in ("other", "other_staff", "part_staff", "three_public_part"):
        return None
    if subject is not None and (subject, meas_name) not in _METRIC_OF:
        return None  # a part's budget: not a canonical fact
    metric = _METRIC_OF.get((subject, meas_name))
    if metric is None:
        return None
    if subject is None:
        rest = flat
        for rx in _LABEL_WORDS:
            rest = rx.sub("", rest)
        rest = _LABEL_NEUTRAL.sub("", rest)
        if len(rest) >= 2:
            return None  # a named row (公车运行维护, 某项目) under a total-looking column
    return metric, False, 0.6


# Readings of one document, shared by extract_facts and the checks that read the same clauses again
# (figures_agree, unit_slip): keyed by line number, figure start and context. Only the last document's
# readings are kept, so memory does not grow with the corpus and no reading crosses documents.
_READINGS: tuple[Any, dict[Any, Any]] = (None, {})


def _doc_readings(document: Document) -> dict[Any, Any]:
    """The readings memo of ``document`` (a new one for a new document). The pair is replaced in one
    assignment, so threads working on different documents never share a memo."""
    global _READINGS
    current = _READINGS
    if current[0] is not document:
        current = _READINGS = (document, {})
    return current[1]


# metrics a 其中 makes a part of; metrics a parenthesis makes a breakdown of
_TOTAL_METRICS = frozenset(("revenue_total", "budget_initial", "budget_adjusted", "expenditure_total", "execution_rate"))
_WHOLE_METRICS = frozenset((*STAFF_METRICS, "revenue_total", "expenditure_total", "execution_rate", "self_score"))
_IN_YUAN = re.compile(r"\d\s*元")
_CLAUSE_END = re.compile(r"[。；;！？!?：:]$")
_INDICATOR_WORD = re.compile(r"指标|权重|分值")
_GRADE_PART = re.compile(r"指标|项目")
_GRADE_WHOLE = re.compile(r"整体|部门|综合")
_FORMULA = re.compile(r"[/=×÷]")
_FORMULA_UNIT = re.compile(r"[（(][A-Za-z/+\-*]+[)）]")
_GRADE_BAND = re.compile(r"(?:[（(]?含[）)]?)?(?:以上|以下|及以上|及以下)?为(?:优秀|良好|优|良|中|一般|合格|差)")


# What a mention reading reads of a figure: equal tuples (and the same figures) give the same mentions.
_FIGURE_READ = attrgetter("line", "start", "end", "range_part", "comparator", "kind", "text", "value", "label",
                          "metric", "in_table", "unit")


def read_mentions(document: Document, figures: list[Figure], year: int | None = None) -> list[Mention]:
    """Every figure that states a canonical metric, read in its clause (or, for a cell, its labels).

    The last reading of the document is kept: the checks read the same figures again, without a
    year, and the year changes nothing unless a label names another year (then it is read again).
    The mentions returned are new objects each time (ranking writes their scores)."""
    memo = _doc_readings(document)
    # keyed by the figures' identities; the entry holds the figures, so no identity is reused meanwhile
    key = ("mentions", tuple(map(id, figures)))
    seen = list(map(_FIGURE_READ, figures))
    last = memo.get(key)
    if last is not None and last[0] == seen and (last[2] == year or not last[3]):
        return [Mention(m.metric, m.figure, m.exact, m.qualified, m.source, m.score, m.why, m.penalty)
                for m in last[4]]
    out, year_read = _read_mentions(document, figures, year, memo)
    memo[key] = (seen, list(figures), year, year_read,
                 [Mention(m.metric, m.figure, m.exact, m.qualified, m.source, m.score, m.why, m.penalty) for m in out])
    return out


def _read_mentions(document: Document, figures: list[Figure], year: int | None,
                   memo: dict[Any, Any]) -> tuple[list[Mention], bool]:
    """:func:`read_mentions` itself, and whether the year dropped a label (another year's column)."""
    year_read = False
    project_report = memo.get("project_report")
    if project_report is None:
        project_report = memo["project_report"] = _is_project_report(document)
    money = [f for f in figures if f.kind == "amount"]
    in_wan = sum(1 for f in money if "万" in f.text or "亿" in f.text)
    in_yuan = sum(1 for f in money if _IN_YUAN.search(f.text) and "万" not in f.text and "亿" not in f.text)
    mostly_wan = in_wan >= 3 and in_wan >= 2 * in_yuan
    by_line: dict[int, list[Figure]] = {}
    for f in figures:
        by_line.setdefault(f.line, []).append(f)
    out: list[Mention] = []
    for ln, figs in by_line.items():
        if ln < 1 or ln > len(document.lines):
            continue
        line = document.lines[ln - 1]
        carry = memo.get(("carry", ln))
        if carry is None:
            before = document.lines[ln - 2].rstrip() if ln >= 2 else ""
            carry = before if before and not _CLAUSE_END.search(before) and not before.startswith("\t") \
                and not line.startswith("\t") and "|" not in before + line else ""
            carry = memo[("carry", ln)] = carry[max(carry.rfind(c) for c in "。；;，,") + 1:] if carry else ""
        if len(figs) > 1:
            figs = sorted(figs, key=lambda f: f.start)
        prev_end = 0
        for f in figs:
            if f.range_part == 1 or f.comparator in (">=", "<=", ">", "<"):
                prev_end = max(prev_end, f.end)
                continue
            key = ("clause", ln, f.start, f.end, prev_end, carry)
            got_clause = memo.get(key)
            if got_clause is None:
                r = _read_clause(line, f, prev_end, carry)
                # a formula, not a statement; or a grading band (得分≥85分为优秀)
                # (each pattern tried only where its characters are: dropping units adds none)
                tail, after = r.seg[-25:], line[f.end: f.end + 6]
                skip = bool((_FORMULA.search(tail) and _FORMULA.search(_FORMULA_UNIT.sub("", tail)))
                            or ("为" in after and _GRADE_BAND.match(_despace(after))))
                got_clause = memo[key] = (r, skip)
            r, skip = got_clause
            prev_end = max(prev_end, f.end)
            if skip:
                continue
            subject, measure, exact = r.subject, r.measure, r.exact
            metric = None
            qualified = False
            if subject in ("project", "project_loose") and project_report \
                    and measure in ("budget", "budget_adjusted", "expenditure", "rate", "score"):
                subject = None
            if subject == "project_loose":
                subject = "project" if measure == "expenditure" else "other" if measure else "skip"
            if subject == "skip":
                continue
            if subject in ("other", "other_staff", "three_public_part"):
                qualified = True
                metric = _METRIC_OF.get((None, measure))
            elif subject == "part_staff":
                metric = _METRIC_OF.get((None, measure)) or "staff_authorized"
                qualified = True
            elif (subject, measure) in _METRIC_OF:
                metric = _METRIC_OF[(subject, measure)]
            elif subject is not None and measure is not None:
                metric = _METRIC_OF.get((None, measure))  # a part's budget/rate: a look-alike
                qualified = True
            if metric is not None and measure is None:
                exact = 0.8
            if metric in _TOTAL_METRICS and r.part and subject is None:
                qualified = True  # 其中：X预算数… is a part of a larger total
            if metric in _WHOLE_METRICS:
                opening = line[:f.start]
                if opening.count("（") + opening.count("(") > opening.count("）") + opening.count(")"):
                    qualified = True  # inside a parenthesis: a breakdown of something named before
            fig_metric = f.metric
            if metric is None and measure is None and subject is None and f.label:
                key = ("label", f.label, year)
                got_label = memo.get(key)
                if got_label is None:  # the reading, and whether the year rules the label out
                    got_label = memo[key] = (_read_label(f.label, year), _label_year_differs(f.label, year))
                got, other_year = got_label
                if got is not None and _kind_fits(got[0], f):
                    metric, qualified, exact = got
                    if metric == fig_metric or fig_metric is None:
                        fig_metric = None
                elif got is None and other_year:
                    year_read = True
                    continue
            if metric is not None and _kind_fits(metric, f):
                if metric == "self_score" and _INDICATOR_WORD.search(r.seg):
                    qualified = True
                m = Mention(metric, f, exact, qualified, "text")
                m.penalty = r.penalty
                if mostly_wan and metric in MONEY_METRICS and 0 < f.value < 10000 and "万" not in f.text:
                    m.penalty += 1.2  # 元 among 万元: a likely unit slip, let a plain mention win
                out.append(m)
                if fig_metric and fig_metric != metric and _kind_fits(fig_metric, f):
                    out.append(Mention(fig_metric, f, 0.3, False, "figure"))
            elif fig_metric and _kind_fits(fig_metric, f) and measure is None and subject is None \
                    and (f.in_table or not STRICT_SENTENCES):
                out.append(Mention(fig_metric, f, 0.5 if f.in_table else 0.4, False, "figure"))
    return out, year_read


def _kind_fits(metric: str, f: Figure) -> bool:
    want = _KIND_OF_METRIC.get(metric)
    unit = (f.unit or "").replace("％", "%")
    if want == "amount":
        return f.kind == "amount" or (f.unit in (None, "元") and f.kind in ("other", "amount") and f.in_table)
    if want == "percent":
        return f.kind == "percent" or unit == "%"
    if want == "score":
        ok_kind = f.kind == "score" or unit == "分" or (f.unit is None and f.kind in ("other", "count", "score"))
        return ok_kind and 40 <= f.value <= 100
    if want == "count":
        return (f.kind in ("count", "other") and unit in ("", "人", "名", "个", "人数")) and float(f.value).is_integer()
    return False


_GRADE_AFTER_RX = re.compile(r"(?:评为|评定为|属于|为|达到)[“\"「]?(优秀|良好|中等|较差|优|良|中|一般|差)[”\"」]?(?:等次|等级|档次|级)")


# Both grade patterns need one of these characters (等次, 等级, 评级, 评定为, 定为, 档次, 级)
_GRADE_CUE = re.compile(r"[等评档定级]")
# ... and a grade word (优秀 … 差, 一般), which holds one of these characters (on the raw line too:
# despacing only drops spaces)
_GRADE_WORD = re.compile(r"[优良中差般]")


def _grade_mentions(document: Document) -> list[dict[str, Any]]:
    out = []
    for i in _lines_with(document, _GRADE_CUE):
        if not _GRADE_WORD.search(document.lines[i]):
            continue  # both patterns end in a grade word
        t = _despace(document.lines[i])
        for m in [*_GRADE_RX.finditer(t), *_GRADE_AFTER_RX.finditer(t)]:
            ctx = t[max(0, m.start() - 20): m.start()]
            qualified = bool(_GRADE_PART.search(ctx)) and not _GRADE_WHOLE.search(ctx)
            out.append({"value": _GRADES[m.group(1)], "line": i + 1, "text": m.group(0), "qualified": qualified})
    return out


def _rank(mentions: list[Mention], n_lines: int) -> None:
    for m in mentions:
        f = m.figure
        pos = f.line / max(n_lines, 1)
        s = 1.0 * m.exact
        s += 0.5 if not f.in_table else 0.0
        s += 0.4 if m.source == "text" else 0.0
        s -= 1.5 if m.qualified else 0.0
        s -= m.penalty
        s -= 0.3 * pos
        s += 0.2 * float(f.confidence or 0.0)
        if m.metric == "self_score" and m.figure.value < 60:
            s -= 0.5
        if m.metric in ("revenue_total", "budget_initial", "budget_adjusted", "expenditure_total") and m.figure.value == 0:
            s -= 0.6  # a unit's total is hardly ever nil
        m.score = s


def _group_by_value(mentions: list[Mention]) -> list[list[Mention]]:
    groups: list[list[Mention]] = []
    for m in sorted(mentions, key=lambda x: -x.score):
        for g in groups:
            v = g[0].figure.value
            if abs(m.figure.value - v) <= max(1e-9, 0.005 * abs(v)):
                g.append(m)
                break
        else:
            groups.append([m])
    return groups


def _support(group: list[Mention]) -> int:
    """Independent agreeing mentions: distinct lines, plainly labelled, not look-alikes."""
    return max(1, len({m.figure.line for m in group if m.exact >= 0.6 and not m.qualified}))


def choose(mentions: list[Mention], n_lines: int) -> dict[str, tuple[list[list[Mention]], dict[str, float]]]:
    """Per metric: value groups best first, and the features of the competition."""
    _rank(mentions, n_lines)
    by_metric: dict[str, list[Mention]] = {}
    for m in mentions:
        by_metric.setdefault(m.metric, []).append(m)
    out = {}
    for metric, ms in by_metric.items():
        groups = _group_by_value(ms)
        for g in groups:
            g.sort(key=lambda x: -x.score)
        gscore = {id(g): g[0].score + 0.25 * min(_support(g) - 1, 3) for g in groups}
        groups.sort(key=lambda g: -gscore[id(g)])
        best = groups[0]
        top = gscore[id(best)]
        second = gscore[id(groups[1])] if len(groups) > 1 else top - 3.0
        feats = {
            "score": top,
            "margin": top - second,
            "n_mentions": float(len(ms)),
            "n_values": float(len(groups)),
            "support": len(best) / len(ms),
            "in_table": float(best[0].figure.in_table),
            "from_text": float(best[0].source == "text"),
            "exact": best[0].exact,
            "qualified": float(best[0].qualified),
            "fig_conf": float(best[0].figure.confidence or 0.0),
        }
        out[metric] = (groups, feats)
    return out


def _usable(metric: str, groups: list[list[Mention]], feats: dict[str, float]) -> bool:
    """A metric is reported only when its best reading is not a mere look-alike."""
    best = groups[0][0]
    if best.qualified:
        return False
    totals = ("revenue_total", "budget_initial", "budget_adjusted", "expenditure_total")
    plain = [g for g in groups if not g[0].qualified and not (metric in totals and g[0].figure.value == 0)]
    if best.figure.in_table and best.source == "text" and best.exact <= 0.6 and len(plain) >= 2 \
            and all(g[0].figure.in_table for g in plain):
        return False  # many tables, many values (one per project): no single report figure
    if best.source == "figure" and not best.figure.in_table and len(groups) >= 2:
        return False  # only the extractor's guess, and its guesses disagree
    return not (best.source == "figure" and best.exact < 0.35)


def _fact_value(metric: str, f: Figure) -> tuple[float, str | None]:
    if metric in MONEY_METRICS:
        return float(f.value), "元"
    if metric == "execution_rate":
        return float(f.value), "%"
    if metric == "self_score":
        return float(f.value), "分"
    return float(f.value), (f.unit or "人")


def _staff_sum(mentions: list[Mention]) -> list[Mention]:
    """Headcounts stated only by type (行政编制3名…实有3名，事业编制9名…实有9名): their sums.

    Only when both the authorised and the actual headcount come by type on one line and no total
    is stated; a single typed figure (全额事业编制166个) is the total itself.
    """
    out: list[Mention] = []
    staff = [m for m in mentions if m.metric in STAFF_METRICS]
    for metric in STAFF_METRICS:
        plain = [m for m in staff if m.metric == metric and not m.qualified]
        parts = [m for m in staff if m.metric == metric and m.qualified]
        if plain or not parts:
            continue
        if len(parts) == 1 and metric == "staff_authorized":
            only = parts[0]
            out.append(Mention(metric, only.figure, 0.7, False, "text", why="the only (typed) headcount"))
            continue
        line = Counter(m.figure.line for m in parts).most_common(1)[0][0]
        same = sorted((m for m in parts if m.figure.line == line), key=lambda m: m.figure.start)
        other = "staff_actual" if metric == "staff_authorized" else "staff_authorized"
        other_parts = [m for m in staff if m.metric == other and m.figure.line == line]
        if len(same) < 2 or len(other_parts) < 2:
            continue
        f0 = same[0].figure
        fig = Figure(block=f0.block, line=f0.line, start=f0.start, end=same[-1].figure.end,
                     text="+".join(m.figure.text for m in same), value=sum(m.figure.value for m in same),
                     unit=f0.unit, kind="count", confidence=min(m.figure.confidence for m in same))
        out.append(Mention(metric, fig, 0.7, False, "text", why="sum of the headcounts by type"))
    return out


# -------------------------------------------------------------------------------- public API
def extract_facts(document: Document, blocks: list[Block], figures: list[Figure],
                  model: Any = None) -> FactsFound:
    """Department, fiscal year and the canonical metrics, each with a calibrated confidence."""
    model = model if model is not None else load_facts_model()
    found = FactsFound()
    dept, dinfo = find_department(document)
    found.department = dept
    found.department_alternatives = dinfo.get("alternatives", [])
    if dept:
        found.features["department"] = _dept_features(dinfo)
        found.department_confidence = model.confidence("department", found.features["department"])
    year, yinfo = find_year(document)
    found.year = year
    if year:
        found.features["year"] = _year_features(yinfo)
        found.year_confidence = model.confidence("year", found.features["year"])

    mentions = read_mentions(document, figures, year)
    mentions.extend(_staff_sum(mentions))
    n_lines = len(document.lines)
    for metric, (groups, feats) in choose(mentions, n_lines).items():
        if not _usable(metric, groups, feats):
            continue
        best = groups[0][0]
        value, unit = _fact_value(metric, best.figure)
        found.features[metric] = feats
        conf = model.confidence(metric, feats)
        found.facts[metric] = Fact(
            key=metric, value=value, unit=unit, confidence=conf, line=best.figure.line,
            text=_mention_text(document, best.figure), reason=_reason(best, groups),
            alternatives=_alternatives(document, best, groups),
        )
    grades = _grade_mentions(document)
    if grades:
        main = [g for g in grades if not g["qualified"]] or grades
        counts = Counter(g["value"] for g in main)
        value = counts.most_common(1)[0][0]
        first = next(g for g in main if g["value"] == value)
        feats = {"n_mentions": float(len(grades)), "n_values": float(len(counts)),
                 "support": counts[value] / len(main), "qualified": float(first["qualified"]),
                 "score": 1.0, "margin": 1.0, "in_table": 0.0, "from_text": 1.0, "exact": 1.0, "fig_conf": 1.0}
        found.features["grade"] = feats
        found.facts["grade"] = Fact(
            key="grade", value=value, unit=None, confidence=model.confidence("grade", feats),
            line=first["line"], text=first["text"], reason="stated grade",
            alternatives=[{"value": g["value"], "line": g["line"], "text": g["text"], "why": "later or qualified mention"}
                          for g in grades if g is not first][:5],
        )
    return found


_LABEL_STOP = re.compile(r"[，,。；;：:（(、 \t|]")


def _mention_text(document: Document, f: Figure) -> str:
    """The mention with its label, as written: ``年初预算数为233.09万元``."""
    line = document.lines[f.line - 1] if 0 < f.line <= len(document.lines) else ""
    if not line or f.start >= len(line):
        return f.text
    left = line[: f.start]
    last = _LABEL_STOP.search(left[::-1])  # the last stop before the figure, found from its end
    cut = len(left) - 1 - last.start() if last else -1
    label = left[cut + 1:].strip() if cut >= 0 else left.strip()
    return (label[-20:] + line[f.start: f.end]).strip() or f.text


def _reason(best: Mention, groups: list[list[Mention]]) -> str:
    bits = ["stated in a sentence" if not best.figure.in_table else "table cell"]
    bits.append("label read in its clause" if best.source == "text" else "metric given by the figure extractor")
    if len(groups[0]) > 1:
        bits.append(f"{len(groups[0])} mentions agree")
    if len(groups) > 1:
        bits.append(f"{len(groups) - 1} other value(s) beaten")
    return "; ".join(bits)


def _alternatives(document: Document, best: Mention, groups: list[list[Mention]]) -> list[dict[str, Any]]:
    alts = []
    for g in groups:
        for m in g:
            if m is best:
                continue
            if m.qualified:
                why = "a part's or look-alike figure"
            elif g is groups[0]:
                why = "same value, weaker mention"
            elif m.figure.in_table and not best.figure.in_table:
                why = "table cell beaten by a summary sentence"
            else:
                why = "lower score"
            alts.append({"value": m.figure.value, "line": m.figure.line,
                         "text": _mention_text(document, m.figure), "why": why, "score": round(m.score, 3)})
            if len(alts) == 10:
                return alts  # the ten shown: no need to word the rest
    return alts


def _dept_features(info: dict[str, Any]) -> dict[str, float]:
    src = info.get("best_source", "text")
    return {
        "score": float(info.get("score", 0.0)),
        "margin": float(info.get("support", 0.0)),
        "n_mentions": float(min(info.get("mentions", 0), 20)),
        "n_values": float(info.get("n_candidates", 0)),
        "support": float(info.get("support", 0.0)),
        "in_table": float(src in ("meta", "text")),
        "from_text": float(src in ("field", "title")),
        "exact": float(info.get("agree", 0.0)),
        "qualified": float(src == "field_parent"),
        "fig_conf": 1.0,
    }


def _year_features(info: dict[str, Any]) -> dict[str, float]:
    return {
        "score": float(info.get("title", 0.0)),
        "margin": float(info.get("agree", 0.0)),
        "n_mentions": float(min(info.get("du", 0.0), 20)),
        "n_values": float(info.get("n_years", 0.0)),
        "support": float(info.get("agree", 0.0)),
        "in_table": 0.0,
        "from_text": float(info.get("title", 0.0)),
        "exact": 1.0,
        "qualified": 0.0,
        "fig_conf": 1.0,
    }


# ------------------------------------------------------------------------- confidence model
KEY_GROUPS = ("money", "rate", "score", "grade", "staff", "department", "year")
FEATURES = ("score", "margin", "n_mentions", "n_values", "support", "in_table", "from_text", "exact",
            "qualified", "fig_conf")


def key_group(key: str) -> str:
    if key in MONEY_METRICS:
        return "money"
    if key == "execution_rate":
        return "rate"
    if key == "self_score":
        return "score"
    if key in STAFF_METRICS:
        return "staff"
    return key


def feature_vector(key: str, feats: dict[str, float]) -> list[float]:
    """Numbers for the confidence model: competition features plus the key's group, one-hot."""
    v = []
    for name in FEATURES:
        x = float(feats.get(name, 0.0))
        if name in ("n_mentions", "n_values"):
            x = math.log1p(max(x, 0.0))
        if name in ("score", "margin"):
            x = max(min(x, 5.0), -5.0)
        v.append(x)
    g = key_group(key)
    v.extend(1.0 if g == k else 0.0 for k in KEY_GROUPS)
    return v


class FactConfidence:
    """P(fact right | features): a logistic regression, scikit-learn style.

    Why a model and not the raw ranking score: the score orders mentions within one report, but
    says nothing about how often the winner is right; the regression maps it to a probability on
    gold facts (checked by document-grouped cross-validation, see models/facts/meta.json).
    """

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def fit(self, X: Any, y: Any) -> FactConfidence:
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        y = np.asarray(y)
        self.classes_ = np.array([0, 1])
        if len(set(y.tolist())) < 2:  # one class only: a smoothed rate (Laplace), no regression
            self.model_ = None
            self.rate_ = (float(y.sum()) + 1.0) / (len(y) + 2.0)
            return self
        self.model_ = LogisticRegression(C=self.C, max_iter=2000).fit(X, y)
        self.rate_ = float(y.mean())
        return self

    def predict_proba(self, X: Any) -> Any:
        import numpy as np

        if self.model_ is None:
            p = np.full(len(X), self.rate_)
            return np.column_stack([1 - p, p])
        return self.model_.predict_proba(X)

    def predict(self, X: Any) -> Any:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def confidence(self, key: str, feats: dict[str, float]) -> float:
        import numpy as np

        m = self.model_
        if m is not None and len(m.classes_) == 2 and list(m.classes_) == [0, 1] and m.coef_.shape[0] == 1:
            # Called once per fact: scikit-learn's input validation costs more than the model.
            # The same arithmetic as LogisticRegression.predict_proba for two classes.
            from scipy.special import expit

            z = np.asarray([feature_vector(key, feats)], dtype=float) @ m.coef_.T + m.intercept_
            return float(expit(z.reshape(-1))[0])
        p = self.predict_proba(np.asarray([feature_vector(key, feats)]))[0]
        return float(p[list(self.classes_).index(1)]) if 1 in list(self.classes_) else 0.0


class HeuristicConfidence:
    """Used when no trained model is shipped: a fixed logistic curve over the ranking features."""

    def confidence(self, key: str, feats: dict[str, float]) -> float:
        z = (0.8 * feats.get("score", 0.0) + 0.8 * feats.get("margin", 0.0) + 1.0 * feats.get("support", 0.0)
             - 1.5 * feats.get("qualified", 0.0) + 0.5 * feats.get("from_text", 0.0) - 0.5)
        return 1.0 / (1.0 + math.exp(-z))


_MODEL_CACHE: dict[str, Any] = {}


@lru_cache(maxsize=1)
def default_model_dir() -> Any:
    """models/facts of this checkout (resolved once: ``resolve`` walks the filesystem)."""
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "models" / "facts"


def load_facts_model(path: Any = None) -> Any:
    """The shipped confidence model (skops), loaded once; a fixed curve if none is there."""
    from pathlib import Path

    folder = Path(path) if path is not None else default_model_dir()
    key = str(folder)
    if key in _MODEL_CACHE:
        return _MODEL_CACHE[key]
    model: Any = HeuristicConfidence()
    weights = folder / "model.skops"
    if weights.exists():
        import skops.io as sio

        expected = {"nlp.facts.FactConfidence"}
        unknown = [t for t in sio.get_untrusted_types(file=weights) if t not in expected]
        if unknown:
            raise ValueError(f"{weights}: unexpected types in the model file: {unknown}")
        model = sio.load(weights, trusted=sorted(expected))
    _MODEL_CACHE[key] = model
    return model
