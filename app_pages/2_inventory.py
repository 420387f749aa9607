"""存销比监控 Inventory: weeks of cover over time with the bands, drill-down, cells out of band."""

import streamlit as st

from marketpulse import views
from marketpulse.ui import core as ui
from marketpulse.ui import figures as charts

f = ui.filters()
ui.header(f, "inventory.title", "inventory.lead")
level = views.NEXT_LEVEL.get(views.focus(f.department, f.territory, f.cm), "retailer")
data = ui.load(views.inventory, f.params(), f.scope(), views.focus(f.department, f.territory, f.cm), f.lang)
if data.latest is None or data.latest.empty:
    ui.empty(f, "empty.range")
    st.stop()

level_name = f.t(f"level.{level}")
band = (data.band["ratio_low"], data.band["ratio_high"])
shown = data.series[data.series["level_key"].isin(["__focus__", *data.latest["level_key"].head(12)])]
fig = charts.lines(shown, "week", "ratio", "level_name", f.t("inventory.chart", level=level_name), f.desc,
                   f.t("axis.week"), f.t("axis.ratio"), band=band,
                   band_label=f.t("inventory.band", low=f"{band[0]:g}", high=f"{band[1]:g}"), custom="level_key")
picked = ui.chart(fig, key="ratio_chart", clickable=level in views.LEVEL_FILTER)
if picked and picked[0] != "__focus__":
    ui.drill(**{views.LEVEL_FILTER[level]: picked[0]})

st.subheader(f.t("inventory.latest", week=data.week.isoformat(), level=level_name))
table = ui.inventory_table(data.latest, f)
event = ui.table(table, f, "inventory", key="inventory_table", selectable=level in views.LEVEL_FILTER)
if event and event.selection.rows:
    ui.drill(**{views.LEVEL_FILTER[level]: data.latest["level_key"].iloc[event.selection.rows[0]]})

st.subheader(f.t("inventory.cells"))
if data.out_of_band is None:
    ui.missing(f, "what.market_state")
elif data.out_of_band.empty:
    st.success(f.t("inventory.no_cells"))
else:
    ui.table(data.out_of_band, f, "out_of_band", key="cells")
