"""账号 Accounts (admins only): who may sign in, their role and the scope their account fixes."""

import streamlit as st

from marketpulse import auth, views
from marketpulse.ui import shell, widgets

shell.require("accounts")
f = shell.filters()
me = shell.user()
st.title(f.t("accounts.title"))
st.caption(f.t("accounts.lead"))
widgets.table(views.accounts_table(f.lang), f, "accounts", key="accounts")

st.subheader(f.t("accounts.add"))
role = st.selectbox(f.t("auth.role"), auth.ROLES, key="acc_role", format_func=lambda r: f.t(f"role.{r}"))
options = views.scope_options(role)
with st.form("acc_add", clear_on_submit=True, border=True):
    left, right = st.columns(2)
    name = left.text_input(f.t("auth.name"), key="acc_name")
    shown = right.text_input(f.t("accounts.display_name"), key="acc_display")
    scope = st.selectbox(
        f.t("auth.scope"),
        list(options),
        index=None,
        key="acc_scope",
        format_func=lambda k: options[k],
        placeholder=f.t("filter.whole_city"),
        disabled=not options,
    )
    email = left.text_input(f.t("accounts.email"), key="acc_email", help=f.t("accounts.email_help"))
    password = right.text_input(f.t("auth.password"), type="password", key="acc_password")
    add = st.form_submit_button(f.t("accounts.add"), type="primary", icon=":material/person_add:")
if add:
    try:
        views.add_account(name, role, scope, shown, email, password, me.name)
        st.success(f.t("accounts.added", name=name))
    except (auth.AccountError, auth.WeakPassword) as exc:
        st.error(str(exc))

st.subheader(f.t("accounts.change"))
names = views.account_names()
with st.form("acc_change", clear_on_submit=True, border=True):
    who = st.selectbox(f.t("auth.name"), names, key="acc_who")
    action = st.radio(
        f.t("accounts.action"),
        ["disable", "enable", "password"],
        key="acc_action",
        horizontal=True,
        format_func=lambda a: f.t(f"accounts.{a}"),
    )
    new = st.text_input(f.t("accounts.new_password"), type="password", key="acc_new")
    apply = st.form_submit_button(f.t("accounts.apply"), icon=":material/manage_accounts:")
if apply and who:
    if who == me.name and action == "disable":
        st.error(f.t("accounts.not_yourself"))
    else:
        try:
            views.change_account(who, action, new, me.name)
            st.success(f.t("accounts.changed", name=who))
        except (auth.AccountError, auth.WeakPassword) as exc:
            st.error(str(exc))
