"""客户经理 Customer managers: the scorecard among peers with weekly-sales sparklines, and
one manager's route in detail; the scorecard table is also the 周报's."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from marketpulse import i18n, metrics, numbers, store
from marketpulse.views.base import filters_of


@dataclass
class Managers:
    scorecard: pd.DataFrame | None
    cm: str | None
    cm_name: str
    weekly: pd.DataFrame | None  # week, visited share
    unvisited: pd.DataFrame | None
    copy_suspect: pd.DataFrame | None
    max_gap_days: int | None = None  # the visit rules the scorecard used, for the page to state
    unvisited_weeks: int | None = None


def scorecard_table(week_from, week_to, params: dict, scope: store.Scope, lang: str) -> pd.DataFrame:
    """The scorecard as shown and exported: one row per customer manager, rates in %."""
    return _shown(metrics.cm_scorecard(week_from, week_to, "cm", scope, **filters_of(params)), lang)


def scorecard_export(card: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The scorecard as downloaded: the sparkline's weekly sales written out in whole cartons,
    oldest first ("3,227 / 3,303 / …"), where the table draws a line."""
    trend = i18n.t("col.trend", lang)
    if trend not in card:
        return card
    text = [" / ".join(numbers.fmt(v, 0) for v in weeks) for weeks in card[trend]]
    return card.assign(**{trend: text}).rename(columns={trend: i18n.t("col.trend_export", lang)})


def _shown(card: pd.DataFrame, lang: str) -> pd.DataFrame:
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    pct = lambda col: (card[col] * 100).round(1)  # noqa: E731
    return pd.DataFrame(
        {
            t("col.cm_code"): card["level_key"],
            t("col.cm"): card["level_name"],
            t("col.retailers"): card["retailers"],
            t("col.visit_rate"): pct("visit_rate"),
            t("col.unvisited"): card["unvisited_retailers"],
            t("col.on_time_rate"): pct("on_time_rate"),
            t("col.copy_rate"): pct("copy_suspect_rate"),
            t("col.sales"): card["sales_qty"].round(0),
            t("col.sales_growth"): pct("sales_growth"),
            t("col.new_brand_dist"): pct("new_brand_distribution"),
            t("col.fill_rate"): pct("order_fill_rate"),
            t("col.fulfilment_rate"): pct("fulfilment_rate"),
        }
    )


def managers(
    params: dict, scope: store.Scope, cm: str | None, lang: str, ceiling: store.Scope = store.CITY
) -> Managers:
    """The scorecard with weekly-sales sparklines, and one manager's visits in detail.

    A manager is shown among the peers of the chosen 市场部/片区, except to a customer manager's
    own account (`ceiling`): a scorecard is not for fellow managers, so theirs shows its own row.
    """
    weeks, filters = (params["week_from"], params["week_to"]), filters_of(params)
    peers = ceiling if ceiling.cm_code else store.Scope(scope.department_code, scope.territory_code)
    route_filters = {k: v for k, v in filters.items() if k in metrics.RETAILER_FILTERS}
    raw, weekly, route = store.side_by_side(
        lambda: metrics.cm_scorecard(*weeks, "cm", peers, **filters),  # the manager among peers
        lambda: metrics.sales_volume(*weeks, "cm", "all", peers, **filters),
        lambda: metrics.cm_detail(cm, *weeks, scope, **route_filters) if cm else None,
    )
    card = _shown(raw, lang)
    spark = weekly.sort_values("week").groupby("level_key")["sales_qty"].apply(lambda s: list(map(float, s.fillna(0))))
    card.insert(2, i18n.t("col.trend", lang), [spark.get(code, []) for code in card[i18n.t("col.cm_code", lang)]])
    names = metrics.lookup("customer_managers")
    out = Managers(card, cm, dict(zip(names["cm_code"], names["cm_name"], strict=True)).get(cm, ""), None, None, None)
    if len(raw):
        out.max_gap_days, out.unvisited_weeks = int(raw["max_gap_days"].iloc[0]), int(raw["unvisited_weeks"].iloc[0])
    if not cm:
        return out
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    out.weekly = route.weekly.assign(share=route.weekly["visited"] / route.weekly["planned"] * 100)
    gone = route.unvisited
    out.unvisited = pd.DataFrame(
        {
            t("col.license"): gone["level_key"],
            t("col.retailer"): gone["level_name"],
            t("col.last_visit"): pd.to_datetime(gone["last_visit_date"]).dt.date,
            t("col.weeks_unvisited"): gone["weeks_unvisited"],
        }
    ).reset_index(drop=True)
    copied = route.copy_suspect
    out.copy_suspect = pd.DataFrame(
        {
            t("col.week"): pd.to_datetime(copied["week"]).dt.date,
            t("col.license"): copied["level_key"],
            t("col.retailer"): copied["level_name"],
            t("col.spec_lines"): copied["spec_lines"],
            t("col.copy_dates"): copied["copy_suspect_dates"],
        }
    ).reset_index(drop=True)
    return out
