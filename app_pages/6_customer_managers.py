"""客户经理 Customer managers: the scorecard, and one manager's visits in detail."""

import streamlit as st

from marketpulse import views
from marketpulse.ui import figures, shell, widgets
from marketpulse.views.managers import scorecard_export

f = shell.filters()
widgets.header(f, "managers.title", "managers.lead")
data = shell.load(views.managers, f.params(), f.scope(), f.cm, f.lang, f.ceiling)
if data.scorecard.empty:
    widgets.empty(f, "empty.range")
    st.stop()

st.subheader(f.t("managers.scorecard", start=str(f.week_from), end=str(f.week_to)))
key = f.key("scorecard")
# the table draws the weekly sales as a line; its downloads write them out as numbers
event = st.dataframe(
    data.scorecard,
    hide_index=True,
    width="stretch",
    height=min(460, 38 + 35 * len(data.scorecard)),
    key=key,
    column_config={
        **widgets.column_formats(data.scorecard, f.lang),
        f.t("col.trend"): st.column_config.LineChartColumn(f.t("col.trend"), width="medium"),
    },
    on_select="rerun",
    selection_mode="single-row",
    placeholder="—",
)
widgets.downloads(scorecard_export(data.scorecard, f.lang), f, "scorecard", key)
st.caption(f.t("managers.rules", days=data.max_gap_days, n=data.unvisited_weeks) + shell.rules_hint(f))
if event and event.selection.rows:
    shell.drill(key, cm=data.scorecard[f.t("col.cm_code")].iloc[event.selection.rows[0]])
if not data.cm:
    st.info(f.t("managers.pick"))
    st.stop()

st.subheader(f.t("managers.detail", name=data.cm_name))
left, right = st.columns([3, 2])
with left:
    weekly = figures.bars(
        data.weekly,
        "week",
        "share",
        f.t("managers.weekly", name=data.cm_name),
        f.desc,
        f.t("axis.week"),
        f.t("axis.visited_share"),
        reference=100,
        height=320,
        unit="pct",
    )
    widgets.chart(widgets.monday_ticks(weekly, len(data.weekly)), key="cm_weekly")
with right:
    st.markdown(f"**{f.t('managers.unvisited', n=data.unvisited_weeks)}**")
    if data.unvisited.empty:
        st.success(f.t("managers.none_unvisited", n=data.unvisited_weeks))
    else:
        widgets.table(data.unvisited, f, "unvisited", key="unvisited")
st.markdown(f"**{f.t('managers.copy')}**")
if data.copy_suspect.empty:
    st.success(f.t("managers.none_copy"))
else:
    widgets.table(data.copy_suspect, f, "copy_suspect", key="copy_suspect")
