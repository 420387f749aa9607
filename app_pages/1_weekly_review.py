"""营销周报 Weekly review: last week's headline numbers, alerts and market-state matrix."""

import streamlit as st

from marketpulse import report, views
from marketpulse.ui import shell, weekly, widgets

f = shell.filters()
widgets.header(f, "weekly.title", "weekly.lead")
data = shell.load(views.weekly_review, f.week_to, f.params(), f.scope(), f.lang)
if data.week is None:
    widgets.empty(f)
    st.stop()

top, button = st.columns([4, 1])
top.subheader(f.t("weekly.week", week=data.week.isoformat(), iso=data.week.isocalendar()[1]))
button.download_button(
    f.t("weekly.download"),
    shell.load(report.workbook, data.week, f.params(), f.scope(), f.lang),
    f"周报_{data.week}.xlsx",
    key="weekly_xlsx",
    icon=":material/download:",
    type="primary",
)
widgets.kpi_cards(weekly.kpi_texts(data.kpis, f.lang), f.lang)
prev_year = int(data.ytd_year) - 1
st.caption(
    f.t("weekly.ytd_note", year=data.ytd_year, weeks=data.ytd_weeks, prev=prev_year)
    + ("" if data.ytd_compared else f.t("weekly.ytd_no_base", prev=prev_year))
)

st.subheader(f.t("weekly.alerts"))
if data.alerts.empty:
    st.success(f.t("weekly.no_alerts"))
else:
    widgets.table(
        data.alerts,
        f,
        f.t("weekly.alerts"),
        key="alerts",
        column_config={f.t("col.reason"): st.column_config.TextColumn(width="large")},
    )

st.subheader(f.t("weekly.state"))
if data.state.empty:
    widgets.empty(f)
    st.stop()
matrix, summary = st.columns([3, 1])
with matrix:
    picked = widgets.chart(weekly.state_matrix(data.state, f), key="state_matrix", clickable=True, pick="x")
with summary:
    weekly.state_summary(data.state, f)
weekly.state_ranking(data, f)
if picked:
    shell.drill(ter=dict(zip(data.state["territory_name"], data.state["territory_code"]))[picked[0]])
