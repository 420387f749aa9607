"""Retail prices against the suggested and wholesale prices: 价格指数 (current-weight and the
industry's fixed-weight 市场零售价格指数), its chained form over time, 价格执行率 and 零售毛利率,
each per level key × week."""

from __future__ import annotations

import duckdb
import pandas as pd

from marketpulse import store
from marketpulse.metrics import index_formulas, kept
from marketpulse.metrics.api import choose, query


def price_index(week_from, week_to, level="city", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """价格指数 (cross-section): 100 × Σ actual·q ÷ Σ suggested·q, per level key × week (the week
    sums read from those a lake keeps where they answer: kept.over_week_sums)."""
    params = {"week_from": week_from, "week_to": week_to, "level": level, **filters}
    return kept.over_week_sums("price_index", params, scope, path)


PRODUCT_LEVELS = ("brand", "price_class", "spec")  # a spec's weight there is the scope's own


def fixed_price_index(week_from, week_to, level="city", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """市场零售价格指数: observed prices over suggested, weighted by last year's commercial sales
    of each spec (new specs: their first 13 weeks), so a change of sales mix does not move it;
    the weights read from those the lake keeps (lake/fixed_weight_year.py) without a filter,
    where they answer for the level and scope (kept.kept_level; a product level reads the
    scope's own weights)."""
    params = {"week_from": week_from, "week_to": week_to, "level": level, **filters}
    at = None
    if all(v is None for v in filters.values()):
        own = "city" if level in PRODUCT_LEVELS else level
        at = kept.kept_level("fixed_weight_year", "base/fixed_weight_rows", own, scope, path)
    if at is not None:
        try:
            return query("kept/price_index_fixed", {**params, "kept_level": at}, scope, path)
        except duckdb.CatalogException as error:
            if not kept.taken_away(error, "fixed_weight_year"):
                raise
    return query("price_index_fixed", params, scope, path)


def chained_price_index(
    week_from, week_to, formula=index_formulas.DEFAULT_FORMULA, level="city", scope=store.CITY, path=None, **filters
) -> pd.DataFrame:
    """价格指数 over time: chained week on week by `formula`, 100 at the first week."""
    choose(formula, tuple(index_formulas.FORMULAS), "的指数公式", "index formula")
    params = {"week_from": week_from, "week_to": week_to, "level": level, "formula": formula, **filters}
    return query("price_index_chained", params, scope, path)


def price_compliance(
    week_from, week_to, level="city", tolerance: float | None = None, scope=store.CITY, path=None, **filters
) -> pd.DataFrame:
    """价格执行率: share of price observations within ± tolerance (None: the setting) of suggested;
    read from the compliance the lake keeps (lake/compliance_week.py) at the setting's tolerance
    without a filter, where it answers for the level and scope (kept.kept_level)."""
    params = {"week_from": week_from, "week_to": week_to, "level": level, "tolerance": tolerance, **filters}
    at = None
    if tolerance is None and all(v is None for v in filters.values()):
        at = kept.kept_level("compliance_week", "base/compliance_rows", level, scope, path)
    if at is not None:
        try:
            wanted = {k: v for k, v in params.items() if k != "tolerance"}
            return query("kept/compliance", {**wanted, "kept_level": at}, scope, path)
        except duckdb.CatalogException as error:
            if not kept.taken_away(error, "compliance_week"):
                raise
    return query("price_compliance", params, scope, path)


def retail_margin(week_from, week_to, level="city", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """零售毛利率: Σ (retail − wholesale)·q ÷ Σ retail·q, per level key × week (the week sums read
    from those a lake keeps where they answer: kept.over_week_sums)."""
    params = {"week_from": week_from, "week_to": week_to, "level": level, **filters}
    return kept.over_week_sums("retail_margin", params, scope, path)
