"""Word segmentation: our own jieba ``Tokenizer`` with the domain dictionary.

Why our own instance: jieba's module-level default tokenizer is global state that other code
(or other libraries) may load with different words; ours is created lazily, once per process,
and always carries ``resources/userdict.txt`` so that domain terms (三公经费, 预算执行率 …)
come out as one token.
"""
from __future__ import annotations

import logging
import math
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
                    cls = _fast_tokenizer_class()  # imports jieba
                    _silence_jieba()
                    tok = cls()
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


_ENG = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@lru_cache(maxsize=1)
def _fast_tokenizer_class() -> type:
    """A ``jieba.Tokenizer`` whose dictionary-only cut (``HMM=False``) gives jieba's exact words, faster.

    Why: block tagging segments every line, and jieba's pure-Python DAG walk (``get_DAG`` then
    ``calc``, a generator and a ``log`` per candidate word) was a tenth of the whole pipeline. Here
    the DAG and the best route are built in one right-to-left pass over plain lists, with no
    generators; the dictionary is read live (``add_word`` is seen at once) and nothing is kept between
    texts. The arithmetic, candidate order and tie-breaking (the larger end wins) are jieba's, so the
    words are identical. Other modes (HMM, cut_all, paddle) are jieba's own.
    """
    import jieba

    re_han, re_skip = jieba.re_han_default, jieba.re_skip_default

    class FastTokenizer(jieba.Tokenizer):
        def _block_no_hmm(self, sentence: str) -> list[str]:
            freq = self.FREQ
            log = math.log
            logtotal = log(self.total)
            n = len(sentence)
            route_score = [0.0] * (n + 1)
            route_end = [0] * (n + 1)
            get = freq.get
            for idx in range(n - 1, -1, -1):
                best_s = best_x = None
                i = idx
                frag = sentence[idx]
                fq = get(frag)
                while fq is not None:
                    if fq:
                        sc = (log(fq) - logtotal) + route_score[i + 1]
                        if best_s is None or sc >= best_s:  # max over (score, end): ties go to the later end
                            best_s, best_x = sc, i
                    i += 1
                    if i >= n:
                        break
                    frag = sentence[idx:i + 1]
                    fq = get(frag)
                if best_s is None:  # no dictionary word starts here: the character alone
                    sc = (log(get(sentence[idx]) or 1) - logtotal) + route_score[idx + 1]
                    best_s, best_x = sc, idx
                route_score[idx] = best_s
                route_end[idx] = best_x
            out: list[str] = []
            x = 0
            buf = ""
            while x < n:
                y = route_end[x] + 1
                word = sentence[x:y]
                if y - x == 1 and word in _ENG:
                    buf += word
                else:
                    if buf:
                        out.append(buf)
                        buf = ""
                    out.append(word)
                x = y
            if buf:
                out.append(buf)
            return out

        def cut(self, sentence: Any, cut_all: bool = False, HMM: bool = True,  # noqa: N803 - jieba's name
                use_paddle: bool = False) -> Any:
            if cut_all or HMM or use_paddle or not isinstance(sentence, str):
                yield from super().cut(sentence, cut_all=cut_all, HMM=HMM, use_paddle=use_paddle)
                return
            yield from self.dictionary_words(sentence)

        def dictionary_words(self, sentence: str) -> list[str]:
            """``list(cut(sentence, HMM=False))`` built as one list (no generator step per word)."""
            self.check_initialized()
            out: list[str] = []
            extend = out.extend
            seen: dict[str, list[str]] = {}  # runs repeat within a text (units, table headers): cut each once
            han = re_han.match
            for blk in re_han.split(sentence):
                if not blk:
                    continue
                if han(blk):
                    words = seen.get(blk)
                    if words is None:
                        words = seen[blk] = self._block_no_hmm(blk)
                    extend(words)
                else:
                    for x in re_skip.split(blk):
                        if re_skip.match(x):
                            out.append(x)
                        else:
                            extend(x)
            return out

    return FastTokenizer


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
