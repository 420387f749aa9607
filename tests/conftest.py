"""Shared fixtures: temporary stores, and a tiny hand-made city for worked examples."""

from __future__ import annotations

import pytest

from marketpulse import store


@pytest.fixture
def db(tmp_path, monkeypatch):
    """An empty store of the current schema at a temporary path, set as MARKETPULSE_DB."""
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    with store.writer(path):
        pass
    return path


# The small simulated city, shared by every test file that needs realistic data.
DEMO_SEED = 7
DEMO_END_WEEK = "2026-11-16"  # Monday of the simulated window's last week


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """Path of the small simulated city (seed 7, last week 2026-11-16), built once per run.

    Treat it as read-only; copy the file first if a test must write to it.
    """
    from datetime import date

    from marketpulse.simulate import demo

    path = tmp_path_factory.mktemp("demo_store") / "demo.duckdb"
    demo.build(path, scale="small", seed=DEMO_SEED, end_week=date.fromisoformat(DEMO_END_WEEK))
    return path
