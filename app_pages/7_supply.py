"""货源建议 Supply: next week's recommendation per spec × 市场部, forecasts with intervals,
the Spring Festival marked, and backtest accuracy next to every forecast."""

import streamlit as st

from marketpulse import numbers, supply, views
from marketpulse.ui import figures, shell, signin, widgets

f = shell.filters()
widgets.header(f, "supply.title", "supply.lead")
if shell.load(views.forecast_run, f.scope()) is None:
    if not shell.may("approve"):  # the marketing center makes the forecasts; the others are told so
        st.info(f.t("supply.none_ask"))
        st.stop()
    st.info(f.t("supply.none"))
    if st.button(f.t("supply.make"), key="supply_make", type="primary", icon=":material/query_stats:"):
        bar = st.progress(0.0, text=f.t("supply.making"))
        run = views.make_forecasts(lambda done, total: bar.progress(done / max(total, 1), text=f.t("supply.making")))
        signin.audit("forecast_refresh", "" if run is None else str(run.get("made_from_week", "")))
        st.rerun()
    st.stop()
# the center uploads what is available next week: the plan, and the advice's plan column, keep within it
upload = st.file_uploader(f.t("plan.upload"), type=["csv"], key="plan_supply") if shell.may("approve") else None
available = None
if upload is not None:
    try:
        available = tuple(sorted(supply.read_supply(upload).items()))
    except ValueError as bad:  # a missing column, a bad number, not a CSV: the page goes on without it
        st.error(f"{f.t('plan.upload_bad')}{views.words_in(str(bad), f.lang)}")
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
data = shell.load(views.supply_page, f.scope(), picked or f.spec, f.lang, available)

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
        # the weeks the chart spans (its history and forecast), then the selection
        " · ".join([views.span(data.history["ds"], data.forecast["ds"]), *f.desc.split(" · ")[1:]]),
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
widgets.table(
    data.table,
    f,
    "supply",
    key="supply_table",
    column_config={f.t("col.vs_plan"): st.column_config.TextColumn(width="large")},
)
st.caption(f.t("supply.vs_plan_note"))
st.subheader(f.t("supply.accuracy"))
widgets.table(data.accuracy, f, "accuracy", key="accuracy")
calibration = shell.load(views.calibration_text, f.lang)
if calibration:
    st.caption(calibration)
for key in ("plan.jargon.mase", "plan.jargon.seasonal", "plan.jargon.fallback"):
    st.caption(f.t(key))

# ── next week's plan: 限量 per spec × 档位, edited, checked, approved, exported ──────────
st.subheader(f.t("plan.heading"))
plan = shell.load(views.supply_plan_page, f.scope(), f.lang, available)
st.caption(
    f.t(
        "plan.lead",
        week=str(plan.plan.plan_week.date()),
        allocation=f.t(f"plan.allocation.{plan.plan.policy.allocation_type}"),
    )
)
if not plan.plan.constrained:
    st.info(f.t("plan.unconstrained"))
elif plan.unlisted:  # a partial file: what it leaves out gets nothing
    names = ("、" if f.lang == "zh" else ", ").join(plan.unlisted[:5]) + ("…" if len(plan.unlisted) > 5 else "")
    st.warning(f.t("plan.unlisted", n=len(plan.unlisted), names=names))
st.markdown(f"**{f.t('plan.totals')}**")
widgets.table(plan.totals, f, "plan_totals", key="plan_totals")
if plan.scope_share:
    st.caption(f.t("plan.scope_share", **plan.scope_share))

st.markdown(f"**{f.t('plan.eval')}**")
if plan.replay_note is None:
    st.caption(f.t("plan.eval_none") + (f.t("plan.eval_how") if shell.may("accounts") else ""))
else:
    st.caption(f.t("plan.eval_caption", **plan.replay_note))
    widgets.table(plan.replay, f, "plan_replay", key="plan_replay")

# the editor's columns before the 限量 keep their widths (px), so the 限量 sits where a planner expects it
EDITOR_WIDTHS = {"spec_code": 130, "spec_name": 150, "key_name": 110, "tier": 60, "retailers": 60}
EDITOR_LIMIT_WIDTH = 100
# the center plans: only who may approve edits the 限量 (and uploads the available quantity above)
planner = shell.may("approve")
st.markdown(f"**{f.t('plan.lines' if planner else 'plan.lines_read')}**")
labels = {
    "spec_code": f.t("supply.xlsx.spec_code"),
    "spec_name": f.t("col.spec"),
    "key_name": f.t("plan.col.key_name"),
    "tier": f.t("plan.col.tier"),
    "retailers": f.t("plan.col.retailers"),
    "limit_qty": f.t("plan.col.limit"),
    "capped": f.t("plan.col.capped"),
    "total_qty": f.t("plan.col.total"),
    "reason_" + f.lang: f.t("col.reason"),
}
shown = plan.lines[list(labels)]
if planner:
    # the editor's data stays the plan's: an editor whose data changes starts over and loses its
    # edits, so the lines as edited, with their totals recomputed, are listed below it
    st.data_editor(
        shown,
        hide_index=True,
        width="stretch",
        height=420,
        key="plan_lines",
        disabled=[c for c in shown.columns if c != "limit_qty"],
        column_config={
            **{c: st.column_config.Column(labels[c], width=w) for c, w in EDITOR_WIDTHS.items()},
            "limit_qty": st.column_config.NumberColumn(
                labels["limit_qty"], min_value=0, step=1, width=EDITOR_LIMIT_WIDTH
            ),
            **{c: labels[c] for c in labels if c not in EDITOR_WIDTHS and c != "limit_qty"},
        },
    )
    lines = supply.apply_edits(plan.lines, st.session_state.get("plan_lines", {}).get("edited_rows"))
    changed = lines[lines["edited"]]
    st.markdown(f"**{f.t('plan.edited')}**")
    if changed.empty:
        st.caption(f.t("plan.edited_none"))
    else:
        widgets.table(
            changed[["spec_name", "key_name", "tier", "retailers", "limit_qty", "capped", "total_qty"]].rename(
                columns=labels
            ),
            f,
            "plan_edited",
            key="plan_edited",
        )
else:
    lines = plan.lines
    widgets.table(shown.rename(columns=labels), f, "plan_lines", key="plan_lines_read", height=420)
problems = supply.check(lines, plan.plan.available, plan.plan.policy)
for key, values in problems:
    st.warning(f.t(key, **values))
if not problems:
    st.success(f.t("plan.ok"))
if plan.licenses is not None:  # a narrower scope: the center's lines, the files name its own retailers only
    st.caption(f.t("plan.scope_lines"))
mine = views.own_retailers(lines, plan.licenses)  # who the 控量户 files may name
row = st.container(horizontal=True)
row.download_button(
    f.t("plan.download_csv"),
    lambda: supply.order_csv(lines, plan.plan.plan_week, f.lang),
    f"投放方案_{plan.plan.plan_week.date()}.csv",
    "text/csv",
    key="plan_csv",
    icon=":material/download:",
    on_click="ignore",
)
row.download_button(
    f.t("plan.download_xlsx"),
    lambda: supply.order_xlsx(mine, plan.plan.plan_week, f.lang),
    f"投放方案_{plan.plan.plan_week.date()}.xlsx",
    key="plan_xlsx",
    icon=":material/table_view:",
    on_click="ignore",
)
row.download_button(
    f.t("plan.download_retailers"),
    lambda: supply.retailer_csv(mine, plan.plan.plan_week, f.lang),
    f"控量户_{plan.plan.plan_week.date()}.csv",
    "text/csv",
    key="plan_retailers_csv",
    icon=":material/person_search:",
    on_click="ignore",
)
# the approver is the signed-in user; approval is for the center and admins (the others are not offered it)
if planner and row.button(f.t("plan.approve"), key="plan_approve", disabled=bool(problems)):
    approver = shell.user().name
    plan_id = supply.approve(lines, plan.plan.plan_week, plan.plan.week, plan.plan.policy.allocation_type, approver)
    st.success(f.t("plan.approved", id=plan_id, who=approver))

st.markdown(f"**{f.t('plan.groups')}**")
# the spec charted above, its arithmetic spelled out one 市场部 (or key) a line
for row in plan.reasons[plan.reasons["spec_code"] == data.spec].itertuples():
    group = row.key_name or f.t("plan.city")
    st.markdown(f.t("plan.reason_row", s=names.get(data.spec, data.spec), g=group, r=row.reason))
widgets.table(plan.groups, f, "plan_groups", key="plan_groups")
