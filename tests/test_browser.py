"""The HTML brief in a real browser: it renders, its script runs cleanly, planted scripts do not.

Needs headless Chromium (Debian package ``chromium``); skipped with a reason when it is absent.
Keeps a screenshot at ``out/brief.png`` for a person to look at.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from nlp.brief import Brief, build_brief
from nlp.brief.render import TITLE
from nlp.document import Document, Report, Statement

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_TXT = ROOT / "corpora" / "sample" / "txt"
OUT = ROOT / "out"

# Each payload would leave a trace in the DOM if it ran: a changed title, an attribute or an element.
PAYLOADS = [
    "<script>document.title='PWNED';var e=document.createElement('div');e.id='pwned';"
    "document.body.appendChild(e)</script>",
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">",
    "<svg onload=\"document.body.setAttribute('data-pwned','svg')\"></svg>",
    "[详见附件](javascript:document.body.setAttribute('data-pwned','link'))",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "/usr/bin/chromium"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")


def _run_chromium(args: list[str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _dump_dom(page: Path) -> tuple[str, str]:
    done = _run_chromium(["--dump-dom", page.as_uri()])
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def _own_reports() -> list[Report]:
    """A few reports in our own words, used when the sample corpus or the statement stage is absent."""
    rows = {
        "甲单位.txt": ["三、存在的问题", "预算执行进度不均衡，下半年支出集中", "绩效目标设置不够细化",
                     "四、改进措施", "加强预算执行监控"],
        "乙单位.txt": ["二、存在问题", "项目资金到位晚，预算执行进度偏慢", "三、下一步工作", "加强预算执行监控，按月通报"],
        "丙单位.txt": ["五、存在的问题", "绩效目标不够细化量化", "资产管理不规范"],
    }
    reports = []
    for doc, lines in rows.items():
        stmts, type_ = [], "problem"
        for i, text in enumerate(lines, 1):
            if "、" in text[:3]:
                type_ = "measure" if ("措施" in text or "下一步" in text) else "problem"
                continue
            key = "执行" if "执行" in text else ("目标" if "目标" in text else text)
            stmts.append(Statement(doc=doc, line=i, type=type_, text=text, cluster=f"{type_}:{key}",
                                   theme=f"{type_}:{key}", boilerplate=0.6 if "加强" in text else 0.2))
        reports.append(Report(doc=doc, document=Document(doc=doc, lines=lines), statements=stmts))
    return reports


def _sample_reports() -> list[Report]:
    if not SAMPLE_TXT.is_dir():
        return _own_reports()
    try:
        import nlp.statements  # noqa: F401
    except ImportError:
        return _own_reports()
    import nlp
    from nlp.pipeline import link_reports

    pipe = nlp.load(stages=("structure", "sections", "statements"))
    reports = [pipe(p) for p in sorted(SAMPLE_TXT.glob("*.txt"))]
    link_reports(reports)
    return reports


def _planted() -> Report:
    """A report whose every text field carries a payload."""
    doc = "planted/<img src=x onerror=alert(1)>.txt"
    lines = ["三、存在的问题", *PAYLOADS, "无"]
    stmts = [Statement(doc=doc, line=i, type="problem", text=t, cluster=f"planted{i}", boilerplate=0.9)
             for i, t in enumerate(PAYLOADS, 2)]
    return Report(doc=doc, document=Document(doc=doc, lines=lines), statements=stmts,
                  department="<script>document.title='PWNED-DEPT'</script>", no_problems_stated=True,
                  no_problems_line=2)  # shown in the "no problems" table whatever the themes are


@pytest.fixture(scope="module")
def sample() -> list[Report]:
    return _sample_reports()


@pytest.fixture(scope="module")
def rendered(sample: list[Report], tmp_path_factory: pytest.TempPathFactory) -> tuple[Brief, Path, str, str]:
    reports = [*sample, _planted()]
    brief = build_brief(reports, max_themes=0, link=False)
    page = tmp_path_factory.mktemp("brief") / "brief.html"
    brief.write(page)
    dom, log = _dump_dom(page)
    return brief, page, dom, log


def test_harness_sees_a_script_that_runs(tmp_path: Path) -> None:
    """Control: the same checks do catch an unescaped payload, so their silence below means something."""
    page = tmp_path / "control.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>t</title></head><body>{PAYLOADS[0]}"
                    "<script>null.x()</script></body></html>", encoding="utf-8")
    dom, log = _dump_dom(page)
    assert "<title>PWNED</title>" in dom and 'id="pwned"' in dom
    assert "Uncaught" in log


def test_brief_renders_in_chromium(rendered: tuple[Brief, Path, str, str]) -> None:
    import lxml.html

    brief, _, dom, log = rendered
    tree = lxml.html.document_fromstring(dom)
    assert tree.get("data-brief-ready") == "1"  # our little script ran to its end
    assert "Uncaught" not in log and "Refused to" not in log  # no errors, nothing blocked
    text = tree.text_content()
    assert brief.problems, "the brief has no problem themes"
    for theme in brief.problems + brief.measures:
        assert theme.title in text
    charts = tree.xpath("//svg")
    assert len(charts) == (1 if brief.problems else 0) + (1 if brief.measures else 0)
    assert len(charts[0].xpath(".//rect")) == len(brief.problems)
    assert len(tree.xpath("//details[contains(@class,'theme')]")) == len(brief.problems) + len(brief.measures)
    assert len(tree.xpath("//button")) == 2  # expand / collapse, added by the script
    assert tree.xpath("//section[@id='boilerplate']//table") and tree.xpath("//section[@id='no-problems']")


def test_planted_scripts_do_not_run(rendered: tuple[Brief, Path, str, str]) -> None:
    import lxml.html

    _, _, dom, _ = rendered
    tree = lxml.html.document_fromstring(dom)
    assert tree.findtext(".//title") == TITLE
    assert not tree.xpath("//*[@id='pwned']") and not tree.xpath("//*[@data-pwned]")
    assert len(tree.xpath("//script")) == 1 and not tree.xpath("//img")
    assert all(h.startswith("#") for h in tree.xpath("//@href"))
    text = tree.text_content()
    for payload in PAYLOADS:
        assert payload in text  # shown as text, in full


def test_screenshot(sample: list[Report], tmp_path: Path) -> None:
    """The brief of the sample corpus alone (no planted report), as a reader would get it."""
    page = tmp_path / "brief.html"
    build_brief(sample, link=False).write(page)
    OUT.mkdir(exist_ok=True)
    shot = OUT / "brief.png"
    shot.unlink(missing_ok=True)
    done = _run_chromium([f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri()])
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
