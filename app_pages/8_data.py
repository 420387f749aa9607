"""数据 Data: import files with progress, the quarantine, freshness per territory, the
business rules, the glossary and the import contract."""

import streamlit as st

from marketpulse import errors, ingest, rules, views
from marketpulse.ui import shell, widgets


def import_file(upload, kind: str | None, f: shell.Filters) -> None:
    """Import one uploaded file under a progress bar, then say what was stored and quarantined."""
    bar = st.progress(0.0, text=f.t("data.progress", file=upload.name, msg=""))
    try:
        summary = views.import_upload(
            upload.getvalue(),
            upload.name,
            kind,
            lambda x, msg: bar.progress(min(x, 1.0), f.t("data.progress", file=upload.name, msg=msg)),
        )
        (st.warning if summary.rows_quarantined else st.success)(summary.text(f.lang))
    except errors.ImportRefused as exc:
        st.error(f.t("data.refused", msg=str(exc)))


f = shell.filters()
widgets.header(f, "data.title", "data.lead")

st.subheader(f.t("data.import"))
with st.form("import", clear_on_submit=True, border=True):
    files = st.file_uploader(f.t("data.upload"), type=["csv", "xlsx", "xls"], accept_multiple_files=True, key="upload")
    kind = st.selectbox(
        f.t("data.kind"),
        [None, *ingest.KIND_NAMES],
        key="import_kind",
        format_func=lambda k: f.t("data.kind_auto") if k is None else ingest.KINDS[k].label(f.lang),
    )
    go = st.form_submit_button(f.t("data.start"), type="primary", icon=":material/upload:")
for upload in (files or []) if go else []:
    import_file(upload, kind, f)

page = shell.load(views.data_page, f.lang)
st.subheader(f.t("data.quarantine"))
if page.quarantine.empty:
    st.success(f.t("data.quarantine_empty"))
else:
    widgets.table(page.quarantine, f, "quarantine", key="quarantine", height=260)
st.subheader(f.t("data.history"))
widgets.table(page.imports, f, "import_log", key="imports", height=220)

left, right = st.columns(2)
with left:
    st.subheader(f.t("data.freshness"))
    widgets.table(shell.load(views.freshness_table, f.lang), f, "freshness", key="freshness")
with right:
    st.subheader(f.t("data.contents"))
    widgets.table(page.counts, f, "store_contents", key="contents")

st.subheader(f.t("data.rules"))
with st.expander(f.t("data.rules_lead")):
    table = st.selectbox(
        f.t("data.rule_table"),
        list(rules.RULE_TABLES),
        key="rule_table",
        format_func=lambda k: rules.rule_label(k, f.lang),
    )
    edited = st.data_editor(views.rules(table), num_rows="dynamic", hide_index=True, key=f"rules_{table}")
    if st.button(f.t("data.rules_save"), key="rules_save", icon=":material/save:"):
        try:
            st.success(f.t("data.rules_saved", n=views.save_rules(table, edited)))
        except errors.RuleError as exc:
            st.error(str(exc))

st.subheader(f.t("data.glossary"))
widgets.table(shell.load(views.glossary, f.lang), f, "glossary", key="glossary", static=True)
with st.expander(f.t("data.contract")):
    widgets.table(shell.load(views.contract, f.lang), f, "import_columns", key="contract")
