"""The week-by-week run: demand, orders and supply, sales, and the customer managers' visits.

Each week the retailer orders up to its target cover (about one week of sales); the company
supplies it (a few tight specs are rationed); sales come out of what is on hand; stock =
previous + supplied − sales. The customer manager visits once a week, counts stock, notes the
price (sticky, drifting around the suggested price), sometimes reports sales since the
previous visit, sometimes writes a note. All retailer × spec pairs of a week go at once.

A seed gives the same city only if the random draws come in the same order: `make_world` draws
what is fixed, then each week draws in the order of `_week`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from marketpulse.simulate import catalog as cat
from marketpulse.simulate.assortment import Pairs
from marketpulse.simulate.events import Events
from marketpulse.simulate.prices import PriceChange, suggested_after
from marketpulse.simulate.reference import FORMAT_MARKUP, Character, RetailerArrays
from marketpulse.simulate.seasons import Seasons


def _note_groups() -> dict[str, tuple[int, int]]:
    """Note group → (first code, number of notes); a note's code is its index in catalog.ALL_NOTES."""
    groups, first = {}, 0
    for name, notes in cat.NOTES.items():
        groups[name] = (first, len(notes))
        first += len(notes)
    return groups


NOTE_GROUPS = _note_groups()


@dataclass(frozen=True)
class World:
    """What stays fixed through the weeks: per pair (indexed like `pairs`), per retailer, per week."""

    weeks: int
    n_specs: int
    pairs: Pairs
    seasons: Seasons
    events: Events
    # retailer × week plan (weeks × retailers)
    day: np.ndarray  # visit weekday, 0 = Monday
    visited: np.ndarray  # the customer manager comes
    copied: np.ndarray  # he copies last visit's stock counts instead of counting
    reports_sales: np.ndarray  # he writes down sales since the previous visit
    # per retailer
    rural_r: np.ndarray  # 农网?
    lead: np.ndarray  # the retailer's first pair, on which visit notes are written (−1 = none)
    # per pair
    cls: np.ndarray  # 价类 index
    suggested: np.ndarray  # suggested retail price
    tight: np.ndarray  # a rationed spec
    ter: np.ndarray  # territory index
    area: np.ndarray  # column of Seasons.area: 0 城网, 1 农网
    launched: np.ndarray  # a spec launched inside the window
    cover: np.ndarray  # stock wanted on hand beyond the week's expected sales, in weeks
    markup: np.ndarray  # the shop's price level above the suggested price
    disc_cut: np.ndarray  # price factor while the discounting event runs
    at_overstock: np.ndarray  # the pair is the overstock event's spec in its territory
    at_discounting: np.ndarray
    at_stockout: np.ndarray
    in_inflow: np.ndarray  # the pair's territory draws newcomers
    suggested_new: np.ndarray  # suggested retail price after the planted 调价
    price_week: int  # first week at the new price list


@dataclass
class Carry:
    """What carries over from week to week, per pair unless said."""

    stock: np.ndarray  # on hand at the end of the week
    unreported: np.ndarray  # sales since the last visit
    last_count: np.ndarray  # stock count written at the last visit, −1 before the first
    price_level: np.ndarray  # price ÷ suggested price, before this week's event moves
    drift: np.ndarray  # per spec: the market's price drift

    @classmethod
    def start(cls, world: World) -> Carry:
        n = len(world.pairs)
        return cls(
            stock=np.zeros(n, dtype=np.int64),
            unreported=np.zeros(n, dtype=np.int64),
            last_count=np.full(n, -1, dtype=np.int64),
            price_level=1 + world.markup,
            drift=np.zeros(world.n_specs),
        )


def _visit_plan(
    rng: np.random.Generator, weeks: int, ra: RetailerArrays, events: Events, blocked: dict[int, set[int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Retailer × week: visit weekday, visited?, stock counts copied?"""
    n_r = len(ra)
    w = np.arange(weeks)[:, None]
    active = (w >= ra.open_w[None, :]) & (w < ra.close_w[None, :])
    shift = rng.choice([-1, 0, 1], size=(weeks, n_r), p=[0.05, 0.8, 0.15])
    day = np.clip(ra.route[None, :] + shift, 0, 5).astype(np.int8)
    for k, days in blocked.items():
        free = [d for d in range(6) if d not in days]
        if free:
            table = np.array([min(free, key=lambda f: (abs(f - d), f)) for d in range(6)], dtype=np.int8)
            day[k] = table[day[k]]
    closing = np.flatnonzero(ra.close_w < weeks)
    last = ra.close_w[closing] - 1
    day[last, closing] = np.minimum(day[last, closing], ra.last_day[closing])
    miss_p = np.full((weeks, n_r), 0.012)
    missed = events.missed_visits
    miss_p[missed.first : missed.last + 1, ra.cm == missed.cm] = 1 / 3
    visited = active & (rng.random((weeks, n_r)) >= miss_p)
    copied = np.zeros((weeks, n_r), dtype=bool)
    copy = events.copy_counts
    mine = ra.cm == copy.cm
    copied[copy.first : copy.last + 1, mine] = rng.random((copy.last + 1 - copy.first, mine.sum())) < 0.92
    return day, visited, copied


def make_world(
    rng: np.random.Generator,
    weeks: int,
    spec: pd.DataFrame,
    ra: RetailerArrays,
    pairs: Pairs,
    seasons: Seasons,
    character: Character,
    events: Events,
    change: PriceChange,
) -> World:
    """Draw what stays fixed through the run: visit plan, shops' cover and price levels."""
    pr, ps = pairs.r, pairs.s
    n_p = len(pairs)
    day, visited, copied = _visit_plan(rng, weeks, ra, events, seasons.blocked)
    cover_r = rng.uniform(0.7, 1.2, len(ra)) + 0.2 * ra.rural
    reports_sales = rng.random((weeks, len(ra))) < character.cm_reports_sales[ra.cm][None, :]
    lead = np.full(len(ra), -1)
    lead[pr[::-1]] = np.arange(n_p)[::-1]
    ter = ra.ter[pr]
    tight = spec["tight"].to_numpy()[ps]
    # prices: sticky, drifting around the suggested price
    markup = (rng.normal(0.004, 0.012, len(ra)) + FORMAT_MARKUP[ra.fmt] - 0.004 * ra.rural)[pr]
    markup += character.territory_price[ter] + 0.03 * tight + rng.normal(0, 0.004, n_p)
    disc_cut = rng.uniform(0.88, 0.92, n_p)

    def at(spot):
        return (ter == spot.ter) & (ps == spot.spec)

    return World(
        weeks=weeks,
        n_specs=len(spec),
        pairs=pairs,
        seasons=seasons,
        events=events,
        day=day,
        visited=visited,
        copied=copied,
        reports_sales=reports_sales,
        rural_r=ra.rural,
        lead=lead,
        cls=spec["cls"].to_numpy()[ps],
        suggested=spec["suggested_retail_price"].to_numpy()[ps],
        tight=tight,
        ter=ter,
        area=ra.rural[pr].astype(int),
        launched=spec["launch_w"].to_numpy()[ps] >= 0,
        cover=cover_r[pr],
        markup=markup,
        disc_cut=disc_cut,
        at_overstock=at(events.overstock),
        at_discounting=at(events.discounting),
        at_stockout=at(events.stockout),
        in_inflow=ter == character.inflow_territory,
        suggested_new=suggested_after(spec["suggested_retail_price"].to_numpy()[ps], ps, change),
        price_week=change.week,
    )


def run_weeks(
    world: World, rng: np.random.Generator, on_week: Callable[[int], None] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every week; returns the visit lines and the order lines (integer-coded, see `City`)."""
    carry = Carry.start(world)
    visit_parts, order_parts = [], []
    for w in range(world.weeks):
        visits, orders = _week(world, carry, w, rng)
        visit_parts.append(visits)
        order_parts.append(orders)
        if on_week:
            on_week(w)
    return pd.concat(visit_parts, ignore_index=True), pd.concat(order_parts, ignore_index=True)


def _week(world: World, carry: Carry, w: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One week, in the order its draws are made: price drift, sales, order days, visits."""
    p = world.pairs
    act = np.flatnonzero((p.first_w <= w) & (p.end_w > w))  # pairs on the shelf this week
    carry.drift = 0.95 * carry.drift + rng.normal(0, 0.004, world.n_specs)
    plan, mean = _demand(world, act, w)
    demand, supplied = _supply(world, carry, act, w, plan)
    _sell(carry, act, mean, supplied, rng)
    orders = _order_lines(world, act, w, demand, supplied, rng)
    visits = _visit_lines(world, carry, act, w, rng)
    return visits, orders


def _demand(world: World, act: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    """What the retailers expect to sell (plan) and what shoppers will buy on average (mean)."""
    s = world.seasons
    mean = world.pairs.mu[act] * s.by_class[w, world.cls[act]] * s.area[w, world.area[act]] * s.trend[w, world.ter[act]]
    age = w - world.pairs.first_w[act]
    mean = np.where(world.launched[act], mean * np.minimum(1, 0.5 + 0.08 * age), mean)  # a launch warms up
    plan = mean.copy()
    if world.events.overstock.during(w):
        mean[world.at_overstock[act]] *= 0.6  # 卖不动
    if world.events.discounting.during(w):
        mean[world.at_discounting[act]] *= 1.12
    return plan, mean


def _supply(world: World, carry: Carry, act: np.ndarray, w: int, plan: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the retailers order (up to their target cover) and what the company supplies."""
    target = np.maximum(1, np.round(plan * (1 + world.cover[act])))
    demand = np.maximum(0, target - carry.stock[act]).astype(np.int64)
    supplied = demand.copy()
    rationed = world.tight[act] & (demand >= 3)
    supplied[rationed] -= np.floor(demand[rationed] * 0.2).astype(np.int64)
    stockout, overstock = world.events.stockout, world.events.overstock
    if stockout.during(w):
        m = world.at_stockout[act]
        demand[m] = np.maximum(demand[m], np.round(plan[m] * 1.5)).astype(np.int64)
        supplied[m] = np.floor(demand[m] * (0.1 if w > stockout.first else 0)).astype(np.int64)  # 停供, then a trickle
    if overstock.first <= w <= overstock.first + 2:
        m = world.at_overstock[act]
        push = np.round(plan[m] * 1.5).astype(np.int64)  # 压货: the retailer is talked into more
        demand[m] += push
        supplied[m] += push
    return demand, supplied


def _sell(carry: Carry, act: np.ndarray, mean: np.ndarray, supplied: np.ndarray, rng: np.random.Generator) -> None:
    """Shoppers buy around the mean, never more than is on hand; stock and unreported sales move."""
    lam = mean * rng.gamma(10, 0.1, len(act))
    before = carry.stock[act]
    sales = np.minimum(rng.poisson(lam), before + supplied)
    carry.stock[act] = before + supplied - sales
    carry.unreported[act] += sales


def _order_lines(
    world: World, act: np.ndarray, w: int, demand: np.ndarray, supplied: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """The week's order lines, placed on the visit day or up to three days before (never on a blocked day)."""
    r = world.pairs.r[act]
    visit_day = world.day[w, r]
    day = visit_day.astype(np.int16) - rng.integers(0, 4, len(act))
    day = np.maximum(day, 0).astype(np.int8)
    if w in world.seasons.blocked:
        bad = np.isin(day, list(world.seasons.blocked[w]))
        day[bad] = visit_day[bad]
    has_order = demand > 0
    return pd.DataFrame(
        {
            "w": np.full(has_order.sum(), w, dtype=np.int16),
            "day": day[has_order],
            "r": r[has_order],
            "s": world.pairs.s[act][has_order],
            "demand": demand[has_order].astype(np.int32),
            "supplied": supplied[has_order].astype(np.int32),
        }
    )


def _visit_lines(world: World, carry: Carry, act: np.ndarray, w: int, rng: np.random.Generator) -> pd.DataFrame:
    """The week's visit lines: for each pair of a visited shop, count, price, shelf, sales, note."""
    r = world.pairs.r[act]
    vis = world.visited[w, r]
    va = act[vis]
    vr = r[vis]
    stock, sales = _counts(world, carry, va, vr, w)
    price = _prices(world, carry, va, w, rng)
    on_shelf = (stock > 0) & (rng.random(len(va)) > 0.01)
    note = _notes(world, va, vr, w, rng)
    return pd.DataFrame(
        {
            "w": np.full(len(va), w, dtype=np.int16),
            "day": world.day[w, vr],
            "r": vr,
            "s": world.pairs.s[va],
            "stock": stock.astype(np.int32),
            "price": price.astype(np.int32),
            "on_shelf": on_shelf,
            "sales": sales.astype(np.int32),
            "note": note,
        }
    )


def _counts(world: World, carry: Carry, va: np.ndarray, vr: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Stock as written down (counted, or copied from last visit) and sales since the last visit (−1 = not
    reported); no draws."""
    copying = world.copied[w, vr] & (carry.last_count[va] >= 0)
    stock = np.where(copying, carry.last_count[va], carry.stock[va])
    carry.last_count[va] = stock
    sales = np.where(world.reports_sales[w, vr] & ~copying, carry.unreported[va], -1)
    carry.unreported[va] = 0
    return stock, sales


def _prices(world: World, carry: Carry, va: np.ndarray, w: int, rng: np.random.Generator) -> np.ndarray:
    """Prices noted (0 = none): shops reprice now and then to the drifting level; events move them at once."""
    reprice = va[rng.random(len(va)) < 0.12]
    carry.price_level[reprice] = 1 + world.markup[reprice] + carry.drift[world.pairs.s[reprice]]
    mult = np.ones(len(va))
    if world.seasons.festival_offset[w] in (-2, -1, 0):
        mult[world.cls[va] == 0] *= 1.02
    discounting, stockout, overstock = world.events.discounting, world.events.stockout, world.events.overstock
    if discounting.during(w):
        m = world.at_discounting[va]
        mult[m] *= world.disc_cut[va[m]]
    if stockout.during(w):
        m = world.at_stockout[va]
        mult[m] *= 1 + min(0.1, 0.05 + 0.02 * (w - stockout.first))
    if overstock.during(w):
        mult[world.at_overstock[va]] *= 0.975
    suggested = world.suggested_new[va] if w >= world.price_week else world.suggested[va]  # 调价: relabelled
    price = np.round(suggested * carry.price_level[va] * mult * (1 + rng.normal(0, 0.004, len(va))))
    price[rng.random(len(va)) < 0.03] = 0  # not noted
    return price


def _notes(world: World, va: np.ndarray, vr: np.ndarray, w: int, rng: np.random.Generator) -> np.ndarray:
    """Visit notes (codes into catalog.ALL_NOTES, −1 = none); shop-level notes go on the shop's lead pair."""
    note = np.full(len(va), -1, dtype=np.int16)

    def write(group: str, pick: np.ndarray) -> None:
        first, count = NOTE_GROUPS[group]
        note[pick] = (first + rng.integers(0, count, pick.sum())).astype(np.int16)

    is_lead = world.lead[vr] == va
    roll = rng.random(len(va))
    events = world.events
    write("GENERIC", is_lead & (roll < 0.012))
    write("COUNTERFEIT", is_lead & (roll > 0.9985))
    if -2 <= world.seasons.festival_offset[w] <= 1:
        write("MIGRANT", is_lead & world.rural_r[vr] & (roll > 0.05) & (roll < 0.22))
    write("INFLOW", is_lead & world.in_inflow[va] & (roll > 0.95) & (roll < 0.985))
    write("NEW_SPEC", (world.pairs.first_w[va] == w) & world.launched[va] & (roll < 0.3))
    if events.stockout.during(w):
        write("STOCKOUT", world.at_stockout[va] & (roll < 0.35))
    if events.overstock.during(w):
        write("OVERSTOCK", world.at_overstock[va] & (roll < 0.25))
    if events.discounting.during(w):
        write("DISCOUNT", world.at_discounting[va] & (roll < 0.25))
    return note
