"""The figure grammar: every number with its unit, scale, comparator and kind, on one string.

Why a hand-written scanner instead of a generic number recogniser: report text mixes money in
万元, percentages, scores (分), counters (人, 件, 次 …), Chinese numerals (一百二十, 两) and lots of
numbers that are *not* figures (years, dates, document numbers, list ordinals, codes, slogans).
Telling them apart needs the few characters around each number, which a single compiled scan
plus bounded look-arounds gives in linear time.

Every regex here is linear on adversarial input: the token pattern has no nested quantifiers
over the same characters, and the look-arounds run on fixed-width windows.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

# ------------------------------------------------------------------ character classes
_DIG = "0-9０-９"
_CN_START = "零〇一二两三四五六七八九十"
_CN_BODY = "零〇一二两三四五六七八九十百千万亿"
_FW = str.maketrans("０１２３４５６７８９．，％", "0123456789.,%")

# One token: a number, optionally written as 百分之…; thousands separators , and full-width ，.
# The leading look-ahead lets the scan skip, in one test, the characters no number starts with.
_TOKEN = re.compile(
    rf"(?=[百{_DIG}{_CN_START}])(?P<pct>百分之)?(?:(?P<ar>[{_DIG}]+(?:[,，][{_DIG}]{{3}})*(?:[.．][{_DIG}]+)?)"
    rf"|(?P<cn>[{_CN_START}][{_CN_BODY}]*(?:点[零〇一二三四五六七八九]+)?))"
)

# Units, longest first (regex alternation takes the first alternative that matches).
_MONEY = {"亿元": 1e8, "万元": 1e4, "千元": 1e3, "元": 1.0}
_PERCENT = ("%", "％", "‰", "个百分点", "百分点")
_OTHER = ("年", "平方公里", "平方米", "立方米", "㎡", "平米", "公顷", "公里", "千米", "千克", "公斤", "亩", "吨",
          "个工作日", "工作日", "个小时", "小时", "分钟", "个月", "天", "日", "周", "倍", "米")
_COUNT = ("万人次", "人次", "件次", "户次", "家次", "场次", "个批次", "批次", "课时", "学时",
          "人", "名", "户", "家", "所", "个", "次", "件", "项", "批", "场", "宗", "辆", "套", "台", "篇",
          "字", "张", "本", "份", "对", "类", "股", "室", "起", "条", "座", "间", "栋", "块", "只", "头",
          "株", "棵", "册", "架", "艘", "枚", "盏", "组", "位", "节", "轮",
          "剂次", "台次", "车次", "架次", "班次", "剂", "樘", "盒", "瓶", "袋", "箱", "例", "笔", "种", "标段", "处", "部", "管")
_UNITS = sorted(list(_MONEY) + list(_PERCENT) + list(_OTHER) + list(_COUNT) + ["分"], key=len, reverse=True)
_UNIT_RE = "|".join(re.escape(u) for u in _UNITS)
_UNIT_FIRST = re.escape("".join(sorted({u[0] for u in _UNITS})))  # fast reject before trying every unit

_SP = "[ \u3000\u00a0]{0,3}"
# What may follow a number: approximation, 万/亿 scale, the unit, a trailing bound.
_SUFFIX = re.compile(
    rf"{_SP}(?P<a1>余|多)?{_SP}(?P<scale>万|亿)?(?P<a2>余|多)?{_SP}(?P<unit>(?=[{_UNIT_FIRST}])(?:{_UNIT_RE}))?"
    rf"(?P<per>[/／](?:平方米|公里|公顷|亩|人|户|次|台|辆|吨|个|件|所|间|套|张|天|月|年|小时|学生|生))?"
    rf"(?P<post>以上|以下|以内|左右)?"
)
# Characters after a unit that show the "unit" was really the start of another word.
_UNIT_NOT_BEFORE: dict[str, str] = {
    "分": "钟别配析类局管行院公布批期解工值数享担摊成段级区之",
    "人": "民大员口均事才社",
    "名": "称单列额义誉次",
    "家": "庭属乡长",
    "所": "有属在得需以谓长",
    "项": "目规原要制措",
    "台": "账帐阶",
    "场": "所地景馆合",
    "批": "复准示转",
    "本": "年级单部次期着科地市县区级身",
    "份": "额",
    "对": "于象接照标比待外口应策待此",
    "类": "似",
    "起": "草到步来止诉始点见",
    "个": "人",
    "位": "于置",
    "股": "份权东",
    "室": "内外",
    "座": "谈",
    "节": "约点能日",
    "条": "件例线",
    "周": "年边期转",
    "日": "常前后起益",
    "天": "然气",
    "米": "饭",
    "字": "号",
    "处": "理置于室长罚分在境级",
    "种": "植子类养",
    "笔": "记者",
    "例": "如",
    "箱": "包",
    "次": "性",
    "件": "事",
    "部": "门署分位队长委件署属级室际",
    "管": "理控护辖网道线家委局",
}
# A number followed by one of these is a name, a date or a document number, not a figure.
_NAME_AFTER = re.compile(
    rf"{_SP}(?:年|月|号|届|级|周年|中全会|大(?![于约])|热线|办(?!理|结|件|公)|路|楼|版|代|世纪|强|包|无|零|进|码)"
)
# Words before a number that make it an ordinal, a code or a reference.
_REF_BEFORE = re.compile(
    r"(?:第|编号|代码|号|序号|附件|附表|表|图|No\.?|NO\.?|电话|手机|传真|邮编|邮政编码|[A-Za-z_])\s*$"
)
_MONEY_CONTEXT = re.compile(r"元|预算|资金|经费|支出|收入|拨款|金额|投资|执行")
_DEBRIS_BEFORE = re.compile(r"(?:浏览|点击|阅读|访问|下载)(?:次数|量|数)?[:：]?\s*$")
_CMP_BEFORE = re.compile(
    r"(?P<cmp>大于等于|小于等于|大于或等于|小于或等于|不低于|不少于|不超过|不高于|不大于|不小于|不足|至少|最多|"
    r"达到|超过|高于|低于|大于|小于|等于|≥|≤|>=|<=|＞=|＜=|>|<|＞|＜|＝|=|≧|≦|约|近|将近|接近)[ \u3000]{0,2}$"
)
_CMP_MAP = {
    "大于等于": ">=", "大于或等于": ">=", "不低于": ">=", "不少于": ">=", "不小于": ">=", "至少": ">=",
    "达到": ">=", "≥": ">=", ">=": ">=", "＞=": ">=", "≧": ">=",
    "小于等于": "<=", "小于或等于": "<=", "不超过": "<=", "不高于": "<=", "不大于": "<=", "最多": "<=",
    "≤": "<=", "<=": "<=", "＜=": "<=", "≦": "<=",
    "超过": ">", "高于": ">", "大于": ">", ">": ">", "＞": ">",
    "低于": "<", "小于": "<", "不足": "<", "<": "<", "＜": "<",
    "等于": "=", "＝": "=", "=": "=",
}
_APPROX_WORDS = {"约", "近", "将近", "接近"}
_SCALE_OF = {"万": 1e4, "亿": 1e8}
_POST_MAP = {"以上": ">=", "以下": "<=", "以内": "<="}

# Spans masked before scanning: dates, document numbers, phone numbers, ordinals.
_MASKS = [
    re.compile(rf"[{_DIG}]{{4}}{_SP}[-/.．年]{_SP}[{_DIG}]{{1,2}}{_SP}[-/.．月]{_SP}[{_DIG}]{{1,2}}{_SP}[日号]?"),
    re.compile(rf"[{_DIG}]{{4}}{_SP}年{_SP}[{_DIG}]{{1,2}}{_SP}月"),
    re.compile(rf"[{_DIG}]{{1,2}}{_SP}月{_SP}[{_DIG}]{{1,2}}{_SP}[日号]"),
    re.compile(rf"[〔\[［【﹝(（]{_SP}[{_DIG}]{{4}}{_SP}[〕\]］】﹞)）]{_SP}[{_DIG}]{{1,5}}{_SP}号?"),
    re.compile(rf"(?<![{_DIG}])[{_DIG}]{{3,4}}[-－—][{_DIG}]{{7,8}}(?![{_DIG}])"),
    re.compile(rf"(?<![{_DIG}])1[3-9][{_DIG}]{{9}}(?![{_DIG}.．万亿元%人个次件户名项分])"),
    re.compile(rf"[（(]{_SP}[{_DIG}]{{1,2}}{_SP}[)）]"),
    re.compile(rf"[{_DIG}]{{1,2}}{_SP}[、.．](?![{_DIG}])"),  # an ordinal when it opens a clause (checked below)
    re.compile(rf"[{_DIG}]{{1,2}}{_SP}[:：]{_SP}[{_DIG}]{{2}}(?![{_DIG}])"),  # clock times 14:30
]
_QUOTES_OPEN = "“「『《\""
_QUOTES_CLOSE = "”」』》"
_CN_PREV_WORD = set("统唯万之同单第逐划专合初周每星礼拜")  # 统一, 唯一, 之一 … (每 handled separately)
_CN_ONE_UNITS = {"个", "次", "人", "名", "家", "件", "宗", "辆", "台", "套", "篇", "项"}
_CN_ONE_NOT_AFTER = ("时期", "阶段", "重要", "整体", "共同", "新", "良好", "更", "的", "全", "大", "小",
                     "性", "体", "条")
_CN_UNITS = set(_COUNT) | set(_MONEY) | {"分", "天", "个月", "小时", "个工作日", "工作日", "周", "日"}

KIND_OF_UNIT: dict[str, str] = {**{u: "amount" for u in _MONEY}, **{u: "percent" for u in _PERCENT},
                                **{u: "other" for u in _OTHER}, **{u: "count" for u in _COUNT}, "分": "score"}


@dataclass(slots=True)
class Mention:
    """A figure found by the grammar in one string (offsets into that string)."""

    start: int
    end: int
    text: str
    value: float
    unit: str | None
    kind: str
    comparator: str | None = None
    approx: bool = False
    pattern: str = ""
    scaled: bool = False  # value was multiplied by 万/亿 into 元
    range_part: int | None = None


def to_number(s: str) -> float | None:
    """An Arabic (half- or full-width, with separators) or Chinese numeral as a float."""
    if s.isascii() and "," not in s and s[:1].isdigit():
        try:  # the common case, ASCII digits: nothing to translate
            return float(s)
        except ValueError:
            return None
    s = s.translate(_FW).replace(",", "").replace("，", "")
    if not s:
        return None
    if s[0].isdigit():
        try:
            return float(s)
        except ValueError:
            return None
    return _cn_number(s)


@lru_cache(maxsize=4096)
def _cn_number(s: str) -> float | None:
    """A Chinese numeral's value (cached: cn2an is slow, and 一, 两, 十 … recur everywhere)."""
    import cn2an

    try:
        v = cn2an.cn2an(s, "smart")
    except Exception:  # cn2an raises plain ValueError / its own errors on odd strings
        return None
    return float(v)


# Every mask opens with a digit or a bracket: the look-ahead rejects other positions in one test
# instead of trying each alternative there (same matches, same group numbers).
_MASK_ALL = re.compile(rf"(?=[{_DIG}〔\[［【﹝(（])(?:" + "|".join(f"({rx.pattern})" for rx in _MASKS) + ")")
_DIGITS = set("0123456789０１２３４５６７８９")
_HAS_DIGIT = re.compile(rf"[{_DIG}]")
_HAS_NUMERAL = re.compile(rf"[{_DIG}{_CN_START}]")


_CLAUSE_OPEN = set(" \t\u3000。；;：:，,!！?？")

# First characters of what may follow a number (spaces, 余/多, 万/亿, a unit): a Chinese numeral
# followed by none of them has no counter, so the suffix pattern need not be tried.
_SUFFIX_FIRST = frozenset(" \u3000\u00a0余多万亿" + "".join(u[0] for u in _UNITS))
# The last characters of the look-behind words. A look-behind ends at the number (``\s*$``): when the
# character before the number is neither one of these nor a space, the pattern cannot match there.
# ... and with a rate's slash or a trailing bound (以上, 左右): what the suffix pattern can start with
_SUFFIX_ANY = _SUFFIX_FIRST | frozenset("/／以左")
_REF_LAST = frozenset("第号码件表图oO.话机真编_")
_CMP_LAST = frozenset("于过足少多到≥≤=><＞＜＝≧≦约近")
_CMP_TRY = _CMP_LAST | frozenset(" \u3000\n")
# The first characters of the words after a number that make it a name or a date, and the spaces
# the pattern skips before them.
_NAME_FIRST = frozenset(" \u3000\u00a0年月号届级周中大热办路楼版代世强包无零进码")
_DEBRIS_WORD = re.compile(r"浏览|点击|阅读|访问|下载")


def _ref_before(text: str, lo: int, s: int) -> bool:
    """``_REF_BEFORE.search(text, lo, s)``, tried only where the character before ``s`` allows it."""
    if s <= lo:
        return False
    c = text[s - 1]
    if c in _REF_LAST or c.isspace() or (c.isascii() and c.isalpha()):
        return _REF_BEFORE.search(text, lo, s) is not None
    return False


def _cmp_before(text: str, lo: int, s: int) -> re.Match[str] | None:
    """``_CMP_BEFORE.search(text, lo, s)``, tried only where the character before ``s`` allows it
    (``$`` also matches before a final newline, so a newline there is searched too)."""
    if s <= lo:
        return None
    c = text[s - 1]
    if c in _CMP_LAST or c in " \u3000\n":
        return _CMP_BEFORE.search(text, lo, s)
    return None


def _masked(line: str) -> list[tuple[int, int]]:
    """Spans of dates, document numbers, phone numbers and ordinals."""
    first = _HAS_DIGIT.search(line)
    if first is None:
        return []
    spans = []
    # every mask holds a digit at most 4 characters after its start (a bracket, 3 spaces): none
    # starts earlier, so the scan starts there (look-behinds still see the text before it)
    for m in _MASK_ALL.finditer(line, max(0, first.start() - 4)):
        a, b = m.span()
        if m.lastindex == 8 and a > 0 and (line[a - 1] in _DIGITS or line[a - 1] not in _CLAUSE_OPEN):
            continue  # an ordinal only where it opens a clause
        spans.append((a, b))
    return spans


def _inside_quotes(line: str, pos: int, lo: int = 40) -> bool:
    """Is pos inside a short quoted span (a slogan like “五包一”)?"""
    left = line[max(0, pos - lo):pos]
    o = max(left.rfind(q) for q in _QUOTES_OPEN)
    if o < 0:
        return False
    c = max(left.rfind(q) for q in _QUOTES_CLOSE)
    if c > o:
        return False
    right = line[pos:pos + lo]
    return any(q in right for q in _QUOTES_CLOSE)


def parse_figures(text: str, bare: bool = False) -> list[Mention]:
    """Every figure mention in ``text``. ``bare=True`` also returns Arabic numbers without a unit
    (pattern ``"bare"``), which only a table or a comparator can make a figure."""
    out: list[Mention] = []
    first = _HAS_NUMERAL.search(text) if text else None
    if first is None:
        return out
    masks = _masked(text)  # non-overlapping, in order
    mask_starts = [a for a, _ in masks]
    n = len(text)
    debris = _DEBRIS_WORD.search(text) is not None  # the page-counter words, anywhere in the text
    # a token starts at a numeral or at the 百 of 百分之 three characters before one: none starts earlier
    for m in _TOKEN.finditer(text, max(0, first.start() - 3)):
        s, e = m.span()
        pct, ar, cn = m.groups()  # the groups in order: pct, ar, cn
        is_cn = ar is None
        sm = None
        if is_cn and not pct:
            # Chinese numerals are figures only with a counter right after: test that first (cheap)
            if e >= n or text[e] not in _SUFFIX_FIRST:
                continue  # no unit can follow: the suffix would match without one
            sm = _SUFFIX.match(text, e)
            if sm is None or sm.group("unit") is None:
                continue
        num_s = ar or cn
        if masks:
            t0 = m.start("ar") if ar else m.start("cn")
            k = bisect_right(mask_starts, t0) - 1
            if k >= 0 and t0 < masks[k][1]:
                continue
        prev = text[s - 1] if s > 0 else ""  # the character before the number ("" at the start)
        # numbers glued to letters or more digits are codes
        if prev.isascii() and prev.isalnum():
            continue
        if e < n and text[e].isascii() and text[e].isalpha() and text[e] not in "xX":
            continue
        if is_cn and prev in _CN_PREV_WORD:
            continue
        # the look-behinds read the few characters before the number (pos/endpos: no slices)
        b6 = max(0, s - 6)
        if ((prev in _REF_LAST or prev.isspace()) and _REF_BEFORE.search(text, b6, s)) or (  # as _ref_before
                debris and _DEBRIS_BEFORE.search(text, max(0, s - 8), s)):
            continue
        if text.endswith(("指标", "目标", "任务", "项目", "问题"), b6, s) and text[e:e + 1] in ":：.．、)）":
            continue  # 指标1:, 目标2. name an item, they do not measure it
        if len(num_s) > 24:  # no report states a figure that long; also keeps floats finite
            continue
        if ar is not None and num_s.isascii() and "," not in num_s:
            value = float(num_s)  # digits and at most one point: what to_number gives
        else:
            value = to_number(num_s)
            if value is None:
                continue
        if sm is None and e < n and text[e] in _SUFFIX_ANY:
            sm = _SUFFIX.match(text, e)
        if sm is not None:
            a1, scale, a2, unit, per, post = sm.groups()  # the groups in pattern order
            end = sm.end()
        else:  # nothing a suffix starts with follows: it would match empty, every group None
            a1 = scale = a2 = unit = per = post = None
            end = e
        approx = bool(a1 or a2)
        while end > e and text[end - 1] in " \u3000\u00a0":
            end -= 1
        if unit is None and not scale:
            end = e
            post = None
        # a unit that is really the start of a longer word
        if unit and end < n and text[end] in _UNIT_NOT_BEFORE.get(unit, "") and not post:
            unit = None
            end = sm.start("unit") if not scale else sm.end("scale")
        if e < n and text[e] in _NAME_FIRST and _NAME_AFTER.match(text, e):
            cmp_year = _CMP_BEFORE.search(text[max(0, s - 6):s])
            if not (not is_cn and text[e:e + 1] == "年" and len(num_s) <= 2 and cmp_year is not None
                    and cmp_year.group("cmp") not in _APPROX_WORDS and text[e + 1:e + 2] not in tuple("度底初末中")):
                continue
            unit, end = "年", e + 1
        if unit == "日" and ("月" in text[max(0, s - 6):s] or text[s - 1:s] == "至"):
            continue
        if unit in ("%", "％") and text[max(0, s - 2):s].rstrip().endswith(("×", "*", "x", "X")):
            continue
        if not is_cn and unit and unit not in _MONEY and unit != "%" and float(value).is_integer() \
                and 1949 <= value <= 2100 and len(num_s) == 4 and (
                    unit in ("届", "版", "期", "级") or not text[:s].strip()):
            continue
        if pct:
            if unit not in (None, "%", "％"):
                continue
            unit, kind = "%", "percent"
            end = max(end, e)
        pattern = "cn" if is_cn else "arabic"
        if pct:
            pattern = "pct_cn"
        if is_cn and not pct:
            if unit is None or unit not in _CN_UNITS or unit == "分":  # 十分繁重, 三分之一: not scores
                continue
            if _inside_quotes(text, s):
                continue
            if num_s == "一":
                if unit not in _CN_ONE_UNITS:
                    continue
                after = text[end:end + 4]
                if after.startswith(("一", "两")) or any(after.startswith(w) for w in _CN_ONE_NOT_AFTER):
                    continue
            if num_s in ("一", "两", "二", "三") and s > 0 and text[s - 1] in "一二三四五六七八九十":
                continue
            if "一" in text[end:end + 4]:  # 一人一档, 一村一品, 一个专项一行
                continue
            tok = text[s:end]
            if text[max(0, s - len(tok)):s] == tok:  # 一项一项
                continue
        kind = "other"
        scaled = False
        bare_scale = False
        if scale and unit is None:
            # 5.8万 with the 元 left out (or pushed to the next line) in a money context; else a
            # number in 万 with no unit stated (受益人口3.5万)
            if _MONEY_CONTEXT.search(text[max(0, s - 30):end + 4]):
                unit = "元"
            else:
                bare_scale = True
        mult = _SCALE_OF[scale] if scale else 1.0
        if unit in _MONEY:
            mult *= _MONEY[unit]
            scaled = mult != 1.0
            # 元/亩, 元/人 (a rate): the unit as written, "元/" and its denominator (the scorer tells 元/人 from 元)
            # "元/人、天" (a compound rate) is read as 元
            rate = per and sm.end("per") <= end and text[sm.end("per"):sm.end("per") + 1] not in ("、", "·", "/", "／")
            unit, kind = ("元/" + per[1:]) if rate else "元", "amount"
        elif unit in _PERCENT or pct:
            kind = "percent"
            if unit in ("％",):
                unit = "%"
        elif unit == "分":
            kind = "score"
        elif unit is not None:
            kind = KIND_OF_UNIT.get(unit, "count")
            if unit == "万人次":
                mult, unit = 1e4, "人次"
        if unit is None and bare_scale:
            pattern, kind = "scale", "other"
        elif unit is None:
            if is_cn:
                continue
            pattern = "bare"
            kind = "other"
        comparator = None
        cm = _CMP_BEFORE.search(text, b6, s) if prev in _CMP_TRY else None  # as _cmp_before
        start = s
        if cm:
            word = cm.group("cmp")
            if word in _APPROX_WORDS:
                approx = True
            else:
                comparator = _CMP_MAP.get(word)
            start = cm.start()
        if post in _POST_MAP:
            comparator = _POST_MAP[post]
        elif post == "左右":
            approx = True
        r = round(value * mult, 6)  # _clean, inline
        out.append(Mention(start, end, text[start:end], float(int(r)) if r == int(r) else r, unit, kind, comparator,
                           approx, pattern, scaled))
    if len(out) > 1:  # a range needs two mentions
        _link_ranges(text, out)
    return out if bare else [x for x in out if x.pattern != "bare"]


def _clean(v: float) -> float:
    r = round(v, 6)
    return float(int(r)) if r == int(r) else r


_RANGE_SEP = re.compile(r"[ \u3000]{0,2}(?:-|－|—|~|～|至|到)[ \u3000]{0,2}$")
_INTERVAL_SEP = re.compile(r"^[ \u3000]{0,2}(?:≤|<|＜|<=)")


def _link_ranges(text: str, ms: list[Mention]) -> None:
    """Ranges (90%-95%, 3至5次, 75≤得分＜85分): the first end borrows the unit of the second."""
    for a, b in zip(ms, ms[1:], strict=False):
        gap = text[a.end:b.start]
        if len(gap) > 8:
            continue
        if a.unit is None and b.unit is not None and (
            _RANGE_SEP.search(gap) or (_INTERVAL_SEP.match(gap) and b.comparator in ("<", "<="))
        ):
            scale = b.value / to_number(_digits_of(b.text)) if b.scaled and to_number(_digits_of(b.text)) else 1.0
            a.value = _clean(a.value * scale)
            a.unit, a.kind, a.pattern, a.scaled = b.unit, b.kind, "range", b.scaled
            a.range_part, b.range_part = 0, 1
            if _INTERVAL_SEP.match(gap):
                a.comparator = None
        elif a.unit is not None and a.unit == b.unit and _RANGE_SEP.search(gap):
            a.range_part, b.range_part = 0, 1


def _digits_of(s: str) -> str:
    m = _TOKEN.search(s)
    return (m.group("ar") or m.group("cn") or "") if m else ""
