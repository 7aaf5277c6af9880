"""Block features for the section classifier: named, weighted strings, hashed later.

Why named features: the linear model's weights can then be read back per block (``explain``).
Cheap by design: jieba runs once per distinct text (a block's own text, its headings reuse the
cache), everything else is character n-grams and string flags.

Namespaces: ``w:`` words, ``c:`` character bigrams, ``h0:``/``h1:`` the nearest and next
heading's words (the nearest weighs most), ``hk*:`` the label the keyword map reads off a
heading, ``win:`` words of the three blocks either side (added by ``DocFeatures.matrix``), ``pk:``/``nk:`` the neighbours' kinds, ``tt:`` the text line just before a table,
``k:``/``m:``/``lv:`` kind, marker style and level, ``pos:`` relative position, ``dt:`` kind of
report (from its first lines), ``s:`` the shape of the text (money, percent, digits …), ``app`` after
an attachment's title that opens a table (附表：… then its cells: attached forms, whatever heading is above).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from nlp.document import SECTION_LABELS, Block, Document
from nlp.sections.keywords import heading_label
from nlp.structure import find_marker

_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_ONE_DIGIT = re.compile(r"\d")
_PUNCT = set("，。、；：？！“”‘’（）()《》〈〉【】[]{}<>,.;:?!\"'·…—-_/\\|%％ \t\u3000")
_DOC_TYPES = ("决算", "自评", "项目", "整体", "评价", "预算", "审计", "整改")
MAX_CHARS = 80  # characters of a block that count (its opening says what it is about)
MAX_WORD_CHARS = 40  # characters segmented by jieba (the costly part)

# generic cue words: what falls short (problems) vs what will be done (measures); searched in the
# whole block text (cheap substring tests), so long problem/measure sentences are seen past 80 chars
_CUES: dict[str, tuple[str, ...]] = {
    "prob": ("不足", "不够", "有待", "欠缺", "滞后", "偏低", "偏高", "较慢", "缓慢", "不到位", "不规范", "不完善",
             "不健全", "不高", "不强", "不明确", "不合理", "不及时", "未能", "未完成", "未达到", "未达", "没有",
             "薄弱", "困难", "紧张", "短板", "差距", "偏差", "存在", "问题", "原因", "导致", "由于", "受", "影响",
             "尚未", "仍", "较少", "较低", "较大", "不一", "笼统", "模糊", "隐患", "风险"),
    "meas": ("加强", "进一步", "完善", "提高", "强化", "建议", "确保", "推进", "落实", "加大", "加快", "优化",
             "规范", "健全", "建立", "争取", "积极", "严格", "持续", "坚持", "注重", "做好", "提升", "督促",
             "整改", "改进", "措施", "努力", "切实", "力争", "着力", "及时"),
    "fut": ("将", "拟", "要", "下一步", "今后", "下年", "明年", "计划", "应当", "应", "需", "须"),
    "past": ("已", "完成了", "取得", "实现", "达到", "开展了"),
}
_NEG_SHORT = ("无", "无。", "暂无", "没有", "无问题", "不存在", "未发现")
# table cells that head a column in every region of a self-evaluation table (the budget rows and the
# indicator rows alike), so they never open a region of their own
_NEUTRAL_CELLS = frozenset(("得分", "分值", "权重", "评分", "满分", "自评得分", "原因", "备注", "说明", "合计", "小计"))
_SENTENCE_PUNCT = re.compile(r"[，。；;！？!?,]")


_PAGE_TAIL = re.compile(r"(?<!\d)\d{1,3}\s*$")
_LEADER_CHARS = frozenset(".．·…‥-_")


def _has_toc_leader(text: str) -> bool:
    """Dot leaders (or dashes) then a page number at the end: "四、存在的问题……12"."""
    m = _PAGE_TAIL.search(text)
    if m is None:
        return False
    tail = text[max(0, m.start() - 8) : m.start()].replace(" ", "").replace("\u3000", "")
    run = len(tail) - len(tail.rstrip("".join(_LEADER_CHARS)))
    return run >= 3 or (run >= 2 and "…" in tail[-run:])  # "……" is six dots in two characters
_BARE_PAGE = re.compile(r"^\s*\d{1,3}\s*$")


def _toc_entry(b: Block) -> tuple[bool, bool]:
    """(a short line that could be a contents entry: a heading, a numbered line or a dot-leader line;
    a numbered one: what a contents page lists, unlike a table's cells)."""
    t = b.text.strip()
    if b.kind == "table_row" or not t or len(t) > 50:
        return False, False
    numbered = find_marker(t)[0] is not None or _has_toc_leader(t)
    return b.kind == "heading" or numbered, numbered or t.startswith("第")


def _toc_key(text: str) -> str:
    """An entry's text without spaces, dot leaders and its page number: the body repeats it."""
    t = re.sub(r"\s+", "", text)
    t = re.sub(r"[.．·…‥_-]*\d{0,3}$", "", t)
    return t


_CONTENTS_TITLE = frozenset({"目录", "目次", "目录页"})


def toc_flags(blocks: list[Block]) -> list[bool]:
    """Blocks that look like entries of a table of contents: dot leaders with a page number; short
    headings in a run of rising bare page numbers (a flattened contents page); or the run of short
    entries after a 目录 title, up to the first entry met a second time (where the body begins).
    Navigation, not text."""
    n = len(blocks)
    bare = [b.kind != "table_row" and bool(_BARE_PAGE.match(b.text)) for b in blocks]
    n_bare = [0]
    for x in bare:
        n_bare.append(n_bare[-1] + x)
    entry_of: dict[int, tuple[bool, bool]] = {}

    def entry(j: int) -> tuple[bool, bool]:
        """(a short entry-like line, a numbered one: what a contents page lists, unlike table cells)"""
        got = entry_of.get(j)
        if got is None:
            e, numbered = _toc_entry(blocks[j]) if not bare[j] else (False, False)
            got = entry_of[j] = (e, e and numbered)
        return got

    out = [False] * n
    for i, b in enumerate(blocks):
        if b.kind == "table_row":
            continue
        t = b.text.rstrip()
        if t[-1:].isdigit() and _has_toc_leader(t.strip()):
            out[i] = True
            continue
        lo, hi = max(0, i - 6), min(n, i + 7)
        if n_bare[hi] - n_bare[lo] - bare[i] < 3 or not (bare[i] or entry(i)[0]):
            continue
        pages = [int(blocks[j].text) for j in range(lo, hi) if bare[j] and j != i]
        # page numbers rise through a contents page between numbered entries; table cells of counts do not
        if (min(pages) > 0 and all(a <= b for a, b in zip(pages, pages[1:], strict=False))
                and (entry(i)[0] or (i > 0 and entry(i - 1)[0]))
                and sum(entry(j)[1] for j in range(lo, hi)) >= 2):
            out[i] = True
    # a contents page without page numbers: the entries after its title until one comes round again
    for i, b in enumerate(blocks):
        if b.kind == "table_row" or re.sub(r"\s+", "", b.text) not in _CONTENTS_TITLE:
            continue
        seen: set[str] = set()
        misses = 0
        for j in range(i + 1, min(n, i + 120)):
            bj = blocks[j]
            key = _toc_key(bj.text)
            if bj.kind == "table_row" or len(bj.text.strip()) > 50 or key in seen \
                    or (len(key) >= 2 and any(k.startswith(key) for k in seen)):
                break
            if j + 1 < n and blocks[j + 1].kind != "table_row" and len(blocks[j + 1].text.strip()) > 50:
                break  # a heading over body text: the contents page is behind us
            if bare[j] or entry(j)[0]:
                out[j] = True
                seen.add(key)
                misses = 0
            else:
                misses += 1
                if misses > 1:
                    break
    return out


# a glossary entry: a short term, a colon, then what it means (指 / 是指 / 反映)
_DEFINITION = re.compile(r"^\s*(?:[（(]?[\d一二三四五六七八九十]{1,3}[)）.．、]\s*)?[^：:。；;，,]{2,40}[：:]\s*(?:是指|指|反映)")
# the placeholder names office software gives a chart's series and values, left behind when a chart
# embedded in a report is flattened to text with its data
_CHART_LABEL = re.compile(r"^(?:系列|类别)\s*\d{1,2}$|^(?:销售额|图表标题|坐标轴标题)$")
_CHART_CELL = re.compile(r"(?:^|\t) *系列 *\d{1,2} *(?:\t|$)")


def glossary_flags(blocks: list[Block], window: int = 3, least: int = 3) -> list[bool]:
    """Definition lines (基本支出：指…) among at least ``least`` such lines nearby: a glossary,
    even where its 名词解释 heading was lost."""
    defn = [b.kind != "table_row" and len(b.text) <= 400 and ("指" in b.text or "反映" in b.text)
            and _DEFINITION.match(b.text) is not None for b in blocks]
    n = len(blocks)
    return [defn[i] and sum(defn[max(0, i - window) : i + window + 1]) >= least for i in range(n)]


def chart_flags(blocks: list[Block]) -> list[bool]:
    """The data of a flattened chart (its series and category cells) and the chart's title line."""
    n = len(blocks)
    out = [False] * n
    for i, b in enumerate(blocks):
        t = b.text
        if not ("系列" in t or "类别" in t or "额" in t or "标题" in t):
            continue
        if not (_CHART_LABEL.match(t.strip()) or (b.kind == "table_row" and _CHART_CELL.search(t))):
            continue
        out[i] = True
        # the title just above the chart (…结构图, …变动情况图（单位：万元）)
        j = i - 1
        if j >= 0 and not out[j] and len(blocks[j].text) <= 80 and "图" in blocks[j].text \
                and blocks[j].kind != "table_row":
            out[j] = True
        # the chart's data rows below its label
        k = i + 1
        while k < n and blocks[k].kind == "table_row" and k - i <= 12:
            out[k] = True
            k += 1
    return out


def other_rule_flags(blocks: list[Block], toc: list[bool] | None = None) -> dict[str, list[bool]]:
    """Per rule, the blocks it marks as `other`; each rule is applied with the rate it held in training."""
    return {"toc": toc if toc is not None else toc_flags(blocks), "glossary": glossary_flags(blocks),
            "chart": chart_flags(blocks)}


_APPENDIX = re.compile(r"^附(?:件|表|录)\s*(?:[\d一二三四五六七八九十]+(?:[-－—]\d+)?)?\s*(?:[：:、.．\s]|$)|^附[：:]")
_TOC_ENTRY_END = re.compile(r"(?:\d|[一二三四五六七八九十])\s+\d{1,3}\s*$|(?<![.．…·])[.．…·]{3,}\s*\d")  # runs tried once


def appendix_flags(blocks: list[Block], first: int = 5, near_table: int = 4) -> list[bool]:
    """Blocks after an attachment's title (附件2, 附表：…) that comes after the report's opening blocks
    and opens a table: attached forms, whatever the heading above them was."""
    out = [False] * len(blocks)
    seen = False
    for i, b in enumerate(blocks):
        out[i] = seen
        t = b.text.strip()
        if not seen and i >= first and b.kind != "table_row" and len(t) <= 60 and _APPENDIX.match(t) \
                and not _TOC_ENTRY_END.search(t) \
                and any(x.kind == "table_row" for x in blocks[i + 1 : i + 1 + near_table]):
            seen = True
    return out


def _label_like(text: str) -> bool:
    """A cell that names a table region (存在问题, 预算执行情况（10分）), not one that says something."""
    t = text.strip().rstrip("：:")
    return (0 < len(t) <= 16 and not t[:1].isdigit() and t not in _NEUTRAL_CELLS
            and _SENTENCE_PUNCT.search(t) is None)


@dataclass(slots=True)
class DocFeatures:
    """Per-block feature dicts of one document plus the links the second stage needs."""

    feats: list[dict[str, float]]
    heading_of: list[int]  # index of the nearest heading block above (or -1)
    section_start: list[int]  # index of the first block under that heading (or 0)
    cell_head: list[int] = field(default_factory=list)  # last table cell naming a section (or -1)
    # label indices the keyword map reads off: the nearest heading, the cell head, the block itself
    kw_head: list[int] = field(default_factory=list)
    kw_cell: list[int] = field(default_factory=list)
    kw_self: list[int] = field(default_factory=list)
    words: list[list[str]] = field(default_factory=list)
    # blocks the annotation guide calls `other` whatever their words: contents entries, glossary
    # definitions, chart debris (``other_rule_flags``); the model learns how far each rule holds
    rules: dict[str, list[bool]] = field(default_factory=dict)
    context_cache: dict[str, Any] = field(default_factory=dict)  # second-stage inputs reused across rounds

    def matrix(self, hasher: Any) -> Any:
        """The hashed block × feature matrix: the named features plus the window words (``win:``).
        (Training builds this; prediction sums the same terms in score space, ``stage1_scores``.)"""
        base = hasher.transform(self.feats)
        if not self.feats:
            return base
        own = hasher.transform(self.window_counts())
        return (base + window_weights(self.words) @ own).tocsr()

    def window_counts(self) -> list[dict[str, float]]:
        """Each block's own words as ``win:`` counts (its neighbours see them through the window)."""
        return [_counts("win:", w) for w in self.words]


WINDOW = 3  # blocks either side whose words describe a block's neighbourhood
WINDOW_SCALE = 0.7


def _window_spans(lengths: list[int], i: int, win: int = WINDOW) -> tuple[int, int, int]:
    n = len(lengths)
    lo, hi = max(0, i - win), min(n, i + win + 1)
    return lo, hi, sum(lengths[lo:hi]) - lengths[i]


def _window_scale(words: list[list[str]]) -> tuple[Any, Any, Any]:
    """Per block: the window's first and past-last block, and the bag's scale 0.7/sqrt(its size)."""
    import numpy as np

    n = len(words)
    lengths = np.array([len(w) for w in words], dtype=float)
    csum = np.concatenate(([0.0], np.cumsum(lengths)))
    idx = np.arange(n)
    lo, hi = np.clip(idx - WINDOW, 0, n), np.clip(idx + WINDOW + 1, 0, n)
    size = csum[hi] - csum[lo] - lengths
    scale = np.divide(WINDOW_SCALE, np.sqrt(size), out=np.zeros(n), where=size > 0)
    return lo, hi, scale


def window_weights(words: list[list[str]]) -> Any:
    """The n × n weights turning each block's own ``win:`` counts into its neighbours' window bags:
    the words of the ``WINDOW`` blocks either side, one bag scaled by 1/sqrt(its size). The same
    values as adding the neighbours' words to every block's dict (``window_features``), with each
    block's words hashed once instead of once per neighbour."""
    import numpy as np
    from scipy import sparse

    n = len(words)
    lo, hi, scale = _window_scale(words)
    rows = np.repeat(np.arange(n), hi - lo)
    cols = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)]) if n else np.zeros(0, int)
    keep = rows != cols
    return sparse.csr_matrix((scale[rows[keep]], (rows[keep], cols[keep])), shape=(n, n))


def window_sum(own: Any, words: list[list[str]]) -> Any:
    """``window_weights(words) @ own`` for a dense ``own`` (n × k) in O(n·k): prediction's path."""
    import numpy as np

    lo, hi, scale = _window_scale(words)
    csum = np.vstack([np.zeros((1, own.shape[1])), np.cumsum(own, axis=0)])
    return (csum[hi] - csum[lo] - own) * scale[:, None]


def window_features(words: list[list[str]], i: int) -> dict[str, float]:
    """Block ``i``'s ``win:`` features by name (for explanations; ``window_matrix`` is the fast path)."""
    lo, hi, _ = _window_spans([len(w) for w in words], i)
    f: dict[str, float] = {}
    _add_bag(f, "win:", [w for j in range(lo, hi) if j != i for w in words[j]], WINDOW_SCALE)
    return f


def _counts(prefix: str, items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for it in items:
        k = prefix + it
        out[k] = out.get(k, 0.0) + 1.0
    return out


def _norm(text: str) -> str:
    return _DIGITS.sub("0", text[:MAX_CHARS])


def _bigrams(text: str) -> list[str]:
    t = _norm(text)
    return [a + b for a, b in zip(t, t[1:], strict=False) if a not in _PUNCT or b not in _PUNCT]


def _add(f: dict[str, float], key: str, w: float = 1.0) -> None:
    f[key] = f.get(key, 0.0) + w


def _add_bag(f: dict[str, float], prefix: str, items: list[str], scale: float = 1.0) -> None:
    if not items:
        return
    w = scale / (len(items) ** 0.5)
    get = f.get
    for it in items:
        k = prefix + it
        f[k] = get(k, 0.0) + w


def _shape(text: str) -> list[str]:
    out = []
    t = text.strip()
    n = len(t)
    out.append("len" + ("0" if n <= 4 else "1" if n <= 12 else "2" if n <= 30 else "3" if n <= 80 else "4"))
    if "万元" in t or "元" in t:
        out.append("money")
    if "%" in t or "％" in t:
        out.append("pct")
    if "分" in t and any(c.isdigit() for c in t):
        out.append("score")
    digits = len(_ONE_DIGIT.findall(t, 0, MAX_CHARS))
    n = min(n, MAX_CHARS)
    if n and digits / n > 0.5:
        out.append("numeric")
    if t[-1:] in "。；;":
        out.append("endstop")
    if t[-1:] in "：:":
        out.append("endcolon")
    if t in ("——", "……", "—", "…", "无", "-", "/", "／"):
        out.append("placeholder")
    return out


def _words(cache: dict[str, list[str]], seg, text: str) -> list[str]:  # noqa: ANN001
    key = text[:MAX_WORD_CHARS]
    got = cache.get(key)
    if got is None:
        got = [w for w in seg.tokenizer.cut(_DIGITS.sub("0", key), HMM=False) if w not in _PUNCT and w.strip()]
        cache[key] = got
    return got


def _segment_all(seg, texts: list[str], known: dict[str, list[str]] | None = None  # noqa: ANN001
                 ) -> dict[str, list[str]]:
    """Words of many texts with one jieba call (per-call overhead dominates for short lines).

    ``known`` holds words of texts seen before (the segmenter's cache of recurring cells); only the
    others are cut, and their words are added to it."""
    keys = list(dict.fromkeys(t[:MAX_WORD_CHARS] for t in texts))
    if not keys:
        return {}
    out: dict[str, list[str]] = {}
    if known is not None:
        out = {k: known[k] for k in keys if k in known}
        keys = [k for k in keys if k not in out]
        if not keys:
            return out
    joined = "\n".join(_DIGITS.sub("0", k).replace("\n", " ").replace("\r", " ") for k in keys)
    groups: list[list[str]] = [[]]
    tokenizer = seg.tokenizer  # no HMM: new-word guessing is slow, bigrams cover it
    cut = getattr(tokenizer, "dictionary_words", None)
    current = groups[0]
    for w in (cut(joined) if cut is not None else tokenizer.cut(joined, HMM=False)):
        if w == "\n":
            current = []
            groups.append(current)
        elif w not in _PUNCT and w.strip():
            current.append(w)
    if len(groups) != len(keys):  # should not happen; fall back to one call per text
        cache: dict[str, list[str]] = {}
        for k in keys:
            _words(cache, seg, k)
        groups = [cache[k] for k in keys]
    if known is not None:
        known.update(zip(keys, groups, strict=True))  # keys are short already (MAX_WORD_CHARS)
    out.update(zip(keys, groups, strict=True))
    return out


class RecurringTextCache:
    """Words and own features of short block texts seen in earlier reports of this process.

    Why: government forms repeat their cells and headings (一级指标, 年度指标值, 得分 …); about two in
    five blocks of a real report are such texts already met in other reports, and each would be cut
    and spelt out again. Bounded: emptied when it holds ``max_items`` texts. It belongs to one
    segmenter (its dictionary decides the words), so a changed dictionary needs a new segmenter."""

    def __init__(self, max_items: int = 20_000, max_features: int = 2_000) -> None:
        self.max_items = max_items
        self.max_features = max_features  # feature dicts weigh a few kB each: ~10 MB at this bound
        self.words: dict[str, list[str]] = {}
        self.own: dict[tuple[Any, ...], dict[str, float]] = {}

    def trim(self) -> None:
        if len(self.words) > self.max_items:
            self.words.clear()
        if len(self.own) > min(self.max_items, self.max_features):
            self.own.clear()


RECURRING_CHARS = MAX_CHARS  # texts this short recur across reports; longer ones are not kept
_TEXT_CACHES: Any = None


def clear_recurring_text_caches() -> int:
    """Empty every segmenter's recurring-text cache; returns how many there were."""
    if _TEXT_CACHES is None:
        return 0
    caches = list(_TEXT_CACHES.values())
    for c in caches:
        c.words.clear()
        c.own.clear()
    return len(caches)


def recurring_text_cache(seg) -> RecurringTextCache:  # noqa: ANN001
    """The cache that belongs to ``seg`` (made on first use)."""
    global _TEXT_CACHES
    if _TEXT_CACHES is None:
        import weakref

        _TEXT_CACHES = weakref.WeakKeyDictionary()
    got = _TEXT_CACHES.get(seg)
    if got is None:
        got = _TEXT_CACHES[seg] = RecurringTextCache()
    return got


def _cues_by_first_char() -> dict[str, tuple[tuple[str, str], ...]]:
    by: dict[str, list[tuple[str, str]]] = {}
    for name, cues in _CUES.items():
        for cue in cues:
            by.setdefault(cue[0], []).append((name, cue))
    return {c: tuple(v) for c, v in by.items()}


_CUE_FIRST = _cues_by_first_char()
_CUE_FIRST_CHARS = frozenset(_CUE_FIRST)


def _cue_counts(text: str) -> dict[str, int]:
    """How many distinct cue words of each kind a block's text holds (only kinds that occur).

    Only cues whose first character occurs in the text are tested (most blocks hold few of them)."""
    head = text[:300]
    out: dict[str, int] = {}
    for ch in _CUE_FIRST_CHARS.intersection(head):
        for name, cue in _CUE_FIRST[ch]:
            if cue in head:
                out[name] = out.get(name, 0) + 1
    return {name: out[name] for name in _CUES if name in out}


def _own_features(text: str, kind: str, marker: str | None, level: int | None, start: bool, toc: bool,
                  dt_keys: list[str], words: list[str], hlabel: Any) -> dict[str, float]:
    """Features of a block's own text and form: its words and bigrams, kind, numbering, shape, cues."""
    f: dict[str, float] = {"bias": 1.0}
    _add_bag(f, "w:", words)
    _add_bag(f, "c:", _bigrams(text))
    f["k:" + kind] = 1.0
    style = find_marker(text)[0] if marker is None else find_marker(marker)[0]
    if style:
        f["m:" + style] = 1.0
        f[f"km:{kind}:{style}"] = 1.0
    if level is not None:
        f["lv:" + str(min(level, 5))] = 1.0
    if start:
        f["pos:start"] = 1.0
    for sh in _shape(text):
        f["s:" + sh] = 1.0
        f[f"ks:{kind}:{sh}"] = 1.0
    for key in dt_keys:
        f[key] = 1.0
    for name, n_cue in _cue_counts(text).items():
        f["cue:" + name] = min(n_cue, 3) / 1.5
        f[f"kcue:{kind}:{name}"] = 0.5
    if toc:
        f["toc"] = 2.0
        f["ktoc:" + kind] = 1.0
    if text.strip().rstrip("。.") in _NEG_SHORT:
        f["negshort"] = 1.0
    if kind == "heading":
        f["selfk:" + (hlabel(text) or "none")] = 3.0
    return f


def doc_type_flags(document: Document) -> list[str]:
    """Words of the report's first lines naming its kind (决算, 自评, 项目 …)."""
    head = []
    for ln in document.lines:
        if ln.strip():
            head.append(ln.strip())
        if len(head) >= 6:
            break
    s = " ".join(head)
    return [t for t in _DOC_TYPES if t in s]


def featurise(document: Document, blocks: list[Block], seg=None) -> DocFeatures:  # noqa: ANN001
    """Feature dicts for every block of one document."""
    if seg is None:
        from nlp.segment import get_segmenter

        seg = get_segmenter()
    recurring = recurring_text_cache(seg)
    recurring.trim()
    cache = _segment_all(seg, [b.text for b in blocks], recurring.words)
    n = len(blocks)
    words = [_words(cache, seg, b.text) for b in blocks]
    dflags = doc_type_flags(document)

    # nearest heading block index and the start of its run
    heading_of: list[int] = []
    section_start: list[int] = []
    last_head = -1
    head_idx_by_text: dict[str, int] = {}
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            head_idx_by_text[b.text] = i
            last_head = i
            heading_of.append(i)
            section_start.append(i)
            continue
        h = head_idx_by_text.get(b.heading_path[-1], last_head) if b.heading_path else last_head
        heading_of.append(h)
        section_start.append(h + 1 if h >= 0 else 0)

    # the text line right before each table run
    table_title: list[str | None] = [None] * n
    prev_text: str | None = None
    for i, b in enumerate(blocks):
        if b.kind == "table_row":
            table_title[i] = prev_text
        else:
            prev_text = b.text

    hl_cache: dict[str, str | None] = {}

    def hlabel(t: str) -> str | None:
        if t not in hl_cache:
            hl_cache[t] = heading_label(t)
        return hl_cache[t]

    # keyword labels of every short block (cells and headings name their table's subject)
    kw = [hlabel(b.text) if len(b.text) <= 40 else None for b in blocks]
    # inside a table, a short cell that names a section (存在问题, 绩效指标 …) heads the cells after it
    cell_head: list[int] = []
    cur = -1
    for i, b in enumerate(blocks):
        if b.kind != "table_row":
            cur = -1
        elif kw[i] is not None and _label_like(b.text):
            cur = i
        cell_head.append(cur)
    toc = toc_flags(blocks)
    after_app = appendix_flags(blocks)

    # keyword labels within 8 blocks either side, counted by running sums (one row per label)
    kw_labels = sorted({lab for lab in kw if lab})
    kw_csum = {lab: [0] for lab in kw_labels}
    for lab in kw_labels:
        acc = kw_csum[lab]
        for x in kw:
            acc.append(acc[-1] + (x == lab))
    dt_keys = ["dt:" + t for t in dflags]
    dt_key = tuple(dt_keys)
    head_words: dict[str, list[str]] = {}

    def hwords(t: str) -> list[str]:
        got = head_words.get(t)
        if got is None:
            got = head_words[t] = _words(cache, seg, t)
        return got

    # features read off a heading path, a cell head or a table title are the same for every block
    # that shares it: built once per document, copied into each block's dict
    path_part: dict[tuple[str, ...], dict[str, float]] = {}
    cell_part: dict[int, dict[str, float]] = {}
    title_part: dict[str, dict[str, float]] = {}

    def path_features(path: tuple[str, ...]) -> dict[str, float]:
        got = path_part.get(path)
        if got is None:
            got = path_part[path] = {}
            h0 = path[-1]
            _add_bag(got, "h0:", hwords(h0), 1.5)
            got["hk0:" + (hlabel(h0) or "none")] = 1.5
            if len(path) >= 2:
                _add_bag(got, "h1:", hwords(path[-2]), 0.7)
                got["hk1:" + (hlabel(path[-2]) or "none")] = 1.0
            for h in path[:-2]:
                lab = hlabel(h)
                if lab:
                    _add(got, "hk2:" + lab, 0.5)
            got["depth:" + str(min(len(path), 5))] = 1.0
        return got

    def cell_features(ch: int) -> dict[str, float]:
        got = cell_part.get(ch)
        if got is None:
            got = cell_part[ch] = {"tsec:" + str(kw[ch]): 3.0}
            _add_bag(got, "tsecw:", words[ch], 1.0)
        return got

    def title_features(tt: str) -> dict[str, float]:
        got = title_part.get(tt)
        if got is None:
            got = title_part[tt] = {}
            _add_bag(got, "tt:", hwords(tt), 0.7)
            lab = hlabel(tt)
            if lab:
                got["ttk:" + lab] = 1.0
        return got

    feats: list[dict[str, float]] = []
    for i, b in enumerate(blocks):
        text = b.text
        kind = b.kind
        own_key = (text, kind, b.marker, b.level, i < 3, toc[i], dt_key) if len(text) <= RECURRING_CHARS else None
        own = recurring.own.get(own_key) if own_key is not None else None
        if own is None:
            own = _own_features(text, kind, b.marker, b.level, i < 3, toc[i], dt_keys, words[i], hlabel)
            if own_key is not None:
                recurring.own[own_key] = own
        f = dict(own)  # the block's own text and form; what its place in the report adds follows
        path = b.heading_path
        if path:
            f.update(path_features(tuple(path)))
        else:
            f["nopath"] = 1.0
        if after_app[i]:
            f["app"] = 1.0
            f["kapp:" + kind] = 1.0
        if i > 0:
            f["pk:" + blocks[i - 1].kind] = 1.0
        else:
            f["first"] = 1.0
        if i + 1 < n:
            f["nk:" + blocks[i + 1].kind] = 1.0
        else:
            f["last"] = 1.0
        if kw_labels:
            lo, hi = max(0, i - 8), min(n, i + 9)
            counts = [(lab, kw_csum[lab][hi] - kw_csum[lab][lo]) for lab in kw_labels]
            total = sum(c for _, c in counts)
            for lab, c in counts:
                if c:
                    f["wk:" + lab] = c * (2.0 / total)
        ch = cell_head[i]
        if ch >= 0:
            f.update(cell_features(ch))
        tt = table_title[i]
        if tt is not None:
            f.update(title_features(tt))
        feats.append(f)
    def lab_index(lab: str | None) -> int:
        return SECTION_LABELS.index(lab) if lab else -1

    kw_head = [lab_index(hlabel(b.heading_path[-1])) if b.heading_path else -1 for b in blocks]
    kw_cell = [lab_index(kw[c]) if c >= 0 else -1 for c in cell_head]
    kw_self = [lab_index(kw[i]) if b.kind == "heading" or (b.kind == "table_row" and _label_like(b.text)) else -1
               for i, b in enumerate(blocks)]
    return DocFeatures(feats=feats, heading_of=heading_of, section_start=section_start, cell_head=cell_head,
                       kw_head=kw_head, kw_cell=kw_cell, kw_self=kw_self, words=words,
                       rules=other_rule_flags(blocks, toc))
