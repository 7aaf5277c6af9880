"""Readers: one per format behind :func:`read`. (Minimal bootstrap; the readers module grows here.)"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from nlp.document import Document
from nlp.errors import EmptyDocumentError, EncodingError, InputNotFoundError, UnsupportedFormatError

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")


def iter_paths(paths: Iterable[str | Path]) -> Iterator[str]:
    """Files under the given paths (folders walked recursively, sorted), as found."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield str(f)
        else:
            yield str(p)


def from_text(text: str, doc: str = "<text>") -> Document:
    """A document from text already in memory."""
    return Document(doc=doc, lines=text.split("\n"), format="txt", encoding="utf-8")


def read(path: str | Path, doc: str | None = None) -> Document:
    path = Path(path)
    name = doc if doc is not None else str(path)
    if not path.exists():
        raise InputNotFoundError(name, "no such file")
    if path.suffix.lower() not in (".txt", ".md"):
        raise UnsupportedFormatError(name, f"unsupported file type {path.suffix!r}")
    data = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise EncodingError(name, "not UTF-8 or GB18030")
    if not text.strip():
        raise EmptyDocumentError(name, "empty file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(doc=name, lines=text.split("\n"), format=path.suffix.lower().lstrip("."), encoding=enc)
