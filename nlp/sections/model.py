"""The scikit-learn section tagger: a linear model per block, stacked with a sequence model.

Stage 1: a linear SVM (one-vs-rest) over hashed named features (``features.py``) of each block.
Stage 2: logistic regression over stage-1 probabilities of the block, its neighbours, windows
of 9, 25 and 61 blocks, its heading and its table region (sections come in runs);
trained on out-of-fold stage-1 probabilities so it learns how far stage 1 can be trusted.
Later rounds (``rounds``, default 3) repeat stage 2 over the previous round's out-of-fold output
(stacked sequential learning): a block then sees how its neighbours were finally judged, which
settles runs such as a problems cell inside a long indicator table (grouped CV: accuracy
0.900 -> 0.914, core macro-F1 0.862 -> 0.889 with three rounds; a fifth round grew unstable).
Stage 2 is the calibration step: a multinomial logistic regression fitted on out-of-fold
stage-1 output maps scores to probabilities that hold on unseen reports (measured ECE ≈ 0.01
in grouped CV). Optional temperature scaling on out-of-fold stage-2 scores (``calibrate=True``)
is kept for other feature sets; here it over-softened (the inner out-of-fold scores are noisier
than the final model's).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from nlp.artefacts import load_skops, skops_io
from nlp.document import BLOCK_KINDS, SECTION_LABELS, Block, Document
from nlp.errors import ModelError
from nlp.sections import SCHEMA_VERSION, apply_proba
from nlp.sections.features import DocFeatures, featurise, window_features, window_sum

N_LABELS = len(SECTION_LABELS)
WEIGHTS_FILE = "model.skops"


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _scores_to_proba(s: np.ndarray) -> np.ndarray:
    """Margin scores of stage 1 as a distribution (a fixed soft-max; stage 2 recalibrates)."""
    return _softmax(2.0 * s)


def _full_columns(est: Any, mat: np.ndarray, fill: float) -> np.ndarray:
    """Columns of ``mat`` (ordered by ``est.classes_``) spread over all labels."""
    out = np.full((mat.shape[0], N_LABELS), fill, dtype=float)
    out[:, np.asarray(est.classes_, dtype=int)] = mat
    return out


def context_features(p1: np.ndarray, df: DocFeatures, blocks: list[Block]) -> np.ndarray:
    """Second-stage inputs: stage-1 probabilities around each block (dense, small)."""
    n = p1.shape[0]
    if n == 0:
        return np.zeros((0, 0))
    st = _static_context(df, blocks, n)
    padded = np.zeros((n + 4, N_LABELS))
    padded[2 : n + 2] = p1
    csum = np.zeros((n + 1, N_LABELS))
    np.cumsum(p1, axis=0, out=csum[1:])
    windows = [(csum[hi] - csum[lo]) * inv for lo, hi, inv in st["windows"]]
    head_p = p1[st["head"]] * st["has_head"]
    # (the mean over the whole run under the nearest heading was dropped: a long flattened table under
    # one title spread its problem cells' scores over every cell; grouped CV slightly better without)
    cell_p = p1[st["cell"]] * st["has_cell"]
    logp = np.log(np.clip(p1, 1e-4, 1.0))
    return np.hstack([logp, padded[1 : n + 1], padded[3 : n + 3], padded[0:n], padded[4 : n + 4], *windows,
                      head_p, st["has_head"], cell_p, st["tail"]])


def _static_context(df: DocFeatures, blocks: list[Block], n: int) -> dict[str, np.ndarray]:
    """The second-stage inputs that do not depend on the probabilities, built once per document
    (every stacking round reuses them)."""
    got = df.context_cache.get("static")
    if got is not None and got["n"] == n:
        return got
    idx = np.arange(n)
    head = np.asarray(df.heading_of)
    has_head = (head >= 0).astype(float)[:, None]
    cell = np.asarray(df.cell_head if df.cell_head else [-1] * n)
    has_cell = (cell >= 0).astype(float)[:, None]
    pos = (idx / max(n - 1, 1))[:, None]
    kinds = np.zeros((n, len(BLOCK_KINDS)))
    for i, b in enumerate(blocks):
        kinds[i, BLOCK_KINDS.index(b.kind)] = 1.0
    onehots = []
    for seq in (df.kw_head, df.kw_cell, df.kw_self):
        oh = np.zeros((n, N_LABELS))
        if seq:
            arr = np.asarray(seq)
            rows = np.nonzero(arr >= 0)[0]
            oh[rows, arr[rows]] = 1.0
        onehots.append(oh)
    # cue words of the block and its neighbourhood (runs of problem / measure sentences)
    cues = np.array([[f.get("cue:prob", 0.0), f.get("cue:meas", 0.0), f.get("cue:fut", 0.0), f.get("negshort", 0.0)]
                     for f in df.feats]) if df.feats else np.zeros((n, 4))
    ccum = np.vstack([np.zeros((1, cues.shape[1])), np.cumsum(cues, axis=0)])
    lo, hi = np.clip(idx - 3, 0, n), np.clip(idx + 4, 0, n)
    cue_win = (ccum[hi] - ccum[lo]) / (hi - lo)[:, None]
    windows = []  # (first, past-last, 1/size) of the 4-, 12- and 30-block windows around each block
    for half in (4, 12, 30):
        lo, hi = np.clip(idx - half, 0, n), np.clip(idx + half + 1, 0, n)
        windows.append((lo, hi, (1.0 / (hi - lo))[:, None]))
    got = {"n": n, "head": np.clip(head, 0, None), "has_head": has_head, "cell": np.clip(cell, 0, None),
           "has_cell": has_cell, "windows": windows,
           "tail": np.hstack([has_cell, pos, pos**2, kinds, *onehots, cues, cue_win])}
    df.context_cache["static"] = got
    return got


class SklearnSectionTagger:
    """Two-stage linear tagger; scikit-learn conventions (params in ``__init__``, ``fit`` returns self).

    ``fit(X, y, sample_weight)``: ``X`` is a list of ``(document, blocks)``, ``y`` a list of
    integer label arrays (``-1`` for blocks without a label), ``sample_weight`` one weight per
    document (silver documents weigh less than gold ones).
    """

    backend = "sklearn"

    def __init__(self, n_features: int = 2**16, c1: float = 0.1, c2: float = 0.2, inner_folds: int = 5,
                 class_weight: str | None = None, calibrate: bool = False, random_state: int = 0,
                 rounds: int = 3) -> None:
        self.n_features = n_features
        self.c1 = c1
        self.c2 = c2
        self.inner_folds = inner_folds
        self.class_weight = class_weight
        self.calibrate = calibrate
        self.random_state = random_state
        self.rounds = rounds

    # -- featurising --------------------------------------------------------------------------
    def _hasher(self) -> Any:
        from sklearn.feature_extraction import FeatureHasher

        return FeatureHasher(n_features=self.n_features, input_type="dict", alternate_sign=False)

    def _cached_hasher(self) -> Any:
        h = self.__dict__.get("_hasher_cache")
        if h is None:
            h = self.__dict__["_hasher_cache"] = self._hasher()
        return h

    def _hash_rows(self, rows: list[dict[str, float]]) -> Any:
        """``FeatureHasher.transform(rows)`` as an unsorted CSR matrix (duplicates are summed by the
        product that follows). scikit-learn's hashing kernel is called directly when it is importable:
        the public transform's generators and index sort were a third of the tagging time."""
        try:
            from sklearn.feature_extraction._hashing_fast import transform as hashing_kernel
        except ImportError:  # another scikit-learn layout: the public path gives the same matrix
            return self._cached_hasher().transform(rows)
        import scipy.sparse as sp

        indices, indptr, values = hashing_kernel((r.items() for r in rows), self.n_features, np.float64, False, 0)
        return sp.csr_matrix((values, indices, indptr), shape=(len(indptr) - 1, self.n_features))

    def _stage1_weights(self) -> np.ndarray:
        """Stage 1's coefficients as a C-ordered float64 features × labels array, made once per fitted
        model (the stored float32 rows were converted on every product)."""
        coef = self.stage1_.coef_
        got = self.__dict__.get("_stage1_weights_cache")
        if got is None or got[0] is not coef:  # refitted, or cast to float32 by ``save``
            got = self.__dict__["_stage1_weights_cache"] = (coef, np.ascontiguousarray(coef.T, dtype=np.float64))
        return got[1]

    def _stage1(self) -> Any:
        from sklearn.svm import LinearSVC

        # liblinear one-vs-rest: two orders of magnitude faster than lbfgs here; stage 2 turns
        # its scores into calibrated probabilities
        return LinearSVC(C=self.c1, class_weight=self.class_weight, random_state=self.random_state)

    def _stage2(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.c2, max_iter=1000, class_weight=self.class_weight)

    # -- training -----------------------------------------------------------------------------
    def fit(self, X: list[tuple[Document, list[Block]]], y: list[np.ndarray],
            sample_weight: list[float] | None = None, feats: list[DocFeatures] | None = None
            ) -> SklearnSectionTagger:
        """Fit both stages and the temperature. ``feats`` may pass precomputed features."""
        from threadpoolctl import threadpool_limits

        # one BLAS thread: these problems are small, and threads only fight each other
        with threadpool_limits(1):
            return self._fit(X, y, sample_weight, feats)

    def _fit(self, X: list[tuple[Document, list[Block]]], y: list[np.ndarray],
             sample_weight: list[float] | None, feats: list[DocFeatures] | None) -> SklearnSectionTagger:
        from scipy import sparse
        from sklearn.model_selection import GroupKFold

        if feats is None:
            feats = [featurise(d, b) for d, b in X]
        weights = sample_weight if sample_weight is not None else [1.0] * len(X)
        hasher = self._hasher()
        mats = [f.matrix(hasher) for f in feats]
        ys = [np.asarray(v, dtype=int) for v in y]
        doc_ids = np.concatenate([np.full(len(v), i) for i, v in enumerate(ys)])
        Xall = sparse.vstack(mats).tocsr()
        yall = np.concatenate(ys)
        wall = np.concatenate([np.full(len(v), weights[i]) for i, v in enumerate(ys)])
        lab = yall >= 0

        # out-of-fold stage-1 probabilities for every block of every document
        p1_oof = np.zeros((Xall.shape[0], N_LABELS))
        folds = min(self.inner_folds, len(X))
        gkf = GroupKFold(n_splits=folds)
        for tr, te in gkf.split(Xall, groups=doc_ids):
            trl = tr[lab[tr]]
            m = self._stage1().fit(Xall[trl], yall[trl], sample_weight=wall[trl])
            p1_oof[te] = _scores_to_proba(_full_columns(m, m.decision_function(Xall[te]), -5.0))
        self.stage1_ = self._stage1().fit(Xall[lab], yall[lab], sample_weight=wall[lab])

        # stage 2 over out-of-fold context
        Z = np.vstack([context_features(p1_oof[doc_ids == i], feats[i], X[i][1]) for i in range(len(X))])
        z_oof = np.zeros((Z.shape[0], N_LABELS))
        for tr, te in gkf.split(Z, groups=doc_ids):
            trl = tr[lab[tr]]
            m2 = self._stage2().fit(Z[trl], yall[trl], sample_weight=wall[trl])
            z_oof[te] = _full_columns(m2, m2.decision_function(Z[te]), -30.0)
        self.stage2_ = self._stage2().fit(Z[lab], yall[lab], sample_weight=wall[lab])

        # further rounds: the same context features over the previous round's out-of-fold output, so
        # a block also sees how its neighbours were finally judged (stacked sequential learning)
        self.later_ = []
        for _ in range(max(0, self.rounds - 1)):
            p_prev = _softmax(z_oof)
            Z = np.vstack([context_features(p_prev[doc_ids == i], feats[i], X[i][1]) for i in range(len(X))])
            z_next = np.zeros_like(z_oof)
            for tr, te in gkf.split(Z, groups=doc_ids):
                trl = tr[lab[tr]]
                m3 = self._stage2().fit(Z[trl], yall[trl], sample_weight=wall[trl])
                z_next[te] = _full_columns(m3, m3.decision_function(Z[te]), -30.0)
            self.later_.append(self._stage2().fit(Z[lab], yall[lab], sample_weight=wall[lab]))
            z_oof = z_next

        # temperature on gold-weighted out-of-fold scores
        gold = lab & (wall >= 1.0)
        self.temperature_ = fit_temperature(z_oof[gold], yall[gold]) if gold.any() and self.calibrate else 1.0
        # contents entries, glossaries and chart debris are `other` whatever section they name (the
        # annotation guide's rules); how often each held in the gold, smoothed toward the rule, is the confidence it gives
        other = SECTION_LABELS.index("other")
        self.rule_other_ = {}
        for name in sorted({k for f in feats for k in f.rules}):
            flags = np.concatenate([np.asarray(f.rules.get(name) or [False] * len(v), dtype=bool)
                                    for f, v in zip(feats, ys, strict=True)])
            sel = flags & gold
            self.rule_other_[name] = (float((yall[sel] == other).sum()) + 2.0) / (float(sel.sum()) + 3.0)
        self.labels_ = list(SECTION_LABELS)
        return self

    # -- inference ----------------------------------------------------------------------------
    def _check(self) -> None:
        if not hasattr(self, "stage1_"):
            raise ModelError(None, "the section tagger is not fitted")

    def stage1_proba(self, feats: DocFeatures) -> np.ndarray:
        self._check()
        if not feats.feats:
            return np.zeros((0, N_LABELS))
        return _scores_to_proba(_full_columns(self.stage1_, self.stage1_scores(feats), -5.0))

    def stage1_scores(self, feats: DocFeatures) -> np.ndarray:
        """Stage-1 margins, as ``decision_function(feats.matrix(hasher))`` but with the window words
        summed in score space: hash every block's features and own words in one call, then the window
        is a running sum over n × labels scores instead of a sparse n × n product."""
        n = len(feats.feats)
        X = self._hash_rows(feats.feats + feats.window_counts())
        z = np.asarray(X @ self._stage1_weights())
        scores = z[:n] + window_sum(z[n:], feats.words) + self.stage1_.intercept_
        return scores if scores.shape[1] > 1 else np.column_stack([np.zeros(n), scores.ravel()])

    def proba_from_features(self, feats: DocFeatures, blocks: list[Block]) -> np.ndarray:
        if not blocks:
            return np.zeros((0, N_LABELS))
        p1 = self.stage1_proba(feats)
        Z = context_features(p1, feats, blocks)
        z = _full_columns(self.stage2_, _linear(self.stage2_, Z), -30.0)
        for est in getattr(self, "later_", ()):
            Z = context_features(_softmax(z), feats, blocks)
            z = _full_columns(est, _linear(est, Z), -30.0)
        p = _softmax(z / self.temperature_)
        return self._apply_rules(p, feats)

    def _apply_rules(self, p: np.ndarray, feats: DocFeatures) -> np.ndarray:
        """Blocks a rule marks as `other` get the rule's training rate on `other`, the rest shared as
        the model had it (a block marked by several rules takes the surest)."""
        rates = getattr(self, "rule_other_", None)
        if not rates:
            return p
        best = np.zeros(len(p))
        for name, rate in rates.items():
            flags = feats.rules.get(name)
            if flags and any(flags):
                best = np.maximum(best, np.where(np.asarray(flags, dtype=bool), rate, 0.0))
        rows = np.flatnonzero(best > 0.5)  # a rule that held less than half the time is not applied
        if len(rows):
            r = best[rows, None]
            p[rows] *= 1.0 - r
            p[rows, SECTION_LABELS.index("other")] += r[:, 0]
        return p

    def predict_proba(self, document: Document, blocks: list[Block]) -> np.ndarray:
        """n_blocks × 7 probabilities, columns in ``SECTION_LABELS`` order."""
        self._check()
        return self.proba_from_features(featurise(document, blocks), blocks)

    def predict(self, document: Document, blocks: list[Block]) -> list[str]:
        return [SECTION_LABELS[k] for k in self.predict_proba(document, blocks).argmax(axis=1)]

    def tag(self, document: Document, blocks: list[Block]) -> None:
        apply_proba(blocks, self.predict_proba(document, blocks))

    def explain(self, document: Document, blocks: list[Block], top: int = 6) -> list[dict[str, Any]]:
        """Per block: the features whose stage-1 weights pushed most towards its label."""
        self._check()
        feats = featurise(document, blocks)
        if not blocks:
            return []
        if not blocks[0].scores:
            self.tag(document, blocks)
        hasher = self._hasher()
        coef = self.stage1_.coef_
        classes = [int(c) for c in self.stage1_.classes_]
        out = []
        for i, (b, f) in enumerate(zip(blocks, feats.feats, strict=True)):
            f = {**f, **window_features(feats.words, i)}
            k = SECTION_LABELS.index(b.section)
            names = [n for n in f if n != "bias"]
            row: dict[str, Any] = {"label": b.section, "confidence": round(float(b.confidence), 4), "cues": []}
            rules = [name for name, flags in feats.rules.items()
                     if flags[i] and getattr(self, "rule_other_", {}).get(name, 0.0) > 0.5]
            if rules:  # the guide's `other` rules decided this block, not the weights below
                row["rules"] = rules
            if names and k in classes:
                idx = hasher.transform([{n: 1.0} for n in names]).indices
                w = coef[classes.index(k), idx] * np.array([f[n] for n in names])
                order = np.argsort(-w)[:top]
                row["cues"] = [{"feature": names[j], "weight": round(float(w[j]), 4)} for j in order if w[j] > 0]
            out.append(row)
        return out

    # -- persistence --------------------------------------------------------------------------
    def save(self, path: str | Path, meta: dict[str, Any] | None = None) -> None:
        """Weights with skops (float32 to stay small) and ``meta.json`` beside them."""
        import zipfile

        dump = skops_io().dump
        self._check()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        s1 = self.stage1_
        s1.coef_ = s1.coef_.astype(np.float32)
        state = {
            "params": {"n_features": self.n_features, "c1": self.c1, "c2": self.c2,
                       "inner_folds": self.inner_folds, "class_weight": self.class_weight, "calibrate": self.calibrate,
                       "random_state": self.random_state, "rounds": self.rounds},
            "stage1": s1, "stage2": self.stage2_, "later": list(getattr(self, "later_", [])),
            "temperature": float(self.temperature_),
            "rule_other": dict(getattr(self, "rule_other_", {})),
        }
        tmp = path / (WEIGHTS_FILE + ".tmp")
        dump(state, tmp, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        tmp.replace(path / WEIGHTS_FILE)
        full = {"schema_version": SCHEMA_VERSION, "backend": self.backend, "labels": list(SECTION_LABELS),
                "weights": WEIGHTS_FILE, **(meta or {})}
        tmpm = path / "meta.json.tmp"
        tmpm.write_text(json.dumps(full, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        tmpm.replace(path / "meta.json")

    @classmethod
    def load(cls, path: str | Path) -> SklearnSectionTagger:
        path = Path(path)
        meta_file, weights = path / "meta.json", path / WEIGHTS_FILE
        if not weights.exists() or not meta_file.exists():
            raise ModelError(str(path), "section model weights or meta.json missing")
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise ModelError(str(path), f"section model schema {meta.get('schema_version')!r}, "
                             f"expected {SCHEMA_VERSION}")
        if list(meta.get("labels", [])) != list(SECTION_LABELS):
            raise ModelError(str(path), "section model labels differ from this version's labels")
        state = load_skops(weights)
        model = cls(**state["params"])
        model.stage1_ = state["stage1"]
        model.stage2_ = state["stage2"]
        model.later_ = list(state.get("later", []))
        model.temperature_ = float(state["temperature"])
        model.rule_other_ = {str(k): float(v) for k, v in state.get("rule_other", {}).items()}
        model.labels_ = list(SECTION_LABELS)
        model.meta_ = meta
        return model


def _linear(est: Any, X: Any) -> np.ndarray:
    """``est.decision_function(X)`` without scikit-learn's per-call validation (hot path)."""
    z = np.asarray(X @ est.coef_.T) + est.intercept_
    return z if z.ndim == 2 and z.shape[1] > 1 else np.column_stack([np.zeros(z.size), z.ravel()])


def fit_temperature(z: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the log-loss of ``softmax(z / T)`` (a 1-D search)."""
    from scipy.optimize import minimize_scalar

    def nll(log_t: float) -> float:
        p = _softmax(z / np.exp(log_t))
        return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0))))

    res = minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(res.x))
