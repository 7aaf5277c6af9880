"""Shared fixtures: where the sample corpus and the shared gold live; hypothesis profiles."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "corpora" / "sample"

settings.register_profile("ci", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# long: ~1200 examples per property, about 15 minutes on 2 cores; an example over 30 s counts as a hang.
settings.register_profile("long", max_examples=1200, deadline=30_000,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "gold").is_dir():
        pytest.skip("../shared with its gold files is not beside this checkout")
    return SHARED


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    if not (SAMPLE / "txt").is_dir():
        pytest.skip("corpora/sample/txt is missing")
    return SAMPLE


def _tagged_doc(rows: list[tuple[str, str, str, list[str]]]) -> tuple[Any, list[Any]]:
    """(text, section, kind, heading_path) per line, one block each: a report already tagged."""
    from nlp.document import Block, Document

    document = Document(doc="t.txt", lines=[t for t, _s, _k, _h in rows])
    blocks = [Block(index=i, kind=k, line_start=i + 1, line_end=i + 1, text=t, section=s, confidence=0.9,
                    heading_path=list(h))
              for i, (t, s, k, h) in enumerate(rows)]
    return document, blocks


@pytest.fixture
def tagged_doc() -> Callable[[list[tuple[str, str, str, list[str]]]], tuple[Any, list[Any]]]:
    """Builds a tagged document from (text, section, kind, heading_path) rows."""
    return _tagged_doc
