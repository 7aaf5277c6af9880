"""The transformers backend of the section tagger: training command and tagger.

``nlp train sections --backend transformers --model PATH`` fine-tunes the local encoder
checkpoint at PATH on the same gold (and silver) blocks as the scikit-learn tagger, measures it on
held-out documents, and saves the usual artefact: a folder with ``meta.json``
(``"backend": "transformers"``) beside the weights. ``load_tagger`` dispatches on that field.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from nlp.document import SECTION_LABELS, Block, Document
from nlp.errors import ModelError

SCHEMA_VERSION = 1
HELD_OUT_SHARE = 0.2


def block_inputs(blocks: list[Block]) -> tuple[list[str], list[str]]:
    """(context, text) pairs: the heading path (innermost last) and the block's own text."""
    contexts = [" / ".join(b.heading_path[-3:]) + f" [{b.kind}]" for b in blocks]
    return contexts, [b.text for b in blocks]


class TransformersTagger:
    """A fine-tuned encoder behind the section tagger's interface."""

    def __init__(self, classifier: Any) -> None:
        self.classifier = classifier

    @classmethod
    def load(cls, path: str | Path) -> TransformersTagger:
        from nlp.integrations.transformers_sections import TransformersSectionClassifier

        return cls(TransformersSectionClassifier.load(path))

    def predict_proba(self, document: Document, blocks: list[Block]) -> np.ndarray:
        if not blocks:
            return np.zeros((0, len(SECTION_LABELS)))
        contexts, texts = block_inputs(blocks)
        proba = self.classifier.predict_proba(contexts, texts)
        order = [self.classifier.classes_.index(label) for label in SECTION_LABELS]
        return proba[:, order]

    def tag(self, document: Document, blocks: list[Block]) -> None:
        from nlp.sections import apply_proba

        apply_proba(blocks, self.predict_proba(document, blocks))

    def explain(self, document: Document, blocks: list[Block]) -> list[dict[str, Any]]:
        """An encoder has no coefficients to show: report the context it read."""
        contexts, _ = block_inputs(blocks)
        return [{"label": b.section, "cues": [{"feature": "context:" + c, "weight": None}]}
                for b, c in zip(blocks, contexts, strict=True)]


def _rows(examples: list[Any]) -> tuple[list[str], list[str], list[str], list[str]]:
    contexts, texts, labels, names = [], [], [], []
    for ex in examples:
        ctx, txt = block_inputs(ex.blocks)
        for c, t, y in zip(ctx, txt, ex.y, strict=True):
            if y >= 0:
                contexts.append(c)
                texts.append(t)
                labels.append(SECTION_LABELS[int(y)])
                names.append(ex.name)
    return contexts, texts, labels, names


def train_command(gold_dirs: list[Path] | None, out: Path, base_model: Path | None, epochs: int = 3,
                  learning_rate: float = 5e-5, batch_size: int = 16, include_silver: bool = True) -> dict[str, Any]:
    """Fine-tune, score on held-out gold documents, refit on everything, save with meta.json."""
    from nlp.integrations.transformers_sections import TransformersSectionClassifier
    from nlp.sections.train import data_digest, default_gold_dirs, default_silver_dirs, load_gold, load_silver

    if base_model is None:
        raise ModelError(str(out), "the transformers backend needs --model PATH (a local encoder checkpoint)")
    t0 = time.time()
    gdirs = [Path(g).resolve() for g in gold_dirs] if gold_dirs else default_gold_dirs()
    gold = load_gold(gdirs)
    silver = load_silver(default_silver_dirs(), exclude={e.name for e in gold}) if include_silver else []
    if not gold:
        raise ModelError(None, "no gold documents found (pass --gold)")
    params = {"epochs": epochs, "learning_rate": learning_rate, "batch_size": batch_size}

    metrics: dict[str, Any] = {}
    rng = np.random.default_rng(0)
    names = sorted(e.name for e in gold if e.is_gold)
    held = set(rng.permutation(names)[: max(1, int(len(names) * HELD_OUT_SHARE))]) if len(names) >= 2 else set()
    if held:
        train = [e for e in gold + silver if e.name not in held]
        ctx, txt, y, _ = _rows(train)
        est = TransformersSectionClassifier(base_model, **params).fit(ctx, txt, y)
        test = [e for e in gold if e.name in held]
        from nlp.scoring import calibration_error

        right = total = 0
        pairs = []
        for ex in test:
            proba = TransformersTagger(est).predict_proba(ex.document, ex.blocks)
            for block, row in zip(ex.blocks, proba, strict=True):
                said = SECTION_LABELS[int(row.argmax())]
                for ln in range(block.line_start, block.line_end + 1):
                    if ln in ex.gold_lines:
                        ok = said in ex.gold_lines[ln]
                        right += ok
                        total += 1
                        pairs.append((float(row.max()), ok))
        metrics = {"protocol": f"held-out {len(held)} of {len(names)} gold documents",
                   "accuracy": round(right / total, 4) if total else None,
                   "ece": round(calibration_error(pairs), 4) if pairs else None, "lines": total}
        print(f"nlp: held-out line accuracy {metrics['accuracy']} ECE {metrics['ece']}", file=sys.stderr)
    ctx, txt, y, _ = _rows(gold + silver)
    est = TransformersSectionClassifier(base_model, **params).fit(ctx, txt, y)
    out = Path(out)
    est.save(out)
    meta = {
        "schema_version": SCHEMA_VERSION,
        "backend": "transformers",
        "labels": list(SECTION_LABELS),
        "base_model": str(base_model),
        "rebuild": f"nlp train sections --backend transformers --model {base_model} --out {out} --epochs {epochs}",
        "training_data": {"gold_documents": len(gold), "silver_documents": len(silver),
                          "sha256": data_digest(gold + silver, gdirs)},
        "params": params,
        "cv_metrics": metrics,
        "trained_seconds": round(time.time() - t0, 1),
    }
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"nlp: saved transformers section model to {out}", file=sys.stderr)
    return meta
