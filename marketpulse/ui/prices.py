"""The prices page's own pieces: where an index stands against the band (legend words,
colours, a value range around 100), the two weightings of the index side by side (headline
numbers, lines over the weeks, the fixed weights) and the per-territory compliance table."""

from __future__ import annotations

import pandas as pd

from marketpulse import numbers
from marketpulse.ui import figures
from marketpulse.ui.shell import Filters
from marketpulse.ui.widgets import change
from marketpulse.views.prices import WEIGHTINGS, weight_table

__all__ = ["WEIGHTINGS", "compliance_table", "headline", "index_lines", "positions", "weight_note", "weight_table"]


def positions(data, f: Filters) -> tuple[dict, dict]:
    """Legend words for price-index bars (at or above the suggested price, near it, discounted)
    and their colours: only the discounted ones warn; an index at or above 100 is not a fault."""
    band = data.band
    states = {
        "tight": f.t("pricepos.tight", v=f"{band['index_tight']:g}"),
        "balanced": f.t("pricepos.balanced", lo=f"{band['index_loose']:g}", hi=f"{band['index_tight']:g}"),
        "loose": f.t("pricepos.loose", v=f"{band['index_loose']:g}"),
    }
    colors = {states[k]: figures.PRICE_COLORS[k] for k in figures.STATE_ORDER}
    return states, colors


def compliance_table(compliance: pd.DataFrame, index: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Per territory: price index, compliance and the observations above and below the band."""
    merged = compliance.merge(index[["level_key", "price_index"]], on="level_key", how="left")
    return pd.DataFrame(
        {
            f.t("col.territory"): merged["level_name"],
            f.t("col.price_index"): merged["price_index"].round(1),
            f.t("col.compliance"): (merged["compliance_rate"] * 100).round(1),
            f.t("col.observations"): merged["observations"],
            f.t("col.above"): merged["above"],
            f.t("col.below"): merged["below"],
        }
    )


def headline(data, f: Filters) -> list[tuple[str, str, str | None]]:
    """Both indices of the week for the scope: label, value, change on the week before in points."""
    rows = data.indices.dropna(subset=list(WEIGHTINGS), how="all")
    out = []
    for w in WEIGHTINGS:
        values = rows[w]
        now = values.iloc[-1] if len(values) else None
        before = values.iloc[-2] if len(values) > 1 else None
        delta = None if now is None or before is None or pd.isna(now) or pd.isna(before) else now - before
        moved = None if delta is None else change(delta, f.lang, unit="index_points")
        out.append((f.t(f"weighting.{w}"), numbers.show(now, "index", f.lang), moved))
    return out


def weight_note(data, f: Filters) -> str:
    """Where the fixed weights come from this week: the weight year, its weeks, specs left out."""
    week = data.week
    now = data.indices[pd.to_datetime(data.indices["week"]).dt.date == week]
    year = week.isocalendar()[0] - 1
    if now.empty or pd.isna(now["weight_weeks"].iloc[0]):
        return f.t("prices.no_weights", week=week.isoformat(), year=year)
    row = now.iloc[0]
    return f.t(
        "prices.weight_note",
        year=year,
        weeks=int(row["weight_weeks"]),
        new=int(row["new_specs"]),
        unweighted=int(row["unweighted_specs"]),
    )


def index_lines(data, f: Filters) -> pd.DataFrame:
    """Both indices over the weeks, one line per weighting."""
    long = data.indices.melt(id_vars=["week"], value_vars=list(WEIGHTINGS), var_name="weighting", value_name="value")
    return long.assign(series=[f.t(f"weighting.{w}") for w in long["weighting"]])


def city_line(fig, value: float, f: Filters, horizontal: bool) -> None:
    """The whole city's index of the week as a line across a territory's bars, named in the
    legend (a label on the plot would sit on the bars)."""
    label = f.t("prices.city_ref", v=numbers.show(value, "index", f.lang))
    style = {"dash": "dot", "color": "#1F5FA8", "width": 1.5}
    if horizontal:
        fig.add_vline(x=value, line=style)
    else:
        fig.add_hline(y=value, line=style)
    fig.add_scatter(x=[None], y=[None], mode="lines", line=style, name=label, showlegend=True, hoverinfo="skip")
