"""Synthetic reports for benchmarks: recombine sections of the sample reports.

    python corpora/synth.py N OUT_DIR [--seed S]

Why: throughput and memory benchmarks need 1,000 or 10,000 reports that look like the real thing
(section order, numbering, tables, figures, recurring problem statements) without shipping real
reports. Each synthetic report takes a fresh department and year, draws each section from a
random sample report (sections cut along the gold labels), renumbers the top-level headings,
rescales the money figures, and rebuilds the problems and measures from the pooled gold
statements in a random list style about half of the time. Output is deterministic for a seed and
streamed: one file is written at a time, nothing is kept in memory but the small pools.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "sample"

PLACES = ["沅北市清江区", "云岭县", "石溪县", "桐江区", "柳湾县"]  # the sample's invented places
NEW_PLACES = [a + b for a in ("青", "白", "龙", "金", "云", "石", "桃", "梅", "松", "柳", "枫", "竹", "鹤", "凤", "麓", "溪")
              for b in ("川县", "源县", "阳区", "江区", "湖县", "山县", "平县", "宁区", "安县", "河区")]
DEPARTMENTS = ["信访局", "教育局", "卫生健康局", "农业农村局", "交通运输局", "财政局", "民政局", "司法局",
               "文化旅游广电体育局", "水利局", "医疗保障局", "自然资源局", "人力资源和社会保障局",
               "市场监督管理局", "住房和城乡建设局", "生态环境局", "应急管理局", "统计局", "审计局", "退役军人事务局"]
KINDS = [("部门整体支出绩效自评报告", 0.55), ("项目支出绩效自评报告", 0.3), ("部门决算", 0.15)]
CN = "零一二三四五六七八九十"
TOP = re.compile(r"^((?:\[bookmark: _Toc\d+\])*(?:#+ )?)(?:([一二三四五六七八九十]{1,3})、|第([一二三四五六七八九十]{1,3})部分)")
MONEY = re.compile(r"(\d+(?:\.\d+)?)(\s*万元)")
YEAR = re.compile(r"(20[12]\d)(?=年)")
ORDER = ("duties", "budget", "indicators", "achievements", "problems", "measures")
LIST_STYLES = ("yishi", "paren", "dot", "circled", "semicolon", "first_next")


def _cn(n: int) -> str:
    if n <= 10:
        return CN[n]
    return ("" if n < 20 else CN[n // 10]) + "十" + (CN[n % 10] if n % 10 else "")


@dataclass
class Pools:
    """Sections by label (lines and the source report's year), pooled statements, department names."""

    chunks: dict[str, list[tuple[list[str], int]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def _style(line: str) -> str | None:
    m = TOP.match(line)
    if not m:
        return None
    return "part" if m.group(3) else "dun"


def load_pools(sample: Path = SAMPLE) -> Pools:
    """Cut each sample report at its top-level headings; a section takes its heading's gold label."""
    pools = Pools(chunks={k: [] for k in ORDER})
    names: set[str] = set()
    for src in sorted((sample / "txt").iterdir()):
        if src.suffix not in (".txt", ".md"):
            continue
        gold = json.loads((sample / "gold" / (src.stem + ".json")).read_text(encoding="utf-8"))
        lines = src.read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        top = next((st for st in map(_style, lines) if st), None)
        starts = [i for i, ln in enumerate(lines) if top and _style(ln) == top]
        for a, b in zip(starts, starts[1:] + [len(lines)], strict=True):
            lab = gold["lines"].get(str(a + 1))
            lab = lab[0] if isinstance(lab, list) else lab
            body = lines[a:b]
            while body and not body[-1].strip():
                body.pop()
            if lab in pools.chunks and len(body) > 1:
                pools.chunks[lab].append((body, gold["facts"]["year"]))
        for st in gold["statements"]:
            (pools.problems if st["type"] == "problem" else pools.measures).append(st["text"])
        dep = gold["facts"]["department"]
        names.update(dep if isinstance(dep, list) else [dep])
    pools.names = sorted(names, key=len, reverse=True)
    return pools


def _list(items: list[str], style: str) -> list[str]:
    if style == "semicolon":
        return ["主要表现在：" + "；".join(items) + "。"]
    if style == "first_next":
        heads = ["首先，"] + ["其次，"] * (len(items) - 2) + ["最后，"] if len(items) > 1 else ["首先，"]
        return [h + t + "。" for h, t in zip(heads, items, strict=True)]
    out = []
    for k, t in enumerate(items, 1):
        mark = {"yishi": f"{_cn(k)}是", "paren": f"（{_cn(k)}）", "dot": f"{k}.", "circled": chr(0x2460 + k - 1)}[style]
        out.append(f"{mark}{t}。")
    return out


def _rebuild(label: str, rng: random.Random, pools: Pools) -> list[str]:
    pool = pools.problems if label == "problems" else pools.measures
    k = rng.randint(2, min(5, len(pool)))
    items = rng.sample(pool, k)
    head = "存在的问题" if label == "problems" else rng.choice(["下一步改进措施", "改进措施及建议", "整改措施"])
    return ["一、" + head] + _list(items, rng.choice(LIST_STYLES))


def _rewrite(lines: list[str], pools: Pools, dept: str, place: str, shift: int, scale: float,
             counter: list[int]) -> list[str]:
    """Rename the unit, shift the years, rescale money, renumber the section's own top headings."""
    style = _style(lines[0])
    out = []
    for line in lines:
        for name in pools.names:
            if name in line:
                line = line.replace(name, dept)
        for p in PLACES:
            if p in line:
                line = line.replace(p, place)
        line = YEAR.sub(lambda m: str(int(m.group(1)) + shift), line)
        line = MONEY.sub(lambda m: f"{float(m.group(1)) * scale:.2f}{m.group(2)}", line)
        m = TOP.match(line)
        if m and _style(line) == style:
            counter[0] += 1
            num = _cn(counter[0])
            line = m.group(1) + (f"第{num}部分" if m.group(3) else f"{num}、") + line[m.end():]
        out.append(line)
    return out


def make_report(i: int, seed: int, pools: Pools) -> str:
    """The text of synthetic report number i (deterministic for (i, seed))."""
    rng = random.Random(f"{seed}:{i}")
    place = rng.choice(NEW_PLACES)
    dept = place + rng.choice(DEPARTMENTS)
    year = rng.randint(2019, 2025)
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    scale = round(rng.uniform(0.4, 2.5), 3)
    lines = ["", dept, f"{year}年度{kind}", ""]
    counter = [0]
    for label in ORDER:
        if kind == "部门决算" and label in ("indicators", "achievements", "problems", "measures"):
            continue
        if label in ("achievements", "problems") and rng.random() < 0.15:
            continue
        if label in ("problems", "measures") and rng.random() < 0.5:
            body, src_year = _rebuild(label, rng, pools), year
        else:
            body, src_year = rng.choice(pools.chunks[label])
        lines.extend(_rewrite(body, pools, dept, place, year - src_year, scale, counter))
    lines += ["", dept, f"{year + 1}年{rng.randint(1, 4)}月{rng.randint(1, 28)}日"]
    return "\n".join(lines) + "\n"


def iter_generate(n: int, out_dir: Path, seed: int = 0, pools: Pools | None = None):
    """Write n reports one at a time into out_dir, yielding each path as it is written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pools = pools or load_pools()
    width = max(4, len(str(n - 1)))
    for i in range(n):
        path = out / f"syn{i:0{width}d}.txt"
        path.write_text(make_report(i, seed, pools), encoding="utf-8")
        yield path


def generate(n: int, out_dir: Path, seed: int = 0) -> list[Path]:
    """Write n synthetic reports into out_dir (syn0000.txt …); returns their paths."""
    return list(iter_generate(n, out_dir, seed))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    count = sum(1 for _ in iter_generate(a.n, a.out_dir, a.seed))
    print(f"wrote {count} synthetic reports into {a.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
