"""Interval calibration from the backtest: the share of actuals inside the 80 % and 95 %
intervals, and, when that is off by more than TOLERANCE points, intervals widened (or
narrowed) from the backtest residuals — split-conformal: the factor on the model's sd that
the nominal share of past errors fits inside.

Reads the backtest's rows (`unique_id, cutoff, ds, y, model, sd`); forecasts are widened by
recomputing their lo/hi from `sd × factor`.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from marketpulse.forecast.intervals import interval_columns, level_name

TOLERANCE = 5.0  # points of coverage a level may be off before it is recalibrated
COLUMNS = ["level", "nominal", "points", "coverage", "factor", "widened", "coverage_after"]


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 200)


def _scored(cv: pd.DataFrame) -> pd.DataFrame:
    ok = cv[["y", "model", "sd"]].notna().all(axis=1) & (cv["sd"] > 0)
    return cv[ok]


def coverage(cv: pd.DataFrame, level: float, factor: float = 1.0) -> float:
    """Percent of backtest actuals inside the `level` % interval (sd × `factor`, floored at 0)."""
    part = _scored(cv)
    if part.empty:
        return np.nan
    y, mean, sd = (part[c].to_numpy(float) for c in ("y", "model", "sd"))
    half = _z(level) * sd * factor
    inside = (y >= np.maximum(mean - half, 0.0)) & (y <= mean + half)
    return float(100 * inside.mean())


def conformal_factor(cv: pd.DataFrame, level: float) -> float:
    """The factor on sd that puts `level` % of the backtest's errors inside (finite-sample quantile)."""
    part = _scored(cv)
    if part.empty:
        return 1.0
    scores = np.sort(np.abs(part["y"] - part["model"]).to_numpy(float) / (_z(level) * part["sd"].to_numpy(float)))
    k = min(len(scores) - 1, int(np.ceil((len(scores) + 1) * level / 100)) - 1)
    return float(scores[max(k, 0)])


def calibrate(cv: pd.DataFrame, levels, tolerance: float = TOLERANCE) -> pd.DataFrame:
    """Per level: the backtest coverage, and the conformal factor when it is off by more than `tolerance`."""
    rows = []
    for level in levels:
        before = coverage(cv, level)
        widen = bool(np.isfinite(before) and abs(before - level) > tolerance)
        factor = conformal_factor(cv, level) if widen else 1.0
        rows.append(
            {
                "level": level_name(level),
                "nominal": float(level),
                "points": int(len(_scored(cv))),
                "coverage": before,
                "factor": factor,
                "widened": widen,
                "coverage_after": coverage(cv, level, factor) if widen else before,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def widen(forecasts: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Forecasts with the intervals of recalibrated levels recomputed from sd × factor."""
    out = forecasts.copy()
    for row in table[table["widened"]].itertuples():
        cols = interval_columns(out["yhat"].to_numpy(float), out["sd"].to_numpy(float) * row.factor, [row.nominal])
        for name, values in cols.items():
            out[name] = values
    return out
