"""Themes: statements of one type grouped across reports by what they say.

Near-duplicate groups collapse first (one item per group, weighted by its members); the items are
then embedded with TF-IDF over words and character n-grams and grouped by average-linkage
agglomerative clustering on cosine distance. Agglomerative clustering is quadratic, so beyond
``BUCKET`` items the space is first cut into coarse MiniBatchKMeans buckets and clustering runs
inside each bucket: near-linear overall. Every statement lands in exactly one theme (singletons
are allowed; there is no catch-all bin). A theme is named by its top TF-IDF words and summarised
by its medoid statement, verbatim.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from nlp.document import Statement, Theme
from nlp.statements.dedupe import near_duplicate_groups, normalise, stable_id

DISTANCE = 0.75  # cosine distance at which two groups stop merging (tuned by CV on gold themes)
BUCKET = 1500
_STOP = set("的 了 和 与 及 对 在 等 是 为 将 有 不 把 被 以 由 其 并 也 中 上 下 一 个 进行 工作 方面 部分 个别 "
            "存在 问题 情况 我局 我们 单位 部门 一些 有的 较 还 要".split())


def _words(texts: Sequence[str]) -> list[list[str]]:
    try:
        from nlp.segment import get_segmenter

        seg = get_segmenter()
        cut = seg.cut
    except Exception:  # pragma: no cover - the segmenter module is someone else's; jieba alone will do
        import jieba

        tok = jieba.Tokenizer()
        cut = lambda t: [w for w in tok.cut(t) if w.strip()]  # noqa: E731
    return [[w for w in cut(t) if len(w) > 1 and w not in _STOP and not w.isdigit()] for t in texts]


def embed(texts: Sequence[str]) -> tuple[Any, list[str]]:
    """L2-normalised TF-IDF rows (words + char 2/3-grams) and the word vocabulary."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    words = _words(texts)
    wv = TfidfVectorizer(analyzer=lambda ws: ws, sublinear_tf=True, min_df=1)
    cv = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=1)
    norm = [normalise(t) or t for t in texts]
    xw = wv.fit_transform(words)
    xc = cv.fit_transform(norm)
    x = normalize(hstack([xw, 0.8 * xc]).tocsr())
    return x, list(wv.get_feature_names_out())


def cluster_texts(texts: Sequence[str], distance: float = DISTANCE, weights: Sequence[float] | None = None,
                  bucket: int = BUCKET, seed: int = 0) -> list[int]:
    """A cluster label per text (average linkage on cosine distance, bucketed when large)."""
    n = len(texts)
    if n == 0:
        return []
    if n == 1:
        return [0]
    x, _ = embed(texts)
    labels = [-1] * n
    buckets: list[list[int]]
    if n > bucket:
        import numpy as np
        from sklearn.cluster import MiniBatchKMeans

        k = max(2, int(np.ceil(n / (bucket / 2))))
        km = MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=2048, n_init=3)
        coarse = km.fit_predict(x)
        by: dict[int, list[int]] = defaultdict(list)
        for i, c in enumerate(coarse):
            by[int(c)].append(i)
        buckets = []
        for members in by.values():  # an oversize bucket is cut into slices (rare)
            for s in range(0, len(members), bucket):
                buckets.append(members[s:s + bucket])
    else:
        buckets = [list(range(n))]
    next_label = 0
    for members in buckets:
        if len(members) == 1:
            labels[members[0]] = next_label
            next_label += 1
            continue
        from sklearn.cluster import AgglomerativeClustering

        sub = x[members].toarray()
        ag = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=distance)
        lab = ag.fit_predict(sub)
        for i, lb in zip(members, lab, strict=True):
            labels[i] = next_label + int(lb)
        next_label += int(lab.max()) + 1
    return labels


def group_statements(statements: Sequence[Statement], distance: float = DISTANCE) -> list[int]:
    """A theme label per statement: near-duplicates first, then similar meaning."""
    norms = [normalise(s.text) or s.text for s in statements]
    dup = near_duplicate_groups(norms)
    rep_of: dict[int, int] = {}
    reps: list[int] = []
    for i, g in enumerate(dup):
        if g not in rep_of:
            rep_of[g] = len(reps)
            reps.append(i)
    lab = cluster_texts([statements[i].text for i in reps], distance=distance)
    return [lab[rep_of[g]] for g in dup]


def build_themes(statements: list[Statement], type: str, distance: float = DISTANCE) -> list[Theme]:  # noqa: A002
    """Themes of one statement type, most widespread first (reports, then statements)."""
    sts = [s for s in statements if s.type == type]
    if not sts:
        return []
    labels = group_statements(sts, distance=distance)
    by: dict[int, list[int]] = defaultdict(list)
    for i, lb in enumerate(labels):
        by[lb].append(i)
    x, vocab = embed([s.text for s in sts])
    themes: list[Theme] = []
    import numpy as np

    xw_cols = len(vocab)
    for members in by.values():
        sub = x[members]
        centroid = np.asarray(sub.mean(axis=0)).ravel()
        sims = sub @ centroid
        medoid = members[int(np.argmax(sims))]
        wscore = centroid[:xw_cols]
        top = [vocab[j] for j in np.argsort(-wscore)[:4] if wscore[j] > 0]
        members_st = sorted((sts[i] for i in members), key=lambda s: (s.doc, s.line))
        reports = sorted({s.doc for s in members_st})
        key = min(normalise(s.text) or s.text for s in members_st)
        tid = stable_id(type + ":" + key, prefix="t")
        bp = float(np.mean([s.boilerplate for s in members_st]))
        themes.append(Theme(id=tid, type=type, title="、".join(top[:3]) or sts[medoid].text[:12],
                            summary=sts[medoid].text, statements=members_st, reports=reports,
                            boilerplate=bp, keywords=top))
    themes.sort(key=lambda t: (-len(t.reports), -len(t.statements), t.id))
    return themes


def theme_counts(themes: list[Theme]) -> Counter[str]:
    return Counter({t.id: len(t.statements) for t in themes})
