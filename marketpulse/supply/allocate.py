"""The allocation arithmetic of a supply plan: share a spec's available quantity out over its
groups (tight markets first, loose ones capped), turn each group's share into whole-number
限量 per retailer, the same or higher for a higher 档位, and keep the orders expected under
them (each retailer its own need up to the 限量) within the available quantity.

Pure numpy: the plan (plan.py) feeds it frames, the tests hand-worked numbers.
"""

from __future__ import annotations

import numpy as np

PRIORITY = {"tight": 0, "balanced": 1, None: 1, "loose": 2}  # served in this order when supply is short


def tier_limits(wanted: np.ndarray, retailers: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Whole-number 限量 per 档位 (rows in rising 档位 order) from the level wanted per retailer:
    made non-decreasing by raising a 档位 to the highest level below it (never by lowering one:
    each retailer is held to its own need anyway, so a higher 限量 only reaches retailers who need
    it), held within [lo, hi] (both non-decreasing) and rounded up, so a retailer needing part of
    a 条 may order the whole 条 (`fit_expected` takes back what the available quantity cannot carry)."""
    if len(retailers) == 0:
        return np.zeros(0, dtype=np.int64)
    x = np.clip(np.maximum.accumulate(np.maximum(wanted, 0.0)), lo, hi)
    return np.ceil(x - 1e-9).astype(np.int64)


def whole_need(need) -> np.ndarray:
    """A retailer's need in whole 条 (half up, never below 0): what its own 限量 is capped at."""
    return np.floor(np.maximum(np.asarray(need, dtype=float), 0.0) + 0.5)


def expected_orders(needs: np.ndarray, limit: float) -> float:
    """What a line's retailers may order under a 限量: each its own need, up to the 限量 (with whole
    needs, the sum of the retailers' own 限量)."""
    return float(np.minimum(np.maximum(np.asarray(needs, dtype=float), 0.0), max(limit, 0)).sum())


def fit_expected(
    limits: np.ndarray,
    levels: np.ndarray,
    needs: list[np.ndarray],
    group: np.ndarray,
    priority: np.ndarray,
    lo: np.ndarray,
    available: float,
) -> np.ndarray:
    """One spec's whole-number 限量 (lines sorted by group, then 档位) lowered until the expected
    orders Σ min(need, 限量) are within `available`.

    One 条 at a time from the line served last — loose markets first, tight last — and within a
    class from the line rounded up the most above its level; a line is lowered only while that
    keeps its group non-decreasing in 档位 and, while any line can, keeps it at its 档位's minimum
    (the available quantity comes before the minimum: a spec without stock gets 0).
    """
    limit = np.asarray(limits, dtype=np.int64).copy()
    levels = np.asarray(levels, dtype=float)
    group, priority, lo = np.asarray(group), np.asarray(priority), np.asarray(lo)
    needs = [np.maximum(np.asarray(x, dtype=float), 0.0) for x in needs]
    total = sum(expected_orders(x, v) for x, v in zip(needs, limit))
    available = max(float(available), 0.0)
    first = np.r_[True, group[1:] != group[:-1]]  # the lowest 档位 of its group
    while total > available + 1e-9:
        room = first | (np.r_[0, limit[:-1]] <= limit - 1)  # lowering keeps the group non-decreasing
        can = room & (limit > lo)
        if not can.any():
            can = room & (limit > 0)
        if not can.any():
            break
        order = np.lexsort((-(limit - levels), -priority))  # loose first, then the most rounded up
        j = order[np.flatnonzero(can[order])[0]]
        total -= float(np.clip(needs[j] - (limit[j] - 1), 0.0, 1.0).sum())
        limit[j] -= 1
    return limit


def share_out(need: np.ndarray, state: list, cap: np.ndarray, available: float | None) -> np.ndarray:
    """Each group's share of one spec's available quantity.

    A loose group asks for no more than its cap (控量); then tight groups are served first,
    balanced (or unknown) next, loose last, each class in proportion to its need when what is
    left does not cover it. Without an available quantity every group gets what it asks.
    """
    need = np.maximum(np.asarray(need, dtype=float), 0.0)
    loose = np.array([s == "loose" for s in state], dtype=bool)
    asked = np.where(loose, np.minimum(need, np.maximum(np.asarray(cap, dtype=float), 0.0)), need)
    if available is None or np.isnan(available):
        return asked
    granted = np.zeros(len(asked))
    left = max(float(available), 0.0)
    order = np.array([PRIORITY.get(s if isinstance(s, str) else None, 1) for s in state])
    for level in sorted(set(order)):
        m = order == level
        total = asked[m].sum()
        if total <= left:
            granted[m] = asked[m]
            left -= total
        else:
            granted[m] = asked[m] * (left / total) if total > 0 else 0.0
            left = 0.0
    return granted


def fill_level(needs: np.ndarray, target: float) -> float:
    """The lowest 限量 L at which retailers ordering min(need, L) order `target` in all (water-filling):
    a line's grant reaches the retailers that need it, where an even split would leave the bigger
    ones short and the smaller ones a limit they do not use."""
    needs = np.sort(np.maximum(np.asarray(needs, dtype=float), 0.0))
    n = len(needs)
    if n == 0 or target <= 0:
        return 0.0
    below = np.concatenate([[0.0], np.cumsum(needs)[:-1]])  # Σ of the needs below each one
    ordered = below + needs * (n - np.arange(n))  # Σ min(need, L) at L = each need
    k = int(np.searchsorted(ordered, target))
    if k >= n:
        return float(needs[-1] + (target - ordered[-1]) / n)
    return float((target - below[k]) / (n - k))
