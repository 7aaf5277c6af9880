"""Readers: one per format behind :func:`read`, each returning a :class:`~nlp.document.Document`.

Every reader keeps one line per source line (text files), paragraph or table row (.docx), visual
line (.pdf) or block (.html); cleaning never adds or removes lines, so line numbers in outputs
point at the source. Failures raise the typed errors of :mod:`nlp.errors`, naming the file.
Parsers (python-docx, pdfplumber, bs4) are imported only when a file of their kind is read.
"""
from __future__ import annotations

import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from nlp.document import Document
from nlp.errors import (
    EmptyDocumentError,
    InputNotFoundError,
    InputTooLargeError,
    NlpError,
    UnsupportedFormatError,
)
from nlp.read.clean import clean_lines
from nlp.read.limits import Limits
from nlp.read.text import check_text, decode_bytes, split_lines

__all__ = ["SUPPORTED_SUFFIXES", "Limits", "from_text", "iter_paths", "read"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def iter_paths(paths: Iterable[str | Path]) -> Iterator[str]:
    """Files to read: folders walked recursively in sorted order (supported, non-hidden files only);
    paths given as files are passed through as given, so the reader can report unsupported ones."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.suffix.lower() in SUPPORTED_SUFFIXES and not _hidden(f, path) and f.is_file():
                    yield str(f)
        else:
            yield str(p)


def from_text(text: str, doc: str = "<text>") -> Document:
    """A document from text already in memory (cleaned the same way as a file)."""
    if _SURROGATE.search(text):  # lone surrogates cannot be encoded (hashing, JSON, DuckDB): replace them
        text = _SURROGATE.sub("\ufffd", text)
    lines, notes = clean_lines(split_lines(text))
    return Document(doc=doc, lines=lines, format="txt", encoding=None, warnings=notes)


def _finish(name: str, lines: list[str], fmt: str, encoding: str | None,
            hints: dict[int, dict[str, Any]] | None, warnings: list[str]) -> Document:
    lines, notes = clean_lines(lines)
    if not any(s.strip() for s in lines):
        raise EmptyDocumentError(name, "no text (empty or whitespace only)")
    return Document(doc=name, lines=lines, format=fmt, encoding=encoding, hints=dict(hints or {}),
                    warnings=[*warnings, *notes])


def read(path: str | Path, doc: str | None = None, limits: Limits | Mapping[str, Any] | None = None) -> Document:
    """Read one file into a :class:`Document`; ``doc`` names it in the output (default: the path)."""
    lim = Limits.coerce(limits)
    path = Path(path)
    name = doc if doc is not None else str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputNotFoundError(name, "no such file") from None
    except OSError as exc:
        raise InputNotFoundError(name, f"cannot access the file ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):  # (what path.is_dir() asks, from the stat already made)
        raise UnsupportedFormatError(name, "is a folder, not a file", "pass the folder itself to walk it")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFormatError(name, f"unsupported file type {suffix or '(no suffix)'!r}")
    if st.st_size > lim.max_bytes:
        raise InputTooLargeError(name, f"{st.st_size:,} bytes (limit {lim.max_bytes:,})")
    if st.st_size == 0:
        raise EmptyDocumentError(name, "empty file (0 bytes)")
    try:
        return _read(path, name, suffix, lim)
    except NlpError:
        raise
    except MemoryError:
        raise InputTooLargeError(name, "ran out of memory while reading") from None
    except PermissionError as exc:
        raise InputNotFoundError(name, f"permission denied ({exc.strerror or exc})") from None
    except OSError as exc:
        raise InputNotFoundError(name, f"cannot read the file ({exc.strerror or exc})") from None


def _read(path: Path, name: str, suffix: str, lim: Limits) -> Document:
    if suffix in (".txt", ".md"):
        text, encoding, warnings = decode_bytes(path.read_bytes(), name)
        check_text(text, name)
        return _finish(name, split_lines(text), suffix[1:], encoding, None, warnings)
    if suffix == ".docx":
        from nlp.read.docx import read_docx

        lines, hints, warnings = read_docx(path, name, lim)
        return _finish(name, lines, "docx", None, hints, warnings)
    if suffix == ".pdf":
        from nlp.read.pdf import read_pdf

        lines, hints, warnings = read_pdf(path, name, lim)
        return _finish(name, lines, "pdf", None, hints, warnings)
    from nlp.read.html import read_html

    lines, hints, encoding, warnings = read_html(path.read_bytes(), name)
    check_text("\n".join(lines), name)
    return _finish(name, lines, "html", encoding, hints, warnings)
