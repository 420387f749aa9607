"""Customer managers' work: 客户经理工作质量 per manager over a period, and one manager's
route in detail (visits, retailers gone unvisited, copy-suspect reports)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from marketpulse import store
from marketpulse.metrics.api import HIERARCHY_LEVELS, RETAILER_FILTERS, query, refuse_filters

RETAILER_COLUMNS = [
    "level_key",
    "level_name",
    "planned_visits",
    "visits_made",
    "visit_rate",
    "late_visits",
    "copy_suspect_visits",
    "last_visit_date",
]


def cm_scorecard(week_from, week_to, level="cm", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """客户经理工作质量: one row per customer manager (or level key) for the period."""
    params = {"week_from": week_from, "week_to": week_to, "level": level, **filters}
    return query("cm_scorecard", params, scope, path, levels=HIERARCHY_LEVELS)


@dataclass(frozen=True)
class CmDetail:
    """One customer manager's route over a period, in the shapes the page shows."""

    weeks: pd.DataFrame  # cm_visits: one row per retailer × week
    weekly: pd.DataFrame  # one row per week: visited, planned (retailers), copy (copy-suspect visits)
    retailers: pd.DataFrame  # one row per retailer: weeks planned / visited, visit rate, quality counts
    unvisited: pd.DataFrame  # cm_visits rows of the route's last week flagged unvisited (the unvisited_weeks rule)
    copy_suspect: pd.DataFrame  # cm_visits rows with a copy-suspect report, with their dates


def cm_detail(cm_code: str, week_from, week_to, scope=store.CITY, path=None, **filters) -> CmDetail:
    """The route of customer manager `cm_code`; filters are the customer group's (format, tier_band, area_type)."""
    refuse_filters(filters, RETAILER_FILTERS)
    weeks = query("cm_visits", {"cm_code": cm_code, "week_from": week_from, "week_to": week_to, **filters}, scope, path)
    weekly = weeks.groupby("week", as_index=False).agg(
        visited=("visited", "sum"), planned=("visited", "size"), copy=("copy_suspect_visits", "sum")
    )
    if weeks.empty:
        retailers = pd.DataFrame(columns=RETAILER_COLUMNS)
    else:
        retailers = (
            weeks.groupby(["level_key", "level_name"], dropna=False)
            .agg(
                planned_visits=("week", "size"),
                visits_made=("visited", "sum"),
                late_visits=("late_visits", "sum"),
                copy_suspect_visits=("copy_suspect_visits", "sum"),
                last_visit_date=("last_visit_date", "max"),
            )
            .reset_index()
        )
        retailers["visit_rate"] = retailers["visits_made"] / retailers["planned_visits"]
    day = pd.to_datetime(weeks["week"])
    last = weeks[day == day.max()]
    return CmDetail(
        weeks=weeks,
        weekly=weekly,
        retailers=retailers,
        unvisited=last[last["unvisited"].astype(bool)].reset_index(drop=True),
        copy_suspect=weeks[weeks["copy_suspect_visits"] > 0].reset_index(drop=True),
    )
