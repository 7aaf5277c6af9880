"""The sample corpus: gold files agree with the texts they annotate, the planted faults are really
there (and only there), and render.py reproduces the committed renderings line for line."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample"
TXT = SAMPLE / "txt"
GOLD = SAMPLE / "gold"

LABELS = {"duties", "budget", "indicators", "achievements", "problems", "measures", "other"}
METRICS = {
    "revenue_total", "budget_initial", "budget_adjusted", "expenditure_total", "execution_rate",
    "basic_expenditure", "project_expenditure", "personnel_expenditure", "public_expenditure",
    "three_public_expenditure", "self_score", "grade", "staff_authorized", "staff_actual",
}
KINDS = {"amount", "percent", "count", "score", "other"}
GRADES = {"优秀", "良好", "中", "一般", "差"}


def _sources() -> list[Path]:
    return sorted(p for p in TXT.iterdir() if p.suffix in (".txt", ".md"))


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _gold(doc: str) -> dict:
    return json.loads((GOLD / (Path(doc).stem + ".json")).read_text(encoding="utf-8"))


def _norm(s: str) -> str:
    return re.sub(r"[\s\W_]+", "", s)


def _as_list(label) -> list[str]:
    return label if isinstance(label, list) else [label]


def test_corpus_shape() -> None:
    srcs = _sources()
    assert len(srcs) >= 14
    assert any(p.suffix == ".md" for p in srcs)
    for p in srcs:
        assert re.fullmatch(r"s\d\d_[a-z]+_[a-z]+\.(txt|md)", p.name), p.name
        n = len(_lines(p))
        assert 60 <= n <= 200, (p.name, n)
        assert (GOLD / (p.stem + ".json")).exists(), p.name
    kinds = [p.stem.split("_")[-1] for p in srcs]
    assert kinds.count("zhengti") >= 7 and kinds.count("xiangmu") >= 5 and kinds.count("juesuan") >= 2
    assert any(line.startswith("| ") for p in srcs for line in _lines(p))


@pytest.mark.parametrize("src", _sources(), ids=lambda p: p.name)
def test_gold_lines_and_figures(src: Path) -> None:
    g = _gold(src.name)
    lines = _lines(src)
    assert g["doc"] == src.name
    labelled = {int(k) for k in g["lines"]}
    non_empty = {i for i, ln in enumerate(lines, 1) if ln.strip()}
    assert labelled == non_empty, (sorted(non_empty - labelled)[:5], sorted(labelled - non_empty)[:5])
    for k, lab in g["lines"].items():
        assert set(_as_list(lab)) <= LABELS, (k, lab)
    for f in g["figures"]:
        ln = f["line"]
        assert 1 <= ln <= len(lines)
        assert f["text"] in lines[ln - 1], f
        assert isinstance(f["value"], (int, float))
        assert f["kind"] in KINDS
        assert f["metric"] is None or f["metric"] in METRICS
        if f["unit"] == "元":
            assert f["kind"] == "amount"
        if "万元" in f["text"]:  # money in 万元 is normalised to 元
            num = float(re.search(r"\d+(?:\.\d+)?", f["text"]).group())
            assert abs(f["value"] - num * 10000) < 0.01, f
        if f["text"].rstrip().endswith("%"):
            assert f["unit"] == "%" and f["kind"] == "percent"
    for ln in g["figures_skipped"]:
        assert 1 <= ln <= len(lines) and lines[ln - 1].strip()


@pytest.mark.parametrize("src", _sources(), ids=lambda p: p.name)
def test_gold_facts_agree_with_figures(src: Path) -> None:
    g = _gold(src.name)
    facts = g["facts"]
    assert set(facts) <= METRICS | {"department", "year"}
    assert isinstance(facts["year"], int) and 2015 <= facts["year"] <= 2030
    names = _as_list(facts["department"])
    text = src.read_text(encoding="utf-8")
    assert any(n in text for n in names)
    if "grade" in facts:
        assert facts["grade"] in GRADES and facts["grade"] in text
    # every numeric fact is stated by at least one figure tagged with that metric
    for key, value in facts.items():
        if key in ("department", "year", "grade"):
            continue
        tagged = [f["value"] for f in g["figures"] if f["metric"] == key]
        assert any(abs(v - value) <= 0.005 * max(1, abs(value)) for v in tagged), (key, value, tagged)


@pytest.mark.parametrize("src", _sources(), ids=lambda p: p.name)
def test_gold_statements(src: Path) -> None:
    g = _gold(src.name)
    lines = _lines(src)
    for s in g["statements"]:
        ln = s["line"]
        assert s["type"] in ("problem", "measure")
        assert isinstance(s["boilerplate"], bool)
        window = _norm("".join(lines[ln - 1:ln + 2]))
        assert _norm(s["text"]) in window, s
        want = "problems" if s["type"] == "problem" else "measures"
        assert want in _as_list(g["lines"][str(ln)]), s
        assert s["text"].strip() not in ("无", "暂无", "未发现问题")


def test_themes_cover_statements_once() -> None:
    themes = json.loads((GOLD / "themes.json").read_text(encoding="utf-8"))
    stmts = {}
    for src in _sources():
        for s in _gold(src.name)["statements"]:
            stmts[(src.name, s["line"], s["type"], s["text"])] = s
    seen = []
    for kind in ("problems", "measures"):
        for th in themes[kind]:
            assert th["theme"] and th["members"]
            for doc, line, text in th["members"]:
                key = (doc, line, kind[:-1], text)
                assert key in stmts, key
                seen.append(key)
    assert len(seen) == len(set(seen)) == len(stmts)
    # recurring boilerplate: some theme gathers statements from at least four reports
    assert max(len({m[0] for m in th["members"]}) for th in themes["problems"] + themes["measures"]) >= 4


def _check_failures(facts: dict) -> set[str]:
    """The planted consistency faults, recomputed from the gold facts (tolerance: rounding)."""
    out = set()

    def near(a: float, b: float, tol: float) -> bool:
        return abs(a - b) <= tol

    f = facts
    if {"basic_expenditure", "project_expenditure", "expenditure_total"} <= set(f) and not near(
            f["basic_expenditure"] + f["project_expenditure"], f["expenditure_total"], 200):
        out.add("basic_plus_project_equals_total")
    if {"personnel_expenditure", "public_expenditure", "basic_expenditure"} <= set(f) and not near(
            f["personnel_expenditure"] + f["public_expenditure"], f["basic_expenditure"], 200):
        out.add("personnel_plus_public_equals_basic")
    budget = f.get("budget_adjusted", f.get("budget_initial"))
    if ("execution_rate" in f and "expenditure_total" in f and budget
            and not near(100 * f["expenditure_total"] / budget, f["execution_rate"], 0.06)):
        out.add("execution_rate_matches")
    if "self_score" in f and "grade" in f:
        s = f["self_score"]
        band = "优秀" if s >= 90 else "良好" if s >= 80 else "中" if s >= 60 else "差"
        if f["grade"] != band:
            out.add("grade_matches_score")
    if "staff_actual" in f and "staff_authorized" in f and f["staff_actual"] > f["staff_authorized"]:
        out.add("headcount_within_authorized")
    return out


def test_planted_faults_are_where_planted_json_says() -> None:
    planted = json.loads((SAMPLE / "PLANTED.json").read_text(encoding="utf-8"))
    names = {p.name for p in _sources()}
    expected: dict[str, set[str]] = {n: set() for n in names}
    for p in planted["planted"]:
        assert p["doc"] in names
        n = len(_lines(TXT / p["doc"]))
        assert all(1 <= ln <= n for ln in p["lines"])
        if p["category"] == "check" and p["kind"] != "unit_slip":
            expected[p["doc"]].add(p["kind"])
    for doc in names:
        assert _check_failures(_gold(doc)["facts"]) == expected[doc], doc
    assert len(planted["consistent"]) >= 4
    for doc in planted["consistent"]:
        assert not expected[doc]
    # the unit slip: a 元 figure tagged budget_initial that is 1/10,000 of the report's budget
    slips = [p for p in planted["planted"] if p["kind"] == "unit_slip"]
    assert slips
    for p in slips:
        g = _gold(p["doc"])
        slip = [f for f in g["figures"] if f["line"] in p["lines"] and f["metric"] == "budget_initial"]
        assert slip and abs(slip[0]["value"] * 10000 - g["facts"]["budget_initial"]) < 1


def test_planted_red_flags_are_in_the_text() -> None:
    planted = json.loads((SAMPLE / "PLANTED.json").read_text(encoding="utf-8"))
    for p in planted["planted"]:
        if p["category"] != "flag":
            continue
        g = _gold(p["doc"])
        labels = [set(_as_list(v)) for v in g["lines"].values()]
        problems = [s for s in g["statements"] if s["type"] == "problem"]
        if p["kind"] == "no_problems_section":
            assert not any(lab == {"problems"} for lab in labels) and not problems
        elif p["kind"] == "no_problems_stated":
            assert not problems and any(_as_list(g["lines"][str(ln)]) == ["problems"] for ln in p["lines"])
        elif p["kind"] == "boilerplate_problems":
            assert problems and all(s["boilerplate"] for s in problems)
        elif p["kind"] == "execution_rate_off":
            r = g["facts"]["execution_rate"]
            assert r < 80 or r > 100
        elif p["kind"] == "high_score_low_execution":
            assert g["facts"]["self_score"] >= 90 and g["facts"]["execution_rate"] < 85
        elif p["kind"] == "indicators_without_actuals":
            lines = _lines(TXT / p["doc"])
            assert all(not lines[ln - 1].strip() and lines[ln - 1] != "" for ln in p["lines"])


# ------------------------------------------------------------------ rendering

def _render_module():
    sys.path.insert(0, str(ROOT / "corpora"))
    try:
        import render  # noqa: PLC0415
    finally:
        sys.path.pop(0)
    return render


@pytest.mark.slow
def test_render_reproduces_committed_files(tmp_path: Path) -> None:
    render = _render_module()
    render.render_all(TXT, tmp_path)
    for fmt in ("docx", "pdf", "html", "gbk"):
        committed = sorted(p.name for p in (SAMPLE / fmt).iterdir())
        fresh = sorted(p.name for p in (tmp_path / fmt).iterdir())
        assert committed == fresh, fmt
    for src in _sources():
        for fmt in ("docx", "pdf", "html", "gbk"):
            name = render.output_name(src, fmt)
            assert render.extract_lines(tmp_path / fmt / name) == render.extract_lines(SAMPLE / fmt / name)


def test_renderings_hold_the_same_lines() -> None:
    render = _render_module()
    for src in _sources():
        want = [ln.rstrip() for ln in _lines(src)]
        for fmt in ("docx", "html", "gbk", "pdf"):
            got = render.extract_lines(SAMPLE / fmt / render.output_name(src, fmt))
            if fmt == "pdf":  # a PDF keeps no empty lines and no trailing blanks
                assert got == [w.strip() for w in want if w.strip()], (src.name, fmt)
            else:
                assert got == want, (src.name, fmt)


# ------------------------------------------------------------------ synthetic reports

def _synth_module():
    sys.path.insert(0, str(ROOT / "corpora"))
    try:
        import synth  # noqa: PLC0415
    finally:
        sys.path.pop(0)
    return synth


def test_synth_is_deterministic_and_varied(tmp_path: Path) -> None:
    synth = _synth_module()
    a = synth.generate(12, tmp_path / "a", seed=5)
    b = synth.generate(12, tmp_path / "b", seed=5)
    c = synth.generate(12, tmp_path / "c", seed=6)
    assert [p.name for p in a] == [f"syn{i:04d}.txt" for i in range(12)]
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert [p.read_bytes() for p in a] != [p.read_bytes() for p in c]
    texts = [p.read_text(encoding="utf-8") for p in a]
    titles = {t.split("\n")[1] for t in texts}
    assert len(titles) >= 10  # fresh departments
    sample_names = {n for src in _sources() for n in _as_list(_gold(src.name)["facts"]["department"])}
    for t in texts:
        assert len(t.split("\n")) >= 20
        assert not any(n in t for n in sample_names)  # every sample unit renamed
        assert re.search(r"\d+(?:\.\d+)?万元", t)
    # problems and measures come from the pooled gold statements, so the corpus has recurring ones
    pooled = {s["text"] for src in _sources() for s in _gold(src.name)["statements"]}
    hits = sum(any(s in t for s in pooled) for t in texts)
    assert hits >= 6
