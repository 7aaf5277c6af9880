"""The thin command line, driven through typer's runner and, for startup cost, a real subprocess."""
from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from nlp import __version__
from nlp.cli import EXIT_ALL_FAILED, EXIT_SOME_FAILED, app

REPORT = "\n".join([
    "某市民政局2024年度部门整体支出绩效自评报告",
    "",
    "一、部门基本情况",
    "（一）主要职能",
    "负责全市社会救助、养老服务和社会组织管理工作。",
    "二、预算执行情况",
    "年初预算数为812.40万元，全年实际支出790.12万元。",
    "三、存在的问题",
    "部分项目支出进度偏慢。",
    "四、下一步改进措施",
    "加强预算执行监控。",
])
FIELDS = {"doc", "block", "kind", "line_start", "line_end", "text", "section", "confidence", "scores", "heading_path"}


def _rows(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"nlp {__version__}"


def test_help_imports_nothing_heavy():
    code = ("import sys; from nlp.cli import app; from typer.testing import CliRunner; "
            "CliRunner().invoke(app, ['--help']); "
            "print(sorted(m for m in ('sklearn', 'spacy', 'torch', 'duckdb', 'pdfplumber', 'docx', 'jieba', 'dask')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_sections_rows_follow_the_contract(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    result = CliRunner().invoke(app, ["sections", str(path)])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert rows and all(set(r) >= FIELDS for r in rows)
    assert [r["block"] for r in rows] == list(range(len(rows)))
    covered = {ln for r in rows for ln in range(r["line_start"], r["line_end"] + 1)}
    nonempty = {i + 1 for i, line in enumerate(REPORT.split("\n")) if line.strip()}
    assert nonempty <= covered
    for r in rows:
        assert abs(sum(r["scores"].values()) - 1) < 1e-3
        assert r["section"] == max(r["scores"], key=r["scores"].get)


def test_a_bad_file_is_named_and_the_rest_still_processed(tmp_path):
    good = tmp_path / "a_good.txt"
    good.write_text(REPORT, encoding="utf-8")
    empty = tmp_path / "b_empty.txt"
    empty.write_bytes(b"")
    result = CliRunner().invoke(app, ["sections", str(tmp_path)])
    assert result.exit_code == EXIT_SOME_FAILED
    assert "b_empty.txt" in result.stderr
    assert {r["doc"] for r in _rows(result.stdout)} == {str(good)}


def test_all_failed_has_its_own_status(tmp_path):
    bad = tmp_path / "x.txt"
    bad.write_bytes(b"\x00\x01\x02" * 50)
    result = CliRunner().invoke(app, ["sections", str(bad)])
    assert result.exit_code == EXIT_ALL_FAILED
    assert "x.txt" in result.stderr


def test_strict_stops_at_the_first_failure(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_text(REPORT, encoding="utf-8")
    result = CliRunner().invoke(app, ["sections", "--strict", str(tmp_path)])
    assert result.exit_code == EXIT_SOME_FAILED
    assert result.stdout.strip() == ""


def test_output_file_is_written_whole(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    out = tmp_path / "out" / "sections.jsonl"
    result = CliRunner().invoke(app, ["sections", str(path), "-o", str(out)])
    assert result.exit_code == 0
    assert len(_rows(out.read_text(encoding="utf-8"))) >= 9
    assert [p.name for p in out.parent.iterdir()] == ["sections.jsonl"]
