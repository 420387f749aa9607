"""What every page shares: the filter options (Reference), how fresh the data is, the
monitoring-point bands, and the levels a page drills through."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from marketpulse import i18n, metrics, store
from marketpulse.metrics.api import city_read

NEXT_LEVEL = {"city": "department", "department": "territory", "territory": "cm", "cm": "retailer"}
LEVEL_FILTER = {"department": "dep", "territory": "ter", "cm": "cm"}  # sidebar key a click sets
DEFAULT_BAND = {"ratio_low": 0.5, "ratio_high": 2.0, "index_tight": 100.0, "index_loose": 95.0}


def filters_of(params: dict) -> dict:
    """The sidebar filters among a page's parameters (the weeks and anything else left out)."""
    return {k: v for k, v in params.items() if k in metrics.FILTERS}


def focus(department: str | None, territory: str | None, cm: str | None) -> str:
    """The level the sidebar has narrowed to; pages show the level below it."""
    return "cm" if cm else "territory" if territory else "department" if department else "city"


@dataclass
class Reference:
    weeks: list[dt.date]
    departments: pd.Series  # code → name
    territories: pd.DataFrame  # territory_code, territory_name, department_code, area_type
    cms: pd.DataFrame  # cm_code, cm_name, territory_code
    specs: pd.DataFrame  # spec_code, spec_name, brand, price_class, is_key_brand, launch_date
    formats: list[str]
    tier_bands: list[str]
    bands: pd.DataFrame  # monitoring points


def reference() -> Reference:
    """Filter options: weeks with data, the hierarchy, specs, customer groups."""
    weeks = metrics.lookup("weeks")
    dep = metrics.lookup("departments")
    return Reference(
        weeks=[pd.Timestamp(w).date() for w in weeks["week"]],
        departments=pd.Series(dep["department_name"].values, index=dep["department_code"].values),
        territories=metrics.lookup("territories"),
        cms=metrics.lookup("customer_managers"),
        specs=metrics.lookup("specs"),
        formats=list(metrics.lookup("formats")["format"]),
        tier_bands=list(metrics.lookup("tier_bands")["tier_band"]),
        bands=metrics.lookup("monitoring_points"),
    )


@dataclass
class Freshness:
    latest_week: dt.date | None
    imported_at: dt.datetime | None
    by_territory: pd.DataFrame  # territory_code, territory_name, latest_week, retailers


def freshness(scope: store.Scope = store.CITY) -> Freshness:
    """Latest week reported, overall and per territory (those of `scope`), and when the last
    import ran. The data's freshness is the territories' whatever the reader: read for the city
    once per store version (every page's header asks, under every scope) and cut to the scope's
    territories."""
    ter = city_read(_territory_freshness, store.CITY)
    if not scope.is_city:
        ter = ter[ter["territory_code"].isin(metrics.lookup("territories", scope=scope)["territory_code"])]
    log = metrics.lookup("last_import")
    at = log["at"].iloc[0] if len(log) else None
    return Freshness(
        latest_week=max(ter["latest_week"]) if len(ter) else None,
        imported_at=None if at is None or pd.isna(at) else pd.Timestamp(at).to_pydatetime(),
        by_territory=ter.reset_index(drop=True),
    )


def _territory_freshness(scope: store.Scope) -> pd.DataFrame:
    ter = metrics.lookup("freshness", scope=scope)
    ter["latest_week"] = pd.to_datetime(ter["latest_week"]).dt.date
    return ter[ter["latest_week"].notna()]


def group_band(params: dict) -> dict:
    """The monitoring point of the filtered customer group: the most specific match, as
    market_state picks it; the city-wide point when no group is chosen."""
    bands = metrics.lookup("group_band", {k: params.get(k) for k in metrics.RETAILER_FILTERS})
    return bands.iloc[0].to_dict() if len(bands) else dict(DEFAULT_BAND)


def city_band() -> dict:
    """The city-wide monitoring point ('*' everywhere): the bands drawn on city charts."""
    return group_band({})


def within_scope_name(scope: store.Scope, territory_name: str, lang: str) -> str:
    """What a 片区's line stands for within `scope`: the 片区 itself, or under a customer manager's
    scope only that manager's retailers in it (the 片区's name alone would claim the whole 片区)."""
    if not scope.cm_code:
        return territory_name
    cms = metrics.lookup("customer_managers")
    cm = dict(zip(cms["cm_code"], cms["cm_name"])).get(scope.cm_code, scope.cm_code)
    return i18n.t("scope.cm_own", lang, cm=cm, territory=territory_name)


def scope_name(scope: store.Scope, lang: str) -> str:
    """The scope in words: 全市, a 市场部, a 片区 or a customer manager."""
    if scope.cm_code:
        names = metrics.lookup("customer_managers").set_index("cm_code")["cm_name"]
        return str(names.get(scope.cm_code, scope.cm_code))
    if scope.territory_code:
        names = metrics.lookup("territories").set_index("territory_code")["territory_name"]
        return str(names.get(scope.territory_code, scope.territory_code))
    if scope.department_code:
        names = metrics.lookup("departments").set_index("department_code")["department_name"]
        return str(names.get(scope.department_code, scope.department_code))
    return i18n.t("report.benchmark", lang)


def own_names(frame: pd.DataFrame | None, scope: store.Scope, lang: str, column: str = "territory_name"):
    """`frame` with its 片区 names in `column` as within_scope_name says them: under a customer
    manager's scope a 片区's row holds that manager's retailers only, and its label says so."""
    if frame is None or not scope.cm_code or column not in frame or frame.empty:
        return frame
    names = {name: within_scope_name(scope, name, lang) for name in frame[column].dropna().unique()}
    return frame.assign(**{column: frame[column].map(names)})
