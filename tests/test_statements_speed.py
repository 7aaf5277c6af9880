"""Statements and flags: the cheap word tests put before costly patterns must never change a result.

Each shortcut rests on one claim: "every match of this pattern holds one of these words" (or ends
in one). The claims are checked here on many random strings built from the patterns' own words,
so a pattern edited without its shortcut fails here rather than silently losing matches.
"""
from __future__ import annotations

import random
import re

import pytest

from nlp.statements import boilerplate as bp
from nlp.statements import dedupe as dd
from nlp.statements import extract as ex
from nlp.statements import split as sp
from nlp.statements import themes as th
from nlp.triage import flags as fl

try:  # the regular-expression parser (named sre_parse before Python 3.11)
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

_FILLER = "项目资金管理单位工作情况，。、；：1a "


def _in_set(ch: str, items: list) -> bool:
    for op, av in items:
        if op is _c.LITERAL and ch == chr(av) or op is _c.RANGE and av[0] <= ord(ch) <= av[1]:
            return True
        if op is _c.CATEGORY and (av in (_c.CATEGORY_DIGIT, _c.CATEGORY_UNI_DIGIT) and ch.isdigit()
                                  or av in (_c.CATEGORY_SPACE, _c.CATEGORY_UNI_SPACE) and ch.isspace()):
            return True
    return False


_PARSED: dict[re.Pattern[str], tuple[list, list[str]]] = {}
_CHOICES: dict[int, list[str]] = {}


def _sample(pattern: re.Pattern[str], rng: random.Random) -> str:
    """A random string the pattern's body spells out (look-arounds and anchors left aside, so it
    need not match: the tests below only look at real matches)."""
    got = _PARSED.get(pattern)
    if got is None:
        got = _PARSED[pattern] = (list(_parser.parse(pattern.pattern, pattern.flags)),
                                  sorted(set(_FILLER) | set(re.findall(r"[\u4e00-\u9fa5]", pattern.pattern))))
    tree, pool = got

    def one_of(items: list) -> str:
        key = id(items)  # the parsed tree is kept, so its sets keep their ids
        choices = _CHOICES.get(key)
        if choices is None:
            if items and items[0][0] is _c.NEGATE:
                choices = [ch for ch in pool if not _in_set(ch, items[1:])]
            else:
                choices = [ch for ch in pool if _in_set(ch, items)] + [chr(av) for op, av in items if op is _c.LITERAL]
                choices += [chr(lo) for op, (lo, _hi) in ((o, a) for o, a in items if o is _c.RANGE)]
            _CHOICES[key] = choices
        ranges = [av for op, av in items if op is _c.RANGE] if items[0][0] is not _c.NEGATE else []
        if ranges and rng.random() < 0.5:
            return chr(rng.randint(*rng.choice(ranges)))
        return rng.choice(choices)

    def spell(items: list) -> str:
        out: list[str] = []
        for op, av in items:
            if op is _c.LITERAL:
                out.append(chr(av))
            elif op is _c.NOT_LITERAL:
                out.append(rng.choice([ch for ch in pool if ch != chr(av)]))
            elif op is _c.ANY:
                out.append(rng.choice(pool))
            elif op is _c.IN:
                out.append(one_of(av))
            elif op is _c.BRANCH:
                out.append(spell(rng.choice(av[1])))
            elif op is _c.SUBPATTERN:
                out.append(spell(av[-1]))
            elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
                lo, hi, body = av
                out.extend(spell(body) for _ in range(rng.randint(lo, min(hi, lo + 4))))
            elif op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
                continue
            else:  # pragma: no cover - a construct these patterns do not use yet
                raise NotImplementedError(op)
        return "".join(out)

    return spell(tree)


def _strings(patterns: tuple[re.Pattern[str], ...], n: int = 3000, seed: int = 7) -> list[str]:
    """Strings spelled by the patterns, alone, in context and run together."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        parts = [_sample(patterns[i % len(patterns)], rng)]
        if rng.random() < 0.5:
            parts.append(_sample(rng.choice(patterns), rng))
        if rng.random() < 0.5:
            parts.insert(0, "".join(rng.choice(_FILLER) for _ in range(rng.randint(1, 12))))
        if rng.random() < 0.5:
            parts.append("".join(rng.choice(_FILLER) for _ in range(rng.randint(1, 12))))
        out.append("".join(parts))
    return out


CLAIMS = [
    (sp.HEADING_PROBLEM, sp.PROBLEM_HEADING_WORD),
    (sp.HEADING_MEASURE, sp.MEASURE_HEADING_WORD),
    (sp.HEADING_PROBLEM, sp.TITLE_WORD),
    (sp.HEADING_MEASURE, sp.TITLE_WORD),
    (sp._TITLE_NOUN, sp.TITLE_WORD),
    (sp._ENUM_LIST, sp._LIST_OPENER),
    (sp._ENUM_MEASURE, sp._MEASURE_LIST_OPENER),
    (sp._ENUM_LIST, sp.LIST_OPENER),
    (sp._ENUM_MEASURE, sp.LIST_OPENER),
    (ex._DEBRIS, re.compile(r"[#*\[]")),
    (sp.PROBLEM_TRIGGER, sp.TRIGGER_WORD),
    (dd._DATE, dd._DIGIT),
    (dd._FIGURE, dd._DIGIT),
    (dd._PLACE, dd._PLACE_END),
    (bp._PLACE, bp._PLACE_END),
    (fl._HDR_TARGET, re.compile("目标|指标值")),
    (fl._HDR_ACTUAL, re.compile("实际|完成值")),
]


@pytest.mark.parametrize(("pattern", "word"), CLAIMS, ids=lambda x: x.pattern[:20])
def test_every_match_holds_the_prefilter_word(pattern, word):
    for s in _strings((pattern,)):
        for m in pattern.finditer(s):
            assert word.search(m.group(0)), (pattern.pattern[:30], s, m.group(0))


def test_a_target_header_cell_is_five_characters_at_most():
    for s in _strings((fl._HDR_TARGET,)):
        if fl._HDR_TARGET.match(s):
            assert len(s) <= 5, s


def _is_section_title_reference(text: str) -> bool:
    """is_section_title without its shortcut."""
    t = sp.ENUM.sub("", text, count=1) if sp.ENUM.match(text) else text
    t = sp._TITLE_NUMBER.sub("", t).strip(" ：:。")
    if len(t) > 24 or sp.NONE_STATED.match(t) or not (
            sp.HEADING_PROBLEM.search(t) or sp.HEADING_MEASURE.search(t) or sp._TITLE_NOUN.search(t)):
        return False
    core = sp._TITLE_FILLER.sub("", sp.HEADING_MEASURE.sub("", sp.HEADING_PROBLEM.sub("", t)))
    return len(core.strip(" ：:。，,")) <= 2


def test_section_title_shortcut_gives_the_full_answer():
    strings = _strings((sp.HEADING_PROBLEM, sp.HEADING_MEASURE, sp._TITLE_FILLER, sp.NONE_STATED), n=6000)
    assert any(_is_section_title_reference(s) for s in strings)  # the strings do reach titles
    for s in strings:
        assert sp.is_section_title(s) == _is_section_title_reference(s), s


def test_intro_type_looks_only_where_the_anchored_patterns_can_match():
    strings = _strings((ex._INTRO_P, ex._INTRO_M), n=6000)
    hits = 0
    for s in strings:
        m = ex._INTRO_P.search(s) or ex._INTRO_M.search(s)
        want = None if m is None else "problem" if m.re is ex._INTRO_P else "measure"
        hits += want is not None
        assert ex._intro_type(s) == want, s
    assert hits  # the strings do reach both patterns


def test_inline_list_shortcut_gives_the_full_answer():
    strings = _strings((sp._ENUM_LIST, sp._ENUM_MEASURE, sp._NEG_PRED), n=3000)
    for s in strings:
        span = sp.Span(s, [1] * len(s))
        for kind in ("problem", "measure"):
            rx = sp._ENUM_LIST if kind == "problem" else sp._ENUM_MEASURE
            if not rx.search(s) and not (kind == "problem" and ("存在" in s or "发现" in s)):
                assert sp.split_inline_list(span, kind) is None, s


def _family_reference(text: str, typ: str) -> str:
    """themes.family without its shortcut: every family tried on every clause (for a problem,
    clauses that state a shortfall or are headline-short first)."""
    table = th.MEASURE_FAMILIES if typ == "measure" else th.PROBLEM_FAMILIES

    def first(clauses: list[str]) -> str:
        for i, clause in enumerate(clauses):
            best = None
            for name, pat in ((k, re.compile(v)) for k, v in table.items()):
                ms = list(pat.finditer(clause))
                if ms:  # on equal counts the rest of the statement, then the later end, decides
                    later = sum(len(re.findall(pat, c)) for c in clauses[i + 1:])
                    key = (len(ms), later, max(m.end() for m in ms))
                    if best is None or key > best[0]:
                        best = (key, name)
            if best is not None:
                return best[1]
        return ""

    clauses = re.split(th._CLAUSE, text)
    if typ != "measure":
        found = first([c for c in clauses if len(c) < th.HEADLINE or th._SHORTFALL.search(c)])
        if found:
            return found
    return first(clauses)


def test_family_shortcut_gives_the_full_answer():
    rng = random.Random(5)
    for typ, table in (("problem", th.PROBLEM_FAMILIES), ("measure", th.MEASURE_FAMILIES)):
        pats = tuple(re.compile(v) for v in table.values())
        pieces = _strings(pats, n=1500, seed=9)
        for k in range(1500):
            text = "".join(rng.choice(pieces) + rng.choice("，。；：\n、 ") for _ in range(rng.randint(1, 4)))
            assert th.family(text, typ) == _family_reference(text, typ), text
            if k < 200:
                assert th.family(pieces[k], typ) == _family_reference(pieces[k], typ)


def test_heading_memo_agrees_with_a_fresh_look():
    memo = ex._Headings()
    for h in _strings((sp.HEADING_PROBLEM, sp.HEADING_MEASURE), n=2000):
        for _ in range(2):  # the second look comes from the memo
            assert memo.type_of(h) == ex._named_type(h)
            assert memo.is_title(h) == sp.is_section_title(h)
        hm, hp = sp.HEADING_MEASURE.search(h), sp.HEADING_PROBLEM.search(h)
        want = "measure" if hm and (not hp or hm.start() > hp.start()) else "problem" if hp else None
        assert ex._named_type(h) == want, h
