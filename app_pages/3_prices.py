"""价格指数 Prices: both weightings of the index (this week's sales, last year's sales fixed),
cross-section by brand and territory, chained index, compliance, spread, the fixed weights."""

import streamlit as st

from marketpulse import views
from marketpulse.ui import figures, prices, shell, spread, widgets

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
focus = views.focus(f.department, f.territory, f.cm)
data = shell.load(views.prices, f.params(), f.scope(), formula, f.lang, weighting, focus)
if data.by_brand.empty:
    widgets.empty(f)
    st.stop()

week = data.week.isoformat()
named = f.t(f"weighting.{weighting}")
for column, (label, value, delta) in zip(st.columns([1, 1, 2]), prices.headline(data, f)):
    column.metric(label, value, delta, delta_color="off", help=f.t("prices.headline_help", week=week))
st.caption(":material/scale: " + prices.weight_note(data, f))

states, colors = prices.positions(data, f)
if data.by_brand["price_index"].isna().all():
    st.info(prices.weight_note(data, f))
else:
    drills = data.level in views.LEVEL_FILTER
    level_name = f.t(f"level.{data.level}")
    left, right = st.columns(2)
    with left:
        key = f.key(f"by_level_{data.level}")
        bars = data.by_level.assign(state=data.by_level["state"].map(states))
        fig = figures.bars(
            bars,
            "level_name",
            "price_index",
            f.t("prices.by_level", week=week, level=level_name),
            f"{f.desc} · {named}",
            level_name,
            f.t("axis.price_index"),
            color="state",
            colors=colors,
            reference=100,
            custom="level_key",
            horizontal=len(bars) > 8,
            height=max(360, 130 + 24 * len(bars)) if len(bars) > 8 else 380,
            unit="index",
            base=100,
            marker="sp_index",
            marker_name=f.t("series.same_period"),
        )
        if data.city_index is not None:
            prices.city_line(fig, data.city_index, f, horizontal=len(bars) > 8)
        picked = widgets.chart(fig, key=key, clickable=drills)
        if drills:
            st.caption(f.t("prices.click"))
        if picked:
            shell.drill(key, **{views.LEVEL_FILTER[data.level]: picked[0]})
    with right:
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
                height=max(360, 130 + 24 * len(data.by_brand)),
                unit="index",
                base=100,
                marker="sp_index",
                marker_name=f.t("series.same_period"),
            ),
            key="by_brand",
        )

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
            unit="index",
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
            unit="index",
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
            unit="pct",
        ),
        key="compliance",
    )
with right:
    st.markdown(f"**{f.t('prices.weights', week=week, year=data.week.isocalendar()[0] - 1)}**")
    widgets.table(prices.weight_table(data.weights, f.lang), f, "fixed_weights", key="weights_table", height=300)
if data.spread is not None and len(data.spread):
    widgets.chart(
        spread.spread(
            data.spread,
            "spec_name",
            "price_index",
            f.t("prices.spread", week=week, n=views.SPREAD_SPECS),
            f.desc,
            f.t("col.spec"),
            f.t("axis.relative_price"),
            name="level_name",
        ),
        key="spread",
    )

st.subheader(f.t("prices.compliance_by_territory", week=week, weighting=named))
widgets.table(
    prices.compliance_table(data.compliance_latest, data.by_territory, f), f, "price_compliance", key="compliance_table"
)
