"""Rebuild ``models/statements/``: the statement confidence model, the boilerplate model and the
background 4-gram table, with document-grouped cross-validated figures in ``meta.json``.

``nlp train statements`` runs this. Training data: the gold folders under ``../shared/gold`` and
``corpora/sample/gold`` (whichever exist).
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from nlp.statements.gold import GoldDoc, default_gold_dirs, gold_blocks, gold_docs, match

SCHEMA_VERSION = 1


def _ece(probs: list[float], ok: list[bool], bins: int = 10) -> float:
    if not probs:
        return float("nan")
    buckets: dict[int, list[tuple[float, bool]]] = {}
    for p, y in zip(probs, ok, strict=True):
        buckets.setdefault(min(int(p * bins), bins - 1), []).append((p, y))
    return sum(len(b) / len(probs) * abs(sum(p for p, _ in b) / len(b) - sum(y for _, y in b) / len(b))
               for b in buckets.values())


def _auroc(scores: list[float], labels: list[bool]) -> float:
    from sklearn.metrics import roc_auc_score

    if len(set(labels)) < 2:
        return float("nan")
    return float(roc_auc_score(labels, scores))


def held_out_section_blocks(docs: list[GoldDoc], n_splits: int = 5) -> dict[str, Any]:
    """Blocks tagged by section models that never saw their document (grouped k-fold).

    Why: the shipped section model was trained on these gold documents, so its blocks here are
    nearly perfect; a report it has never seen gets noisier sections. Statement confidence learned
    on held-out tagging is calibrated for the reports users actually run.
    """
    import numpy as np

    from nlp.sections import apply_proba
    from nlp.sections.train import Example, block_targets, cross_val_predict, default_silver_dirs, load_silver
    from nlp.structure import parse

    examples = []
    for gd in docs:
        blocks = parse(gd.document)
        examples.append(Example(name=gd.name, path=Path(gd.document.doc or gd.name), document=gd.document,
                                blocks=blocks, y=block_targets(blocks, gd.labels), gold_lines=dict(gd.labels)))
    silver = load_silver(default_silver_dirs(), exclude={e.name for e in examples})
    probas = cross_val_predict(examples + silver, n_splits=n_splits)
    out: dict[str, Any] = {}
    for e in examples:
        p = probas.get(e.name)
        if p is not None and len(p) == len(e.blocks):
            apply_proba(e.blocks, np.asarray(p))
            out[e.name] = e.blocks
    return out


def _pipeline_blocks(gd: GoldDoc) -> Any:
    """Blocks as the shipped structure + section stages give them (None when they are unavailable)."""
    try:
        from nlp.sections import load_tagger
        from nlp.structure import parse
    except Exception:  # noqa: BLE001 - other stages may be missing while this one is trained
        return None
    try:
        blocks = parse(gd.document)
        load_tagger(None).tag(gd.document, blocks)
        return blocks
    except Exception:  # noqa: BLE001
        return None


def candidate_rows(docs: list[GoldDoc], use_pipeline: bool = True, tagged: dict[str, Any] | None = None
                   ) -> tuple[list[list[float]], list[int], list[str], list[int], list[dict], list[str]]:
    """Feature rows, labels (matched a gold statement), groups (document), variants, per document the
    number of gold statements, and the wording each candidate's text model reads, for candidates from gold-labelled blocks and from the pipeline's blocks
    (``tagged``: tagged blocks per document name, e.g. held-out tagging; else the shipped tagger's)."""
    from nlp.statements.confidence import matrix, wording
    from nlp.statements.extract import extract_candidates

    X: list[list[float]] = []
    texts: list[str] = []
    y: list[int] = []
    groups: list[str] = []
    variant: list[int] = []
    info: list[dict] = []
    for gd in docs:
        variants = [gold_blocks(gd)]
        if use_pipeline:
            pb = tagged[gd.name] if tagged and gd.name in tagged else _pipeline_blocks(gd)
            if pb is not None:
                variants.append(pb)
        for vi, blocks in enumerate(variants):
            cands, _found = extract_candidates(gd.document, blocks)
            # de-duplicate as extract_statements does
            seen: set[tuple[int, str, str]] = set()
            keep = []
            for c in cands:
                key = (c.span.line, c.type, c.span.text)
                if key not in seen:
                    seen.add(key)
                    keep.append(c)
            preds = [{"line": c.span.line, "type": c.type, "text": c.span.text, "confidence": 1.0 - i * 1e-6, "i": i}
                     for i, c in enumerate(keep)]
            pairs, _wrong, _missed = match(preds, gd.statements)
            hit = {p["i"] for p, _ in pairs}
            rows = matrix(keep)
            X.extend(rows)
            texts.extend(wording(c) for c in keep)
            y.extend(1 if i in hit else 0 for i in range(len(keep)))
            groups.extend([gd.name] * len(keep))
            variant.extend([vi] * len(keep))
            info.append({"doc": gd.name, "variant": vi, "gold": len(gd.statements), "n": len(keep)})
    return X, y, groups, variant, info, texts


def fit_confidence(X: Any, y: Any, groups: Any, weight: Any = None) -> Any:
    """The confidence model fitted on rows grouped by document: its Platt scaling is learned on
    inner folds that keep each document whole, so the scores it calibrates come from documents the
    trees never saw (row-wise inner folds let a report's own sentences vouch for each other)."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    groups = np.asarray(groups)
    k = min(5, len(set(groups.tolist())))
    model = _confidence_model()
    if k >= 2:
        splits = [(tr, te) for tr, te in GroupKFold(n_splits=k).split(X, y, groups) if len(set(y[tr].tolist())) == 2]
        if len(splits) >= 2:
            model.set_params(cv=splits)
    return model.fit(X, y, sample_weight=weight)


def _confidence_model() -> Any:
    """Shallow boosted trees, Platt-scaled: cue words and sources interact (a cue phrase in an
    indicator table means something else than in a problems section)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    hgb = HistGradientBoostingClassifier(max_depth=3, learning_rate=0.05, max_iter=150, min_samples_leaf=10,
                                         random_state=0)
    # Platt scaling on inner folds: with held-out section tagging the trees alone were overconfident
    # (grouped CV ECE of emitted candidates 0.065 -> 0.038; isotonic 0.073)
    # one model, Platt-scaled on its inner out-of-fold scores (ensemble=False: run time pays for one
    # set of trees, not five)
    return CalibratedClassifierCV(hgb, method="sigmoid", cv=5, ensemble=False)


# real reports (../shared gold) are fewer than our written ones but are what users run: their candidates
# count this many times when fitting, so the calibration follows them
REAL_REPORT_WEIGHT = 1.0
GOLD_BLOCK_WEIGHT = 0.0  # weight of candidates from gold-labelled blocks when fitting (0: not fitted on)
# the wording model's share of the score before the monotone map (see confidence.wording_model)
WORDING_WEIGHT = 0.7
CV_REPEATS = 3  # fold shuffles the cross-validated figures and the emit threshold are averaged over


def train_confidence(docs: list[GoldDoc], use_pipeline: bool = True, tagged: dict[str, Any] | None = None
                     ) -> tuple[Any, Any, dict[str, Any]]:
    """Fit the confidence trees and the wording model; CV (grouped by document) gives AUROC, ECE and the F1 per threshold."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    from nlp.statements.confidence import recalibrate, wording_model

    X, y, groups, variant, info, texts = candidate_rows(docs, use_pipeline, tagged)
    Xa, ya = np.asarray(X, dtype=float), np.asarray(y)
    ga = np.asarray(groups)
    n_splits = min(5, len(set(groups)))
    var = np.asarray(variant)
    # run time only ever sees the tagger's sections: candidates from gold sections are cleaner and,
    # weighted equally, made the model overconfident on tagger blocks (grouped CV, 3 shuffles: ECE of
    # emitted tagger-block candidates 0.063 -> 0.049 with weight 0, F1 unchanged within 0.003)
    sw = np.where(var == 0, GOLD_BLOCK_WEIGHT, 1.0) if use_pipeline and (var == 1).any() else np.ones(len(ya))
    fit_rows = sw > 0
    real = {gd.name for gd in docs if gd.group.startswith("gold/")}
    is_real = np.isin(np.asarray(groups), list(real)) if real else np.zeros(len(ya), dtype=bool)
    sw = sw * np.where(is_real, REAL_REPORT_WEIGHT, 1.0)
    gold_total = {v: sum(i["gold"] for i in info if i["variant"] == v) for v in set(variant)}
    # figures on the real reports (../shared gold) alone are kept too: ours are easier (their statements
    # match more often at every confidence), but the real ones are few and one long report dominates them
    real_total = sum(i["gold"] for i in info if i["variant"] == max(variant) and i["doc"] in real)
    run_v = max(variant)
    lab = [bool(v) for v in ya]

    def f1_at(mask: np.ndarray, total: int) -> float:
        tp = int(ya[mask].sum())
        fp = int(mask.sum() - tp)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / total if total else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def held_out(folds: list[tuple[Any, Any]]) -> tuple[Any, Any, Any]:
        """Calibrated, blended and trees-only scores of every candidate from models that never saw its
        document."""
        trees, worded = np.zeros(len(ya)), np.zeros(len(ya))
        for tr, te in folds:
            tr = tr[fit_rows[tr]]
            trees[te] = fit_confidence(Xa[tr], ya[tr], ga[tr], sw[tr]).predict_proba(Xa[te])[:, 1]
            worded[te] = wording_model().fit([texts[i] for i in tr], ya[tr]).predict_proba([texts[i] for i in te])[:, 1]
        blended = (1.0 - WORDING_WEIGHT) * trees + WORDING_WEIGHT * worded
        # a second stage on the held-out blended scores (a sigmoid over their log-odds): the average of two
        # probabilities is not itself calibrated; each fold's scores are mapped by a curve fitted on the
        # other folds only. (An isotonic map here was as good on average over six fold shuffles but
        # varied twice as much between them, and gave many statements the same few values.)
        calibrated = blended.copy()
        for tr, te in folds:
            on = tr[fit_rows[tr]]
            calibrated[te] = recalibrate(blended[te], fit_recalibration(blended[on], ya[on]))
        return calibrated, blended, trees

    # one split of ~100 documents into five folds moves these figures by several points (real-report F1
    # 0.79-0.84, ECE 0.05-0.11 between shuffles): every figure and the threshold are means over shuffles
    thresholds = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75)
    runs = []
    for r in range(CV_REPEATS):
        folds = list(GroupKFold(n_splits=n_splits, shuffle=True, random_state=r).split(Xa, ya, groups))
        runs.append(held_out(folds))
    per_thr: dict[str, dict[str, float]] = {}
    for thr in thresholds:
        rows = []
        for oof, _b, _t in runs:
            row = {"f1_gold_blocks": f1_at((var == 0) & (oof >= thr), gold_total[0])}
            if run_v == 1:
                row["f1_pipeline_blocks"] = f1_at((var == 1) & (oof >= thr), gold_total[1])
            if real_total:
                row["f1_real_reports"] = f1_at((var == run_v) & is_real & (oof >= thr), real_total)
            rows.append(row)
        per_thr[str(thr)] = {k: round(float(np.mean([rw[k] for rw in rows])), 4) for k in rows[0]}
    # run time only sees the tagger's (held-out quality) sections: choose the threshold there
    key = "f1_pipeline_blocks" if run_v == 1 else "f1_gold_blocks"
    # the F1 curve is flat near its top: the threshold whose F1 averaged with its neighbours' is best, so
    # one lucky point does not pick it (taking the lowest threshold within 0.005 of the best chose 0.2,
    # where low-confidence pieces made up a fifth of what was emitted and most were wrong)
    thr = _smoothed_best(per_thr, key)

    def mean_ece(mask_of: Any) -> float:
        vals = []
        for oof, _b, _t in runs:
            m = mask_of(oof)
            vals.append(_ece(oof[m].tolist(), [bool(v) for v in ya[m]]))
        return round(float(np.mean(vals)), 4)

    metrics = {
        "candidates": len(ya), "positives": int(ya.sum()), "cv_repeats": CV_REPEATS,
        "auroc": round(float(np.mean([_auroc(b.tolist(), lab) for _o, b, _t in runs])), 4),
        "auroc_trees_only": round(float(np.mean([_auroc(t.tolist(), lab) for _o, _b, t in runs])), 4),
        "wording_weight": WORDING_WEIGHT,
        "ece_emitted": mean_ece(lambda o: o >= thr),
        "ece_emitted_pipeline_blocks": mean_ece(lambda o: (o >= thr) & (var == 1)),
        "f1_by_threshold": per_thr, "emit_threshold": thr, "threshold_chosen_on": key,
        "ece_emitted_real_reports": mean_ece(lambda o: (o >= thr) & (var == run_v) & is_real),
        "ece_emitted_real_reports_by_repeat": [
            round(_ece(o[m].tolist(), [bool(v) for v in ya[m]]), 4)
            for o, _b, _t in runs for m in [(o >= thr) & (var == run_v) & is_real]],
    }
    # the shipped second stage: fitted on the held-out blended scores of every shuffle together
    recalibration = fit_recalibration(np.concatenate([b[fit_rows] for _o, b, _t in runs]),
                                      np.concatenate([ya[fit_rows]] * len(runs)))
    metrics["recalibration"] = {"method": "sigmoid", "a": round(recalibration[0], 6), "b": round(recalibration[1], 6)}
    model = fit_confidence(Xa[fit_rows], ya[fit_rows], ga[fit_rows], sw[fit_rows])
    text_model = wording_model().fit([t for t, keep in zip(texts, fit_rows, strict=True) if keep], ya[fit_rows])
    return model, text_model, metrics


def fit_recalibration(scores: Any, labels: Any) -> tuple[float, float]:
    """(a, b) of the map p -> 1 / (1 + exp(-(a * logit(p) + b))) fitted to the share found right."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from nlp.statements.confidence import logit

    lr = LogisticRegression(C=1e4).fit(logit(scores)[:, None], np.asarray(labels))
    return float(lr.coef_[0][0]), float(lr.intercept_[0])


# F1 within this of the best counts as the same: the curve is flat around its top, and there the
# higher threshold emits fewer statements a reader would have to discard
THRESHOLD_TOLERANCE = 0.005


def _smoothed_best(per_thr: dict[str, dict[str, float]], key: str, tolerance: float = THRESHOLD_TOLERANCE) -> float:
    """The highest threshold whose three-point moving average of ``key`` is within ``tolerance`` of
    the best one."""
    ts = sorted(per_thr, key=float)
    vals = [per_thr[t][key] for t in ts]
    smooth = [sum(vals[max(0, i - 1): i + 2]) / len(vals[max(0, i - 1): i + 2]) for i in range(len(vals))]
    best = max(smooth)
    return max(float(t) for t, v in zip(ts, smooth, strict=True) if v >= best - tolerance)


def boilerplate_rows(docs: list[GoldDoc], bg: tuple[dict[int, int], int]) -> tuple[list[list[float]], list[int], list[str]]:
    from nlp.statements.boilerplate import CorpusCounts, features, grams
    from nlp.statements.dedupe import normalise

    X, y, groups = [], [], []
    by_group: dict[str, list[GoldDoc]] = {}
    for gd in docs:
        by_group.setdefault(gd.group, []).append(gd)
    for gds in by_group.values():
        corpus = CorpusCounts({gd.name: [s["text"] for s in gd.statements] for gd in gds})
        for gd in gds:
            own: set[str] = set()
            for line in gd.document.lines:
                own |= grams(normalise(line))
            for s in gd.statements:
                if "boilerplate" not in s:
                    continue
                X.append(features(s["text"], s["type"], gd.name, corpus, bg, exclude_own=own))
                y.append(int(bool(s["boilerplate"])))
                groups.append(gd.name)
    return X, y, groups


def _boilerplate_model() -> Any:
    """Shallow gradient boosting over commonness, specificity and kind-of-finding features.

    Grouped-CV AUROC 0.898 against 0.891 for the earlier random forest (depth 2-4, rate 0.05-0.1: a
    plateau at 0.896-0.899).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_depth=3, learning_rate=0.05, max_iter=200, random_state=0)


def _text_model() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=10.0, max_iter=3000)


def train_boilerplate(docs: list[GoldDoc], bg: tuple[dict[int, int], int]) -> tuple[Any, Any, dict[str, Any]]:
    """The feature forest and the wording model, blended; CV grouped by document."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    from nlp.statements.boilerplate import TEXT_WEIGHT, text_vectorizer

    X, y, groups = boilerplate_rows(docs, bg)
    texts = [s["text"] for gd in docs for s in gd.statements if "boilerplate" in s]
    Xa, ya = np.asarray(X, dtype=float), np.asarray(y)
    H = text_vectorizer().transform(texts)
    oof = np.zeros(len(ya))
    oof_f = np.zeros(len(ya))
    for tr, te in GroupKFold(n_splits=min(5, len(set(groups)))).split(Xa, ya, groups):
        if len(set(ya[tr])) < 2:
            oof[te] = oof_f[te] = ya[tr].mean()
            continue
        pf = _boilerplate_model().fit(Xa[tr], ya[tr]).predict_proba(Xa[te])[:, 1]
        pt = _text_model().fit(H[tr], ya[tr]).predict_proba(H[te])[:, 1]
        oof_f[te] = pf
        oof[te] = (1 - TEXT_WEIGHT) * pf + TEXT_WEIGHT * pt
    lab = [bool(v) for v in ya]
    metrics = {"statements": len(ya), "boilerplate": int(ya.sum()),
               "auroc": round(_auroc(oof.tolist(), lab), 4), "ece": round(_ece(oof.tolist(), lab), 4),
               "auroc_features_only": round(_auroc(oof_f.tolist(), lab), 4), "text_weight": TEXT_WEIGHT}
    return _boilerplate_model().fit(Xa, ya), _text_model().fit(H, ya), metrics


def _background_texts() -> list[str]:
    """Every readable document of the known collections (their whole text, one string each)."""
    from nlp.statements.gold import REPO, SHARED

    texts = []
    for folder in (SHARED / "seeds", SHARED / "corpus", REPO / "corpora" / "sample" / "txt"):
        if folder.is_dir():
            for f in sorted(folder.rglob("*")):
                if f.suffix.lower() in (".txt", ".md") and f.is_file():
                    texts.append(f.read_bytes().decode("utf-8", errors="replace"))
    return texts


def train_command(out: Path = Path("models/statements"), use_pipeline: bool = True) -> dict[str, Any]:
    """Train everything and write the model folder."""
    import skops.io as sio

    from nlp.statements.boilerplate import FEATURES as BP_FEATURES
    from nlp.statements.boilerplate import build_background
    from nlp.statements.confidence import FEATURE_NAMES

    t0 = time.time()
    dirs = default_gold_dirs()
    docs = gold_docs(dirs)
    if not docs:
        sys.exit("train statements: no gold folders found")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    bg_data = build_background(_background_texts())
    (out / "background.json").write_text(json.dumps(bg_data, separators=(",", ":")), encoding="utf-8")
    bg = ({int(k, 16): int(v) for k, v in bg_data["df"].items()}, int(bg_data["docs"]))
    # the confidence model must not see a stale model while its candidates are built
    tagged: dict[str, Any] = {}
    if use_pipeline:
        try:
            tagged = held_out_section_blocks(docs)
        except Exception as exc:  # noqa: BLE001 - no section trainer: fall back to the shipped tagger
            print(f"train statements: held-out sections unavailable ({exc}); using the shipped tagger",
                  file=sys.stderr)
    conf_model, wording, conf_metrics = train_confidence(docs, use_pipeline, tagged)
    conf_metrics["pipeline_blocks"] = "held-out section tagging (grouped 5-fold)"
    bp_model, bp_text, bp_metrics = train_boilerplate(docs, bg)
    sio.dump(conf_model, str(out / "confidence.skops"))
    sio.dump(wording, str(out / "confidence_wording.skops"))
    sio.dump(bp_model, str(out / "boilerplate.skops"))
    sio.dump(bp_text, str(out / "boilerplate_text.skops"))
    digest = hashlib.sha256()
    for gd in docs:
        digest.update(gd.name.encode())
        digest.update(json.dumps(gd.statements, ensure_ascii=False, sort_keys=True).encode())
    meta = {
        "schema_version": SCHEMA_VERSION,
        "labels": ["problem", "measure"],
        "classes": [0, 1],
        "features": list(FEATURE_NAMES),
        "emit_threshold": conf_metrics["emit_threshold"],
        "wording_weight": WORDING_WEIGHT,
        "recalibration": conf_metrics.pop("recalibration"),
        "training_data": {"gold_dirs": [str(g) for g, _ in dirs], "documents": len(docs),
                          "sha256": digest.hexdigest()},
        "command": "nlp train statements --out " + str(out),
        "cv": {"confidence": conf_metrics, "boilerplate": bp_metrics, "scheme": "GroupKFold by document, 5 folds"},
        "boilerplate": {"features": list(BP_FEATURES), "background_docs": bg_data["docs"],
                        "background_grams": len(bg_data["df"]), "k": bg_data["k"]},
        "seconds": round(time.time() - t0, 1),
    }
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    _clear_caches()
    print(json.dumps(meta["cv"], ensure_ascii=False, indent=1))
    return meta


def _clear_caches() -> None:
    from nlp.statements import boilerplate, confidence

    confidence.load_model.cache_clear()
    confidence.load_wording_model.cache_clear()
    boilerplate.load_model.cache_clear()
    boilerplate.load_text_model.cache_clear()
    boilerplate.background.cache_clear()
