"""Debris cleaning, line by line and in place: never adds or removes a line.

Converters leave traces of Word's machinery in the text (``[bookmark: _Toc…]`` markers, TOC/PAGEREF/
HYPERLINK field codes), page furniture (``- 3 -``, ``第 3 页 共 10 页``) and odd characters
(zero-width spaces, NBSP, ideographic spaces, control codes). They confuse heading detection
and number parsing downstream, so they go here. No line is ever removed, so line numbers stay those
of the source; a line that holds nothing but debris (a page footer) keeps its text as its own block.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_BOOKMARK = re.compile(r"\[bookmark:\s*[^\]\n]{0,200}\]")
# Word field codes as they leak into plain-text conversions.
_SWITCH = r'(?:\s+\\[a-zA-Z*](?:\s+(?:"[^"\n]{0,200}"|MERGEFORMAT))?)'
_FIELD_CODES = re.compile(
    r"\{?(?:(?<!\s)\s+)?(?:"  # guard: a scan from inside a run of spaces fails at once
    r"TOC" + _SWITCH + r"+"
    r"|PAGEREF\s+_?[\w-]+" + _SWITCH + r"*"
    r"|HYPERLINK(?:\s+\\l)?\s+\"[^\"\n]{0,500}\"" + _SWITCH + r"*"
    r"|\\\*\s*MERGEFORMAT"
    r")\s*\}?"
)
_FIELD_HINT = re.compile(r"TOC|PAGEREF|HYPERLINK|MERGEFORMAT")

_DASH = r"[-—–－―~～_]"
# Whole lines that are page furniture. Bare numbers are NOT here: in text files they are table cells.
_FOOTER = re.compile(
    r"^\s*(?:"
    rf"{_DASH}+\s*\d{{1,4}}\s*{_DASH}+"                               # - 3 -   —23—
    r"|第\s*\d{1,4}\s*页\s*(?:[,，/、]?\s*共\s*\d{1,4}\s*页)?"          # 第 3 页 共 10 页
    r"|共\s*\d{1,4}\s*页\s*[,，/、]?\s*第\s*\d{1,4}\s*页"              # 共 10 页 第 3 页
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"              # Page 3 of 10
    r")\s*$",
    re.IGNORECASE,
)

# Characters that only take space: removed outright.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
# Odd spaces and in-line separators: one ASCII space each, so columns keep their width.
_SPACES = dict.fromkeys(map(ord, "\u00a0\u3000\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                                 "\u202f\u205f\x0b\x0c\x85\u2028\u2029"), " ")
_TABLE = {**_ZERO_WIDTH, **_SPACES}
# Remaining C0/C1 control characters (tab stays: it separates table cells in text exports).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def is_page_footer(line: str) -> bool:
    """A line that is only a page number in one of the usual Chinese/English forms."""
    return bool(_FOOTER.match(line))


def clean_line(line: str, stats: Counter[str] | None = None) -> str:
    """The line without debris; ``""`` when the whole line is page furniture."""
    if "[bookmark" in line:
        line, n = _BOOKMARK.subn("", line)
        if stats is not None:
            stats["bookmarks"] += n
    if _FIELD_HINT.search(line):
        indented = line[:1].isspace()
        line, n = _FIELD_CODES.subn(" ", line)
        if n and not indented:
            line = line.lstrip()
        if stats is not None:
            stats["field_codes"] += n
    if not line.isascii():
        line = line.translate(_TABLE)
    line = _CONTROL.sub("", line)
    line = line.rstrip()
    if line and _FOOTER.match(line):
        if stats is not None:
            stats["page_footers"] += 1
        return ""
    return line


# Any character or word that clean_line() acts on besides trailing space and page footers: a line
# without one of these (and without "[bookmark") comes out of clean_line() as line.rstrip().
_DEBRIS_CHAR = re.compile("[" + "".join(map(chr, _TABLE)) + "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_DEBRIS_HINT = re.compile("TOC|PAGEREF|HYPERLINK|MERGEFORMAT|" + _DEBRIS_CHAR.pattern)


def clean_lines(lines: Iterable[str]) -> tuple[list[str], list[str]]:
    """Cleaned lines (same count) and human-readable notes on what was removed.

    A source line with text never becomes empty: where debris is all a line holds (a page footer
    ``- 3 -``, a lone field code), the line keeps its stripped text, so that it still forms a block
    of its own (labelled ``other`` downstream) and every non-empty source line stays covered.

    Why the two paths: most reports hold no debris at all, so one search over the whole text
    decides whether any line needs the full :func:`clean_line` (the per-line translate alone cost
    half of reading a text file); clean lines are only right-stripped and tried as page footers.
    """
    lines = lines if isinstance(lines, list) else list(lines)
    joined = "\n".join(lines)
    any_debris = ("[bookmark" in joined or "TOC" in joined or "PAGEREF" in joined or "HYPERLINK" in joined
                  or "MERGEFORMAT" in joined or _DEBRIS_CHAR.search(joined) is not None)  # (= _DEBRIS_HINT)
    if not any_debris:
        stripped = list(map(str.rstrip, lines))
        if not any(map(_FOOTER.match, stripped)):
            # (a line blank after rstrip was blank before: no debris-only line to keep)
            return stripped, []
    stats: Counter[str] = Counter()
    out = []
    append = out.append
    footer = _FOOTER.match
    for source in lines:
        if any_debris and ("[bookmark" in source or _DEBRIS_HINT.search(source) is not None):
            cleaned = clean_line(source, stats)
        else:
            cleaned = source.rstrip()
            if cleaned and footer(cleaned):
                stats["page_footers"] += 1
                cleaned = ""
        if not cleaned and source.strip():  # (a cleaned line is right-stripped: blank only when empty)
            cleaned = _CONTROL.sub("", source.strip()) or source.strip()
            stats["debris_only_lines_kept"] += 1
            if _FOOTER.match(source):
                stats["page_footers"] -= 1
        append(cleaned)
    notes = [f"{'kept' if what.endswith('_kept') else 'removed'} {n} {what.replace('_kept', '').replace('_', ' ')}"
             for what, n in sorted(stats.items()) if n > 0]
    return out, notes
