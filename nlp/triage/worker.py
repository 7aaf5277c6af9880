"""What a worker does with one file: run the pipeline, turn the Report into table rows, never raise.

The result travels back to the parent (over a pipe, or from a Dask worker) as plain tuples, one list
per table, so the parent only has to append them to DuckDB; flags and the score are computed here,
where the Report is, so the Report itself never crosses a process boundary.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from nlp.document import Report

# Column order of each table's rows (the order in schema.sql).
COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("doc", "sha256", "format", "n_lines", "n_chars", "department", "year", "n_blocks",
                  "n_figures", "n_statements", "no_problems_stated", "score", "n_flags", "elapsed_s"),
    "blocks": ("doc", "block", "kind", "line_start", "line_end", "section", "confidence", "heading_path", "text"),
    "figures": ("doc", "block", "line", "start_pos", "end_pos", "text", "value", "unit", "kind", "comparator",
                "label", "metric", "confidence"),
    "facts": ("doc", "key", "value", "value_text", "unit", "confidence", "line", "text"),
    "checks": ("doc", "ord", "check", "status", "detail", "lines"),
    "statements": ("doc", "ord", "line", "type", "text", "block", "confidence", "boilerplate"),
    "flags": ("doc", "ord", "code", "weight", "line", "reason"),
    "failures": ("doc", "sha256", "error", "exc_type", "message", "elapsed_s"),
}
RESULT_TABLES: tuple[str, ...] = ("documents", "blocks", "figures", "facts", "checks", "statements", "flags")

Outcome = dict[str, Any]  # {"doc", "sha256", "ok", "rows": {table: [tuple]}, "error": ...}


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Content hash used to decide whether a file was already done (and is unchanged)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            data = fh.read(chunk)
            if not data:
                break
            h.update(data)
    return h.hexdigest()


def _f(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


# what json.dumps(value, ensure_ascii=False) builds anew on every call (a quarter of its time)
_PATH_JSON = json.JSONEncoder(ensure_ascii=False)
_JSON_STR = json.encoder.encode_basestring  # how that encoder writes a str (ensure_ascii=False)


def _path_json(key: tuple[Any, ...]) -> str:
    """``json.dumps(list(key), ensure_ascii=False)``; a path of plain strings is written directly
    (the encoder's set-up per call cost more than the strings)."""
    for t in key:
        if type(t) is not str:
            return _PATH_JSON.encode(list(key))
    return "[" + ", ".join(map(_JSON_STR, key)) + "]"


def _lines_json(lines: Any) -> str:
    """``json.dumps(list(lines))``; a list of plain ints is written directly (most checks name a few lines)."""
    lines = list(lines)
    for n in lines:
        if type(n) is not int:
            return json.dumps(lines)
    return "[" + ", ".join(map(str, lines)) + "]"


def _block_rows(doc: str, blocks: list[Any]) -> list[tuple[Any, ...]]:
    """The blocks table's rows. Consecutive blocks mostly share their heading path, so a path equal to
    the previous block's reuses its JSON, and each distinct path is encoded once per report."""
    out: list[tuple[Any, ...]] = []
    append = out.append
    paths: dict[tuple[str, ...], str] = {}
    last: Any = None
    text = ""
    for b in blocks:
        path = b.heading_path
        if path is not last and (last is None or path != last):
            key = tuple(path)
            text = paths.get(key)  # type: ignore[assignment]
            if text is None:
                text = paths[key] = _path_json(key)
            last = path
        conf = b.confidence
        append((doc, b.index, b.kind, b.line_start, b.line_end, b.section,
                conf if type(conf) is float else _f(conf), text, b.text))
    return out


def report_rows(report: Report, sha: str, elapsed: float) -> dict[str, list[tuple[Any, ...]]]:
    """The rows one Report contributes to each table."""
    from nlp.triage.flags import red_flags, triage_score

    doc = report.doc
    if report.statements and not any(s.boilerplate for s in report.statements):
        try:  # single-report boilerplate scores (the corpus-wide ones need every report at once)
            from nlp.statements.boilerplate import score_reports

            score_reports([report])
        except Exception:  # noqa: BLE001 - scores stay 0; the report is still stored
            pass
    flags = red_flags(report)
    score = triage_score(flags)
    lines = report.document.lines
    rows: dict[str, list[tuple[Any, ...]]] = {}
    rows["documents"] = [(
        doc, sha, report.document.format, len(lines), sum(map(len, lines)), report.department,
        report.year, len(report.blocks), len(report.figures), len(report.statements),
        bool(report.no_problems_stated), score, len(flags), round(elapsed, 4),
    )]
    rows["blocks"] = _block_rows(doc, report.blocks)
    rows["figures"] = [
        (doc, g.block, g.line, g.start, g.end, g.text, v if type(v := g.value) is float else _f(v), g.unit, g.kind,
         g.comparator, g.label, g.metric, c if type(c := g.confidence) is float else _f(c))
        for g in report.figures
    ]
    rows["facts"] = [
        (doc, key, _f(f.value) if not isinstance(f.value, str) else None, str(f.value), f.unit,
         _f(f.confidence), f.line, f.text)
        for key, f in report.facts.items()
    ]
    rows["checks"] = [
        (doc, i, c.check, c.status, c.detail, _lines_json(c.lines)) for i, c in enumerate(report.checks)
    ]
    rows["statements"] = [
        (doc, i, s.line, s.type, s.text, s.block, _f(s.confidence), _f(s.boilerplate))
        for i, s in enumerate(report.statements)
    ]
    rows["flags"] = [(doc, i, fl.code, fl.weight, fl.line, fl.reason) for i, fl in enumerate(flags)]
    return rows


def failure(doc: str, sha: str, exc: BaseException | None, elapsed: float, *, error: str | None = None,
            exc_type: str | None = None, message: str | None = None) -> Outcome:
    """An outcome recording why a file could not be processed."""
    from nlp.errors import NlpError

    if exc is not None:
        error = exc.kind if isinstance(exc, NlpError) else "internal"
        exc_type = type(exc).__name__
        message = exc.message if isinstance(exc, NlpError) else f"{doc}: {exc}"
    row = (doc, sha, error or "internal", exc_type or "Exception", (message or "")[:2000], round(elapsed, 4))
    return {"doc": doc, "sha256": sha, "ok": False, "rows": {"failures": [row]}, "error": row[2],
            "message": row[4]}


def process_path(pipeline: Any, path: str, sha: str) -> Outcome:
    """Run the whole pipeline over one file; any exception becomes a failure outcome, never a crash."""
    t0 = time.perf_counter()
    try:
        report = pipeline(Path(path), doc=path)
        rows = report_rows(report, sha, time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - never stop, never lose: record and go on
        return failure(path, sha, exc, time.perf_counter() - t0)
    return {"doc": path, "sha256": sha, "ok": True, "rows": rows}


# Exercises every stage (Chinese numerals, tables, problems, measures) so lazy imports and models load
# before the first real file, whose time budget should not pay for them.
_WARMUP_TEXT = (
    "某县某局2023年度部门整体支出绩效自评报告\n一、部门基本情况\n内设机构五个，编制数12人，实有人数十一人。\n"
    "二、预算执行情况\n年初预算数为100.5万元，调整后预算数为120万元，全年实际支出114万元，预算执行率为95%。\n"
    "其中基本支出80万元，项目支出34万元；“三公”经费支出1.2万元。\n三、绩效目标完成情况\n"
    "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 得分\n产出指标 | 数量指标 | 培训人次 | ≥500人次 | 520人次 | 10\n"
    "共办理信访事项一百二十件，群众满意度不低于90%。自评得分92分，等级为优秀。\n四、存在的问题\n"
    "（一）预算执行进度不均衡，下半年支出占比偏高。\n五、改进措施\n（一）加强预算执行管理，按月通报支出进度。\n"
)


_STAGE_API: dict[str, tuple[tuple[str, str], ...]] = {
    "structure": (("nlp.structure", "parse"),),
    "sections": (("nlp.sections", "load_tagger"),),
    "figures": (("nlp.figures", "FigureExtractor"),),
    "facts": (("nlp.facts", "extract_facts"), ("nlp.checks", "run_checks")),
    "statements": (("nlp.statements", "extract_statements"),),
}


def available_stages(stages: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The asked-for stages up to the first one whose module is not installed (a partial install,
    or a stage still being written), so triage degrades to what the Report can carry."""
    import importlib

    from nlp.pipeline import ALL_STAGES

    wanted = tuple(stages or ALL_STAGES)
    out: list[str] = []
    for stage in ALL_STAGES:
        if stage not in wanted and not any(ALL_STAGES.index(w) > ALL_STAGES.index(stage) for w in wanted):
            break
        ok = True
        for module, attr in _STAGE_API.get(stage, ()):
            try:
                ok = ok and hasattr(importlib.import_module(module), attr)
            except ImportError:
                ok = False
        if not ok:
            break
        out.append(stage)
    return tuple(out)


def make_pipeline(stages: tuple[str, ...] | None) -> Any:
    """A pipeline with its models loaded (by a throw-away run), so no file pays the loading time."""
    from nlp.pipeline import Pipeline, freeze_long_lived

    pipeline = Pipeline(stages=available_stages(stages))
    try:
        from nlp.read import from_text

        report_rows(pipeline(from_text(_WARMUP_TEXT, doc="<warm-up>")), "", 0.0)
    except Exception:  # noqa: BLE001 - a broken stage shows up per file, with the file's name
        pass
    freeze_long_lived()
    return pipeline
