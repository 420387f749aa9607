"""片区趋势 Territory trends: one territory against the city and the same period last year."""

import streamlit as st

from marketpulse import numbers, views
from marketpulse.ui import figures, shell, widgets

PANELS = [  # panel, axis title, unit
    ("sales", "axis.sales", "qty"),
    ("avg_price", "axis.avg_price", "price"),
    ("key_share", "axis.share", "pct"),
    ("ratio", "axis.ratio", "weeks"),
    ("price_index", "axis.price_index", "index"),
]

f = shell.filters()
widgets.header(f, "territory.title", "territory.lead")
chosen = None
if f.territory is None and f.cm is None:  # no 片区 in the sidebar: the page asks which one, in words
    ref = shell.load(views.reference).territories
    within = ref if f.department is None else ref[ref["department_code"] == f.department]
    names = dict(zip(within["territory_code"], within["territory_name"]))
    chosen = st.selectbox(
        f.t("territory.pick"), list(names), key="show_ter", format_func=names.get, bind="query-params"
    )
data = shell.load(views.territory_trends, f.params(), f.scope(), f.lang, chosen)
if not data.panels or data.panels["sales"].dropna(subset=["value"]).empty:
    widgets.empty(f, "empty.range")
    st.stop()
if f.territory is None:
    st.info(f.t("territory.showing", name=data.territory_name))
low, high = (lambda b: (b["ratio_low"], b["ratio_high"]))(shell.load(views.group_band, f.params()))
# the 片区 shown is named in every chart's subtitle when the sidebar did not choose it
whole, subtitle = f.t("filter.whole_city"), f.desc
if not f.territory:
    subtitle = f.desc.replace(whole, data.territory_name) if whole in f.desc else f"{f.desc} · {data.territory_name}"

columns = st.columns(2)
for i, (panel, axis, unit) in enumerate(PANELS):
    with columns[i % 2]:
        widgets.chart(
            figures.lines(
                data.panels[panel],
                "week",
                "value",
                "series",
                f.t(f"territory.{panel}", name=data.territory_name),
                subtitle,
                f.t("axis.week"),
                f.t(axis),
                dash="series",
                height=320,
                reference=100 if unit == "index" else None,
                band=(low, high) if unit == "weeks" else None,
                band_label=f.t("inventory.band", low=f"{low:g}", high=f"{high:g}") if unit == "weeks" else "",
                unit=unit,
                lang=f.lang,
            ),
            key=f"panel_{panel}",
        )
        if panel == "sales" and data.growth:  # volumes do not compare with the city's: growth does
            st.caption(
                " ".join(
                    f.t(f"territory.growth.{period}", label=label, name=data.territory_name,
                        own=numbers.change(own, f.lang), city=numbers.change(city, f.lang))
                    for period, (label, own, city) in data.growth.items()
                )
            )  # fmt: skip
with columns[1]:
    if data.signals.empty:
        st.info(f.t("territory.no_signals"))
    else:
        widgets.chart(
            widgets.monday_ticks(
                figures.bars(
                    data.signals,
                    "week",
                    "mentions",
                    f.t("territory.signals", name=data.territory_name),
                    subtitle,
                    f.t("axis.week"),
                    f.t("axis.mentions"),
                    color="signal_label",
                    height=320,
                    unit="count",
                ),
                data.signals["week"].nunique(),
            ),
            key="signals",
        )
