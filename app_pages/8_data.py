"""数据 Data: import files with progress, the quarantine, freshness per territory, the
business rules, the glossary and the import contract."""

import streamlit as st

from marketpulse import errors, ingest, numbers, rules, views
from marketpulse.ui import language, shell, signin, widgets

COUNTS = (
    "data.rows",
    "col.rows_read",
    "col.rows_stored",
    "col.rows_replaced",
    "col.rows_quarantined",
    "data.retailers",
)


def counts(f: shell.Filters) -> dict:
    """Row and retailer counts with thousands separators (32,404,767); the values stay numbers for export."""
    whole = st.column_config.NumberColumn(format=numbers.column_format("count"))
    return {f.t(key): whole for key in COUNTS}


def import_file(upload, kind: str | None, f: shell.Filters) -> None:
    """Import one uploaded file under a progress bar, then say what was stored and quarantined.

    While another import holds the store the page says so, counting the seconds, with a
    button to cancel: its click reruns the page, which ends the wait and leaves the store as it was.
    """
    bar = st.progress(0.0, text=f.t("data.progress", file=upload.name, msg=""))
    note = st.empty()
    holder = {"name": ""}

    def on_wait(name: str) -> None:
        holder["name"] = name
        st.session_state["import_waiting"] = upload.name
        st.button(f.t("data.cancel"), key=f"cancel_{upload.file_id}", icon=":material/cancel:")

    def waiting(seconds: float) -> None:
        note.info(f.t("data.waiting", holder=holder["name"], file=upload.name, seconds=int(seconds)))

    try:
        summary = views.import_upload(
            upload.getvalue(),
            upload.name,
            kind,
            lambda x, msg: bar.progress(
                min(x, 1.0), f.t("data.progress", file=upload.name, msg=views.words_in(msg, f.lang))
            ),
            on_wait=on_wait,
            waiting=waiting,
        )
        (st.warning if summary.any_quarantined else st.success)(views.summary_markdown(summary.text(f.lang)))
        signin.audit(
            "import",
            f"{upload.name}: {sum(p.rows_stored for p in summary.all_parts)} stored, "
            f"{sum(p.rows_quarantined for p in summary.all_parts)} quarantined",
        )
    except errors.ImportRefused as exc:
        st.error(f.t("data.refused", msg=str(exc)))
    except errors.StoreError as exc:
        st.error(f.t("data.store_fault", msg=str(exc)))
    st.session_state.pop("import_waiting", None)


def quarantine(f: shell.Filters) -> None:
    """Rows held back: a summary per reason, a paged view, downloads in the original columns."""
    page = shell.load(views.data_page, f.lang)
    st.subheader(f.t("data.quarantine"))
    if page.quarantine.empty:
        st.success(f.t("data.quarantine_empty"))
        return
    st.caption(f.t("data.quarantine_reasons"))
    widgets.table(page.quarantine, f, "quarantine", key="quarantine", height=200, column_config=counts(f))
    size = 200
    total = int(page.quarantine[f.t("data.rows")].sum())
    pages = max(1, -(-total // size))
    number = st.number_input(f.t("data.quarantine_page"), 1, pages, 1, key="quarantine_page") - 1
    rows, total = shell.load(views.quarantine_page, number, size, f.lang)
    st.caption(f.t("data.quarantine_rows", first=number * size + 1, last=number * size + len(rows), total=total))
    st.dataframe(rows, hide_index=True, width="stretch", height=260, key="quarantine_rows")
    kinds = shell.load(views.quarantine_kinds)
    kind = st.selectbox(
        f.t("data.quarantine_kind"), kinds, key="quarantine_kind", format_func=lambda k: ingest.KINDS[k].label(f.lang)
    )
    row = st.container(horizontal=True)
    for fmt, mime in (("xlsx", widgets.XLSX), ("csv", "text/csv")):
        row.download_button(
            f"{f.t('data.quarantine_download')} ({fmt.upper()})",
            lambda fmt=fmt: views.quarantine_download(kind, fmt, f.lang),
            f"quarantine-{kind}.{fmt}",
            mime,
            key=f"quarantine_original_{fmt}",
            icon=":material/download:",
            on_click="ignore",
        )


shell.require("import")  # imports and rules: center and admin only
f = shell.filters()
fresh = widgets.header(f, "data.title", "data.lead")

st.subheader(f.t("data.import"))
st.markdown(language.uploader_words(f.lang, views.upload_limit_mb()), unsafe_allow_html=True)  # the rule's limit
with st.form("import", clear_on_submit=True, border=True):
    files = st.file_uploader(f.t("data.upload"), type=["csv", "xlsx", "xls"], accept_multiple_files=True, key="upload")
    kind = st.selectbox(
        f.t("data.kind"),
        [None, *ingest.KIND_NAMES],
        key="import_kind",
        format_func=lambda k: f.t("data.kind_auto") if k is None else ingest.KINDS[k].label(f.lang),
    )
    go = st.form_submit_button(f.t("data.start"), type="primary", icon=":material/upload:")
cancelled = st.session_state.pop("import_waiting", None)
if cancelled and not go:  # the page reran while an upload waited for the store: it gave up
    st.info(f.t("data.cancelled", file=cancelled))
for upload in (files or []) if go else []:
    import_file(upload, kind, f)
if go and files:  # the header was drawn before the import: say how fresh the data is now
    widgets.freshness(f, fresh)

quarantine(f)
page = shell.load(views.data_page, f.lang)
st.subheader(f.t("data.history"))
widgets.table(page.imports, f, "import_log", key="imports", height=220, column_config=counts(f))

left, right = st.columns(2)
with left:
    st.subheader(f.t("data.freshness"))
    widgets.table(shell.load(views.freshness_table, f.lang), f, "freshness", key="freshness", column_config=counts(f))
with right:
    st.subheader(f.t("data.contents"))
    widgets.table(page.counts, f, "store_contents", key="contents", column_config=counts(f))

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
            saved = views.save_rules(table, edited)
            signin.audit("rule_edit", f"{table}: {saved} rows")
            st.success(f.t("data.rules_saved", n=saved))
        except (errors.RuleError, errors.StoreError) as exc:  # a lake of another schema, a full disk
            st.error(str(exc))

st.subheader(f.t("data.glossary"))
widgets.table(shell.load(views.glossary, f.lang), f, "glossary", key="glossary", static=True)
with st.expander(f.t("data.contract")):
    widgets.table(shell.load(views.contract, f.lang), f, "import_columns", key="contract")
