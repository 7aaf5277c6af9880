"""Training data for the section tagger (gold + silver), cross-validation and ``nlp train sections``.

Gold: ``*.json`` files with per-line labels (``ANNOTATION.md``); the first label of a line is
the target, the others are accepted when scoring. Silver: reports without gold, labelled only
where the nearest heading names its section confidently (``keywords.heading_label``); they
weigh less. Evaluation is grouped by document: a document is never scored by a model that saw it.
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import nlp
from nlp.document import SECTION_LABELS, Block, Document
from nlp.errors import ModelError

REPO = Path(nlp.__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared"
SAMPLE = REPO / "corpora" / "sample"
TRAIN = REPO / "corpora" / "train"  # our own reports written for training only (never scored by default)
SILVER_WEIGHT = 0.3


@dataclass
class Example:
    """One document with its blocks and (where known) per-block targets and accepted labels."""

    name: str
    path: Path
    document: Document
    blocks: list[Block]
    y: np.ndarray  # target label index per block, -1 where unlabelled
    gold_lines: dict[int, list[str]] = field(default_factory=dict)  # empty for silver
    weight: float = 1.0
    scored: bool = True  # False: gold used for training only (never a held-out test document)

    @property
    def is_gold(self) -> bool:
        return bool(self.gold_lines) and self.scored


def default_gold_dirs() -> list[Path]:
    """Shared gold (seeds, corpus) when present, our sample corpus's gold and our training set's."""
    out = [SHARED / "gold" / "seeds", SHARED / "gold" / "corpus", SAMPLE / "gold", TRAIN / "gold"]
    return [p.resolve() for p in out if p.is_dir()]


def extra_gold_dirs(exclude: list[Path]) -> list[Path]:
    """Default gold folders not among ``exclude``: extra training data, never scored."""
    ex = {Path(p).resolve() for p in exclude}
    return [g for g in default_gold_dirs() if g not in ex]


def load_training_extra(gold_dirs: list[Path]) -> list[Example]:
    """Gold of the default folders the evaluation does not score, as training-only examples."""
    extra = load_gold(extra_gold_dirs(gold_dirs))
    for e in extra:
        e.scored = False
    return extra


def default_silver_dirs() -> list[Path]:
    out = [SHARED / "seeds", SHARED / "corpus", SAMPLE / "txt"]
    return [p.resolve() for p in out if p.is_dir()]


def docs_dir_for(gold_dir: Path) -> Path | None:
    """Where a gold folder's documents live: ``gold/NAME`` ↔ ``NAME``, ``X/gold`` ↔ ``X/txt``."""
    gold_dir = Path(gold_dir)
    for cand in (gold_dir.parent.parent / gold_dir.name, gold_dir.parent / "txt", gold_dir.parent / "docs",
                 gold_dir.parent):
        if cand.is_dir() and any(cand.glob("*.txt")):
            return cand
    return None


def gold_files(gold_dir: Path) -> list[Path]:
    return [f for f in sorted(Path(gold_dir).glob("*.json")) if f.name != "themes.json"]


def _read(path: Path) -> Document:
    from nlp.read import read

    return read(path, doc=str(path))


def block_targets(blocks: list[Block], lines: dict[int, list[str]]) -> np.ndarray:
    """The target label of each block: the first label of its first labelled line (-1: none)."""
    y = np.full(len(blocks), -1, dtype=int)
    for i, b in enumerate(blocks):
        for ln in range(b.line_start, b.line_end + 1):
            labs = lines.get(ln)
            if labs:
                y[i] = SECTION_LABELS.index(labs[0])
                break
    return y


def parse_gold_lines(raw: dict[str, Any]) -> dict[int, list[str]]:
    out = {}
    for k, v in raw.items():
        labs = v if isinstance(v, list) else [v]
        labs = [x for x in labs if x in SECTION_LABELS]
        if labs:
            out[int(k)] = labs
    return out


def load_gold(gold_dirs: list[Path], docs_dirs: list[Path] | None = None) -> list[Example]:
    """Gold examples; ``docs_dirs`` pairs with ``gold_dirs`` (else found beside them)."""
    from nlp.structure import parse

    out = []
    for i, gd in enumerate(gold_dirs):
        dd = Path(docs_dirs[i]) if docs_dirs and i < len(docs_dirs) else docs_dir_for(gd)
        if dd is None:
            raise ModelError(str(gd), "cannot find the documents of this gold folder (pass --docs)")
        for gf in gold_files(gd):
            g = json.loads(gf.read_text(encoding="utf-8"))
            doc_path = dd / Path(g.get("doc", gf.stem + ".txt")).name
            if not doc_path.exists():
                cands = sorted(dd.glob(gf.stem + ".*"))
                if not cands:
                    print(f"nlp: {gf}: document {doc_path} not found, skipped", file=sys.stderr)
                    continue
                doc_path = cands[0]
            document = _read(doc_path)
            blocks = parse(document)
            lines = parse_gold_lines(g.get("lines", {}))
            out.append(Example(name=doc_path.stem, path=doc_path, document=document, blocks=blocks,
                               y=block_targets(blocks, lines), gold_lines=lines, weight=1.0))
    return out


def silver_labels(blocks: list[Block]) -> np.ndarray:
    """Labels read off headings: a block takes the label its nearest heading names, if any."""
    from nlp.sections.keywords import heading_label

    y = np.full(len(blocks), -1, dtype=int)
    for i, b in enumerate(blocks):
        text = b.text if b.kind == "heading" else (b.heading_path[-1] if b.heading_path else None)
        if text is None:
            continue
        lab = heading_label(text)
        if lab is not None:
            y[i] = SECTION_LABELS.index(lab)
    return y


def load_silver(dirs: list[Path], exclude: set[str]) -> list[Example]:
    from nlp.read import iter_paths
    from nlp.structure import parse

    out = []
    for p in iter_paths([str(d) for d in dirs]):
        path = Path(p)
        if path.stem in exclude or path.suffix.lower() not in (".txt", ".md"):
            continue
        try:
            document = _read(path)
        except Exception:  # noqa: BLE001 - a broken silver file is just skipped
            continue
        blocks = parse(document)
        y = silver_labels(blocks)
        if (y >= 0).sum() >= 5:
            out.append(Example(name=path.stem, path=path, document=document, blocks=blocks, y=y,
                               weight=SILVER_WEIGHT))
    return out


def data_digest(examples: list[Example], gold_dirs: list[Path]) -> str:
    """sha256 over the gold files and documents used (names and bytes, in order)."""
    h = hashlib.sha256()
    for gd in gold_dirs:
        for gf in gold_files(gd):
            h.update(gf.name.encode())
            h.update(gf.read_bytes())
    for ex in sorted(examples, key=lambda e: str(e.path)):
        h.update(ex.path.name.encode())
        h.update(ex.path.read_bytes())
    return h.hexdigest()


# -- cross-validation ---------------------------------------------------------------------------
def cross_val_predict(examples: list[Example], n_splits: int | None = 5, params: dict[str, Any] | None = None,
                      feats: list[Any] | None = None, verbose: bool = False) -> dict[str, np.ndarray]:
    """Held-out probabilities for every gold document (grouped k-fold; ``None`` = leave-one-out).

    Silver documents are always in the training side.
    """
    from nlp.sections.features import featurise
    from nlp.sections.model import SklearnSectionTagger

    if feats is None:
        feats = [featurise(e.document, e.blocks) for e in examples]
    gold_idx = [i for i, e in enumerate(examples) if e.is_gold]
    silver_idx = [i for i, e in enumerate(examples) if not e.is_gold]
    k = len(gold_idx) if n_splits is None else min(n_splits, len(gold_idx))
    if k < 2:
        raise ModelError(None, "cross-validation needs at least two gold documents")
    rng = np.random.default_rng(0)
    order = list(rng.permutation(gold_idx))
    folds = [order[f::k] for f in range(k)]
    out: dict[str, np.ndarray] = {}
    for fi, test in enumerate(folds):
        t0 = time.time()
        train = [i for i in gold_idx if i not in set(test)] + silver_idx
        model = SklearnSectionTagger(**(params or {}))
        model.fit([(examples[i].document, examples[i].blocks) for i in train], [examples[i].y for i in train],
                  sample_weight=[examples[i].weight for i in train], feats=[feats[i] for i in train])
        for i in test:
            out[examples[i].name] = model.proba_from_features(feats[i], examples[i].blocks)
        if verbose:
            print(f"  fold {fi + 1}/{k}: {time.time() - t0:.1f}s", file=sys.stderr)
    return out


def cv_metrics(examples: list[Example], probas: dict[str, np.ndarray]) -> dict[str, Any]:
    from nlp.evaluate import score_blocks

    docs = []
    for e in examples:
        if e.is_gold and e.name in probas:
            p = probas[e.name]
            preds = [(b.line_start, b.line_end, SECTION_LABELS[int(np.argmax(row))], float(np.max(row)))
                     for b, row in zip(e.blocks, p, strict=True)]
            docs.append((e.gold_lines, preds))
    return score_blocks(docs)


def train_command(gold_dirs: list[Path] | None = None, out: Path = Path("models/sections"),
                  backend: str = "sklearn", base_model: Path | None = None, epochs: int = 3,
                  n_splits: int | None = 5) -> dict[str, Any]:
    """``nlp train sections``: load data, cross-validate, fit on everything, save with meta.json."""
    if backend != "sklearn":
        try:
            from nlp.integrations.transformers_backend import train_command as tf_train  # type: ignore
        except ImportError as exc:
            raise ModelError(str(out), f"backend {backend!r} is not available: {exc}") from exc
        return tf_train(gold_dirs=gold_dirs, out=out, base_model=base_model, epochs=epochs)
    from nlp.sections.features import featurise
    from nlp.sections.model import SklearnSectionTagger

    t0 = time.time()
    gdirs = [Path(g).resolve() for g in gold_dirs] if gold_dirs else default_gold_dirs()
    if not gdirs:
        raise ModelError(None, "no gold folders found (pass --gold)")
    gold = load_gold(gdirs)
    silver = load_silver(default_silver_dirs(), exclude={e.name for e in gold})
    examples = gold + silver
    print(f"nlp: {len(gold)} gold and {len(silver)} silver documents", file=sys.stderr)
    feats = [featurise(e.document, e.blocks) for e in examples]
    params: dict[str, Any] = {}
    metrics: dict[str, Any] = {}
    if len(gold) >= 2:
        probas = cross_val_predict(examples, n_splits=n_splits, params=params, feats=feats, verbose=True)
        metrics = cv_metrics(examples, probas)
        metrics["protocol"] = f"grouped {n_splits}-fold by document" if n_splits else "leave-one-document-out"
        # the same held-out predictions, per gold folder (real reports vs the ones we wrote)
        metrics["by_gold_dir"] = {
            _rel(g): {k: v for k, v in cv_metrics([e for e in examples if e.path.resolve().parent == d],
                                                  probas).items() if k != "per_label"}
            for g in gdirs if (d := (docs_dir_for(g) or g).resolve()) is not None}
        print(f"nlp: cv accuracy {metrics['accuracy']} core macro-F1 {metrics['core_macro_f1']} "
              f"ECE {metrics['ece']}", file=sys.stderr)
    model = SklearnSectionTagger(**params).fit(
        [(e.document, e.blocks) for e in examples], [e.y for e in examples],
        sample_weight=[e.weight for e in examples], feats=feats)
    cmd = "nlp train sections" + "".join(f" --gold {g}" for g in (gold_dirs or [])) + \
        (f" --out {out}" if str(out) != "models/sections" else "")
    meta = {
        "rebuild": cmd,
        "training_data": {
            "gold_documents": len(gold), "silver_documents": len(silver),
            "gold_dirs": [_rel(g) for g in gdirs],
            "sha256": data_digest(examples, gdirs),
            "silver_weight": SILVER_WEIGHT,
        },
        "params": {**model.__dict__.get("params", {}), "n_features": model.n_features, "c1": model.c1,
                   "c2": model.c2, "temperature": round(model.temperature_, 4)},
        "cv_metrics": metrics,
        "trained_seconds": round(time.time() - t0, 1),
    }
    model.save(out, meta)
    print(f"nlp: saved section model to {out}", file=sys.stderr)
    return meta


def _rel(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(REPO.parent.resolve()))
    except ValueError:
        return str(p)
