"""存销比监控 Inventory: weeks of cover over time at the level below the sidebar's focus,
the focus's own line, its 同期 (the same ISO weeks a year before) and the whole city's, the bands
of the customer group, and the cells out of band."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from marketpulse import i18n, metrics, store
from marketpulse.metrics.api import city_read
from marketpulse.views.base import NEXT_LEVEL, filters_of, group_band, own_names


@dataclass
class Inventory:
    level: str
    series: pd.DataFrame  # week, level_key, level_name, ratio, with the focus's own line, its 同期 (and the city's)
    latest: pd.DataFrame  # one row per level key, last week: numbers and status
    out_of_band: pd.DataFrame | None
    band: dict
    week: dt.date | None


def _status(ratio, low, high) -> str:
    if ratio is None or pd.isna(ratio):
        return "undefined"
    return "low" if ratio < low else "high" if ratio > high else "ok"


def inventory(params: dict, scope: store.Scope, focus_level: str, lang: str) -> Inventory:
    """存销比 over time at the level below the focus, its own line, the bands and the cells out of band."""
    level = NEXT_LEVEL.get(focus_level, "retailer")
    band = group_band(params)
    weeks, filters = (params["week_from"], params["week_to"]), filters_of(params)
    # the cells out of band are the latest week's with data: as a rule the range's last, read with
    # the rest (and read again below when that week has none)
    last = None if weeks[1] is None or pd.isna(weeks[1]) else metrics.week_of(weeks[1])
    last_out, parts, whole, same_period, city = store.side_by_side(
        lambda: _out_of_band(last, filters, scope, lang) if last else None,  # the longest read first
        lambda: metrics.inventory_ratio(*weeks, level, scope, **filters),
        lambda: city_read(metrics.inventory_ratio, *weeks, "city", scope, **filters),
        lambda: _same_period(weeks, scope, filters, lang),
        # a territory reads its cover against the whole city's
        lambda: (
            city_read(metrics.inventory_ratio, *weeks, "city", store.CITY, **filters) if scope != store.CITY else None
        ),
    )
    whole = whole.assign(level_key="__focus__", level_name=i18n.t("inventory.focus_line", lang))
    lines = [whole, same_period, parts]
    if city is not None:
        lines.insert(1, city.assign(level_key="__city__", level_name=i18n.t("series.city", lang)))
    series = pd.concat(lines, ignore_index=True)
    if parts.empty:
        return Inventory(level, series, parts, None, band, None)
    week = pd.to_datetime(parts["week"]).max().date()
    latest = parts[pd.to_datetime(parts["week"]).dt.date == week]
    latest = latest.assign(status=[_status(r, band["ratio_low"], band["ratio_high"]) for r in latest["ratio"]])
    latest = latest.sort_values("ratio", ascending=False, na_position="last").reset_index(drop=True)
    out = last_out if week == last else _out_of_band(week, filters, scope, lang)
    return Inventory(level, series, latest, out, band, week)


def _same_period(weeks: tuple, scope: store.Scope, filters: dict, lang: str) -> pd.DataFrame:
    """The focus's 存销比 in the same ISO weeks a year before, drawn at this year's weeks (key
    `__same_period__`); a week 53 has no 同期 and no point."""
    if any(w is None or pd.isna(w) for w in weeks):  # a store without weeks
        return pd.DataFrame(columns=["week", "ratio", "level_key", "level_name"])
    start, end = (pd.Timestamp(w).date() for w in weeks)
    first = metrics.same_period_week(start) or start - 52 * metrics.WEEK
    last = metrics.same_period_week(end) or end - 52 * metrics.WEEK
    before = metrics.inventory_ratio(first, last, "city", scope, **filters)
    by_week = dict(zip(pd.to_datetime(before["week"]).dt.date, before["ratio"]))
    this_year = [start + i * metrics.WEEK for i in range((end - start).days // 7 + 1)]
    rows = [(w, by_week.get(metrics.same_period_week(w))) for w in this_year]
    rows = [(pd.Timestamp(w), r) for w, r in rows if r is not None and pd.notna(r)]
    name = i18n.t("series.last_year", lang, name=i18n.t("inventory.focus_line", lang))
    out = pd.DataFrame(rows, columns=["week", "ratio"]).assign(level_key="__same_period__", level_name=name)
    return out.astype({"ratio": float})


def _out_of_band(week: dt.date, filters: dict, scope: store.Scope, lang: str) -> pd.DataFrame:
    """Spec × territory cells of the week whose cover is outside their band (or stock that does not sell)."""
    state = metrics.market_state(week, week, scope, **filters)
    off = state[
        (state["ratio"] < state["ratio_low"])
        | (state["ratio"] > state["ratio_high"])
        | (state["ratio"].isna() & (state["stock_qty"] > 0))
    ]
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return pd.DataFrame(
        {
            t("col.spec"): off["spec_name"],
            t("col.territory"): own_names(off, scope, lang)["territory_name"],
            t("col.ratio"): off["ratio"].round(2),
            t("col.band"): [f"{lo:.2f} – {hi:.2f}" for lo, hi in zip(off["ratio_low"], off["ratio_high"])],
            t("col.status"): [
                t(f"status.{_status(r, lo, hi) if pd.notna(r) else 'high'}")
                for r, lo, hi in zip(off["ratio"], off["ratio_low"], off["ratio_high"])
            ],
            t("col.stock"): off["stock_qty"].round(0),
            t("col.avg_sales"): off["avg_weekly_sales_4w"].round(1),
        }
    ).reset_index(drop=True)
