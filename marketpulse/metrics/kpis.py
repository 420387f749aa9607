"""The figures of one week's KPI cards (the 周报's and the weekly review's): sales, structure,
orders, cover, price index and new-brand distribution, each with last week and the same period,
and the sums among them with their year to date (年累计) and its 累计同比."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from marketpulse import store
from marketpulse.metrics.calendar import WEEK, same_period_week, week_of
from marketpulse.metrics.cover import inventory_ratio
from marketpulse.metrics.prices import price_index
from marketpulse.metrics.sales import avg_price_per_carton, key_brand_share, order_fill, period_totals, sales_volume
from marketpulse.metrics.uptake import new_brand_uptake

SALES_FIGURES = (
    "sales_qty",
    "sales_value",
    "prev_week_sales_qty",
    "wow_growth",
    "sp_sales_qty",
    "sp_growth",
    "sp_value_growth",
)
# the year-to-date figures (period_totals, period year), each as ytd_<column>
YEAR_TO_DATE_FIGURES = (
    "weeks",
    "sales_qty",
    "sales_value",
    "sp_sales_qty",
    "sp_growth",
    "sp_value_growth",
    "avg_price_per_carton",
    "avg_price_sp_growth",
    "key_brand_share",
    "share_change",
    "fill_rate",
    "fill_rate_change",
    "price_index",
    "price_index_change",
)


def _at(frame: pd.DataFrame, week: dt.date | None, column: str, level_key: str):
    """One value of a (week, level_key) frame as a float; None when absent or undefined."""
    if week is None or frame.empty:
        return None
    rows = frame[(pd.to_datetime(frame["week"]).dt.date == week) & (frame["level_key"] == level_key)]
    if rows.empty or pd.isna(rows[column].iloc[0]):
        return None
    return float(rows[column].iloc[0])


def week_kpis(week, level="city", level_key="city", scope=store.CITY, path=None, **filters) -> dict:
    """Every KPI figure of one week for one level key: a dict, None where undefined.

    Keys: week, level, level_key; sales_qty, sales_value, prev_week_sales_qty, wow_growth,
    same_period_week, sp_sales_qty, sp_growth, sp_value_growth (sales_volume);
    key_brand_share, prev_key_brand_share, sp_key_brand_share, share_change;
    avg_price_per_carton, prev_avg_price_per_carton, sp_avg_price_per_carton,
    avg_price_sp_growth; fill_rate, fulfilment_rate; ratio, prev_ratio, sp_ratio (存销比);
    price_index, prev_price_index, sp_price_index; new_brand_distribution and
    prev_new_brand_distribution (mean 铺货率 of the specs launched in the last 52 weeks);
    year to date (年累计, ISO week 1 to `week`, against the same ISO weeks last year):
    ytd_year (the ISO year, as text) and ytd_<column> for each of YEAR_TO_DATE_FIGURES.
    Rates and shares are fractions, growths relative (0.1 = +10%).
    """
    week = week_of(week)
    prev, sp = week - WEEK, same_period_week(week)
    cards: dict = {"week": week, "level": level, "level_key": level_key}

    def at(frame, day, column):
        return _at(frame, day, column, level_key)

    sales, share, price, fill, ratio, sp_ratio, index, sp_index, ytd, uptake = store.side_by_side(
        lambda: sales_volume(week, week, level, "all", scope, path, **filters),
        lambda: key_brand_share(prev, week, level, "all", scope, path, **filters),
        lambda: avg_price_per_carton(prev, week, level, "all", scope, path, **filters),
        lambda: order_fill(week, week, level, "all", scope, path, **filters),
        lambda: inventory_ratio(prev, week, level, scope, path, **filters),
        lambda: inventory_ratio(sp, sp, level, scope, path, **filters) if sp else None,
        lambda: price_index(prev, week, level, scope, path, **filters),
        lambda: price_index(sp, sp, level, scope, path, **filters) if sp else None,
        lambda: period_totals(week, week, level, "all", scope, path, period="year", **filters),
        lambda: new_brand_uptake(prev, week, level, scope, path, **filters),
    )
    cards.update({column: at(sales, week, column) for column in SALES_FIGURES})
    own = sales[(pd.to_datetime(sales["week"]).dt.date == week) & (sales["level_key"] == level_key)]
    stated = own["same_period_week"].iloc[0] if len(own) else None
    cards["same_period_week"] = sp if stated is None or pd.isna(stated) else pd.Timestamp(stated).date()

    cards.update(
        key_brand_share=at(share, week, "key_brand_share"),
        prev_key_brand_share=at(share, prev, "key_brand_share"),
        sp_key_brand_share=at(share, week, "sp_key_brand_share"),
        share_change=at(share, week, "share_change"),
        avg_price_per_carton=at(price, week, "avg_price_per_carton"),
        prev_avg_price_per_carton=at(price, prev, "avg_price_per_carton"),
        sp_avg_price_per_carton=at(price, week, "sp_avg_price_per_carton"),
        avg_price_sp_growth=at(price, week, "sp_growth"),
        fill_rate=at(fill, week, "fill_rate"),
        fulfilment_rate=at(fill, week, "fulfilment_rate"),
    )
    for name, frame, sp_frame, column in (
        ("ratio", ratio, sp_ratio, "ratio"),
        ("price_index", index, sp_index, "price_index"),
    ):
        cards[name], cards[f"prev_{name}"] = at(frame, week, column), at(frame, prev, column)
        cards[f"sp_{name}"] = at(sp_frame, sp, column) if sp else None

    cards.update({f"ytd_{column}": at(ytd, week, column) for column in YEAR_TO_DATE_FIGURES})
    cards["ytd_year"] = str(week.isocalendar()[0])

    uptake = uptake[uptake["level_key"] == level_key]
    by_week = uptake.groupby(pd.to_datetime(uptake["week"]).dt.date)["distribution_rate"].mean()
    for key, day in (("new_brand_distribution", week), ("prev_new_brand_distribution", prev)):
        value = by_week.get(day)
        cards[key] = None if value is None or pd.isna(value) else float(value)
    return cards
