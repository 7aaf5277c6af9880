"""Section classification with a local transformers encoder checkpoint (optional backend).

Nothing is downloaded: ``base_model`` is a folder the user has (``bert-base-chinese`` saved
with ``save_pretrained``). Fine-tuning and prediction follow scikit-learn's contract so the
section tagger can use this estimator where it uses its linear model. The saved artefact is the
same folder layout as every model of ours: weights (safetensors, written by transformers) plus
``meta.json`` (written by the caller) in one folder.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.document import SECTION_LABELS
from nlp.errors import ModelError


def _torch() -> Any:
    try:
        import torch
        from transformers.utils import logging as hf_logging
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ModelError("transformers backend", "torch and transformers are not installed",
                         "pip install 'nlp[transformers]'") from exc
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    return torch


class TransformersSectionClassifier:
    """Fine-tune a sequence-classification head on (heading context, block text) pairs."""

    def __init__(self, base_model: str | Path, epochs: int = 3, learning_rate: float = 5e-5,
                 batch_size: int = 16, max_length: int = 128, seed: int = 0,
                 labels: Sequence[str] = SECTION_LABELS) -> None:
        self.base_model = base_model
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_length = max_length
        self.seed = seed
        self.labels = labels

    # -- estimator contract --------------------------------------------------------------------
    def fit(self, contexts: Sequence[str], texts: Sequence[str], y: Sequence[str]) -> TransformersSectionClassifier:
        torch = _torch()
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        path = Path(self.base_model)
        if not path.is_dir():
            raise ModelError(str(path), "no local checkpoint folder here", "pass --model PATH to a saved encoder")
        torch.manual_seed(self.seed)
        self.classes_ = list(self.labels)
        index = {c: i for i, c in enumerate(self.classes_)}
        self.tokenizer_ = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model_ = AutoModelForSequenceClassification.from_pretrained(
            path, num_labels=len(self.classes_), local_files_only=True,
            id2label=dict(enumerate(self.classes_)), label2id=index, ignore_mismatched_sizes=True)
        targets = torch.tensor([index[label] for label in y])
        optimiser = torch.optim.AdamW(self.model_.parameters(), lr=self.learning_rate)
        self.model_.train()
        n = len(texts)
        generator = torch.Generator().manual_seed(self.seed)
        self.loss_history_: list[float] = []
        for _ in range(self.epochs):
            order = torch.randperm(n, generator=generator).tolist()
            for start in range(0, n, self.batch_size):
                batch = order[start:start + self.batch_size]
                enc = self._encode([contexts[i] for i in batch], [texts[i] for i in batch])
                out = self.model_(**enc, labels=targets[batch])
                out.loss.backward()
                optimiser.step()
                optimiser.zero_grad()
                self.loss_history_.append(float(out.loss.detach()))
        self.model_.eval()
        return self

    def predict_proba(self, contexts: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        torch = _torch()
        self._check_fitted()
        rows = []
        with torch.no_grad():
            chunk = max(self.batch_size, 32)
            for start in range(0, len(texts), chunk):
                enc = self._encode(contexts[start:start + chunk], texts[start:start + chunk])
                logits = self.model_(**enc).logits
                rows.append(torch.softmax(logits, dim=-1).cpu().numpy())
        if not rows:
            return np.zeros((0, len(self.classes_)))
        return np.vstack(rows)

    def predict(self, contexts: Sequence[str], texts: Sequence[str]) -> list[str]:
        proba = self.predict_proba(contexts, texts)
        return [self.classes_[i] for i in proba.argmax(axis=1)]

    # -- persistence ---------------------------------------------------------------------------
    def save(self, folder: str | Path) -> None:
        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.model_.save_pretrained(folder / "encoder")
        self.tokenizer_.save_pretrained(folder / "encoder")
        params = {"epochs": self.epochs, "learning_rate": self.learning_rate, "batch_size": self.batch_size,
                  "max_length": self.max_length, "seed": self.seed, "classes": self.classes_,
                  "base_model": str(self.base_model)}
        (folder / "transformers.json").write_text(json.dumps(params, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path) -> TransformersSectionClassifier:
        _torch()
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        folder = Path(folder)
        try:
            params = json.loads((folder / "transformers.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(str(folder), f"not a transformers section model ({exc})") from exc
        est = cls(base_model=params["base_model"], epochs=params["epochs"],
                  learning_rate=params["learning_rate"], batch_size=params["batch_size"],
                  max_length=params["max_length"], seed=params["seed"], labels=params["classes"])
        est.classes_ = list(params["classes"])
        est.tokenizer_ = AutoTokenizer.from_pretrained(folder / "encoder", local_files_only=True)
        est.model_ = AutoModelForSequenceClassification.from_pretrained(folder / "encoder", local_files_only=True)
        est.model_.eval()
        return est

    # -- helpers -------------------------------------------------------------------------------
    def _encode(self, contexts: Sequence[str], texts: Sequence[str]) -> Any:
        return self.tokenizer_(list(contexts), list(texts), truncation=True, max_length=self.max_length,
                               padding=True, return_tensors="pt")

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise ModelError("transformers backend", "the classifier is not fitted", "call fit() or load()")


def make_tiny_bert(folder: str | Path, texts: Sequence[str], hidden_size: int = 32, seed: int = 0) -> Path:
    """Write a tiny randomly initialised BERT checkpoint with a character vocabulary (for tests/demos)."""
    torch = _torch()
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    chars = sorted({ch for t in texts for ch in t if not ch.isspace()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=False,
                                  tokenize_chinese_chars=True)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(vocab), hidden_size=hidden_size, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=hidden_size * 2, max_position_embeddings=256)
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
