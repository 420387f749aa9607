"""The brand-cultivation page's own pieces: the new-spec picker and the two uptake charts
(the whole city's curves against the target, the scope's territories against the city)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from marketpulse import numbers, views
from marketpulse.ui import figures, widgets
from marketpulse.ui.shell import Filters, load

PICKER = "new_spec"  # the new-spec picker's key (bound to the URL as ?new_spec=)


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
        key=PICKER,
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
        f"{_since_launch(data, f)} · {f.t('filter.whole_city')}",  # the whole city's curves, whatever the scope
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


def _since_launch(data, f: Filters) -> str:
    """The weeks the curves span: from the spec's launch week (not the sidebar's first) to the last."""
    return f"{pd.Timestamp(data.city['week'].min()).date()}–{f.week_to}"


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
        " · ".join([_since_launch(data, f), *f.desc.split(" · ")[1:]]),  # the selection, over the curves' weeks
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


def progress_table(data, f: Filters) -> None:
    """Every new spec in the last week (views.new_spec_progress): 铺货率 against the week's target
    as numbers and its curve since launch, the city's beside a scope's, the lagging 片区 named;
    a click on a row opens that spec in the picker below."""
    p = data.table
    st.subheader(f.t("brands.progress", week=str(f.week_to)))
    sep = "、" if f.lang == "zh" else ", "
    columns = {"spec_name": f.t("col.spec"), "brand": f.t("col.brand"), "launch_week": f.t("col.launch_week")}
    units = {  # column → (unit, signed) of the numbers it shows
        "weeks_since_launch": ("count", False),
        "distribution": ("pct", False),
        "curve": None,
        "target": ("pct", False),
        "reached": ("pct", False),
        "vs_target": ("points", True),
        "city": ("pct", False),
        "lagging": None,
    }
    if data.scope_label == f.t("report.benchmark"):  # the city's own table: its column twice
        units.pop("city")
    # under a manager's scope a "片区" row is the manager's own retailers in it
    short = {"weeks_since_launch": "weeks", "lagging": "lagging_cm" if data.own_retailers else "lagging"}
    columns |= {name: f.t(f"progress.col.{short.get(name, name)}") for name in units}
    every = p.assign(lagging=p["lagging"].map(lambda names: sep.join(names) or None))[list(columns)]
    every = every.rename(columns=columns)
    # on screen the spec's name (it holds the brand) and its weeks since launch suffice
    shown = every.drop(columns=[columns["brand"], columns["launch_week"]])
    curve, key = columns["curve"], "brand_progress"
    config = {
        columns[name]: st.column_config.NumberColumn(format=numbers.column_format(*unit), width="small")
        for name, unit in units.items()
        if unit is not None
    }
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(460, 38 + 35 * len(shown)),
        key=key,
        column_config={
            **config,
            curve: st.column_config.LineChartColumn(curve, y_min=0, y_max=100, width="small"),
            columns["spec_name"]: st.column_config.TextColumn(width="medium"),
            columns["lagging"]: st.column_config.TextColumn(width="medium"),
        },
        on_select=lambda: _open(key, list(p["spec_code"])),
        selection_mode="single-row",
        placeholder="—",
    )
    st.caption(
        f.t(
            "brands.progress_note",
            scope=data.scope_label,
            share=f"{data.target_text[0]:g}",
            weeks=data.target_text[1],
            ratio=f"{data.lag_ratio:g}",
        )
    )
    widgets.downloads(every.drop(columns=[curve]).round(1), f, "new_brand_progress", key)


def _open(key: str, codes: list[str]) -> None:
    """The clicked row's spec into the picker (a callback: it runs before the picker is drawn)."""
    rows = st.session_state[key].selection.rows
    if rows:
        st.session_state[PICKER] = codes[rows[0]]
