"""Gold files for training and evaluating the statement stages (I/O lives here, not in the stages).

A gold folder holds one JSON per document (``lines`` with section labels, ``statements``) and a
``themes.json``. Blocks are rebuilt from the gold line labels (one block per non-empty line) so
that extraction can be judged apart from the structure and section stages.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.document import Block, Document

SHARED = Path(__file__).resolve().parents[3] / "shared"
REPO = Path(__file__).resolve().parents[2]


@dataclass(slots=True)
class GoldDoc:
    """One gold document with its text."""

    name: str  # the document's stem
    group: str  # the gold folder it came from (for grouped CV)
    document: Document
    labels: dict[int, list[str]]
    statements: list[dict[str, Any]]
    themes: dict[tuple[int, str], list[tuple[str, str]]] = field(default_factory=dict)


def default_gold_dirs() -> list[tuple[Path, Path]]:
    """(gold folder, documents folder) pairs that exist here."""
    pairs = [
        (SHARED / "gold" / "seeds", SHARED / "seeds"),
        (SHARED / "gold" / "corpus", SHARED / "corpus"),
        (REPO / "corpora" / "sample" / "gold", REPO / "corpora" / "sample" / "txt"),
        (REPO / "corpora" / "train" / "gold", REPO / "corpora" / "train" / "txt"),  # training-only reports
    ]
    out = []
    for g, d in pairs:
        if g.is_dir() and any(g.glob("*.json")):
            if not d.is_dir():
                cands = sorted((p for p in g.parent.iterdir() if p.is_dir() and p != g),
                               key=lambda p: (p.name not in ("txt", "docs", "text"), p.name))
                d = cands[0] if cands else d
            out.append((g, d))
    return out


def _find_doc(docs: Path, name: str) -> Path | None:
    p = docs / name
    if p.exists():
        return p
    stem = Path(name).stem
    for q in docs.rglob(stem + ".*"):
        if q.suffix.lower() in (".txt", ".md"):
            return q
    return None


def load_gold_dir(gold: Path, docs: Path) -> Iterator[GoldDoc]:
    """Gold documents whose text can be read (plain text only)."""
    theme_of: dict[tuple[str, int, str], list[tuple[str, str]]] = defaultdict(list)
    tfile = gold / "themes.json"
    if tfile.exists():
        t = json.loads(tfile.read_text(encoding="utf-8"))
        for kind in ("problems", "measures"):
            for i, th in enumerate(t.get(kind, [])):
                for m in th.get("members", []):
                    text = m[2] if len(m) > 2 else ""
                    theme_of[(Path(m[0]).stem, int(m[1]), kind[:-1])].append((text, f"{gold.name}:{kind}:{i}"))
    for f in sorted(gold.glob("*.json")):
        if f.name == "themes.json":
            continue
        g = json.loads(f.read_text(encoding="utf-8"))
        path = _find_doc(docs, g["doc"])
        if path is None:
            continue
        text = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        name = Path(g["doc"]).stem
        document = Document(doc=name, lines=text.split("\n"))
        labels = {int(k): (v if isinstance(v, list) else [v]) for k, v in g.get("lines", {}).items()}
        themes = {k[1:]: v for k, v in theme_of.items() if k[0] == name}
        group = f"{gold.parent.name}/{gold.name}"  # gold/seeds, sample/gold, train/gold: one per set
        yield GoldDoc(name, group, document, labels, list(g.get("statements", [])), themes)


def gold_docs(dirs: list[tuple[Path, Path]] | None = None) -> list[GoldDoc]:
    out: list[GoldDoc] = []
    for g, d in dirs or default_gold_dirs():
        out.extend(load_gold_dir(g, d))
    return out


def gold_blocks(gd: GoldDoc) -> list[Block]:
    """One block per non-empty line, section = the gold's first label (confidence 1)."""
    blocks = []
    for i, line in enumerate(gd.document.lines, 1):
        if not line.strip():
            continue
        lab = gd.labels.get(i, ["other"])
        kind = "table_row" if line.startswith("\t") else "paragraph"
        blocks.append(Block(index=len(blocks), kind=kind, line_start=i, line_end=i, text=line.strip(),
                            section=lab[0], confidence=1.0 if len(lab) == 1 else 0.6))
    return blocks


# -- the scorer's matching rule (as documented in ../shared/tools/score.py, re-implemented) --------

def _bigrams(s: str) -> set[str]:
    s = "".join(ch for ch in s if not ch.isspace())
    return {s[i:i + 2] for i in range(len(s) - 1)} or {s}


def overlap(a: str, b: str) -> float:
    """Bigram overlap coefficient of two texts."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def match(preds: list[dict[str, Any]], gold: list[dict[str, Any]], tol: int = 2, thr: float = 0.6
          ) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Greedy one-to-one matching by confidence: same type, line within ``tol``, overlap >= ``thr``."""
    left = list(gold)
    pairs, wrong = [], []
    for p in sorted(preds, key=lambda p: -float(p.get("confidence", 1.0))):
        best, best_s = None, 0.0
        for x in left:
            if x["type"] != p["type"] or abs(int(x["line"]) - int(p["line"])) > tol:
                continue
            s = overlap(p["text"], x["text"])
            if s > best_s:
                best, best_s = x, s
        if best is not None and best_s >= thr:
            left.remove(best)
            pairs.append((p, best))
        else:
            wrong.append(p)
    return pairs, wrong, left
