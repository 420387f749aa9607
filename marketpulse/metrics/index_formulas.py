"""Bilateral price index formulas and their chaining: the reference unit for 价格指数 over time.

A link compares period 0 with period 1 over the items present in both (matched sample):

    Laspeyres  L = Σ p1·q0 / Σ p0·q0           (base-period quantities)
    Paasche    P = Σ p1·q1 / Σ p0·q1           (current-period quantities)
    Fisher     F = √(L · P)                    (the default: superlative, time-reversible)
    Törnqvist  T = Π (p1/p0) ^ ½(s0 + s1)      s = value share p·q / Σ p·q in each period

Links are ratios (1.0 = no change); `chain` multiplies them into an index with base 100.
queries/price_index_chained.sql computes the same formulas in SQL, over each week's
spec prices and quantities; tests keep the two in agreement.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

Prices = Mapping[str, float]


def matched(p0: Prices, p1: Prices, q0: Prices, q1: Prices) -> list[str]:
    """Items with a positive price and quantity in both periods: the only ones compared."""
    return sorted(
        k for k in p0 if k in p1 and k in q0 and k in q1 and p0[k] > 0 and p1[k] > 0 and q0[k] > 0 and q1[k] > 0
    )


def laspeyres(p0: Prices, p1: Prices, q0: Prices, q1: Prices) -> float:
    items = matched(p0, p1, q0, q1)
    return sum(p1[k] * q0[k] for k in items) / sum(p0[k] * q0[k] for k in items)


def paasche(p0: Prices, p1: Prices, q0: Prices, q1: Prices) -> float:
    items = matched(p0, p1, q0, q1)
    return sum(p1[k] * q1[k] for k in items) / sum(p0[k] * q1[k] for k in items)


def fisher(p0: Prices, p1: Prices, q0: Prices, q1: Prices) -> float:
    return math.sqrt(laspeyres(p0, p1, q0, q1) * paasche(p0, p1, q0, q1))


def tornqvist(p0: Prices, p1: Prices, q0: Prices, q1: Prices) -> float:
    items = matched(p0, p1, q0, q1)
    v0 = sum(p0[k] * q0[k] for k in items)
    v1 = sum(p1[k] * q1[k] for k in items)
    log_link = sum(0.5 * (p0[k] * q0[k] / v0 + p1[k] * q1[k] / v1) * math.log(p1[k] / p0[k]) for k in items)
    return math.exp(log_link)


FORMULAS: dict[str, Callable[[Prices, Prices, Prices, Prices], float]] = {
    "laspeyres": laspeyres,
    "paasche": paasche,
    "fisher": fisher,
    "tornqvist": tornqvist,
}
DEFAULT_FORMULA = "fisher"


def link(formula: str, p0: Prices, p1: Prices, q0: Prices, q1: Prices) -> float:
    """One period-to-period link (ratio) by the named formula."""
    try:
        fn = FORMULAS[formula]
    except KeyError:
        raise ValueError(
            f"未知的指数公式 {formula!r},可选:{', '.join(FORMULAS)} / "
            f"Unknown index formula {formula!r}; choose one of {', '.join(FORMULAS)}"
        ) from None
    return fn(p0, p1, q0, q1)


def chain(periods: Sequence[tuple[Prices, Prices]], formula: str = DEFAULT_FORMULA) -> list[float]:
    """Chained index, base 100 at the first period, from (prices, quantities) per period.

    A period sharing no priced item with the one before carries the index forward.
    """
    index = [100.0]
    for (p0, q0), (p1, q1) in zip(periods, periods[1:]):
        has_match = bool(matched(p0, p1, q0, q1))
        index.append(index[-1] * (link(formula, p0, p1, q0, q1) if has_match else 1.0))
    return index
