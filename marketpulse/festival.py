"""Where the Spring Festival (春节) falls, week by week.

The festival moves with the lunar calendar (2025-01-29, 2026-02-17, 2027-02-06 …), so
the same ISO week last year is not the same moment of the festival season. Forecasts
use the festival week to build regressors, and the festival-aligned naive baseline
compares a week with the week at the same distance from last year's festival.

Weeks are Mondays (ISO week start) throughout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache

import holidays
import numpy as np
import pandas as pd

# Weeks around the festival week that get their own regressor: three weeks of buying
# before it (年货), the festival week, and two quiet weeks after it.
WINDOW = (-3, 2)


def monday(day: dt.date) -> dt.date:
    """Monday of the ISO week containing `day`."""
    return day - dt.timedelta(days=day.weekday())


@cache
def festival_date(year: int) -> dt.date:
    """First day of the Spring Festival in `year`, from the `holidays` package."""
    cn = holidays.country_holidays("CN", years=year, observed=False)
    days = [d for d in cn.get_named("Spring Festival", lookup="icontains") if d.year == year]
    if not days:
        raise ValueError(f"no Spring Festival date known for {year}")
    return min(days)


def festival_weeks(years: Iterable[int]) -> list[dt.date]:
    """Monday of each Spring Festival week, one per year, in order."""
    return [monday(festival_date(int(y))) for y in sorted(set(int(y) for y in years))]


def _as_dates(weeks) -> np.ndarray:
    return pd.to_datetime(pd.Index(weeks)).values.astype("datetime64[D]")


def _festival_table(first: np.datetime64, last: np.datetime64) -> np.ndarray:
    y0 = pd.Timestamp(first).year - 1
    y1 = pd.Timestamp(last).year + 1
    return np.array(festival_weeks(range(y0, y1 + 1)), dtype="datetime64[D]")


def week_offset(weeks) -> np.ndarray:
    """Signed distance in weeks from each week to the nearest festival week (0 = festival week)."""
    days = _as_dates(weeks)
    if len(days) == 0:
        return np.zeros(0, dtype=int)
    table = _festival_table(days.min(), days.max())
    diff = (days[:, None] - table[None, :]).astype(int)  # days
    nearest = np.abs(diff).argmin(axis=1)
    return np.round(diff[np.arange(len(days)), nearest] / 7).astype(int)


def regressors(weeks, window: tuple[int, int] = WINDOW) -> pd.DataFrame:
    """One 0/1 column per week offset in `window` (e.g. `sf-3` … `sf+2`), one row per week."""
    offsets = week_offset(weeks)
    cols = {}
    for k in range(window[0], window[1] + 1):
        cols[f"sf{k:+d}"] = (offsets == k).astype(float)
    return pd.DataFrame(cols, index=pd.Index(weeks))


def aligned_lag(weeks) -> np.ndarray:
    """Weeks back to "the same week relative to the festival, last year", per week.

    Each week belongs to the festival season of its nearest festival; the lag is the
    distance between that festival's week and the previous year's festival week
    (for example 55 weeks for 2026, whose festival fell three weeks later than 2025's).
    """
    days = _as_dates(weeks)
    if len(days) == 0:
        return np.zeros(0, dtype=int)
    table = _festival_table(days.min(), days.max())
    nearest = np.abs((days[:, None] - table[None, :]).astype(int)).argmin(axis=1)
    nearest = np.maximum(nearest, 1)
    return ((table[nearest] - table[nearest - 1]).astype(int) // 7).astype(int)
