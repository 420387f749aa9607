"""新品牌培育 (new-brand uptake): how far each spec launched in the last 52 weeks has spread
(铺货率 cumulative, 上柜率 this week), sells and is reordered, per level key × week since
launch, with the whole city's curve alongside as the benchmark."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from marketpulse import store
from marketpulse.metrics import kept
from marketpulse.metrics.api import HIERARCHY_LEVELS, query
from marketpulse.metrics.calendar import week_of

NEW_SPEC_WEEKS = 52  # a spec is "new" for the 52 weeks from its launch week
UPTAKE_RATES = (
    "distribution_rate",
    "shelf_rate",
    "sellthrough_rate",
    "repeat_rate",
    "weekly_repeat_rate",
    "sales_per_stocking_retailer",
)


RETAILER_FILTERS = ("format", "tier_band", "area_type")


def new_brand_uptake(week_from, week_to, level="city", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """新品牌培育 per new spec × level key × week (the query's frame, unchanged): read from the
    uptake the lake keeps (lake/uptake_week.py) where it answers for the level, scope and filters
    (_kept_level), else evaluated."""
    params = {"week_from": week_from, "week_to": week_to, "level": level, **filters}
    kept_level = _kept_level(level, scope, filters, path)
    if kept_level is not None:
        wanted = {k: v for k, v in params.items() if k != "measures" and k not in RETAILER_FILTERS}
        try:
            return query("kept/uptake", {**wanted, "kept_level": kept_level}, scope, path, levels=HIERARCHY_LEVELS)
        except duckdb.CatalogException as error:
            if not kept.taken_away(error, "uptake_week"):
                raise
    return query("new_brand_uptake", params, scope, path, levels=HIERARCHY_LEVELS)


def _kept_level(level: str, scope: store.Scope, filters: dict, path) -> str | None:
    """The level of the kept rows that are the evaluation's (kept.kept_level), or None; none
    under a retailer filter (the kept rows count every retailer; a spec filter picks kept rows)."""
    if any(filters.get(k) is not None for k in RETAILER_FILTERS):
        return None
    return kept.kept_level("uptake_week", "base/uptake_rows", level, scope, path)


def uptake_curves(
    week_to,
    level="territory",
    scope: store.Scope = store.CITY,
    benchmark_scope: store.Scope = store.CITY,
    path=None,
    week_from=None,
    **filters,
) -> pd.DataFrame:
    """Uptake curves of every spec launched in the 52 weeks to `week_to`, with the city's alongside.

    One row per spec × level key × week since launch (0 = launch week), from launch (or
    `week_from`) to `week_to`: the new_brand_uptake columns plus `city_<rate>` for each
    rate in UPTAKE_RATES (the same spec and week since launch at level city, run in
    `benchmark_scope`, by default the whole city so that a territory sees the city it is
    measured against) and `distribution_gap` = distribution_rate − city_distribution_rate.
    """
    week_to = week_of(week_to)
    week_from = week_to - dt.timedelta(weeks=NEW_SPEC_WEEKS - 1) if week_from is None else week_from
    curves = new_brand_uptake(week_from, week_to, level, scope, path, **filters)
    return against_city(curves, new_brand_uptake(week_from, week_to, "city", benchmark_scope, path, **filters))


def against_city(curves: pd.DataFrame, city: pd.DataFrame) -> pd.DataFrame:
    """new_brand_uptake rows at a level with the city's rates alongside (`city_<rate>`) and
    `distribution_gap`, from `city`: new_brand_uptake at level city with the same filters, in
    the benchmark scope, over those weeks at least (rows of other specs and weeks are left out,
    each spec's rates being its own)."""
    city = city[["spec_code", "weeks_since_launch", *UPTAKE_RATES]].rename(
        columns={rate: f"city_{rate}" for rate in UPTAKE_RATES}
    )
    merged = curves.merge(city, on=["spec_code", "weeks_since_launch"], how="left")
    merged["distribution_gap"] = merged["distribution_rate"] - merged["city_distribution_rate"]
    return merged.sort_values(["spec_code", "level_key", "weeks_since_launch"], ignore_index=True)
