"""Sign-in before any page: the form, the session cookie, company sign-on, the user box.

`gate(lang)` runs at the top of every run (from `shell.start`): it returns the signed-in
`auth.User`, or draws the sign-in form and returns None (the shell then stops, keeping the
URL, so a shared link opens its view right after sign-in). The session lives in a signed,
expiring token (never the password): in the session state for this tab, and in the
`mp_session` cookie for reloads, new tabs and opened links. Streamlit reads cookies
(`st.context.cookies`) but cannot set one, so a tiny component (components v2, no iframe,
no package) writes it from the page. Company sign-on (`st.login`, OIDC) is used when
`.streamlit/secrets.toml` has an `[auth]` section; its e-mail picks the account.
"""

from __future__ import annotations

import time

import streamlit as st

from marketpulse import auth, i18n

COOKIE = "mp_session"
TOKEN = "mp_token"  # session state: this tab's token (tests sign in by putting one here)
_USER = "mp_user"  # session state: who this run belongs to
_OUT = "mp_signed_out"  # session state: signed out here, so the browser's old cookie is not taken back

# Writes (or, with no value, deletes) the session cookie in the app's own page.
_COOKIE_JS = """
export default function (component) {
  const d = component.data || {};
  if (!d.name) return;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  const value = d.value ? encodeURIComponent(d.value) : "";
  const age = d.value ? d.max_age : 0;
  document.cookie = `${d.name}=${value}; Path=/; Max-Age=${age}; SameSite=Strict${secure}`;
}
"""
_cookie = st.components.v2.component("mp_session_cookie", js=_COOKIE_JS)


def client() -> str:
    """Who is asking, for throttling and the audit log: the browser's address, or behind a
    reverse proxy on the same machine the address that proxy appended to X-Forwarded-For (else
    every user would share the proxy's address, and one guesser would slow everyone down)."""
    address = st.context.ip_address
    address = address if isinstance(address, str) and address else "local"
    forwarded = st.context.headers.get("X-Forwarded-For") if address in ("127.0.0.1", "::1") else None
    if isinstance(forwarded, str) and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return address


def current() -> auth.User | None:
    """The user this run belongs to (set by `gate`)."""
    return st.session_state.get(_USER)


def _write_cookie(token: str | None) -> None:
    idle = int(auth.limit("session_idle_minutes") * 60)
    with st.sidebar:
        _cookie(data={"name": COOKIE, "value": token or "", "max_age": idle}, key="mp_cookie")


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


def _oidc_user(lang: str) -> auth.User | None:
    """The account of a company sign-on identity; a notice when none has that e-mail."""
    if not (_oidc_configured() and st.user.get("is_logged_in")):
        return None
    email = str(st.user.get("email") or "")
    user = auth.user_by_email(email)
    if user is None:
        st.error(i18n.t("auth.no_account_for_email", lang, email=email or "?"))
        st.button(i18n.t("auth.sign_out", lang), on_click=st.logout, key="mp_oidc_out")
        return None
    # The provider's identity outlives our idle limit, so only a fresh sign-on (its ID token
    # issued within the idle window) opens a session; from then on our own token lapses
    # when idle, and an old identity must sign on again.
    issued = st.user.get("iat")
    if not isinstance(issued, int | float) or time.time() - issued > auth.limit("session_idle_minutes") * 60:
        st.info(i18n.t("auth.company_stale", lang))
        return None
    token = auth.open_session(user.name, f"company sign-on {email}", client())
    st.session_state[TOKEN] = token
    _write_cookie(token)
    return user


def _resume(lang: str) -> auth.User | None:
    token = st.session_state.get(TOKEN)
    from_cookie = token is None and not st.session_state.get(_OUT)
    if from_cookie:
        token = st.context.cookies.get(COOKIE)
    if token:
        user, kept = auth.resume(token)
        if user is not None:
            st.session_state[TOKEN] = kept
            _write_cookie(kept)
            return user
        st.session_state.pop(TOKEN, None)
    user = _oidc_user(lang)  # writes the cookie of the session it opens
    if user is None and (token or st.session_state.get(_OUT)):
        _write_cookie(None)  # a lapsed or signed-out cookie: delete it
    return user


def gate(lang: str) -> auth.User | None:
    """The signed-in user; None after drawing the sign-in form (the caller stops the run)."""
    user = _resume(lang)
    st.session_state[_USER] = user
    if user is not None:
        _user_box(user, lang)
        return user
    _form(lang)
    return None


def _sign_out() -> None:
    auth.sign_out(st.session_state.pop(TOKEN, None), client())
    st.session_state.pop(_USER, None)
    st.session_state[_OUT] = True
    if _oidc_configured() and st.user.get("is_logged_in"):
        st.logout()  # else the provider's identity would open a new session at once


def _user_box(user: auth.User, lang: str) -> None:
    with st.sidebar:
        role = i18n.t(f"role.{user.role}", lang)
        st.caption(i18n.t("auth.signed_in_as", lang, user=user.label, role=role))
        st.button(
            i18n.t("auth.sign_out", lang),
            on_click=_sign_out,
            key="mp_sign_out",
            icon=":material/logout:",
            type="tertiary",
        )
        if auth.is_demo():
            st.caption(i18n.t("auth.demo_banner", lang))


def _form(lang: str) -> None:
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    st.title(t("auth.title"))
    if auth.is_demo():
        auth.ensure_demo_accounts()  # a demo store built without `make run` gets them too
        st.warning(t("auth.demo_banner"), icon=":material/science:")
    elif auth.accounts().empty:
        st.info(t("auth.no_accounts"))
    with st.form("mp_signin", border=True):
        name = st.text_input(t("auth.name"), key="mp_signin_name", autocomplete="username")
        password = st.text_input(t("auth.password"), type="password", key="mp_signin_password")
        go = st.form_submit_button(t("auth.submit"), type="primary", icon=":material/login:")
    if _oidc_configured():
        st.button(t("auth.company"), on_click=st.login, key="mp_oidc_in", icon=":material/badge:")
    if go:
        out = auth.sign_in(name, password, client())
        if out.user is not None:
            st.session_state[TOKEN] = out.token
            st.session_state.pop(_OUT, None)
            st.rerun()  # the same URL again: the view the link asked for, now signed in
        if out.reason == "locked":
            st.error(t("auth.locked", seconds=f"{out.wait_seconds:.0f}"))
        else:
            st.error(t("auth.wrong"))
    if auth.is_demo():
        with st.expander(t("auth.demo_accounts"), expanded=True):
            st.table(demo_accounts_table(lang))


def demo_accounts_table(lang: str):
    """The demo accounts, their roles, scopes and passwords (they are public)."""
    codes = auth.demo.demo_codes()
    return {
        i18n.t("auth.name", lang): [a.name for a in auth.DEMO_ACCOUNTS],
        i18n.t("auth.password", lang): [a.password for a in auth.DEMO_ACCOUNTS],
        i18n.t("auth.role", lang): [i18n.t(f"role.{a.role}", lang) for a in auth.DEMO_ACCOUNTS],
        i18n.t("auth.scope", lang): [codes.get(a.level, i18n.t("filter.whole_city", lang)) for a in auth.DEMO_ACCOUNTS],
    }


HOME_PAGES = {  # auth.home's url path → the page file and its icon
    "weekly": ("app_pages/1_weekly_review.py", ":material/summarize:"),
    "route": ("app_pages/10_route.py", ":material/route:"),
}


def require(action: str, lang: str = "zh") -> auth.User:
    """Stop the page unless the signed-in user may do `action` (a page opened by URL)."""
    user = current()
    if not auth.allowed(user, action):
        st.title(i18n.t("auth.refused_title", lang))
        st.error(i18n.t("auth.refused", lang))
        if user is not None:  # a link to where this account's work starts
            path, icon = HOME_PAGES[auth.home(user)]
            st.page_link(path, label=i18n.t(f"auth.refused_home.{auth.home(user)}", lang), icon=icon)
        st.stop()
    return user


def audit(event: str, detail: str = "") -> None:
    """Log `event` for the signed-in user (an import, a rule edit, a 周报 export …)."""
    user = current()
    auth.record(event, user.name if user else None, detail, client())


def fixed_levels(user: auth.User | None, ref) -> dict[str, str]:
    """The sidebar's hierarchy keys (dep/ter/cm) the account fixes, with the levels above
    them filled in from the reference lists (a 片区 account's 市场部, a manager's 片区)."""
    if user is None:
        return {}
    scope, out = user.scope, {}
    if scope.cm_code:
        out["cm"] = scope.cm_code
        ter = ref.cms.loc[ref.cms["cm_code"] == scope.cm_code, "territory_code"]
        if len(ter):
            out["ter"] = ter.iloc[0]
    if scope.territory_code:
        out["ter"] = scope.territory_code
    if "ter" in out:
        dep = ref.territories.loc[ref.territories["territory_code"] == out["ter"], "department_code"]
        if len(dep):
            out["dep"] = dep.iloc[0]
    if scope.department_code:
        out["dep"] = scope.department_code
    return out
