"""The gift holidays beside the Spring Festival: Mid-Autumn (中秋) and National Day (国庆).

Both bring a small gift-buying peak in their week, or in the week before when the holiday
starts on a Monday or Tuesday (the buying is done before it). Their dates come from the
`holidays` package (Mid-Autumn moves with the lunar calendar). The forecasting models get
one 0/1 regressor per holiday for its buying week, estimated from the history like the
Spring Festival's.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays
import numpy as np
import pandas as pd

GIFT_HOLIDAYS = {"mid_autumn": "Mid-Autumn", "national_day": "National Day"}


@cache
def holiday_starts(name: str, year: int) -> tuple[dt.date, ...]:
    """First day of each run of the named Chinese holiday in `year`."""
    cn = holidays.country_holidays("CN", years=year, observed=False)
    days = sorted(d for d in cn.get_named(name, lookup="icontains") if d.year == year)
    return tuple(d for d in days if d - dt.timedelta(days=1) not in days)


def buying_week(day: dt.date) -> dt.date:
    """Monday of the week whose shoppers buy for a holiday starting on `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday - dt.timedelta(weeks=1) if day.weekday() < 2 else monday


def gift_regressors(weeks) -> pd.DataFrame:
    """One 0/1 column per gift holiday (`mid_autumn`, `national_day`), 1 in its buying week."""
    index = pd.DatetimeIndex(pd.to_datetime(pd.Index(weeks))).normalize()
    years = range(index.min().year - 1, index.max().year + 2) if len(index) else range(0)
    cols = {}
    for column, name in GIFT_HOLIDAYS.items():
        peaks = {pd.Timestamp(buying_week(d)) for y in years for d in holiday_starts(name, y)}
        cols[column] = np.isin(index, list(peaks)).astype(float)
    return pd.DataFrame(cols, index=pd.Index(weeks))
