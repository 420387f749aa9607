"""价格指数 Prices: cross-section by brand and territory, chained index, compliance, spread."""

import streamlit as st

from marketpulse import views
from marketpulse.ui import figures as charts
from marketpulse.ui import core as ui

f = ui.filters()
ui.header(f, "prices.title", "prices.lead")
FORMULAS = ["fisher", "laspeyres", "paasche", "tornqvist"]
formula = st.segmented_control(f.t("prices.formula"), FORMULAS, default="fisher", key="formula", required=True,
                               format_func=lambda x: f.t(f"formula.{x}"), bind="query-params") or "fisher"
data = ui.load(views.prices, f.params(), f.scope(), formula, f.lang)
if data.by_brand is None or data.by_brand.empty:
    ui.empty(f)
    st.stop()

week = data.week.isoformat()
states, colors, span = ui.price_positions(data, f)
left, right = st.columns(2)
with left:
    ui.chart(charts.bars(data.by_brand.assign(state=data.by_brand["state"].map(states)), "level_name", "price_index",
                         f.t("prices.by_brand", week=week), f.desc, f.t("col.brand"), f.t("axis.price_index"),
                         color="state", colors=colors, reference=100, horizontal=True, value_range=span,
                         height=max(360, 110 + 24 * len(data.by_brand))), key="by_brand")
with right:
    terr = data.by_territory.assign(state=data.by_territory["state"].map(states))
    picked = ui.chart(charts.bars(terr, "level_name", "price_index", f.t("prices.by_territory", week=week), f.desc,
                                  f.t("col.territory"), f.t("axis.price_index"), color="state", colors=colors,
                                  reference=100, custom="level_key", value_range=span,
                                  height=max(360, 110 + 24 * len(data.by_brand))), key="by_territory", clickable=True)
    if picked:
        ui.drill(ter=picked[0])
left, right = st.columns(2)
with left:
    ui.chart(charts.lines(data.chained, "week", "price_index", None, f.t("prices.chained", formula=f.t(f"formula.{formula}")),
                          f.desc, f.t("axis.week"), f.t("axis.price_index"), reference=100), key="chained")
with right:
    ui.chart(charts.lines(data.compliance.assign(rate=data.compliance["compliance_rate"] * 100), "week", "rate", None,
                          f.t("prices.compliance"), f.desc, f.t("axis.week"), f.t("axis.compliance")), key="compliance")
if data.spread is not None and len(data.spread):
    ui.chart(charts.spread(data.spread, "spec_name", "price_index", f.t("prices.spread", week=week, n=views.SPREAD_SPECS),
                           f.desc, f.t("col.spec"), f.t("axis.relative_price")), key="spread")
st.subheader(f.t("prices.compliance_by_territory", week=week))
ui.table(ui.price_table(data.compliance_latest, data.by_territory, f), f, "price_compliance", key="compliance_table")
