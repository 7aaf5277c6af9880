"""Triage: the DuckDB store round trip, resume, failures, time budget, flags, ranking, CSV/HTML safety."""
from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from nlp.document import Block, Check, Document, Fact, Report, Statement
from nlp.triage import run_triage
from nlp.triage.flags import FLAG_CODES, red_flags, triage_score
from nlp.triage.render import csv_safe, render_html, write_csv
from nlp.triage.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
STRUCTURE = ("structure",)


# -- fixtures: our own realistic report text (no real report text in the repo) ----------------
def report_text(i: int, rate: float = 96.5, problems: str = "normal") -> str:
    rng = random.Random(i)
    budget = rng.randint(120, 990) + rng.randint(0, 99) / 100
    spent = round(budget * rate / 100, 2)
    lines = [
        f"某县第{i}局2023年度部门整体支出绩效自评报告",
        "一、部门基本情况",
        f"本单位内设机构{rng.randint(3, 9)}个，编制数{rng.randint(10, 60)}人，实有人数{rng.randint(8, 55)}人。",
        "二、预算执行情况",
        f"年初预算数为{budget}万元，全年实际支出{spent}万元，预算执行率为{rate}%。",
        "三、绩效目标完成情况",
        f"群众满意度目标值不低于90%，实际达到{rng.randint(90, 99)}%。",
        f"部门整体支出绩效自评得分{rng.randint(80, 98)}分，等级为良好。",
        "四、存在的问题",
    ]
    if problems == "normal":
        lines += [f"（一）项目资金拨付进度偏慢，第{rng.randint(2, 4)}季度集中支出较多。",
                  "（二）绩效目标设置不够细化，部分指标难以量化考核。"]
    elif problems == "none":
        lines += ["无。"]
    lines += ["五、改进措施", "（一）加快预算执行进度，按月调度资金支付。", "（二）细化绩效指标，提高目标的可衡量性。"]
    return "\n".join(lines) + "\n"


def write_corpus(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"r{i:03d}.txt"
        p.write_text(report_text(i, rate=[96.5, 62.0, 101.0, 88.0][i % 4]), encoding="utf-8")
        out.append(p)
    return out


def run(paths: list[Path | str], db: Path, **kw: object) -> int:
    kw.setdefault("jobs", 1)
    kw.setdefault("progress", False)
    kw.setdefault("stages", STRUCTURE)
    return run_triage(paths=[str(p) for p in paths], db=db, **kw)  # type: ignore[arg-type]


def tables(db: Path) -> dict[str, list[tuple]]:
    with Store(db) as st:
        return {t: st.table_rows(t, exclude=("elapsed_s",)) for t in
                ("documents", "blocks", "figures", "facts", "checks", "statements", "flags", "failures")}


# -- store round trip, resume, changed files --------------------------------------------------
def test_store_round_trip_matches_structure(tmp_path: Path) -> None:
    from nlp.read import read
    from nlp.structure import parse

    files = write_corpus(tmp_path / "c", 6)
    assert run([tmp_path / "c"], tmp_path / "t.duckdb", batch_size=4) == 0
    with Store(tmp_path / "t.duckdb") as st:
        docs = st.con.execute("SELECT doc, sha256, n_lines, n_blocks FROM documents ORDER BY doc").fetchall()
        assert [d[0] for d in docs] == [str(f) for f in files]
        for (doc, sha, n_lines, n_blocks), f in zip(docs, files, strict=True):
            import hashlib

            assert sha == hashlib.sha256(f.read_bytes()).hexdigest()
            blocks = parse(read(f))
            assert n_blocks == len(blocks)
            stored = st.con.execute("SELECT block, kind, line_start, line_end, text, heading_path FROM blocks "
                                    "WHERE doc = ? ORDER BY block", [doc]).fetchall()
            assert stored == [(b.index, b.kind, b.line_start, b.line_end, b.text,
                               json.dumps(b.heading_path, ensure_ascii=False)) for b in blocks]
            assert n_lines == len(read(f).lines)
        meta = dict(st.con.execute("SELECT key, value FROM meta").fetchall())
        assert meta["schema_version"] == "1"


def test_writer_cache_is_bounded_and_ranking_limit(tmp_path: Path) -> None:
    """The writing Store caps DuckDB's block cache (the parent's memory must not grow with the corpus);
    ``ranking(limit)`` is the head of the full ranking."""
    write_corpus(tmp_path / "c", 5)
    assert run([tmp_path / "c"], tmp_path / "t.duckdb", batch_size=2) == 0
    with Store(tmp_path / "t.duckdb") as st:
        limit = st.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        number, unit = re.match(r"([\d.]+)\s*(\w+)", limit).groups()
        assert float(number) * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30}.get(unit, 1) <= 256 * 2**20, limit
        full = st.ranking()
        assert len(full) == 5
        assert st.ranking(2) == full[:2]
        assert st.ranking(0) == []


def test_resume_skips_done_and_redoes_changed(tmp_path: Path) -> None:
    files = write_corpus(tmp_path / "c", 5)
    db = tmp_path / "t.duckdb"
    assert run([tmp_path / "c"], db) == 0
    first = tables(db)
    # run again: nothing to do, nothing duplicated
    from rich.console import Console

    buf = io.StringIO()
    assert run([tmp_path / "c"], db, console=Console(file=buf, width=200)) == 0
    assert re.search(r"skipped \(already done\)\s+5", buf.getvalue())
    assert re.search(r"processed now\s+0", buf.getvalue())
    assert tables(db) == first
    # change one file: its rows are replaced, the others untouched
    files[2].write_text(report_text(2) + "六、其他说明\n本报告新增一段补充说明。\n", encoding="utf-8")
    buf = io.StringIO()
    assert run([tmp_path / "c"], db, console=Console(file=buf, width=200)) == 0
    assert re.search(r"processed now\s+1", buf.getvalue())
    after = tables(db)
    changed = str(files[2])
    assert [r for r in after["blocks"] if r[0] != changed] == [r for r in first["blocks"] if r[0] != changed]
    new_blocks = [r for r in after["blocks"] if r[0] == changed]
    assert len(new_blocks) == len([r for r in first["blocks"] if r[0] == changed]) + 2
    assert len({r[1] for r in new_blocks}) == len(new_blocks)  # no duplicate block indices
    assert len(after["documents"]) == 5


def test_failures_recorded_and_good_files_stored(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    write_corpus(folder, 3)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "corrupt.docx").write_bytes(b"PK\x03\x04 this is not really a zip archive" * 10)
    db = tmp_path / "t.duckdb"
    assert run([folder], db, jobs=2, batch_size=2) == 1
    with Store(db) as st:
        docs = {r[0] for r in st.con.execute("SELECT doc FROM documents").fetchall()}
        fails = {Path(r[0]).name: r for r in st.con.execute(
            "SELECT doc, error, exc_type, message FROM failures").fetchall()}
    assert docs == {str(folder / f"r{i:03d}.txt") for i in range(3)}
    assert set(fails) == {"empty.txt", "binary.txt", "corrupt.docx"}
    for name, (_doc, error, exc_type, message) in fails.items():
        assert name in message and error and exc_type
    assert fails["empty.txt"][1] == "empty"
    # resuming does not retry or duplicate them
    assert run([folder], db) == 0
    with Store(db) as st:
        assert st.counts()["failures"] == 3


def test_all_failed_exit_3_and_strict_stops(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    for i in range(3):
        (folder / f"e{i}.txt").write_bytes(b"  \n")
    assert run([folder], tmp_path / "a.duckdb") == 3
    mixed = tmp_path / "mixed"
    write_corpus(mixed, 6)
    (mixed / "r000.txt").write_bytes(b"")  # first in sorted order
    assert run([mixed], tmp_path / "s.duckdb", strict=True) == 1
    with Store(tmp_path / "s.duckdb") as st:
        assert st.counts()["failures"] == 1
        assert st.counts()["documents"] < 5


def test_no_input_is_usage_error(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    assert run([tmp_path / "nothing"], tmp_path / "t.duckdb") == 2


_SLOW_PIPE = '''
import os, time
from nlp.triage.worker import make_pipeline

def factory(stages):
    real = make_pipeline(stages)
    def pipeline(path, doc=None):
        name = os.path.basename(str(path))
        if name.startswith("slow"):
            time.sleep(30)
        if name.startswith("crash"):
            os._exit(7)
        if name.startswith("boom"):
            raise RuntimeError("a stage broke")
        return real(path, doc=doc)
    return pipeline
'''


def test_time_budget_kills_worker_and_run_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = tmp_path / "mods"
    mod.mkdir()
    (mod / "triage_slowpipe.py").write_text(textwrap.dedent(_SLOW_PIPE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(mod))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(mod), os.environ.get("PYTHONPATH", "")]))
    folder = tmp_path / "c"
    write_corpus(folder, 4)
    (folder / "slow.txt").write_text(report_text(9), encoding="utf-8")
    (folder / "crash.txt").write_text(report_text(10), encoding="utf-8")
    (folder / "boom.txt").write_text(report_text(11), encoding="utf-8")
    db = tmp_path / "t.duckdb"
    import time

    t0 = time.monotonic()
    code = run([folder], db, jobs=2, file_timeout=3.0, factory="triage_slowpipe:factory")
    assert time.monotonic() - t0 < 25
    assert code == 1
    with Store(db) as st:
        fails = {Path(d).name: (e, t) for d, e, t in st.con.execute(
            "SELECT doc, error, exc_type FROM failures").fetchall()}
        assert st.counts()["documents"] == 4
    assert fails == {"slow.txt": ("timeout", "TimeBudgetExceededError"),
                     "crash.txt": ("crash", "WorkerCrashed"),
                     "boom.txt": ("internal", "RuntimeError")}


# -- flags ------------------------------------------------------------------------------------
def make_report(lines: list[str], sections: list[str], kinds: list[str] | None = None) -> Report:
    doc = Document(doc="x.txt", lines=lines)
    kinds = kinds or ["heading" if re.match(r"^[一二三四五六七八九十]+、", t) else "paragraph" for t in lines]
    blocks = [Block(index=i, kind=k, line_start=i + 1, line_end=i + 1, text=t, section=s, confidence=0.9)
              for i, (t, s, k) in enumerate(zip(lines, sections, kinds, strict=True))]
    return Report(doc="x.txt", document=doc, blocks=blocks)


BASE = ["某单位2023年度绩效自评报告", "一、预算执行情况", "预算执行率为60%。", "二、存在的问题",
        "由于7月暴雨导致2个水毁修复工程延期至次年开工，资金支付进度偏慢。", "三、改进措施", "加快支付进度。"]
BASE_SECTIONS = ["other", "budget", "budget", "problems", "problems", "measures", "measures"]


def codes(report: Report) -> dict[str, int]:
    return {f.code: f.line for f in red_flags(report)}


def test_execution_and_score_flags_name_their_lines() -> None:
    r = make_report(BASE, BASE_SECTIONS)
    r.facts["execution_rate"] = Fact("execution_rate", 60.0, "%", 0.9, 3, "预算执行率为60%")
    assert codes(r) == {"execution_rate_off": 3}
    r.facts["self_score"] = Fact("self_score", 95.0, "分", 0.9, 1, "自评得分95分")
    assert codes(r) == {"execution_rate_off": 3, "high_score_low_execution": 1}
    r.facts["execution_rate"] = Fact("execution_rate", 83.0, "%", 0.9, 3, "预算执行率为83%")
    assert codes(r) == {"high_score_low_execution": 1}  # 83 is not far off, but low for a 95 score
    r.facts["execution_rate"] = Fact("execution_rate", 112.0, "%", 0.9, 3, "预算执行率为112%")
    assert codes(r) == {"execution_rate_off": 3}
    r.facts["execution_rate"] = Fact("execution_rate", 97.0, "%", 0.9, 3, "预算执行率为97%")
    assert codes(r) == {}
    r.checks.append(Check("basic_plus_project_equals_total", "fail", "100 + 50 != 160", [3, 5]))
    r.checks.append(Check("rate_matches", "ok", "", [3]))
    assert codes(r) == {"check_failed": 3}


def test_further_off_rate_weighs_more() -> None:
    weights = []
    for rate in (79.0, 60.0, 30.0):
        r = make_report(BASE, BASE_SECTIONS)
        r.facts["execution_rate"] = Fact("execution_rate", rate, "%", 0.9, 3, "")
        weights.append(triage_score(red_flags(r)))
    assert weights[0] < weights[1] < weights[2]


def test_problems_section_flags() -> None:
    no_section = make_report(BASE[:3] + BASE[5:], BASE_SECTIONS[:3] + BASE_SECTIONS[5:])
    assert codes(no_section) == {"no_problems_section": 4}  # where the measures start
    empty = make_report(BASE[:4] + BASE[5:], BASE_SECTIONS[:4] + BASE_SECTIONS[5:])
    assert codes(empty) == {"problems_empty": 4}
    none = make_report(BASE[:4] + ["无。"] + BASE[5:], BASE_SECTIONS)
    none.no_problems_stated, none.no_problems_line = True, 5
    flags = red_flags(none)
    assert [(f.code, f.line) for f in flags] == [("no_problems_stated", 5)]
    assert "无" in flags[0].reason
    ok = make_report(BASE, BASE_SECTIONS)
    ok.statements = [Statement(doc="x.txt", line=5, type="problem", text="资金支付进度偏慢。")]
    assert codes(ok) == {}
    # without section labels (sections stage not run) nothing section-based fires
    unlabelled = make_report(BASE[:3], ["other"] * 3)
    for b in unlabelled.blocks:
        b.confidence = 0.0
    assert codes(unlabelled) == {}


def test_boilerplate_flag_uses_statements_share(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    fake = types.ModuleType("nlp.statements")
    fake.report_boilerplate_share = lambda report, threshold=0.5: 0.9  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nlp.statements", fake)
    r = make_report(BASE, BASE_SECTIONS)
    r.statements = [Statement(doc="x.txt", line=5, type="problem", text="资金支付进度偏慢。")]
    assert codes(r) == {"boilerplate_problems": 5}
    fake.report_boilerplate_share = lambda report, threshold=0.5: 0.3  # type: ignore[attr-defined]
    assert codes(r) == {}


def test_indicators_without_actuals() -> None:
    head = ["三、绩效指标完成情况", "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 得分"]
    missing = ["产出指标 | 数量指标 | 培训人次 | ≥500人次 |  | 10", "产出指标 | 质量指标 | 合格率 | ≥95% | - | 10",
               "效益指标 | 满意度 | 群众满意度 | ≥90% | 96% | 10"]
    full = ["产出指标 | 数量指标 | 培训人次 | ≥500人次 | 520人次 | 10", "产出指标 | 质量指标 | 合格率 | ≥95% | 98% | 10",
            "效益指标 | 满意度 | 群众满意度 | ≥90% | 96% | 10"]
    kinds = ["heading", "table_row", "table_row", "table_row", "table_row"]
    code = "indicators_without_actuals"
    r = make_report(head + missing, ["indicators"] * 5, kinds)
    assert codes(r)[code] == 3
    assert code not in codes(make_report(head + full, ["indicators"] * 5, kinds))
    prose = ["三、绩效指标完成情况", "培训人次目标值为500人次。", "合格率目标值不低于95%。", "群众满意度实际达到96%。"]
    assert codes(make_report(prose, ["indicators"] * 4))[code] == 2
    prose_ok = ["三、绩效指标完成情况", "培训人次目标值为500人次，实际完成520人次。", "合格率不低于95%，实际为98%。"]
    assert code not in codes(make_report(prose_ok, ["indicators"] * 3))
    # a header naming target and actual columns is evidence enough, whatever the labels say ...
    assert codes(make_report(head + missing, ["budget"] * 5, kinds))[code] == 3
    # ... but without one, rows outside an indicators section do not count
    assert code not in codes(make_report(head[:1] + missing, ["budget"] * 4, kinds[:4]))
    # a Word table flattened to one cell per line, empty cells read as empty lines
    flat = ["三、绩效指标完成情况", "\t一级指标", "\t三级指标", "\t年度指标值", "\t实际完成值", "\t分值", "\t得分", "",
            "\t产出指标", "\t培训人次", "\t≥500人次", "", "\t10", "\t8", "",
            "", "\t合格率", "\t≥95%", "\t97%", "\t10", "\t10", "",
            "", "\t验收通过率", "\t100%", "", "\t10", "\t9", ""]
    r = make_report(flat, ["other"] * len(flat), ["table_row" if t.strip() else "paragraph" for t in flat])
    assert codes(r)[code] == 12  # the empty actual cell's line
    flat[11] = "\t480人次"
    flat[25] = "\t100%"
    r = make_report(flat, ["other"] * len(flat), ["table_row" if t.strip() else "paragraph" for t in flat])
    assert code not in codes(r)


def test_every_flag_code_documented() -> None:
    doc = (ROOT / "nlp" / "triage" / "SCHEMA.md").read_text(encoding="utf-8")
    for code in FLAG_CODES:
        assert f"`{code}`" in doc


# -- outputs ----------------------------------------------------------------------------------
NASTY = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "正常文本", "a=b"]


def test_csv_injection_escaped(tmp_path: Path) -> None:
    ranking = [{"rank": i + 1, "doc": s, "score": 1.0, "n_flags": 1, "department": s, "year": None,
                "flags": [{"code": "x", "weight": 1.0, "line": 3, "reason": s}]} for i, s in enumerate(NASTY)]
    ranking[0]["flags"] = []
    path = tmp_path / "r.csv"
    write_csv(ranking, path)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "rank"
    for row, s in zip(rows[1:], NASTY, strict=True):
        for cell in (row[1], row[4]):
            assert cell == ("'" + s if s[0] in "=+-@\t\r" else s)
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r"
    assert csv_safe(-3) == -3  # numbers are not text a spreadsheet evaluates


def test_html_escapes_everything_and_links_nothing() -> None:
    evil = '<script>alert("x")</script><a href="http://evil">点我</a>&amp;'
    ranking = [{"rank": 1, "doc": evil, "score": 2.5, "n_flags": 1, "department": evil, "year": 2023,
                "flags": [{"code": "problems_empty", "weight": 2.5, "line": 4, "reason": evil}]},
               {"rank": 2, "doc": "b.txt", "score": 0.0, "n_flags": 0, "department": None, "year": None,
                "flags": []}]
    page = render_html(ranking, [{"doc": evil, "error": "empty", "exc_type": "EmptyDocumentError",
                                  "message": evil}])
    assert "<script>alert" not in page and "<a " not in page and 'href="' not in page
    assert page.count("<script>") == 1  # only our own sorting script
    assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") == 5
    assert "&amp;amp;" in page
    assert "<link" not in page and "src=" not in page  # self-contained
    # server-side order is already by score, so the page is usable without JavaScript
    assert page.index("b.txt") > page.index("problems_empty")


def test_cli_writes_report_and_csv(tmp_path: Path) -> None:
    import subprocess

    write_corpus(tmp_path / "c", 4)
    (tmp_path / "c" / "bad.txt").write_bytes(b"")
    out = subprocess.run([sys.executable, "-m", "nlp.cli", "triage", str(tmp_path / "c"), "--db",
                          str(tmp_path / "t.duckdb"), "--report", str(tmp_path / "o" / "t.html"), "--csv",
                          str(tmp_path / "o" / "t.csv"), "--jobs", "2", "--no-progress"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 1, out.stderr
    assert "bad.txt" in out.stderr
    page = (tmp_path / "o" / "t.html").read_text(encoding="utf-8")
    assert page.count("<tr><td class=\"num\"") == 4 and "bad.txt" in page
    rows = list(csv.reader(io.StringIO((tmp_path / "o" / "t.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 5
    assert [float(r[2]) for r in rows[1:]] == sorted((float(r[2]) for r in rows[1:]), reverse=True)
    assert not [p for p in (tmp_path / "o").iterdir() if p.name.endswith(".tmp")]


# -- the sample corpus's planted problem reports ----------------------------------------------
PLANTED = ROOT / "corpora" / "sample" / "PLANTED.json"


@pytest.mark.skipif(not PLANTED.exists(), reason="corpora/sample/PLANTED.json not written yet")
def test_planted_problem_reports_flagged_and_ranked_first(tmp_path: Path) -> None:
    planted = json.loads(PLANTED.read_text(encoding="utf-8"))["planted"]
    folder = ROOT / "corpora" / "sample" / "txt"
    db = tmp_path / "t.duckdb"
    assert run([folder], db, jobs=2, stages=None) == 0
    with Store(db) as st:
        ranking = st.ranking()
    by_name = {Path(r["doc"]).name: r for r in ranking}
    expected = [p for p in planted if p["expect"] in ("flag", "fail")]
    for p in expected:
        code = p["kind"] if p["category"] == "flag" else "check_failed"
        flags = [f for f in by_name[p["doc"]]["flags"] if f["code"] == code]
        assert flags, (p["doc"], code, by_name[p["doc"]]["flags"])
        if p["lines"]:
            assert any(f["line"] in p["lines"] for f in flags), (p, flags)
    # every report with something planted outranks every report with nothing planted
    marked = {p["doc"] for p in planted}
    clean = [r for r in ranking if Path(r["doc"]).name not in marked]
    worst_flagged = max(r["rank"] for r in ranking if Path(r["doc"]).name in {p["doc"] for p in expected})
    assert clean and all(r["rank"] > worst_flagged for r in clean), [(r["rank"], r["doc"]) for r in ranking]
    for r in ranking:
        for f in r["flags"]:
            assert 1 <= f["line"] <= r["n_lines"]


def test_zip_helper_is_not_a_docx(tmp_path: Path) -> None:
    """A real zip that is no Word file is recorded as a failure, not a crash."""
    p = tmp_path / "c" / "notword.docx"
    p.parent.mkdir()
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    write_corpus(tmp_path / "c", 1)
    assert run([tmp_path / "c"], tmp_path / "t.duckdb") == 1
    with Store(tmp_path / "t.duckdb") as st:
        assert [Path(r[0]).name for r in st.con.execute("SELECT doc FROM failures").fetchall()] == ["notword.docx"]


def test_worker_pipeline_leaves_its_long_lived_objects_out_of_cycle_collection() -> None:
    """make_pipeline freezes what it loaded, so full collections stop walking models and dictionaries;
    frozen objects still work and results are unchanged."""
    import gc

    from nlp.pipeline import Pipeline
    from nlp.read import from_text
    from nlp.triage.worker import make_pipeline

    text = "一、部门职责\n负责全县信访工作。\n二、预算执行情况\n全年支出120万元，执行率95%。\n"
    gc.unfreeze()
    try:
        before = Pipeline(stages=("structure", "sections"))(from_text(text, doc="t"))
        pipeline = make_pipeline(("structure", "sections"))
        assert gc.get_freeze_count() > 1000  # the models and the jieba dictionary's containers
        after = pipeline(from_text(text, doc="t"))
        assert [(b.section, b.confidence) for b in after.blocks] == [(b.section, b.confidence) for b in before.blocks]
        assert after.blocks[1].section == "duties"
    finally:
        gc.unfreeze()


def test_block_path_json_is_json_dumps() -> None:
    """Heading paths are written without the JSON encoder's set-up: same text as json.dumps."""
    import json

    from nlp.triage.worker import _path_json

    for path in [(), ("一、概况",), ("a\"b\\c", "line\nbreak\t\u2028", "\x00\x1f", "（二）支出"), ("x", 3, None)]:
        assert _path_json(path) == json.dumps(list(path), ensure_ascii=False)


def test_check_lines_json_is_json_dumps() -> None:
    """A check's lines are written without json.dumps for plain ints: same text."""
    import json

    from nlp.triage.worker import _lines_json

    for lines in [[], [3], (12, 40, 7), [1, True, 2.5], {5}]:
        assert _lines_json(lines) == json.dumps(list(lines))
