"""The planted events: where and when each happens, and the ground truth the store keeps of them.

overstock (压货 that does not sell), discounting (a price war), stockout (停供 of a tight
spec), copy_counts (a customer manager copying last week's stock counts), missed_visits
(one skipping a third of his visits) and lagging_launch (a launch that spreads slowly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from marketpulse.simulate.assortment import Established
from marketpulse.simulate.reference import RetailerArrays

EVENT_KINDS = ("overstock", "discounting", "stockout", "copy_counts", "missed_visits", "lagging_launch")


@dataclass(frozen=True)
class Spot:
    """An event on one spec in one territory, weeks first … last."""

    ter: int
    spec: int
    first: int
    last: int

    def during(self, w: int) -> bool:
        return self.first <= w <= self.last


@dataclass(frozen=True)
class Spell:
    """A customer manager's habit, weeks first … last."""

    cm: int
    first: int
    last: int


@dataclass(frozen=True)
class Events:
    """Where and when each planted event happens (integer indices into the city's frames)."""

    overstock: Spot
    discounting: Spot
    stockout: Spot
    copy_counts: Spell
    missed_visits: Spell
    lagging_launch: Spot  # from the launch week to the end


def _cm_territory(territory: pd.DataFrame, cm: pd.DataFrame) -> np.ndarray:
    """Territory index of each customer manager."""
    return cm["territory_code"].map({c: i for i, c in enumerate(territory["territory_code"])}).to_numpy()


def plan(
    rng: np.random.Generator,
    weeks: int,
    territory: pd.DataFrame,
    cm: pd.DataFrame,
    spec: pd.DataFrame,
    ra: RetailerArrays,
    est: Established,
) -> Events:
    """Choose the territory, spec, customer manager and weeks of each planted event.

    Spec events fall on a spec widely carried in their territory; each event has its own
    territory where there are enough of them.
    """
    urban = np.flatnonzero((territory["area_type"] == "城网").to_numpy())
    rural = np.flatnonzero((territory["area_type"] == "农网").to_numpy())
    u = rng.permutation(urban)
    r = rng.permutation(rural)
    over_t, disc_t = int(u[0]), int(u[1 % len(u)])
    lag_t = int(r[0])
    stock_t = int(r[1 % len(r)]) if len(urban) < 3 else int(u[2])
    cls = spec["cls"].to_numpy()
    tight = spec["tight"].to_numpy()
    pair_ter = ra.ter[est.r]

    def widely_carried(t, classes, exclude):
        vol = np.bincount(est.s[pair_ter == t], weights=est.mu[pair_ter == t], minlength=len(spec))
        ok = np.isin(cls, classes) & ~tight & (spec["launch_w"].to_numpy() < 0)
        ok[list(exclude)] = False
        return int(np.argmax(np.where(ok, vol, -1)))

    over_s = widely_carried(over_t, [1, 2], [])
    disc_s = widely_carried(disc_t, [1, 2], [over_s])
    stock_s = widely_carried(stock_t, [0], [over_s, disc_s])
    # the launch that is between half a year and a year old at the end, else the first
    launches = sorted(np.flatnonzero(spec["launch_w"].to_numpy() >= 0), key=lambda j: spec["launch_w"].iloc[j])
    lag_s = next((j for j in launches if spec["launch_w"].iloc[j] >= weeks - 50), launches[0])

    used = {over_t, lag_t, stock_t}
    cm_ter = _cm_territory(territory, cm)
    free = [t for t in rng.permutation(len(territory)) if t not in used] or [disc_t]
    copy_c = int(np.flatnonzero(cm_ter == free[0])[0])
    missed_pool = free[1:] or [stock_t]
    missed_c = int(np.flatnonzero(cm_ter == missed_pool[0])[-1])

    w = weeks
    return Events(
        overstock=Spot(over_t, over_s, w - 8, w - 1),
        discounting=Spot(disc_t, disc_s, w - 20, w - 13),
        stockout=Spot(stock_t, stock_s, w - 5, w - 1),
        copy_counts=Spell(copy_c, w - 26, w - 1),
        missed_visits=Spell(missed_c, w - 30, w - 1),
        lagging_launch=Spot(lag_t, int(lag_s), int(spec["launch_w"].iloc[lag_s]), w - 1),
    )


def truth(events: Events, territory: pd.DataFrame, cm: pd.DataFrame, spec: pd.DataFrame, start: date) -> pd.DataFrame:
    """The ground truth of the planted events, one row per kind in EVENT_KINDS order."""
    codes = territory["territory_code"].to_numpy()
    sc = spec["spec_code"].to_numpy()
    cmc = cm["cm_code"].to_numpy()
    cm_ter = _cm_territory(territory, cm)
    rows = []
    for kind in EVENT_KINDS:
        e = getattr(events, kind)
        if isinstance(e, Spot):
            where = {"spec_code": sc[e.spec], "territory_code": codes[e.ter], "cm_code": None}
        else:
            where = {"spec_code": None, "territory_code": codes[cm_ter[e.cm]], "cm_code": cmc[e.cm]}
        rows.append({"kind": kind, **where, "first_w": e.first, "last_w": e.last})
    frame = pd.DataFrame(rows)
    frame["first_week"] = [start + timedelta(weeks=int(w)) for w in frame.pop("first_w")]
    frame["last_week"] = [start + timedelta(weeks=int(w)) for w in frame.pop("last_w")]
    return frame
