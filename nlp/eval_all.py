"""``nlp eval``: every accuracy figure the README quotes, measured on the gold files at hand.

The gold under ``../shared/gold/`` (seeds and corpus) is used when it is beside the checkout;
our own ``corpora/sample/gold`` always. Figures are those of the shipped models run over the gold
documents; the cross-validated figures each model measured at training time (never scoring a
document it was trained on) are printed beside them from its ``meta.json``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MODELS = ROOT / "models"


def gold_sets() -> list[tuple[str, Path, Path]]:
    """(name, gold folder, documents folder) for every gold set present."""
    sets = []
    if (SHARED / "gold" / "seeds").is_dir() and (SHARED / "seeds").is_dir():
        sets.append(("seeds", SHARED / "gold" / "seeds", SHARED / "seeds"))
    if (SHARED / "gold" / "corpus").is_dir() and (SHARED / "corpus").is_dir():
        sets.append(("corpus", SHARED / "gold" / "corpus", SHARED / "corpus"))
    sample = ROOT / "corpora" / "sample"
    if (sample / "gold").is_dir():
        sets.append(("sample", sample / "gold", sample / "txt"))
    return sets


def load_gold(folder: Path) -> tuple[dict[str, dict], dict | None]:
    gold = {}
    for f in sorted(folder.glob("*.json")):
        if f.name != "themes.json":
            g = json.loads(f.read_text(encoding="utf-8"))
            gold[Path(g["doc"]).stem] = g
    themes = folder / "themes.json"
    return gold, (json.loads(themes.read_text(encoding="utf-8")) if themes.exists() else None)


def evaluate_set(gold_dir: Path, docs_dir: Path) -> dict[str, Any]:
    """Run the whole pipeline over the gold documents of one set and score every stage."""
    from nlp import scoring
    from nlp.brief import build_brief
    from nlp.errors import NlpError
    from nlp.pipeline import Pipeline, link_reports

    gold, themes = load_gold(gold_dir)
    files = [f for f in sorted(docs_dir.iterdir()) if f.is_file() and f.stem in gold]
    pipeline = Pipeline()
    reports = []
    for f in files:
        try:
            reports.append(pipeline(f, doc=str(f)))
        except NlpError:
            continue
    link_reports(reports)
    sections = [b.to_dict(r.doc) for r in reports for b in r.blocks]
    figures = [fig.to_dict(r.doc) for r in reports for fig in r.figures]
    facts = [r.facts_dict() for r in reports]
    statements = [s.to_dict() for r in reports for s in r.statements]
    brief = build_brief(reports).to_dict()
    lines_of = {Path(r.doc).stem: r.document.lines for r in reports}
    return {
        "documents": len(files),
        "sections": scoring.score_sections(gold, sections),
        "figures": scoring.score_figures(gold, figures),
        "facts": scoring.score_facts(gold, facts),
        "statements": scoring.score_statements(gold, statements, themes),
        "brief": scoring.score_brief(brief, lines_of),
    }


def model_figures() -> dict[str, Any]:
    """The cross-validated figures each shipped model recorded in its meta.json."""
    out = {}
    for meta in sorted(MODELS.glob("*/meta.json")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        figs = next((data[k] for k in ("metrics", "cv_metrics", "cross_validated", "cv") if data.get(k)), {})
        out[meta.parent.name] = _scalars(figs)
    return out


def _scalars(figs: dict[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """The numbers of a (possibly nested) metrics dict, keys joined with dots; per-label tables left out."""
    flat: dict[str, Any] = {}
    for key, value in figs.items():
        if isinstance(value, dict) and depth < 1 and key not in ("per_label", "per_set", "f1_by_threshold"):
            flat.update(_scalars(value, f"{prefix}{key}.", depth + 1))
        elif isinstance(value, (int, float, str)) and not isinstance(value, bool):
            flat[f"{prefix}{key}"] = value
    return flat


HEADLINE = {
    "sections": ("accuracy", "core_macro_f1", "ece", "uncovered_lines", "mixed_blocks"),
    "figures": ("p", "r", "metric_accuracy", "ece"),
    "facts": ("f1", "ece"),
    "statements": ("f1", "ece", "boilerplate_auroc", "themes_bcubed_f1"),
    "brief": ("traceable",),
}


def eval_all() -> dict[str, Any]:
    return {"sets": {name: evaluate_set(g, d) for name, g, d in gold_sets()}, "cross_validated": model_figures()}


def render(result: dict[str, Any]) -> str:
    rows = []
    for name, res in result["sets"].items():
        rows.append(f"== {name} ({res['documents']} documents; shipped models)")
        for stage, keys in HEADLINE.items():
            vals = "  ".join(f"{k} {res[stage].get(k)}" for k in keys if k in res[stage])
            rows.append(f"  {stage:<11} {vals}")
    rows.append("== cross-validated at training time (models/*/meta.json)")
    for model, figs in result["cross_validated"].items():
        flat = {k: v for k, v in figs.items() if isinstance(v, (int, float, str))}
        rows.append(f"  {model:<11} " + "  ".join(f"{k} {v}" for k, v in flat.items()))
    return "\n".join(rows)


def eval_all_cli(output: Path | None) -> None:
    from nlp.output import write_text_atomic

    result = eval_all()
    print(render(result))
    line = json.dumps(result, ensure_ascii=False, default=str)
    if output is not None:
        write_text_atomic(output, line + "\n")
    print(line)
