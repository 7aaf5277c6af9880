"""Label binding (what a figure measures) and the canonical metric a label names.

Prose: the label is the nearest noun phrase before the number inside its clause (stopping at
punctuation or the previous figure), with linking verbs (为, 是, 达到 …) trimmed; "A、B分别为x、y"
pairs names and numbers in order. Tables: the row label and the column header that owns the cell.

The metric rules follow the labelling guide's "Budget metrics" conventions: they read the label
first, then the clause subject (the words since the last sentence break), because a report says
"基本支出年初预算233万元，本年实际支出570万元" and the second figure is basic expenditure.
Sub-items (三公, 人员, 公务接待 …) are looked for in the figure's own clause and, for expenditure
parts only, in the clause before; the budget's history (追加, 结转) does not make a total a part.
A report on one project (``project=True``, read from its title) states that project's spending,
execution rate and score as the report's totals; a department report's projects are parts.
"""
from __future__ import annotations

import re
from functools import cache, lru_cache


@cache
def _rx(pattern: str) -> re.Pattern[str]:
    """The compiled ``pattern``: rules below write their patterns inline, and this lookup costs
    less per call than ``re``'s own cache behind ``re.search``."""
    return re.compile(pattern)


_STOP = "。；;，,、：:（）()\t|！!？?【】[]“”\"《》"
# Words a label may end with before its number ("预算数为"); stripped as a run, with spaces.
_TRAIL_WORDS = ("分别为", "分别是", "合计为", "共计为", "总计为", "累计为", "为", "是", "达", "达到", "共", "共计",
                "累计", "约", "近", "实现", "完成", "完成了", "占", "的", "了", "有", "于", "在", "等于", "大于等于",
                "小于等于", "不低于", "不少于", "不超过", "不高于", "大于", "小于", "高于", "低于", "超过", "至少",
                "仅", "只有")


def _last_of(text: str, chars: re.Pattern[str]) -> int:
    """The index of the last character of ``text`` in the class ``chars``, or -1: what
    ``max(text.rfind(c) for c in …)`` gives, in one scan of the reversed text."""
    m = chars.search(text[::-1])
    return len(text) - 1 - m.start() if m else -1


def _char_class(chars: str) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


_STOP_CHARS = _char_class(_STOP)
_SENTENCE_CHARS = _char_class("。；;")
_CLAUSE_CHARS = _char_class("，,：:")
_PAREN_TAIL = re.compile(r"[（(][^（()）]{0,6}[)）][\s:：]*$")


def _strip_trail(text: str) -> str:
    """``text`` less its longest suffix made of _TRAIL_WORDS and spaces.

    A dynamic programme from the end rather than a ``(?:…)+$`` regex, which backtracks
    quadratically when searched over a long run of such words.
    """
    n = len(text)
    if n == 0 or (text[-1] not in _TRAIL_LAST and not text[-1].isspace()):
        return text  # a suffix to strip ends in a space or in the last character of a trail word
    ok = [False] * (n + 1)
    ok[n] = True
    cut = n
    misses = 0
    for p in range(n - 1, -1, -1):
        ch = text[p]
        ok[p] = (ch.isspace() and ok[p + 1]) or any(text.startswith(w, p) and ok[p + len(w)]
                                                    for w in _TRAIL_BY_FIRST.get(ch, ()))
        if ok[p]:
            cut = p
            misses = 0
        else:
            misses += 1
            if misses >= _TRAIL_MAX:
                break  # ok[p] needs one of the next _TRAIL_MAX positions ok: none earlier can be
    return text[:cut]


_TRAIL_BY_FIRST: dict[str, tuple[str, ...]] = {}
for _w in _TRAIL_WORDS:
    _TRAIL_BY_FIRST[_w[0]] = (*_TRAIL_BY_FIRST.get(_w[0], ()), _w)
_TRAIL_MAX = max(len(w) for w in _TRAIL_WORDS)
_TRAIL_LAST = frozenset(w[-1] for w in _TRAIL_WORDS)


_LEAD = re.compile(r"^(?:其中|包括|另外|此外|以及|及|和|与|并|且|截至|截止|[0-9０-９]{4}\s*年度?|[0-9]{1,2}\s*月(?:底|末)?|"
                   r"本单位|本部门|我单位|我部门|我局|我院|我委|我中心|我校|\s)+")
_YEARISH = re.compile(r"[0-9０-９]{4}\s*年度?")


def prose_label(line: str, start: int, prev_end: int) -> str | None:
    """Nearest noun phrase before ``start`` in its clause."""
    lo = max(prev_end, start - 24, 0)
    window = line[lo:start]
    window = _PAREN_TAIL.sub("", window)  # 预算数(A) 5.8万
    cut = _last_of(window, _STOP_CHARS)
    if cut >= 0 and not window[cut + 1:].strip() and window[cut] in ":：":
        window = window[:cut]  # 自评得分: 95.9 分
        cut = _last_of(window, _STOP_CHARS)
    if cut >= 0:
        window = window[cut + 1:]
    window = _strip_trail(window.strip())
    window = _LEAD.sub("", window)
    window = window.strip(" \u3000*#")
    if len(window) < 2:
        return None
    return window[-14:]


def clause_context(line: str, start: int) -> str:
    """The sentence before ``start`` (since the last 。；), the subject the clause talks about."""
    lo = max(0, start - 80)
    window = line[lo:start]
    cut = _last_of(window, _SENTENCE_CHARS)
    return window[cut + 1:] if cut >= 0 else window


_SUBITEM = re.compile(r"基本支出|项目支出|人员|公用|三公|工资|商品和服务|对个人和家庭|资本性|一般公共服务|社会保障|"
                      r"卫生健康|住房保障|农林水|教育|科学技术|交通运输|城乡社区|节能环保|文化|公共安全|其他|政府性基金|"
                      r"一般公共预算|国有资本|上级补助|事业收入|经营|附属单位|机关运行|接待|公务用车|出国|采购|调减|追加|"
                      r"调增|结转|结余|工作经费|专项|补助|资金项目|项目资金|单项|每|人均")


_CATEGORY = re.compile(r"[（(](?:类|款|项)[)）]")
_CHANGE = re.compile(r"增加|减少|增长|下降|比上年|较上年|同比|调减|调增|追加|增幅|降幅|结余|结转|超出|超支")
# Sub-items an earlier clause of the sentence may name ("…公务接待费…，决算数0万元"): expenditure parts
# only, not the budget's own history (追加, 结转), which leaves the next clause about the whole.
_SUBITEM_PRIOR = re.compile(r"基本支出|项目支出|人员|公用|三公|工资|商品和服务|对个人和家庭|资本性|一般公共服务|社会保障|"
                            r"卫生健康|住房保障|农林水|教育|科学技术|交通运输|城乡社区|节能环保|文化|公共安全|"
                            r"政府性基金|机关运行|接待|公务用车|出国|采购|单项|每|人均|其他|工作经费|专项|资金项目|项目资金")
_THREE_PUBLIC_PART = re.compile(r"出国|公务用车|接待|会议|培训")
# A project report's own project: its spending and score are the report's totals.
_PROJECT_SELF = re.compile(r"^(?:该|本|此)?项目(?:全年|年度|本年|当年|累计|实际|共|资金)*(?:支出|使用|执行)(?:金额|资金|数)?$")


def current_clause(context: str) -> str:
    """The clause the figure sits in: the context since its last comma or colon."""
    cut = _last_of(context, _CLAUSE_CHARS)
    return context[cut + 1:]


def metric_for(label: str | None, context: str, kind: str, unit: str | None, in_table: bool = False,
               row_label: str | None = None, column: str | None = None, comparator: str | None = None,
               value: float | None = None, project: bool = False, title: str = "") -> str | None:
    """The canonical metric a figure states, or None (rules; see module doc). A bounded value
    (≥99%) is a target, not the stated figure, so it names no metric. ``project`` says the
    report evaluates one project (项目支出绩效自评报告): its project's totals are the report's."""
    lab = (label or "").replace(" ", "")
    ctx = context.replace(" ", "")
    if in_table:
        return _table_metric(row_label or "", column or "", kind, title.replace(" ", ""))
    if comparator is not None:
        return None
    if kind == "amount":
        if _CHANGE.search(lab) or _CATEGORY.search(ctx[-40:]):
            return None
        if project and _PROJECT_SELF.search(lab):
            return "expenditure_total"
        return _amount_metric(lab, ctx)
    if kind == "percent":
        # a project report's own project (项目资金) is the whole; elsewhere it is a part
        near = _rx(r"项目资金|资金项目|专项").sub("", ctx[-40:]) if project else ctx[-40:]
        if _rx(r"预算执行率|资金执行率|执行率|完成(?:全年|年度|调整后)?预算|支出进度").search(lab) and not _rx(
                r"基本支出|项目支出|人员|公用|三公|单项|调整率|差异率|未$").search(lab + ctx[-12:]) and not (
                (not project and "项目资金" in lab + ctx[-12:]) or _SUBITEM.search(near) or _CATEGORY.search(near)):
            return "execution_rate"
        return None
    if kind == "score":
        if _rx(r"满分|分值|权重|标准分|扣|加分|优秀|良好|≥|以上").search(lab + ctx[-6:]):
            return None
        if value is not None and value < 50:
            return None  # an indicator's points, not the overall score
        if _rx(r"总分|综合得分|总得分|整体.{0,8}得分|部门.{0,8}得分|自评得分|评价得分|绩效得分|最终得分|自评分").search(lab):
            # a department report's project scores are parts, not its overall score
            return None if ("项目" in lab and not project) else "self_score"
        if project and _rx(r"^(?:该|本|此)?项目(?:综合|最终|总)?得分$").search(lab):
            return "self_score"
        return None
    if kind == "count" and unit in ("人", "名", None) and not _CHANGE.search(lab):  # 在编人员增加3人: a change
        if _rx(r"(?<![行政事业工勤])编制(?:人数|数)?$|核定编制|编制人数|编制数").search(lab) and not _rx(
                r"行政编制|事业编制|工勤|领导职数").search(lab):
            return "staff_authorized"
        if _rx(r"实有人数|实际人数|在职人数|实有|在编人员|在职在编|在岗人数|实际在职|现有人员|在职人员|在职$").search(lab):
            return "staff_actual"
    return None


def _amount_metric(lab: str, ctx: str) -> str | None:
    if "收入" in lab and _rx(r"收入决算|收入合计|本年收入|总收入|总体收入|年度收入|财政拨款收入|收入总计").search(lab) \
            and not _rx(r"一般公共预算|政府性基金|国有资本|上级|事业收入|其他收入|基本|项目|支出").search(lab) \
            and "其中" not in ctx[-len(lab) - 4:]:
        return "revenue_total"
    if _rx(r"调整后预算|全年预算|调整预算|预算调整后|年中调整预算").search(lab) and not _rx(r"支出金额|执行").search(lab):
        return None if _SUBITEM.search(lab.replace("预算调整后", "")) else "budget_adjusted"
    if _rx(r"三公").search(lab) and _rx(r"决算|支出|实际|使用").search(lab + ctx[-10:]) and not _rx(
            r"预算数|预算为|预算安排").search(lab):
        return "three_public_expenditure"
    if _rx(r"^(?:日常)?公用经费|公用经费(?:支出)?$").search(lab) and "预算" not in lab:
        return "public_expenditure"
    if _rx(r"人员经费(?:支出)?$|^人员经费").search(lab) and "预算" not in lab:
        return "personnel_expenditure"
    if _rx(r"基本支出(?:决算|支出)?$").search(lab) and "预算" not in lab:
        return "basic_expenditure"
    if _rx(r"项目支出(?:决算|支出)?$").search(lab) and "预算" not in lab:
        return "project_expenditure"
    if _rx(r"(?:共|累计|合计)下达").search(ctx[-30:]) and _rx(r"经费|资金|预算").search(lab) and not _rx(
            r"基本支出|项目支出|人员|公用|三公").search(lab):
        return "budget_initial"
    if _rx(r"年初预算|预算数|批复预算|项目预算|预算安排|预算总额|预算金额|下达预算|指标金额|^预算$|收入预算|支出预算|"
                 r"批复数|批复金额").search(lab):
        if _SUBITEM.search(lab) or _SUBITEM.search(current_clause(ctx)) or _SUBITEM.search(ctx[-12:].replace(lab, "")):
            return None
        return "budget_initial"
    if _rx(r"(?:本年|年度|全年|实际|总)?支出(?:合计|总额|总计|资金|金额)?(?:共计|累计)?$|决算数|执行数|执行金额|实际完成数?|已执行|支出决算|实际使用|开支额").search(lab):
        core = _rx(r"全年度|本年度?|年度|全年|实际|合计|总额|总计|总|决算数?|执行数|执行金额|已执行|财政拨款|当年|部门|单位|"
                      r"整体|资金|预算|共计?|累计|金额|").sub("", lab)
        core = _rx(r"^.{2,}?(?:局|院|委|办|中心|学校|站|队)(?:本级)?").sub("", core)
        subject = _subject_of(lab + "|" + ctx[-45:])
        if subject == "three_public_expenditure" and _THREE_PUBLIC_PART.search(current_clause(ctx)):
            return None  # 公务接待费支出决算: a part of the 三公 total
        if subject:
            return subject
        if core in ("", "支出", "完成数", "完成", "使用"):
            if _SUBITEM.search(current_clause(ctx)) or _SUBITEM_PRIOR.search(ctx[-40:]):
                return None  # "…公务接待费…，决算数0万元": the clause is about a sub-item
            return "expenditure_total"
        if _rx(r"执行数$|开支额$|执行金额$").search(lab) and not _SUBITEM.search(lab):
            return "expenditure_total"
        return None
    if lab in ("实际", "实际完成", "支出", "实际支出") or _rx(r"开支额$").search(lab):
        return _subject_of(ctx) or "expenditure_total"
    if _rx(r"本年收入合计|收入合计|本年收入|总收入|总体收入|年度收入|本年度收入|财政拨款收入|财政预算拨款收入|收入总计").search(lab):
        if _rx(r"一般公共预算|政府性基金|国有资本|上级|事业收入|其他收入|基本收入|项目收入").search(lab) or _rx(
                r"其中").search(ctx[-len(lab) - 4:]):
            return None
        return "revenue_total"
    return None


def _subject_of(text: str) -> str | None:
    """The expenditure sub-total a clause is about (the last one named before the figure)."""
    best, pos = None, -1
    for key, metric in (("基本支出", "basic_expenditure"), ("项目支出", "project_expenditure"),
                        ("人员经费", "personnel_expenditure"), ("人员类", "personnel_expenditure"),
                        ("公用经费", "public_expenditure"), ("三公", "three_public_expenditure")):
        i = text.rfind(key)
        if i > pos:
            best, pos = metric, i
    if best and _rx(r"其中|包括").search(text[pos:]):
        return None
    return best


@lru_cache(maxsize=8192)
def _table_metric(row: str, col: str, kind: str, title: str = "") -> str | None:
    """The metric of a table cell from its row label, column and the table's title (cached: a
    function of these short strings, and headers and row labels recur across reports)."""
    row = row.replace(" ", "")
    col = col.replace(" ", "")
    # 总计 of a 收入支出决算总表 adds the carry-over: it is neither the year's revenue nor its spending
    total_row = bool(_rx(r"(?:年度资金总额|资金总额|总额|合计|预算资金|支出总额|收入总额|支出合计|"
                                  r"本年支出合计|收入合计|本年收入合计)[:：]?").fullmatch(row)) or not row
    if _rx(r"得分").search(col) and _rx(r"总分|合计|总计|综合得分|总得分").fullmatch(row):
        return "self_score"
    if kind == "percent" and _rx(r"(?:全年|年度)?(?:预算|资金)执行率?").fullmatch(row) and _rx(
            r"实际完成值?|完成值|实际值|全年执行").search(col):
        return "execution_rate"  # an indicator table's 预算执行率 row, actual-value column
    if kind == "count":
        if _rx(r"编制").search(col):
            return "staff_authorized"
        if _rx(r"实际在职|实有|在职人数|实际人数").search(col):
            return "staff_actual"
        return None
    if kind == "percent":
        return "execution_rate" if total_row and _rx(r"执行率").search(col) else None
    if kind != "amount":
        return None
    if total_row and "支出" in title and "收入" not in row and _rx(r"(?:本年)?(?:支出)?(?:合计|决算数?)|基本支出|项目支出").fullmatch(col):
        # 支出决算表: 合计 | 基本支出 | 项目支出 columns over the total row
        return {"基本支出": "basic_expenditure", "项目支出": "project_expenditure"}.get(col, "expenditure_total")
    if total_row:
        if "收入" in row and _rx(r"决算|执行|实际|^金额$").search(col):
            return "revenue_total"
        if "支出" in row and _rx(r"金额|决算数?").fullmatch(col):
            return "expenditure_total"
        if _rx(r"年初预算|^(?:[0-9]{4}年)?预算数?$|批复预算").search(col):
            return "budget_initial"
        if _rx(r"全年预算|调整后预算").search(col):
            return "budget_adjusted"
        if _rx(r"执行数|决算数|实际支出").search(col):
            return "expenditure_total"
        return None
    if _rx(r"决算|执行数|实际").search(col):
        sub = _subject_of(row)
        if sub and not _rx(r"[0-9]、").search(row):
            return sub
    return None
