"""营销周报 Weekly review: last week's headline numbers, alerts and market-state matrix."""

import streamlit as st

from marketpulse import report, views
from marketpulse.ui import core as ui

f = ui.filters()
ui.header(f, "weekly.title", "weekly.lead")
data = ui.load(views.weekly_review, f.week_to, f.params(), f.scope(), f.lang)
if data.week is None:
    ui.empty(f)
    st.stop()

top, button = st.columns([4, 1])
top.subheader(f.t("weekly.week", week=data.week.isoformat(), iso=data.week.isocalendar()[1]))
button.download_button(f.t("weekly.download"), ui.load(report.workbook, data.week, f.params(), f.scope(), f.lang),
                       f"周报_{data.week}.xlsx", key="weekly_xlsx", icon=":material/download:", type="primary")
ui.kpi_cards(ui.kpi_view(data.kpis, f.lang), f.lang)

st.subheader(f.t("weekly.alerts"))
if data.alerts is None:
    ui.missing(f, "what.alerts")
elif data.alerts.empty:
    st.success(f.t("weekly.no_alerts"))
else:
    if data.alerts_source == "market_state":
        st.caption(f.t("weekly.alerts_from_state"))
    ui.table(data.alerts, f, f.t("weekly.alerts"), key="alerts",
             column_config={f.t("col.reason"): st.column_config.TextColumn(width="large")})

st.subheader(f.t("weekly.state"))
if data.state is None:
    ui.missing(f, "what.market_state")
elif data.state.empty:
    ui.empty(f)
else:
    matrix, summary = st.columns([3, 1])
    with matrix:
        picked = ui.chart(ui.state_matrix(data.state, f), key="state_matrix", clickable=True, pick="x")
    with summary:
        ui.state_summary(data.state, f)
    ui.state_ranking(data, f)
    if picked:
        ui.drill(ter=dict(zip(data.state["territory_name"], data.state["territory_code"]))[picked[0]])
