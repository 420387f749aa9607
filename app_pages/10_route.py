"""我的线路 My route, phone first: a customer manager's retailers this week as cards, most urgent
first, the manager's own week, and a tap on a retailer for its spec history. A territory
manager (or the center) picks one of the managers within their scope."""

import streamlit as st

from marketpulse import numbers, views
from marketpulse.ui import route as parts
from marketpulse.ui import shell, widgets
from marketpulse.views import route

f = shell.filters()
me = shell.user()
parts.style()
widgets.header(f, "route.title", "route.lead")
if f.week_to is None:
    widgets.empty(f, "empty.range")
    st.stop()

ref = shell.load(views.reference)
cms = ref.cms
if f.territory:
    cms = cms[cms["territory_code"] == f.territory]
elif f.department:
    cms = cms[
        cms["territory_code"].isin(
            ref.territories.loc[ref.territories["department_code"] == f.department, "territory_code"]
        )
    ]
if me is not None and me.role == "cm" and me.scope.cm_code:
    cm = me.scope.cm_code
else:
    codes = list(cms["cm_code"])
    if not codes:
        widgets.empty(f, "empty.range")
        st.stop()
    names = dict(zip(ref.cms["cm_code"], ref.cms["cm_name"], strict=True))
    cm = st.selectbox(
        f.t("route.cm"),
        codes,
        index=codes.index(f.cm) if f.cm in codes else 0,
        key="route_cm",
        format_func=lambda c: f"{names.get(c, c)} ({c})",
    )
data = shell.load(route.route, cm, f.week_to, f.scope())

st.subheader(f.t("route.my_week", week=data.week.isoformat()))
left, right = st.columns(2)
left.metric(f.t("route.visited"), f"{data.visited} / {data.planned}")
missing = data.cards[data.cards["visits"] == 0] if len(data.cards) else data.cards
right.metric(f.t("route.not_visited"), numbers.show(len(missing), "count", f.lang))
if len(missing):
    st.caption(f.t("route.not_visited_list", names=("、" if f.lang == "zh" else ", ").join(missing["retailer_name"])))
cm_alerts = data.alerts[data.alerts["license_no"].isna()]
for reason in cm_alerts["reason_zh" if f.lang == "zh" else "reason_en"]:
    st.warning(reason, icon=":material/flag:")
if len(data.uptake):
    st.markdown(f"**{f.t('route.uptake')}**")
    rates = {"mine": f.t("route.mine"), "territory": f.t("route.territory"), "city": f.t("route.city")}
    shown = data.uptake.rename(columns={"spec_name": f.t("col.spec"), **rates})
    pct = st.column_config.NumberColumn(format=numbers.column_format("pct"))  # 19.3%, one digit each
    widgets.table(
        shown.round(1), f, "route_uptake", key="route_uptake", column_config=dict.fromkeys(rates.values(), pct)
    )

st.subheader(f.t("route.cards", n=len(data.cards)))
if data.cards.empty:
    widgets.empty(f, "empty.week")
    st.stop()
picked = st.session_state.get("route_pick")
for _, row in data.cards.iterrows():
    with st.container(border=True):
        st.markdown(parts.card(row, f.lang, data.tolerance), unsafe_allow_html=True)
        if st.button(f.t("route.history"), key=f"route_h_{row['license_no']}", icon=":material/show_chart:"):
            picked = st.session_state["route_pick"] = row["license_no"]
        if picked == row["license_no"]:
            history = shell.load(route.history, row["license_no"], data.week, f.scope())
            if history.empty:
                widgets.empty(f, "empty.range")
                continue
            specs = history.drop_duplicates("spec_code")
            flagged = row["stockout"] + row["overstock"]
            first = next((c for c, n in zip(specs["spec_code"], specs["spec_name"], strict=True) if n in flagged), None)
            codes = list(specs["spec_code"])
            spec_names = dict(zip(specs["spec_code"], specs["spec_name"], strict=True))
            spec = st.selectbox(
                f.t("map.spec"),
                codes,
                index=codes.index(first) if first in codes else 0,
                key=f"route_spec_{row['license_no']}",
                format_func=lambda c, names=spec_names: names.get(c, c),
            )
            widgets.chart(parts.history_chart(history, spec, f.lang), key=f"route_chart_{row['license_no']}")
