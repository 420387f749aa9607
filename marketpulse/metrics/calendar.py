"""Weeks as the metrics count them: ISO weeks named by their Monday, and the same period (同期)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

WEEK = dt.timedelta(weeks=1)


def week_of(value: str | dt.date | dt.datetime) -> dt.date:
    """The Monday of the ISO week holding `value`."""
    day = pd.Timestamp(value).date()
    return day - dt.timedelta(days=day.weekday())


def same_period_week(value: str | dt.date | dt.datetime) -> dt.date | None:
    """同期: the Monday of the same ISO week number in ISO year − 1; None if that year has no such week.

    2027-W01 (2027-01-04) → 2026-W01 (2025-12-29); 2026-W53 → None (2025 has 52 weeks).
    """
    year, week, _ = week_of(value).isocalendar()
    try:
        return dt.date.fromisocalendar(year - 1, week, 1)
    except ValueError:
        return None
