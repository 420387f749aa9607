"""我的线路 A customer manager's route: this week's retailers as cards, most urgent first (what
is running out or piling up against the group's band, new specs not yet stocked, prices off the
suggested price, what the alerts flagged), the manager's own week, and one retailer's history."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from marketpulse import metrics, store
from marketpulse.metrics.api import city_read

HISTORY_WEEKS = 13  # a retailer's spec history on its card
PRICE_TOLERANCE = 0.02  # the default of setting price_tolerance, as route_specs and 价格执行率 read it


@dataclass
class Route:
    cm_code: str
    week: dt.date
    cards: pd.DataFrame  # one row per retailer, most urgent first (see route())
    specs: pd.DataFrame  # route_specs: one row per retailer × spec
    alerts: pd.DataFrame  # the week's alerts within the manager's scope
    planned: int = 0
    visited: int = 0
    uptake: pd.DataFrame = field(default_factory=pd.DataFrame)  # spec_name, mine, territory, city (铺货率 %)
    tolerance: float = PRICE_TOLERANCE  # the price band route_specs judged "off" by (setting price_tolerance)


def _names(frame: pd.DataFrame, by: str | None = None) -> list[str]:
    """Spec names, the one that matters most first (largest `by`), then by name."""
    if by is None:
        return sorted(frame["spec_name"].astype(str))
    ordered = frame.assign(_key=frame[by].fillna(0)).sort_values(["_key", "spec_name"], ascending=[False, True])
    return list(ordered["spec_name"].astype(str))


def _prices_off(frame: pd.DataFrame) -> list[tuple[str, float, float, float]]:
    """(spec, actual, suggested 元/条, deviation %) of the specs priced outside the tolerance, the
    farthest off first."""
    off = frame[frame["price_off"]]
    pct = (off["retail_price"] / off["suggested_retail_price"] - 1) * 100
    off = off.assign(_pct=pct, _far=pct.abs()).sort_values(["_far", "spec_name"], ascending=[False, True])
    return [
        (str(n), float(p), float(s), float(d))
        for n, p, s, d in zip(
            off["spec_name"], off["retail_price"], off["suggested_retail_price"], off["_pct"], strict=True
        )
    ]


def route(cm_code: str, week: dt.date, scope: store.Scope) -> Route:
    """The route of `cm_code` in `week` (any day: its Monday), read within `scope`.

    Urgency: retailers not yet visited this week first, the longest unvisited first; then
    those with more to act on (alerts, specs at stock-out risk, overstocked, new specs to
    push, prices off).
    """
    week = metrics.week_of(week)
    params = {"cm_code": cm_code, "week_to": week}
    retailers = metrics.query("route_retailers", params, scope)
    specs = metrics.query("route_specs", params, scope)
    alerts = metrics.alerts(week, week, scope)
    alerts = alerts[alerts["cm_code"].eq(cm_code) | alerts["license_no"].isin(retailers["license_no"])]
    rows = []
    for r in retailers.itertuples():
        mine = specs[specs["license_no"] == r.license_no]
        flagged = alerts[alerts["license_no"] == r.license_no]
        rows.append(
            {
                "stockout": _names(mine[mine["status"] == "stockout"], "avg_weekly_sales_4w"),  # best sellers first
                "overstock": _names(mine[mine["status"] == "overstock"], "stock_qty"),  # most held first
                "push": _names(mine[mine["is_new"] & ~mine["carried"]]),
                "price_off": _prices_off(mine),
                "alerts_zh": list(flagged["reason_zh"]),
                "alerts_en": list(flagged["reason_en"]),
            }
        )
    cards = pd.concat([retailers.reset_index(drop=True), pd.DataFrame(rows, index=range(len(rows)))], axis=1)
    if len(cards):
        cards["todo"] = [
            2 * len(a) + len(s) + len(o) + len(p) + len(x)
            for a, s, o, p, x in zip(
                cards["alerts_zh"],
                cards["stockout"],
                cards["overstock"],
                cards["push"],
                cards["price_off"],
                strict=True,
            )
        ]
        cards["not_visited"] = cards["visits"].eq(0)
        cards["since"] = cards["weeks_since_visit"].fillna(999)
        cards = cards.sort_values(
            ["not_visited", "since", "todo", "license_no"], ascending=[False, False, False, True], kind="stable"
        ).reset_index(drop=True)
    return Route(
        cm_code,
        week,
        cards,
        specs,
        alerts,
        planned=len(retailers),
        visited=int(retailers["visits"].gt(0).sum()),
        uptake=_uptake(cm_code, week, scope),
        tolerance=float(store.setting("price_tolerance", PRICE_TOLERANCE)),
    )


def _uptake(cm_code: str, week: dt.date, scope: store.Scope) -> pd.DataFrame:
    """铺货率 of each new spec among the manager's retailers, their 片区 and the city (%)."""
    cms = metrics.lookup("customer_managers")
    territory = cms.loc[cms["cm_code"] == cm_code, "territory_code"]
    if scope.cm_code not in (None, cm_code):  # another manager's route: nothing of it is in scope
        return pd.DataFrame(columns=["spec_name", "mine", "territory", "city"])
    # the manager's own retailers within `scope` (a 市场部 or 片区 the manager is not in holds none);
    # the 片区's and the city's rates beside them are benchmarks, read beyond the scope
    mine = metrics.new_brand_uptake(week, week, "cm", dataclasses.replace(scope, cm_code=cm_code))
    mine = mine[mine["level_key"] == cm_code]
    if mine.empty:
        return pd.DataFrame(columns=["spec_name", "mine", "territory", "city"])
    out = mine[["spec_code", "spec_name", "distribution_rate"]].rename(columns={"distribution_rate": "mine"})
    if len(territory):
        ter = metrics.new_brand_uptake(week, week, "territory", store.Scope(territory_code=territory.iloc[0]))
        ter = ter[ter["level_key"] == territory.iloc[0]][["spec_code", "distribution_rate"]]
        out = out.merge(ter.rename(columns={"distribution_rate": "territory"}), on="spec_code", how="left")
    city = city_read(metrics.new_brand_uptake, week, week, "city", store.CITY)[["spec_code", "distribution_rate"]]
    out = out.merge(city.rename(columns={"distribution_rate": "city"}), on="spec_code", how="left")
    for column in ("mine", "territory", "city"):
        out[column] = out.get(column) * 100
    return out.drop(columns="spec_code").reset_index(drop=True)


def history(license_no: str, week: dt.date, scope: store.Scope) -> pd.DataFrame:
    """One retailer's spec history over the HISTORY_WEEKS weeks to `week`: stock, sales, price."""
    week = metrics.week_of(week)
    params = {"license_no": license_no, "week_from": week - dt.timedelta(weeks=HISTORY_WEEKS - 1), "week_to": week}
    return metrics.query("route_history", params, scope)
