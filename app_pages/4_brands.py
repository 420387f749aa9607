"""新品牌培育 Brand cultivation: uptake curves, territories against the city and the target,
a league table, and the key-brand share."""

import streamlit as st

from marketpulse import views
from marketpulse.ui import brands, figures, shell, widgets

f = shell.filters()
widgets.header(f, "brands.title", "brands.lead")
if f.week_to is None:
    widgets.empty(f)
    st.stop()
progress = shell.load(views.new_spec_progress, f.params(), f.scope(), f.lang)
if progress.table is not None and len(progress.table):  # every new spec on top; one spec's curves below
    brands.progress_table(progress, f)
spec = brands.new_spec_picker(f)
data = shell.load(views.brands, f.params(), f.scope(), spec, f.lang)
if data.city is None or data.city.empty:
    st.info(f.t("brands.none"))
else:
    left, right = st.columns(2)
    with left:
        widgets.chart(brands.uptake_chart(data, f), key="uptake")
    with right:
        widgets.chart(brands.territory_uptake_chart(data, f), key="uptake_territories")
    st.caption(
        f.t("brands.target_note", share=f"{data.target_text[0]:g}", weeks=data.target_text[1]) + shell.rules_hint(f)
    )
    st.subheader(f.t("brands.league", week=str(f.week_to)))
    widgets.table(data.league, f, "new_brand_league", key="league")
if len(data.key_share):
    last_year = {n for n in data.key_share["series"].unique() if n.endswith(f.t("series.last_year", name="").strip())}
    widgets.chart(
        figures.dashed(
            figures.lines(
                data.key_share,
                "week",
                "share",
                "series",
                f.t("brands.key_share"),
                f.desc,
                f.t("axis.week"),
                f.t("axis.share"),
                unit="pct",
            ),
            last_year,
        ),
        key="key_share",
    )
