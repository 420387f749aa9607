"""What a lake keeps for pages to read (alert_week, uptake_week: lake/kept.py), and for which
scopes it answers: the city's rows within a 市场部 or 片区 are the scope's own only where none of
its retailers or managers ever lay outside it (a scope sees a moved retailer's rows only while
they lie within it, so its cumulative and traced figures are its own), and a customer manager's
own row is the manager's only where none of its retailers was ever another manager's."""

from __future__ import annotations

import duckdb
import pandas as pd

from marketpulse import store
from marketpulse.metrics.api import FILTERS, LEVELS, city_read, query

# the kept level that answers for each level shown, by scope, in a table kept by level (uptake,
# compliance): the scope's own level and those below it; under a 市场部, 片区 or customer manager
# its own row is its retailers' total (level city there). Under a manager's scope a 市场部's or
# 片区's row is the manager's own retailers in it, which no kept row holds.
KEPT_LEVELS = {
    "city": {"city": "city", "department": "department", "territory": "territory", "cm": "cm"},
    "department": {"city": "department", "department": "department", "territory": "territory", "cm": "cm"},
    "territory": {"city": "territory", "territory": "territory", "cm": "cm"},
    "cm": {"city": "cm", "cm": "cm"},
}


def kept_level(table: str, kept_query: str, level: str, scope: store.Scope, path=None) -> str | None:
    """The level of `table`'s kept rows that are the evaluation at `level` within `scope`
    (KEPT_LEVELS), or None: in a scope some retailer or manager of which ever lay outside it
    (crossed; for a customer manager's scope, manager_crossed), or where the store does not
    keep `table` for this code. The caller rules out the filters its kept rows do not answer for."""
    own = "cm" if scope.cm_code else "city" if scope.is_city else "territory" if scope.territory_code else "department"
    answer = KEPT_LEVELS[own].get(level)
    if answer is None or (manager_crossed if scope.cm_code else crossed)(scope, path):
        return None
    return answer if keeps(table, kept_query, path) else None


# the base files whose level × week sums the lake's week sums (level_week_total) hold, each with
# its kept twin: the same columns read from the kept rows
WEEK_SUM_TWINS: store.Swap = (
    ("base/sales_by_level_week", "kept/sales_by_level_week"),
    ("base/priced_sales_by_level_week", "kept/priced_sales_by_level_week"),
)


def week_sums_level(params: dict, scope: store.Scope, path=None) -> str | None:
    """The level of the kept week sums (level_week_total) that answer for a read with `params`
    within `scope`: for all products (a product level other than all sums other groups), no
    filter (a filter sums fewer cells), and a level and scope kept_level answers for; else None."""
    if params.get("product_level", "all") != "all" or any(params.get(f) is not None for f in FILTERS):
        return None
    return kept_level("level_week_total", "base/level_week_rows", params["level"], scope, path)


def over_week_sums(
    name: str, params: dict, scope: store.Scope, path=None, levels: tuple[str, ...] = LEVELS
) -> pd.DataFrame:
    """Named query `name` (offering `levels`), its base files of level × week sums
    (WEEK_SUM_TWINS) read from the sums the lake keeps where they answer (week_sums_level), else
    evaluated from the cells."""
    at = week_sums_level(params, scope, path)
    if at is not None:
        try:
            return query(name, {**params, "kept_level": at}, scope, path, levels=levels, swap=WEEK_SUM_TWINS)
        except duckdb.CatalogException as error:
            if not taken_away(error, "level_week_total"):
                raise
    return query(name, params, scope, path, levels=levels)


def taken_away(error: duckdb.CatalogException, table: str) -> bool:
    """Whether a kept read failed because `table` is gone (a write took it away between the look
    and the read: the caller evaluates instead), not because its query is broken (raised)."""
    return f"with name {table} does not exist" in str(error)


def keeps(table: str, kept_query: str, path=None) -> bool:
    """Whether the store pages read offers `table`, kept by this code's `kept_query`."""
    return city_read(_keeps, table, kept_query, store.CITY, path=path)


def _keeps(table: str, kept_query: str, scope: store.Scope, path) -> bool:
    params = {"table": table, "query_digest": store.kept_digest(table, kept_query)}
    return bool(query("kept/present", params, scope, path)["n"].iloc[0])


def crossed(scope: store.Scope, path=None) -> bool:
    """Whether a retailer or manager of this 市场部 or 片区 was ever assigned outside it
    (kept/crossings.sql; a customer manager's scope always counts as crossed)."""
    if scope.cm_code:
        return True
    if scope.is_city:
        return False
    crossings = city_read(_crossings, store.CITY, path=path)
    if scope.territory_code:
        return bool(crossings.loc[crossings["territory_code"] == scope.territory_code, "crosses_territory"].any())
    return bool(crossings.loc[crossings["department_code"] == scope.department_code, "crosses_department"].any())


def _crossings(scope: store.Scope, path) -> pd.DataFrame:
    return query("kept/crossings", {}, scope, path)


def manager_crossed(scope: store.Scope, path=None) -> bool:
    """Whether a retailer of this customer manager's scope was ever assigned to another manager,
    or the manager to two 片区 (kept/manager_crossings.sql): then the manager's own figures may
    differ from the kept manager row. A code no assignment names counts as crossed."""
    crossings = city_read(_manager_crossings, store.CITY, path=path)
    own = crossings.loc[crossings["cm_code"] == scope.cm_code, "crosses"]
    return own.empty or bool(own.any())


def _manager_crossings(scope: store.Scope, path) -> pd.DataFrame:
    return query("kept/manager_crossings", {}, scope, path)
