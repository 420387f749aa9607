"""价格指数 Prices: cross-section by brand and territory, chained index, compliance, spread."""

import streamlit as st

from marketpulse import views
from marketpulse.ui import figures, prices, shell, widgets

FORMULAS = ["fisher", "laspeyres", "paasche", "tornqvist"]

f = shell.filters()
widgets.header(f, "prices.title", "prices.lead")
formula = (
    st.segmented_control(
        f.t("prices.formula"),
        FORMULAS,
        default="fisher",
        key="formula",
        required=True,
        format_func=lambda x: f.t(f"formula.{x}"),
        bind="query-params",
    )
    or "fisher"
)
data = shell.load(views.prices, f.params(), f.scope(), formula, f.lang)
if data.by_brand.empty:
    widgets.empty(f)
    st.stop()

week = data.week.isoformat()
states, colors, span = prices.positions(data, f)
height = max(360, 110 + 24 * len(data.by_brand))
left, right = st.columns(2)
with left:
    widgets.chart(
        figures.bars(
            data.by_brand.assign(state=data.by_brand["state"].map(states)),
            "level_name",
            "price_index",
            f.t("prices.by_brand", week=week),
            f.desc,
            f.t("col.brand"),
            f.t("axis.price_index"),
            color="state",
            colors=colors,
            reference=100,
            horizontal=True,
            value_range=span,
            height=height,
        ),
        key="by_brand",
    )
with right:
    picked = widgets.chart(
        figures.bars(
            data.by_territory.assign(state=data.by_territory["state"].map(states)),
            "level_name",
            "price_index",
            f.t("prices.by_territory", week=week),
            f.desc,
            f.t("col.territory"),
            f.t("axis.price_index"),
            color="state",
            colors=colors,
            reference=100,
            custom="level_key",
            value_range=span,
            height=height,
        ),
        key="by_territory",
        clickable=True,
    )
    if picked:
        shell.drill(ter=picked[0])

left, right = st.columns(2)
with left:
    widgets.chart(
        figures.lines(
            data.chained,
            "week",
            "price_index",
            None,
            f.t("prices.chained", formula=f.t(f"formula.{formula}")),
            f.desc,
            f.t("axis.week"),
            f.t("axis.price_index"),
            reference=100,
        ),
        key="chained",
    )
with right:
    widgets.chart(
        figures.lines(
            data.compliance.assign(rate=data.compliance["compliance_rate"] * 100),
            "week",
            "rate",
            None,
            f.t("prices.compliance"),
            f.desc,
            f.t("axis.week"),
            f.t("axis.compliance"),
        ),
        key="compliance",
    )
if data.spread is not None and len(data.spread):
    widgets.chart(
        figures.spread(
            data.spread,
            "spec_name",
            "price_index",
            f.t("prices.spread", week=week, n=views.SPREAD_SPECS),
            f.desc,
            f.t("col.spec"),
            f.t("axis.relative_price"),
        ),
        key="spread",
    )

st.subheader(f.t("prices.compliance_by_territory", week=week))
widgets.table(
    prices.compliance_table(data.compliance_latest, data.by_territory, f), f, "price_compliance", key="compliance_table"
)
