"""The DuckDB store of a triage run: schema, resume bookkeeping, one transaction per batch.

Only the parent process opens the database. Each batch of outcomes is written in one transaction:
rows of a changed file (same path, new content hash) are deleted and the new rows inserted inside
the same transaction, so a run killed at any moment leaves either the whole batch or none of it,
and no file ever has rows from two versions or duplicate rows. The tables are described in
``schema.sql`` and ``SCHEMA.md``.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from nlp.triage.worker import COLUMNS, RESULT_TABLES, Outcome

SCHEMA_VERSION = "1"
MEMORY_LIMIT = "64MB"  # DuckDB's buffer cache in the writing parent (a batch in flight is far smaller)
TABLES: tuple[str, ...] = (*RESULT_TABLES, "failures")


def schema_sql() -> str:
    return resources.files("nlp.triage").joinpath("schema.sql").read_text(encoding="utf-8")


class Store:
    """A triage database. ``known()`` says what is done; ``write_batch()`` commits outcomes atomically."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        import duckdb

        self.path = str(path)
        if not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(self.path, read_only=read_only)
        if not read_only:
            # DuckDB keeps the blocks it wrote cached (up to 80% of RAM by default), so the writer's
            # memory grew with the corpus, most at the final checkpoint. They are on disk: a small
            # cache only evicts them (measured: +98 MB over 6,000 reports unlimited, +22 MB at 64 MB).
            with contextlib.suppress(Exception):
                self.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        if not read_only:
            self._init()
        self._types = self._column_types()

    def _init(self) -> None:
        self.con.execute("BEGIN")
        self.con.execute(schema_sql())
        row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self.con.execute("INSERT INTO meta VALUES ('schema_version', ?), ('created_by', 'nlp triage')",
                             [SCHEMA_VERSION])
        elif row[0] != SCHEMA_VERSION:
            self.con.execute("ROLLBACK")
            raise RuntimeError(f"{self.path}: triage schema version {row[0]}, this nlp writes {SCHEMA_VERSION} "
                               "(use a new --db file)")
        self.con.execute("COMMIT")

    def _column_types(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for table in TABLES:
            rows = self.con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position", [table]).fetchall()
            names = [r[0] for r in rows]
            if tuple(names) != COLUMNS[table]:
                raise RuntimeError(f"{self.path}: table {table} has columns {names}, expected {COLUMNS[table]}")
            out[table] = [r[1] for r in rows]
        return out

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- resume -------------------------------------------------------------------------------
    def known(self) -> dict[str, str]:
        """doc -> sha256 of every file already done (stored or recorded as failed)."""
        done: dict[str, str] = {}
        for doc, sha in self.con.execute("SELECT doc, sha256 FROM failures").fetchall():
            done[doc] = sha
        for doc, sha in self.con.execute("SELECT doc, sha256 FROM documents").fetchall():
            done[doc] = sha
        return done

    # -- writing ------------------------------------------------------------------------------
    def _insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        """Column-wise bulk insert (DuckDB's executemany is far slower than unnest of typed lists)."""
        if not rows:
            return
        types = self._types[table]
        cols = list(zip(*rows, strict=True))
        select = ", ".join(f"unnest(?::{t}[])" for t in types)
        self.con.execute(f"INSERT INTO {table} SELECT {select}", [list(c) for c in cols])

    def write_batch(self, outcomes: Iterable[Outcome], replace: Iterable[str] = ()) -> int:
        """Commit a batch: delete old rows of ``replace`` docs (and of every doc in the batch that was
        already known), then insert the outcomes' rows; all or nothing."""
        outcomes = list(outcomes)
        if not outcomes:
            return 0
        gone = sorted(set(replace))
        by_table: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}
        for oc in outcomes:
            for table, rows in oc["rows"].items():
                by_table[table].extend(rows)
        self.con.execute("BEGIN")
        try:
            if gone:
                for table in TABLES:
                    self.con.execute(f"DELETE FROM {table} WHERE doc IN (SELECT unnest(?::VARCHAR[]))", [gone])
            for table in TABLES:
                self._insert(table, by_table[table])
            self.con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                self.con.execute("ROLLBACK")
            raise
        return len(outcomes)

    def checkpoint(self) -> None:
        with contextlib.suppress(Exception):
            self.con.execute("CHECKPOINT")

    # -- reading ------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        return {t: int(self.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}

    def ranking(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Documents by score (highest first, then by name), each with its flags in weight order."""
        sql = ("SELECT doc, score, n_flags, department, year, format, n_lines FROM documents "
               "ORDER BY score DESC, doc")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        docs = self.con.execute(sql).fetchall()
        flags: dict[str, list[dict[str, Any]]] = {}
        if docs:
            names = [d[0] for d in docs]
            for doc, code, weight, line, reason in self.con.execute(
                    "SELECT doc, code, weight, line, reason FROM flags WHERE doc IN (SELECT unnest(?::VARCHAR[])) "
                    "ORDER BY doc, ord", [names]).fetchall():
                flags.setdefault(doc, []).append({"code": code, "weight": weight, "line": line, "reason": reason})
        out = []
        for rank, (doc, score, n_flags, dept, year, fmt, n_lines) in enumerate(docs, start=1):
            out.append({"rank": rank, "doc": doc, "score": score, "n_flags": n_flags, "department": dept,
                        "year": year, "format": fmt, "n_lines": n_lines, "flags": flags.get(doc, [])})
        return out

    def failures(self) -> list[dict[str, Any]]:
        rows = self.con.execute("SELECT doc, error, exc_type, message FROM failures ORDER BY doc").fetchall()
        return [{"doc": d, "error": e, "exc_type": t, "message": m} for d, e, t, m in rows]

    def table_rows(self, table: str, exclude: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
        """Every row of a table in a canonical order (for comparisons), leaving out some columns."""
        cols = [c for c in COLUMNS[table] if c not in exclude]
        quoted = ", ".join(json.dumps(c) for c in cols)
        return self.con.execute(f"SELECT {quoted} FROM {table} ORDER BY ALL").fetchall()
