"""Rebuild the facts confidence model: ``nlp train facts [--out models/facts]``.

Runs the pipeline (up to figures) over every gold document under ``GOLD_ROOT`` (default
``../shared``: gold/seeds with seeds/, gold/corpus with corpus/), reads each chosen fact's
competition features, labels it right or wrong against the gold facts (the scorer's own
equality, as ``nlp.scoring`` implements it), measures calibration by document-grouped
cross-validation, then fits on everything and saves ``model.skops`` + ``meta.json``.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "models" / "facts"
SETS = (("gold/seeds", "seeds"), ("gold/corpus", "corpus"))
# our own sample corpus (repo-relative): more documents, written apart from the rules' tuning
OWN_SETS = ((REPO / "corpora/sample/gold", REPO / "corpora/sample/txt"),)


def ece(p: np.ndarray, y: np.ndarray) -> float:
    from nlp.scoring import calibration_error

    return float(calibration_error(list(zip(p.tolist(), (y > 0).tolist(), strict=True))))


def rows(root: Path) -> tuple[list[list[float]], list[int], list[str], list[str], str]:
    from nlp.facts import HeuristicConfidence, extract_facts, feature_vector
    from nlp.pipeline import Pipeline
    from nlp.scoring import fact_matches as fact_equal

    pipe = Pipeline(stages=("structure", "sections", "figures"))
    X: list[list[float]] = []
    y: list[int] = []
    groups: list[str] = []
    keys: list[str] = []
    digest = hashlib.sha256()
    sets = [(root / g, root / d) for g, d in SETS if (root / g).is_dir()] + [(g, d) for g, d in OWN_SETS if g.is_dir()]
    for gold_dir, doc_dir in sets:
        for gf in sorted(gold_dir.glob("*.json")):
            if gf.name == "themes.json":
                continue
            gold = json.loads(gf.read_text(encoding="utf-8"))
            path = doc_dir / Path(gold["doc"]).name
            if not path.exists():
                continue
            digest.update(gf.read_bytes())
            digest.update(path.read_bytes())
            report = pipe(path)
            found = extract_facts(report.document, report.blocks, report.figures, model=HeuristicConfidence())
            values: dict[str, object] = {k: f.value for k, f in found.facts.items()}
            if found.department:
                values["department"] = found.department
            if found.year:
                values["year"] = found.year
            for key, value in values.items():
                ok = key in gold["facts"] and fact_equal(key, value, gold["facts"][key])
                X.append(feature_vector(key, found.features.get(key, {})))
                y.append(int(ok))
                groups.append(gold["doc"])
                keys.append(key)
    return X, y, groups, keys, digest.hexdigest()


def train_command(out: Path = DEFAULT_OUT, root: Path | None = None) -> dict:
    """``nlp train facts``: cross-validate, fit on every gold fact, save to ``out``."""
    from sklearn.metrics import brier_score_loss, roc_auc_score
    from sklearn.model_selection import GroupKFold

    from nlp.facts import FEATURES, KEY_GROUPS, FactConfidence

    root = Path(root) if root is not None else REPO.parent / "shared"
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    X_, y_, groups, keys, digest = rows(root)
    X, y = np.asarray(X_), np.asarray(y_)
    oof = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=5).split(X, y, groups):
        model = FactConfidence(C=1.0).fit(X[train], y[train])
        oof[test] = model.predict_proba(X[test])[:, 1]
    cv = {
        "folds": 5, "grouping": "document", "facts": len(y), "documents": len(set(groups)),
        "accuracy_of_chosen_facts": round(float(y.mean()), 4),
        "ece": round(ece(oof, y), 4),
        "brier": round(float(brier_score_loss(y, oof)), 4),
        "auroc": round(float(roc_auc_score(y, oof)), 4) if 0 < y.sum() < len(y) else None,
    }
    model = FactConfidence(C=1.0).fit(X, y)
    import skops.io as sio

    sio.dump(model, out / "model.skops")
    meta = {
        "schema_version": 1,
        "name": "facts-confidence",
        "estimator": "nlp.facts.FactConfidence (sklearn LogisticRegression, C=1.0)",
        "classes": [0, 1],
        "label": "1 = the chosen fact equals the gold fact (scorer's equality); 0 = wrong or not stated",
        "features": list(FEATURES) + [f"group={g}" for g in KEY_GROUPS],
        "training_data": {"root": "../shared (gold/seeds+seeds, gold/corpus+corpus) and corpora/sample (gold+txt)",
                          "sha256": digest,
                          "facts": len(y), "documents": len(set(groups))},
        "rebuild": "nlp train facts",
        "cross_validated": cv,
    }
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(cv, ensure_ascii=False), file=sys.stderr)
    return meta
