"""The brand-cultivation page's own pieces: the new-spec picker and the two uptake charts
(the whole city's curves against the target, the scope's territories against the city)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from marketpulse import views
from marketpulse.ui import figures
from marketpulse.ui.shell import Filters, load


def new_spec_picker(f: Filters) -> str | None:
    """Choose one spec launched within the 52 weeks ending at the last week (bound to the URL)."""
    if f.week_to is None:
        return None
    new = views.new_specs(load(views.reference).specs, f.week_to, f.brand)
    if new.empty:
        return None
    names = dict(zip(new["spec_code"], new["spec_name"] + " · " + new["brand"]))
    default = f.spec if f.spec in names else next(iter(names))
    return st.selectbox(
        f.t("brands.pick"),
        list(names),
        index=list(names).index(default),
        key="new_spec",
        format_func=names.get,
        bind="query-params",
    )


def uptake_chart(data, f: Filters):
    """The new spec's whole-city curves by weeks since launch (铺货率 cumulative, 上柜率 weekly,
    动销率, 重购率), with the distribution target."""
    curve = data.city
    target = f.t("brands.target", share=f"{data.target_text[0]:g}", weeks=data.target_text[1])
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "weeks_since_launch": curve["weeks_since_launch"],
                    "value": curve[col] * 100,
                    "series": f.t(f"metric.{name}"),
                }
            )
            for col, name in (
                ("distribution_rate", "distribution"),
                ("shelf_rate", "shelf"),
                ("sellthrough_rate", "sellthrough"),
                ("repeat_rate", "repeat"),
            )
        ]
        + [
            pd.DataFrame(
                {
                    "weeks_since_launch": data.target["weeks_since_launch"],
                    "value": data.target["target"],
                    "series": target,
                }
            )
        ],
        ignore_index=True,
    )
    fig = figures.lines(
        long,
        "weeks_since_launch",
        "value",
        "series",
        f.t("brands.curves", spec=data.spec_name),
        f"{f.week_from}–{f.week_to} · {f.t('filter.whole_city')}",  # the whole city's curves, whatever the scope
        f.t("axis.weeks_since_launch"),
        f.t("axis.rate"),
        height=380,
        unit="pct",
    )
    fig.update_xaxes(tick0=0, dtick=4)
    fig.for_each_trace(
        lambda tr: tr.update(line={"dash": "dash", "color": "#999"}, marker={"size": 1}) if tr.name == target else None
    )
    return fig


def territory_uptake_chart(data, f: Filters):
    """铺货率 by territory against the whole city, with the alert line (city × lag ratio) and the target."""
    ter = data.territories.assign(value=data.territories["distribution_rate"] * 100)
    city = data.city
    lag = pd.DataFrame(
        {
            "weeks_since_launch": city["weeks_since_launch"],
            "value": city["distribution_rate"] * 100 * data.lag_ratio,
            "series": f.t("brands.lag_line", ratio=f"{data.lag_ratio:g}"),
        }
    )
    target = f.t("brands.target", share=f"{data.target_text[0]:g}", weeks=data.target_text[1])
    goal = data.target.assign(value=data.target["target"], series=target)
    long = pd.concat([ter[["weeks_since_launch", "value", "series"]], lag, goal], ignore_index=True)
    fig = figures.lines(
        long,
        "weeks_since_launch",
        "value",
        "series",
        f.t("brands.territories", spec=data.spec_name),
        f.desc,
        f.t("axis.weeks_since_launch"),
        f.t("axis.rate"),
        height=380,
        unit="pct",
    )
    fig.update_xaxes(tick0=0, dtick=4)
    city_name, lag_name = f.t("series.city"), lag["series"].iloc[0] if len(lag) else ""
    fig.for_each_trace(
        lambda tr: (
            tr.update(line={"width": 4, "color": "#222"})
            if tr.name == city_name
            else tr.update(line={"dash": "dot", "color": "#D9534F"}, marker={"size": 1})
            if tr.name == lag_name
            else tr.update(line={"dash": "dash", "color": "#999"}, marker={"size": 1})
            if tr.name == target
            else None
        )
    )
    return fig
