"""Shared fixtures: where the sample corpus and the shared gold live; hypothesis profiles."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "corpora" / "sample"

settings.register_profile("ci", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=3000, deadline=None,
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
