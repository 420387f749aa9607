"""Sales and their structure: 销量, 订单满足率, 重点品牌比重 and 单条均价, per level key ×
product group × week, each against last week and the same period (同期)."""

from __future__ import annotations

import pandas as pd

from marketpulse import store
from marketpulse.metrics.api import HIERARCHY_LEVELS, query


def _by_product(name, week_from, week_to, level, product_level, scope, path, filters) -> pd.DataFrame:
    params = {"week_from": week_from, "week_to": week_to, "level": level, "product_level": product_level, **filters}
    return query(name, params, scope, path, levels=HIERARCHY_LEVELS)


def sales_volume(week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, **filters):
    """销量 and value per level key × product group × week, with 环比 and 同期."""
    return _by_product("sales_volume", week_from, week_to, level, product_level, scope, path, filters)


def order_fill(week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, **filters):
    """订单满足率 and 履约率 per level key × product group × week."""
    return _by_product("order_fill", week_from, week_to, level, product_level, scope, path, filters)


def key_brand_share(week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, **filters):
    """重点品牌比重 per level key × product group × week, with its same period."""
    return _by_product("key_brand_share", week_from, week_to, level, product_level, scope, path, filters)


def avg_price_per_carton(week_from, week_to, level="city", product_level="all", scope=store.CITY, path=None, **filters):
    """单条均价 per level key × product group × week, with its same period and growth on it."""
    return _by_product("avg_price_per_carton", week_from, week_to, level, product_level, scope, path, filters)


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
