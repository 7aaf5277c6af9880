"""A fallback generator of synthetic self-evaluation reports for benchmarks (own sentences, no real text).

``corpora/synth.py`` is the project's generator; ``load_generate()`` uses it when present and this
one otherwise, so the benchmark runs in any checkout.
"""
from __future__ import annotations

import importlib.util
import random
from collections.abc import Callable
from pathlib import Path

_PLACES = ["东山县", "西河区", "南岭市", "北湖县", "青石镇", "长宁区", "白水县", "云台市", "平川县", "临江区"]
_UNITS = ["教育局", "卫生健康局", "农业农村局", "交通运输局", "民政局", "信访局", "水利局", "文化旅游局",
          "市场监督管理局", "自然资源局", "退役军人事务局", "司法局"]
_PROBLEMS = [
    "预算执行进度不均衡，下半年支出占比偏高", "绩效目标设置不够细化，部分指标难以量化",
    "项目资金使用效益有待进一步提高", "部分项目前期论证不充分，导致资金结转", "内部控制制度执行不到位",
    "绩效自评工作质量有待提升，佐证材料不够完整", "政府采购程序执行不够规范", "资产管理基础工作薄弱，账实不符",
    "专项资金拨付不及时，影响项目实施进度", "绩效监控流于形式，未能及时纠偏", "财务人员业务能力有待加强",
    "个别项目支出与预算科目不一致", "部分指标值设置偏低，挑战性不足", "项目管理台账不健全",
    "基层单位对绩效管理重视程度不够", "结余资金未及时清理上缴",
]
_MEASURES = [
    "加强预算执行管理，按月通报支出进度", "科学设置绩效目标，细化量化绩效指标", "强化项目前期论证，提高预算编制准确性",
    "健全内部控制制度，加强监督检查", "加强财务人员培训，提升业务水平", "规范政府采购程序，严格执行相关规定",
    "建立资产管理台账，定期开展清查", "加强绩效运行监控，及时发现和纠正偏差", "及时拨付专项资金，保障项目顺利实施",
    "强化绩效评价结果运用，与预算安排挂钩", "完善项目管理制度，建立健全工作台账",
]
_INDICATORS = [("数量指标", "培训人次", "人次"), ("数量指标", "检查次数", "次"), ("质量指标", "验收合格率", "%"),
               ("时效指标", "资金拨付及时率", "%"), ("效益指标", "群众满意度", "%"), ("数量指标", "服务对象数", "人"),
               ("成本指标", "项目成本控制率", "%"), ("质量指标", "问题整改率", "%")]
_CN = "一二三四五六七八九十"


def report(seed: int) -> str:
    """One synthetic report; the seed fixes every choice."""
    rng = random.Random(seed)
    year = rng.choice([2021, 2022, 2023, 2024])
    dept = rng.choice(_PLACES) + rng.choice(_UNITS)
    budget = round(rng.uniform(80, 5000), 2)
    adjusted = round(budget * rng.uniform(0.9, 1.4), 2)
    rate = round(rng.choice([rng.uniform(90, 100), rng.uniform(90, 100), rng.uniform(50, 89), rng.uniform(100, 115)]), 2)
    spent = round(adjusted * rate / 100, 2)
    basic = round(spent * rng.uniform(0.3, 0.8), 2)
    score = rng.randint(75, 99)
    grade = "优秀" if score >= 90 else "良好" if score >= 80 else "中"
    out = [f"{dept}{year}年度部门整体支出绩效自评报告", "",
           f"{_CN[0]}、部门基本情况",
           f"（一）部门职能。{dept}主要负责本行政区域内相关工作的统筹规划、组织实施和监督管理。",
           f"（二）机构设置。内设机构{rng.randint(3, 12)}个，编制数{rng.randint(10, 90)}人，实有人数{rng.randint(8, 88)}人。",
           f"{_CN[1]}、预算执行情况",
           f"{year}年度年初预算数为{budget}万元，调整后预算数为{adjusted}万元，全年实际支出{spent}万元，预算执行率为{rate}%。",
           f"其中基本支出{basic}万元，项目支出{round(spent - basic, 2)}万元；“三公”经费支出{round(rng.uniform(0, 30), 2)}万元。",
           f"{_CN[2]}、绩效目标完成情况",
           "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 得分"]
    blank_actuals = rng.random() < 0.1
    for kind, name, unit in rng.sample(_INDICATORS, rng.randint(3, 6)):
        target = rng.choice([90, 95, 100]) if unit == "%" else rng.randint(50, 2000)
        actual = "" if blank_actuals else (f"{min(100, target + rng.randint(-8, 5))}{unit}" if unit == "%"
                                           else f"{target + rng.randint(-20, 80)}{unit}")
        out.append(f"产出指标 | {kind} | {name} | ≥{target}{unit} | {actual} | {rng.randint(5, 10)}")
    for _ in range(rng.randint(2, 8)):
        out.append(f"全年共开展{rng.choice(['业务培训', '专项检查', '宣传活动', '走访调研'])}{rng.randint(2, 60)}次，"
                   f"覆盖{rng.randint(100, 9000)}人次，较上年增长{round(rng.uniform(1, 30), 1)}%。")
    out.append(f"经综合评价，本部门整体支出绩效自评得分{score}分，等级为{grade}。")
    mode = rng.random()
    if mode > 0.06:
        out.append(f"{_CN[3]}、存在的问题及原因分析")
        if mode < 0.12:
            out.append("无。")
        else:
            for i, p in enumerate(rng.sample(_PROBLEMS, rng.randint(1, 4))):
                out.append(f"（{_CN[i]}）{p}。" + ("" if rng.random() < 0.5 else f"全年有{rng.randint(2, 9)}个项目存在此类情况。"))
    out.append(f"{_CN[4]}、下一步改进措施")
    for i, m in enumerate(rng.sample(_MEASURES, rng.randint(1, 4))):
        out.append(f"（{_CN[i]}）{m}。")
    out.append(f"{_CN[5]}、其他需要说明的情况")
    for _ in range(rng.randint(0, 20)):
        out.append(f"本年度共办理{rng.choice(['来信', '来访', '政务服务事项', '行政许可'])}{rng.randint(10, 999)}件，"
                   f"按期办结率{round(rng.uniform(85, 100), 1)}%，资金{round(rng.uniform(1, 99), 2)}万元已全部拨付到位。")
    return "\n".join(out) + "\n"


def generate(n: int, out_dir: str | Path, seed: int = 0) -> list[Path]:
    """Write ``n`` reports under ``out_dir`` (100 per sub-folder); returns their paths."""
    out = Path(out_dir)
    paths = []
    for i in range(n):
        folder = out / f"{i // 100:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        p = folder / f"r{i:06d}.txt"
        p.write_text(report(seed * 1_000_003 + i), encoding="utf-8")
        paths.append(p)
    return paths


def load_generate() -> tuple[Callable[..., list[Path]] | Callable[..., object], str]:
    """The project's ``corpora/synth.py:generate`` when present, else this module's."""
    path = Path(__file__).resolve().parents[1] / "corpora" / "synth.py"
    if path.exists():
        spec = importlib.util.spec_from_file_location("corpora_synth", path)
        if spec is not None and spec.loader is not None:
            mod = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(mod)
                return mod.generate, "corpora/synth.py"
            except Exception:  # noqa: BLE001 - fall back to ours rather than no benchmark
                pass
    return generate, "benchmarks/synth.py"
