"""Boilerplate: kind-of-finding features and the shipped model's ranking.

Texts here are our own constructed sentences (no real report text).
"""
from __future__ import annotations

from nlp.statements import boilerplate as bp


def _row(text: str, typ: str = "problem") -> dict[str, float]:
    return dict(zip(bp.FEATURES, bp.features(text, typ, "a.txt", None, ({}, 0)), strict=True))


def test_kind_of_finding_features():
    stock = _row("绩效目标设置不够细化，部分指标难以量化")
    assert stock["family_generic"] == 1.0 and stock["family_other"] == 0.0
    assert stock["irregular"] == 0.0 and stock["named_units"] == 0.0
    audit = _row("个别学校挪用项目资金偿还工程欠款")
    assert audit["irregular"] == 1.0 and audit["named_units"] == 1.0
    change = _row("工程变更未履行审批手续")
    assert change["family_other"] == 1.0 and change["family_generic"] == 0.0
    assert _row("敬老院入住率偏低")["family_generic"] == 0.0


def test_shipped_model_loads_and_ranks_stock_wording_above_a_particular_finding():
    assert bp.load_model() is not None  # FEATURES agree with the shipped meta.json
    items = [("预算绩效管理意识有待进一步增强", "problem", "a.txt"),
             ("进一步加强预算执行监控，提高资金使用效益", "measure", "a.txt"),
             ("2023年3所乡镇卫生院挪用专项资金48.6万元用于偿还基建欠款", "problem", "b.txt"),
             ("因7月暴雨冲毁河口村便桥，修复工程推迟至次年4月开工", "problem", "c.txt")]
    s = bp.score_texts(items, None)
    assert all(0.0 <= v <= 1.0 for v in s)
    assert min(s[0], s[1]) > max(s[2], s[3])


def test_wording_model_per_text_equals_the_vectoriser_pipeline():
    """The per-text wording score hashes n-grams as HashingVectorizer does (collisions, the signed
    hash's edge case, l2 norm), so it must equal scikit-learn's own transform + predict_proba."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    texts = ["进一步加强预算执行监控，提高资金使用效益。", "部分项目执行进度滞后，三季度支出率仅为45%。",
             "绩效目标设置不够细化", "  多个   空格\t和英文 Budget  ", "", "。"]
    vec = bp.text_vectorizer()
    X = vec.transform(texts * 4)
    y = np.array([1, 0, 1, 0, 0, 1] * 4)
    model = LogisticRegression(C=5.0).fit(X, y)
    ours = bp.text_proba(model, texts)
    assert np.allclose(ours, model.predict_proba(vec.transform(texts))[:, 1], atol=1e-12)
    shipped = bp.load_text_model()
    if shipped is not None:
        assert np.allclose(bp.text_proba(shipped, texts), shipped.predict_proba(vec.transform(texts))[:, 1],
                           atol=1e-12)


def test_wording_score_in_one_pass_equals_a_plain_loop_over_each_text():
    """The vectorised pass adds each text's terms up in the order its columns first occur, as the
    plain per-text loop does, so the scores are the same floats, not just close ones."""
    import math
    import random

    from sklearn.utils import murmurhash3_32

    model = bp.load_text_model()
    if model is None:
        return
    rng = random.Random(3)
    alphabet = "预算执行进度滞后加强管理资金使用效益，。、 12%ab"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(40)] + ["", "。"]
    analyse = bp.text_vectorizer().build_analyzer()
    n, weights, bias = bp.TEXT_FEATURES, model.coef_[0], float(model.intercept_[0])
    want = []
    for text in texts:
        counts: dict[int, int] = {}
        for gram in analyse(text):
            h = murmurhash3_32(gram, seed=0)
            col = (2147483647 - (n - 1)) % n if h == -2147483648 else abs(h) % n
            counts[col] = counts.get(col, 0) + 1
        norm = math.sqrt(sum(c * c for c in counts.values()))
        z = bias + (sum(c * float(weights[col]) for col, c in counts.items()) / norm if norm else 0.0)
        want.append(1.0 / (1.0 + math.exp(-z)))
    assert bp.text_proba(model, texts) == want
    assert bp.text_proba(model, []) == []


def test_background_share_counts_grams_as_hash_gram_keys_them():
    """features() hashes 4-grams inline; the background table is keyed by hash_gram."""
    text = "部分项目预算执行进度偏慢，资金支付滞后"
    gs = sorted(bp.grams(bp.normalise(text)))
    table = {bp.hash_gram(g): (i % 4) for i, g in enumerate(gs)}  # counts 0..3, some below 2
    row = bp.features(text, "problem", "a.txt", None, (table, 10))
    hits = sum(1 for g in gs if table[bp.hash_gram(g)] >= 2)
    assert row[bp.FEATURES.index("bg_share")] == hits / len(gs)
    assert row[bp.FEATURES.index("bg_mean")] > 0.0
    own = set(gs[:3])
    row_own = bp.features(text, "problem", "a.txt", None, (table, 10), exclude_own=own)
    hits_own = sum(1 for g in gs if table[bp.hash_gram(g)] - (g in own and table[bp.hash_gram(g)] > 0) >= 2)
    assert row_own[bp.FEATURES.index("bg_share")] == hits_own / len(gs)
