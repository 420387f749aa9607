"""审计 Audit log (admins only): sign-ins, failures, sign-outs, imports, rule edits, account
changes and 周报 exports, newest first, downloadable as CSV and Excel."""

import streamlit as st

from marketpulse import auth, views
from marketpulse.ui import shell, widgets

shell.require("audit")
f = shell.filters()
st.title(f.t("audit.title"))
st.caption(f.t("audit.lead"))
left, right = st.columns([1, 3])
days = left.selectbox(f.t("audit.days"), [1, 7, 30, 90, 365], index=2, key="audit_days")
kinds = right.multiselect(
    f.t("audit.event"),
    list(auth.EVENTS),
    key="audit_kinds",
    format_func=lambda e: f.t(f"audit.event.{e}"),
    placeholder=f.t("audit.all_events"),
)
widgets.table(views.audit_table(f.lang, days, kinds), f, "audit", key="audit", height=520)
