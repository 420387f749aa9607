"""The planted 调价: one spec's price list changes some weeks before the end of the window.

The most widely sold 二类 spec that no other planted event uses has its suggested retail
price cut by about a tenth (to a whole ten 元) and its wholesale price by 2% more, so the
retailers' margin widens; shops relabel on the day and keep their price level against the
new suggested price. Chosen without random draws, so that apart from this change a seed
gives the same city. The prices are kept as periods (spec_price) and the change is recorded
in demo_truth as kind `price_change`, city-wide (no 片区), from its first week to the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from marketpulse.simulate.assortment import Established
from marketpulse.simulate.events import Events

PRICE_CHANGE = "price_change"
WEEKS_BEFORE_END = 10  # the change takes effect this many weeks before the window ends
CUT = 0.9  # new suggested price ÷ old, before rounding to a whole ten 元
EXTRA_WHOLESALE_CUT = 0.98  # the wholesale price falls by this much more
EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True)
class PriceChange:
    """Spec `spec` (index) sells at the new prices from week `week` on."""

    spec: int
    week: int
    wholesale: float
    suggested: float


def plan(spec: pd.DataFrame, est: Established, events: Events, weeks: int) -> PriceChange:
    """Choose the spec and its new prices: no random draws."""
    cls = spec["cls"].to_numpy()
    retail = spec["suggested_retail_price"].to_numpy()
    used = [events.overstock.spec, events.discounting.spec, events.stockout.spec, events.lagging_launch.spec]
    ok = (spec["launch_w"].to_numpy() < 0) & ~spec["tight"].to_numpy()
    ok[used] = False
    volume = np.bincount(est.s, weights=est.mu, minlength=len(spec))
    second = ok & (cls == 1) & (np.round(retail * CUT, -1) >= 180)  # stays a 二类 spec
    j = int(np.argmax(np.where(second if second.any() else ok, volume, -1)))
    suggested = float(np.round(retail[j] * CUT, -1))
    factor = suggested / retail[j] * EXTRA_WHOLESALE_CUT
    wholesale = round(float(spec["wholesale_price"].iloc[j]) * factor, 2)
    return PriceChange(spec=j, week=weeks - WEEKS_BEFORE_END, wholesale=wholesale, suggested=suggested)


def suggested_after(suggested: np.ndarray, spec_of_pair: np.ndarray, change: PriceChange) -> np.ndarray:
    """Per pair, the suggested retail price from the change's week on."""
    return np.where(spec_of_pair == change.spec, change.suggested, suggested)


def latest(spec: pd.DataFrame, change: PriceChange) -> pd.DataFrame:
    """The spec table with the prices on file at the end: the changed spec at its new prices."""
    spec = spec.copy()
    spec.loc[spec.index[change.spec], ["wholesale_price", "suggested_retail_price"]] = [
        change.wholesale,
        change.suggested,
    ]
    return spec


def periods(spec: pd.DataFrame, change: PriceChange, start: date) -> pd.DataFrame:
    """spec_price rows: every spec's prices from 1900-01-01, the changed spec's split at its week."""
    since = start + timedelta(weeks=change.week)
    rows = pd.DataFrame(
        {
            "spec_code": spec["spec_code"],
            "valid_from": EARLIEST,
            "valid_to": [since if i == change.spec else None for i in range(len(spec))],
            "wholesale_price": spec["wholesale_price"],
            "suggested_retail_price": spec["suggested_retail_price"],
        }
    )
    new = {
        "spec_code": spec["spec_code"].iloc[change.spec],
        "valid_from": since,
        "valid_to": None,
        "wholesale_price": change.wholesale,
        "suggested_retail_price": change.suggested,
    }
    return pd.concat([rows, pd.DataFrame([new])], ignore_index=True)


def truth(spec: pd.DataFrame, change: PriceChange, start: date, weeks: int) -> pd.DataFrame:
    """The demo_truth row of the change: the spec, city-wide, its first week to the last."""
    return pd.DataFrame(
        [
            {
                "kind": PRICE_CHANGE,
                "spec_code": spec["spec_code"].iloc[change.spec],
                "territory_code": None,
                "cm_code": None,
                "first_week": start + timedelta(weeks=change.week),
                "last_week": start + timedelta(weeks=weeks - 1),
            }
        ]
    )


def price_lists(spec: pd.DataFrame, spec_price: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The spec file as first filed (every spec at its earliest prices) and the later price
    lists (the spec rows at their new prices, with the 生效日期 they hold from)."""
    prices_of = ["wholesale_price", "suggested_retail_price"]
    first = spec_price[spec_price["valid_from"] == EARLIEST].set_index("spec_code")[prices_of]
    initial = spec.drop(columns=prices_of).join(first, on="spec_code")[list(spec.columns)]
    later = spec_price[spec_price["valid_from"] != EARLIEST].rename(columns={"valid_from": "effective_date"})
    changes = spec.drop(columns=prices_of).merge(later[["spec_code", "effective_date", *prices_of]], on="spec_code")
    return initial, changes[[*spec.columns, "effective_date"]]
