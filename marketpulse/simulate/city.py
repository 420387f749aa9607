"""A whole simulated city, generated in bulk with numpy from one seed.

Reference tables once, then one pass per week over all retailer × spec pairs at once. The
steps, in the order of their random draws: reference data (reference), each territory's and
customer manager's character, the year (seasons), who carries what (assortment), where the
planted events fall (events), launches, and the weeks (weeks); the planted 调价 (prices) and
片区 redraw (redraw) take no draws. Ground truth of the planted events is in `City.truth`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from marketpulse.festival import monday
from marketpulse.simulate import assortment, events, prices, redraw, reference, seasons
from marketpulse.simulate import catalog as cat
from marketpulse.simulate.scale import MIN_WEEKS, SCALES, Scale
from marketpulse.simulate.weeks import World, make_world, run_weeks

Progress = Callable[[float, str], None]  # (fraction done, message)
SPEC_COLUMNS = (
    "spec_code",
    "spec_name",
    "brand",
    "price_class",
    "wholesale_price",
    "suggested_retail_price",
    "is_key_brand",
    "launch_date",
)


@dataclass
class City:
    """One simulated city: reference frames, fact frames (integer-coded) and ground truth."""

    scale: Scale
    seed: int
    start: date  # Monday of the first simulated week
    weeks: int
    department: pd.DataFrame
    territory: pd.DataFrame
    customer_manager: pd.DataFrame
    retailer: pd.DataFrame  # row i is retailer index i in the fact frames
    spec: pd.DataFrame  # row j is spec index j in the fact frames; the prices on file at the end
    truth: pd.DataFrame
    # visits: w, day, r, s, stock, price (0 = none), on_shelf, sales (-1 = none), note (-1 = none)
    visits: pd.DataFrame
    orders: pd.DataFrame  # w, day, r, s, demand, supplied
    notes: tuple[str, ...] = cat.ALL_NOTES
    spec_price: pd.DataFrame | None = None  # the specs' price periods (spec_price), the planted 调价 included
    moves: pd.DataFrame | None = None  # the planted 片区 redraw: retailers that changed 片区 (redraw.MOVE_COLUMNS)
    spring_festivals: list[date] = field(default_factory=list)

    @property
    def end(self) -> date:
        """Monday of the last simulated week."""
        return self.start + timedelta(weeks=self.weeks - 1)


@dataclass
class Blueprint:
    """A city before its weeks are run: reference frames, planted events and the fixed world,
    with the random generator where the weeks take it up (the replay runs weeks from here)."""

    scale: Scale
    start: date
    weeks: int
    rng: np.random.Generator
    department: pd.DataFrame
    territory: pd.DataFrame
    customer_manager: pd.DataFrame
    retailer: pd.DataFrame
    spec: pd.DataFrame
    year: seasons.Seasons
    planted: events.Events
    change: prices.PriceChange
    moves: pd.DataFrame
    world: World


def blueprint(
    scale: str | Scale = "town",
    seed: int = 7,
    weeks: int | None = None,
    end_week: date | None = None,
    progress: Progress | None = None,
) -> Blueprint:
    """Everything `simulate` draws before the first week, in the same order."""
    scale = SCALES[scale] if isinstance(scale, str) else scale
    n_weeks = int(weeks or scale.weeks)
    if n_weeks < MIN_WEEKS:
        raise ValueError(
            f"模拟周数至少为 {MIN_WEEKS}(给出 {n_weeks})/ weeks must be at least {MIN_WEEKS} so that the planted "
            f"events and launches fit (got {n_weeks})"
        )
    start = monday(end_week or seasons.last_complete_week()) - timedelta(weeks=n_weeks - 1)
    rng = np.random.default_rng(seed)
    tell = progress or (lambda f, m: None)

    tell(0.0, "参考数据 / reference data")
    department, territory, cm = reference.geography(rng, scale)
    retailer, ra = reference.retailers(rng, scale, territory, cm, start, n_weeks)
    spec = reference.catalog(rng, scale, start, n_weeks)
    character = reference.character(rng, territory, len(cm))
    year = seasons.seasons(start, n_weeks, character.territory_growth)
    est = assortment.established(rng, spec, ra)
    planted = events.plan(rng, n_weeks, territory, cm, spec, ra, est)
    lagging = (planted.lagging_launch.spec, planted.lagging_launch.ter)
    pairs = assortment.with_launches(rng, est, spec, ra, n_weeks, character, lagging)
    tell(0.05, f"{len(pairs):,} 个零售户×规格 / retailer × spec pairs")
    change = prices.plan(spec, est, planted, n_weeks)  # the planted 调价: no random draws
    moves = redraw.plan(n_weeks, start, territory, cm, retailer, ra, pairs, planted)  # 片区 redraw: no draws
    world = make_world(rng, n_weeks, spec, ra, pairs, year, character, planted, change)
    return Blueprint(
        scale, start, n_weeks, rng, department, territory, cm, retailer, spec, year, planted, change, moves, world
    )


def simulate(
    scale: str | Scale = "town",
    seed: int = 7,
    weeks: int | None = None,
    end_week: date | None = None,
    progress: Progress | None = None,
) -> City:
    """Simulate a city; `end_week` (a Monday) defaults to the last complete ISO week."""
    tell = progress or (lambda f, m: None)
    b = blueprint(scale, seed, weeks, end_week, progress)
    start, n_weeks, spec = b.start, b.weeks, b.spec

    def on_week(w: int) -> None:
        if w % 4 == 3 or w == n_weeks - 1:
            tell(0.05 + 0.45 * (w + 1) / n_weeks, f"模拟第 {w + 1}/{n_weeks} 周 / simulating week {w + 1} of {n_weeks}")

    visits, orders = run_weeks(b.world, b.rng, on_week)
    last_day = start + timedelta(weeks=n_weeks, days=-1)
    return City(
        scale=b.scale,
        seed=seed,
        start=start,
        weeks=n_weeks,
        department=b.department,
        territory=b.territory,
        customer_manager=b.customer_manager,
        retailer=redraw.moved(b.retailer, b.moves),
        spec=prices.latest(spec[list(SPEC_COLUMNS)], b.change),
        truth=pd.concat(
            [
                events.truth(b.planted, b.territory, b.customer_manager, spec, start),
                prices.truth(spec, b.change, start, n_weeks),
                redraw.truth(b.moves, start + timedelta(weeks=n_weeks - 1)),
            ],
            ignore_index=True,
        ),
        visits=visits,
        orders=orders,
        spring_festivals=[f for f in b.year.festivals if start <= f <= last_day],
        spec_price=prices.periods(spec[list(SPEC_COLUMNS)], b.change, start),
        moves=b.moves,
    )
