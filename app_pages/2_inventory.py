"""存销比监控 Inventory: weeks of cover over time with the bands, drill-down, cells out of band."""

import pandas as pd
import streamlit as st

from marketpulse import views
from marketpulse.ui import figures, shell, widgets


def latest_table(latest: pd.DataFrame, f: shell.Filters) -> pd.DataFrame:
    """One row per level key in the last week: ratio, status in words, stock and sales."""
    return pd.DataFrame(
        {
            f.t("col.code"): latest["level_key"],
            f.t("col.level_name"): latest["level_name"],
            f.t("col.ratio"): latest["ratio"].round(2),
            f.t("col.status"): [f.t(f"status.{s}") for s in latest["status"]],
            f.t("col.stock"): latest["stock_qty"].round(0),
            f.t("col.avg_sales"): latest["avg_weekly_sales_4w"].round(1),
        }
    )


f = shell.filters()
widgets.header(f, "inventory.title", "inventory.lead")
focus = views.focus(f.department, f.territory, f.cm)
data = shell.load(views.inventory, f.params(), f.scope(), focus, f.lang)
if data.latest is None or data.latest.empty:
    widgets.empty(f, "empty.range")
    st.stop()

level = data.level
drills = level in views.LEVEL_FILTER  # a click on a line or a row opens that department, territory, manager
level_name = f.t(f"level.{level}")
band = (data.band["ratio_low"], data.band["ratio_high"])
OWN_LINES = ("__focus__", "__same_period__", "__city__")  # the focus, its 同期 and the city: not drillable
shown = data.series[data.series["level_key"].isin([*OWN_LINES, *data.latest["level_key"].head(12)])]
fig = figures.lines(
    shown,
    "week",
    "ratio",
    "level_name",
    f.t("inventory.chart", level=level_name),
    f.desc,
    f.t("axis.week"),
    f.t("axis.ratio"),
    band=band,
    band_label=f.t("inventory.band", low=f"{band[0]:g}", high=f"{band[1]:g}"),
    custom="level_key",
    unit="weeks",
)
figures.dashed(fig, set(shown.loc[shown["level_key"] == "__same_period__", "level_name"]))
chart_key = f.key(f"ratio_chart_{level}")
picked = widgets.chart(fig, key=chart_key, clickable=drills)
if picked and picked[0] not in OWN_LINES:
    shell.drill(chart_key, **{views.LEVEL_FILTER[level]: picked[0]})

st.subheader(
    f.t("inventory.latest" if drills else "inventory.latest_leaf", week=data.week.isoformat(), level=level_name)
)
table_key = f.key(f"inventory_table_{level}")
event = widgets.table(latest_table(data.latest, f), f, "inventory", key=table_key, selectable=drills)
if event and event.selection.rows:
    shell.drill(table_key, **{views.LEVEL_FILTER[level]: data.latest["level_key"].iloc[event.selection.rows[0]]})

st.subheader(f.t("inventory.cells"))
if data.out_of_band.empty:
    st.success(f.t("inventory.no_cells"))
else:
    widgets.table(data.out_of_band, f, "out_of_band", key="cells")
