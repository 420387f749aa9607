"""What each page draws: one module per page plus a small base, returning plain frames and records.
May import metrics, forecast, supply, rules, ingest, auth, store, i18n and numbers; never ui or Streamlit.

Metric numbers come only from the metrics API (named queries in queries/, reference lists in
queries/lookup/); pages call these functions through `ui.shell.load`, which caches them.
"""

from marketpulse.views.accounts import (
    account_names,
    accounts_table,
    add_account,
    audit_table,
    change_account,
    scope_options,
)
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
from marketpulse.views.brands import (
    TARGET_DISTRIBUTION,
    TARGET_WEEKS,
    Brands,
    brand_table,
    brands,
    new_spec_progress,
    new_specs,
    target_due,
)
from marketpulse.views.brands import progress as brands_progress
from marketpulse.views.data import (
    DataPage,
    contract,
    data_page,
    freshness_table,
    glossary,
    import_upload,
    quarantine_download,
    quarantine_kinds,
    quarantine_page,
    rules,
    save_rules,
)
from marketpulse.views.inventory import Inventory, inventory
from marketpulse.views.managers import Managers, managers, scorecard_table
from marketpulse.views.prices import SPREAD_SPECS, Prices, prices
from marketpulse.views.supply import (
    Supply,
    SupplyPlan,
    calibration_text,
    forecast_run,
    make_forecasts,
    own_retailers,
    supply_page,
    supply_plan_page,
)
from marketpulse.views.territory import TerritoryTrends, territory_trends
from marketpulse.views.weekly_review import (
    ALERT_LOOKBACK_WEEKS,
    RANKED_CELLS,
    Kpi,
    WeeklyReview,
    cell_retailers,
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
    "SupplyPlan",
    "TerritoryTrends",
    "WeeklyReview",
    "account_names",
    "accounts_table",
    "add_account",
    "audit_table",
    "change_account",
    "scope_options",
    "brand_table",
    "brands",
    "target_due",
    "new_spec_progress",
    "brands_progress",
    "new_specs",
    "cell_retailers",
    "city_band",
    "contract",
    "data_page",
    "focus",
    "calibration_text",
    "forecast_run",
    "make_forecasts",
    "freshness",
    "freshness_table",
    "glossary",
    "group_band",
    "import_upload",
    "quarantine_download",
    "quarantine_kinds",
    "quarantine_page",
    "inventory",
    "managers",
    "prices",
    "reference",
    "rules",
    "save_rules",
    "score_weights",
    "scorecard_table",
    "state_ranking",
    "own_retailers",
    "supply_page",
    "supply_plan_page",
    "territory_trends",
    "weekly_review",
]
