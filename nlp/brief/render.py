"""Markdown and HTML renderings of the brief.

Report text is hostile until proven otherwise: in HTML every piece of it goes through
``html.escape`` and never into an attribute that loads or links anything (``href``/``src`` only
ever hold our own ``#fragment`` ids); in Markdown every metacharacter is escaped, so a line like
``[x](javascript:…)`` or ``<img onerror=…>`` shows as the literal text it is. The HTML page is one
self-contained file: inline CSS, an inline SVG chart, a tiny inline script (allowed by its hash in
the Content-Security-Policy, which forbids every external load) that the page does not need.
"""
from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import TYPE_CHECKING

from nlp.brief.model import BOILERPLATE_CUTOFF, BriefTheme, ReportLine, cite, short_doc
from nlp.document import Statement

if TYPE_CHECKING:  # pragma: no cover
    from nlp.brief.model import Brief

TITLE = "预算绩效自评报告 · 领导简报"
SECTION_NAMES = {"problems": "主要问题", "measures": "改进措施"}
TYPE_WORD = {"problems": "问题", "measures": "措施"}


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f}%"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


# -- Markdown ---------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~^$])")
_MD_LEADING = re.compile(r"^(\s*)([-+=>]|\d+[.)])")


def md_escape(text: str | None) -> str:
    """Report text as literal Markdown: HTML neutralised, metacharacters backslash-escaped."""
    if text is None:
        return ""
    s = _one_line(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    # A line-opening "- ", "1." or "=" would start a list / heading underline: escape its last char.
    return _MD_LEADING.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], s)


def md_code(text: str, table: bool = False) -> str:
    """Text as a Markdown code span (literal: no escapes, no HTML), fenced past any backtick run."""
    s = _one_line(text)
    if table:  # GFM splits table cells at "|" even inside code spans, unless escaped
        s = s.replace("|", "\\|")
    fence = "`" * (max((len(m) for m in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s.strip() else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def _lines_text(lines: list[int], limit: int = 12) -> str:
    shown = ", ".join(str(n) for n in lines[:limit])
    return shown if len(lines) <= limit else f"{shown} 等 {len(lines)} 处"


def _md_cite(doc: str, line: int | None, table: bool = False) -> str:
    return md_code(cite(doc, line) if line is not None else short_doc(doc), table=table)


def grouped(statements: list[Statement]) -> list[tuple[str, str, list[int]]]:
    """Statements saying the very same words in one report, as (doc, text, lines), in order."""
    groups: dict[tuple[str, str], list[int]] = {}
    for s in statements:
        groups.setdefault((s.doc, s.text.strip()), []).append(s.line)
    return [(doc, text, lines) for (doc, text), lines in groups.items()]


def _md_theme(n: int, theme: BriefTheme, depts: dict[str, str]) -> list[str]:
    out = [
        f"### {n}. {md_escape(theme.title)}（{theme.reach} 份报告）",
        "",
        md_escape(theme.summary),
        "",
        f"套话度 {theme.boilerplate:.2f} · {len(theme.statements)} 条表述：",
        "",
    ]
    for doc, text, lines in grouped(theme.statements):
        dept = f"{md_escape(depts[doc])}：" if depts.get(doc) else ""
        where = md_code(f"{short_doc(doc)}:{_lines_text(lines)}")
        out.append(f"- {where} {dept}{md_escape(clip(text))}")
    out.append("")
    return out


SHOW_MAX = 240  # statements longer than this (a mis-split table, say) are shown clipped; JSON keeps all


def clip(text: str, n: int = SHOW_MAX) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _dept(r: ReportLine) -> str:
    return r.department or ""


def render_markdown(brief: Brief) -> str:
    n_prob = sum(r.problems for r in brief.reports)
    n_meas = sum(r.measures for r in brief.reports)
    depts = {r.doc: r.department for r in brief.reports if r.department}
    out = [
        f"# {TITLE}",
        "",
        f"- 报告数：{brief.n_reports}",
        f"- 问题表述：{n_prob} 条，归为 {len(brief.problems) + brief.omitted.get('problems', 0)} 个主题"
        f"（下列前 {len(brief.problems)} 个）",
        f"- 措施表述：{n_meas} 条，归为 {len(brief.measures) + brief.omitted.get('measures', 0)} 个主题"
        f"（下列前 {len(brief.measures)} 个）",
        f"- 问题表述的套话占比（各报告平均）：{_pct(brief.boilerplate_share)}",
        f"- 自称“无问题”的报告：{len(brief.no_problems)} 份；未找到问题表述的报告：{len(brief.silent)} 份",
        "",
    ]
    for i, key in enumerate(("problems", "measures")):
        themes = getattr(brief, key)
        out += [f"## {'一二'[i]}、{SECTION_NAMES[key]}（按涉及报告数排序）", ""]
        if not themes:
            out += [f"未找到{TYPE_WORD[key]}表述。", ""]
        for n, theme in enumerate(themes, 1):
            out += _md_theme(n, theme, depts)
    out += ["## 三、自称“无问题”的报告", ""]
    if brief.no_problems:
        for r in brief.no_problems:
            where = _md_cite(r.doc, r.no_problems_line)
            said = f"：{md_escape(r.no_problems_text)}" if r.no_problems_text else ""
            dept = f" {md_escape(_dept(r))}" if r.department else ""
            out.append(f"- {where}{dept}{said}")
    else:
        out.append("无。")
    if brief.silent:
        out += ["", f"未找到问题表述（也未声明无问题）的报告 {len(brief.silent)} 份：", ""]
        out.append("、".join(md_code(short_doc(r.doc)) + (f"（{md_escape(r.department)}）" if r.department else "")
                            for r in brief.silent))
    out += ["", "## 四、套话最多的报告", ""]
    heavy = brief.boilerplate_heavy
    if heavy:
        out += ["| 报告 | 部门 | 问题表述 | 套话占比 | 例 |", "| --- | --- | ---: | ---: | --- |"]
        for r in heavy:
            ex = "；".join(f"{_md_cite(s.doc, s.line, table=True)} {md_escape(s.text)}" for s in r.examples[:1])
            out.append(f"| {md_code(short_doc(r.doc), table=True)} | {md_escape(_dept(r))} | {r.problems} | "
                       f"{_pct(r.boilerplate_share)} | {ex} |")
    else:
        out.append("无。")
    out += ["", "---", "",
            f"说明：主题标题为关键词，摘要为计数加原文引用；每条表述注明“文件:行号”，可回溯原文。"
            f"套话度 ≥ {BOILERPLATE_CUTOFF} 的问题表述计为套话。", ""]
    return "\n".join(out)


# -- HTML -------------------------------------------------------------------------------------
def esc(text: object) -> str:
    """Escape any text for HTML element content and quoted attribute values."""
    return html.escape("" if text is None else str(text), quote=True)


CSS = """
:root{--ink:#1f2933;--muted:#616e7c;--line:#d9e2ec;--bg:#f5f7fa;--prob:#c0392b;--meas:#2e7d32;--warn:#b7791f}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
 font:15px/1.6 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Zen Hei",sans-serif}
main{max-width:1080px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:36px 0 12px;padding-bottom:6px;border-bottom:2px solid var(--line)}
.lede{color:var(--muted);margin:0 0 18px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card b{display:block;font-size:26px;line-height:1.2}
.card span{color:var(--muted);font-size:13px}
.chart{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px;overflow-x:auto}
.chart svg{display:block;max-width:100%;height:auto}
details.theme{background:#fff;border:1px solid var(--line);border-radius:8px;margin:10px 0;padding:0 14px}
details.theme>summary{cursor:pointer;padding:10px 0;list-style-position:outside}
details.theme>summary .t{font-weight:600;font-size:16px}
details.theme[open]>summary{border-bottom:1px solid var(--line)}
.pill{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;margin-left:6px;
 background:#eef2f7;color:var(--muted);white-space:nowrap}
.pill.reach{background:#fdecea;color:var(--prob)}
.measures .pill.reach{background:#e8f5e9;color:var(--meas)}
.pill.bp{background:#fff4e0;color:var(--warn)}
.sum{display:block;margin:4px 0 0;color:var(--ink)}
ol.st{margin:8px 0 12px;padding-left:22px}
ol.st li{margin:3px 0}
.cite{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px;color:var(--muted);
 background:#f0f4f8;border-radius:4px;padding:0 4px;margin-right:6px;word-break:break-all}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef2f7;font-weight:600;font-size:13px;white-space:nowrap}
td.n{text-align:right;white-space:nowrap}
.dept{color:var(--muted);font-size:13px;margin-right:6px}
.dept::after{content:"："}
.bar{display:inline-block;height:8px;background:var(--warn);border-radius:4px;vertical-align:middle;margin-right:6px}
.note{color:var(--muted);font-size:13px;margin-top:36px}
#tools{margin:8px 0}
#tools button{font:inherit;font-size:13px;margin-right:8px;padding:2px 10px;border:1px solid var(--line);
 border-radius:6px;background:#fff;cursor:pointer}
.empty{color:var(--muted)}
details.silent{margin-top:12px}details.silent>summary{cursor:pointer;color:var(--muted)}
details.silent ul{columns:3;font-size:13px}
@media print{details.theme{break-inside:avoid}#tools{display:none}}
"""

# Progressive enhancement only: expand/collapse buttons, then a marker that the script ran.
SCRIPT = (
    "(function(){var d=document,t=d.getElementById('tools');"
    "if(t){[['全部展开',true],['全部收起',false]].forEach(function(p){"
    "var b=d.createElement('button');b.type='button';b.textContent=p[0];"
    "b.addEventListener('click',function(){d.querySelectorAll('details.theme').forEach("
    "function(x){x.open=p[1];});});t.appendChild(b);});t.hidden=false;}"
    "d.documentElement.setAttribute('data-brief-ready','1');})();"
)


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _truncate(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def svg_chart(themes: list[BriefTheme], prefix: str, color: str, n_reports: int, label: str) -> str:
    """A horizontal bar chart of themes by number of reports; each bar links to its theme."""
    if not themes:
        return ""
    row, left, width, bar_w = 28, 300, 820, 440
    top = 26
    height = top + row * len(themes) + 10
    peak = max(max(t.reach for t in themes), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{esc(label)}">',
        f"<title>{esc(label)}</title>",
        f'<text x="{left}" y="16" font-size="12" fill="#616e7c">涉及报告数（共 {n_reports} 份）</text>',
    ]
    for i, t in enumerate(themes):
        y = top + i * row
        w = max(2.0, bar_w * t.reach / peak)
        name = _truncate(f"{i + 1}. {t.title}", 22)
        parts.append(
            f'<a href="#{prefix}-{i + 1}"><g class="bar-row">'
            f"<title>{esc(t.title)}：{t.reach} 份报告</title>"
            f'<text x="{left - 8}" y="{y + 18}" text-anchor="end" font-size="13" fill="#1f2933">{esc(name)}</text>'
            f'<rect x="{left}" y="{y + 5}" width="{w:.1f}" height="18" rx="3" fill="{color}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + 18}" font-size="12" fill="#1f2933">{t.reach}</text>'
            "</g></a>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _html_cite(doc: str, line: int | None) -> str:
    text = cite(doc, line) if line is not None else short_doc(doc)
    return f'<span class="cite" title="{esc(doc)}">{esc(text)}</span>'


def _html_theme(i: int, prefix: str, t: BriefTheme, depts: dict[str, str]) -> str:
    items = "".join(
        f'<li><span class="cite" title="{esc(doc)}">{esc(short_doc(doc))}:{esc(_lines_text(lines))}</span>'
        + (f'<span class="dept">{esc(depts[doc])}</span>' if depts.get(doc) else "")
        + (f'<span title="{esc(text)}">{esc(clip(text))}</span></li>' if len(text) > SHOW_MAX
           else f"{esc(text)}</li>")
        for doc, text, lines in grouped(t.statements)
    )
    return (
        f'<details class="theme" id="{prefix}-{i}">'
        f'<summary><span class="t">{i}. {esc(t.title)}</span>'
        f'<span class="pill reach">{t.reach} 份报告</span>'
        f'<span class="pill">{len(t.statements)} 条表述</span>'
        f'<span class="pill bp">套话度 {t.boilerplate:.2f}</span>'
        f'<span class="sum">{esc(t.summary)}</span></summary>'
        f'<ol class="st">{items}</ol></details>'
    )


def _html_section(brief: Brief, key: str, number: str, prefix: str, color: str) -> str:
    themes: list[BriefTheme] = getattr(brief, key)
    name = SECTION_NAMES[key]
    head = f'<section class="{key}" id="{key}"><h2>{number}、{name}（按涉及报告数排序）</h2>'
    if not themes:
        return head + f'<p class="empty">未找到{TYPE_WORD[key]}表述。</p></section>'
    omitted = brief.omitted.get(key, 0)
    more = f"；另有 {omitted} 个主题涉及的报告较少，未列出" if omitted else ""
    chart = svg_chart(themes, prefix, color, brief.n_reports, f"{name}主题：涉及报告数")
    depts = {r.doc: r.department for r in brief.reports if r.department}
    body = "".join(_html_theme(i, prefix, t, depts) for i, t in enumerate(themes, 1))
    return (head + f'<div class="chart">{chart}</div>'
            f'<p class="lede">点击主题查看全部原文表述及其出处（文件:行号）{esc(more)}。</p>'
            + body + "</section>")


def _html_no_problems(brief: Brief) -> str:
    out = ['<section id="no-problems"><h2>三、自称“无问题”的报告</h2>']
    if brief.no_problems:
        out.append("<table><thead><tr><th>报告</th><th>部门</th><th>原文</th></tr></thead><tbody>")
        for r in brief.no_problems:
            out.append(f"<tr><td>{_html_cite(r.doc, r.no_problems_line)}</td><td>{esc(_dept(r))}</td>"
                       f"<td>{esc(r.no_problems_text or '')}</td></tr>")
        out.append("</tbody></table>")
    else:
        out.append('<p class="empty">无。</p>')
    if brief.silent:
        out.append(f'<details class="silent"><summary>未找到问题表述（也未声明无问题）的报告 '
                   f"{len(brief.silent)} 份</summary><ul>")
        out += [f"<li>{_html_cite(r.doc, None)}{esc(_dept(r))}</li>" for r in brief.silent]
        out.append("</ul></details>")
    out.append("</section>")
    return "".join(out)


def _html_boilerplate(brief: Brief) -> str:
    out = ['<section id="boilerplate"><h2>四、套话最多的报告</h2>',
           f'<p class="lede">问题表述的套话占比（各报告平均）：{_pct(brief.boilerplate_share)}。'
           f"套话度 ≥ {BOILERPLATE_CUTOFF} 的表述计为套话。</p>"]
    heavy = brief.boilerplate_heavy
    if not heavy:
        out.append('<p class="empty">无。</p></section>')
        return "".join(out)
    out.append("<table><thead><tr><th>报告</th><th>部门</th><th>问题表述</th><th>套话占比</th>"
               "<th>例</th></tr></thead><tbody>")
    for r in heavy:
        share = r.boilerplate_share or 0.0
        ex = "".join(f"<div>{_html_cite(s.doc, s.line)}{esc(s.text)}</div>" for s in r.examples[:1])
        out.append(
            f"<tr><td>{_html_cite(r.doc, None)}</td><td>{esc(_dept(r))}</td><td class=\"n\">{r.problems}</td>"
            f'<td class="n"><span class="bar" style="width:{share * 60:.0f}px"></span>{_pct(share)}</td>'
            f"<td>{ex}</td></tr>"
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def render_html(brief: Brief) -> str:
    from nlp import __version__

    n_prob = sum(r.problems for r in brief.reports)
    n_meas = sum(r.measures for r in brief.reports)
    csp = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
           f"script-src '{_script_hash(SCRIPT)}'; base-uri 'none'; form-action 'none'")
    cards = [
        (brief.n_reports, "份报告"),
        (len(brief.problems) + brief.omitted.get("problems", 0), f"类问题（{n_prob} 条表述）"),
        (len(brief.measures) + brief.omitted.get("measures", 0), f"类措施（{n_meas} 条表述）"),
        (_pct(brief.boilerplate_share), "问题表述套话占比"),
        (len(brief.no_problems), "份报告自称无问题"),
    ]
    card_html = "".join(f'<div class="card"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for v, k in cards)
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(TITLE)}</title><style>{CSS}</style></head>",
        "<body><main>",
        f"<header><h1>{esc(TITLE)}</h1>",
        f'<p class="lede">汇总 {brief.n_reports} 份报告中的问题与改进措施，按涉及报告数排序；'
        "每条表述注明出处（文件:行号）。</p>",
        f'<div class="cards">{card_html}</div><div id="tools" hidden></div></header>',
        _html_section(brief, "problems", "一", "p", "#c0392b"),
        _html_section(brief, "measures", "二", "m", "#2e7d32"),
        _html_no_problems(brief),
        _html_boilerplate(brief),
        f'<p class="note">由 nlp {esc(__version__)} 自动生成。主题标题为关键词，摘要为计数加原文引用，'
        "不含生成的评价；报告原文均按文本显示。</p>",
        f"</main><script>{SCRIPT}</script></body></html>\n",
    ])
