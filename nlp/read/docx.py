"""Word .docx: paragraphs and tables in body order, one line per paragraph or table row.

The zip is vetted before any XML is parsed (sizes, compression ratio, DTDs) because a .docx
is an archive of XML from an unknown author. Empty paragraphs stay as empty lines, so a .docx
made from a text file (one paragraph per line) keeps the text file's line numbers.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from nlp.errors import CorruptDocumentError, UnsafeInputError
from nlp.read.limits import Limits

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_STRICT_OFFICE_DOC = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"

# Subtrees whose text is not part of the paragraph as printed: deletions, field instructions,
# properties, text boxes (anchored elsewhere), and the fallback copy of alternate content.
_SKIP = {W + t for t in ("del", "moveFrom", "pPr", "rPr", "instrText", "delText", "delInstrText",
                         "txbxContent", "footnoteReference", "endnoteReference", "commentReference")}
_SKIP.add(MC + "Fallback")
_HEADING = re.compile(r"^(?:heading|标题|titre|überschrift)\s*([1-9])$", re.IGNORECASE)
_BOLD_MAX_CHARS = 60
_FALSE = {"0", "false", "off"}


def _on(el: Any) -> bool:
    """A w:b / w:vanish style toggle is on unless its w:val says otherwise."""
    return el is not None and el.get(W + "val", "true").lower() not in _FALSE


def vet_zip(path: Path, name: str, limits: Limits) -> None:
    """Refuse archives that are not Word documents or would blow up when unpacked."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise CorruptDocumentError(
            name, "not a .docx: this is an OLE file (a legacy .doc, or a password-protected .docx)",
            "save it as .docx without a password, or as .txt")
    if not zipfile.is_zipfile(path):
        what = "a PDF" if head.startswith(b"%PDF") else "not a ZIP archive"
        raise CorruptDocumentError(name, f"not a .docx: the file is {what}")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_zip_entries:
                raise UnsafeInputError(name, f"{len(infos)} entries in the archive (limit {limits.max_zip_entries})")
            total = sum(i.file_size for i in infos)
            if total > limits.max_docx_uncompressed:
                raise UnsafeInputError(
                    name, f"unpacks to {total:,} bytes (limit {limits.max_docx_uncompressed:,}): a zip bomb?")
            packed = sum(i.compress_size for i in infos)
            for i in infos:
                ratio = i.file_size / max(1, i.compress_size)
                if i.file_size > 1_000_000 and ratio > limits.max_compression_ratio:
                    raise UnsafeInputError(
                        name, f"{i.filename} is compressed {ratio:,.0f}:1 (limit {limits.max_compression_ratio:,.0f}:1): a zip bomb?")
            if total > 1_000_000 and total / max(1, packed) > limits.max_compression_ratio:
                raise UnsafeInputError(name, f"archive is compressed {total / max(1, packed):,.0f}:1: a zip bomb?")
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
                raise CorruptDocumentError(name, "not a .docx: the ZIP has no Office package parts ([Content_Types].xml, _rels/.rels)")
            for i in infos:
                if i.filename.lower().endswith((".xml", ".rels")):
                    _refuse_dtd(zf.read(i), name, i.filename)
            main = _main_part(zf.read("_rels/.rels"), name)
            if main not in names:
                raise CorruptDocumentError(name, f"not a .docx: the main part {main} is missing")
    except zipfile.BadZipFile as exc:
        raise CorruptDocumentError(name, f"damaged ZIP archive ({exc})") from None
    except (zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise CorruptDocumentError(name, f"unreadable ZIP archive ({exc})") from None


def _refuse_dtd(data: bytes, name: str, part: str) -> None:
    """XML with a DTD can define entities (billion laughs) or fetch files (XXE): OOXML never needs one."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16", errors="ignore").encode("utf-8")
    upper = data.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise UnsafeInputError(name, f"{part} declares a DTD/entities (XXE or entity-expansion attack?)")


def _main_part(rels: bytes, name: str) -> str:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(rels)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise CorruptDocumentError(name, f"unreadable package relationships ({exc})") from None
    for rel in root:
        if rel.get("Type") in (_OFFICE_DOC, _STRICT_OFFICE_DOC):
            return rel.get("Target", "").lstrip("/")
    raise CorruptDocumentError(name, "not a .docx: the package names no main document")


class _Styles:
    """Heading level and boldness per style id, resolved through ``basedOn`` chains once."""

    def __init__(self, document: Any) -> None:
        self.para: dict[str, tuple[int | None, bool]] = {}
        self.char_bold: dict[str, bool] = {}
        self.default_para: tuple[int | None, bool] = (None, False)
        self.numbering: dict[str, tuple[str, str | None]] = {}  # style id -> (numId, ilvl or None)
        try:
            root = document.styles.element
        except Exception:  # noqa: BLE001 - a document without styles.xml still reads
            return
        raw: dict[str, Any] = {s.get(W + "styleId"): s for s in root.iter(W + "style")}

        def resolve(sid: str, seen: frozenset[str] = frozenset()) -> tuple[int | None, bool | None]:
            s = raw.get(sid)
            if s is None or sid in seen:
                return None, None
            level: int | None = None
            name_el = s.find(W + "name")
            sname = (name_el.get(W + "val", "") if name_el is not None else "").strip()
            m = _HEADING.match(sname)
            if m:
                level = int(m.group(1))
            elif sname.lower() in ("title", "标题"):
                level = 1
            else:
                lvl = s.find(f"{W}pPr/{W}outlineLvl")
                if lvl is not None and lvl.get(W + "val", "9").isdigit() and int(lvl.get(W + "val", "9")) < 9:
                    level = int(lvl.get(W + "val")) + 1
            b = s.find(f"{W}rPr/{W}b")
            bold = _on(b) if b is not None else None
            based = s.find(W + "basedOn")
            if based is not None and (level is None or bold is None):
                plevel, pbold = resolve(based.get(W + "val", ""), seen | {sid})
                level = level if level is not None else plevel
                bold = bold if bold is not None else pbold
            return level, bold

        def numpr(sid: str, seen: frozenset[str] = frozenset()) -> tuple[str, str | None] | None:
            s = raw.get(sid)
            if s is None or sid in seen:
                return None
            got = _num_pr(s.find(W + "pPr"))
            if got is not None:
                return got
            based = s.find(W + "basedOn")
            return numpr(based.get(W + "val", ""), seen | {sid}) if based is not None else None

        for sid, s in raw.items():
            if s.get(W + "type", "paragraph") == "paragraph":
                got = numpr(sid)
                if got is not None:
                    self.numbering[sid] = got
            level, bold = resolve(sid)
            if s.get(W + "type") == "character":
                self.char_bold[sid] = bool(bold)
            else:
                self.para[sid] = (level, bool(bold))
                if s.get(W + "default") in ("1", "true"):
                    self.default_para = (level, bool(bold))


def _num_pr(ppr: Any) -> tuple[str, str | None] | None:
    """``(numId, ilvl)`` of a pPr's list numbering, if it has any."""
    if ppr is None:
        return None
    num = ppr.find(W + "numPr")
    if num is None:
        return None
    nid = num.find(W + "numId")
    lvl = num.find(W + "ilvl")
    if nid is None:
        return None
    return nid.get(W + "val", "0"), (lvl.get(W + "val") if lvl is not None else None)


_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _chinese(n: int, digits: str = _CN_DIGITS, ten: str = "十") -> str:
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 and ten == "十" else digits[tens]) + ten + (digits[ones] if ones else "")
    return "".join(digits[int(d)] for d in str(n))


def _format_number(n: int, fmt: str) -> str:
    """A list counter as Word prints it for the common ``w:numFmt`` values."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "taiwaneseCountingThousand",
               "japaneseCounting", "koreanCounting"):
        return _chinese(n)
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _CN_LEGAL, "拾")
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return _DIZHI[(n - 1) % 12]
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        out, rest = "", n
        for value, sym in _ROMAN:
            while rest >= value:
                out, rest = out + sym, rest - value
        return out.upper() if fmt == "upperRoman" else out
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


class _Numbering:
    """Word's automatic list numbers ("一、", "（二）", "1.") that python-docx leaves out of the text.

    Chinese reports number their headings this way; without the labels the structure stage would
    not see "一、" at all. Counters are kept per abstract list, as Word does for plain lists.
    """

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[int, str, str, str]]] = {}  # abstractNumId -> ilvl -> spec
        self.style_levels: dict[tuple[str, str], int] = {}  # (abstractNumId, pStyle) -> ilvl
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, start overrides)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # noqa: BLE001 - no numbering part: no list labels
            return
        for absn in root.iter(W + "abstractNum"):
            aid = absn.get(W + "abstractNumId", "")
            levels: dict[int, tuple[int, str, str, str]] = {}
            for lvl in absn.iter(W + "lvl"):
                ilvl = int(lvl.get(W + "ilvl", "0") or 0)
                start = lvl.find(W + "start")
                fmt = lvl.find(W + "numFmt")
                text = lvl.find(W + "lvlText")
                suff = lvl.find(W + "suff")
                pstyle = lvl.find(W + "pStyle")
                val = start.get(W + "val", "1") if start is not None else "1"
                levels[ilvl] = (int(val) if val.lstrip("-").isdigit() else 1,
                                fmt.get(W + "val", "decimal") if fmt is not None else "decimal",
                                text.get(W + "val", "") if text is not None else "",
                                suff.get(W + "val", "tab") if suff is not None else "tab")
                if pstyle is not None:
                    self.style_levels[(aid, pstyle.get(W + "val", ""))] = ilvl
            self.levels[aid] = levels
        for num in root.iter(W + "num"):
            aref = num.find(W + "abstractNumId")
            overrides: dict[int, int] = {}
            for ov in num.iter(W + "lvlOverride"):
                so = ov.find(W + "startOverride")
                if so is not None and so.get(W + "val", "").isdigit():
                    overrides[int(ov.get(W + "ilvl", "0") or 0)] = int(so.get(W + "val"))
            if aref is not None:
                self.nums[num.get(W + "numId", "")] = (aref.get(W + "val", ""), overrides)

    def label(self, num_id: str, ilvl: str | None, style_id: str | None) -> str:
        """The printed label for the next paragraph of this list, with its separator; advances the count."""
        if num_id in ("", "0") or num_id not in self.nums:
            return ""
        aid, overrides = self.nums[num_id]
        levels = self.levels.get(aid)
        if not levels:
            return ""
        if ilvl is not None and ilvl.isdigit():
            level = int(ilvl)
        else:
            level = self.style_levels.get((aid, style_id or ""), 0)
        if level not in levels:
            return ""
        key = f"{aid}/{num_id}" if overrides else aid
        counts = self.counters.setdefault(key, {})
        start = overrides.get(level, levels[level][0])
        counts[level] = counts[level] + 1 if level in counts else start
        for deeper in [k for k in counts if k > level]:
            del counts[deeper]
        _, fmt, text, suff = levels[level]
        if fmt == "bullet" or not text:
            return ""

        def fill(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            if k not in levels:
                return ""
            n = counts.get(k, overrides.get(k, levels[k][0]))
            return _format_number(n, levels[k][1])

        out = re.sub(r"%([1-9])", fill, text)
        if not out.strip():
            return ""
        if suff == "nothing" or out[-1] in "、，,．）)】]：:":
            return out
        return out + " "


def _para_text(p: Any, char_bold: dict[str, bool] | None = None) -> tuple[str, bool | None, Any]:
    """Printed text of a paragraph, whether every visible run is bold (None: unknown), its pPr."""
    parts: list[str] = []
    bold_flags: list[bool | None] = []

    def walk(el: Any, run_bold: bool | None) -> None:
        for ch in el:
            tag = ch.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == W + "r":
                rpr = ch.find(W + "rPr")
                if rpr is not None and _on(rpr.find(W + "vanish")):
                    continue  # hidden text
                b: bool | None = None
                if rpr is not None:
                    bel = rpr.find(W + "b")
                    if bel is not None:
                        b = _on(bel)
                    else:
                        rs = rpr.find(W + "rStyle")
                        if rs is not None:
                            b = (char_bold or {}).get(rs.get(W + "val", ""))
                walk(ch, b)
            elif tag == W + "t":
                text = ch.text or ""
                parts.append(text)
                if text.strip():
                    bold_flags.append(run_bold)
            elif tag in (W + "tab", W + "ptab"):
                parts.append("\t")
            elif tag in (W + "br", W + "cr"):
                if ch.get(W + "type") not in ("page", "column"):
                    parts.append(" ")
            elif tag == W + "noBreakHyphen":
                parts.append("-")
            else:
                walk(ch, run_bold)

    walk(p, None)
    text = "".join(parts)
    if not bold_flags:
        all_bold: bool | None = False
    elif all(f is True for f in bold_flags):
        all_bold = True
    elif any(f is False for f in bold_flags):
        all_bold = False
    else:
        all_bold = None  # some runs inherit: the paragraph style decides
    return text, all_bold, p.find(W + "pPr")


def _cell_text(tc: Any) -> str:
    texts = [_para_text(p)[0].strip() for p in tc.iter(W + "p")]
    return " ".join(t for t in texts if t).replace("|", "｜")


def _row_cells(tr: Any) -> list[str]:
    cells: list[str] = []
    for tc in tr.iter(W + "tc"):
        # Only this row's own cells: skip cells of tables nested inside a cell.
        parent = tc.getparent()
        while parent is not None and parent.tag != W + "tr":
            parent = parent.getparent()
        if parent is not tr:
            continue
        vmerge = tc.find(f"{W}tcPr/{W}vMerge")
        if vmerge is not None and vmerge.get(W + "val", "continue") != "restart":
            cells.append("")  # continuation of a vertically merged cell: its text is in the row above
            continue
        cells.append(_cell_text(tc))
    return cells


def read_docx(path: Path, name: str, limits: Limits) -> tuple[list[str], dict[int, dict[str, Any]], list[str]]:
    """``(lines, hints, warnings)`` for a .docx file."""
    vet_zip(path, name, limits)
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise CorruptDocumentError(name, "python-docx is not installed", "pip install python-docx") from exc
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds; all mean "cannot open"
        raise CorruptDocumentError(name, f"cannot open as Word document ({type(exc).__name__}: {exc})") from None
    styles = _Styles(document)
    numbering = _Numbering(document)
    lines: list[str] = []
    hints: dict[int, dict[str, Any]] = {}
    tables = 0

    def para(p: Any) -> None:
        text, all_bold, ppr = _para_text(p, styles.char_bold)
        level, style_bold = styles.default_para
        style_id: str | None = None
        if ppr is not None:
            ps = ppr.find(W + "pStyle")
            if ps is not None:
                style_id = ps.get(W + "val", "")
                level, style_bold = styles.para.get(style_id, (None, False))
            ol = ppr.find(W + "outlineLvl")
            if ol is not None and ol.get(W + "val", "9").isdigit():
                v = int(ol.get(W + "val", "9"))
                level = v + 1 if v < 9 else None
        num = _num_pr(ppr) or (styles.numbering.get(style_id) if style_id else None)
        if num is not None:
            label = numbering.label(num[0], num[1], style_id)
            if label and text.strip():
                text = label + text.lstrip()
        lines.append(text)
        stripped = text.strip()
        if not stripped:
            return
        if level is not None:
            hints[len(lines)] = {"heading": level}
        elif len(stripped) <= _BOLD_MAX_CHARS and (all_bold or (all_bold is None and style_bold)):
            hints[len(lines)] = {"bold": True}

    def table(tbl: Any) -> None:
        nonlocal tables
        t = tables
        tables += 1
        for r, tr in enumerate(tr for tr in tbl.iter(W + "tr") if _owner_table(tr) is tbl):
            cells = _row_cells(tr)
            if any(c for c in cells):
                lines.append("| " + " | ".join(cells) + " |")
                hints[len(lines)] = {"table": t, "row": r}
            else:
                lines.append("")

    def body(container: Any) -> None:
        for ch in container:
            tag = ch.tag
            if tag == W + "p":
                para(ch)
            elif tag == W + "tbl":
                table(ch)
            elif tag in (W + "sdt",):
                content = ch.find(W + "sdtContent")
                if content is not None:
                    body(content)
            elif tag in (W + "customXml", W + "ins", W + "moveTo", W + "smartTag"):
                body(ch)

    try:
        body(document.element.body)
    except Exception as exc:  # noqa: BLE001 - malformed XML structures surface here
        raise CorruptDocumentError(name, f"unreadable document body ({type(exc).__name__}: {exc})") from None
    return lines, hints, []


def _owner_table(tr: Any) -> Any:
    parent = tr.getparent()
    while parent is not None and parent.tag != W + "tbl":
        parent = parent.getparent()
    return parent
