"""Word segmentation: our own jieba ``Tokenizer`` with the domain dictionary.

Why our own instance: jieba's module-level default tokenizer is global state that other code
(or other libraries) may load with different words; ours is created lazily, once per process,
and always carries ``resources/userdict.txt`` so that domain terms (三公经费, 预算执行率 …)
come out as one token.
"""
from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

USERDICT = Path(__file__).parent / "resources" / "userdict.txt"


def _silence_jieba() -> None:
    """jieba logs 'Building prefix dict…' to stderr at DEBUG; keep the CLI's stderr clean."""
    logging.getLogger("jieba").setLevel(logging.ERROR)


class Segmenter:
    """A jieba tokenizer with the shipped domain dictionary, loaded on first use.

    ``userdict`` may name another dictionary file (jieba's format: ``word [freq] [tag]``).
    """

    def __init__(self, userdict: str | Path | None = USERDICT, hmm: bool = True) -> None:
        self.userdict = userdict
        self.hmm = hmm
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    @property
    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    _silence_jieba()
                    import jieba

                    _silence_jieba()
                    tok = jieba.Tokenizer()
                    tok.initialize()
                    if self.userdict is not None and Path(self.userdict).exists():
                        tok.load_userdict(str(self.userdict))
                    self._tokenizer = tok
        return self._tokenizer

    def cut(self, text: str) -> list[str]:
        """Words of ``text`` (whitespace tokens dropped)."""
        return [w for w in self.tokenizer.cut(text, HMM=self.hmm) if w.strip()]

    def words(self) -> list[str]:
        """The domain terms the shipped dictionary adds."""
        return domain_terms(self.userdict)


def domain_terms(path: str | Path | None = USERDICT) -> list[str]:
    """Words listed in a jieba user dictionary file."""
    if path is None or not Path(path).exists():
        return []
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line:
            out.append(line.split()[0])
    return out


@lru_cache(maxsize=1)
def get_segmenter() -> Segmenter:
    """The process-wide segmenter (one jieba dictionary load per process)."""
    return Segmenter()
