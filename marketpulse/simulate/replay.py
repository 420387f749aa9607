"""Replay: from a past week of the simulated city, let retailers order under a policy's 限量
and play the following week with the simulator's own demand — sales, stock and stock-outs.

The city is rebuilt from its scale and seed and run up to the week after the data week.
Each retailer × spec then wants what the simulator's retailer orders (up to its target
cover) and orders min(wanted, 限量); shoppers come as the simulator draws them — the same
draws for every policy, so policies differ only in what they let retailers order.

The replay delivers no more than the city has: a spec's available quantity is what the city
actually supplied of it that week. When a spec's orders pass it, the ordering system rations
them (`ration`): each order is scaled by available ÷ ordered and rounded down to whole 条,
and the 条 that rounding leaves go one each to the largest remainders (ties: the retailer
listed first), so no retailer gets more than it ordered and the spec never more than is
available. Every policy, the baselines included, is rationed the same way.

Scored per retailer × spec × week: a stock-out when shoppers wanted more than was on hand;
overstock when the closing stock is above the high band of the retailer's group
(monitoring_point) times its mean weekly sales over the four weeks to the replayed week
(held stock without sales counts too).
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

import numpy as np

from marketpulse.simulate import weeks as sim
from marketpulse.simulate.city import Blueprint

logger = logging.getLogger(__name__)
HISTORY = 4  # weeks of sales behind the cover of the replayed week


@dataclass
class Origin:
    """The simulated city at the end of a data week: what the week after starts from."""

    week: int  # index of the data week
    carry: sim.Carry
    rng_state: dict
    sales: np.ndarray  # pairs × HISTORY − 1: sales of the last weeks up to the data week


@dataclass
class Week:
    """The replayed week before any policy: who is on the shelf, what they want, what shoppers take."""

    week: int  # index of the replayed week
    act: np.ndarray  # pairs on the shelf
    before: np.ndarray  # stock on hand at the start
    wanted: np.ndarray  # what each retailer orders without a 限量
    supplied: np.ndarray  # what the city actually supplied (the simulation's own week)
    shoppers: np.ndarray  # what shoppers want to buy
    past_sales: np.ndarray  # act × HISTORY − 1
    spec: np.ndarray  # each active pair's spec (index): its orders are rationed within the spec's supply


def origins(b: Blueprint, data_weeks: list[int]) -> list[Origin]:
    """Run the city's weeks, keeping its state at the end of each data week in `data_weeks`."""
    world, rng = b.world, copy.deepcopy(b.rng)
    carry = sim.Carry.start(world)
    n = len(world.pairs)
    sales = np.zeros((n, HISTORY - 1))
    key = world.pairs.r.astype(np.int64) * world.n_specs + world.pairs.s
    out, wanted = [], set(data_weeks)
    for w in range(max(data_weeks) + 1):
        before = carry.stock.copy()
        _, orders = sim._week(world, carry, w, rng)
        supplied = np.zeros(n)
        idx = np.searchsorted(key, orders["r"].to_numpy(np.int64) * world.n_specs + orders["s"].to_numpy())
        np.add.at(supplied, idx, orders["supplied"].to_numpy())
        sales = np.column_stack([sales[:, 1:], before + supplied - carry.stock])
        if w in wanted:
            out.append(Origin(w, copy.deepcopy(carry), copy.deepcopy(rng.bit_generator.state), sales.copy()))
    return out


def next_week(b: Blueprint, origin: Origin) -> Week:
    """The week after the data week up to the policies: the same draws the simulation made."""
    world, w = b.world, origin.week + 1
    carry = copy.deepcopy(origin.carry)
    rng = np.random.default_rng()
    rng.bit_generator.state = copy.deepcopy(origin.rng_state)
    p = world.pairs
    act = np.flatnonzero((p.first_w <= w) & (p.end_w > w))
    carry.drift = 0.95 * carry.drift + rng.normal(0, 0.004, world.n_specs)  # as sim._week draws it
    plan, mean = sim._demand(world, act, w)
    before = carry.stock[act].copy()
    wanted, supplied = sim._supply(world, carry, act, w, plan)
    shoppers = rng.poisson(mean * rng.gamma(10, 0.1, len(act)))  # as sim._sell draws them
    return Week(w, act, before, wanted, supplied, shoppers, origin.sales[act], p.s[act].astype(np.int64))


def ration(ordered: np.ndarray, spec: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Whole-number deliveries of `ordered` (per pair) within each spec's `available` quantity
    (indexed by spec): a spec ordered beyond it gets each order × available ÷ ordered, rounded
    down, and the 条 left to the largest remainders (ties: the pair listed first)."""
    ordered = np.asarray(ordered, dtype=np.int64)
    spec = np.asarray(spec, dtype=np.int64)
    total = np.bincount(spec, weights=ordered, minlength=len(available))
    short = total > available
    if not short[spec].any():
        return ordered.copy()
    ratio = np.where(short, available / np.where(total > 0, total, 1), 1.0)
    exact = ordered * ratio[spec]
    got = np.minimum(np.floor(exact + 1e-9).astype(np.int64), ordered)
    left = np.round(available - np.bincount(spec, weights=got, minlength=len(available))).astype(np.int64)
    left = np.where(short, np.maximum(left, 0), 0)
    order = np.lexsort((np.arange(len(got)), -(exact - got), spec))  # per spec, largest remainder first
    rank = np.arange(len(order)) - np.searchsorted(spec[order], spec[order])  # place within its spec
    extra = np.zeros(len(got), dtype=np.int64)
    extra[order] = ((rank < left[spec[order]]) & (got[order] < ordered[order])).astype(np.int64)
    return got + extra


def available_of(week: Week) -> np.ndarray:
    """Each spec's available quantity in the replayed week: what the city actually supplied of it."""
    return np.bincount(week.spec, weights=week.supplied, minlength=int(week.spec.max()) + 1 if len(week.spec) else 0)


def play(week: Week, limit: np.ndarray, high: np.ndarray) -> dict[str, np.ndarray]:
    """One policy's week: `limit` per active pair (限量), `high` its group's high cover band;
    orders are min(wanted, 限量), rationed within each spec's available quantity."""
    ordered = np.minimum(week.wanted, np.maximum(limit, 0)).astype(np.int64)
    got = ration(ordered, week.spec, available_of(week))
    on_hand = week.before + got
    sales = np.minimum(week.shoppers, on_hand)
    closing = on_hand - sales
    mean = np.column_stack([week.past_sales, sales]).mean(axis=1)
    cover = np.where(mean > 0, closing / np.where(mean > 0, mean, 1), np.where(closing > 0, np.inf, 0))
    return {
        "supplied": got,
        "sales": sales,
        "closing": closing,
        "stockout": week.shoppers > on_hand,
        "overstock": cover > high,
    }


def score(result: dict[str, np.ndarray]) -> dict[str, float]:
    """Counts of one policy's week: stock-out and overstock retailer × spec weeks, supply and sales."""
    return {
        "stockout": int(result["stockout"].sum()),
        "overstock": int(result["overstock"].sum()),
        "supplied": float(result["supplied"].sum()),
        "sales": float(result["sales"].sum()),
    }
