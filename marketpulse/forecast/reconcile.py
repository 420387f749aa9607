"""Coherent forecasts: the city's forecast of a spec is the sum of its 市场部 forecasts.

Bottom-up reconciliation: the point forecast of a parent series (the city) is the sum
of its children's (the 市场部s), so a supply plan made per 市场部 adds up to the city
plan exactly.

Intervals of the parent. The children's errors are not independent — a festival that
comes in stronger than last year lifts every 市场部 at once — so summing variances
as if they were would make the city interval too narrow. The parent's variance at
each step is

    Var = Σᵢ sdᵢ² + ρ̄ · Σ_{i≠j} sdᵢ·sdⱼ  =  (1 − ρ̄)·Σᵢ sdᵢ² + ρ̄·(Σᵢ sdᵢ)²

with ρ̄ the mean pairwise correlation of the children's one-step in-sample residuals
(pairs with at least MIN_OVERLAP common weeks, clipped to [0, 1]). ρ̄ = 0 is the
independent case, ρ̄ = 1 adds the standard deviations. Intervals are then normal
around the summed mean, floored at 0, like the children's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketpulse.forecast.intervals import interval_columns

MIN_OVERLAP = 12


def mean_correlation(resid: dict[str, pd.Series]) -> float:
    """Mean pairwise correlation of residual series over their common weeks, in [0, 1]."""
    frame = pd.DataFrame({k: v for k, v in resid.items() if v is not None and len(v)})
    if frame.shape[1] < 2:
        return 0.0
    corr = frame.corr(min_periods=MIN_OVERLAP).values
    upper = corr[np.triu_indices_from(corr, k=1)]
    upper = upper[np.isfinite(upper)]
    return float(np.clip(upper.mean(), 0.0, 1.0)) if len(upper) else 0.0


def parent_sd(child_sd: np.ndarray, rho: float) -> np.ndarray:
    """Standard deviation of a sum of children with sds `child_sd` (children × steps) and mean correlation ρ̄."""
    child_sd = np.atleast_2d(np.asarray(child_sd, dtype=float))
    var = (1 - rho) * (child_sd**2).sum(axis=0) + rho * child_sd.sum(axis=0) ** 2
    return np.sqrt(var)


def bottom_up(
    children: pd.DataFrame,
    parent_of: pd.Series | dict,
    levels,
    resid: dict | None = None,
) -> pd.DataFrame:
    """Parent forecasts as sums of child forecasts.

    `children`: forecast rows `unique_id, ds, yhat, sd, is_fallback` of the bottom
    series; `parent_of`: child unique_id → parent unique_id; `resid`: child unique_id →
    one-step residual Series (by week), for ρ̄. Returns one row per parent × week with
    `yhat, lo*/hi*, sd, rho, model='bottom_up', is_fallback` (true when any child is a
    fallback) and `n_children, n_fallback`.
    """
    parent_of = pd.Series(parent_of)
    data = children.assign(parent=children["unique_id"].map(parent_of))
    if data["parent"].isna().any():
        missing = data.loc[data["parent"].isna(), "unique_id"].unique()[:5]
        raise ValueError(f"no parent for series {list(missing)}")
    resid = resid or {}
    parts = []
    for parent, part in data.groupby("parent", sort=True):
        kids = sorted(part["unique_id"].unique())
        rho = mean_correlation({k: resid.get(k) for k in kids})
        wide_sd = part.pivot(index="unique_id", columns="ds", values="sd").fillna(0.0)
        sums = part.groupby("ds").agg(yhat=("yhat", "sum"), n_children=("unique_id", "nunique"))
        sd = parent_sd(wide_sd[sums.index].values, rho)
        fallback_kids = part.loc[part["is_fallback"].astype(bool), "unique_id"].nunique()
        mean = sums["yhat"].to_numpy(float)
        parts.append(
            pd.DataFrame(
                {
                    "unique_id": parent,
                    "ds": sums.index,
                    "yhat": mean,
                    **interval_columns(mean, sd, levels),
                    "sd": sd,
                    "rho": rho,
                    "model": "bottom_up",
                    "is_fallback": fallback_kids > 0,
                    "n_children": sums["n_children"].to_numpy(int),
                    "n_fallback": fallback_kids,
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
