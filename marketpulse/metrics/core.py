"""The metrics pages call: one function per named query in queries/, arguments checked.

Every function takes a week range (Mondays; any day stands for its ISO week), a level
where the metric has one, the sidebar filters as keywords (format, tier_band, area_type,
brand, price_class, spec_code; None = all) and a Scope; it returns the query's frame.
The definitions live in the SQL files (DESIGN.md §2); this module only picks the query
and binds. Brand-cultivation and customer-manager metrics are in metrics_brand.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from marketpulse import store
from marketpulse.metrics import index_formulas

HIERARCHY_LEVELS = ("city", "department", "territory", "cm", "retailer")
PRODUCT_LEVELS = ("brand", "price_class", "spec")
LEVELS = HIERARCHY_LEVELS + PRODUCT_LEVELS
FILTERS = tuple(store.FILTER_DEFAULTS)


def week_of(value: str | dt.date | dt.datetime) -> dt.date:
    """The Monday of the ISO week holding `value`."""
    day = pd.Timestamp(value).date()
    return day - dt.timedelta(days=day.weekday())


def metric(
    name: str,
    week_from: str | dt.date,
    week_to: str | dt.date,
    *,
    level: str | None = None,
    levels: tuple[str, ...] = LEVELS,
    scope: store.Scope = store.CITY,
    path: Path | str | None = None,
    params: dict | None = None,
    **filters,
) -> pd.DataFrame:
    """Run metric query `name` for weeks week_from..week_to at `level`, within `scope`."""
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValueError(
            f"未知的筛选条件:{', '.join(sorted(unknown))} / Unknown filter(s): {', '.join(sorted(unknown))}; "
            f"filters are {', '.join(FILTERS)}"
        )
    bound = {"week_from": week_of(week_from), "week_to": week_of(week_to), **(params or {}), **filters}
    if level is not None:
        if level not in levels:
            raise ValueError(
                f"未知层级 {level!r},可选:{', '.join(levels)} / Unknown level {level!r}; choose one of {', '.join(levels)}"
            )
        bound["level"] = level
    return store.run(name, bound, scope=scope, path=path)


def inventory_ratio(week_from, week_to, level="city", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """存销比: stock ÷ mean weekly sales of the trailing four weeks, per level key × week."""
    return metric("inventory_ratio", week_from, week_to, level=level, scope=scope, path=path, **filters)


def price_index(week_from, week_to, level="city", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """价格指数 (cross-section): 100 × Σ actual·q ÷ Σ suggested·q, per level key × week."""
    return metric("price_index", week_from, week_to, level=level, scope=scope, path=path, **filters)


def chained_price_index(
    week_from, week_to, formula=index_formulas.DEFAULT_FORMULA, level="city", scope=store.CITY, path=None, **filters
) -> pd.DataFrame:
    """价格指数 over time: chained week on week by `formula`, 100 at the first week."""
    if formula not in index_formulas.FORMULAS:
        index_formulas.link(formula, {}, {}, {}, {})  # raises the bilingual error with the choices
    return metric(
        "price_index_chained", week_from, week_to, level=level, scope=scope, path=path,
        params={"formula": formula}, **filters,
    )


def price_compliance(
    week_from, week_to, level="city", tolerance: float | None = None, scope=store.CITY, path=None, **filters
) -> pd.DataFrame:
    """价格执行率: share of price observations within ± tolerance (None: the setting) of suggested."""
    return metric(
        "price_compliance", week_from, week_to, level=level, scope=scope, path=path,
        params={"tolerance": tolerance}, **filters,
    )


def retail_margin(week_from, week_to, level="city", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """零售毛利率: Σ (retail − wholesale)·q ÷ Σ retail·q, per level key × week."""
    return metric("retail_margin", week_from, week_to, level=level, scope=scope, path=path, **filters)


def market_state(week_from, week_to, scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """市场状态 per spec × territory × week: signals, bands, state and 0–100 score."""
    return metric("market_state", week_from, week_to, scope=scope, path=path, **filters)


def notes_signals(week_from, week_to, level="territory", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """Market signals in customer managers' notes: mentions per level key × week × signal."""
    return metric(
        "notes_signals", week_from, week_to, level=level, levels=HIERARCHY_LEVELS, scope=scope, path=path, **filters
    )
