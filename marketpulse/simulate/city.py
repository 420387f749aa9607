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
from marketpulse.simulate.weeks import make_world, run_weeks

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


def simulate(
    scale: str | Scale = "town",
    seed: int = 7,
    weeks: int | None = None,
    end_week: date | None = None,
    progress: Progress | None = None,
) -> City:
    """Simulate a city; `end_week` (a Monday) defaults to the last complete ISO week."""
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

    def on_week(w: int) -> None:
        if w % 4 == 3 or w == n_weeks - 1:
            tell(0.05 + 0.45 * (w + 1) / n_weeks, f"模拟第 {w + 1}/{n_weeks} 周 / simulating week {w + 1} of {n_weeks}")

    change = prices.plan(spec, est, planted, n_weeks)  # the planted 调价: no random draws
    moves = redraw.plan(n_weeks, start, territory, cm, retailer, ra, pairs, planted)  # 片区 redraw: no draws
    world = make_world(rng, n_weeks, spec, ra, pairs, year, character, planted, change)
    visits, orders = run_weeks(world, rng, on_week)
    last_day = start + timedelta(weeks=n_weeks, days=-1)
    return City(
        scale=scale,
        seed=seed,
        start=start,
        weeks=n_weeks,
        department=department,
        territory=territory,
        customer_manager=cm,
        retailer=redraw.moved(retailer, moves),
        spec=prices.latest(spec[list(SPEC_COLUMNS)], change),
        truth=pd.concat(
            [
                events.truth(planted, territory, cm, spec, start),
                prices.truth(spec, change, start, n_weeks),
                redraw.truth(moves, start + timedelta(weeks=n_weeks - 1)),
            ],
            ignore_index=True,
        ),
        visits=visits,
        orders=orders,
        spring_festivals=[f for f in year.festivals if start <= f <= last_day],
        spec_price=prices.periods(spec[list(SPEC_COLUMNS)], change, start),
        moves=moves,
    )
