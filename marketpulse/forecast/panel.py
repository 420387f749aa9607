"""The panel API: forecast every series of a long weekly frame `unique_id, ds, y`.

Frames are long: one row per series × week, `ds` the Monday of the week (column names
overridable). Forecasts come back as `unique_id, ds, yhat, lo80, hi80, lo95, hi95, sd,
model, is_fallback, fallback_reason` (+ `fallback_reason_zh/_en`, the sentence a page shows).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from marketpulse import i18n
from marketpulse.forecast.intervals import check_levels, interval_columns
from marketpulse.forecast.models import DEFAULT_MODEL, MIN_WEEKS, WEEK, SeriesForecast, forecast_series, future_weeks

LEVELS = (80, 95)
HORIZON = 8


def split_series(frame: pd.DataFrame, id_col: str, time_col: str, target_col: str):
    """Yield (unique_id, weekly DatetimeIndex without holes, values with NaN for gaps)."""
    missing = {id_col, time_col, target_col} - set(frame.columns)
    if missing:
        raise ValueError(f"frame lacks column(s) {sorted(missing)}")
    data = frame[[id_col, time_col, target_col]].copy()
    data[time_col] = pd.to_datetime(data[time_col]).dt.normalize()
    data[target_col] = pd.to_numeric(data[target_col], errors="coerce").astype(float)
    for uid, part in data.groupby(id_col, sort=True):
        part = part.sort_values(time_col)
        if part[time_col].duplicated().any():
            raise ValueError(f"series {uid!r} has more than one row for a week")
        ds = part[time_col].values.astype("datetime64[D]")
        steps = (ds - ds[0]) / WEEK
        if np.any(steps != np.round(steps)):
            raise ValueError(f"series {uid!r} is not weekly: dates must be whole weeks apart")
        index = pd.DatetimeIndex(np.arange(ds[0], ds[-1] + WEEK, WEEK))
        y = pd.Series(part[target_col].values, index=pd.DatetimeIndex(ds)).reindex(index).values
        yield uid, index, y.astype(float)


def forecast_rows(uid, future: pd.DatetimeIndex, fc: SeriesForecast, levels) -> pd.DataFrame:
    """One series' forecast as output rows, the fallback reason as a sentence in both languages."""
    zh = en = None
    if fc.reason:
        key, detail = f"forecast.fallback.{fc.reason}", fc.detail or {}
        zh, en = i18n.t(key, "zh", **detail), i18n.t(key, "en", **detail)
    return pd.DataFrame(
        {
            "unique_id": uid,
            "ds": future,
            "yhat": fc.mean,
            **interval_columns(fc.mean, fc.sd, levels),
            "sd": fc.sd,
            "model": fc.model,
            "is_fallback": fc.reason is not None,
            "fallback_reason": fc.reason,
            "fallback_reason_zh": zh,
            "fallback_reason_en": en,
        }
    )


def forecast(
    frame: pd.DataFrame,
    h: int = HORIZON,
    level: Iterable = LEVELS,
    *,
    model: str = DEFAULT_MODEL,
    min_weeks: int = MIN_WEEKS,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> pd.DataFrame:
    """Forecast every series of a long weekly panel `h` weeks past its own last week.

    Returns one row per series × future week: `unique_id, ds, yhat, lo<l>, hi<l> …, sd,
    model, is_fallback, fallback_reason, fallback_reason_zh, fallback_reason_en` (the id
    and date columns keep the caller's names).
    """
    levels = check_levels(level)
    if int(h) != h or h < 1:
        raise ValueError(f"h must be a positive whole number of weeks, got {h!r}")
    parts = []
    for uid, index, y in split_series(frame, id_col, time_col, target_col):
        fc = forecast_series(index, y, int(h), model, min_weeks)
        parts.append(forecast_rows(uid, future_weeks(index, int(h)), fc, levels))
    out = (
        pd.concat(parts, ignore_index=True)
        if parts
        else forecast_rows("", pd.DatetimeIndex([]), SeriesForecast(np.zeros(0), np.zeros(0), model), levels).iloc[0:0]
    )
    return out.rename(columns={"unique_id": id_col, "ds": time_col})
