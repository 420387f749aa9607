"""片区趋势 Territory trends: one territory of the sidebar's scope against the whole city and
the same period last year, metric by metric, with the signals in its managers' notes."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from marketpulse import i18n, metrics, store
from marketpulse.metrics.api import city_read
from marketpulse.views.base import filters_of, within_scope_name


@dataclass
class TerritoryTrends:
    territory: str | None
    territory_name: str
    panels: dict[str, pd.DataFrame]  # metric → long frame: week, series, value
    signals: pd.DataFrame | None
    # 月/年累计同比 of 销量 at the last week, in %: period → (label, the territory's, the whole city's); the
    # city's volume dwarfs a territory's, so sales compare by growth
    growth: dict | None = None


def _territory(scope: store.Scope) -> str | None:
    """The chosen 片区, else the chosen manager's, else the first one within the scope."""
    if scope.territory_code is not None:
        return scope.territory_code
    if scope.cm_code:
        cms = metrics.lookup("customer_managers")
        own = cms.loc[cms["cm_code"] == scope.cm_code, "territory_code"]
        if len(own):
            return own.iloc[0]
    within = metrics.lookup("territories", scope=scope)
    return within["territory_code"].min() if len(within) else None


def territory_trends(params: dict, scope: store.Scope, lang: str, territory: str | None = None) -> TerritoryTrends:
    """One territory of the sidebar's scope against the city and the same period last year.

    The territory is the chosen 片区, else the chosen manager's, else the first one within
    the chosen 市场部 (else the city's first), unless the page names `territory` (one within
    the scope). Its lines are computed within the scope (a chosen manager narrows them to that
    manager's retailers)."""
    within = metrics.lookup("territories", scope=scope)["territory_code"]
    territory = territory if territory in set(within) and not scope.cm_code else _territory(scope)
    if territory is None:
        return TerritoryTrends(None, "", {}, None)
    names = metrics.lookup("territories")
    name = within_scope_name(scope, dict(zip(names["territory_code"], names["territory_name"]))[territory], lang)
    city, last_year = i18n.t("series.city", lang), i18n.t("series.last_year", lang, name=name)
    weeks, filters = (params["week_from"], params["week_to"]), filters_of(params)

    def lines(
        ter: pd.DataFrame, whole: pd.DataFrame | None, column: str, sp_column: str | None = None, scale: float = 1.0
    ) -> pd.DataFrame:
        ter = ter[ter["level_key"] == territory]
        parts = [ter.assign(series=name, value=ter[column] * scale)]
        if whole is not None:
            parts.append(whole.assign(series=city, value=whole[column] * scale))
        if sp_column:
            parts.append(ter.assign(series=last_year, value=ter[sp_column] * scale))
        return pd.concat(parts, ignore_index=True)[["week", "series", "value"]]

    # the benchmark is always the whole city; for sales only growth compares (the city's volume dwarfs a territory's)
    week = params["week_to"]
    (structure, city_structure, sales, ratio, city_ratio, index, city_index, signals, ytd, city_ytd) = (
        store.side_by_side(
            lambda: metrics.sales_structure(*weeks, "territory", "all", scope, **filters),
            lambda: city_read(metrics.sales_structure, *weeks, "city", "all", store.CITY, **filters),
            lambda: metrics.sales_volume(*weeks, "territory", "all", scope, **filters),
            lambda: metrics.inventory_ratio(*weeks, "territory", scope, **filters),
            lambda: city_read(metrics.inventory_ratio, *weeks, "city", store.CITY, **filters),
            lambda: metrics.price_index(*weeks, "territory", scope, **filters),
            lambda: city_read(metrics.price_index, *weeks, "city", store.CITY, **filters),
            lambda: metrics.notes_signals(*weeks, "territory", scope, **filters),
            lambda: metrics.period_totals(week, week, "territory", "all", scope, **filters),
            lambda: city_read(metrics.period_totals, week, week, "city", "all", store.CITY, **filters),
        )
    )
    panels = {
        "sales": lines(sales, None, "sales_qty", "sp_sales_qty"),
        "avg_price": lines(structure, city_structure, "avg_price_per_carton", "sp_avg_price_per_carton"),
        "key_share": lines(structure, city_structure, "key_brand_share", "sp_key_brand_share", 100),
        "ratio": lines(ratio, city_ratio, "ratio"),
        "price_index": lines(index, city_index, "price_index"),
    }
    signals = signals[signals["level_key"] == territory].assign(
        signal_label=lambda s: s["signal_zh" if lang == "zh" else "signal_en"]
    )
    return TerritoryTrends(territory, name, panels, signals, _growth(ytd[ytd["level_key"] == territory], city_ytd))


def _growth(own: pd.DataFrame, city: pd.DataFrame) -> dict:
    """period → (its label, the territory's 累计同比 of 销量 in %, the city's), month and year."""
    out = {}
    for period in ("month", "year"):
        mine, whole = own[own["period"] == period], city[city["period"] == period]
        label = mine["period_label"].iloc[0] if len(mine) else (whole["period_label"].iloc[0] if len(whole) else "")
        out[period] = (
            label,
            100 * mine["sp_growth"].iloc[0] if len(mine) else None,
            100 * whole["sp_growth"].iloc[0] if len(whole) else None,
        )
    return out
