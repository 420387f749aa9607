"""价格指数 Prices: both weightings of the index (this week's sales, last year's sales fixed),
cross-section by brand and territory, chained index, compliance, spread, the fixed weights."""

import streamlit as st

from marketpulse import views
from marketpulse.ui import figures, prices, shell, widgets

FORMULAS = ["fisher", "laspeyres", "paasche", "tornqvist"]

f = shell.filters()
widgets.header(f, "prices.title", "prices.lead")
left, right = st.columns(2)
weighting = (
    left.segmented_control(
        f.t("prices.weighting"),
        list(prices.WEIGHTINGS),
        default="current",
        key="weighting",
        required=True,
        format_func=lambda x: f.t(f"weighting.{x}"),
        bind="query-params",
    )
    or "current"
)
formula = (
    right.segmented_control(
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
data = shell.load(views.prices, f.params(), f.scope(), formula, f.lang, weighting)
if data.by_brand.empty:
    widgets.empty(f)
    st.stop()

week = data.week.isoformat()
named = f.t(f"weighting.{weighting}")
for column, (label, value, delta) in zip(st.columns([1, 1, 2]), prices.headline(data, f)):
    column.metric(label, value, delta, delta_color="off", help=f.t("prices.headline_help", week=week))
st.caption(":material/scale: " + prices.weight_note(data, f))

states, colors, span = prices.positions(data, f)
height = max(360, 110 + 24 * len(data.by_brand))
if data.by_brand["price_index"].isna().all():
    st.info(prices.weight_note(data, f))
else:
    left, right = st.columns(2)
    with left:
        widgets.chart(
            figures.bars(
                data.by_brand.assign(state=data.by_brand["state"].map(states)),
                "level_name",
                "price_index",
                f.t("prices.by_brand", week=week),
                f"{f.desc} · {named}",
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
                f"{f.desc} · {named}",
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
            prices.index_lines(data, f),
            "week",
            "value",
            "series",
            f.t("prices.both"),
            f.desc,
            f.t("axis.week"),
            f.t("axis.price_index"),
            reference=100,
        ),
        key="both",
    )
with right:
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
left, right = st.columns(2)
with left:
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
with right:
    st.markdown(f"**{f.t('prices.weights', week=week, year=data.week.isocalendar()[0] - 1)}**")
    widgets.table(prices.weight_table(data.weights, f.lang), f, "fixed_weights", key="weights_table", height=300)
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

st.subheader(f.t("prices.compliance_by_territory", week=week, weighting=named))
widgets.table(
    prices.compliance_table(data.compliance_latest, data.by_territory, f), f, "price_compliance", key="compliance_table"
)
