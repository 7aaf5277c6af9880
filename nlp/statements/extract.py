"""Problem and measure statements of one report, from its tagged blocks.

Why a character stream: a statement may start on one wrapped line and end on the next, and one
long line may hold an indicator, its deviation cause and an improvement measure. So every
character of the document gets a mode (problem / measure / none) from its block's section and
from cue phrases inside the text ("存在的问题：", "偏差原因：", "原因是", "改进措施："); runs of one
mode are then split into single statements (see :mod:`nlp.statements.split`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from nlp.document import Block, Document, Statement
from nlp.statements.split import (
    ENUM,
    HARDSHIP,
    HEADING_MEASURE,
    HEADING_PROBLEM,
    INSTRUCTION,
    LIST_OPENER,
    MEASURE_HEADING_WORD,
    MEASURE_VERB,
    NONE_STATED,
    PROBLEM_HEAD_MAX,
    PROBLEM_HEADING_WORD,
    PROBLEM_TRIGGER,
    SENT_END,
    TITLE_WORD,
    TRIGGER_WORD,
    Span,
    cut_intro,
    enumerate_items,
    has_title_word,
    inline_list_end,
    is_section_title,
    sentences,
    split_inline_list,
    split_measure_clauses,
    split_measure_list,
    split_problem_clauses,
    strip_connective,
    strip_example_lead,
    strip_trailing_trigger,
)

SPLIT_MEASURE_COMMAS = True
SPLIT_PROBLEM_COMMAS = True
# A block under a heading that names problems or measures, though tagged as another section, gives
# candidates only while the tagger's score for that section is at least this. Held out on the real
# reports such candidates were right 2 times in 34; with the floor, statement F1 0.862 -> 0.874.
HEADING_PATH_MIN_SCORE = 0.3
SECTION_TYPE = {"problems": "problem", "measures": "measure"}
_SECTION_OF = {t: s for s, t in SECTION_TYPE.items()}
_DEBRIS = re.compile(r"\[bookmark:[^\]]*\]|^#{1,6}\s*|\*\*|#{1,6}\s")
_CELL_SEP = re.compile(r"(?:(?<!\s)\s+)?\|\s*|\t+")  # guard: linear on long runs of spaces
PROBLEM_CUE = re.compile(r"不够|不足|有待|滞后|偏低|偏高|较慢|缓慢|不到位|不规范|不完善|不健全|不强|不高|欠缺|缺乏|缺少|"
                         + HARDSHIP + r"|紧张|未能|未按|未及时|无法|不能|没有|偏差|问题|薄弱|不精准|不合理|不科学|不明确|不严|"
                         r"差距|存在|尚未|未完成|未达到|不均衡|短缺|落后|受.{0,8}影响|原因")
MEASURE_CUE = re.compile(r"加强|进一步|完善|健全|建立|强化|提高|提升|加大|推进|优化|规范|落实|确保|将|继续|严格|"
                         r"做好|加快|细化|增强|争取|建议|下一步|今后|积极|切实|持续|不断")


@dataclass(slots=True)
class StatementsFound:
    """What :func:`extract_statements` found in one report."""

    statements: list[Statement] = field(default_factory=list)
    no_problems_stated: bool = False
    no_problems_line: int | None = None


@dataclass(slots=True)
class Candidate:
    """A statement before scoring, with what the confidence model looks at."""

    span: Span
    type: str
    block: int
    source: str  # "section" | "heading_cue" | "clause_cue" | "table"
    section: str
    section_conf: float
    kind: str
    item_pos: int = 0  # position in its list/run (0 = first)
    enumerated: bool = False
    merged_heading: bool = False
    run_len: int = 1
    pieces: int = 1  # how many statements its sentence was split into
    piece_idx: int = 0
    heading_near: str | None = None  # the type the nearest heading above names (None: not a problems/measures one)
    heading_any: str | None = None  # the type any heading above names
    repeats: int = 0  # other candidates of the report with the same text (template rows repeat)
    cell_label: str | None = None  # a table cell's label cell before it: "problem", "measure", "other" or None
    split: str = ""  # how it was cut from its sentence: "list" (存在A、B等问题), "clause" (at a comma or 、), "" whole
    features: dict[str, Any] = field(default_factory=dict)


def _block_span(document: Document, block: Block) -> Span:
    parts: list[tuple[str, int]] = []
    lines = document.lines
    first = block.line_start
    if first == block.line_end and 1 <= first <= len(lines):  # one line, most blocks: no join
        t = lines[first - 1]
        if "#" in t or "*" in t or "[" in t:  # every piece of debris holds one of these
            t = _DEBRIS.sub("", t)
        t = t.strip()
        return Span(t, [first] * len(t))
    if 1 <= block.line_start <= len(lines) and block.line_end <= len(lines):
        for ln in range(block.line_start, block.line_end + 1):
            t = lines[ln - 1]
            if "#" in t or "*" in t or "[" in t:  # every piece of debris holds one of these
                t = _DEBRIS.sub("", t)
            t = t.strip()
            if t:
                parts.append((t, ln))
    else:  # a document whose lines do not match the blocks: fall back to the block's own text
        parts.append((block.text.strip(), block.line_start))
    return Span.join(parts)


_INTRO_P = re.compile(r"(?:存在|发现|有)(?:以下|如下|[一二三四五六七八九十几两\d]+(?:个)?方面(?:的)?)(?:的)?(?:主要|突出)?(?:问题|不足)[。：:]?$")
_INTRO_M = re.compile(r"(?:提出|采取|制定)?(?:以下|如下|(?<![一二三四五六七八九十几两\d])[一二三四五六七八九十几两\d]+(?:点|条|项))(?:改进|整改)?(?:措施|建议|意见)[。：:]?$"
                      r"|(?:措施|建议|意见)如下[。：:]?$")


def _intro_type(text: str) -> str | None:
    """The type of list an introducing sentence opens ("…存在以下问题：" → problem), or None.

    Both patterns are anchored at the end, so only a text whose last few characters hold their
    closing word is searched."""
    tail = text[-4:]
    if ("问题" in tail or "不足" in tail) and _INTRO_P.search(text):
        return "problem"
    if ("措施" in tail or "建议" in tail or "意见" in tail or "如下" in tail) and _INTRO_M.search(text):
        return "measure"
    return None


_COL_PROBLEM = re.compile(r"原因|问题")
_COL_MEASURE = re.compile(r"措施|建议")
_DIGIT = re.compile(r"\d")
_CELL_CAUSE = re.compile(HARDSHIP + r"|紧张|不足|滞后|未|无法|不能|影响|偏差|原因")


def _named_type(h: str) -> str | None:
    """The type a heading names ("存在的问题及改进措施" → measure, the later one), None for neither."""
    if not has_title_word(h):  # neither pattern can match
        return None
    hm, hp = HEADING_MEASURE.search(h), HEADING_PROBLEM.search(h)
    if hm and (not hp or hm.start() > hp.start()):
        return "measure"
    return "problem" if hp else None


class _Headings:
    """What each heading of one report names, worked out once per report.

    Why: every block carries the whole path of headings above it, so the same few headings are
    looked at for each of the hundreds of blocks under them. Kept for one report only."""

    __slots__ = ("titles", "types")

    def __init__(self) -> None:
        self.types: dict[str, str | None] = {}
        self.titles: dict[str, bool] = {}

    def type_of(self, h: str) -> str | None:
        try:
            return self.types[h]
        except KeyError:
            got = self.types[h] = _named_type(h)
            return got

    def is_title(self, h: str) -> bool:
        got = self.titles.get(h)
        if got is None:
            got = self.titles[h] = is_section_title(h)
        return got


def _heading_type(block: Block, titles_only: bool = False, headings: _Headings | None = None) -> str | None:
    """The type a problems/measures heading above the block gives it ("七、存在的问题" → problem)."""
    memo = headings if headings is not None else _Headings()
    for h in reversed(block.heading_path or []):
        if len(h) > 40 or (titles_only and not memo.is_title(h)):
            continue
        t = memo.type_of(h)
        if t is not None:
            return t
    return None


_NUMBERING_END = re.compile(r"(?:^|[^\d])(?:\d{1,2}|[一二三四五六七八九十]{1,3})$|^$")
_NOUN_LIST_GLUE = ("和", "与", "及", "、", "等", "的")
_OPENED_BY = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]+[)）、.．是]|[①-⑳])")


def _heading_cues(text: str) -> list[tuple[int, int, str]]:
    """(start, end, type) of inline section-opening cues that are followed by content."""
    out = []
    for rx, typ, word in ((HEADING_PROBLEM, "problem", PROBLEM_HEADING_WORD),
                          (HEADING_MEASURE, "measure", MEASURE_HEADING_WORD)):
        if word.search(text) is None:  # every match holds one of the words
            continue
        for m in rx.finditer(text):
            s, e = m.start(), m.end()
            if e - s < 2:
                continue
            before = text[max(0, s - 1):s]
            after = text[e:e + 3]
            if before == "、" and not _NUMBERING_END.search(text[max(0, s - 4):s - 1]):
                before = "，"  # "投诉、举报、建议和…": a word in a list, not a numbered heading ("3、建议")
            if after.startswith(_NOUN_LIST_GLUE) and not m.group(0).endswith(("：", ":")):
                continue  # "…、建议和意见…": a noun joined to the next one
            opened = m.group(0).endswith(("：", ":")) or before in ("", "、", ".", "．", "）", ")", "。", "；", "\t", " ") \
                or _OPENED_BY.match(after) is not None
            # "提出…建议" in running text is not a section cue
            if typ == "measure" and m.group(0).startswith(("建议", "相关建议", "工作建议")) and not m.group(0).endswith(("：", ":")) \
                    and before not in ("", "、", ".", "．", "）", ")", "。", "；", "和", "及"):
                continue
            if opened:
                out.append((s, e, typ))
    out.sort()
    # drop cues nested inside an earlier one
    kept: list[tuple[int, int, str]] = []
    for c in out:
        if kept and c[0] < kept[-1][1]:
            if c[1] - c[0] > kept[-1][1] - kept[-1][0]:
                kept[-1] = c
            continue
        kept.append(c)
    return kept


def _clause_cues(text: str) -> list[tuple[int, int]]:
    """(clause start, sentence end) of cause clauses ("主要原因是…") in running text."""
    if "因" not in text and "由于" not in text and "受" not in text:
        return []  # both patterns below need 原因/因为/因受/由于/受
    out = []
    # a kept trigger holds 原因, 因为 or 由于 (the pattern has no fixed start: a search tries every position)
    triggers = PROBLEM_TRIGGER.finditer(text) if "原因" in text or "因为" in text or "由于" in text else ()
    for m in triggers:
        g = m.group(0)
        if ("原因" not in g and "因为" not in g and "由于" not in g) or len(g) < 3:
            continue
        start = max(text.rfind(ch, 0, m.start()) for ch in "，,。；;：:") + 1
        if start < 0:
            start = 0
        ends = [i for i in (text.find(ch, m.end()) for ch in "。；;") if i >= 0]
        end = min(ends) if ends else len(text)
        if end - m.end() >= 3:
            out.append((start, end))
    for m in _CAUSE_CLAUSE.finditer(text):
        start = m.start() + (1 if text[m.start()] in "，,。；;：:" else 0)
        ends = [i for i in (text.find(ch, m.end()) for ch in "。；;") if i >= 0]
        end = min(ends) if ends else len(text)
        if not any(a <= start < b for a, b in out) and _NEGATIVE.search(text[start:end]):
            out.append((start, end))
    return sorted(out)


_CAUSE_CLAUSE = re.compile(r"(?:^|[，,。；;：:])(?:主要是|但)?(?:因受|由于|因为|受)(?!理|益|托|到表彰)")
_NEGATIVE = re.compile(r"未|无法|不能|没有|不足|偏低|滞后|较慢|缓慢|" + HARDSHIP + r"|紧张|差|影响|推迟|延迟|不到位")


_SENT_ENDS = tuple(SENT_END)


def _is_heading_like(block: Block, text: str) -> bool:
    return block.kind == "heading" or (
        bool(block.marker) and len(text) <= 30 and not any(ch in text for ch in SENT_END + "，,")
    )


def extract_statements(document: Document, blocks: list[Block]) -> StatementsFound:
    """Every problem and measure statement of a report, each at the line where it starts.

    Candidates the confidence model finds unlikely (below the shipped threshold) are left out."""
    from nlp.statements.confidence import emit_threshold, score_candidates

    cands, found = extract_candidates(document, blocks)
    probs = score_candidates(cands)
    thr = emit_threshold()
    seen: set[tuple[int, str, str]] = set()
    for c, p in zip(cands, probs, strict=True):
        key = (c.span.line, c.type, c.span.text)
        if key in seen or p < thr:
            continue
        seen.add(key)
        found.statements.append(Statement(doc=document.doc, line=c.span.line, type=c.type, text=c.span.text,
                                          block=c.block, confidence=float(p)))
    found.statements.sort(key=lambda s: (s.line, s.type != "problem"))
    return found


# every word that one of a quiet block's tests needs (TITLE_WORD, _intro_type's closing words,
# _clause_cues' 因/由于/受, LIST_OPENER, _CELL_CAUSE): a text without any passes all of them by
_ANY_CUE = re.compile("问题|原因|不足|措施|建议|下一步|意见|方向|如下|因|由于|受|存在|发现|提出|采取|通过|实施|"
                      "困难|紧张|滞后|未|无法|不能|影响|偏差")


def _quiet(block: Block, kind: str, text: str, list_carry: str | None, heading_type: Any) -> bool:
    """Whether a block outside the problems and measures (holding no title word; for a non-heading, with
    no cue carried over from the block before) stays without a type: what the general path of
    :func:`extract_candidates` would find, in its order of tests."""
    if kind == "table_row":
        if "|" in text or "\t" in text:
            return False
    elif kind in ("heading", "paragraph", "list_item"):
        if heading_type(block) is not None:
            return False
    else:
        return False
    if kind == "heading" or list_carry is None:
        return True
    # an introducing sentence before it gives a list item (or a marked or enumerated line) its type
    return kind != "list_item" and not block.marker and ENUM.match(text) is None


def extract_candidates(document: Document, blocks: list[Block]) -> tuple[list[Candidate], StatementsFound]:
    """Every candidate statement (unscored) and the "no problems" finding."""
    found = StatementsFound()
    cands: list[Candidate] = []
    # --- 1. characters with a mode, gathered into runs ------------------------------------
    runs: list[tuple[str, list[tuple[Span, Block, str, bool]]]] = []  # (type, [(span, block, source, heading)])
    current: tuple[str, list[tuple[Span, Block, str, bool]]] | None = None
    carry: str | None = None  # a section cue ending a block opens the next block too
    list_carry: str | None = None  # an introducing sentence opens the list items after it
    cont: str | None = None  # a cue-opened sentence that runs onto the next line
    table_cols: dict[int, str] = {}
    headings = _Headings()

    def flush() -> None:
        nonlocal current
        if current is not None and current[1]:
            runs.append(current)
        current = None

    def add(typ: str, span: Span, block: Block, source: str, heading: bool, new_run: bool = False) -> None:
        nonlocal current
        if not span.text.strip():
            return
        if current is None or current[0] != typ or new_run:
            flush()
            current = (typ, [])
        current[1].append((span, block, source, heading))

    last_path: list[str] | None = None  # consecutive blocks mostly share their heading path (and verdict)
    last_verdict: tuple[bool, str | None] = (False, None)

    def heading_type(block: Block) -> str | None:
        nonlocal last_path, last_verdict
        titles_only = block.section in ("indicators", "budget")
        path = block.heading_path
        if last_path is not None and last_verdict[0] is titles_only and (path is last_path or path == last_path):
            return last_verdict[1]
        got = _heading_type(block, titles_only, headings)
        last_path, last_verdict = path, (titles_only, got)
        return got

    doc_lines = document.lines
    n_lines = len(doc_lines)
    for block in blocks:
        first = block.line_start
        if first == block.line_end and 1 <= first <= n_lines:  # one line (most blocks): _block_span's text
            text = doc_lines[first - 1]
            if "#" in text or "*" in text or "[" in text:
                text = _DEBRIS.sub("", text)
            text = text.strip()
            span: Span | None = None  # built when needed: Span(text, [first] * len(text))
        else:
            span = _block_span(document, block)
            text = span.text
        if not text:
            continue
        btype = SECTION_TYPE.get(block.section)
        kind = block.kind
        if btype is None and (kind == "heading" or (carry is None and (kind != "paragraph" or cont is None))) \
                and ((wordless := _ANY_CUE.search(text) is None) or TITLE_WORD.search(text) is None) \
                and _quiet(block, kind, text, list_carry, heading_type):
            # a block outside the problems and measures that nothing gives a type (no cue, no heading
            # above, no list or sentence opened before it): only inline lists, cause clauses and cause
            # cells can come of it. This is what the general path below does with such a block.
            if kind == "heading":
                table_cols = {}
            cont = carry = None
            if current is not None:
                flush()
            if wordless:  # (most blocks) no introducing sentence, list, cause clause or cause cell
                list_carry = None
                continue
            list_carry = _intro_type(text)
            clauses = _clause_cues(text)
            opener = LIST_OPENER.search(text) is not None
            cell = kind == "table_row" and 4 <= len(text) <= 40 and not _DIGIT.search(text) \
                and _CELL_CAUSE.search(text) is not None
            if not (clauses or opener or cell):
                continue
            if span is None:
                span = Span(text, [first] * len(text))
            for ltyp in ("problem", "measure") if opener else ():
                for li, item in enumerate(split_inline_list(span, ltyp) or []):
                    cands.append(Candidate(item, ltyp, block.index, "clause_cue", block.section,
                                           block.confidence, kind, item_pos=li, enumerated=True, split="list"))
            for cs, ce in clauses:
                cands_span = span.sub(cs, ce).strip()
                if len(cands_span.text) >= 6:
                    add("problem", cands_span, block, "clause_cue", False, new_run=True)
                    flush()
            if cell:
                cands.append(Candidate(span.strip(), "problem", block.index, "table", block.section,
                                       block.confidence, kind))
            if kind == "table_row":
                flush()
            continue
        if span is None:
            span = Span(text, [first] * len(text))
        # table rows: cause/measure columns
        if block.kind == "table_row" and ("|" in text or "\t" in text):
            flush()
            cells = [c for c in _CELL_SEP.split(text)]
            header = [("problem" if _COL_PROBLEM.search(c) else "measure" if _COL_MEASURE.search(c) else "")
                      for c in cells]
            if any(header) and all(len(c) <= 16 for c in cells):
                table_cols = {i: t for i, t in enumerate(header) if t}
                continue
            if table_cols:
                pos = 0
                for i, c in enumerate(cells):
                    j = text.find(c, pos)
                    pos = j + len(c) if j >= 0 else pos
                    if i in table_cols and j >= 0 and c.strip() and not NONE_STATED.match(c.strip()):
                        cands.append(Candidate(span.sub(j, j + len(c)).strip(), table_cols[i], block.index, "table",
                                               block.section, block.confidence, block.kind))
                continue
        elif block.kind == "heading":
            table_cols = {}
        titled = has_title_word(text)  # without such a word no heading cue, no section title
        if titled and is_section_title(text):
            flush()
            carry = None
            continue
        if btype is None and block.kind != "table_row":
            htype = heading_type(block)
            if htype is not None and block.scores.get(_SECTION_OF[htype], 1.0) < HEADING_PATH_MIN_SCORE:
                # the tagger read that heading too and still put the block elsewhere ("五、评价结论及建议 >
                # （一）评价结论", a new report's title after the last one's 建议)
                htype = None
            if htype is not None:  # (text is no section title: those were passed over above)
                btype = htype
                via_heading = True
            else:
                via_heading = False
        else:
            via_heading = False
        enum_start = ENUM.match(text) is not None
        listy = block.kind == "list_item" or bool(block.marker) or enum_start
        if btype is None and list_carry and listy and block.kind != "heading":
            btype, via_heading = list_carry, True  # an item under "…存在以下问题：" / "…措施如下："
        elif not listy or block.kind == "heading":
            list_carry = None
        if cont and block.kind == "paragraph" and not block.marker and not enum_start:
            btype, via_heading = cont, True  # the wrapped rest of a cue-opened sentence
        cont = None
        cues = _heading_cues(text) if titled else []
        mode = btype
        if mode is None and carry and block.kind != "heading":
            mode = carry
        carry = None
        if btype is None:
            intro = _intro_type(text)
            if intro is not None:
                list_carry = intro
        pos = 0
        segs: list[tuple[int, int, str | None, str]] = []
        for k, (s, e, t) in enumerate(cues):
            lead = text[pos:s]
            if lead and (text[e - 1] in "：:" or text[e:e + 1] in "：:") and len(lead) <= 30 \
                    and not any(ch in lead for ch in "。；;！？"):
                # "在预算执行中发现的主要问题：一是…": the words before a colon cue introduce it
                segs.append((pos, s, None, "heading_cue"))
            else:
                segs.append((pos, s, mode, "section" if mode == btype else "heading_cue"))
            mode, pos = t, e
            nxt = cues[k + 1][0] if k + 1 < len(cues) else len(text)
            if btype != t and s > 10 and not ENUM.match(text[e:].lstrip()):
                # a cue in the middle of running text ("…，偏差原因：…。") covers one sentence
                ends = [i for i in (text.find(ch, e) for ch in "。；;") if 0 <= i < nxt]
                if ends:
                    end = min(ends) + 1
                    segs.append((pos, end, t, "heading_cue"))
                    mode, pos = btype, end
        segs.append((pos, len(text), mode, "section" if mode == btype and not cues else "heading_cue"))
        if cues and len(text) - cues[-1][1] <= 3 and btype is None:
            carry = cues[-1][2]
        last = segs[-1]
        if last[3] == "heading_cue" and last[2] is not None and last[2] != btype and last[1] == len(text) \
                and not text.endswith(_SENT_ENDS):
            cont = last[2]
        heading: bool | None = None  # worked out for the first piece that needs it
        for s, e, t, src in segs:
            piece = span if s == 0 and e == len(text) else span.sub(s, e)  # (spans are never changed)
            if t is None:
                # cause clauses in running text outside problem sections
                flush()
                for ltyp in ("problem", "measure") if LIST_OPENER.search(piece.text) else ():
                    # "存在A、B等问题" / "提出C、D等建议" anywhere
                    for li, item in enumerate(split_inline_list(piece, ltyp) or []):
                        cands.append(Candidate(item, ltyp, block.index, "clause_cue", block.section,
                                               block.confidence, block.kind, item_pos=li, enumerated=True,
                                               split="list"))
                for cs, ce in _clause_cues(piece.text):
                    cands_span = piece.sub(cs, ce).strip()
                    if len(cands_span.text) >= 6:
                        add("problem", cands_span, block, "clause_cue", False, new_run=True)
                        flush()
                # a short table cell with a cause under an indicator table
                if block.kind == "table_row" and 4 <= len(piece.text) <= 40 and not _DIGIT.search(piece.text) \
                        and _CELL_CAUSE.search(piece.text):
                    cands.append(Candidate(piece.strip(), "problem", block.index, "table", block.section,
                                           block.confidence, block.kind))
                continue
            # a new run when the previous block ended a sentence and this one is a table cell
            new_run = block.kind == "table_row"
            if via_heading and src == "section":
                src = "heading_path"
            if heading is None:
                heading = _is_heading_like(block, text)
            add(t, piece, block, src, heading and s == 0, new_run=new_run)
        if block.kind == "table_row":
            flush()
    flush()

    # --- 2. runs into statements -----------------------------------------------------------
    for typ, parts in runs:
        texts: list[str] = []
        run_lines: list[int] = []
        for k, (sp, _b, _src, heading) in enumerate(parts):
            n = min(len(sp.text), len(sp.lines))  # (always equal; the shorter one bounds the pair)
            texts.append(sp.text if n == len(sp.text) else sp.text[:n])
            run_lines.extend(sp.lines if n == len(sp.lines) else sp.lines[:n])
            if heading and k + 1 < len(parts) and not sp.text.endswith(_SENT_ENDS):
                texts.append("。")  # a heading ends a "sentence"; merged below
                run_lines.append(sp.lines[-1])
        run = Span("".join(texts), run_lines)
        block_of = {}
        for sp, b, src, heading in parts:
            for ln in set(sp.lines):  # (one value for every line of the part: their order is moot)
                block_of.setdefault(ln, (b, src, heading))
        heading_lines = {sp.lines[0] for sp, _b, _s, h in parts if h and sp.lines}
        _split_run(run, typ, block_of, heading_lines, cands, found)

    # drop candidates without enough Chinese text (table debris, numbers)
    # and form instructions of the report template
    # (a table row holding an instruction is a template note: none of its pieces is a statement)
    by_index = {b.index: b for b in blocks}
    notes = {i for i in {c.block for c in cands if c.kind == "table_row"}
             if i in by_index and _is_instruction(by_index[i].text)}
    cands = [c for c in cands if _CJK3.search(c.span.text) is not None and not _is_instruction(c.span.text)
             and c.block not in notes and not _cue_only(c.span.text) and len(_PIPE.findall(c.span.text)) < 3
             and not (c.kind == "table_row" and _is_label_cell(c.span.text))]
    _add_context(cands, blocks, by_index, headings)
    return cands, found


_LABEL_END = re.compile(r"(?:概述|概况|情况|说明|内容|目标|指标|名称|依据|分析|摘要)$")
_SHORTFALL_WORD = re.compile(r"不|未|无|缺|偏|慢|滞后|难|差|弱|紧张|困难")


def _is_label_cell(text: str) -> bool:
    """A table's row or column label ("项目实施内容及过程概述", "年度目标完成情况"): it names what the
    next cell holds and states no shortcoming or action of its own."""
    return len(text) <= 16 and not any(ch in text for ch in "，,。；;") and bool(_LABEL_END.search(text)) \
        and not _SHORTFALL_WORD.search(text)


def _cue_only(text: str) -> bool:
    """A cue with nothing after it ("…。主要原因是" at the end of a report's text) states nothing."""
    # each pattern is tried only on a text holding a word that every one of its matches holds
    rest = PROBLEM_TRIGGER.sub("", text) if TRIGGER_WORD.search(text) else text
    if PROBLEM_HEADING_WORD.search(rest):
        rest = HEADING_PROBLEM.sub("", rest)
    if MEASURE_HEADING_WORD.search(rest):
        rest = HEADING_MEASURE.sub("", rest)
    return len(_CJK.findall(rest)) < 2


def _nearest_heading_type(path: list[str], headings: _Headings | None = None) -> str | None:
    """The type the closest heading above names, or None when it names neither."""
    for h in reversed(path):
        if len(h) > 40:
            continue
        return headings.type_of(h) if headings is not None else _named_type(h)
    return None


_TWO_DIGITS = re.compile(r"\d{2}")
_LABEL_PROBLEM = re.compile(r"原因|问题|不足")
_LABEL_MEASURE = re.compile(r"措施|建议|整改")


def _label_type(prev: Block | None, b: Block | None) -> str | None:
    """The type a short label cell right before a table cell names ("存在问题" → problem)."""
    if prev is None or b is None or b.kind != "table_row" or prev.kind != "table_row":
        return None
    t = prev.text.strip()
    if 2 <= len(t) <= 16 and not any(ch in t for ch in SENT_END + "，,") and not _TWO_DIGITS.search(t):
        return "problem" if _LABEL_PROBLEM.search(t) else "measure" if _LABEL_MEASURE.search(t) else "other"
    return None


def _add_context(cands: list[Candidate], blocks: list[Block], by_index: dict[int, Block] | None = None,
                 headings: _Headings | None = None) -> None:
    """What the headings above say and how often the same text recurs in the report.

    Why: the section tagger can put a list of work done under a problems label; the headings above
    ("项目主要内容") still tell it apart. Form instructions and template rows repeat verbatim for every
    project table, a stated problem or measure seldom does."""
    if not cands:
        return
    if by_index is None:
        by_index = {b.index: b for b in blocks}
    if headings is None:
        headings = _Headings()
    # a table flattened one cell per line puts a short label cell ("存在问题", "年度目标完成情况")
    # before the cell it names: the block just before the candidate's own
    position = {id(b): i for i, b in enumerate(blocks)} if any(c.kind == "table_row" for c in cands) else {}
    counts: dict[str, int] = {}
    for c in cands:
        counts[c.span.text] = counts.get(c.span.text, 0) + 1
    memo: dict[int, tuple[str | None, str | None, str | None]] = {}
    for c in cands:
        c.repeats = counts[c.span.text] - 1
        got = memo.get(c.block)
        if got is None:
            b = by_index.get(c.block)
            path = (b.heading_path or []) if b is not None else []
            label = None
            if b is not None and b.kind == "table_row":
                i = position.get(id(b), 0)
                label = _label_type(blocks[i - 1] if i > 0 else None, b)
            got = (_nearest_heading_type(path, headings), _heading_type(b, False, headings) if b is not None else None,
                   label)
            memo[c.block] = got
        c.heading_near, c.heading_any, c.cell_label = got


_CJK = re.compile(r"[\u4e00-\u9fa5]")
_CJK3 = re.compile(r"[\u4e00-\u9fa5][^\u4e00-\u9fa5]*[\u4e00-\u9fa5][^\u4e00-\u9fa5]*[\u4e00-\u9fa5]")  # three or more
# a character every match of INSTRUCTION holds (需…, 应…, 请…, …字以内, 填报/填表说明, 说明：…, 包括但不限于, A=B/C)
_INSTRUCTION_HINT = re.compile("[需应请字填包说=＝]")


def _is_instruction(text: str) -> bool:
    """INSTRUCTION.search(text), tried only on a text holding a character that every match holds
    (the pattern opens with a lookbehind, so a search is tried at every position)."""
    return _INSTRUCTION_HINT.search(text) is not None and INSTRUCTION.search(text) is not None
_PIPE = re.compile(r"[|｜]")  # a run of cell separators: a flattened table row, not a statement


_CAUSE_CONTEXT = re.compile("原因|根源|症结")
# a heading line that names a kind of content ("厉行节约保障措施", "资金管理情况"): not a statement, and
# not the head of one either, unless it opens with an action or states a shortfall (_SHORTFALL_WORD,
# as for a table's label cell)
_CATEGORY_TITLE = re.compile(r"(?:措施|建议|问题|不足|情况|做法|计划|打算|对策|意见|思路)[：:。]?$")
# "为加强预算管理，规范财务行为，已制定…": a purpose clause before work already done is an account of
# that work, not a measure (no gold measure opens with 为 and a purpose)
_PURPOSE_DONE = re.compile(r"^为了?[^，,。；;]{2,40}[，,].*(?:已|了)")
# "将A细化为…，将B拆解为…", "…，建议县局…": clauses that stand as measures of their own in any item
_PARALLEL_OPENER = ("将", "建议", "同时建议", "并建议")
_CONSEQUENCE = re.compile("导致|造成|致使|从而|进而|以致")
_NAMES_PROBLEMS = re.compile("问题|不足|措施|建议|整改")


def _lists_causes(where: tuple[Block, str, bool] | None, text: str) -> bool:
    """Whether a problem sentence sits where causes are listed: under a heading that names them
    ("（二）原因分析") or right after a cue in its own line ("问题根源：…")."""
    if where is None:
        return False
    b = where[0]
    path = b.heading_path or []
    # (a heading that names more, "存在的问题及原因分析", "偏差原因及改进措施", opens problems as much
    # as causes: there a problem and its detail stay one statement)
    if path and len(path[-1]) <= 40 and _CAUSE_CONTEXT.search(path[-1]) and not _NAMES_PROBLEMS.search(path[-1]):
        return True
    i = b.text.find(text[:8])
    return i > 0 and _CAUSE_CONTEXT.search(b.text[max(0, i - 12):i]) is not None


def _split_run(run: Span, typ: str, block_of: dict[int, tuple[Block, str, bool]], heading_lines: set[int],
               out: list[Candidate], found: StatementsFound) -> None:
    pre, items = enumerate_items(run)
    groups: list[tuple[Span, bool]] = []
    if pre is not None:
        groups.append((pre, False))
    groups.extend((it, True) for _m, it in items)
    n_items = len(groups)
    for gi, (item, enumerated) in enumerate(groups):
        sents = sentences(item)
        if not sents:
            continue
        # "无" and friends: not statements, but worth recording
        if typ == "problem" and len(sents) == 1 and NONE_STATED.match(sents[0].text):
            if not found.no_problems_stated:
                found.no_problems_stated, found.no_problems_line = True, sents[0].line
            continue
        # a short first sentence (or a heading line) followed by its explanation: one statement
        merged: list[tuple[Span, bool]] = []
        i = 0
        while i < len(sents):
            s = sents[i]
            if i == 0 and s.line in heading_lines and _CATEGORY_TITLE.search(s.text) \
                    and not MEASURE_VERB.match(s.text) and not _SHORTFALL_WORD.search(s.text):
                i += 1  # "厉行节约保障措施": a heading that names a kind of content, not a statement
                continue
            is_head = (s.line in heading_lines and i == 0) or (
                i == 0 and len(s.text) <= PROBLEM_HEAD_MAX and len(sents) > 1 and enumerated
                and not s.text.endswith(("：", ":")))
            if is_head and i + 1 < len(sents):
                nxt = strip_connective(sents[i + 1])
                first = nxt
                merged.append((Span(s.text + "。" + first.text, s.lines + [s.lines[-1]] + first.lines), True))
                i += 2
                continue
            if typ == "problem" and merged and _CONSEQUENCE.match(s.text):
                # "…未纳入评价范畴；导致评价聚焦短期成果": the effect of the problem before, not a new one
                prev, prev_head = merged[-1]
                merged[-1] = (Span(prev.text + "；" + s.text, prev.lines + [prev.lines[-1]] + s.lines), prev_head)
            else:
                merged.append((s, False))
            i += 1
        for si, (s0, was_head) in enumerate(merged):
            s = cut_intro(s0) if not was_head else s0
            if s is not None and typ == "problem":
                s = strip_trailing_trigger(s)
            if s is None:
                continue
            s = strip_example_lead(s)
            text = s.text
            if NONE_STATED.match(text):
                if typ == "problem" and not found.no_problems_stated:
                    found.no_problems_stated, found.no_problems_line = True, s.line
                continue
            if is_section_title(text) or len(text) < 4:
                continue
            if typ == "measure" and _PURPOSE_DONE.match(text):
                continue
            pieces: list[Span]
            listed = split_inline_list(s, typ)
            other = "measure" if typ == "problem" else "problem"
            listed_other = split_inline_list(s, other)
            if listed_other:  # "…存在A、B等问题，提出C、D等建议": both kinds in one sentence
                b, src, _h = block_of.get(s.line, (None, "section", False))
                for pi, p in enumerate(listed_other):
                    out.append(Candidate(span=p, type=other, block=b.index if b else -1, source="heading_cue",
                                         section=b.section if b else "other", section_conf=b.confidence if b else 0.0,
                                         kind=b.kind if b else "paragraph", item_pos=pi, enumerated=True,
                                         run_len=n_items, split="list"))
                if not listed:
                    # the sentence lists the other kind; only what follows that list can be of this one
                    # ("审计发现该局存在A、B等问题，建议加强C")
                    end = inline_list_end(s.text, other)
                    rest = s.sub(end, len(s.text)).strip() if end is not None else None
                    if rest is None or len(rest.text) < 4:
                        continue
                    s, text = rest, rest.text
            if listed:
                pieces = listed
                if typ == "problem" and SPLIT_PROBLEM_COMMAS:  # "存在A，B；C等问题": an item may hold two
                    pieces = [q for p in listed for q in split_problem_clauses(p)]
                head_end = s.text.find("。") if was_head else -1
                if 0 < head_end < s.text.find(listed[0].text):
                    # "偏低。主要受A、B、C的影响": the heading is a problem of its own, then its causes
                    pieces = [s.sub(0, head_end).strip(), *pieces]
            elif typ == "measure" and not was_head and SPLIT_MEASURE_COMMAS:
                pieces = [q for p in split_measure_clauses(s) for q in (split_measure_list(p) or [p])]
                if enumerated and len(pieces) == 2 and not pieces[1].text.startswith(_PARALLEL_OPENER):
                    # "一是加强与财政沟通，加大支付进度": an enumerated item of two action clauses is one
                    # measure, its second clause the first's means or detail (held out on the real
                    # reports, F1 0.822 -> 0.838); three or more stay a list
                    pieces = [strip_connective(s)]
            elif typ == "problem" and SPLIT_PROBLEM_COMMAS:
                # a merged heading ("项目建设不规范。…") stays with the first problem of its explanation
                head_end = s.text.find("。") + 1 if was_head else 0
                # a heading on its own line names one problem, whatever its commas
                pieces = [s] if s.line in heading_lines and not was_head else \
                    split_problem_clauses(s, head_end, _lists_causes(block_of.get(s.line), s.text))
            else:
                pieces = [strip_connective(s)]
            for pi, p in enumerate(pieces):
                if len(p.text) < 4:
                    continue
                b, src, _h = block_of.get(p.line, block_of.get(s.line, (None, "section", False)))
                out.append(Candidate(
                    span=p, type=typ, block=b.index if b else -1, source=src,
                    section=b.section if b else "other", section_conf=b.confidence if b else 0.0,
                    kind=b.kind if b else "paragraph", item_pos=gi + si + pi, enumerated=enumerated,
                    merged_heading=was_head, run_len=n_items, pieces=len(pieces), piece_idx=pi,
                    split="list" if listed else "clause" if len(pieces) > 1 else "",
                ))
