"""The simulated year: weekly demand factors around Spring Festival and the gift holidays.

Spring Festival on its lunar date (the `holidays` package) is the peak of the year; 民工回流
lifts the 农网 territories around it and a dip follows. Mid-Autumn and National Day bring
small gift peaks; 一/二类 grow slowly, 四/五类 shrink.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import numpy as np

from marketpulse.festival import festival_date, monday

# Spring Festival: city-wide sales factor by weeks from the festival's week, with a
# stronger gift peak for the upper 价类; 民工回流 lifts 农网 and thins out 城网 meanwhile.
SF_CITY = {-4: 1.05, -3: 1.12, -2: 1.28, -1: 1.5, 0: 1.75, 1: 1.15, 2: 0.82, 3: 0.88, 4: 0.94}
SF_CLASS_GAIN = np.array([1.4, 1.2, 1.0, 0.9, 0.8])
SF_RURAL = {-3: 1.08, -2: 1.2, -1: 1.3, 0: 1.32, 1: 1.3, 2: 1.18, 3: 0.9, 4: 0.9, 5: 0.93}
SF_URBAN = {0: 0.95, 1: 0.9, 2: 0.93}
CLASS_GROWTH = np.array([0.05, 0.03, 0.01, -0.03, -0.06])  # per year, by 价类
# gift peaks: holiday, gain on its week (on the week before when it starts on a Monday or Tuesday)
GIFT_HOLIDAYS = (("Mid-Autumn", 0.08), ("National Day", 0.06))
NOT_NEAR_FESTIVAL = 99  # festival_offset of a week that is not within −4…+5 weeks of a festival


@dataclass(frozen=True)
class Seasons:
    """Week-by-week factors of the simulated window (week index w = 0 … weeks − 1)."""

    by_class: np.ndarray  # weeks × 5: demand factor by 价类
    area: np.ndarray  # weeks × 2: demand factor, column 0 城网, column 1 农网
    trend: np.ndarray  # weeks × territories: each territory's growth
    festivals: list[date]  # first days of Spring Festival, 8 weeks either side of the window
    festival_offset: np.ndarray  # weeks from the festival's week, NOT_NEAR_FESTIVAL elsewhere
    blocked: dict[int, set[int]]  # week → weekdays on which nobody visits (除夕, the festival's first 3 days)


def last_complete_week(today: date | None = None) -> date:
    """Monday of the last ISO week that has fully ended before `today`."""
    return monday(today or date.today()) - timedelta(weeks=1)


def spring_festivals(first: date, last: date) -> list[date]:
    """First day of each Spring Festival from `first` to the end of the week of `last`."""
    firsts = (festival_date(y) for y in range(first.year - 1, last.year + 2))
    return [d for d in firsts if first <= d <= last + timedelta(days=6)]


def _holiday_dates(name: str, first: date, last: date) -> list[date]:
    """First day of each run of the named Chinese holiday in the years of first … last."""
    cn = holidays.country_holidays("CN", years=range(first.year, last.year + 1), observed=False)
    days = sorted(cn.get_named(name, lookup="icontains"))
    return [d for d in days if d - timedelta(days=1) not in days]


def seasons(start: date, weeks: int, territory_growth: np.ndarray) -> Seasons:
    """The demand factors of `weeks` weeks from the Monday `start`; no random draws."""
    mondays = [start + timedelta(weeks=w) for w in range(weeks)]
    end = mondays[-1] + timedelta(days=6)
    festivals = spring_festivals(start - timedelta(weeks=8), end + timedelta(weeks=8))
    festival_weeks = [(monday(f) - start).days // 7 for f in festivals]
    w = np.arange(weeks)
    doy = np.array([m.timetuple().tm_yday for m in mondays])
    base = 1 + 0.03 * np.sin(2 * np.pi * (doy - 80) / 365.25)
    by_class = np.repeat(base[:, None], 5, axis=1) * (1 + CLASS_GROWTH[None, :]) ** (w[:, None] / 52)
    rural = np.ones(weeks)
    urban = np.ones(weeks)
    for sw in festival_weeks:
        for k, f in SF_CITY.items():
            if 0 <= sw + k < weeks:
                by_class[sw + k] *= 1 + (f - 1) * SF_CLASS_GAIN
        for k, f in SF_RURAL.items():
            if 0 <= sw + k < weeks:
                rural[sw + k] *= f
        for k, f in SF_URBAN.items():
            if 0 <= sw + k < weeks:
                urban[sw + k] *= f
    for name, gain in GIFT_HOLIDAYS:
        for d in _holiday_dates(name, start, end):
            k = (monday(d) - start).days // 7 - (1 if d.weekday() < 2 else 0)
            if 0 <= k < weeks:
                by_class[k] *= 1 + gain * SF_CLASS_GAIN
    offset = np.full(weeks, NOT_NEAR_FESTIVAL)
    for sw in festival_weeks:
        for k in range(-4, 6):
            if 0 <= sw + k < weeks:
                offset[sw + k] = k
    # days on which nobody visits: 除夕 and the first three days of the festival
    blocked: dict[int, set[int]] = {}
    for f in festivals:
        for d in (f - timedelta(days=1), f, f + timedelta(days=1), f + timedelta(days=2)):
            k = (d - start).days // 7
            if 0 <= k < weeks:
                blocked.setdefault(k, set()).add(d.weekday())
    return Seasons(
        by_class=by_class,
        area=np.stack([urban, rural], axis=1),
        trend=(1 + territory_growth[None, :]) ** (w[:, None] / 52),
        festivals=festivals,
        festival_offset=offset,
        blocked=blocked,
    )
