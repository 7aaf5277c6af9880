"""Every regular expression in the package stays linear on adversarial input.

Each compiled pattern is fed long runs of the characters it mentions (and of the usual suspects:
digits, separators, ideographic spaces, Chinese numerals), ending in a character that makes the
match fail. Catastrophic backtracking shows as time growing faster than the input: we compare
the time on a 10x longer input with the time on the short one, and the time per character with a
plain scan of the same text, so the test holds on a slow or busy machine.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import time

import pytest

import nlp

BASE = ["1", "1.", "1,", "12", "一", "万", "元", "（", "、", "\u3000", " ", "%", "第", "0.0", "《", "“", "1-",
        "．", "是", "为", "a", "\t", "|", "年", "月"]
SHORT, LONG = 1_000, 10_000
GROWTH_LIMIT = 50.0  # linear is ~10; quadratic ~100
ATTEMPTS = 5


def _patterns() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    for info in pkgutil.walk_packages(nlp.__path__, "nlp."):
        if ".integrations" in info.name or info.name.endswith("cli"):
            continue
        module = importlib.import_module(info.name)
        for key, value in vars(module).items():
            candidates = [(key, value)]
            if isinstance(value, type) and value.__module__ == module.__name__:
                candidates += [(f"{key}.{k}", v) for k, v in vars(value).items()]
            for name, obj in candidates:
                if isinstance(obj, re.Pattern) and isinstance(obj.pattern, str):
                    found[f"{info.name}.{name}"] = obj
    return found


PATTERNS = _patterns()


def _alphabet(pattern: re.Pattern[str]) -> list[str]:
    own = [ch for ch in dict.fromkeys(pattern.pattern) if not ch.isascii() or ch.isdigit()]
    return BASE + own[:20]


def _time(fn, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - start)
    return best


def test_patterns_were_found():
    assert len(PATTERNS) >= 20


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_is_linear(name):
    check_linear(name, PATTERNS[name])


@pytest.mark.parametrize("quadratic", [r"(?:\s|是)+$", r"\s*\|\s*", r"受(.{4,}?)影响", r"(?:\d|\d\.)+%"])
def test_the_check_catches_a_quadratic_pattern(quadratic):
    """The check itself must fail on the kinds of pattern it is there to catch."""
    with pytest.raises(AssertionError):
        check_linear("quadratic", re.compile(quadratic))


def check_linear(name: str, pattern: re.Pattern[str]) -> None:
    plain = re.compile(r"\x00")

    def run(text: str) -> None:
        for _ in pattern.finditer(text):
            pass
        pattern.sub("", text)

    for unit in _alphabet(pattern):
        short = unit * (SHORT // len(unit)) + "\x01"
        long = unit * (LONG // len(unit)) + "\x01"
        # A busy machine (other test processes) can stretch one measurement: a pattern fails only
        # when every one of ATTEMPTS fresh measurements says it is super-linear or slow.
        problems = []
        for _ in range(ATTEMPTS):
            t_short = _time(run, short)
            assert t_short < 0.05, f"{name} takes {t_short:.2f}s on only {SHORT} characters of {unit!r}"
            t_long = _time(run, long)
            if t_long < 2e-3:
                break  # too fast to matter or to measure
            growth = t_long / max(t_short, 1e-5)
            scan = _time(lambda s: plain.search(s), long)
            if growth >= GROWTH_LIMIT:
                problems.append(f"{name} grows {growth:.0f}x for 10x input of {unit!r}")
            elif t_long >= max(5_000 * scan, 0.05):
                problems.append(f"{name} costs {t_long / scan:.0f}x a plain scan on {unit!r}")
            else:
                break
        assert len(problems) < ATTEMPTS, problems[-1]
