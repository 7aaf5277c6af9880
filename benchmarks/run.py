"""``make bench``: speed and memory of the toolkit as ratios against jieba and Recognizers-Text.

One run prints every figure and ends with one JSON line; the same numbers go to
``benchmarks/results.json``. Ratios are measured in the same run on the same text, so they travel
across machines better than absolute speeds. ``BENCH_QUICK=1`` shrinks the corpora for a smoke run.

(a) read + structure throughput over ../shared (seeds + corpus; else corpora/sample) / jieba lcut
(b) tagging (read + structure + sections, one process) / jieba
(c) figures stage / Recognizers-Text NumberModel (Chinese), and both systems' value P/R on gold lines
(d) the full pipeline (as triage workers run it) with 1 and 2 workers: files/s, chars/s, / jieba
(e) peak RSS (process tree) of ``nlp triage`` at N and 10×N synthetic reports
(f) resume: the same triage again over the done corpus, time vs the first run
(g) statements + themes over N and 10×N reports: time ratio and peak RSS

``--only d`` (or ``--only a,b,d``) runs the chosen parts alone and prints their figures and JSON line
without touching ``results.json``; ``--help`` prints this text.
"""
from __future__ import annotations

import contextlib
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

# One native thread per process, as triage workers run: measured single-process speeds stay honest
# and OpenMP pools do not fight over a small machine's cores.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "benchmarks"))
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
N_SMALL = int(os.environ.get("BENCH_N", "100" if QUICK else "1000"))
N_BIG = N_SMALL * 10
REPEAT = 2 if QUICK else 3
PY = sys.executable


def say(msg: str) -> None:
    print(msg, flush=True)


def best_time(fn: Any, repeat: int = REPEAT, clock: Any = time.perf_counter) -> float:
    """Fastest of ``repeat`` runs (the least disturbed by the machine's other work). The toolkit's caches
    of recurring short texts are emptied before each run, so a repetition over the same files does not
    time them (a stream of distinct reports would not hit them that often)."""
    from nlp.pipeline import clear_text_caches

    times = []
    for _ in range(repeat):
        clear_text_caches()
        gc.collect()
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return min(times)


def _pool_cpu(pool: Any) -> float:
    """CPU seconds used so far by this process and the pool's live workers (0.0 without psutil)."""
    try:
        import psutil
    except ImportError:
        return 0.0
    total = time.process_time()
    for w in pool.workers:
        with contextlib.suppress(psutil.Error):
            t = psutil.Process(w.proc.pid).cpu_times()
            total += t.user + t.system
    return total


def shared_files() -> tuple[list[Path], str]:
    files = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus").glob("*.txt"))
    if files:
        return files, "../shared (seeds + corpus)"
    return sorted((ROOT / "corpora" / "sample" / "txt").glob("*.txt")), "corpora/sample/txt"


def jieba_tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(60)
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk


# -- (a) (b) ----------------------------------------------------------------------------------
def bench_reading(files: list[Path], tk: Any) -> dict[str, Any]:
    from nlp.pipeline import Pipeline
    from nlp.read import read
    from nlp.structure import parse

    docs = [read(f) for f in files]
    texts = [d.text for d in docs]
    chars = sum(len(t) for t in texts)
    t_jieba = best_time(lambda: [tk.lcut(t) for t in texts])
    t_read = best_time(lambda: [parse(read(f)) for f in files])
    tagger = Pipeline(stages=("structure", "sections"))
    tagger(files[0])  # load the model outside the timer
    t_tag = best_time(lambda: [tagger(f) for f in files])
    return {
        "files": len(files), "chars": chars,
        "jieba_chars_per_s": round(chars / t_jieba),
        "a_read_structure_chars_per_s": round(chars / t_read),
        "a_read_structure_vs_jieba": round(t_jieba / t_read, 2),
        "b_tagging_chars_per_s": round(chars / t_tag),
        "b_tagging_vs_jieba": round(t_jieba / t_tag, 2),
    }


# -- (c) --------------------------------------------------------------------------------------
def gold_sets() -> list[tuple[Path, Path]]:
    """(gold file, document) pairs: ../shared's gold when present, else the sample corpus's."""
    pairs: list[tuple[Path, Path]] = []
    for gold_dir, doc_dir in ((SHARED / "gold" / "seeds", SHARED / "seeds"),
                              (SHARED / "gold" / "corpus", SHARED / "corpus"),
                              (ROOT / "corpora" / "sample" / "gold", ROOT / "corpora" / "sample" / "txt")):
        if not gold_dir.is_dir() or (pairs and not str(gold_dir).startswith(str(SHARED))):
            continue
        for g in sorted(gold_dir.glob("*.json")):
            if g.name == "themes.json":
                continue
            doc = json.loads(g.read_text(encoding="utf-8")).get("doc", g.stem + ".txt")
            path = doc_dir / Path(doc).name
            if path.exists():
                pairs.append((g, path))
    return pairs


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= max(1e-9, 1e-6 * max(abs(a), abs(b)))


def _pr(pred: dict[tuple[str, int], list[float]], gold: dict[tuple[str, int], list[float]],
        lines: set[tuple[str, int]]) -> dict[str, float]:
    """Value-level precision/recall over the given lines (a prediction hits a gold figure of equal value)."""
    tp = fp = fn = 0
    for key in lines:
        left = list(gold.get(key, []))
        for v in pred.get(key, []):
            hit = next((g for g in left if _same(v, g)), None)
            if hit is None:
                fp += 1
            else:
                left.remove(hit)
                tp += 1
        fn += len(left)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "tp": tp, "fp": fp, "fn": fn}


def bench_figures() -> dict[str, Any]:
    from nlp.pipeline import Pipeline

    pairs = gold_sets()
    if not pairs:
        return {"c_note": "no gold files"}
    pipe = Pipeline(stages=("structure", "sections"))
    prepared = []
    for _g, path in pairs:
        rep = pipe(path)
        prepared.append((rep.document, rep.blocks))
    extractor = Pipeline(stages=("structure", "sections", "figures")).figure_extractor
    extractor.extract(*prepared[0])
    chars = sum(len(d.text) for d, _ in prepared)
    t_ours = best_time(lambda: [extractor.extract(d, b) for d, b in prepared])
    out: dict[str, Any] = {"c_gold_docs": len(pairs), "c_chars": chars,
                           "c_figures_chars_per_s": round(chars / t_ours)}
    # gold lines: every annotated line not marked as skipped for figures
    gold_vals: dict[tuple[str, int], list[float]] = defaultdict(list)
    lines: set[tuple[str, int]] = set()
    for g, path in pairs:
        data = json.loads(g.read_text(encoding="utf-8"))
        skipped = {int(x) for x in data.get("figures_skipped", [])}
        labelled = {int(k) for k in data.get("lines", {})} | {int(f["line"]) for f in data.get("figures", [])}
        for ln in labelled - skipped:
            lines.add((path.name, ln))
        for f in data.get("figures", []):
            if int(f["line"]) not in skipped:
                gold_vals[(path.name, int(f["line"]))].append(float(f["value"]))
    ours: dict[tuple[str, int], list[float]] = defaultdict(list)
    for (doc, blocks), (_g, path) in zip(prepared, pairs, strict=True):
        for fig in extractor.extract(doc, blocks):
            ours[(path.name, fig.line)].append(float(fig.value))
    out["c_ours_value_pr"] = _pr(ours, gold_vals, lines)
    try:
        from recognizers_number import NumberRecognizer
        from recognizers_number_with_unit import NumberWithUnitRecognizer
        from recognizers_text import Culture

        nr, ur = NumberRecognizer(Culture.Chinese), NumberWithUnitRecognizer(Culture.Chinese)
        models = {"number": nr.get_number_model(), "percentage": nr.get_percentage_model(),
                  "currency": ur.get_currency_model(), "dimension": ur.get_dimension_model()}
    except Exception as exc:  # noqa: BLE001 - not installable here: say so
        out["c_recognizers_text"] = f"n/a ({type(exc).__name__}: {exc})"
        out["c_figures_vs_recognizers"] = "n/a"
        return out
    # Recognizers-Text is slow (its currency model most): measure it on the first gold documents
    # up to a character budget, and compare both systems on exactly those documents.
    budget = 12_000 if QUICK else 40_000
    subset, used = [], 0
    for k, (doc, _b) in enumerate(prepared):
        if used >= budget:
            break
        subset.append(k)
        used += len(doc.text)
    sub_lines = [(pairs[k][1].name, i, text) for k in subset
                 for i, text in enumerate(prepared[k][0].lines, start=1) if text.strip()]
    sub_chars = sum(len(prepared[k][0].text) for k in subset)
    for m in models.values():
        m.parse(sub_lines[0][2])
    t_ours_sub = best_time(lambda: [extractor.extract(*prepared[k]) for k in subset])
    per_model: dict[str, float] = {}
    found: dict[str, list[tuple[str, int, int, int, float]]] = {}
    for name, m in models.items():
        hits: list[tuple[str, int, int, int, float]] = []
        t0 = time.perf_counter()
        for doc_name, i, text in sub_lines:
            for res in m.parse(text):
                with contextlib.suppress(TypeError, ValueError, KeyError):
                    hits.append((doc_name, i, res.start, res.end, float(res.resolution["value"])))
        per_model[name] = time.perf_counter() - t0
        found[name] = hits
    # merge like a figure extractor would: longest mention wins where spans overlap
    merged: dict[tuple[str, int], list[float]] = defaultdict(list)
    spans: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for doc_name, i, a, b, v in sorted((h for hs in found.values() for h in hs), key=lambda h: h[2] - h[3]):
        if any(a <= y and x <= b for x, y in spans[(doc_name, i)]):
            continue
        spans[(doc_name, i)].append((a, b))
        merged[(doc_name, i)].append(v)
    sub_names = {pairs[k][1].name for k in subset}
    sub_lines_set = {x for x in lines if x[0] in sub_names}
    out["c_subset_docs"] = len(subset)
    out["c_subset_chars"] = sub_chars
    out["c_ours_value_pr_subset"] = _pr(ours, gold_vals, sub_lines_set)
    t_all = sum(per_model.values())
    out["c_recognizers_models_chars_per_s"] = {k: round(sub_chars / v) for k, v in per_model.items()}
    out["c_recognizers_chars_per_s"] = round(sub_chars / t_all)
    out["c_figures_subset_chars_per_s"] = round(sub_chars / t_ours_sub)
    out["c_figures_vs_recognizers"] = round(t_all / t_ours_sub, 1)
    out["c_figures_vs_recognizers_number_model_only"] = round(per_model["number"] / t_ours_sub, 2)
    out["c_recognizers_value_pr_subset"] = _pr(merged, gold_vals, sub_lines_set)
    return out


# -- (d) --------------------------------------------------------------------------------------
def bench_pipeline(files: list[Path], tk: Any) -> dict[str, Any]:
    """The whole pipeline as triage workers run it, over each file once, in a fresh pool per repetition.

    Why fresh pools and distinct files: workers keep small caches of recurring cells and labels, which
    a stream of distinct reports does reuse; running the same files again in a warm worker would
    time those caches instead of the pipeline. The workers are first run over other reports (our
    sample and training corpora, written here), as a worker in a long corpus run has been, so model
    loading is not timed; the fastest repetition is reported."""
    from nlp.read import read
    from nlp.triage.pool import TimedPool

    reps = 2 if QUICK else 3
    tasks = [(str(f), "") for f in files]
    measured = {x.resolve() for x in files}
    warm = [(str(f), "") for d in ("sample", "train") for f in sorted((ROOT / "corpora" / d / "txt").glob("*.txt"))
            if f.resolve() not in measured] or tasks[:2]
    texts = [read(f).text for f in files]
    chars = sum(len(t) for t in texts)
    t_jieba = best_time(lambda: [tk.lcut(t) for t in texts])
    t_jieba_cpu = best_time(lambda: [tk.lcut(t) for t in texts], clock=time.process_time)
    out: dict[str, Any] = {"d_files": len(tasks), "d_chars": chars, "d_repetitions": reps}
    for jobs in (1, 2):
        walls, cpus, failed = [], [], 0
        for _ in range(reps):
            with TimedPool(jobs, file_timeout=600) as pool:
                list(pool.imap_unordered(warm))  # workers up, models loaded, as after a stream of other reports
                cpu0 = _pool_cpu(pool)
                t0 = time.perf_counter()
                results = list(pool.imap_unordered(tasks))
                walls.append(time.perf_counter() - t0)
                cpus.append(_pool_cpu(pool) - cpu0)
            failed = max(failed, sum(1 for r in results if not r["ok"]))
        dt, cpu = min(walls), min(cpus)
        if jobs == 1 and cpu > 0:
            # CPU seconds (worker + parent) against jieba's: steadier than wall time when other
            # work shares the machine, which stretches both sides' wall time by different amounts
            out["d_1w_cpu_chars_per_s"] = round(chars / cpu)
            out["d_pipeline_vs_jieba_cpu"] = round(t_jieba_cpu / cpu, 3)
        out[f"d_{jobs}w_files_per_s"] = round(len(tasks) / dt, 1)
        out[f"d_{jobs}w_chars_per_s"] = round(chars / dt)
        out[f"d_{jobs}w_failed"] = failed
        if jobs == 1:
            out["d_pipeline_vs_jieba"] = round(t_jieba / dt, 3)
    out["d_2w_over_1w"] = round(out["d_2w_chars_per_s"] / out["d_1w_chars_per_s"], 2)
    return out


# -- (e) (f) ----------------------------------------------------------------------------------
def _tree_memory(ps: Any) -> tuple[int, int]:
    """(RSS, PSS) summed over a process and its children; PSS counts shared pages once."""
    import psutil

    rss = pss = 0
    try:
        procs = [ps, *ps.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for p in procs:
        try:
            info = p.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        except psutil.Error:
            pass
    return rss, pss


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[int, float, int, int]:
    """Run a command; return (exit status, seconds, peak RSS and peak PSS in bytes of its process tree)."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    ps = psutil.Process(proc.pid)
    peak = peak_pss = 0
    while proc.poll() is None:
        rss, pss = _tree_memory(ps)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        time.sleep(0.1)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        say(err[-2000:])
    return proc.returncode, time.perf_counter() - t0, peak, peak_pss


def _failure_kinds(db: Path) -> dict[str, int]:
    """Failures recorded in a triage database, by error kind (so a slow or failing run explains itself)."""
    from nlp.triage.store import Store

    with Store(db, read_only=True) as st:
        return dict(st.con.execute("SELECT error || ':' || exc_type, count(*) FROM failures GROUP BY ALL "
                                   "ORDER BY ALL").fetchall())


def bench_triage(corpora: dict[int, Path], work: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nlp = str(Path(PY).with_name("nlp"))
    for n, folder in corpora.items():
        db = work / f"triage_{n}.duckdb"
        cmd = [nlp, "triage", str(folder), "--db", str(db), "--jobs", "2", "--no-progress",
               "--batch-size", "64"]
        code, secs, peak, pss = run_measured(cmd)
        out[f"e_triage_{n}_seconds"] = round(secs, 1)
        out[f"e_triage_{n}_files_per_s"] = round(n / secs, 1)
        out[f"e_triage_{n}_peak_rss_mb"] = round(peak / 2**20, 1)
        out[f"e_triage_{n}_peak_pss_mb"] = round(pss / 2**20, 1)
        out[f"e_triage_{n}_exit"] = code
        out[f"e_triage_{n}_failures"] = _failure_kinds(db)
        if n == max(corpora):
            code2, secs2, _, _ = run_measured(cmd)
            out["f_resume_seconds"] = round(secs2, 2)
            out["f_resume_over_first_run"] = round(secs2 / secs, 3)
            out["f_resume_exit"] = code2
            out["f_resume_failures"] = _failure_kinds(db)
    small, big = min(corpora), max(corpora)
    out["e_rss_big_over_small"] = round(out[f"e_triage_{big}_peak_rss_mb"] / out[f"e_triage_{small}_peak_rss_mb"], 3)
    out["e_pss_big_over_small"] = round(out[f"e_triage_{big}_peak_pss_mb"] / out[f"e_triage_{small}_peak_pss_mb"], 3)
    return out


# -- (g) --------------------------------------------------------------------------------------
def statements_child(folder: str) -> None:
    """Child process: extract statements from every report, then link (boilerplate, clusters) and
    build themes; print timings as JSON."""
    from nlp.document import Report
    from nlp.read import iter_paths, read
    from nlp.sections import load_tagger
    from nlp.statements import extract_statements, link_statements
    from nlp.structure import parse

    tagger = load_tagger(None)
    paths = list(iter_paths([folder]))
    warm = read(paths[0])  # load every lazy model outside the timer
    warm_blocks = parse(warm)
    tagger.tag(warm, warm_blocks)
    extract_statements(warm, warm_blocks)
    t0 = time.perf_counter()
    reports = []
    for path in paths:
        document = read(path)
        blocks = parse(document)
        tagger.tag(document, blocks)
        found = extract_statements(document, blocks)
        # keep what the corpus-level steps need, not the whole document
        rep = Report(doc=path, document=document.__class__(doc=path, lines=[]), blocks=[])
        rep.statements = found.statements
        reports.append(rep)
    t1 = time.perf_counter()
    link_statements(reports)  # boilerplate scores, clusters and themes over all reports
    statements = [s for r in reports for s in r.statements]
    t2 = time.perf_counter()
    print(json.dumps({"reports": len(reports), "statements": len(statements),
                      "themes": len({(s.type, s.theme) for s in statements if s.theme}),
                      "extract_s": t1 - t0, "link_themes_s": t2 - t1}))


def bench_statements(corpora: dict[int, Path]) -> dict[str, Any]:
    import psutil

    out: dict[str, Any] = {}
    for n, folder in corpora.items():
        t0 = time.perf_counter()
        proc = subprocess.Popen([PY, __file__, "--statements-child", str(folder)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=ROOT)
        ps = psutil.Process(proc.pid)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_memory(ps)[0])
            time.sleep(0.1)
        secs = time.perf_counter() - t0
        stdout = proc.stdout.read().decode() if proc.stdout else ""
        if proc.returncode != 0:
            err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
            out[f"g_{n}_error"] = err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}"
            continue
        res = json.loads(stdout.strip().splitlines()[-1])
        out[f"g_{n}_statements"] = res["statements"]
        out[f"g_{n}_themes"] = res["themes"]
        out[f"g_{n}_extract_s"] = round(res["extract_s"], 2)
        out[f"g_{n}_link_themes_s"] = round(res["link_themes_s"], 2)
        out[f"g_{n}_seconds"] = round(res["extract_s"] + res["link_themes_s"], 2)
        out[f"g_{n}_wall_s"] = round(secs, 1)
        out[f"g_{n}_peak_rss_mb"] = round(peak / 2**20, 1)
    small, big = min(corpora), max(corpora)
    if f"g_{small}_seconds" in out and f"g_{big}_seconds" in out:
        out["g_time_big_over_small"] = round(out[f"g_{big}_seconds"] / out[f"g_{small}_seconds"], 2)
    return out


# -- all ----------------------------------------------------------------------------------------
TARGETS = {
    "a_read_structure_vs_jieba": (">=", 2.0),
    "b_tagging_vs_jieba": (">=", 0.5),
    "c_figures_vs_recognizers": (">=", 100.0),
    "d_pipeline_vs_jieba": (">=", 0.4),
    "d_2w_over_1w": (">=", 1.7),
    "e_rss_big_over_small": ("<=", 1.2),
    "g_time_big_over_small": ("<=", 12.0),
}


def main(only: set[str] | None = None) -> int:
    """Run every part (or the ``only`` ones) and print and save the figures."""
    from synth import load_generate

    def want(part: str) -> bool:
        return only is None or part in only

    t_start = time.perf_counter()
    results: dict[str, Any] = {"quick": QUICK, "n_small": N_SMALL, "n_big": N_BIG, "python": sys.version.split()[0],
                               "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()[0]}
    files, source = shared_files()
    results["text_source"] = source
    say(f"bench: {len(files)} files from {source}; synthetic corpora of {N_SMALL} and {N_BIG} reports"
        + (" (BENCH_QUICK)" if QUICK else ""))
    tk = jieba_tokenizer()

    if want("a") or want("b"):
        _say_reading(results, bench_reading(files, tk))
    if want("c"):
        _say_figures(results, bench_figures())
    if want("d"):
        _say_pipeline(results, bench_pipeline(files, tk))
    if any(want(p) for p in "efg"):
        _synthetic_parts(results, load_generate)
    return _finish(results, t_start, partial=only is not None)


def _say_reading(results: dict[str, Any], r: dict[str, Any]) -> None:
    results.update(r)
    say(f"(a) read+structure {r['a_read_structure_chars_per_s']:,} chars/s; jieba {r['jieba_chars_per_s']:,} chars/s"
        f" -> {r['a_read_structure_vs_jieba']}x jieba (target >= 2)")
    say(f"(b) tagging (read+structure+sections, 1 process) {r['b_tagging_chars_per_s']:,} chars/s"
        f" -> {r['b_tagging_vs_jieba']}x jieba (target >= 0.5)")


def _say_figures(results: dict[str, Any], r: dict[str, Any]) -> None:
    results.update(r)
    if "c_figures_chars_per_s" in r:
        rt = r.get("c_recognizers_chars_per_s", "n/a")
        say(f"(c) figures stage {r['c_figures_chars_per_s']:,} chars/s over {r['c_gold_docs']} gold docs; "
            f"value P/R on their lines {r['c_ours_value_pr']}")
        if rt != "n/a":
            say(f"    on {r['c_subset_docs']} of them ({r['c_subset_chars']:,} chars): ours "
                f"{r['c_figures_subset_chars_per_s']:,} chars/s; Recognizers-Text (number+percentage+currency+"
                f"dimension models) {rt:,} chars/s {r['c_recognizers_models_chars_per_s']} -> "
                f"{r['c_figures_vs_recognizers']}x (target >= 100); vs its number model alone "
                f"{r['c_figures_vs_recognizers_number_model_only']}x")
            say(f"    value P/R there: ours {r['c_ours_value_pr_subset']}; Recognizers-Text "
                f"{r['c_recognizers_value_pr_subset']}")
        else:
            say(f"    Recognizers-Text: {r.get('c_recognizers_text')}")


def _say_pipeline(results: dict[str, Any], r: dict[str, Any]) -> None:
    results.update(r)
    say(f"(d) full pipeline 1 worker {r['d_1w_files_per_s']} files/s {r['d_1w_chars_per_s']:,} chars/s; "
        f"2 workers {r['d_2w_files_per_s']} files/s {r['d_2w_chars_per_s']:,} chars/s; "
        f"{r['d_pipeline_vs_jieba']}x jieba (target >= 0.4); 2w/1w {r['d_2w_over_1w']} (target >= 1.7)")
    if "d_pipeline_vs_jieba_cpu" in r:
        say(f"    in CPU time (worker + parent vs jieba's process time): 1 worker {r['d_1w_cpu_chars_per_s']:,} "
            f"chars/s, {r['d_pipeline_vs_jieba_cpu']}x jieba")


def _synthetic_parts(results: dict[str, Any], load_generate: Any) -> None:
    generate, gen_source = load_generate()
    results["synth_source"] = gen_source
    with tempfile.TemporaryDirectory(prefix="nlp-bench-") as tmp:
        work = Path(tmp)
        corpora = {}
        for n in (N_SMALL, N_BIG):
            t0 = time.perf_counter()
            generate(n, work / f"synth_{n}", seed=1)
            corpora[n] = work / f"synth_{n}"
            say(f"    generated {n} reports with {gen_source} in {time.perf_counter() - t0:.1f} s")
        r = bench_triage(corpora, work)
        results.update(r)
        say(f"(e) triage peak RSS: {N_SMALL} reports {r[f'e_triage_{N_SMALL}_peak_rss_mb']} MB "
            f"({r[f'e_triage_{N_SMALL}_seconds']} s), {N_BIG} reports {r[f'e_triage_{N_BIG}_peak_rss_mb']} MB "
            f"({r[f'e_triage_{N_BIG}_seconds']} s, {r[f'e_triage_{N_BIG}_files_per_s']} files/s); ratio "
            f"{r['e_rss_big_over_small']} (target <= 1.2, < 1024 MB); PSS (shared pages once) "
            f"{r[f'e_triage_{N_SMALL}_peak_pss_mb']} / {r[f'e_triage_{N_BIG}_peak_pss_mb']} MB")
        say(f"(f) resume over the {N_BIG} done reports: {r['f_resume_seconds']} s = "
            f"{r['f_resume_over_first_run']} of the first run")
        r = bench_statements(corpora)
        results.update(r)
        for n in (N_SMALL, N_BIG):
            if f"g_{n}_seconds" in r:
                say(f"(g) statements+themes over {n} reports: {r[f'g_{n}_seconds']} s (extract "
                    f"{r[f'g_{n}_extract_s']} s, link+themes {r[f'g_{n}_link_themes_s']} s), "
                    f"{r[f'g_{n}_statements']} statements, {r[f'g_{n}_themes']} themes, peak RSS "
                    f"{r[f'g_{n}_peak_rss_mb']} MB")
            else:
                say(f"(g) statements+themes over {n} reports failed: {r.get(f'g_{n}_error')}")
        if "g_time_big_over_small" in r:
            say(f"    time ratio {N_BIG}/{N_SMALL}: {r['g_time_big_over_small']} (target <= 12)")


def _finish(results: dict[str, Any], t_start: float, partial: bool = False) -> int:
    met = {}
    for key, (op, target) in TARGETS.items():
        v = results.get(key)
        if isinstance(v, int | float):
            met[key] = bool(v >= target) if op == ">=" else bool(v <= target)
    big_rss = results.get(f"e_triage_{N_BIG}_peak_rss_mb")
    if isinstance(big_rss, int | float):
        met["e_rss_under_1gb"] = big_rss < 1024
    results["targets_met"] = met
    results["bench_seconds"] = round(time.perf_counter() - t_start, 1)
    results["load_average_at_end"] = os.getloadavg()[0]
    say(f"targets met: {sum(met.values())}/{len(met)}; {', '.join(k for k, ok in met.items() if not ok) or 'all'}"
        f"{' missed' if not all(met.values()) else ''}; bench took {results['bench_seconds']} s")
    if partial:  # a partial run never replaces the full figures
        print(json.dumps(results, ensure_ascii=False), flush=True)
        return 0
    from nlp.output import write_text_atomic

    out_file = Path(os.environ.get("BENCH_RESULTS", ROOT / "benchmarks" / "results.json"))
    write_text_atomic(out_file, json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(results, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--statements-child":
        statements_child(sys.argv[2])
        raise SystemExit(0)
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        print(__doc__)
        raise SystemExit(0)
    parts = None
    if "--only" in sys.argv[1:]:
        k = sys.argv.index("--only")
        parts = {p.strip() for p in (sys.argv[k + 1] if k + 1 < len(sys.argv) else "").split(",") if p.strip()}
        if not parts or not parts <= set("abcdefg"):
            raise SystemExit("--only takes parts among a,b,c,d,e,f,g (comma-separated)")
    raise SystemExit(main(parts))
