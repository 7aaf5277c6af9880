"""The segmenter: our own jieba instance with the domain dictionary."""
from __future__ import annotations

import subprocess
import sys

from nlp.segment import Segmenter, domain_terms, get_segmenter


def test_domain_terms_stay_whole() -> None:
    words = get_segmenter().cut("本单位三公经费支出下降，预算执行率达到98.5%，项目支出和基本支出均在年初预算数以内。")
    for term in ("三公经费", "预算执行率", "项目支出", "基本支出", "年初预算数"):
        assert term in words, (term, words)


def test_more_domain_terms() -> None:
    words = get_segmenter().cut("人员经费与公用经费之和等于基本支出，信访积案化解工作纳入绩效目标，群众满意度较高。")
    for term in ("人员经费", "公用经费", "信访积案", "绩效目标"):
        assert term in words, (term, words)


def test_without_dictionary_terms_split() -> None:
    """The dictionary is what keeps the terms whole: a bare tokenizer splits at least one."""
    bare = Segmenter(userdict=None)
    words = bare.cut("预算执行率和调整后预算数")
    assert not ("预算执行率" in words and "调整后预算数" in words)


def test_cached_accessor_and_own_instance() -> None:
    import jieba

    seg = get_segmenter()
    assert get_segmenter() is seg
    seg.cut("绩效自评")
    assert seg.tokenizer is not jieba.dt


def test_dictionary_is_domain_sized() -> None:
    terms = domain_terms()
    assert len(terms) >= 200
    assert "三公经费" in terms and "满意度" in terms


def test_no_jieba_chatter_on_stderr() -> None:
    code = "from nlp.segment import get_segmenter; print(len(get_segmenter().cut('一般公共预算')))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0
    assert res.stderr.strip() == ""


def test_dictionary_cut_matches_jieba_exactly() -> None:
    """The faster dictionary-only cut gives jieba's own words, on prose, tables and odd characters."""
    import random

    import jieba

    from nlp.segment import USERDICT

    ref = jieba.Tokenizer()
    ref.initialize()
    ref.load_userdict(str(USERDICT))
    fast = get_segmenter().tokenizer
    texts = [
        "本单位2023年度年初预算数为1,234.56万元，调整后预算数1300万元，预算执行率98.5%。",
        "一级指标 | 二级指标 | 三级指标\n产出指标 | 数量指标 | 培训人次≥500人次\r\n满意度指标 | 群众满意度 | ≥90%",
        "ABC-12 项目（二期）#3 进度_100% & 完成 a1b2 长江经济带生态保护修复工程   结余资金收回",
        "",
    ]
    rnd = random.Random(7)
    pool = "".join(texts) + "的了是在和有与为对将及其等所项目资金管理制度执行xyzXYZ0123 \t\n，。、；："
    texts += ["".join(rnd.choice(pool) for _ in range(rnd.randrange(1, 80))) for _ in range(300)]
    for t in texts:
        assert list(fast.cut(t, HMM=False)) == list(ref.cut(t, HMM=False)), t
        assert fast.dictionary_words(t) == list(ref.cut(t, HMM=False)), t
    assert list(fast.cut(texts[0])) == list(ref.cut(texts[0]))  # other modes are jieba's own
    own = Segmenter().tokenizer  # not the process-wide one: the dictionary changes here
    list(own.cut(texts[0], HMM=False))  # log-probabilities cached before the change
    own.add_word("执行制度资金", 5)  # a changed dictionary is seen at once
    ref.add_word("执行制度资金", 5)
    t = "项目执行制度资金管理"
    assert list(own.cut(t, HMM=False)) == list(ref.cut(t, HMM=False))
