"""周报投递 Report delivery (admins): who gets the Monday 周报 of which scope by which channel,
the sends that failed and are still open, and the delivery log."""

import streamlit as st

from marketpulse import errors, views
from marketpulse.ui import shell, signin, widgets
from marketpulse.views import delivery

shell.require("accounts")  # the list holds people's addresses and robot secrets: administrators only
f = shell.filters()
st.title(f.t("delivery.title"))
st.caption(f.t("delivery.lead"))
st.caption(f.t("delivery.cron"))
data = delivery.delivery_page(f.lang)


def labelled(frame, columns):
    """The frame with its columns in words."""
    return frame[list(columns)].rename(columns={c: f.t(f"delivery.col.{c}") for c in columns})


st.subheader(f.t("delivery.failures"))
if data.failures.empty:
    st.success(f.t("delivery.no_failures"), icon=":material/check_circle:")
else:
    st.error(f"{len(data.failures)} × {f.t('delivery.failures')}", icon=":material/error:")
    failure_columns = ("week", "name", "channel", "attempts", "detail", "logged_at")
    widgets.table(labelled(data.failures, failure_columns), f, "delivery_failures", key="delivery_failures")

st.subheader(f.t("delivery.recipients"))
ref = shell.load(views.reference)
col = st.column_config
edited = st.data_editor(
    data.recipients,
    num_rows="dynamic",
    hide_index=True,
    key="delivery_recipients",
    column_config={
        "recipient_id": col.NumberColumn(f.t("delivery.col.recipient_id"), disabled=True),
        "name": col.TextColumn(f.t("delivery.col.name"), required=True),
        "scope_department": col.SelectboxColumn(
            f.t("delivery.col.scope_department"), options=list(ref.departments.index)
        ),
        "scope_territory": col.SelectboxColumn(
            f.t("delivery.col.scope_territory"), options=list(ref.territories["territory_code"])
        ),
        "scope_cm": col.SelectboxColumn(f.t("delivery.col.scope_cm"), options=list(ref.cms["cm_code"])),
        "lang": col.SelectboxColumn(f.t("delivery.col.lang"), options=["zh", "en"], default="zh"),
        "formats": col.SelectboxColumn(
            f.t("delivery.col.formats"), options=["xlsx", "pdf", "pdf,xlsx"], default="xlsx"
        ),
        "email": col.TextColumn(f.t("delivery.col.email")),
        "wecom_webhook": col.TextColumn(f.t("delivery.col.wecom_webhook")),
        "dingtalk_webhook": col.TextColumn(f.t("delivery.col.dingtalk_webhook")),
        "dingtalk_secret": col.TextColumn(f.t("delivery.col.dingtalk_secret")),
        "active": col.CheckboxColumn(f.t("delivery.col.active"), default=True),
    },
)
if st.button(f.t("delivery.save"), key="delivery_save", icon=":material/save:"):
    try:
        saved = delivery.save_recipients(edited)
    except errors.RuleError as exc:
        st.error(str(exc))
    else:
        signin.audit("account_change", f"delivery recipients: {saved}")
        st.success(f.t("delivery.saved", n=saved))

st.subheader(f.t("delivery.log"))
log_columns = ("week", "name", "channel", "status", "attempts", "detail", "logged_at")
widgets.table(labelled(data.log, log_columns), f, "delivery_log", key="delivery_log")
