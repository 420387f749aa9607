"""Sign-in before any page, by AppTest: nothing shows before it; roles see only their pages;
the account's scope holds whatever the URL or the session state says; lockout; sign-out;
company sign-on (OIDC) through `at.user`; the admin pages."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from marketpulse import auth, i18n, store
from marketpulse.auth import sessions
from marketpulse.ui import signin

ROOT = Path(__file__).resolve().parent.parent
DATA_PAGE = "app_pages/8_data.py"


@pytest.fixture(scope="module")
def city(demo_store, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("signin") / "store.duckdb"
    shutil.copyfile(demo_store, path)
    return path


@pytest.fixture
def app(city, monkeypatch, signed_in):
    """`app(name=None, page=None, **state)`: the app, signed in as `name` (None: signed out)."""
    monkeypatch.setenv("MARKETPULSE_DB", str(city))

    def open_as(name: str | None = None, page: str | None = None, query: dict | None = None, **state) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        if name:
            signed_in(at, name)
        at.query_params.update(query or {})
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_as


def shows_data(at: AppTest) -> bool:
    return bool(at.dataframe or at.metric or at.get("plotly_chart") or at.selectbox)


def sign_in_with_form(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="mp_signin_name").input(name)
    at.text_input(key="mp_signin_password").input(password)
    return at.button[0].click().run()


def test_nothing_shows_before_sign_in(app):
    at = app()
    assert [t.value for t in at.title] == [i18n.t("auth.title", "zh")]
    assert not shows_data(at)
    assert signin.TOKEN not in at.session_state
    assert any(i18n.t("auth.demo_banner", "zh") in w.value for w in at.warning)  # the demo says so


def test_the_form_signs_in_and_the_page_appears(app, city):
    at = sign_in_with_form(app(), "center", "mp-demo-center")
    assert not at.exception and at.session_state[signin.TOKEN]
    assert shows_data(at) and at.title[0].value == i18n.t("weekly.title", "zh")
    assert at.session_state["mp_user"].role == "center"
    log = auth.events(path=city)
    assert log.iloc[0]["event"] == "sign_in" and log.iloc[0]["user_name"] == "center"


def test_a_wrong_password_says_so_and_repeated_failures_lock_the_account(app, city):
    at = app()
    free = int(sessions.limit("signin_free_attempts", city))
    for _ in range(free):
        at = sign_in_with_form(at, "leader", "not-the-password")
    assert i18n.t("auth.wrong", "zh") in [e.value for e in at.error]
    at = sign_in_with_form(at, "leader", "mp-demo-leader")  # right password, but locked
    assert not shows_data(at)
    assert any("秒后再试" in e.value for e in at.error)
    assert "locked" in auth.events(path=city).iloc[0]["detail"]


def test_signing_out_ends_the_session(app, city):
    at = app("admin")
    token = at.session_state[signin.TOKEN]
    at.button(key="mp_sign_out").click().run()
    assert not shows_data(at) and at.title[0].value == i18n.t("auth.title", "zh")
    assert sessions.resume(token, city) == (None, None)


def test_a_forged_or_lapsed_token_is_no_sign_in(app, city):
    assert not shows_data(app(**{signin.TOKEN: "v1.e30.forged"}))
    user = auth.get_user("admin", city)
    lapsed = auth.tokens.issue(auth.tokens.new_claims(user.name, -1), city)
    assert not shows_data(app(**{signin.TOKEN: lapsed}))


MENU = {
    "admin": {"weekly", "supply", "data", "route", "accounts", "audit", "delivery"},
    "center": {"weekly", "supply", "data", "route"},
    "leader": {"weekly", "supply", "route"},
    "territory": {"weekly", "supply", "route"},
    "cm": {"weekly", "supply", "route"},
}
CHECKED = {"weekly", "supply", "data", "route", "accounts", "audit", "delivery"}


@pytest.mark.parametrize("name, expected", MENU.items())
def test_each_role_is_offered_only_its_pages(city, name, expected):
    from marketpulse.ui import shell

    me = auth.get_user(name, city)
    assert {url for url in CHECKED if shell.offers(me, url)} == expected


@pytest.mark.parametrize("name, page", [("cm", "8_data"), ("territory", "11_accounts"), ("center", "12_audit")])
def test_a_page_not_offered_refuses_at_its_address_in_the_users_language(app, name, page):
    for lang, query in (("zh", {}), ("en", {"lang": "English"})):
        at = app(name, query=query)
        at.switch_page(f"app_pages/{page}.py").run()
        assert [e.value for e in at.error] == [i18n.t("auth.refused", lang)]
        assert not at.get("file_uploader") and not at.dataframe and not at.exception
        # the way back is to where the account's work starts: a customer manager's route
        home = "route" if name == "cm" else "weekly"
        assert [link.proto.label for link in at.get("page_link")] == [i18n.t(f"auth.refused_home.{home}", lang)]


def test_a_cm_cannot_reach_the_data_page(app, monkeypatch, city):
    at = app("cm")
    at.switch_page(DATA_PAGE).run()
    assert i18n.t("auth.refused", "zh") in [e.value for e in at.error]
    assert not at.get("file_uploader") and not at.dataframe
    # the page itself refuses when run without a signed-in admin or center (opened directly)
    page = AppTest.from_file(str(ROOT / DATA_PAGE), default_timeout=60).run()
    assert i18n.t("auth.refused", "zh") in [e.value for e in page.error]
    assert not page.get("file_uploader") and not page.dataframe


def test_a_leader_cannot_edit_the_rules(app):
    at = app("leader")
    at.switch_page(DATA_PAGE).run()
    assert [e.value for e in at.error] == [i18n.t("auth.refused", "zh")] and not at.data_editor
    for page in ("1_weekly_review", "2_inventory", "6_customer_managers", "7_supply"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception and not at.data_editor and not at.get("file_uploader")


def own_retailers(city, cm: str) -> set[str]:
    return set(store.reader(city).sql("select license_no from retailer where cm_code = $c", {"c": cm}).license_no)


def test_a_cm_cannot_open_another_managers_retailers_by_url_or_state(app, city):
    user = auth.get_user("cm", city)
    cms = store.reader(city).sql("select cm_code, cm_name, territory_code from customer_manager order by 1")
    other = cms[cms.cm_code != user.scope.cm_code].iloc[0]
    label = f"{other.cm_name} ({other.cm_code})"
    query = {"cm": label, "ter": other.territory_code}  # a link to the other manager
    at = app("cm", "app_pages/6_customer_managers.py", query, cm=other.cm_code, ter=other.territory_code)
    f = at.session_state["mp_filters"]
    assert f.cm == user.scope.cm_code and f.scope().cm_code == user.scope.cm_code
    mine = own_retailers(city, user.scope.cm_code)
    license = i18n.t("col.license", "zh")
    for frame in (d.value for d in at.dataframe):
        if license in frame:
            assert set(frame[license]) <= mine


def frames_inside(at: AppTest, names: set[str], codes: set[str]) -> int:
    checked = 0
    for frame in (d.value for d in at.dataframe):
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            continue
        for column, allowed in ((i18n.t("col.territory", "zh"), names), (i18n.t("col.cm_code", "zh"), codes)):
            if column in frame:
                assert set(frame[column].dropna()) <= allowed, column
                checked += 1
    return checked


def test_every_table_and_its_download_stays_in_a_territory_accounts_scope(app, city):
    user = auth.get_user("territory", city)
    reader = store.reader(city)
    ters = reader.sql("select territory_code, territory_name from territory")
    names = set(ters[ters.territory_code == user.scope.territory_code].territory_name)
    cms = reader.sql("select cm_code from customer_manager where territory_code = $t", {"t": user.scope.territory_code})
    other = ters[ters.territory_code != user.scope.territory_code].iloc[0]
    at = app("territory", ter=other.territory_code, dep=None)  # the session asks for another 片区
    assert at.session_state["mp_filters"].scope().territory_code == user.scope.territory_code
    checked = 0
    for page in ("1_weekly_review", "2_inventory", "3_prices", "5_territory", "6_customer_managers"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        checked += frames_inside(at, names | {i18n.t("filter.whole_city", "zh")}, set(cms.cm_code))
    assert checked >= 3


def test_the_sidebar_offers_only_what_lies_inside_the_scope(app, city):
    user = auth.get_user("territory", city)
    at = app("territory")
    assert at.selectbox(key="ter").options and len(at.selectbox(key="ter").options) == 1
    assert at.selectbox(key="ter").value == user.scope.territory_code
    assert len(at.selectbox(key="dep").options) == 1
    dep_user = app("department")
    deps = dep_user.selectbox(key="dep")
    assert deps.value == auth.get_user("department", city).scope.department_code and len(deps.options) == 1


def test_company_sign_on_finds_the_account_by_email(app, city):
    if auth.user_by_email("leader@example.com", city) is None:
        auth.add_user("oidc-leader", "leader", None, email="leader@example.com", path=city)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}
    at.user = {"is_logged_in": True, "email": "Leader@Example.com", "name": "Li", "iat": int(time.time()) - 60}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["mp_user"].name == "oidc-leader" and shows_data(at)
    assert "company sign-on" in auth.events(path=city).iloc[0]["detail"]
    stranger = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    stranger.secrets["auth"] = at.secrets["auth"]
    stranger.user = {"is_logged_in": True, "email": "who@example.com", "iat": int(time.time())}
    stranger.run()
    assert not shows_data(stranger)
    assert any("who@example.com" in e.value for e in stranger.error)


def test_the_admin_adds_an_account_and_sees_it_in_the_audit_log(app, city):
    at = app("admin", "app_pages/11_accounts.py")
    at.selectbox(key="acc_role").set_value("leader").run()
    at.text_input(key="acc_name").input("newleader")
    at.text_input(key="acc_password").input("a-long-password")
    at.button(key="FormSubmitter:acc_add-" + i18n.t("accounts.add", "zh")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert auth.get_user("newleader", city).role == "leader"
    at.switch_page("app_pages/12_audit.py").run()
    log = at.dataframe[0].value
    assert "add newleader role=leader scope=city" in set(log[i18n.t("audit.detail", "zh")])


def test_a_company_sign_on_older_than_the_idle_limit_must_sign_on_again(app, city):
    """The session idle limit (480 min by default) holds for company sign-on too: an identity
    issued 9 hours ago opens no session, one issued a minute ago does, and the session it opens
    is our own lapsing token."""
    if auth.user_by_email("leader@example.com", city) is None:
        auth.add_user("oidc-leader", "leader", None, email="leader@example.com", path=city)
    secrets = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}
    stale = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    stale.secrets["auth"] = secrets
    stale.user = {"is_logged_in": True, "email": "leader@example.com", "iat": int(time.time()) - 9 * 3600}
    stale.run()
    assert not stale.exception, [e.value for e in stale.exception]
    assert not shows_data(stale)
    assert any(i18n.t("auth.company_stale", "zh") in e.value for e in stale.info)
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    fresh.secrets["auth"] = secrets
    fresh.user = {"is_logged_in": True, "email": "leader@example.com", "iat": int(time.time()) - 60}
    fresh.run()
    assert shows_data(fresh)
    user, _ = auth.resume(fresh.session_state["mp_token"], city)
    assert user is not None and user.name == "oidc-leader"
    assert auth.resume(fresh.session_state["mp_token"], city, now=time.time() + 481 * 60) == (None, None)


@pytest.mark.parametrize(("name", "told"), [("center", True), ("leader", False), ("territory", False)])
def test_where_a_rule_is_edited_is_said_to_those_who_may_edit_it(app, name, told):
    """A caption naming a rule (the visit rules, the new-brand target curve) says it is edited on
    the Data page only to whom the Data page's rules are open."""
    hint = i18n.t("rules.editable", "zh")
    for page in ("app_pages/6_customer_managers.py", "app_pages/4_brands.py"):
        captions = " ".join(c.value for c in app(name, page).caption)
        assert (hint in captions) == told, page


def test_a_link_to_another_territory_says_the_own_scope_is_shown(app, city):
    """The demo's 片区 manager (T0101) opens a link naming another 片区: the page shows their own,
    and says so; a link naming their own says nothing."""
    names = dict(store.reader(city).sql("select territory_code, territory_name from territory").values)
    other = next(code for code in sorted(names) if code != "T0101")
    told = i18n.t("scope.clamped", "zh")
    at = app("territory", query={"ter": names[other]})
    assert told in [t.value for t in at.toast]
    assert told not in [t.value for t in app("territory", query={"ter": names["T0101"]}).toast]
