"""Boilerplate: how generic and interchangeable a statement is, in [0, 1].

Two kinds of evidence, combined by a logistic model trained on the gold ``boilerplate`` flags:

* commonness (Lang & Stice-Lawrence style): the share of the statement's character 4-grams that
  many reports also use — counted over the input corpus, and over a shipped background table of
  generic 4-gram document frequencies (hashed 4-grams and counts only, no text) so that a run on a
  single report still gets sensible scores;
* specificity: figures, dates, named projects in 《》 or “”, place and unit names, stated causes
  (由于/因), which make a statement particular to its report;
* kind of finding: the statement's family (:func:`nlp.statements.themes.family`) — the usual
  self-assessment families (预算执行, 指标设置, 预算编制, 绩效意识 …) are where stock wording lives,
  whereas audit-style findings (挪用, 超比例, 未取得许可, named units such as 个别学校) are particular.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.document import Report
from nlp.statements.dedupe import normalise

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "statements"
K = 4
_DIGIT = re.compile(r"\d")
_DATE = re.compile(r"\d{2,4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日")
_NAMED = re.compile(r"(?<!《)《[^》]{2,}》|(?<!“)“[^”]{2,}”|\"[^\"]{2,}\"|(?<!「)「[^」]{2,}」")  # guards: linear on runs
_PLACE = re.compile(r"[\u4e00-\u9fa5]{2,4}(?:省|市|县|区|镇|乡|村|街道)|[\u4e00-\u9fa5]{2,8}(?:局|委|中心|学校|医院|卫生院|公司)")
_PLACE_END = re.compile("[省市县区镇乡村街局委中学医卫公]")  # the first character of every suffix of _PLACE
_CAUSE = re.compile(r"由于|因为|因受|原因是|原因为|导致|造成|致使")
_GENERIC = re.compile(r"进一步|加强|完善|提高|提升|有待|不够|不足|意识|机制|制度|水平|规范|管理|绩效|建设|"
                      r"强化|健全|落实|科学|合理|精细化|认识|能力|不强|不高|不到位")
_IRREGULAR = re.compile(r"挪用|挤占|套取|截留|偿还|未取得|少发|多发|超比例|超标准|超范围|未清理|未按规定|未按合同|违规|"
                        r"虚列|重复")
_UNITS = re.compile(r"(?:个别|有的|部分|(?<!\d)\d+\s*(?:所|个|家))(?:学校|医院|卫生院|乡镇|村|单位|幼儿园|企业|社区)")
# families whose findings are mostly the stock self-assessment kind (the rest are audit-style or one-off)
GENERIC_FAMILIES = frozenset({"indicators", "budget_prep", "awareness", "control", "execution", "payment",
                              "monitoring", "data", "service", "evaluation", "fund_mgmt"})
_EVENT = re.compile(r"新增|突发|疫情|暴雨|洪|地震|换届|搬迁|调整|追加|审计|巡察|整改|专项|工程|项目名称")

FEATURES: tuple[str, ...] = (
    "bg_share", "bg_mean", "corpus_share", "corpus_reports", "log_len", "digits", "dates", "named",
    "places", "cause", "generic", "event", "is_problem", "family_generic", "family_other", "irregular",
    "named_units",
)


def grams(norm: str, k: int = K) -> set[str]:
    return {norm[i:i + k] for i in range(len(norm) - k + 1)} if len(norm) >= k else ({norm} if norm else set())


# an empty 8-byte BLAKE2b state: copying it is cheaper than building one from its parameters per gram
_BLAKE8 = hashlib.blake2b(digest_size=8)


def hash_gram(g: str) -> int:
    h = _BLAKE8.copy()
    h.update(g.encode("utf-8"))
    return int.from_bytes(h.digest(), "little") >> 1


@lru_cache(maxsize=2)
def background(path: str | None = None) -> tuple[dict[int, int], int]:
    """The shipped table: hashed 4-gram -> number of documents, and the number of documents."""
    folder = Path(path) if path else MODEL_DIR
    f = folder / "background.json"
    if not f.exists():
        return {}, 0
    data = json.loads(f.read_text(encoding="utf-8"))
    return {int(k, 16): int(v) for k, v in data["df"].items()}, int(data["docs"])


def build_background(texts: Iterable[str], min_df: int = 2) -> dict[str, Any]:
    """Document frequencies of hashed 4-grams of many documents (kept where ``>= min_df``)."""
    df: Counter[int] = Counter()
    n = 0
    for t in texts:
        n += 1
        df.update({hash_gram(g) for g in grams(normalise(t))})
    return {"docs": n, "k": K, "df": {format(h, "x"): c for h, c in sorted(df.items()) if c >= min_df}}


class CorpusCounts:
    """How many input reports use each 4-gram (reports, not occurrences)."""

    def __init__(self, report_texts: dict[str, Sequence[str]]) -> None:
        self.df: Counter[str] = Counter()
        self.n = len(report_texts)
        self.own: dict[str, set[str]] = {}
        for doc, texts in report_texts.items():
            gs: set[str] = set()
            for t in texts:
                gs |= grams(normalise(t))
            self.own[doc] = gs
            self.df.update(gs)

    def others(self, doc: str, g: str) -> int:
        return self.df.get(g, 0) - (1 if g in self.own.get(doc, ()) else 0)


def features(text: str, type_: str, doc: str, corpus: CorpusCounts | None,
             bg: tuple[dict[int, int], int], exclude_own: set[str] | None = None) -> list[float]:
    """Feature row of one statement (order: :data:`FEATURES`)."""
    from nlp.statements.themes import family

    fam = family(text, type_)
    norm = normalise(text)
    gs = grams(norm)
    n = max(len(gs), 1)
    table, ndocs = bg
    bg_hits, bg_sum = 0, 0.0
    fresh, from_bytes = _BLAKE8.copy, int.from_bytes
    for g in gs:
        h = fresh()
        h.update(g.encode("utf-8"))
        c = table.get(from_bytes(h.digest(), "little") >> 1, 0)  # hash_gram
        if exclude_own is not None and g in exclude_own and c > 0:
            c -= 1
        if c >= 2:
            bg_hits += 1
        if c:  # (log1p(0) adds nothing)
            bg_sum += math.log1p(c)
    corpus_share = corpus_reports = 0.0
    if corpus is not None and corpus.n > 1:
        k = max(1, math.ceil(0.05 * (corpus.n - 1)))
        counts = [corpus.others(doc, g) for g in gs]
        corpus_share = sum(1 for c in counts if c >= k) / n
        corpus_reports = math.log1p(max(counts, default=0))
    return [
        bg_hits / n,
        bg_sum / n / math.log1p(max(ndocs, 1)),
        corpus_share,
        corpus_reports,
        math.log1p(len(text)),
        min(len(_DIGIT.findall(text)), 12) / 12.0,
        float(bool(_DATE.search(text))),
        float(bool(_NAMED.search(text))),
        float(len(_PLACE.findall(text))) if _PLACE_END.search(text) else 0.0,
        float(bool(_CAUSE.search(text))),
        len(_GENERIC.findall(text)) / max(len(text) / 6.0, 1.0),
        float(bool(_EVENT.search(text))),
        float(type_ == "problem"),
        float(fam in GENERIC_FAMILIES),
        float(bool(fam) and fam not in GENERIC_FAMILIES),
        float(bool(_IRREGULAR.search(text))),
        float(bool(_UNITS.search(text))),
    ]


@lru_cache(maxsize=2)
def load_model(path: str | None = None) -> Any:
    folder = Path(path) if path else MODEL_DIR
    f = folder / "boilerplate.skops"
    if not f.exists():
        return None

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if tuple(meta.get("boilerplate", {}).get("features", ())) != FEATURES:
        return None
    from nlp.artefacts import load_skops

    return load_skops(f)


TEXT_FEATURES = 2 ** 15
TEXT_WEIGHT = 0.5  # share of the wording model in the blend (grouped CV)


def text_vectorizer() -> Any:
    """Hashed character 1-2-grams: the wording of generic statements, with no vocabulary stored."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char", ngram_range=(1, 2), n_features=TEXT_FEATURES, alternate_sign=False)


@lru_cache(maxsize=2)
def load_text_model(path: str | None = None) -> Any:
    folder = Path(path) if path else MODEL_DIR
    f = folder / "boilerplate_text.skops"
    if not f.exists():
        return None
    from nlp.artefacts import load_skops

    return load_skops(f)


def text_proba(model: Any, texts: Sequence[str]) -> list[float]:
    """``model.predict_proba(text_vectorizer().transform(texts))[:, 1]`` for the binary logistic
    wording model, computed per text: a dozen statements per report cost less than scikit-learn's
    input checks. Each n-gram is hashed as ``HashingVectorizer`` does (signed MurmurHash3, seed 0,
    absolute value modulo the width), counts are l2-normalised, and the logistic is applied.

    The columns and counts of all the texts are found in one vectorised pass; each text's weighted
    sum is then added up in the order its columns first occur, as a plain loop over the text would."""
    from itertools import chain

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils import murmurhash3_32

    coef = getattr(model, "coef_", None)
    if not isinstance(model, LogisticRegression) or coef is None or coef.shape != (1, TEXT_FEATURES):
        return [float(v) for v in model.predict_proba(text_vectorizer().transform(list(texts)))[:, 1]]
    texts = list(texts)
    if not texts:
        return []
    weights = coef[0]
    bias = float(model.intercept_[0])
    analyse = _text_analyser()
    n = TEXT_FEATURES
    grams = [analyse(text) for text in texts]
    sizes = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    h = np.fromiter(map(murmurhash3_32, chain.from_iterable(grams)), dtype=np.int64, count=int(sizes.sum()))
    cols = np.where(h == -2147483648, (2147483647 - (n - 1)) % n, np.abs(h) % n)
    # one key per (text, column): distinct keys with their counts, in the order they first occur
    keys = np.repeat(np.arange(len(grams), dtype=np.int64), sizes) * n + cols
    uniq, first, counts = np.unique(keys, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    uniq, counts = uniq[order], counts[order]
    terms = (counts * weights[uniq % n]).tolist()
    squares = (counts * counts).tolist()
    bounds = np.searchsorted(uniq // n, np.arange(len(grams) + 1)).tolist()
    out = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        norm = math.sqrt(sum(squares[a:b]))
        z = bias + (sum(terms[a:b]) / norm if norm else 0.0)
        out.append(1.0 / (1.0 + math.exp(-z)))
    return out


@lru_cache(maxsize=1)
def _text_analyser() -> Any:
    return text_vectorizer().build_analyzer()


def _prior(row: list[float]) -> float:
    """Hand-set combination used when no model is shipped: common and unspecific is boilerplate."""
    f = dict(zip(FEATURES, row, strict=True))
    z = (-0.5 + 2.0 * f["bg_share"] + 1.5 * f["corpus_share"] + 1.0 * f["generic"] - 3.0 * f["digits"]
         - 0.8 * f["dates"] - 0.8 * f["named"] - 0.5 * min(f["places"], 2) - 0.6 * f["cause"] - 0.5 * f["event"])
    return 1.0 / (1.0 + math.exp(-z))


def score_texts(items: Sequence[tuple[str, str, str]], corpus: CorpusCounts | None) -> list[float]:
    """Boilerplate probability per (text, type, doc)."""
    if not items:
        return []
    bg = background()
    rows = [features(t, ty, d, corpus, bg) for t, ty, d in items]
    model = load_model()
    if model is None:
        return [_prior(r) for r in rows]
    import numpy as np

    from nlp.fastpredict import positive_proba

    p = positive_proba(model)(np.asarray(rows, dtype=float))
    tm = load_text_model()
    if tm is not None:
        pt = np.asarray(text_proba(tm, [t for t, _, _ in items]))
        p = (1 - TEXT_WEIGHT) * p + TEXT_WEIGHT * pt
    return [float(v) for v in p]


def score_reports(reports: list[Report]) -> None:
    """Set ``boilerplate`` on every statement of the reports, counting n-grams over all of them."""
    texts = {r.doc: [s.text for s in r.statements] for r in reports}
    # commonness across the input needs two reports at least (features skip it below that)
    corpus = CorpusCounts(texts) if len(texts) > 1 else None
    items = [(s.text, s.type, r.doc) for r in reports for s in r.statements]
    scores = score_texts(items, corpus)
    k = 0
    for r in reports:
        for s in r.statements:
            s.boilerplate = scores[k]
            k += 1
