"""Rebuild models/figures from gold files: label each extracted figure right or wrong the way
the scorer reads gold (same line, same value, same unit or a gold unit of null; metric agreeing),
fit the confidence model, and report document-grouped cross-validated P/R, metric accuracy, ECE.

    python -m nlp.figures.train [OUT]      (default models/figures)
"""
from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def gold_sources() -> list[tuple[Path, Path]]:
    """(gold folder, documents folder) pairs that exist here."""
    pairs = [(SHARED / "gold" / "seeds", SHARED / "seeds"), (SHARED / "gold" / "corpus", SHARED / "corpus"),
             (ROOT / "corpora" / "sample" / "gold", ROOT / "corpora" / "sample" / "txt")]
    return [(g, d) for g, d in pairs if g.is_dir() and d.is_dir()]


def _same_value(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) <= max(1e-9, 1e-6 * max(abs(float(a)), abs(float(b))))


def _norm_unit(u: Any) -> Any:
    if u is None:
        return None
    u = str(u).strip().replace("％", "%")
    return {"万元": "元", "亿元": "元", "分值": "分", "": None}.get(u, u)


def label_figures(figures: list[Any], gold: dict[str, Any]) -> list[tuple[Any, int | None, Any]]:
    """(figure, 1/0 or None on skipped lines, matched gold figure) in scorer order."""
    skipped = {int(x) for x in gold.get("figures_skipped", [])}
    at: dict[int, list[dict]] = defaultdict(list)
    for x in gold.get("figures", []):
        at[int(x["line"])].append(x)
    out = []
    for f in figures:
        if f.line in skipped:
            out.append((f, None, None))
            continue
        gs = at.get(f.line, [])
        same = [x for x in gs if _same_value(f.value, x["value"])]
        hit = next((x for x in same if _norm_unit(f.unit) == _norm_unit(x.get("unit"))),
                   next((x for x in same if x.get("unit") is None), None))
        if hit is not None:
            gs.remove(hit)
        ok = hit is not None and (not hit.get("metric") or hit.get("metric") == f.metric)
        out.append((f, int(ok), hit))
    return out


def collect() -> tuple[list[dict], list[int], list[str], dict[str, Any]]:
    """Features, targets and document groups over every gold document; also raw counts."""
    from nlp.figures.confidence import figure_features
    from nlp.figures.extract import Extractor
    from nlp.read import read
    from nlp.structure import parse

    X, y, groups = [], [], []
    stats: dict[str, Any] = {"docs": 0, "gold": 0, "rows": []}
    digest = hashlib.sha256()
    for gdir, ddir in gold_sources():
        for gf in sorted(gdir.glob("*.json")):
            if gf.name == "themes.json":
                continue
            gold = json.loads(gf.read_text(encoding="utf-8"))
            path = ddir / gold["doc"]
            if not path.exists():
                continue
            digest.update(gf.read_bytes())
            document = read(path)
            blocks = parse(document)
            figures = Extractor().extract(document, blocks)
            skipped = {int(x) for x in gold.get("figures_skipped", [])}
            n_gold = sum(1 for x in gold.get("figures", []) if int(x["line"]) not in skipped)
            metric_gold = sum(1 for x in gold.get("figures", []) if x.get("metric") and int(x["line"]) not in skipped)
            stats["docs"] += 1
            stats["gold"] += n_gold
            doc_id = f"{gdir.parent.name if gdir.name == 'gold' else gdir.name}/{gf.stem}"
            stats["rows"].append({"doc": doc_id, "gold": n_gold, "metric_gold": metric_gold})
            for f, ok, hit in label_figures(figures, gold):
                if ok is None:
                    continue
                X.append(figure_features(f, document.lines[f.line - 1]))
                y.append(ok)
                groups.append(doc_id)
                stats.setdefault("hits", []).append((doc_id, hit is not None,
                                                     bool(hit and hit.get("metric")),
                                                     bool(hit and hit.get("metric") and hit["metric"] == f.metric)))
    stats["digest"] = digest.hexdigest()[:16]
    return X, y, groups, stats


def ece(probs: list[float], ys: list[int], bins: int = 10) -> float:
    buckets: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for p, t in zip(probs, ys, strict=True):
        buckets[min(int(p * bins), bins - 1)].append((p, t))
    n = len(probs)
    return sum(len(b) / n * abs(sum(p for p, _ in b) / len(b) - sum(t for _, t in b) / len(b))
               for b in buckets.values()) if n else float("nan")


def cross_validate(X: list[dict], y: list[int], groups: list[str], stats: dict[str, Any],
                   threshold: float, folds: int = 5) -> dict[str, Any]:
    """Document-grouped CV: out-of-fold confidences, then P/R/ECE after the threshold."""
    from sklearn.model_selection import GroupKFold

    from nlp.figures.confidence import ConfidenceModel

    probs = [0.0] * len(y)
    uniq = sorted(set(groups))
    k = min(folds, len(uniq))
    for tr, te in GroupKFold(n_splits=k).split(X, y, groups):
        ytr = [y[i] for i in tr]
        if len(set(ytr)) < 2:
            for i in te:
                probs[i] = float(sum(ytr) / len(ytr))
            continue
        m = ConfidenceModel().fit([X[i] for i in tr], ytr)
        pos = list(m.classes_).index(1)
        for i, p in zip(te, m.predict_proba([X[i] for i in te]), strict=True):
            probs[i] = float(p[pos])
    hits = stats["hits"]
    kept = [i for i, p in enumerate(probs) if p >= threshold]
    tp = sum(1 for i in kept if hits[i][1])
    fp = len(kept) - tp
    gold = stats["gold"]
    metric_gold = sum(r["metric_gold"] for r in stats["rows"])
    metric_right = sum(1 for i in kept if hits[i][3])
    per_set: dict[str, Any] = {}
    for name in sorted({r["doc"].split("/")[0] for r in stats["rows"]}):
        rows = [r for r in stats["rows"] if r["doc"].split("/")[0] == name]
        docs = {r["doc"] for r in rows}
        k_set = [i for i in kept if groups[i] in docs]
        tp_s = sum(1 for i in k_set if hits[i][1])
        g_s = sum(r["gold"] for r in rows)
        mg_s = sum(r["metric_gold"] for r in rows)
        per_set[name] = {
            "documents": len(docs), "gold": g_s,
            "precision": round(tp_s / len(k_set), 4) if k_set else 0.0,
            "recall": round(tp_s / g_s, 4) if g_s else 0.0,
            "metric_accuracy": round(sum(1 for i in k_set if hits[i][3]) / mg_s, 4) if mg_s else 0.0,
            "ece": round(ece([probs[i] for i in k_set], [y[i] for i in k_set]), 4) if k_set else 0.0,
        }
    return {
        "per_set": per_set,
        "figures": len(y), "kept": len(kept), "gold": gold,
        "precision": round(tp / (tp + fp), 4) if kept else 0.0,
        "recall": round(tp / gold, 4) if gold else 0.0,
        "metric_accuracy": round(metric_right / metric_gold, 4) if metric_gold else 0.0,
        "ece": round(ece([probs[i] for i in kept], [y[i] for i in kept]), 4),
        "ece_all": round(ece(probs, y), 4),
        "folds": k, "documents": len(uniq),
    }


def train_command(out: str | Path | None = None, threshold: float = 0.2) -> dict[str, Any]:
    """Fit on every gold document found, cross-validate, write ``out`` (skops + meta.json)."""
    from nlp.figures.confidence import ConfidenceModel

    out = Path(out) if out is not None else ROOT / "models" / "figures"
    X, y, groups, stats = collect()
    if not y or len(set(y)) < 2:
        raise SystemExit("figures train: no gold documents with both right and wrong figures found")
    cv = cross_validate(X, y, groups, stats, threshold)
    model = ConfidenceModel(threshold=threshold).fit(X, y)
    model.save(out, {
        "labels": ["wrong", "right"],
        "training_data": {"documents": stats["docs"], "figures": len(y), "digest": stats["digest"],
                          "sources": [str(g.relative_to(g.parents[2])) for g, _ in gold_sources()]},
        "command": "nlp train figures --out models/figures  (or: python -m nlp.figures.train models/figures)",
        "cv": {"method": "GroupKFold by document", **cv},
    })
    return cv


if __name__ == "__main__":
    print(json.dumps(train_command(sys.argv[1] if len(sys.argv) > 1 else None), ensure_ascii=False, indent=2))
