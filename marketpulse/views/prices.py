"""价格指数 Prices: the cross-section index by brand and territory (weighted by this week's
sales or, as the industry's 市场零售价格指数, by last year's) with each bar's 同期 (the same ISO
week a year before) and the city's index beside a territory's, both indices over the weeks,
the fixed weights, the chained index, price compliance, and the spread of retailers' prices
for the best-selling specs; and the fixed-weight row of the 周报's KPI sheet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from marketpulse import i18n, metrics, store
from marketpulse.metrics.api import choose, city_read
from marketpulse.metrics.prices import fixed_price_index
from marketpulse.views.base import NEXT_LEVEL, filters_of, group_band, own_names

SPREAD_SPECS = 8
SHOWN_RETAILERS = 30  # a manager's price bars: this many best-selling retailers
# 当期销量加权 (price_index) and 上年销量固定加权 (price_index_fixed, 市场零售价格指数)
WEIGHTINGS = ("current", "fixed")


@dataclass
class Prices:
    week: dt.date | None
    by_brand: pd.DataFrame | None  # by the chosen weighting, with sp_index: the brand's 同期
    by_territory: pd.DataFrame | None
    chained: pd.DataFrame | None
    compliance: pd.DataFrame | None
    compliance_latest: pd.DataFrame | None
    spread: pd.DataFrame | None  # spec_name, retailer index (price ÷ suggested × 100)
    band: dict
    weighting: str = "current"
    indices: pd.DataFrame | None = None  # per week, the scope's: week, current, fixed, weight_year, weight_weeks
    weights: pd.DataFrame | None = None  # the week's fixed weights per spec (price_index_fixed at spec level)
    level: str = "department"  # the level below the sidebar's focus: the bars a click drills through
    by_level: pd.DataFrame | None = None  # the week's index at that level, by the chosen weighting, with sp_index
    city_index: float | None = None  # the whole city's index of the week, beside a territory's bars


def prices(
    params: dict, scope: store.Scope, formula: str, lang: str, weighting: str = "current", focus_level: str = "city"
) -> Prices:
    """Cross-section index by brand, by territory and at the level below `focus_level` by
    `weighting`, the city's index beside a territory's, both indices over the weeks, the fixed
    weights, the chained index, compliance, price spread."""
    choose(weighting, WEIGHTINGS, "的加权方式", "weighting")
    band = group_band(params)
    week, weeks, filters = params.get("week_to"), (params["week_from"], params["week_to"]), filters_of(params)
    index = fixed_price_index if weighting == "fixed" else metrics.price_index
    level = NEXT_LEVEL.get(focus_level, "retailer")
    (by_brand, by_territory, chained, compliance, compliance_latest, spec, by_level, city, indices, weights) = (
        store.side_by_side(
            lambda: index(week, week, "brand", scope, **filters),
            lambda: index(week, week, "territory", scope, **filters),
            lambda: metrics.chained_price_index(*weeks, formula, "city", scope, **filters),
            lambda: metrics.price_compliance(*weeks, "city", None, scope, **filters),
            lambda: metrics.price_compliance(week, week, "territory", None, scope, **filters),
            lambda: metrics.price_index(week, week, "spec", scope, **filters),
            lambda: index(week, week, level, scope, **filters),
            lambda: city_read(index, week, week, "city", store.CITY, **filters) if scope != store.CITY else None,
            lambda: _both_indices(*weeks, scope, filters),
            lambda: fixed_price_index(week, week, "spec", scope, **filters),
        )
    )
    top = spec.sort_values("sales_qty", ascending=False).head(SPREAD_SPECS)
    by_brand, by_territory = (
        _price_position(by_brand, band),
        _price_position(own_names(by_territory, scope, lang, "level_name"), band),
    )
    compliance_latest = own_names(compliance_latest, scope, lang, "level_name")
    if level == "retailer":  # a manager's route: the best-selling retailers
        weight = "sales_qty" if "sales_qty" in by_level else "weight_qty"
        by_level = by_level.sort_values(weight, ascending=False).head(SHOWN_RETAILERS)
    by_level = _price_position(by_level, band)
    by_brand, by_level, *spreads = store.side_by_side(
        lambda: _with_same_period(by_brand, index, week, "brand", scope, filters),
        lambda: _with_same_period(by_level, index, week, level, scope, filters),
        *[
            lambda code=code, name=name: metrics.price_index(
                week, week, "retailer", scope, **{**filters, "spec_code": code}
            ).assign(spec_name=name)
            for code, name in zip(top["level_key"], top["level_name"])
        ],
    )
    spread = pd.concat(spreads, ignore_index=True) if spreads else None
    city_index = (
        None
        if city is None or city.empty or pd.isna(city["price_index"].iloc[0])
        else float(city["price_index"].iloc[0])
    )
    out = Prices(
        week,
        by_brand,
        by_territory,
        chained,
        compliance,
        compliance_latest,
        spread,
        band,
        weighting,
        indices,
        weights,
    )
    out.level, out.by_level, out.city_index = level, by_level, city_index
    return out


def _with_same_period(frame: pd.DataFrame, index, week, level: str, scope: store.Scope, filters: dict) -> pd.DataFrame:
    """The frame with each key's index in the same ISO week a year before (sp_index; empty when
    the key had none or the week is a week 53)."""
    same_period = metrics.same_period_week(week) if week is not None else None
    if frame.empty or same_period is None:
        return frame.assign(sp_index=float("nan"))
    before = index(same_period, same_period, level, scope, **filters)
    by_key = dict(zip(before["level_key"], before["price_index"]))
    return frame.assign(sp_index=pd.to_numeric(frame["level_key"].map(by_key), errors="coerce"))


def _both_indices(week_from, week_to, scope: store.Scope, filters: dict) -> pd.DataFrame:
    """The scope's current-weight and fixed-weight index side by side, per week."""
    current = metrics.price_index(week_from, week_to, "city", scope, **filters)
    fixed = fixed_price_index(week_from, week_to, "city", scope, **filters)
    keys = ["week", "level_key", "level_name"]
    out = current[keys + ["price_index"]].merge(
        fixed[keys + ["price_index", "weight_year", "weight_weeks", "specs", "new_specs", "unweighted_specs"]],
        on=keys,
        how="outer",
        suffixes=("", "_fixed"),
    )
    out = out.rename(columns={"price_index": "current", "price_index_fixed": "fixed"})
    return out.sort_values(keys, ignore_index=True)


def weight_table(weights: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The fixed weights of the week per spec: its index, weight, share and where the weight comes from."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    w = weights.sort_values(["weight_qty", "level_name"], ascending=[False, True], na_position="last")
    rule = ["first_13_weeks" if n else "last_year" if s else "none" for n, s in zip(w["new_specs"], w["specs"])]
    total = w["suggested_value"].sum()
    return pd.DataFrame(
        {
            t("col.spec"): w["level_name"],
            t("col.price_index"): w["price_index"].round(1),
            t("col.weight"): w["weight_qty"].round(1),
            t("col.weight_share"): (w["suggested_value"] / total * 100).round(1) if total else None,
            t("col.weight_rule"): [t(f"weight_rule.{r}") for r in rule],
        }
    ).reset_index(drop=True)


def fixed_index_kpi(week: dt.date, params: dict, scope: store.Scope) -> dict:
    """For the 周报's KPI sheet: the scope's fixed-weight index of the week, its change on the
    week before and on the same period (points, each week with its own weight year), and the weight year."""
    filters, same_period = filters_of(params), metrics.same_period_week(week)
    frame = fixed_price_index(week - metrics.WEEK, week, "city", scope, **filters)
    if same_period is not None:
        frame = pd.concat([frame, fixed_price_index(same_period, same_period, "city", scope, **filters)])
    by_week = dict(zip(pd.to_datetime(frame["week"]).dt.date, frame["price_index"]))
    now, before, last_year = (
        None if pd.isna(by_week.get(w, float("nan"))) else float(by_week[w])
        for w in (week, week - metrics.WEEK, same_period)
    )
    return {
        "value": now,
        "wow": None if now is None or before is None else now - before,
        "yoy": None if now is None or last_year is None else now - last_year,
        "weight_year": week.isocalendar()[0] - 1,
    }


def _price_position(frame: pd.DataFrame, band: dict) -> pd.DataFrame:
    """Mark each index against the tight and loose lines; highest first."""
    if frame.empty:
        return frame
    state = [
        "tight" if v >= band["index_tight"] else "loose" if v < band["index_loose"] else "balanced"
        for v in frame["price_index"].fillna(100)
    ]
    return frame.assign(state=state).sort_values("price_index", ascending=False, ignore_index=True)
