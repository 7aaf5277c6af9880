"""Consistency checks over a report's facts: do the stated figures add up?

Each check says ``ok``, ``fail`` or ``unknown`` (an input is not stated) and gives a detail a
person can verify: the figures, as written, with their source lines. Sums allow rounding at two
decimals of 万元 (100 元 per addend); rates allow ±0.6 percentage points.
"""
from __future__ import annotations

import math
import re
from statistics import median

from nlp.document import Check, Document, Fact, Figure

RATE_TOLERANCE_PP = 0.6
ROUNDING_PER_TERM = 100.0  # 0.01 万元 in 元

CHECK_NAMES = (
    "basic_plus_project_equals_total", "personnel_plus_public_equals_basic", "execution_rate_matches",
    "grade_matches_score", "parts_not_exceeding_totals", "headcount_within_authorized", "unit_slip",
    "figures_agree",
)
_NAMES = {
    "revenue_total": "收入合计", "budget_initial": "年初预算数", "budget_adjusted": "调整后预算数",
    "expenditure_total": "支出合计", "execution_rate": "预算执行率", "basic_expenditure": "基本支出",
    "project_expenditure": "项目支出", "personnel_expenditure": "人员经费", "public_expenditure": "公用经费",
    "three_public_expenditure": "“三公”经费", "self_score": "自评得分", "grade": "评价等次",
    "staff_authorized": "编制数", "staff_actual": "实有人数",
}
# standard 绩效评价 bands: 90+ 优秀, 80-89 良好, 60-79 中 (or 一般), under 60 差
_BANDS: tuple[tuple[float, tuple[str, ...]], ...] = ((90.0, ("优秀",)), (80.0, ("良好",)), (60.0, ("中", "一般")),
                                                       (-1e9, ("差",)))


def _wan(v: float) -> str:
    return f"{v / 10000:.2f}万元"


def _show(f: Fact) -> str:
    if f.key in ("execution_rate",):
        return f"{_NAMES[f.key]} {float(f.value):g}% (line {f.line})"
    if f.key == "self_score":
        return f"{_NAMES[f.key]} {float(f.value):g}分 (line {f.line})"
    if f.key in ("staff_authorized", "staff_actual"):
        return f"{_NAMES[f.key]} {float(f.value):g}{f.unit or '人'} (line {f.line})"
    if f.key == "grade":
        return f"{_NAMES[f.key]} {f.value} (line {f.line})"
    return f"{_NAMES[f.key]} {_wan(float(f.value))} (line {f.line})"


def _missing(name: str, facts: dict[str, Fact], keys: tuple[str, ...]) -> Check | None:
    absent = [k for k in keys if k not in facts]
    if absent:
        return Check(name, "unknown", "not stated: " + ", ".join(_NAMES[k] for k in absent),
                     sorted({facts[k].line for k in keys if k in facts}))
    return None


# other expenditure of a 决算 besides basic and project (支出合计 = 基本 + 项目 + these)
_OTHER_SPENDING = re.compile(r"经营支出|上缴上级支出|对附属单位补助支出|其他支出")


def _sum_check(name: str, facts: dict[str, Fact], parts: tuple[str, str], total: str,
               figures: list[Figure] | None = None) -> Check:
    miss = _missing(name, facts, (*parts, total))
    if miss:
        return miss
    a, b, t = (facts[k] for k in (*parts, total))
    s = float(a.value) + float(b.value)
    diff = s - float(t.value)
    tol = ROUNDING_PER_TERM * 2 + 1e-6
    status = "ok" if abs(diff) <= tol else "fail"
    detail = (f"{_show(a)} + {_show(b)} = {_wan(s)}; {_show(t)}; difference {_wan(diff)}"
              + ("" if status == "ok" else f" (beyond rounding of {_wan(tol)})"))
    lines = {a.line, b.line, t.line}
    if status == "fail" and figures:
        twin = next((f for f in figures if f.kind == "amount" and abs(float(f.value) - s) <= tol
                     and abs(float(f.value) - float(t.value)) > tol), None)
        if twin is not None:
            detail += (f"; the sum equals {twin.text!r} at line {twin.line}"
                       + (f" ({twin.label})" if twin.label else "") + ": the parts may be of another figure (a budget?)")
            lines.add(twin.line)
    if status == "fail" and total == "expenditure_total" and figures:
        # the total may hold other spending (经营支出 …) stated beside it
        others = [f for f in figures if f.kind == "amount" and f.value and f.label
                  and _OTHER_SPENDING.search(f.label) and abs(f.line - t.line) <= 3]
        extra = sum(float(f.value) for f in {(f.line, f.start): f for f in others}.values())
        if others and abs(s + extra - float(t.value)) <= tol + ROUNDING_PER_TERM * len(others):
            status = "ok"
            shown = ", ".join(f"{f.label} {_wan(float(f.value))} (line {f.line})" for f in others)
            detail = (f"{_show(a)} + {_show(b)} + {shown} = {_wan(s + extra)}; {_show(t)}: "
                      "the total includes other spending besides basic and project")
            lines |= {f.line for f in others}
    return Check(name, status, detail, sorted(lines))


def check_execution_rate(facts: dict[str, Fact]) -> Check:
    name = "execution_rate_matches"
    budget_key = "budget_adjusted" if "budget_adjusted" in facts else "budget_initial"
    miss = _missing(name, facts, ("execution_rate", "expenditure_total", budget_key))
    if miss:
        return miss
    r, e, b = facts["execution_rate"], facts["expenditure_total"], facts[budget_key]
    if float(b.value) <= 0:
        return Check(name, "unknown", f"{_show(b)} is zero: no rate to compute", [b.line])
    computed = 100.0 * float(e.value) / float(b.value)
    stated = float(r.value)
    diff = stated - computed
    # a rate stated without decimals (99%) is only good to the whole percent
    whole = stated.is_integer() and (math.floor(computed + 1e-9) == stated or round(computed) == stated)
    status = "ok" if abs(diff) <= RATE_TOLERANCE_PP or whole else "fail"
    detail = (f"{_show(e)} / {_show(b)} = {computed:.2f}%; stated {_show(r)}; "
              f"difference {diff:+.2f} percentage points (tolerance ±{RATE_TOLERANCE_PP})")
    return Check(name, status, detail, sorted({r.line, e.line, b.line}))


# "得分≥85分为优秀" and "85分以上为优秀", per grade; _BOUND_WORDS and 以上 are what each needs.
_BOUND_WORDS = ("≥", ">=", "大于等于", "不低于")
_BAND_RX = {
    grade: (re.compile(rf"(?:得分|分数|总分|评分)?(?:≥|>=|大于等于|不低于)\s*(\d{{2}})分?(?:（含）)?(?:为|评为|的为|[,，]?等级为)[“\"]?(?:{pat})"),
            re.compile(rf"(\d{{2}})分(?:（含）|\(含\))?(?:以上|及以上)(?:（含\d+分）)?(?:为|评为|的为)[“\"]?(?:{pat})"))
    for grade, pat in (("优秀", r"优秀|优"), ("良好", r"良好|良"), ("中", r"中等|中|一般|合格"))
}


def grade_bands(document: Document | None) -> tuple[tuple[float, tuple[str, ...]], ...]:
    """The report's own grade bands when it states them (得分≥85分为优秀), else the standard ones."""
    if document is None:
        return _BANDS
    from nlp.facts import flat_text

    text = flat_text(document)
    found: dict[str, float] = {}
    # each pattern is searched only where its comparison words are in the text (both are rare)
    bounded = any(w in text for w in _BOUND_WORDS)
    above = "以上" in text
    for grade, (at_least, points_up) in _BAND_RX.items():
        m = (at_least.search(text) if bounded else None) or (points_up.search(text) if above else None)
        if m:
            found[grade] = float(m.group(1))
    if "优秀" not in found:
        return _BANDS
    hi = found["优秀"]
    mid = found.get("良好", min(80.0, hi - 5))
    low = found.get("中", 60.0)
    return ((hi, ("优秀",)), (mid, ("良好",)), (low, ("中", "一般")), (-1e9, ("差",)))


def check_grade(facts: dict[str, Fact], document: Document | None = None) -> Check:
    name = "grade_matches_score"
    miss = _missing(name, facts, ("grade", "self_score"))
    if miss:
        return miss
    g, s = facts["grade"], facts["self_score"]
    bands = grade_bands(document)
    expected: tuple[str, ...] = bands[-1][1]
    for floor, grades in bands:
        if float(s.value) >= floor:
            expected = grades
            break
    status = "ok" if str(g.value) in expected else "fail"
    which = "the report's own bands" if bands is not _BANDS else "standard bands 90+ 优秀, 80–89 良好, 60–79 中/一般, <60 差"
    detail = f"{_show(s)} falls in {'/'.join(expected)} ({which}); stated {_show(g)}"
    return Check(name, status, detail, sorted({g.line, s.line}))


def check_parts(facts: dict[str, Fact]) -> Check:
    name = "parts_not_exceeding_totals"
    pairs = [("basic_expenditure", "expenditure_total"), ("project_expenditure", "expenditure_total"),
             ("three_public_expenditure", "expenditure_total")]
    for part in ("personnel_expenditure", "public_expenditure"):
        pairs.append((part, "basic_expenditure" if "basic_expenditure" in facts else "expenditure_total"))
    present = [(p, t) for p, t in pairs if p in facts and t in facts]
    if not present:
        return Check(name, "unknown", "no part stated together with its total", [])
    over = [(p, t) for p, t in present if float(facts[p].value) > float(facts[t].value) + ROUNDING_PER_TERM]
    lines = sorted({facts[k].line for pt in (over or present) for k in pt})
    if over:
        return Check(name, "fail", "; ".join(f"{_show(facts[p])} exceeds {_show(facts[t])}" for p, t in over), lines)
    return Check(name, "ok", "; ".join(f"{_show(facts[p])} ≤ {_show(facts[t])}" for p, t in present), lines)


def check_headcount(facts: dict[str, Fact]) -> Check:
    name = "headcount_within_authorized"
    miss = _missing(name, facts, ("staff_actual", "staff_authorized"))
    if miss:
        return miss
    a, z = facts["staff_actual"], facts["staff_authorized"]
    status = "ok" if float(a.value) <= float(z.value) else "fail"
    rel = "≤" if status == "ok" else ">"
    return Check(name, status, f"{_show(a)} {rel} {_show(z)}", sorted({a.line, z.line}))


_YUAN = re.compile(r"\d\s*元")
_PER_UNIT = re.compile(r"生均|人均|每人|每[个户次件台辆]|/人|/[个户次件]|标准|单价|元/|不超过|最高|补助标准|每月|每年")


def check_unit_slip(figures: list[Figure], document: Document | None) -> Check:
    """A money figure written in 元 among figures in 万元 that is 10,000 times too small.

    Only figures read as a budget or expenditure (any subject) are judged, and only when the
    report writes its money in 万元 and a sibling shows the slip: the same number stated in 万元
    elsewhere, or the figures of the same metric family all at least 1,000 times larger.
    """
    name = "unit_slip"
    money = [f for f in figures if f.kind == "amount" and f.value is not None]
    written_wan = [f for f in money if "万" in f.text or "亿" in f.text]
    written_yuan = [f for f in money if _YUAN.search(f.text) and "万" not in f.text and "亿" not in f.text]
    if document is None or len(written_wan) < 3 or len(written_wan) < 2 * len(written_yuan):
        return Check(name, "unknown" if len(money) < 3 else "ok",
                     "too few money figures to compare" if len(money) < 3 else
                     "money is not written mainly in 万元: no mixing to detect", [])
    from nlp.facts import read_mentions

    mentions = read_mentions(document, money)
    metric_of = {id(m.figure): m.metric for m in mentions}
    family: dict[str, list[float]] = {}
    wan = {id(f) for f in written_wan}  # every mention's figure is one of ``money``: identity suffices
    for m in mentions:
        if id(m.figure) in wan and m.figure.value:
            family.setdefault(m.metric, []).append(float(m.figure.value))
    slips = []
    for f in written_yuan:
        metric = metric_of.get(id(f))
        if metric is None or not (1 <= float(f.value) < 10000):
            continue
        line = document.lines[f.line - 1] if 0 < f.line <= len(document.lines) else ""
        if _PER_UNIT.search(re.sub(r"\s+", "", line[max(0, f.start - 12): f.end + 6])):
            continue
        scaled = float(f.value) * 10000
        twin = next((g for g in money if g is not f and abs(float(g.value) - scaled) <= 0.005 * scaled), None)
        fam = family.get(metric, [])
        big = bool(fam) and median(fam) >= 1000 * float(f.value)
        if twin is not None:
            slips.append(f"{f.text!r} (line {f.line}) reads as {float(f.value):g} 元, but the same number appears as "
                         f"{_wan(scaled)} at line {twin.line}: 元 written for 万元?")
        elif big:
            slips.append(f"{f.text!r} (line {f.line}) is {float(f.value):g} 元 while the other {len(fam)} "
                         f"{metric} figure(s) in 万元 have median {_wan(median(fam))}: 元 written for 万元?")
    if slips:
        lines = sorted({int(m.group(1)) for s in slips for m in re.finditer(r"line (\d+)", s)})
        return Check(name, "fail", "; ".join(slips), lines)
    return Check(name, "ok", f"{len(written_yuan)} figure(s) written in 元 among {len(written_wan)} in 万元; none 10,000 times off", [])


_PART_METRICS = ("basic_expenditure", "project_expenditure", "personnel_expenditure", "public_expenditure",
                 "three_public_expenditure")


def check_figures_agree(figures: list[Figure], document: Document | None) -> Check:
    """A part of the spending (基本支出, 公用经费 …) stated plainly twice, with two different values.

    Only clear sentence statements count (label read in the clause, not a table cell, not a look-alike
    such as a part's budget), so a report that states a figure once per meaning passes.
    """
    name = "figures_agree"
    if document is None or not figures:
        return Check(name, "unknown", "no figures to compare", [])
    from nlp.facts import choose, read_mentions

    def plain(m: object) -> bool:
        return (m.source == "text" and m.exact >= 0.8 and not m.qualified and not m.penalty  # type: ignore[attr-defined]
                and not m.figure.in_table)  # type: ignore[attr-defined]

    clashes, compared = [], 0
    for metric, (groups, _feats) in choose(read_mentions(document, figures), len(document.lines)).items():
        if metric not in _PART_METRICS:
            continue
        stated = [g for g in groups if any(plain(m) for m in g)]
        compared += 1
        if len(stated) >= 2:
            a, b = (next(m for m in g if plain(m)) for g in stated[:2])
            clashes.append((metric, a, b))
    if not clashes:
        return Check(name, "ok" if compared else "unknown",
                     f"{compared} part figure(s) stated consistently" if compared else "no part figures stated", [])
    detail = "; ".join(f"{_NAMES[k]} stated as {a.figure.text!r} (line {a.figure.line}) and as {b.figure.text!r} "
                       f"(line {b.figure.line})" for k, a, b in clashes)
    return Check(name, "fail", detail, sorted({x.figure.line for _k, a, b in clashes for x in (a, b)}))


def run_checks(facts: dict[str, Fact], figures: list[Figure], document: Document | None = None) -> list[Check]:
    """All checks, in a fixed order."""
    return [
        _sum_check("basic_plus_project_equals_total", facts, ("basic_expenditure", "project_expenditure"),
                   "expenditure_total", figures),
        _sum_check("personnel_plus_public_equals_basic", facts, ("personnel_expenditure", "public_expenditure"),
                   "basic_expenditure", figures),
        check_execution_rate(facts),
        check_grade(facts, document),
        check_parts(facts),
        check_headcount(facts),
        check_unit_slip(figures, document),
        check_figures_agree(figures, document),
    ]
