"""The one metrics API that pages (through views), the 周报, the CLI and the tests call.
May import store and errors only; each function binds a named query of queries/ through `query`.

The definitions live in the SQL files (DESIGN.md §2); these modules pick the query, check the
level, product level and filters, take any day as its week's Monday, and shape the frames.
"""

from marketpulse.metrics import index_formulas
from marketpulse.metrics.api import (
    FILTERS,
    HIERARCHY_LEVELS,
    LEVELS,
    PRODUCT_GROUPS,
    PRODUCT_LEVELS,
    RETAILER_FILTERS,
    SHARED,
    lookup,
    query,
)
from marketpulse.metrics.calendar import WEEK, same_period_week, week_of
from marketpulse.metrics.cover import inventory_ratio
from marketpulse.metrics.kpis import week_kpis
from marketpulse.metrics.market import alerts, lagging_launches, market_state, notes_signals
from marketpulse.metrics.people import CmDetail, cm_detail, cm_scorecard
from marketpulse.metrics.prices import (
    chained_price_index,
    fixed_price_index,
    price_compliance,
    price_index,
    retail_margin,
)
from marketpulse.metrics.sales import (
    PERIODS,
    avg_price_per_carton,
    key_brand_share,
    order_fill,
    period_totals,
    sales_structure,
    sales_volume,
)
from marketpulse.metrics.uptake import NEW_SPEC_WEEKS, UPTAKE_RATES, against_city, new_brand_uptake, uptake_curves

__all__ = [
    "PERIODS",
    "period_totals",
    "FILTERS",
    "HIERARCHY_LEVELS",
    "LEVELS",
    "NEW_SPEC_WEEKS",
    "PRODUCT_GROUPS",
    "PRODUCT_LEVELS",
    "RETAILER_FILTERS",
    "SHARED",
    "UPTAKE_RATES",
    "WEEK",
    "CmDetail",
    "alerts",
    "avg_price_per_carton",
    "chained_price_index",
    "fixed_price_index",
    "cm_detail",
    "cm_scorecard",
    "index_formulas",
    "inventory_ratio",
    "key_brand_share",
    "lookup",
    "lagging_launches",
    "market_state",
    "new_brand_uptake",
    "notes_signals",
    "order_fill",
    "price_compliance",
    "price_index",
    "query",
    "retail_margin",
    "same_period_week",
    "sales_structure",
    "sales_volume",
    "uptake_curves",
    "against_city",
    "week_kpis",
    "week_of",
]
