"""片区趋势 Territory trends: one territory against the city and the same period last year."""

import streamlit as st

from marketpulse import views
from marketpulse.ui import figures, shell, widgets

PANELS = [
    ("sales", "axis.sales"),
    ("avg_price", "axis.avg_price"),
    ("key_share", "axis.share"),
    ("ratio", "axis.ratio"),
    ("price_index", "axis.price_index"),
]

f = shell.filters()
widgets.header(f, "territory.title", "territory.lead")
data = shell.load(views.territory_trends, f.params(), f.scope(), f.lang)
if not data.panels or data.panels["sales"].dropna(subset=["value"]).empty:
    widgets.empty(f, "empty.range")
    st.stop()
if f.territory is None:
    st.info(f.t("territory.showing", name=data.territory_name))

columns = st.columns(2)
for i, (panel, axis) in enumerate(PANELS):
    with columns[i % 2]:
        widgets.chart(
            figures.lines(
                data.panels[panel],
                "week",
                "value",
                "series",
                f.t(f"territory.{panel}", name=data.territory_name),
                f.desc,
                f.t("axis.week"),
                f.t(axis),
                dash="series",
                height=320,
            ),
            key=f"panel_{panel}",
        )
with columns[1]:
    if data.signals.empty:
        st.info(f.t("territory.no_signals"))
    else:
        widgets.chart(
            figures.bars(
                data.signals,
                "week",
                "mentions",
                f.t("territory.signals", name=data.territory_name),
                f.desc,
                f.t("axis.week"),
                f.t("axis.mentions"),
                color="signal_label",
                height=320,
            ),
            key="signals",
        )
