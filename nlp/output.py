"""Writing results: JSON Lines to stdout or atomically to a file (temp file, then rename)."""
from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it over ``path`` only when the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a result file should read like any other
    try:
        with os.fdopen(fd, mode, encoding=encoding if "b" not in mode else None) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_writer(path) as fh:
        fh.write(text)


def dumps(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False)


@contextlib.contextmanager
def jsonl_sink(path: str | Path | None) -> Iterator[Any]:
    """Yield a ``write(row)`` function that writes one JSON object per line to stdout or ``path``."""
    if path is None or str(path) == "-":
        out = sys.stdout

        def write(row: dict[str, Any]) -> None:
            out.write(dumps(row) + "\n")

        yield write
        out.flush()
        return
    with atomic_writer(path) as fh:

        def write_file(row: dict[str, Any]) -> None:
            fh.write(dumps(row) + "\n")

        yield write_file


def write_jsonl(rows: Iterable[dict[str, Any]], path: str | Path | None) -> int:
    n = 0
    with jsonl_sink(path) as write:
        for row in rows:
            write(row)
            n += 1
    return n
