"""货源建议 Supply: next week's recommendation per spec × 市场部, forecasts with intervals,
the Spring Festival marked, and backtest accuracy next to every forecast."""

import streamlit as st

from marketpulse import numbers, supply, views
from marketpulse.ui import figures, shell, widgets

f = shell.filters()
widgets.header(f, "supply.title", "supply.lead")
if shell.load(views.forecast_run, f.scope()) is None:
    st.info(f.t("supply.none"))
    st.stop()
specs = shell.load(views.reference).specs
names = dict(zip(specs["spec_code"], specs["spec_name"]))
picked = st.selectbox(
    f.t("supply.pick"),
    list(names),
    index=None,
    key="supply_spec",
    format_func=names.get,
    placeholder=f.t("supply.pick_top"),
    bind="query-params",
)
data = shell.load(views.supply_page, f.scope(), picked or f.spec, f.lang)

st.caption(f.t("supply.run", week=str(data.run["made_from_week"]), at=str(data.run.get("run_at", ""))[:16]))
if data.spec is None:
    st.info(f.t("supply.no_series"))
    st.stop()
title = (
    f.t("supply.chart", spec=names.get(data.spec, data.spec))
    if data.level == "city"
    else f.t("supply.chart_department", spec=names.get(data.spec, data.spec), department=data.level_name)
)
labels = {k: f.t(f"supply.{k}") for k in ("history", "forecast", "band80", "band95", "festival")}
widgets.chart(
    figures.forecast(
        data.history,
        data.forecast,
        data.festivals,
        labels,
        title,
        f.desc,
        f.t("axis.week"),
        f.t("axis.sales"),
    ),
    key="forecast",
)
if data.spec_accuracy:
    a = data.spec_accuracy
    st.caption(
        f.t(
            "supply.spec_accuracy",
            model=numbers.fmt(a["mase_model"], 2),
            seasonal=numbers.fmt(a["mase_seasonal_naive"], 2),
            festival=numbers.fmt(a["mase_festival_naive"], 2),
        )
    )
if data.forecast["is_fallback"].any():
    st.warning(f.t("supply.fallback"))

top, button = st.columns([3, 1])
top.subheader(f.t("supply.table"))
if f.territory or f.cm:
    top.caption(f.t("supply.plan_department", department=data.level_name))
button.download_button(
    f.t("supply.download"),
    shell.load(supply.recommendations_xlsx, data.raw, f.lang),
    f"货源建议_{data.run['made_from_week']}.xlsx",
    key="supply_xlsx",
    icon=":material/download:",
)
widgets.table(data.table, f, "supply", key="supply_table")
st.subheader(f.t("supply.accuracy"))
widgets.table(data.accuracy, f, "accuracy", key="accuracy")
