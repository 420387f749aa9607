"""What each page draws: one module per page plus a small base, returning plain frames and records.
May import metrics, forecast, supply, rules, ingest, store, i18n and numbers; never ui or Streamlit.

Metric numbers come only from the metrics API (named queries in queries/, reference lists in
queries/lookup/); pages call these functions through `ui.shell.load`, which caches them.
"""

from marketpulse.views.base import (
    LEVEL_FILTER,
    NEXT_LEVEL,
    Freshness,
    Reference,
    city_band,
    focus,
    freshness,
    group_band,
    reference,
)
from marketpulse.views.brands import TARGET_DISTRIBUTION, TARGET_WEEKS, Brands, brand_table, brands
from marketpulse.views.data import (
    DataPage,
    contract,
    data_page,
    freshness_table,
    glossary,
    import_upload,
    rules,
    save_rules,
)
from marketpulse.views.inventory import Inventory, inventory
from marketpulse.views.managers import Managers, managers, scorecard_table
from marketpulse.views.prices import SPREAD_SPECS, Prices, prices
from marketpulse.views.supply import Supply, forecast_run, supply_page
from marketpulse.views.territory import TerritoryTrends, territory_trends
from marketpulse.views.weekly_review import (
    ALERT_LOOKBACK_WEEKS,
    RANKED_CELLS,
    Kpi,
    WeeklyReview,
    score_weights,
    state_ranking,
    weekly_review,
)

__all__ = [
    "ALERT_LOOKBACK_WEEKS",
    "LEVEL_FILTER",
    "NEXT_LEVEL",
    "RANKED_CELLS",
    "SPREAD_SPECS",
    "TARGET_DISTRIBUTION",
    "TARGET_WEEKS",
    "Brands",
    "DataPage",
    "Freshness",
    "Inventory",
    "Kpi",
    "Managers",
    "Prices",
    "Reference",
    "Supply",
    "TerritoryTrends",
    "WeeklyReview",
    "brand_table",
    "brands",
    "city_band",
    "contract",
    "data_page",
    "focus",
    "forecast_run",
    "freshness",
    "freshness_table",
    "glossary",
    "group_band",
    "import_upload",
    "inventory",
    "managers",
    "prices",
    "reference",
    "rules",
    "save_rules",
    "score_weights",
    "scorecard_table",
    "state_ranking",
    "supply_page",
    "territory_trends",
    "weekly_review",
]
