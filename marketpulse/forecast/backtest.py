"""Accuracy: rolling-origin forecasts against two naive baselines, scored by MASE and sMAPE.

The baselines: seasonal naive (the same ISO week last year, lag 52) and festival-aligned
naive (the week at the same distance from last year's festival). MASE is scaled by the
in-sample mean absolute week-on-week change of the history before the first origin, the
same scale for all three methods of a series; only weeks where the actual and all three
forecasts exist are scored. `*_festival` columns repeat MASE on the festival window
alone: that is where a 52-week lag puts the peak in the wrong week.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketpulse import festival
from marketpulse.forecast.models import DEFAULT_MODEL, MIN_WEEKS, forecast_series
from marketpulse.forecast.panel import HORIZON, split_series

METHODS = ("model", "seasonal_naive", "festival_naive")
CV_COLUMNS = ["unique_id", "cutoff", "ds", "y", "model", "seasonal_naive", "festival_naive", "is_fallback", "sd"]


def naive_baselines(
    index: pd.DatetimeIndex, y: np.ndarray, targets: pd.DatetimeIndex, cutoff: np.datetime64
) -> tuple[np.ndarray, np.ndarray]:
    """Seasonal naive (52 weeks back) and festival-aligned naive for `targets`, knowing only up to `cutoff`."""
    history = pd.Series(y, index=index)
    history = history[history.index <= cutoff]
    seasonal_at = targets - pd.Timedelta(weeks=52)
    aligned_at = targets - pd.to_timedelta(festival.aligned_lag(targets) * 7, unit="D")
    return (history.reindex(seasonal_at).values.astype(float), history.reindex(aligned_at).values.astype(float))


def cutoffs_for(last_ds, horizon: int, n_origins: int, step: int = 1, last_cutoff=None) -> list[pd.Timestamp]:
    """Forecast origins (the last week a forecast may see), oldest first."""
    end = pd.Timestamp(last_cutoff) if last_cutoff is not None else pd.Timestamp(last_ds) - pd.Timedelta(weeks=horizon)
    return [end - pd.Timedelta(weeks=step * k) for k in range(n_origins)][::-1]


def cv_series(
    uid,
    index: pd.DatetimeIndex,
    y: np.ndarray,
    horizon: int,
    cutoffs,
    model: str | None,
    min_weeks: int = MIN_WEEKS,
    only_scorable: bool = True,
) -> pd.DataFrame:
    """Rolling-origin forecasts of one series: one row per cutoff × target week.

    `model=None` computes the baselines only (used for levels forecast bottom-up).
    `only_scorable` skips origins with no week that could be scored (no actual, or no
    baseline yet because the series is younger than a year there), saving their fits.
    """
    rows = []
    for cutoff in cutoffs:
        train = index <= cutoff
        if not train.any():
            continue
        targets = index[(index > cutoff) & (index <= cutoff + pd.Timedelta(weeks=horizon))]
        if len(targets) == 0:
            continue
        seasonal, aligned = naive_baselines(index, y, targets, cutoff)
        actual = pd.Series(y, index=index).reindex(targets).values
        if only_scorable and not np.any(~np.isnan(actual) & ~np.isnan(seasonal) & ~np.isnan(aligned)):
            continue
        part = {
            "unique_id": uid,
            "cutoff": cutoff,
            "ds": targets,
            "y": actual,
            "seasonal_naive": seasonal,
            "festival_naive": aligned,
        }
        if model is not None:
            fc = forecast_series(index[train], y[train], horizon, model, min_weeks)
            part["model"] = fc.mean[: len(targets)]
            part["is_fallback"] = fc.reason is not None
            part["sd"] = fc.sd[: len(targets)]
        rows.append(pd.DataFrame(part))
    if not rows:
        return pd.DataFrame(columns=CV_COLUMNS)
    return pd.concat(rows, ignore_index=True).reindex(columns=CV_COLUMNS)


def cross_validation(
    frame: pd.DataFrame,
    horizon: int = HORIZON,
    n_origins: int = 8,
    *,
    step: int = 1,
    last_cutoff=None,
    model: str = DEFAULT_MODEL,
    min_weeks: int = MIN_WEEKS,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> pd.DataFrame:
    """Forecasts from `n_origins` rolling origins `step` weeks apart, the last `horizon` weeks
    before the panel's last week (or at `last_cutoff`), with both baselines beside them."""
    series = list(split_series(frame, id_col, time_col, target_col))
    if not series:
        raise ValueError("frame has no series")
    last = max(index[-1] for _, index, _ in series)
    cutoffs = cutoffs_for(last, horizon, n_origins, step, last_cutoff)
    parts = [cv_series(uid, index, y, horizon, cutoffs, model, min_weeks) for uid, index, y in series]
    return pd.concat(parts, ignore_index=True)


def smape(actual: np.ndarray, pred: np.ndarray) -> float:
    """Symmetric MAPE in percent (0–200); a week where both are 0 counts as 0."""
    den = np.abs(actual) + np.abs(pred)
    terms = np.where(den == 0, 0.0, 200 * np.abs(actual - pred) / np.where(den == 0, 1, den))
    return float(np.mean(terms)) if len(terms) else np.nan


def mase_scale(y: np.ndarray) -> float:
    """Mean absolute week-on-week change of a history (observed consecutive pairs only)."""
    diffs = np.abs(np.diff(np.asarray(y, dtype=float)))
    diffs = diffs[~np.isnan(diffs)]
    return float(diffs.mean()) if len(diffs) else np.nan


def score(
    cv: pd.DataFrame, history: pd.DataFrame, *, id_col: str = "unique_id", time_col: str = "ds", target_col: str = "y"
) -> pd.DataFrame:
    """Per-series MASE and sMAPE of the model and both baselines from `cross_validation` output.

    `history` is the panel the forecasts were made from: each series' MASE scale is its
    mean absolute week-on-week change up to its first cutoff.
    """
    hist = {uid: (index, y) for uid, index, y in split_series(history, id_col, time_col, target_col)}
    window = set(range(festival.WINDOW[0], festival.WINDOW[1] + 1))
    out = []
    for uid, part in cv.groupby("unique_id", sort=True):
        index, y = hist.get(uid, (pd.DatetimeIndex([]), np.zeros(0)))
        first = part["cutoff"].min()
        scale = mase_scale(y[index <= first])
        ok = part[["y", *METHODS]].notna().all(axis=1)
        part = part[ok]
        actual = part["y"].to_numpy(float)
        in_window = np.isin(festival.week_offset(pd.DatetimeIndex(part["ds"])), list(window))
        row = {
            "unique_id": uid,
            "n_points": int(len(part)),
            "n_festival_points": int(in_window.sum()),
            "mase_scale": scale,
        }
        for m in METHODS:
            pred = part[m].to_numpy(float)
            err = np.abs(actual - pred)
            good = len(err) and scale and np.isfinite(scale) and scale > 0
            row[f"mase_{m}"] = float(err.mean() / scale) if good else np.nan
            row[f"smape_{m}"] = smape(actual, pred)
            row[f"mase_{m}_festival"] = float(err[in_window].mean() / scale) if good and in_window.any() else np.nan
        if "is_fallback" in part:
            row["share_fallback"] = float(part["is_fallback"].astype(float).mean()) if len(part) else np.nan
        out.append(row)
    return pd.DataFrame(out)


def backtest(
    frame: pd.DataFrame,
    horizon: int = HORIZON,
    n_origins: int = 8,
    *,
    step: int = 1,
    last_cutoff=None,
    model: str = DEFAULT_MODEL,
    min_weeks: int = MIN_WEEKS,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> pd.DataFrame:
    """Per-series MASE and sMAPE of the model, seasonal naive and festival-aligned naive
    over a rolling-origin backtest (the module docstring gives the exact definitions)."""
    cv = cross_validation(
        frame,
        horizon,
        n_origins,
        step=step,
        last_cutoff=last_cutoff,
        model=model,
        min_weeks=min_weeks,
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
    )
    return score(cv, frame, id_col=id_col, time_col=time_col, target_col=target_col)


def summary(scores: pd.DataFrame) -> dict:
    """Mean MASE / sMAPE per method over the series that have one."""
    out = {}
    for m in METHODS:
        out[f"mase_{m}"] = float(scores[f"mase_{m}"].mean())
        out[f"smape_{m}"] = float(scores[f"smape_{m}"].mean())
        out[f"mase_{m}_festival"] = float(scores[f"mase_{m}_festival"].mean())
    out["n_series"] = int(scores["mase_model"].notna().sum())
    return out
