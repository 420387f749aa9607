"""营销周报 Weekly review: what needs action first (alerts with owner and action, the market-state
exceptions), then the headline numbers against the city and 同期; every click drills one level."""

import streamlit as st

from marketpulse import report, views
from marketpulse.ui import shell, signin, weekly, widgets

f = shell.filters()
widgets.header(f, "weekly.title", "weekly.lead")
data = shell.load(views.weekly_review, f.week_to, f.params(), f.scope(), f.lang)
if data.week is None:
    widgets.empty(f)
    st.stop()

top, button = st.columns([3, 2], vertical_alignment="center")
top.subheader(f.t("weekly.week", week=data.week.isoformat(), iso=data.week.isocalendar()[1]))
week, params, scope = data.week, f.params(), f.scope()  # the 周报 is built when a button is clicked


def exported(build, kind: str):
    """The 周报 file for a download button, built on the click and written to the audit log."""
    signin.audit(
        "report_export", f"{week.isoformat()} {kind} {shell.load(report.file_name, week, scope, f.lang, kind)}"
    )
    return shell.load(build, week, params, scope, f.lang)


button = button.container(horizontal=True, horizontal_alignment="right")  # side by side, wrapping when narrow
button.download_button(
    f.t("weekly.download"),
    lambda: exported(report.workbook, "xlsx"),
    shell.load(report.file_name, week, scope, f.lang, "xlsx"),
    key="weekly_xlsx",
    icon=":material/download:",
    type="primary",
)
button.download_button(
    f.t("report.download_pdf"),
    lambda: exported(report.pdf, "pdf"),
    shell.load(report.file_name, week, scope, f.lang, "pdf"),
    mime="application/pdf",
    key="weekly_pdf",
    icon=":material/picture_as_pdf:",
    disabled=report.font() is None,  # no Chinese font on this machine: say so instead of failing
    help=None if report.font() else f.t("report.no_font"),
)

if f.spec and f.territory:  # a spec × 片区 cell, opened from an alert or the grid: its retailers
    names = shell.load(views.reference)
    spec_name = dict(zip(names.specs["spec_code"], names.specs["spec_name"])).get(f.spec, f.spec)
    ter_name = dict(zip(names.territories["territory_code"], names.territories["territory_name"])).get(f.territory)
    st.subheader(f.t("weekly.focus", spec=spec_name, territory=ter_name))
    st.caption(f.t("weekly.focus_lead", week=data.week.isoformat()))
    retailers = shell.load(views.cell_retailers, data.week, f.params(), f.scope(), f.lang)
    widgets.table(retailers, f, "retailers", key=f.key("cell_retailers"), height=min(420, 38 + 35 * len(retailers)))

widgets.kpi_cards(weekly.kpi_texts(data.kpis, f.lang), f.lang)
prev_year = int(data.ytd_year) - 1
st.caption(
    f.t("weekly.ytd_note", year=data.ytd_year, weeks=data.ytd_weeks, prev=prev_year)
    + ("" if data.ytd_compared else f.t("weekly.ytd_no_base", prev=prev_year))
)

st.subheader(f.t("weekly.alerts"))
if f.scope().cm_code:  # the alerts count only this manager's retailers, even where they name a 片区
    st.caption(f.t("weekly.cm_scope", name=weekly.scope_name(f)))
if data.alerts.empty:
    st.success(f.t("weekly.no_alerts"))
else:
    weekly.alert_cards(data, f)
    st.caption(f.t("weekly.alerts_hint"))
    key = f.key("alerts")
    event = widgets.table(
        data.alerts,
        f,
        "alerts",
        key=key,
        selectable=True,
        column_config=weekly.alert_columns(f),
    )
    if event and event.selection.rows:
        shell.drill(key, **weekly.alert_target(data, event.selection.rows[0], f))

st.subheader(f.t("weekly.state"))
if data.state.empty:
    widgets.empty(f)
    st.stop()
weekly.state_summary(data.state, f)
by_week = data.recent is not None and not data.recent.empty
with st.container():  # the grid takes the page's width: a city has some thirty 片区 columns
    key = f.key("state_matrix")
    if by_week:
        title = f.t("weekly.state_recent_title", name=weekly.scope_name(f))
        fig = weekly.state_matrix(data.recent, f, by_week=True, title=title)
        picked = widgets.chart(fig, key=key, clickable=True, pick="y")
        st.caption(f.t("weekly.click.recent") + " " + f.t("weekly.state_shade"))
    else:
        fig = weekly.state_matrix(data.state, f)
        picked = widgets.chart(fig, key=key, clickable=True, pick="x")
        st.caption(
            (f.t("weekly.click.department") if f.department else f.t("weekly.click.city"))
            + " "
            + f.t("weekly.state_shade")
            + (" " + f.t("weekly.marks") if weekly.crowded(fig) else "")
        )
    st.caption(f.t("weekly.state_rule"))
weekly.state_ranking(data, f)
if picked:
    shell.drill(key, **weekly.matrix_target(data, picked[0], f, by_week))
