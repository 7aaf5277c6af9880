"""The ranking as a self-contained HTML page and as a CSV safe to open in a spreadsheet.

HTML: inline CSS, every piece of report text escaped, no links made from report text, rows already
sorted by score (so the page is useful without JavaScript); a tiny inline script sorts by any column
when a header is clicked. CSV: cells starting with = + - @ tab or CR get a leading single quote so
a spreadsheet never evaluates them as formulas.
"""
from __future__ import annotations

import csv as _csv
import html
from pathlib import Path
from typing import Any

from nlp.output import atomic_writer

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A cell value a spreadsheet will not run as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


CSV_COLUMNS = ("rank", "doc", "score", "n_flags", "department", "year", "flags", "reasons")


def write_csv(ranking: list[dict[str, Any]], path: str | Path) -> None:
    """One row per document, highest score first; flags as ``code@line`` and their reasons."""
    with atomic_writer(path, encoding="utf-8-sig") as fh:
        w = _csv.writer(fh)  # RFC 4180: CRLF rows, so a CR inside a cell gets quoted
        w.writerow(CSV_COLUMNS)
        for row in ranking:
            flags = row["flags"]
            w.writerow([csv_safe(v) for v in (
                row["rank"], row["doc"], row["score"], row["n_flags"], row.get("department") or "",
                row.get("year") if row.get("year") is not None else "",
                "; ".join(f"{f['code']}@{f['line']}" for f in flags),
                " | ".join(f"line {f['line']}: {f['reason']}" for f in flags),
            )])


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:24px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:0 0 4px}p.meta{color:#5b6475;margin:0 0 16px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e3e6ec;padding:6px 8px;
text-align:left;vertical-align:top}th{background:#f4f6fa;position:sticky;top:0;cursor:pointer;
white-space:nowrap}th.num,td.num{text-align:right}td.doc{word-break:break-all;max-width:28em}
ul.flags{margin:0;padding-left:1.1em}ul.flags li{margin:0 0 2px}code{background:#f4f6fa;padding:0 3px;
border-radius:3px}.w{color:#9a3412;font-weight:600}.none{color:#8a93a3}
section{margin-top:28px}
"""

_SCRIPT = """
(function(){var t=document.getElementById('ranking');if(!t)return;var hs=t.tHead.rows[0].cells;
for(var i=0;i<hs.length;i++){(function(c){var asc=false;hs[c].addEventListener('click',function(){
asc=!asc;var b=t.tBodies[0],rs=Array.prototype.slice.call(b.rows);rs.sort(function(x,y){
var a=x.cells[c].getAttribute('data-v')||x.cells[c].textContent,z=y.cells[c].getAttribute('data-v')||y.cells[c].textContent;
var na=parseFloat(a),nz=parseFloat(z);var r=(!isNaN(na)&&!isNaN(nz))?na-nz:a.localeCompare(z);return asc?r:-r;});
rs.forEach(function(r){b.appendChild(r);});});})(i);}})();
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def render_html(ranking: list[dict[str, Any]], failures: list[dict[str, Any]], title: str = "Triage",
                stats: dict[str, Any] | None = None) -> str:
    """The page as a string (see :func:`write_html`)."""
    stats = stats or {}
    out: list[str] = [
        "<!DOCTYPE html>", '<html lang="zh"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">{_e(len(ranking))} reports ranked by how much they deserve a reader\'s time '
        f"(score = sum of flag weights); {_e(len(failures))} files could not be read."
        + "".join(f" {_e(k)}: {_e(v)}." for k, v in stats.items()) + "</p>",
        '<table id="ranking"><thead><tr><th class="num">#</th><th>report</th><th class="num">score</th>'
        "<th>department</th><th class=\"num\">year</th><th>red flags (line: reason)</th></tr></thead><tbody>",
    ]
    for row in ranking:
        flags = row["flags"]
        if flags:
            items = "".join(
                f'<li><code>{_e(f["code"])}</code> <span class="w">+{_e(f["weight"])}</span> '
                f"line {_e(f['line'])}: {_e(f['reason'])}</li>" for f in flags)
            cell = f'<ul class="flags">{items}</ul>'
        else:
            cell = '<span class="none">no flags</span>'
        out.append(
            f'<tr><td class="num" data-v="{_e(row["rank"])}">{_e(row["rank"])}</td>'
            f'<td class="doc">{_e(row["doc"])}</td>'
            f'<td class="num" data-v="{_e(row["score"])}">{_e(row["score"])}</td>'
            f"<td>{_e(row.get('department') or '')}</td>"
            f'<td class="num">{_e(row.get("year") or "")}</td><td data-v="{_e(len(flags))}">{cell}</td></tr>')
    out.append("</tbody></table>")
    if failures:
        out.append("<section><h2>Files that could not be processed</h2><table><thead><tr><th>file</th>"
                   "<th>error</th><th>reason</th></tr></thead><tbody>")
        for f in failures:
            out.append(f'<tr><td class="doc">{_e(f["doc"])}</td><td><code>{_e(f["error"])}</code> '
                       f"{_e(f['exc_type'])}</td><td>{_e(f['message'])}</td></tr>")
        out.append("</tbody></table></section>")
    out.append(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(out) + "\n"


def write_html(ranking: list[dict[str, Any]], failures: list[dict[str, Any]], path: str | Path,
               title: str = "Triage: reports to read first", stats: dict[str, Any] | None = None) -> None:
    with atomic_writer(path) as fh:
        fh.write(render_html(ranking, failures, title=title, stats=stats))
