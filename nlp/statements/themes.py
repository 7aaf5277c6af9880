"""Themes: statements of one type grouped across reports by what they say.

Near-duplicate groups collapse first (one item per group, weighted by its members). Each item is
then given its problem (or measure) family: the usual families of budget-performance findings
(预算执行/支付滞后, 指标设置, 预算编制, 绩效意识, 档案资料, 项目进度 …), read off the first clause
that names one (the family named most often there; on a tie the one the rest of the statement
names more often, then the later mention, since a Chinese noun phrase ends in its head). For a
problem that is the first such clause that says what is wrong (未/不/缺/滞后 …, or one short
enough to be a headline), so a leading account of work done does not decide. Items of one family
are grouped by a loose average-linkage cut (a family is usually one theme; only plainly unlike
wordings stay apart); items of no family by a tight cut, so one-off findings stay singletons. The
embedding is TF-IDF over words and character n-grams plus concept indicators; average-linkage
agglomerative clustering on cosine distance. Agglomerative clustering is quadratic, so beyond
``BUCKET`` items the space is first cut into coarse MiniBatchKMeans buckets and clustering runs
inside each bucket: near-linear overall. Every statement lands in exactly one theme (singletons
are allowed; there is no catch-all bin). A theme is named by its top TF-IDF words and summarised
by its medoid statement, verbatim.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from nlp.document import Statement, Theme
from nlp.statements.dedupe import near_duplicate_groups, normalise, stable_id

DISTANCE = 0.6  # cut for statements of no family: plateau 0.5-0.6 of B-cubed F1 on each of the three gold sets
# (gold statements clustered alone; 0.7-0.8 lower on corpus; picked on any two sets, the same on the third)
FAMILY_DISTANCE = 0.99  # cut inside a family: nearly one theme per family (chosen on the three gold sets, see below)
BUCKET = 1500
COLLAPSE = 0.8  # 3-gram Jaccard at which statements are treated as one before clustering
_STOP = set(["的", "了", "和", "与", "及", "对", "在", "等", "是", "为", "将", "有", "不", "把", "被", "以", "由", "其", "并", "也", "中", "上", "下", "一", "个", "进行", "工作", "方面", "部分", "个别", "存在", "问题", "情况", "我局", "我们", "单位", "部门", "一些", "有的", "较", "还", "要"])


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


# Domain concepts: paraphrases of the same problem or measure share a concept even when they share
# few words ("财政资金困难" / "财力紧张，项目资金不能按时支付"). Generic budget-performance vocabulary.
CONCEPTS: dict[str, str] = {
    "funds_short": r"财政资金|资金(?:紧张|困难|不足|短缺|缺口)|财力|财政(?:资金)?(?:紧张|困难)|争取.{0,4}资金|保运转",
    "execution": r"预算执行|执行(?:进度|率|情况)|执行预算|未执行|支付|序时|拨付|拨款|支出进度|执行.{0,4}(?:慢|滞后|偏低|不均衡)|结转|结余|突击",
    "indicators": r"指标|绩效目标|目标(?:设置|编制|管理)|可衡量|量化|细化量化|目标值|预期值",
    # austerity (紧日子, 压减支出) is part of how a budget is prepared
    "budget_prep": (r"预算编制|编制预算|预算.{0,4}(?:准确|精细|测算|调整|约束)|年初预算|追加|调整率|预算数|"
                    r"紧日子|支出结构|一般性支出|压减|(?:压缩|降低|节约|控制|严控).{0,6}(?:支出|经费|开支|费用)"),
    "awareness": r"意识|认识|理念|重视|关注|培训|学习|专业(?:人才|能力)|人才|能力不足|业务水平|经验不足|积极性",
    "information": r"信息化|信息系统|信息共享|数据(?:分析|共享|采集|统计)|平台|系统",
    "control": r"内(?:部)?控(?:制)?|制度建设|管理制度|长效机制|监督|审核",
    "archive": r"档案|台账|票据|凭证|(?:项目|相关|佐证|工程|验收|档案|等)资料|资料(?:不全|缺失|不齐|不完整|归档|整理)",
    "project_progress": r"工期|施工|建设进度|项目进度|工程进度|进度(?:缓慢|滞后)|前期工作|验收|延期|推迟|延迟|延误|未按期|未能开工|暂缓",
    "approval": r"立项|审批|许可|建设程序|先斩后奏",
    "change": r"变更",
    "procurement": r"招标|采购|合同|竞争性谈判",
    "audit": r"审计|结算|决算|送审",
    "funds_use": r"挪用|挤占|改变.{0,2}用途|专款专用|违规|不规范核销|偿还",
    "monitoring": r"监控|跟踪|评价结果|结果应用|绩效评价|自评|全过程",
    "service": r"服务|群众|满意度|效能|民生",
    "subsidy": r"补助|补贴|扶助|发放|资助",
}


def concept_matrix(texts: Sequence[str]) -> Any:
    """One column per domain concept (1 where the text mentions it), rows L2-normalised."""
    import re

    from scipy.sparse import csr_matrix
    from sklearn.preprocessing import normalize

    pats = [re.compile(p) for p in CONCEPTS.values()]
    rows, cols = [], []
    for i, t in enumerate(texts):
        for j, p in enumerate(pats):
            if p.search(t):
                rows.append(i)
                cols.append(j)
    m = csr_matrix(([1.0] * len(rows), (rows, cols)), shape=(len(texts), len(pats)))
    return normalize(m)


CONCEPT_WEIGHT = 0.5  # plateau 0.3-0.7 on each gold set, with DISTANCE (1.0 lower on sample, equal elsewhere)


# Problem and measure families: the recurring kinds of finding in budget-performance reports, each a
# generic domain vocabulary (no report's wording). A family is what annotators group as one theme
# ("预算执行进度慢、资金支付滞后", "绩效指标设置不规范" …); its statements share few words.
_FAMILIES_COMMON: dict[str, str] = {
    "approval": r"立项|审批|施工许可|规划许可|许可证|建设程序|先斩后奏|前期论证|可行性研究|论证",
    "change": r"变更",
    "procurement": r"招标|采购|评标|流标|投标|竞争性谈判|保证金|合同",
    "audit": r"审计|结算|决算|送审",
    "funds_use": r"挪用|挤占|改变.{0,2}用途|专款专用|违规|违反|偿还|用途|套取|截留",
    "maintenance": r"管护|运维|维护|养护|后期管理|重建轻管",
    "subsidy": r"补助|补贴|扶助|资助|救助|发放",
    "archive": r"档案|台账|票据|凭证|(?:项目|相关|佐证|工程|验收|档案|等)资料|资料(?:不全|缺失|不齐|不完整|归档|整理)",
    "data": r"信息化|信息系统|信息平台|平台|系统|数据|统计|信息更新|录入",
    "indicators": r"指标|绩效目标|目标(?:设置|设定|编制|管理|值)|可衡量|量化|预期值|考核",
    "budget_prep": (r"预算编制|编制预算|预算.{0,4}(?:准确|精细|精准|测算|调整|科学|约束|编报)|调整预算|调整率|追加|编报|"
                    r"预算安排|支出结构|紧日子|一般性支出|编制.{0,8}预算|预算支出管理|支出管理|[纳列]入.{0,6}预算"),
    "awareness": (r"意识|认识|认知|理念|重视|关注|理解|培训|学习|专业(?:人才|人员|能力)|人才|能力不足|能力建设|业务水平|"
                  r"经验|积极性|基础薄弱|人员配备|队伍"),
    "control": r"内(?:部)?控(?:制)?|制度|管理办法|长效机制|规章",
    "progress": (r"工期|施工|(?:建设|项目|工程|施工)进度|推进(?:缓慢|滞后|较慢|不平衡)|工程建设|前期工作|验收|延期|推迟|延迟|延误|未按期|未能开工|开工|暂缓|完工|竣工|"
                 r"建设任务"),
    "service": r"服务(?:效能|水平|质量|能力)|满意度|效能|管理效益",
}
# a problem of payment delay is mostly one of short funds; the measures split "secure and pay the
# money" from "watch execution", as reports and annotators do
PROBLEM_FAMILIES: dict[str, str] = {
    **_FAMILIES_COMMON,
    "execution": (r"预算执行|执行(?:进度|率|情况)|支出进度|支付|拨付|拨款|序时|结转|结余|资金下达|下达|开支|未执行|"
                  r"执行.{0,4}(?:慢|滞后|偏低|不均衡)|资金(?:紧张|困难|不足|短缺|缺口)|财力|财政(?:资金)?(?:紧张|困难)|"
                  r"保运转|超预算|财政资金.{0,8}影响"),
    "monitoring": r"监控|跟踪|监管|监督|评价结果|结果应用",
}
MEASURE_FAMILIES: dict[str, str] = {
    **_FAMILIES_COMMON,
    "payment": (r"支付|拨付|拨款|争取.{0,6}(?:资金|经费)|财政.{0,4}沟通|沟通.{0,6}财政|资金(?:紧张|困难)|财力|保运转|"
                r"申请.{0,8}(?:资金|经费)"),
    "execution": r"预算执行|执行(?:进度|率|监控|管理)|监控|跟踪|序时|支出进度|均衡|监管|监督",
    # measures that make the budget sound also promise its efficient use and an orderly allocation
    "budget_prep": (_FAMILIES_COMMON["budget_prep"] + r"|资金(?:使用)?效益|预算.{0,6}(?:安排|规范性|随意)|"
                    r"(?:压减|压缩|降低|节约|控制|严控).{0,6}(?:支出|经费|开支|费用)"),
    "awareness": _FAMILIES_COMMON["awareness"] + r"|制度|全过程|全面.{0,6}绩效|绩效管理工作",
    "control": r"内(?:部)?控(?:制)?|规章",
    "rectify": r"补发|退回|追回|收回|整改|返还|清退",
    "fund_mgmt": r"资金(?:使用)?管理|项目管理|专项资金|专款专用|资产管理",
    "evaluation": r"评价结果|结果应用",
}
_CLAUSE = r"[，,。；;：:！!？?\n]"
_CLAUSE_RX = re.compile(_CLAUSE)
_COMPILED: dict[str, list[tuple[str, Any]]] = {}
# words by which a clause states a shortcoming (not, lacking, late, short, weak …): a problem is
# filed under the first clause that both names a family and says what is wrong there, so a leading
# account of the work done ("完成……信访系统……等工作，因财政资金紧张……未能支付") does not decide it.
# A short clause is a headline ("指标设置笼统", "招标流标") and states the problem whatever its words.
_SHORTFALL = re.compile(r"不|未|无|缺|没有|难以|滞后|慢|偏低|偏高|较低|较差|紧张|困难|薄弱|有待|欠|差|短缺|不足|问题|漏洞|"
                        r"延|晚|超")
HEADLINE = 12  # characters; plateau 9-13 of B-cubed F1 on all three gold sets (6, 8 and 15+ lower)


def family(text: str, type: str = "problem") -> str:  # noqa: A002
    """The finding's family ("" for none), read off the first clause that names one.

    In that clause the family matched most often wins; on a tie the one the rest of the statement
    names more often, then the later match, since a Chinese noun phrase ends in its head
    ("预算执行监控" is about 监控). For a problem, clauses that state a
    shortcoming (or are short enough to be its headline) come first: the first such clause naming
    a family decides, else the first clause naming one.
    """
    pats = _COMPILED.get(type)
    if pats is None:
        table = MEASURE_FAMILIES if type == "measure" else PROBLEM_FAMILIES
        pats = _COMPILED[type] = [(k, re.compile(v)) for k, v in table.items()]
    clauses = _CLAUSE_RX.split(text)
    if type != "measure":
        found = _clause_family([c for c in clauses if len(c) < HEADLINE or _SHORTFALL.search(c)], pats)
        if found:
            return found
    return _clause_family(clauses, pats)


def _clause_family(clauses: Sequence[str], pats: list[tuple[str, Any]]) -> str:
    """The family of the first clause that names one: the one matched most often there; on a tie
    the one the rest of the statement names more often, then the later match (the phrase's head).
    """
    for i, clause in enumerate(clauses):
        found: dict[str, tuple[int, int]] = {}
        for name, pat in pats:
            if pat.search(clause) is None:  # most families are absent from a clause: one cheap look
                continue
            ms = list(pat.finditer(clause))
            found[name] = (len(ms), max(m.end() for m in ms))
        if not found:
            continue
        top = max(n for n, _ in found.values())
        tied = [k for k, v in found.items() if v[0] == top]
        if len(tied) > 1:  # "审批支付流程" is about approval when the statement goes on about 审批
            rx = dict(pats)
            rest = clauses[i + 1:]
            later = {k: sum(len(rx[k].findall(c)) for c in rest) for k in tied}
            most = max(later.values())
            tied = [k for k in tied if later[k] == most]
        return max(tied, key=lambda k: found[k][1])
    return ""


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
    x = normalize(hstack([normalize(hstack([xw, 0.8 * xc])), CONCEPT_WEIGHT * concept_matrix(texts)]).tocsr())
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


def group_statements(statements: Sequence[Statement], distance: float = DISTANCE,
                     family_distance: float | None = None) -> list[int]:
    """A theme label per statement (all of one type): near-duplicates first, then family, then wording."""
    if not statements:
        return []
    fam_cut = FAMILY_DISTANCE if family_distance is None else family_distance
    norms = [normalise(s.text) or s.text for s in statements]
    # only close copies collapse here (a high bar keeps union-find from chaining unlike texts)
    dup = near_duplicate_groups(norms, threshold=COLLAPSE)
    rep_of: dict[int, int] = {}
    reps: list[int] = []
    for i, g in enumerate(dup):
        if g not in rep_of:
            rep_of[g] = len(reps)
            reps.append(i)
    rep_texts = [statements[i].text for i in reps]
    typ = statements[0].type
    parts: dict[str, list[int]] = defaultdict(list)
    for k, t in enumerate(rep_texts):
        parts[family(t, typ)].append(k)
    lab = [0] * len(reps)
    offset = 0
    for key in sorted(parts):
        members = parts[key]
        sub = cluster_texts([rep_texts[k] for k in members], distance=fam_cut if key else distance)
        for k, lb in zip(members, sub, strict=True):
            lab[k] = offset + lb
        offset += max(sub) + 1
    if MERGE_DISTANCE is not None:
        lab = merge_close(rep_texts, lab, MERGE_DISTANCE)
    return [lab[rep_of[g]] for g in dup]


MERGE_DISTANCE: float | None = None  # a centroid merge after the family split lowered mean B-cubed F1 (0.3-0.5 tried)


def merge_close(texts: Sequence[str], labels: list[int], distance: float) -> list[int]:
    """Join clusters whose centroids lie within ``distance`` (cosine, average linkage).

    The concept partition keeps unlike problems apart but also splits one problem worded with
    another concept first; a second pass over cluster centroids lets such halves meet again.
    """
    import numpy as np

    k = max(labels) + 1 if labels else 0
    if k < 2:
        return labels
    x, _ = embed(texts)
    lab = np.asarray(labels)
    cent = np.vstack([np.asarray(x[np.flatnonzero(lab == c)].mean(axis=0)).ravel() for c in range(k)])
    from sklearn.cluster import AgglomerativeClustering

    top = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                  distance_threshold=distance).fit_predict(cent)
    return [int(top[c]) for c in labels]


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
