"""价格指数 Prices: the cross-section index by brand and territory, the chained index over
time, price compliance, and the spread of retailers' prices for the best-selling specs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from marketpulse import metrics, store
from marketpulse.views.base import filters_of, group_band

SPREAD_SPECS = 8


@dataclass
class Prices:
    week: dt.date | None
    by_brand: pd.DataFrame | None
    by_territory: pd.DataFrame | None
    chained: pd.DataFrame | None
    compliance: pd.DataFrame | None
    compliance_latest: pd.DataFrame | None
    spread: pd.DataFrame | None  # spec_name, retailer index (price ÷ suggested × 100)
    band: dict


def prices(params: dict, scope: store.Scope, formula: str, lang: str) -> Prices:
    """Cross-section index by brand and territory, the chained index, compliance, price spread."""
    band = group_band(params)
    week, weeks, filters = params.get("week_to"), (params["week_from"], params["week_to"]), filters_of(params)
    by_brand = metrics.price_index(week, week, "brand", scope, **filters)
    by_territory = metrics.price_index(week, week, "territory", scope, **filters)
    chained = metrics.chained_price_index(*weeks, formula, "city", scope, **filters)
    compliance = metrics.price_compliance(*weeks, "city", None, scope, **filters)
    compliance_latest = metrics.price_compliance(week, week, "territory", None, scope, **filters)
    spec = metrics.price_index(week, week, "spec", scope, **filters)
    spread = None
    if len(spec):
        top = spec.sort_values("sales_qty", ascending=False).head(SPREAD_SPECS)
        spread = pd.concat(
            [
                metrics.price_index(week, week, "retailer", scope, **{**filters, "spec_code": code}).assign(
                    spec_name=name
                )
                for code, name in zip(top["level_key"], top["level_name"])
            ],
            ignore_index=True,
        )
    by_brand, by_territory = _price_position(by_brand, band), _price_position(by_territory, band)
    return Prices(week, by_brand, by_territory, chained, compliance, compliance_latest, spread, band)


def _price_position(frame: pd.DataFrame, band: dict) -> pd.DataFrame:
    """Mark each index against the tight and loose lines; highest first."""
    if frame.empty:
        return frame
    state = [
        "tight" if v >= band["index_tight"] else "loose" if v < band["index_loose"] else "balanced"
        for v in frame["price_index"].fillna(100)
    ]
    return frame.assign(state=state).sort_values("price_index", ascending=False, ignore_index=True)
