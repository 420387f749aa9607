"""Sales and their structure: 销量, 订单满足率 and 履约率, 重点品牌比重 and 单条均价, per level key ×
product group × week, each against last week and the same period (同期); and their 月/季/年累计."""

from __future__ import annotations

import duckdb
import pandas as pd

from marketpulse import store
from marketpulse.metrics import kept
from marketpulse.metrics.api import HIERARCHY_LEVELS, choose, query

PERIODS = ("month", "quarter", "year")  # 月累计, 季累计, 年累计


def _by_product(name, week_from, week_to, level, product_level, scope, path, filters) -> pd.DataFrame:
    params = {"week_from": week_from, "week_to": week_to, "level": level, "product_level": product_level, **filters}
    return query(name, params, scope, path, levels=HIERARCHY_LEVELS)


def _over_week_sums(name, week_from, week_to, level, product_level, scope, path, filters) -> pd.DataFrame:
    params = {"week_from": week_from, "week_to": week_to, "level": level, "product_level": product_level, **filters}
    return kept.over_week_sums(name, params, scope, path, HIERARCHY_LEVELS)


def sales_volume(week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, **filters):
    """销量 and value per level key × product group × week, with 环比 and 同期 (the week sums read
    from those a lake keeps where they answer: kept.over_week_sums)."""
    return _over_week_sums("sales_volume", week_from, week_to, level, product_level, scope, path, filters)


def order_fill(week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, **filters):
    """订单满足率, 订单履约率 (by order: one retailer's lines of one day) and 订单行履约率 per level key ×
    product group × week."""
    return _by_product("order_fill", week_from, week_to, level, product_level, scope, path, filters)


def key_brand_share(week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, **filters):
    """重点品牌比重 per level key × product group × week, with its same period."""
    return _over_week_sums("key_brand_share", week_from, week_to, level, product_level, scope, path, filters)


def avg_price_per_carton(week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, **filters):
    """单条均价 per level key × product group × week, with its same period and growth on it."""
    return _over_week_sums("avg_price_per_carton", week_from, week_to, level, product_level, scope, path, filters)


def sales_structure(week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, **filters):
    """重点品牌比重 and 单条均价 over time, each with its same period, in one frame.

    One row per week × level key × product group: key_brand_share, sp_key_brand_share,
    share_change, avg_price_per_carton, sp_avg_price_per_carton, avg_price_sp_growth (of
    the average price), with sales_qty and sales_value.
    """
    share = key_brand_share(week_from, week_to, level, product_level, scope, path, **filters)
    price = avg_price_per_carton(week_from, week_to, level, product_level, scope, path, **filters)
    keys = ["week", "level_key", "product_key"]
    price = price[[*keys, "sales_value", "avg_price_per_carton", "sp_avg_price_per_carton", "sp_growth"]]
    return share.merge(price, on=keys, how="outer").rename(columns={"sp_growth": "avg_price_sp_growth"})


def period_totals(
    week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, period=None, **filters
) -> pd.DataFrame:
    """月/季/年累计 per level key × product group × report week × period, each with 累计同比.

    The period to date of each report week from `week_from` to `week_to` (a week counts to
    the month, quarter and year of its Thursday) against the same ISO weeks last year;
    `period` keeps one of PERIODS, None all three.
    """
    if period is not None:
        choose(period, PERIODS, "期间", "period")
    frame = _kept_period_totals(week_from, week_to, level, product_level, scope, path, filters)
    if frame is None:
        frame = _by_product("period_totals", week_from, week_to, level, product_level, scope, path, filters)
    return frame if period is None else frame[frame["period"] == period].reset_index(drop=True)


def _kept_period_totals(week_from, week_to, level, product_level, scope, path, filters) -> pd.DataFrame | None:
    """period_totals over the week sums the lake keeps (lake/level_week_total.py), for all
    products without a filter where they answer for the level and scope (kept.kept_level); None
    where they do not, or a write took them away since the look."""
    if product_level != "all" or any(v is not None for v in filters.values()):
        return None
    at = kept.kept_level("level_week_total", "base/level_week_rows", level, scope, path)
    if at is None:
        return None
    params = {"week_from": week_from, "week_to": week_to, "level": level, "product_level": "all", "kept_level": at}
    try:
        return query("kept/period_totals", params, scope, path, levels=HIERARCHY_LEVELS)
    except duckdb.CatalogException as error:
        if not kept.taken_away(error, "level_week_total"):
            raise
        return None
