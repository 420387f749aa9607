"""Next week's supply: the per spec × 市场部 recommendations, and the supply plan (货源投放) —
限量 per spec × 档位, each retailer's own 限量 (its need up to its 档位's) within the available quantity, its reasons,
approval and order file.

May import store, rules, metrics, forecast, export, i18n, numbers and errors.
"""

from marketpulse.supply.allocate import (
    expected_orders,
    fill_level,
    fit_expected,
    share_out,
    tier_limits,
    whole_need,
)
from marketpulse.supply.approve import apply_edits, approve, approved_plans, check, recompute
from marketpulse.supply.order_file import (
    ORDER_COLUMNS,
    RETAILER_COLUMNS,
    capped_retailers,
    order_csv,
    order_frame,
    order_xlsx,
    retailer_csv,
    retailer_frame,
)
from marketpulse.supply.plan import (
    LINE_COLUMNS,
    Plan,
    PlanInputs,
    forecasts_for,
    make_plan,
    plan_inputs,
    read_supply,
    totals,
)
from marketpulse.supply.policy import ALLOCATION_TYPES, Policy, load_policy, make_policy, target_cover
from marketpulse.supply.reasons import tier_runs
from marketpulse.supply.recommend import COLUMNS, THRESHOLD, demand_over, recommend, recommendations
from marketpulse.supply.workbook import recommendations_xlsx

__all__ = [
    "ALLOCATION_TYPES",
    "COLUMNS",
    "LINE_COLUMNS",
    "ORDER_COLUMNS",
    "RETAILER_COLUMNS",
    "THRESHOLD",
    "Plan",
    "PlanInputs",
    "Policy",
    "apply_edits",
    "approve",
    "approved_plans",
    "capped_retailers",
    "check",
    "demand_over",
    "expected_orders",
    "fill_level",
    "fit_expected",
    "forecasts_for",
    "load_policy",
    "make_plan",
    "make_policy",
    "order_csv",
    "order_frame",
    "order_xlsx",
    "plan_inputs",
    "read_supply",
    "recommend",
    "recommendations",
    "recommendations_xlsx",
    "recompute",
    "retailer_csv",
    "retailer_frame",
    "share_out",
    "target_cover",
    "tier_limits",
    "tier_runs",
    "totals",
    "whole_need",
]
