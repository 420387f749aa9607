"""The market as a whole: 市场状态 per spec × 片区, the 预警 it raises, and the signals in
customer managers' notes."""

from __future__ import annotations

import pandas as pd

from marketpulse import store
from marketpulse.metrics.api import HIERARCHY_LEVELS, query


def market_state(week_from, week_to, scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """市场状态 per spec × territory × week: signals, bands, state and 0–100 score."""
    return query("market_state", {"week_from": week_from, "week_to": week_to, **filters}, scope, path)


def alerts(week_from, week_to, scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """预警 per alert × week, with since when each has held (traced within week_from … week_to)."""
    return query("alerts", {"week_from": week_from, "week_to": week_to, **filters}, scope, path)


def notes_signals(week_from, week_to, level="territory", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """Market signals in customer managers' notes: mentions per level key × week × signal."""
    params = {"week_from": week_from, "week_to": week_to, "level": level, **filters}
    return query("notes_signals", params, scope, path, levels=HIERARCHY_LEVELS)
