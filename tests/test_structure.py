"""structure.parse: blocks, kinds, heading levels and paths, line coverage."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from nlp.document import Document
from nlp.structure import find_marker, ordinal, parse

SHARED = Path(__file__).parents[1].parent / "shared"

REPORT = """某某区农业农村局
2023年度部门整体支出绩效自评报告

一、部门基本情况
（一）机构设置
本局内设办公室、计划财务股等5个股室，下设2个事业单位。
（2）人员编制
核定编制30人，实有人数28人。
二、存在的问题
1.预算编制不够精细，部分项目调整频繁。
2.绩效目标设置不够细化。
三、改进措施
1、加强预算编制的科学性。
2、完善绩效目标管理。
\t项目名称
\t年初预算数
\t执行率
| 指标 | 目标值 | 完成值 |
| --- | --- | --- |
## 附件说明
"""


def _doc(text: str, hints: dict | None = None) -> Document:
    return Document(doc="t.txt", lines=text.split("\n"), hints=hints or {})


def _covered_once(doc: Document, blocks) -> bool:  # noqa: ANN001
    seen: dict[int, int] = {}
    for b in blocks:
        for ln in range(b.line_start, b.line_end + 1):
            seen[ln] = seen.get(ln, 0) + 1
    nonempty = {i for i, ln in enumerate(doc.lines, 1) if ln.strip()}
    return set(seen) == nonempty and all(v == 1 for v in seen.values())


def test_kinds_levels_and_paths() -> None:
    doc = _doc(REPORT)
    blocks = parse(doc)
    assert _covered_once(doc, blocks)
    by_text = {b.text: b for b in blocks}
    h1 = by_text["一、部门基本情况"]
    assert (h1.kind, h1.level, h1.marker) == ("heading", 1, "一、")
    h2 = by_text["（一）机构设置"]
    assert h2.kind == "heading" and h2.level == 2 and h2.heading_path == ["一、部门基本情况"]
    # （2） after （一） continues the same level (a numbering slip), not a deeper one
    slip = by_text["（2）人员编制"]
    assert slip.level == 2 and slip.heading_path == ["一、部门基本情况"]
    para = by_text["核定编制30人，实有人数28人。"]
    assert para.kind == "paragraph" and para.heading_path == ["一、部门基本情况", "（2）人员编制"]
    item = by_text["1.预算编制不够精细，部分项目调整频繁。"]
    assert item.kind == "list_item" and item.heading_path == ["二、存在的问题"]
    assert by_text["2、完善绩效目标管理。"].heading_path == ["三、改进措施"]
    cells = [b for b in blocks if b.kind == "table_row"]
    assert [c.text for c in cells][:3] == ["项目名称", "年初预算数", "执行率"]
    assert any(c.text.startswith("| 指标") for c in cells)
    md = by_text["## 附件说明"]
    assert md.kind == "heading" and md.level == 2
    assert [b.index for b in blocks] == list(range(len(blocks)))


def test_hints_make_headings() -> None:
    text = "总体情况说明\n本年度各项工作顺利推进，完成了年初确定的目标任务。"
    doc = _doc(text, hints={2: {"heading": 1}})
    blocks = parse(doc)
    assert blocks[1].kind == "heading" and blocks[1].level == 1


def test_sentence_list_items_are_not_headings() -> None:
    text = "（三）主要职责\n1、负责全区信访工作。\n2、负责处理来信。\n3、负责接待来访。"
    blocks = parse(_doc(text))
    assert [b.kind for b in blocks] == ["heading", "list_item", "list_item", "list_item"]
    assert all(b.heading_path == ["（三）主要职责"] for b in blocks[1:])


def test_blank_and_whitespace_lines_belong_to_no_block() -> None:
    text = "一、概况\n\u3000\u3000\n \t \n本单位为正科级。"
    doc = _doc(text)
    blocks = parse(doc)
    assert _covered_once(doc, blocks)
    assert [(b.line_start, b.line_end) for b in blocks] == [(1, 1), (4, 4)]


def test_markers_and_ordinals() -> None:
    assert find_marker("第二部分 决算情况")[0] == "part"
    assert find_marker("十一、其他")[0] == "cn"
    assert find_marker("(三)存在问题")[0] == "pcn"
    assert find_marker("12.加强管理")[0] == "num"
    assert find_marker("3.5万元")[0] is None
    assert find_marker("②完善制度")[0] == "circ"
    assert ordinal("（十二）") == 12 and ordinal("二十、") == 20 and ordinal("③") == 3 and ordinal("7.") == 7


def test_empty_document() -> None:
    assert parse(_doc("\n\n")) == []


def _shared_docs() -> list[tuple[Path, Path]]:
    out = []
    for sub in ("seeds", "corpus"):
        for g in sorted((SHARED / "gold" / sub).glob("*.json")):
            if g.name != "themes.json":
                out.append((g, SHARED / sub / (g.stem + ".txt")))
    return out


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared")
def test_real_reports_covered_and_never_mixed() -> None:
    from nlp.read import read

    for gold_file, doc_path in _shared_docs():
        doc = read(doc_path)
        blocks = parse(doc)
        assert _covered_once(doc, blocks), doc_path
        gold = json.loads(gold_file.read_text(encoding="utf-8"))["lines"]
        for b in blocks:
            labs = [set(gold[str(ln)] if isinstance(gold[str(ln)], list) else [gold[str(ln)]])
                    for ln in range(b.line_start, b.line_end + 1) if str(ln) in gold]
            assert not labs or set.intersection(*labs), (doc_path, b.line_start)


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared")
def test_structure_much_faster_than_jieba() -> None:
    from nlp.read import read
    from nlp.segment import get_segmenter

    docs = [read(p) for p in sorted((SHARED / "seeds").glob("*.txt"))]
    seg = get_segmenter()
    seg.cut("预热")
    t0 = time.perf_counter()
    for d in docs:
        parse(d)
    t_parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    for d in docs:
        seg.cut(d.text)
    t_jieba = time.perf_counter() - t0
    assert t_parse * 2 <= t_jieba


def test_find_marker_tries_only_patterns_that_can_match() -> None:
    """find_marker() picks its patterns by the first character: same answer as trying all of them in order."""
    import random

    from nlp.structure import _MARKERS, find_marker

    def every_pattern(text: str) -> tuple[str | None, str | None]:
        for style, rx in _MARKERS:
            m = rx.match(text)
            if m:
                return style, m.group(0)
        return None, None

    alphabet = list("第一二十百零〇两三（(）)、．.12９３①⑳任务-•*● 是首先其次最后部分章，:：ab")
    rng = random.Random(3)
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
        assert find_marker(text) == every_pattern(text), text
