"""Brand cultivation, sales and customer-manager metrics for the pages: thin, checked calls.

Each function runs one or a few named queries (queries/*.sql, where the definitions live)
and shapes the frames the pages draw: uptake curves by week since launch with the city's
curve alongside, the KPI cards of a week, the sales-structure trend and the customer
manager's scorecard and route detail. Weeks are Mondays (any day stands for its ISO
week); filters are the sidebar's (format, tier_band, area_type, brand, price_class,
spec_code; None = all); every call runs within a Scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from marketpulse import store

LEVELS = ("city", "department", "territory", "cm", "retailer")
PRODUCT_LEVELS = ("all", "price_class", "brand", "spec")
FILTERS = tuple(store.FILTER_DEFAULTS)
RETAILER_FILTERS = ("format", "tier_band", "area_type")
UPTAKE_RATES = (
    "distribution_rate",
    "sellthrough_rate",
    "repeat_rate",
    "weekly_repeat_rate",
    "sales_per_stocking_retailer",
)
NEW_SPEC_WEEKS = 52  # a spec is "new" for the 52 weeks from its launch week


def week_of(value: str | dt.date | dt.datetime) -> dt.date:
    """The Monday of the ISO week holding `value`."""
    day = pd.Timestamp(value).date()
    return day - dt.timedelta(days=day.weekday())


def same_period_week(value: str | dt.date | dt.datetime) -> dt.date | None:
    """同期: the Monday of the same ISO week number in ISO year − 1; None if that year has no such week.

    2027-W01 (2027-01-04) → 2026-W01 (2025-12-29); 2026-W53 → None (2025 has 52 weeks).
    """
    year, week, _ = week_of(value).isocalendar()
    try:
        return dt.date.fromisocalendar(year - 1, week, 1)
    except ValueError:
        return None


def _check(value: str, allowed: tuple[str, ...], what_zh: str, what_en: str) -> None:
    if value not in allowed:
        raise ValueError(
            f"未知{what_zh} {value!r},可选:{', '.join(allowed)} / "
            f"Unknown {what_en} {value!r}; choose one of {', '.join(allowed)}"
        )


def _run(name: str, params: dict, filters: dict, scope: store.Scope, path, allowed=FILTERS) -> pd.DataFrame:
    unknown = set(filters) - set(allowed)
    if unknown:
        raise ValueError(
            f"未知的筛选条件:{', '.join(sorted(unknown))} / Unknown filter(s): {', '.join(sorted(unknown))}; "
            f"filters are {', '.join(allowed)}"
        )
    if "level" in params:
        _check(params["level"], LEVELS, "层级", "level")
    if "product_level" in params:
        _check(params["product_level"], PRODUCT_LEVELS, "产品层级", "product level")
    for key in ("week_from", "week_to"):
        if key in params:
            params[key] = week_of(params[key])
    return store.run(name, {**params, **filters}, scope=scope, path=path)


# ── new-brand uptake ──────────────────────────────────────────────────────────

def new_brand_uptake(
    week_from, week_to, level="city", scope: store.Scope = store.CITY, path: Path | str | None = None, **filters
) -> pd.DataFrame:
    """新品牌培育 per new spec × level key × week (the query's frame, unchanged)."""
    return _run("new_brand_uptake", {"level": level, "week_from": week_from, "week_to": week_to}, filters, scope, path)


def uptake_curves(
    week_to,
    level="territory",
    scope: store.Scope = store.CITY,
    benchmark_scope: store.Scope = store.CITY,
    path: Path | str | None = None,
    **filters,
) -> pd.DataFrame:
    """Uptake curves of every spec launched in the 52 weeks to `week_to`, with the city's alongside.

    One row per spec × level key × week since launch (0 = launch week), from launch to
    `week_to`: the new_brand_uptake columns plus `city_<rate>` for each rate in
    UPTAKE_RATES (the same spec and week since launch at level city, run in
    `benchmark_scope`, by default the whole city so that a territory sees the city it is
    measured against) and `distribution_gap` = distribution_rate − city_distribution_rate.
    """
    week_to = week_of(week_to)
    week_from = week_to - dt.timedelta(weeks=NEW_SPEC_WEEKS - 1)
    curves = new_brand_uptake(week_from, week_to, level, scope, path, **filters)
    city = new_brand_uptake(week_from, week_to, "city", benchmark_scope, path, **filters)
    city = city[["spec_code", "weeks_since_launch", *UPTAKE_RATES]].rename(
        columns={rate: f"city_{rate}" for rate in UPTAKE_RATES}
    )
    merged = curves.merge(city, on=["spec_code", "weeks_since_launch"], how="left")
    merged["distribution_gap"] = merged["distribution_rate"] - merged["city_distribution_rate"]
    return merged.sort_values(["spec_code", "level_key", "weeks_since_launch"], ignore_index=True)


# ── sales, structure, orders ──────────────────────────────────────────────────

def sales_volume(week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, **filters):
    """销量 and value per level key × product group × week, with 环比 and 同期."""
    params = {"level": level, "product_level": product_level, "week_from": week_from, "week_to": week_to}
    return _run("sales_volume", params, filters, scope, path)


def order_fill(week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, **filters):
    """订单满足率 and 履约率 per level key × product group × week."""
    params = {"level": level, "product_level": product_level, "week_from": week_from, "week_to": week_to}
    return _run("order_fill", params, filters, scope, path)


def sales_structure(week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, **filters):
    """重点品牌比重 and 单条均价 over time, each with its same period, in one frame.

    One row per week × level key × product group: key_brand_share, sp_key_brand_share,
    share_change, avg_price_per_carton, sp_avg_price_per_carton, sp_growth (of the average
    price), with sales_qty and sales_value.
    """
    params = {"level": level, "product_level": product_level, "week_from": week_from, "week_to": week_to}
    share = _run("key_brand_share", dict(params), filters, scope, path)
    price = _run("avg_price_per_carton", dict(params), filters, scope, path)
    keys = ["week", "level_key", "product_key"]
    price = price[[*keys, "sales_value", "avg_price_per_carton", "sp_avg_price_per_carton", "sp_growth"]]
    return share.merge(price, on=keys, how="outer").rename(columns={"sp_growth": "avg_price_sp_growth"})


KPI_COLUMNS = {
    "sales_volume": ("sales_qty", "sales_value", "prev_week_sales_qty", "wow_growth",
                     "same_period_week", "sp_sales_qty", "sp_growth", "sp_value_growth"),
    "key_brand_share": ("key_brand_share", "sp_key_brand_share", "share_change"),
    "avg_price_per_carton": ("avg_price_per_carton", "sp_avg_price_per_carton"),
    "order_fill": ("fill_rate", "fulfilment_rate"),
}


def week_kpis(week, level="city", level_key="city", scope=store.CITY, path=None, **filters) -> dict:
    """The KPI cards of one week for one level key: a dict of the figures, None where undefined.

    Keys: sales_qty, sales_value, prev_week_sales_qty, wow_growth, same_period_week,
    sp_sales_qty, sp_growth, sp_value_growth, key_brand_share, sp_key_brand_share,
    share_change, avg_price_per_carton, sp_avg_price_per_carton (its growth as
    avg_price_sp_growth), fill_rate, fulfilment_rate.
    """
    week = week_of(week)
    cards: dict = {"week": week, "level": level, "level_key": level_key}
    for name, columns in KPI_COLUMNS.items():
        params = {"level": level, "product_level": "all", "week_from": week, "week_to": week}
        frame = _run(name, params, filters, scope, path)
        frame = frame[frame["level_key"] == level_key]
        row = frame.iloc[0] if len(frame) else None
        for column in columns:
            value = None if row is None else row[column]
            cards[column] = None if value is None or pd.isna(value) else value
        if name == "avg_price_per_carton":
            value = None if row is None else row["sp_growth"]
            cards["avg_price_sp_growth"] = None if value is None or pd.isna(value) else value
    if cards["same_period_week"] is None:
        cards["same_period_week"] = same_period_week(week)
    elif hasattr(cards["same_period_week"], "date"):
        cards["same_period_week"] = cards["same_period_week"].date()
    return cards


# ── customer managers ─────────────────────────────────────────────────────────

def cm_scorecard(week_from, week_to, level="cm", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """客户经理工作质量: one row per customer manager (or level key) for the period."""
    return _run("cm_scorecard", {"level": level, "week_from": week_from, "week_to": week_to}, filters, scope, path)


@dataclass(frozen=True)
class CmDetail:
    """One customer manager's route over a period, in the shapes the page shows."""

    weeks: pd.DataFrame         # cm_visits: one row per retailer × week
    retailers: pd.DataFrame     # one row per retailer: weeks planned / visited, visit rate, quality counts
    unvisited: pd.DataFrame     # retailers not visited in the last 2+ weeks at the period's last week
    copy_suspect: pd.DataFrame  # retailer-weeks with a copy-suspect report, with their dates


def cm_detail(cm_code: str, week_from, week_to, scope=store.CITY, path=None, **filters) -> CmDetail:
    """The route of customer manager `cm_code`: visits, unvisited retailers, copy-suspect visits."""
    params = {"cm_code": cm_code, "week_from": week_from, "week_to": week_to}
    weeks = _run("cm_visits", params, filters, scope, path, allowed=RETAILER_FILTERS)
    last_week = week_of(week_to)
    if weeks.empty:
        retailers = pd.DataFrame(
            columns=["level_key", "level_name", "planned_visits", "visits_made", "visit_rate",
                     "late_visits", "copy_suspect_visits", "last_visit_date"]
        )
    else:
        retailers = (
            weeks.groupby(["level_key", "level_name"], dropna=False)
            .agg(
                planned_visits=("week", "size"),
                visits_made=("visited", "sum"),
                late_visits=("late_visits", "sum"),
                copy_suspect_visits=("copy_suspect_visits", "sum"),
                last_visit_date=("last_visit_date", "max"),
            )
            .reset_index()
        )
        retailers["visit_rate"] = retailers["visits_made"] / retailers["planned_visits"]
    at_end = weeks[pd.to_datetime(weeks["week"]).dt.date == last_week] if len(weeks) else weeks
    unvisited = at_end[at_end["unvisited_2w"].astype(bool)] if len(at_end) else at_end
    copy_suspect = weeks[weeks["copy_suspect_visits"] > 0] if len(weeks) else weeks
    return CmDetail(
        weeks=weeks,
        retailers=retailers,
        unvisited=unvisited.reset_index(drop=True),
        copy_suspect=copy_suspect.reset_index(drop=True),
    )
