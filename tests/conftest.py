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
