"""Consistency checks: each check's ok / fail / unknown on constructed numbers, then end to end
on the sample corpus (PLANTED.json) and on the real seeds (skipped when /work/shared is absent)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.checks import CHECK_NAMES, run_checks
from nlp.document import Document, Fact, Figure

REPO = Path(__file__).parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "corpora" / "sample"


def F(key: str, value: float | str, line: int = 1, unit: str | None = "元") -> Fact:
    return Fact(key=key, value=value, unit=unit, confidence=0.9, line=line, text=str(value))


def status(checks, name: str) -> str:
    return next(c for c in checks if c.check == name).status


def run(facts: list[Fact], figures: list[Figure] | None = None, document: Document | None = None):
    return run_checks({f.key: f for f in facts}, figures or [], document)


def test_every_check_is_reported_once_in_order():
    checks = run([])
    assert [c.check for c in checks] == list(CHECK_NAMES)
    assert all(c.status in ("ok", "fail", "unknown") for c in checks)


# ------------------------------------------------------------------------------ sums
def test_basic_plus_project():
    ok = run([F("basic_expenditure", 3001000, 2), F("project_expenditure", 1122000, 2), F("expenditure_total", 4123000, 1)])
    c = next(c for c in ok if c.check == "basic_plus_project_equals_total")
    assert c.status == "ok" and c.lines == [1, 2]
    assert "300.10万元" in c.detail and "412.30万元" in c.detail
    assert status(run([F("basic_expenditure", 3001000), F("project_expenditure", 1122000),
                       F("expenditure_total", 4223000)]), "basic_plus_project_equals_total") == "fail"
    assert status(run([F("basic_expenditure", 3001000), F("expenditure_total", 4123000)]),
                  "basic_plus_project_equals_total") == "unknown"


def test_sum_allows_rounding_at_two_decimals_of_wan():
    # 171.42 + 399.38 = 570.80 against a stated 570.79: rounding, not an error
    checks = run([F("personnel_expenditure", 1714200), F("public_expenditure", 3993800), F("basic_expenditure", 5707900)])
    assert status(checks, "personnel_plus_public_equals_basic") == "ok"
    checks = run([F("personnel_expenditure", 1714200), F("public_expenditure", 3993800), F("basic_expenditure", 5697900)])
    assert status(checks, "personnel_plus_public_equals_basic") == "fail"


def test_total_holding_other_spending_is_not_a_failure():
    d = Document(doc="t.txt", lines=["支出合计700.00万元，其中基本支出200.00万元、项目支出480.00万元、经营支出20.00万元。"])
    line = d.lines[0]
    i = line.index("20.00万元")
    other = Figure(block=0, line=1, start=i, end=i + 7, text="20.00万元", value=200000, unit="元", kind="amount",
                   label="经营支出")
    checks = run([F("basic_expenditure", 2000000), F("project_expenditure", 4800000), F("expenditure_total", 7000000)],
                 [other], d)
    c = next(c for c in checks if c.check == "basic_plus_project_equals_total")
    assert c.status == "ok" and "经营支出" in c.detail


def test_personnel_plus_public_unknown_without_parts():
    assert status(run([F("basic_expenditure", 100)]), "personnel_plus_public_equals_basic") == "unknown"


# ------------------------------------------------------------------------------ rate
def test_execution_rate_uses_adjusted_budget_when_stated():
    base = [F("expenditure_total", 1648000), F("budget_initial", 1960000), F("execution_rate", 88.86, unit="%")]
    assert status(run(base + [F("budget_adjusted", 1854600)]), "execution_rate_matches") == "ok"
    # against the initial budget the same rate would be 84.08%: a failure
    assert status(run(base), "execution_rate_matches") == "fail"


def test_execution_rate_tolerance_and_whole_percent():
    e, b = F("expenditure_total", 995000), F("budget_initial", 1000000)
    assert status(run([e, b, F("execution_rate", 99.9, unit="%")]), "execution_rate_matches") == "ok"
    assert status(run([e, b, F("execution_rate", 99, unit="%")]), "execution_rate_matches") == "ok"
    assert status(run([e, b, F("execution_rate", 98.5, unit="%")]), "execution_rate_matches") == "fail"
    assert status(run([e, F("execution_rate", 99, unit="%")]), "execution_rate_matches") == "unknown"
    assert status(run([e, F("budget_initial", 0), F("execution_rate", 99, unit="%")]), "execution_rate_matches") == "unknown"


# ------------------------------------------------------------------------------ grade
@pytest.mark.parametrize(("score", "grade", "expect"), [
    (93, "优秀", "ok"), (90, "优秀", "ok"), (89.9, "优秀", "fail"), (85, "良好", "ok"), (72, "中", "ok"),
    (72, "一般", "ok"), (72, "良好", "fail"), (55, "差", "ok"), (55, "中", "fail"),
])
def test_grade_standard_bands(score: float, grade: str, expect: str):
    assert status(run([F("self_score", score, unit="分"), F("grade", grade, unit=None)]), "grade_matches_score") == expect


def test_grade_uses_the_reports_own_bands():
    d = Document(doc="t.txt", lines=["评价等级分为四档：得分≥85分为优秀，75≤得分＜85分为良好，60≤得分＜75分为一般，得分＜60分为差。"])
    facts = [F("self_score", 86, unit="分"), F("grade", "优秀", unit=None)]
    assert status(run(facts, [], d), "grade_matches_score") == "ok"
    assert status(run(facts, [], None), "grade_matches_score") == "fail"


def test_grade_unknown_without_score():
    assert status(run([F("grade", "优秀", unit=None)]), "grade_matches_score") == "unknown"


# ------------------------------------------------------------------------------ parts, headcount
def test_parts_not_exceeding_totals():
    assert status(run([F("basic_expenditure", 100), F("expenditure_total", 300)]), "parts_not_exceeding_totals") == "ok"
    checks = run([F("project_expenditure", 5000000, 4), F("expenditure_total", 3000000, 2)])
    c = next(c for c in checks if c.check == "parts_not_exceeding_totals")
    assert c.status == "fail" and c.lines == [2, 4] and "exceeds" in c.detail
    assert status(run([F("personnel_expenditure", 900), F("basic_expenditure", 500)]), "parts_not_exceeding_totals") == "fail"
    assert status(run([F("budget_initial", 100)]), "parts_not_exceeding_totals") == "unknown"


def test_headcount_within_authorized():
    assert status(run([F("staff_actual", 8, unit="人"), F("staff_authorized", 8, unit="人")]), "headcount_within_authorized") == "ok"
    assert status(run([F("staff_actual", 16, unit="人"), F("staff_authorized", 9, unit="人")]), "headcount_within_authorized") == "fail"
    assert status(run([F("staff_actual", 16, unit="人")]), "headcount_within_authorized") == "unknown"


# ------------------------------------------------------------------------------ unit slip
def _doc_and_figs(lines: list[str], spans: list[tuple[int, str, float]]) -> tuple[Document, list[Figure]]:
    d = Document(doc="t.txt", lines=lines)
    figs, seen = [], {}
    for ln, text, value in spans:
        start = d.lines[ln - 1].index(text, seen.get((ln, text), 0))
        seen[(ln, text)] = start + 1
        figs.append(Figure(block=0, line=ln, start=start, end=start + len(text), text=text, value=value,
                           unit="元", kind="amount", confidence=0.9))
    return d, figs


def test_unit_slip_against_the_same_number_in_wan():
    d, figs = _doc_and_figs(
        ["本年收入合计520.00万元，支出合计510.00万元，基本支出400.00万元。",
         "本年项目支出年初预算安排为120元，实际支出110.00万元。",
         "项目预算表：年初预算120.00万元。"],
        [(1, "520.00万元", 5200000), (1, "510.00万元", 5100000), (1, "400.00万元", 4000000),
         (2, "120元", 120), (2, "110.00万元", 1100000), (3, "120.00万元", 1200000)])
    c = next(c for c in run([], figs, d) if c.check == "unit_slip")
    assert c.status == "fail" and 2 in c.lines and "120元" in c.detail


def test_unit_slip_against_its_family():
    d, figs = _doc_and_figs(
        ["年初预算数为233.00万元，基本支出年初预算安排为200.00万元。", "本年项目支出年初预算安排为33元，实际支出为0万元。",
         "全年实际支出230.00万元。"],
        [(1, "233.00万元", 2330000), (1, "200.00万元", 2000000), (2, "33元", 33), (2, "0万元", 0),
         (3, "230.00万元", 2300000)])
    assert status(run([], figs, d), "unit_slip") == "fail"


def test_per_capita_yuan_is_no_slip():
    d, figs = _doc_and_figs(
        ["年初预算数为233.00万元，实际支出230.00万元。", "按生均1000元标准安排预算，全年预算数为240.00万元。"],
        [(1, "233.00万元", 2330000), (1, "230.00万元", 2300000), (2, "1000元", 1000), (2, "240.00万元", 2400000)])
    assert status(run([], figs, d), "unit_slip") == "ok"


def test_unit_slip_unknown_with_too_few_figures():
    d, figs = _doc_and_figs(["年初预算数为12元。"], [(1, "12元", 12)])
    assert status(run([], figs, d), "unit_slip") == "unknown"


# ------------------------------------------------------------------------------ figures agree
def test_part_stated_twice_with_two_values():
    d, figs = _doc_and_figs(
        ["2023年基本支出310.00万元，其中人员经费250.00万元，公用经费60.00万元。", "（二）公用经费", "公用经费06.00万元。"],
        [(1, "310.00万元", 3100000), (1, "250.00万元", 2500000), (1, "60.00万元", 600000), (3, "06.00万元", 60000)])
    c = next(c for c in run([], figs, d) if c.check == "figures_agree")
    assert c.status == "fail" and c.lines == [1, 3] and "公用经费" in c.detail


def test_part_stated_twice_alike_and_subunit_parts_agree():
    d, figs = _doc_and_figs(
        ["2023年项目支出120.00万元。", "其中本级项目支出80.00万元，对下项目支出40.00万元。", "全年项目支出120.00万元。"],
        [(1, "120.00万元", 1200000), (2, "80.00万元", 800000), (2, "40.00万元", 400000), (3, "120.00万元", 1200000)])
    assert status(run([], figs, d), "figures_agree") == "ok"
    assert status(run([], [], d), "figures_agree") == "unknown"


# ------------------------------------------------------------------------------ end to end
@pytest.mark.skipif(not (SAMPLE / "PLANTED.json").exists(), reason="sample corpus not there")
def test_sample_corpus_planted_inconsistencies_found_and_no_false_alarm():
    from nlp.pipeline import Pipeline

    planted = json.loads((SAMPLE / "PLANTED.json").read_text(encoding="utf-8"))
    pipe = Pipeline(stages=("structure", "sections", "figures", "facts"))

    def path_of(name: str) -> Path:
        hits = sorted(p for p in SAMPLE.rglob(name) if p.is_file())
        assert hits, f"{name} not in the sample corpus"
        return hits[0]

    cache: dict[str, dict[str, str]] = {}

    def checks_of(name: str) -> dict[str, str]:
        if name not in cache:
            cache[name] = {c.check: c.status for c in pipe(path_of(name)).checks}
        return cache[name]

    wanted = [p for p in planted["planted"] if p["category"] == "check"]
    assert wanted
    for p in wanted:
        assert checks_of(p["doc"]).get(p["kind"]) == p["expect"], (p["doc"], p["kind"])
    for name in planted["consistent"]:
        fails = [k for k, v in checks_of(name).items() if v == "fail"]
        assert not fails, (name, fails)


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="/work/shared is absent")
def test_real_seed_inconsistencies():
    """Reading the seeds: 000 writes a project budget in 元 beside 万元 figures; 001 states 人员经费
    equal to 项目支出 so the basic split does not add up; 002 has more staff than posts; 003 states
    its 公用经费 twice with two values (digits swapped). 004 adds up."""
    from nlp.pipeline import Pipeline

    pipe = Pipeline(stages=("structure", "sections", "figures", "facts"))
    fails = {}
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        report = pipe(path)
        fails[path.name[:3]] = {c.check for c in report.checks if c.status == "fail"}
        for c in report.checks:
            assert c.detail
            if c.status != "unknown":
                assert all(1 <= ln <= len(report.document.lines) for ln in c.lines)
    assert "unit_slip" in fails["000"]
    assert "personnel_plus_public_equals_basic" in fails["001"]
    assert "headcount_within_authorized" in fails["002"]
    assert fails["003"] == {"figures_agree"}
    assert fails["004"] == set()
