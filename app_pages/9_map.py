"""地图 Map: 片区 and retailers coloured by a chosen metric for the sidebar's last week; a click on a
片区 (its label or one of its shops) opens that 片区, a click on a shop there opens its manager."""

import streamlit as st

from marketpulse.ui import map as geo_map
from marketpulse.ui import shell, widgets
from marketpulse.views import geo

f = shell.filters()
widgets.header(f, "map.title", "map.lead")
if f.week_to is None:
    widgets.empty(f, "empty.range")
    st.stop()

left, right = st.columns([1, 2])
metric = left.selectbox(
    f.t("map.metric"),
    list(geo.METRICS),
    key="map_metric",
    format_func=lambda m: f.t(f"map.metric.{m}"),
    bind="query-params",
)
spec = None
if metric in geo.SPEC_METRICS:
    specs = shell.load(geo.spec_choices, metric, f.week_to, f.params(), f.scope())
    if specs.empty:
        st.info(f.t("map.pick_spec"))
        st.stop()
    names = dict(zip(specs["spec_code"], specs["spec_name"], strict=True))
    codes = list(specs["spec_code"])
    spec = right.selectbox(
        f.t("map.spec"),
        codes,
        index=codes.index(f.spec) if f.spec in names else 0,
        key="map_spec",
        format_func=lambda c: names.get(c, c),
    )

data = shell.load(geo.map_data, metric, f.params(), f.scope(), f.lang, spec_code=spec)
if data.areas.empty and not geo_map.has_points(data):
    st.info(f.t("map.no_points"))
    st.stop()

title = f.t(f"map.metric.{metric}") + (f" · {names[data.spec_code]}" if data.spec_code else "")
subtitle = f.t("map.week", week=data.week.isoformat()) + " · " + f.desc
# a click on a 片区 (label or shop) opens it; inside a 片区 a shop's click opens its manager
point_key = "cm_code" if f.territory else "territory_code"
chart_key = "map_chart"
fig = geo_map.territory_map(data, title, subtitle, f.lang, point_key=point_key)
picked = widgets.chart(fig, key=chart_key, clickable=f.cm is None)
if picked:
    code = picked[0]
    if f.territory is None and code in set(data.areas["territory_code"]):
        shell.drill(chart_key, ter=code)
    elif f.territory is not None and code in set(data.points["cm_code"]):
        shell.drill(chart_key, cm=code)
note = geo_map.legend_note(data, f.lang)
if note:
    st.caption(note)
