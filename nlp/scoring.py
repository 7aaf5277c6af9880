"""Accuracy figures of the toolkit's output against gold files (the reading of ANNOTATION.md).

Pure functions over gold dicts and output rows (the dicts the CLI prints), so that ``nlp eval``,
the tests and the training code measure the same way the shared scorer does.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nlp.document import CORE_LABELS, METRICS, SECTION_LABELS

FACT_KEYS = (*METRICS, "department", "year")


def doc_key(path: str) -> str:
    return Path(str(path)).stem


def _safe_div(a: float, b: float) -> float:
    return a / b if b else 0.0


def f_score(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def calibration_error(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """Expected calibration error over equal-width confidence bins."""
    if not pairs:
        return math.nan
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for conf, right in pairs:
        c = min(max(float(conf), 0.0), 1.0)
        b = sums[min(int(c * bins), bins - 1)]
        b[0] += 1
        b[1] += c
        b[2] += float(bool(right))
    n = len(pairs)
    return sum(cnt / n * abs(conf / cnt - hits / cnt) for cnt, conf, hits in sums.values())


def rank_auc(pairs: Sequence[tuple[float, bool]]) -> float:
    """Area under the ROC curve via ranks (ties count half)."""
    pos = sorted(s for s, y in pairs if y)
    neg = sorted(s for s, y in pairs if not y)
    if not pos or not neg:
        return math.nan
    import bisect

    wins = 0.0
    for s in pos:
        lo, hi = bisect.bisect_left(neg, s), bisect.bisect_right(neg, s)
        wins += lo + 0.5 * (hi - lo)
    return wins / (len(pos) * len(neg))


def _accepted(label: str | list[str]) -> list[str]:
    return list(label) if isinstance(label, list) else [label]


# -- sections ------------------------------------------------------------------------------------
def score_sections(gold: dict[str, dict], rows: Iterable[dict]) -> dict[str, Any]:
    blocks_of: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        blocks_of[doc_key(row["doc"])].append(row)
    counts: dict[str, Counter[str]] = {k: Counter() for k in ("tp", "fp", "fn")}
    right = total = uncovered = mixed = scored_blocks = 0
    pairs: list[tuple[float, bool]] = []
    for d, g in gold.items():
        labels = {int(k): _accepted(v) for k, v in g["lines"].items()}
        owner: dict[int, dict] = {}
        for row in blocks_of.get(d, []):
            for ln in range(int(row["line_start"]), int(row["line_end"]) + 1):
                owner.setdefault(ln, row)
            inside = [labels[ln] for ln in range(int(row["line_start"]), int(row["line_end"]) + 1) if ln in labels]
            if inside:
                scored_blocks += 1
                mixed += not set.intersection(*(set(x) for x in inside))
        for ln, ok_labels in labels.items():
            total += 1
            row = owner.get(ln)
            if row is None:
                uncovered += 1
                counts["fn"][ok_labels[0]] += 1
                continue
            said = row.get("section")
            hit = said in ok_labels
            right += hit
            if hit:
                counts["tp"][said] += 1
            else:
                counts["fp"][said] += 1
                counts["fn"][ok_labels[0]] += 1
            if "confidence" in row:
                pairs.append((float(row["confidence"]), hit))
    per: dict[str, dict[str, float]] = {}
    for lab in SECTION_LABELS:
        tp, fp, fn = counts["tp"][lab], counts["fp"][lab], counts["fn"][lab]
        if tp + fp + fn:
            p, r = _safe_div(tp, tp + fp), _safe_div(tp, tp + fn)
            per[lab] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f_score(p, r), 4), "support": tp + fn}
    core = [per[k]["f1"] for k in CORE_LABELS if k in per]
    return {
        "lines": total, "accuracy": round(_safe_div(right, total), 4),
        "macro_f1": round(_safe_div(sum(v["f1"] for v in per.values()), len(per)), 4),
        "core_macro_f1": round(_safe_div(sum(core), len(core)), 4),
        "ece": round(calibration_error(pairs), 4), "uncovered_lines": uncovered,
        "blocks": scored_blocks, "mixed_blocks": mixed, "per_label": per,
    }


# -- figures -------------------------------------------------------------------------------------
def _unit(u: Any) -> str | None:
    if u is None:
        return None
    u = str(u).strip().replace("％", "%")
    return {"万元": "元", "亿元": "元", "分值": "分", "": None}.get(u, u)


def _close(a: Any, b: Any) -> bool:
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(x - y) <= max(1e-9, 1e-6 * max(abs(x), abs(y)))


def score_figures(gold: dict[str, dict], rows: Iterable[dict]) -> dict[str, Any]:
    predicted: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in rows:
        predicted[(doc_key(row["doc"]), int(row["line"]))].append(row)
    tp = fp = fn = metric_right = metric_total = 0
    pairs: list[tuple[float, bool]] = []
    for d, g in gold.items():
        skipped = {int(x) for x in g.get("figures_skipped", [])}
        wanted: dict[int, list[dict]] = defaultdict(list)
        for fig in g.get("figures", []):
            wanted[int(fig["line"])].append(fig)
        lines = set(wanted) | {ln for (dd, ln) in predicted if dd == d}
        for ln in lines - skipped:
            open_gold = list(wanted.get(ln, []))
            for row in predicted.get((d, ln), []):
                same = [x for x in open_gold if _close(row.get("value"), x["value"])]
                match = next((x for x in same if _unit(x.get("unit")) == _unit(row.get("unit"))), None)
                if match is None:
                    match = next((x for x in same if x.get("unit") is None), None)
                if match is not None:
                    open_gold.remove(match)
                    tp += 1
                    if match.get("metric"):
                        metric_total += 1
                        metric_right += row.get("metric") == match["metric"]
                else:
                    fp += 1
                if "confidence" in row:
                    pairs.append((float(row["confidence"]), match is not None))
            fn += len(open_gold)
            metric_total += sum(1 for x in open_gold if x.get("metric"))
    p, r = _safe_div(tp, tp + fp), _safe_div(tp, tp + fn)
    return {"gold": tp + fn, "predicted": tp + fp, "p": round(p, 4), "r": round(r, 4),
            "f1": round(f_score(p, r), 4), "metric_accuracy": round(_safe_div(metric_right, metric_total), 4),
            "ece": round(calibration_error(pairs), 4), "auroc": round(rank_auc(pairs), 4)}


# -- facts ---------------------------------------------------------------------------------------
def fact_matches(key: str, said: Any, truth: Any) -> bool:
    if key == "department":
        a = str(said or "").strip()
        options = truth if isinstance(truth, list) else [truth]
        return any(a and (a in b or b in a) and min(len(a), len(b)) >= 0.6 * max(len(a), len(b))
                   for b in (str(o).strip() for o in options))
    if key == "grade":
        return str(said).strip() == str(truth).strip()
    try:
        x, y = float(said), float(truth)
    except (TypeError, ValueError):
        return False
    return abs(x - y) <= max(1e-9, 0.005 * abs(y))


def score_facts(gold: dict[str, dict], rows: Iterable[dict]) -> dict[str, Any]:
    by_doc = {doc_key(r["doc"]): r for r in rows}
    tp = fp = fn = 0
    pairs: list[tuple[float, bool]] = []
    for d, g in gold.items():
        truth = {k: v for k, v in g.get("facts", {}).items() if k in FACT_KEYS}
        row = by_doc.get(d, {})
        said: dict[str, dict] = {k: v for k, v in row.get("facts", {}).items() if k in FACT_KEYS}
        for k in ("department", "year"):
            if row.get(k) not in (None, ""):
                said[k] = {"value": row[k], "confidence": row.get(f"{k}_confidence", 1.0)}
        for k in set(truth) | set(said):
            if k in said and k in truth:
                ok = fact_matches(k, said[k].get("value"), truth[k])
                tp += ok
                fp += not ok
                fn += not ok
            elif k in said:
                ok = False
                fp += 1
            else:
                fn += 1
                continue
            if "confidence" in said[k]:
                pairs.append((float(said[k]["confidence"]), ok))
    p, r = _safe_div(tp, tp + fp), _safe_div(tp, tp + fn)
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f_score(p, r), 4),
            "ece": round(calibration_error(pairs), 4), "auroc": round(rank_auc(pairs), 4)}


# -- statements and themes -----------------------------------------------------------------------
def _pairs_of(text: str) -> set[str]:
    s = "".join(text.split())
    return {s[i:i + 2] for i in range(len(s) - 1)} or {s}


def text_overlap(a: str, b: str) -> float:
    x, y = _pairs_of(a), _pairs_of(b)
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def bcubed(items: Sequence[tuple[str, str]]) -> tuple[float, float]:
    """B-cubed precision and recall of (gold cluster, predicted cluster) per element."""
    if not items:
        return 0.0, 0.0
    in_gold: Counter[str] = Counter(g for g, _ in items)
    in_pred: Counter[str] = Counter(p for _, p in items)
    both: Counter[tuple[str, str]] = Counter(items)
    prec = sum(both[it] / in_pred[it[1]] for it in items) / len(items)
    rec = sum(both[it] / in_gold[it[0]] for it in items) / len(items)
    return prec, rec


def score_statements(gold: dict[str, dict], rows: Iterable[dict], themes: dict | None = None) -> dict[str, Any]:
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_doc[doc_key(row["doc"])].append(row)
    matched: list[tuple[dict, dict]] = []
    wrong: list[dict] = []
    missed: list[dict] = []
    for d, g in gold.items():
        open_gold = [dict(x, doc=d) for x in g.get("statements", [])]
        for row in sorted(by_doc.get(d, []), key=lambda r: -float(r.get("confidence", 1.0))):
            best, best_overlap = -1, 0.0
            for i, x in enumerate(open_gold):  # the first of equally good candidates wins
                if x["type"] != row.get("type") or abs(int(x["line"]) - int(row.get("line", -99))) > 2:
                    continue
                overlap = text_overlap(row.get("text", ""), x["text"])
                if overlap > best_overlap:
                    best, best_overlap = i, overlap
            if best >= 0 and best_overlap >= 0.6:
                matched.append((row, open_gold.pop(best)))
            else:
                wrong.append(row)
        missed.extend(open_gold)
    p = _safe_div(len(matched), len(matched) + len(wrong))
    r = _safe_div(len(matched), len(matched) + len(missed))
    cal = [(float(row.get("confidence", 1.0)), True) for row, _ in matched]
    cal += [(float(row.get("confidence", 1.0)), False) for row in wrong]
    flags = [(float(row.get("boilerplate", 0.0)), bool(x["boilerplate"])) for row, x in matched if "boilerplate" in x]
    out: dict[str, Any] = {"gold": len(matched) + len(missed), "predicted": len(matched) + len(wrong),
                           "p": round(p, 4), "r": round(r, 4), "f1": round(f_score(p, r), 4),
                           "ece": round(calibration_error(cal), 4), "boilerplate_auroc": round(rank_auc(flags), 4)}
    if themes:
        owner: dict[tuple[str, int, str], list[tuple[str, str]]] = defaultdict(list)
        for kind in ("problems", "measures"):
            for i, theme in enumerate(themes.get(kind, [])):
                for member in theme["members"]:
                    owner[(doc_key(member[0]), int(member[1]), kind[:-1])].append(
                        (member[2] if len(member) > 2 else "", f"{kind}:{i}"))

        def theme_of(x: dict) -> str:
            options = owner.get((x["doc"], int(x["line"]), x["type"]), [])
            best = max(options, key=lambda o: text_overlap(o[0], x["text"]) if o[0] else 0.0, default=None)
            if best is not None and (not best[0] or text_overlap(best[0], x["text"]) >= 0.6):
                return best[1]
            return f"alone:{x['doc']}:{x['line']}:{x['text'][:10]}"

        items = [(theme_of(x), f"{x['type']}:{row.get('cluster')}") for row, x in matched]
        items += [(theme_of(x), f"missed:{x['doc']}:{x['line']}:{x['text'][:10]}") for x in missed]
        bp, br = bcubed(items)
        out.update(themes_bcubed_p=round(bp, 4), themes_bcubed_r=round(br, 4), themes_bcubed_f1=round(f_score(bp, br), 4))
    return out


# -- brief ---------------------------------------------------------------------------------------
def score_brief(brief: dict, lines_of: dict[str, list[str]]) -> dict[str, Any]:
    """Share of cited statements found at (or just after) the cited line of the cited report."""
    cited = found = 0
    for kind in ("problems", "measures"):
        for theme in brief.get(kind, []):
            for st in theme.get("statements", []):
                cited += 1
                lines = lines_of.get(doc_key(st.get("doc", "")), [])
                ln = int(st.get("line", 0))
                window = "".join(lines[max(0, ln - 1): ln + 2])
                found += bool(window) and text_overlap(st.get("text", ""), window) >= 0.8
    return {"themes": sum(len(brief.get(k, [])) for k in ("problems", "measures")), "cited": cited,
            "traceable": round(_safe_div(found, cited), 4)}
