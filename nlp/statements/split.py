"""Splitting problem/measure text into single statements.

Why rules and not a model: the list forms of these reports are few and regular (一是…二是…,
（一）/1./①, 首先/其次/最后, sentences and semicolons, a short heading followed by its
explanation), and every split must keep exact character offsets so that a statement can be
traced to the line where it starts. A learned confidence model later judges each piece.

All functions here work on a :class:`Span` (text plus the source line of every character), so a
region that runs over several wrapped lines still reports the right starting line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_CN = "一二三四五六七八九十"

# An enumerator opens an item when it stands at the start or right after a boundary.
ENUM = re.compile(
    rf"(?:(?<=^)|(?<=[。；;：:，,！？!?\s]))"
    rf"(?:[{_CN}]{{1,3}}是[，,：:]?"
    rf"|第[{_CN}]{{1,3}}[，,、：:]"
    rf"|[（(][{_CN}\d]{{1,3}}[）)][、.．]?"
    rf"|\d{{1,2}}[）)]"
    rf"|\d{{1,2}}[、](?!\d{{0,2}}[万亿元%])"
    rf"|\d{{1,2}}[.．](?=(?:19|20)\d\d|[^\d\s])"
    rf"|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]"
    rf"|(?:首先|其次|再次|最后|此外|另外)[，,：:]"
    rf"|[{_CN}]{{1,3}}、)"
    rf"|(?<=[\u4e00-\u9fa5])[{_CN}]{{1,2}}、(?=[^、]{{0,10}}(?:问题|建议|措施|说明|情况|结论))"
)
SENT_END = "。！？!?；;"
_SENT_END_CHAR = re.compile("[" + re.escape(SENT_END) + "]")
# Clause triggers that announce a problem (a cause, a deviation) inside any sentence.
PROBLEM_TRIGGER = re.compile(
    r"(?:偏差|偏离|差异|未完成|未达标|未达到|扣分|不符|变动|变化|增减|未执行完成?)?(?:的)?(?:主要)?原因(?:分析)?"
    r"(?:是|为|主要是|主要为|在于|如下)?[：:]?"
    r"|未执行完成?是因为|(?:这|此)?是(?:由于|因为)"
)
TRIGGER_WORD = re.compile("因|由于")  # every match of PROBLEM_TRIGGER holds 原因, 因为 or 由于
HEADING_PROBLEM = re.compile(
    r"(?:存在的?(?:主要)?(?:问题|不足)(?:及|和|与)?(?:原因|原因分析|改进措施|整改措施|建议)?(?:分析)?"
    r"|(?:发现|自评发现)的?(?:主要)?问题(?:及原因)?|主要问题(?:及原因)?|问题及原因(?:分析)?|原因分析"
    r"|偏差原因(?:分析)?(?:及改进措施)?|偏差情况及原因|问题根源|问题表现|存在问题|原因剖析)[：:]?"
)
HEADING_MEASURE = re.compile(
    r"(?:下一步(?:的)?(?:工作)?(?:改进|整改)?(?:措施|计划|打算|工作思路|思路|方向|建议)?"
    r"|(?:改进|整改|完善)(?:措施|建议|意见|方向)|(?:意见|相关|对策|工作|几点)?建议|改进的?措施及建议)"
    r"(?:及(?:建议|措施|结果应用)|和建议)?[：:]?"
)
NONE_STATED = re.compile(r"^(?:无|暂无|没有|未发现(?:明显|重大)?问题|不存在(?:明显)?问题|(?:暂)?无(?:明显)?问题|(?:暂)?无(?:其他)?(?:需要)?说明的?(?:问题|事项)?|/|—+|-+|……)[。.]?$")
_LEAD_JUNK = re.compile(r"^[\s，,、：:；;。．.\-—·•●|｜]+")
_TRAIL_JUNK = re.compile(r"(?<![\s，,、：:；;。．.|｜])[\s，,、：:；;。．.|｜]+$")  # tried once per run
_CONNECTIVE = re.compile(r"^(?:加之|另外|此外|同时|并且|而且|并|且|还|以及|及)[，,]?")
# A measure clause that starts with one of these verbs usually opens a new measure.
MEASURE_VERB = re.compile(
    r"^(?:(?:同时|并且|建议|进一步|继续|积极|切实|不断|持续|认真|全面|及时|严格|要|将|并)[，,]?){0,3}"
    r"(?:加强|强化|提高|提升|完善|健全|建立|加大|推进|推动|优化|规范|落实|增强|加快|细化|做好|深化|"
    r"确保|争取|开展|实行|实施|严格|压减|探索|引导|督促|保障|补发|退回|纳入|组织|建设|扩大|降低|减少|坚持|"
    r"清理|盘活|修订|追回|收回|上缴|补办|核实)"
)
# form instructions printed in report templates ("…未达到90%的需说明原因（100字以内）", "A=B/C"):
# they carry problem cues (原因, 未达到) but never state a problem
# (each run is entered at its start only, so a long run of digits or characters is scanned once)
INSTRUCTION = re.compile(r"需(?:要)?(?:单独)?说明|应(?:当)?(?:单独)?说明|请(?:填写|说明|注明|列明)|(?<!\d)\d+字以内|填报说明|"
                         r"需要?填报|应当?填报|^说明[:：]|"
                         r"填表说明|包括但不限于|(?<![\u4e00-\u9fa5])[\u4e00-\u9fa5]{2,}[=＝][\u4e00-\u9fa5]{2,}[/÷]")
PROBLEM_HEAD_MAX = 16  # a first sentence this short, followed by more, is a heading


@dataclass(slots=True)
class Span:
    """Text with the 1-based source line of each character."""

    text: str
    lines: list[int]

    def __len__(self) -> int:
        return len(self.text)

    def sub(self, start: int, end: int) -> Span:
        return Span(self.text[start:end], self.lines[start:end])

    @property
    def line(self) -> int:
        return self.lines[0] if self.lines else 0

    def strip(self) -> Span:
        """Drop leading/trailing punctuation and spaces."""
        m = _LEAD_JUNK.match(self.text)
        s = m.end() if m else 0
        m2 = _TRAIL_JUNK.search(self.text)
        e = m2.start() if m2 else len(self.text)
        if e < s:
            e = s
        return self.sub(s, e)

    @classmethod
    def join(cls, parts: list[tuple[str, int]]) -> Span:
        """Join (text, line) pieces without separators (wrapped Chinese lines)."""
        text = "".join(t for t, _ in parts)
        lines: list[int] = []
        for t, ln in parts:
            lines += [ln] * len(t)
        return cls(text, lines)


def cut_at(span: Span, cuts: list[int]) -> list[Span]:
    """Pieces of ``span`` between the sorted cut offsets."""
    bounds = [0, *sorted(set(c for c in cuts if 0 < c < len(span))), len(span)]
    return [span.sub(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def enumerate_items(span: Span) -> tuple[Span | None, list[tuple[str, Span]]]:
    """Split a span at its enumerators: (preamble, [(marker, item)])."""
    marks = [m for m in ENUM.finditer(span.text) if m.end() < len(span.text)]
    if not marks:
        return span, []
    pre = span.sub(0, marks[0].start())
    items = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(span.text)
        items.append((m.group(0), span.sub(m.end(), end)))
    return (pre if pre.text.strip() else None), items


def sentences(span: Span) -> list[Span]:
    """Sentences (ending in 。！？；) of a span, stripped, empty ones dropped."""
    cuts = [m.end() for m in _SENT_END_CHAR.finditer(span.text)]
    out = []
    for piece in cut_at(span, cuts):
        p = piece.strip()
        if p.text:
            out.append(p)
    return out


def strip_connective(span: Span) -> Span:
    m = _CONNECTIVE.match(span.text)
    return span.sub(m.end(), len(span.text)).strip() if m and m.end() < len(span.text) else span


# a clause opening with one of these states what the measure before it is for ("细化支出计划，提高
# 预算编制的准确性"): a goal, not a measure of its own (on the gold sets such pieces matched 4 times in 41)
_RESULT_VERB = re.compile(r"^(?:进一步|不断|切实|有效)?(?:提高|提升|降低|减少|增强|促进|实现|保证|避免|杜绝|做到|维护)")


# a clause that only says on what ground, for what aim or where ("根据…的要求", "为…", "在…方面")
_PREFACE = re.compile(r"^(?:根据|按照|依据|遵照|对照|结合|围绕|针对|为了?|通过|对于|在)")
_NEW_ADVICE = re.compile(r"^(?:同时|另外|此外|并)?建议")


def split_measure_clauses(span: Span) -> list[Span]:
    """A measure sentence split before clauses that open with an action verb.

    Only where each side keeps some substance, so "加强A，确保B" and "加强A，提高B" (a goal) stay
    whole while "加强A，完善B，规范C" becomes three measures.
    """
    parts: list[int] = []
    last = prev_comma = 0
    for m in re.finditer(r"[，,]", span.text):
        rest = span.text[m.end():]
        head = span.text[: m.start()]
        # "将A细化为…，将B拆解为…": clauses of the same shape are measures of their own too
        parallel = rest.startswith("将") and span.text[last:].startswith("将") and len(head) - last >= 6
        # "…，建议县局整改，同时建议县局推进…": each recommendation of an audit or evaluation is a measure
        parallel = parallel or (_NEW_ADVICE.match(rest) is not None and len(head) - last >= 6)
        # "根据…的要求，强化A": a clause that only says on what ground or for what aim belongs to the next
        preface = _PREFACE.match(span.text[prev_comma:m.start()]) is not None
        prev_comma = m.end()
        if ((MEASURE_VERB.match(rest) and not rest.startswith(("确保", "争取", "保障")) and not _RESULT_VERB.match(rest)
                and len(head) >= 6) or parallel) and not preface:
            parts.append(m.end())
            last = m.end()
    pieces = [p.strip() for p in cut_at(span, parts)]
    merged: list[Span] = []
    for p in pieces:
        if merged and len(p.text) < 6:
            prev = merged[-1]
            merged[-1] = Span(prev.text + "，" + p.text, prev.lines + [p.line] + p.lines)
        elif p.text:
            merged.append(strip_connective(p))
    return merged


# "存在A、B等问题", "…等4个方面问题", "…等三类问题"
_ENUM_LIST = re.compile(r"(?:存在|发现)((?:(?!存在|发现)[^，,。；;：:]){4,}?)等(?:[\d一二三四五六七八九十两几多]{1,3}[个项类条处]?)?(?:方面的?)?问题"
                        r"|(?<!受)受([^，,。；;：:]{4,}?)(?:等)?(?:因素|原因)?(?:的)?(?:影响|制约|现象|问题)")
_ENUM_MEASURE = re.compile(r"(?:提出|采取|通过|实施)((?:(?!提出|采取|通过|实施)[^，,。；;：:]){4,}?)等(?:[\d一二三四五六七八九十两几多]{1,3}[个项类条]?)?(?:方面的?)?"
                           r"(?:建议|措施|方式|办法|意见)")

_LIST_OPENER = re.compile("存在|发现|受")
_MEASURE_LIST_OPENER = re.compile("提出|采取|通过|实施")
LIST_OPENER = re.compile("存在|发现|受|提出|采取|通过|实施")  # either kind of inline list

_NEG_PRED = re.compile(r"不|未|无|缺|偏|慢|滞后|迟|晚|低|少|难|差|短|较长|过[长高多大]")


_NEEDS = re.compile(r"有待|需进一步|需要进一步|亟需|亟待|仍需")
_TAIL_WORDS = re.compile(r"^(?:方面的?|几个|多个)")


def _semicolon_list(span: Span) -> list[Span] | None:
    """"但也存在A，B；C；D等（问题）": items separated by semicolons after 存在/发现, up to 等."""
    text = span.text
    for opener in ("存在", "发现"):
        start = text.find(opener)
        tries = 0
        while start >= 0 and tries < 20:  # bounded: a line is never scanned more than 20 times
            tries += 1
            body_start = start + len(opener)
            stop = text.find("。", body_start)
            stop = len(text) if stop < 0 else stop
            end = text.rfind("等", body_start, stop)
            tail = _TAIL_WORDS.sub("", text[end + 1 : stop]).strip() if end >= 0 else ""
            if end > body_start and tail in ("", "问题", "不足", "情况") and re.search("[；;]", text[body_start:end]):
                inner = span.sub(body_start, end)
                cuts = [i + 1 for i, ch in enumerate(inner.text) if ch in "；;"]
                items = [p.strip() for p in cut_at(inner, cuts)]
                items = [p for p in items if len(p.text.strip("；;")) >= 4]
                items = [p.sub(0, len(p.text) - 1).strip() if p.text.endswith(("；", ";")) else p for p in items]
                # "存在" already says problems follow: most items, not all, must read as a shortfall
                neg = sum(1 for p in items if _NEG_PRED.search(p.text) or _NEEDS.search(p.text))
                if len(items) >= 2 and 2 * neg >= len(items):
                    return items
            start = text.find(opener, start + 1)
    return None


def inline_list_end(text: str, kind: str) -> int | None:
    """Where a "存在A、B等问题" / "提出C、D等建议" list ends in ``text`` (None: no such list)."""
    m = (_ENUM_LIST if kind == "problem" else _ENUM_MEASURE).search(text)
    return m.end() if m else None


def split_inline_list(span: Span, kind: str) -> list[Span] | None:
    """"存在A、B、C等问题" / "采取A、B等措施": the listed items, each a statement."""
    text = span.text
    # each pattern (and the semicolon list) opens with one of these words: without them, no list
    if (_LIST_OPENER if kind == "problem" else _MEASURE_LIST_OPENER).search(text) is None:
        return None
    rx = _ENUM_LIST if kind == "problem" else _ENUM_MEASURE
    m = rx.search(text)
    if not m and kind == "problem":
        return _semicolon_list(span)
    if not m or rx is _ENUM_MEASURE and m.group(1) is None:
        return None
    grp = 1 if m.group(1) is not None else 2
    inner = span.sub(m.start(grp), m.end(grp))
    cuts = [i + 1 for i, ch in enumerate(inner.text) if ch == "、"]
    items = [p.strip() for p in cut_at(inner, cuts)]
    items = [p for p in items if len(p.text) >= 4]
    if grp == 2 and not all(_NEG_PRED.search(p.text) for p in items):
        return None  # "受施工条件、环境等影响": causes named, not problems stated
    return items if len(items) >= 2 else None


# Every match of HEADING_PROBLEM holds 问题, 不足 or 原因 and every match of HEADING_MEASURE holds
# 下一步, 措施, 建议, 意见 or 方向: a text with none of these words names no section (keep in step
# with the two patterns; tests/test_statements_speed.py checks the shortcut against the full test).
PROBLEM_HEADING_WORD = re.compile("问题|原因|不足")
MEASURE_HEADING_WORD = re.compile("措施|建议|下一步|意见|方向")
TITLE_WORD = re.compile("问题|原因|不足|措施|建议|下一步|意见|方向")
_TITLE_NUMBER = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]?\s*")
_TITLE_NOUN = re.compile("问题|措施|建议")
_TITLE_FILLER = re.compile(
    r"(?:及|和|与|、|的|以及|整改|情况|绩效|评价|自评|项目|结果应用|其他需要说明的事项|"
    r"存在|问题|原因|分析|措施|主要|经验|教训|做法|意见|建议|改进|下一步|工作|计划|和|未完成|偏差|未达标|扣分|几点|"
    r"目标|指标|说明|针对|上述|以上|提出|具体|相应|以下|如下|或|审计|处理)")


def has_title_word(text: str) -> bool:
    """Whether ``text`` holds a word without which neither heading pattern can match."""
    return TITLE_WORD.search(text) is not None


def is_section_title(text: str) -> bool:
    """A heading that names the problems/measures section itself ("存在的问题", "下一步改进措施")."""
    if not has_title_word(text):  # cheap and exact: the test below needs one of these words in text
        return False
    t = ENUM.sub("", text, count=1) if ENUM.match(text) else text
    t = _TITLE_NUMBER.sub("", t).strip(" ：:。")
    if len(t) > 24 or NONE_STATED.match(t) or not (HEADING_PROBLEM.search(t) or HEADING_MEASURE.search(t) or _TITLE_NOUN.search(t)):
        return False
    core = HEADING_PROBLEM.sub("", t)
    core = HEADING_MEASURE.sub("", core)
    core = _TITLE_FILLER.sub("", core)
    return len(core.strip(" ：:。，,")) <= 2


_INTRO = re.compile(r"(?:如下|以下|几点|方面|根源|原因|问题|措施|建议|工作|情况|意见|做法|结果|打算)[^：:]{0,2}[：:]")
_INTRO_ONLY = re.compile(r"(?:如下|以下|几点|下列|几个方面|以下几个方面)$"
                         r"|(?:存在|发现|有)(?:以下|如下|[一二三四五六七八九十几两\d]+(?:个)?方面(?:的)?)(?:的)?(?:主要|突出)?(?:问题|不足)$")


def cut_intro(span: Span) -> Span | None:
    """Drop an introducing clause ending in a colon ("提出改进措施如下：…"); None if nothing is left."""
    m = None
    for m2 in _INTRO.finditer(span.text):
        if m2.end() <= 40:
            m = m2
    if m is not None:
        rest = span.sub(m.end(), len(span.text)).strip()
        return rest if rest.text else None
    if _INTRO_ONLY.search(span.text):
        return None
    return span


# 困难 as a shortfall ("财政资金困难"), not as the mark of the people a programme helps ("困难群众",
# "家庭经济困难学生", "生活困难的信访人")
HARDSHIP = r"(?<!生活)(?<!家庭)(?<!经济)困难(?!的?[\u4e00-\u9fa5]{0,3}?(?:人|户|众|生|工|员|童|庭|体|象|者|业|民))"
PROBLEM_CUE_STRONG = re.compile(
    r"不够|不足|有待|滞后|偏低|偏高|较慢|缓慢|不到位|不规范|不完善|不健全|不强|不高|欠缺|缺乏|缺少|缺失|不全|不清晰|"
    r"不合理|不科学|不明确|不严谨|不精准|不均衡|不及时|不准确|薄弱|较差|较低|较弱|" + HARDSHIP + r"|紧张|未能|尚未|无法|难以")
_PROBLEM_OPENER = re.compile(r"^(?:且|并且|同时|但|另外)?(?:未|缺乏|缺少|部分|个别|有的|一些|存在|导致)")
# a clause that states a shortcoming: a strong cue, a negated verb (未…/不…, not 不断/不同/不少/不仅) or 存在
_SHORTFALL_CLAUSE = re.compile(PROBLEM_CUE_STRONG.pattern + r"|未|没有|不(?![断同少仅但])|缺|存在|偏[低高晚慢少小大迟]")
# a clause opening like this continues the one before (a consequence, an example, a circumstance)
_CONTINUES = re.compile(r"^(?:导致|造成|致使|使得|使|从而|进而|以致|以至|由此|所以|因此|因而|故|影响|难以|无法|不利于|也|又|还|即|如|例如|"
                        r"比如|特别是|尤其|其中|包括|甚至|给|对|在|从|按|根据|由于|因|经|截至|至|于|与|和|及|等|共|合计|"
                        r"涉及|金额|占|达|比|较|仅|只|均|都|其|该|此|这)")
_CAUSE_WORD = re.compile(r"因|由于|受")
_NEW_ITEM = re.compile(r"^(?:同时|此外|另外)[，,]?")
# the heads two parallel clauses share ("未…，未…", "缺乏…，缺乏…")
_SHAPE_HEAD = re.compile(r"^(?:未|尚未|没有|缺乏|缺少|缺|不|无)")


def _states_shortfall_alone(clause: str) -> bool:
    """A comma clause that reads as a problem of its own: a subject followed by a shortfall
    ("指标设计未…", "部分资金…不一致"), not a bare verb phrase that shares the subject before it."""
    m = _SHORTFALL_CLAUSE.search(clause)
    return m is not None and m.start() >= 2


def split_problem_clauses(span: Span, start: int = 0, causes: bool = False) -> list[Span]:
    """A problem sentence split at the commas where a new self-standing problem begins.

    Why: most commas only continue one thought (a consequence 导致…/难以…, an example 如…, the
    same subject's next verb, a detail of the problem just named: "进度不够均衡，部分项目支出较慢"
    is one problem). A cut needs the piece so far to state a shortfall, and the next clause to
    open a new one: in the same shape ("未建立…，未将…"), after 同时/此外/另外, or, where the text
    lists causes (``causes``: "原因分析", "问题根源：", each distinct cause is a statement), with a
    subject of its own ("A衔接不够紧密，B未充分拆解…"). ``start``: no cut before this offset (a
    merged heading stays whole)."""
    text = span.text
    commas = [m.end() for m in re.finditer(r"[，,]", text) if m.end() > start]
    if not commas:
        return [strip_connective(span)]
    quote = 0
    depth: list[int] = []
    for ch in text:  # commas inside quotes or brackets never cut
        if ch in "“（(《「":
            quote += 1
        elif ch in "”）)》」" and quote:
            quote -= 1
        depth.append(quote)
    cuts: list[int] = []
    last = start
    for k, c in enumerate(commas):
        if depth[c - 1]:
            continue
        nxt = commas[k + 1] if k + 1 < len(commas) else len(text)
        right = text[c:nxt].rstrip("，,")
        m = _NEW_ITEM.match(right)
        core = right[m.end():] if m else right
        piece = text[last:c - 1]
        # short clauses are details of one problem ("…不规范，预期值偏低"); after a cause (因…/由于…/
        # 原因是…) the next clause is its effect
        if len(piece) < 8 or len(core) < 8 or _CONTINUES.match(core) or not _SHORTFALL_CLAUSE.search(piece) \
                or _CAUSE_WORD.search(piece):
            continue
        head_l, head_r = _SHAPE_HEAD.match(piece), _SHAPE_HEAD.match(core)
        parallel = head_l is not None and head_r is not None and piece[:1] == core[:1]
        # after 同时/此外 the new problem may take more than one clause to state its shortfall
        marked = m is not None and _SHORTFALL_CLAUSE.search(text, c + m.end()) is not None
        if (causes and _states_shortfall_alone(core)) or parallel or marked:
            cuts.append(c)
            last = c
    return [strip_connective(p.strip()) for p in cut_at(span, cuts) if p.strip().text]


_EXAMPLE_LEAD = re.compile(r"^(?:例如|比如|譬如)[，,：:]?")


def strip_example_lead(span: Span) -> Span:
    """"例如，将A细化为…": the example is the measure itself, its lead word is not."""
    m = _EXAMPLE_LEAD.match(span.text)
    return span.sub(m.end(), len(span.text)).strip() if m and len(span.text) - m.end() >= 4 else span


_TRAILING_TRIGGER = re.compile(r"[，,]?(?:其|这|此)?(?:主要|具体)?(?:原因|理由)(?:主要)?(?:是|为|在于|如下|有)[：:]?$")


def strip_trailing_trigger(span: Span) -> Span | None:
    """"…调整率较大，主要原因是：" before a list of causes: the deviation is the statement, the cue
    that announces the causes is not (None when nothing else is left)."""
    if "原因" not in span.text and "理由" not in span.text:
        return span
    m = _TRAILING_TRIGGER.search(span.text)
    if m is None:
        return span
    rest = span.sub(0, m.start()).strip()
    return rest if len(rest.text) >= 4 else None


_ADVICE = re.compile("建议")


def _advice_lead(text: str) -> int:
    """End of a lead like "审计建议该局" / "建议县卫健委" before the first action verb (0: none)."""
    m = _ADVICE.search(text, 0, 10)
    if m is None:
        return 0
    for j in range(m.end(), min(len(text), m.end() + 12)):
        if text[j] in "，,、。；;：:":
            return 0
        if MEASURE_VERB.match(text[j:]):
            return j
    return 0


def split_measure_list(span: Span) -> list[Span] | None:
    """"加强A、加大B、完善C": short measures joined by 、, each opening with its own action verb.

    Only when every piece opens with a verb and is short (a list of objects of one verb, "加强A、B、C管理",
    stays whole)."""
    if "、" not in span.text:
        return None
    lead = _advice_lead(span.text)
    if lead:  # "审计建议该局健全A、盘活B": the list starts at the first action after the addressee
        span = span.sub(lead, len(span.text))
    cuts = [i + 1 for i, ch in enumerate(span.text) if ch == "、"]
    pieces = [p.strip() for p in cut_at(span, cuts)]
    if len(pieces) < 2 or any(not 4 <= len(p.text) <= 20 or not MEASURE_VERB.match(p.text) for p in pieces):
        return None
    return pieces
