"""Prediction intervals: checked coverage levels and normal intervals around a mean.

Shared by the forecasts and their bottom-up reconciliation, below both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from statistics import NormalDist

import numpy as np


def check_levels(level: Iterable) -> list[float]:
    """Interval coverages in percent, each strictly between 0 and 100."""
    if isinstance(level, (int, float)):
        level = [level]
    try:
        levels = [float(v) for v in level]
    except (TypeError, ValueError):
        raise ValueError(f"level must be numbers between 0 and 100, got {level!r}") from None
    if not levels or any(not (0 < v < 100) or np.isnan(v) for v in levels):
        raise ValueError(f"level must be numbers strictly between 0 and 100, got {level!r}")
    return sorted(set(levels))


def level_name(v: float) -> str:
    """A coverage as it appears in column names: 80 → "80", 97.5 → "97.5"."""
    return f"{v:g}"


def interval_columns(mean: np.ndarray, sd: np.ndarray, levels: Sequence[float]) -> dict:
    """Normal intervals around `mean`, floored at 0 (sales cannot be negative)."""
    cols = {}
    for v in levels:
        z = NormalDist().inv_cdf(0.5 + v / 200)
        cols[f"lo{level_name(v)}"] = np.maximum(mean - z * sd, 0.0)
        cols[f"hi{level_name(v)}"] = np.maximum(mean + z * sd, 0.0)
    return cols
