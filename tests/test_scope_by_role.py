"""Every named query, for every role, returns only rows inside the signed-in account's scope,
whatever filters, URL codes or narrower scopes are asked for; and a territory account's 周报
(page and `report --as-user`) stays inside its territory.

The accounts are the demo city's (one per role). The wanted scope plays the part of the
sidebar (a code from the URL or the session state, inside the account's scope or not) and is
narrowed with `auth.narrow`, as the shell and the CLI's `--as-user` do.
"""

from __future__ import annotations

import datetime as dt
import functools
import json

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketpulse import auth, cli, i18n, metrics, report, store, views

LAST_WEEK = dt.date(2026, 11, 16)  # the demo_store fixture's last simulated week
WEEKS = [LAST_WEEK - dt.timedelta(weeks=k) for k in range(13)]
ROLES = [a.name for a in auth.DEMO_ACCOUNTS]  # admin center leader department territory cm
QUERIES = store.query_names() + sorted(f"lookup/{p.stem}" for p in (store.QUERY_DIR / "lookup").glob("*.sql"))
LEVEL_COLUMN = {"department": "departments", "territory": "territories", "cm": "cms", "retailer": "retailers"}


@functools.cache
def city(path: str) -> dict[str, object]:
    reader = store.reader(path)
    return {
        "territories": reader.sql("select territory_code, department_code from territory"),
        "cms": reader.sql("select cm_code, territory_code from customer_manager"),
        "assignments": reader.sql("select license_no, territory_code, cm_code from retailer_assignment"),
        "formats": sorted(reader.sql("select distinct format from retailer")["format"]),
    }


@functools.cache
def inside(path: str, name: str) -> dict[str, set]:
    """The codes account `name` may see: 市场部, 片区, managers, retailers (ever assigned within)."""
    scope = auth.get_user(name, path).scope
    c = city(path)
    ter = c["territories"]
    if scope.department_code:
        ter = ter[ter.department_code == scope.department_code]
    if scope.territory_code:
        ter = ter[ter.territory_code == scope.territory_code]
    cms = c["cms"][c["cms"].territory_code.isin(ter.territory_code)]
    shops = c["assignments"][c["assignments"].territory_code.isin(ter.territory_code)]
    if scope.cm_code:
        cms = cms[cms.cm_code == scope.cm_code]
        shops = shops[shops.cm_code == scope.cm_code]
        ter = ter[ter.territory_code.isin(cms.territory_code)]
    return {
        "departments": set(ter.department_code),
        "territories": set(ter.territory_code),
        "cms": set(cms.cm_code),
        "retailers": set(shops.license_no),
    }


def params_for(name: str, level: str, weeks: tuple[dt.date, dt.date], extra: dict, cm: str | None) -> dict:
    wanted = store.query_params(name) - set(store.FILTER_DEFAULTS)
    given_ = {
        "level": level,
        "product_level": "all",
        "week_from": weeks[0],
        "week_to": weeks[1],
        "formula": "fisher",
        "tolerance": 0.02,
        "as_of": weeks[1],
        "week": weeks[1],
        "cm_code": cm,
        "department_code": None,
    }
    params = {k: v for k, v in given_.items() if k in wanted}
    return {**params, **{k: v for k, v in extra.items() if k in store.query_params(name)}}


def assert_inside(frame, allowed: dict[str, set], level: str | None) -> None:
    for column, key in (
        ("department_code", "departments"),
        ("territory_code", "territories"),
        ("cm_code", "cms"),
        ("license_no", "retailers"),
    ):
        if column in frame:
            assert set(frame[column].dropna()) <= allowed[key], column
    if level in LEVEL_COLUMN and "level_key" in frame and not frame.empty:
        assert set(frame["level_key"].dropna()) <= allowed[LEVEL_COLUMN[level]], "level_key"


def run_as(path, user_name: str, name: str, params: dict, wanted: store.Scope):
    user = auth.get_user(user_name, path)
    scope = auth.narrow(user.scope, wanted, strict=False)  # what the sidebar and Filters.scope() do
    return (
        metrics.query(name, params, scope, path)
        if not name.startswith("lookup/")
        else store.run(name, params, scope, path)
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", QUERIES)
def test_every_query_stays_inside_every_accounts_scope(demo_store, name, role):
    path = str(demo_store)
    allowed = inside(path, role)
    levels = ["territory", "cm", "retailer"] if "level" in store.query_params(name) else [None]
    for level in levels:
        cm = min(allowed["cms"])
        frame = run_as(path, role, name, params_for(name, level, (WEEKS[-1], WEEKS[0]), {}, cm), store.CITY)
        assert_inside(frame, allowed, level)


codes = st.sampled_from


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
@pytest.mark.parametrize("name", QUERIES)
def test_random_filters_url_codes_and_scopes_never_leave_the_account(demo_store, name, data):
    """Hypothesis draws the account, the level, the weeks, the customer-group filters and the
    codes a URL or the session state might carry (any in the city, or none)."""
    path = str(demo_store)
    c = city(path)
    role = data.draw(st.sampled_from(ROLES), label="account")
    allowed = inside(path, role)
    level = data.draw(st.sampled_from(["city", "department", "territory", "cm", "retailer"]), label="level")
    start, end = sorted(data.draw(st.lists(st.sampled_from(WEEKS), min_size=2, max_size=2), label="weeks"))
    extra = {
        "format": data.draw(st.none() | st.sampled_from(c["formats"]), label="format"),
        "area_type": data.draw(st.none() | st.sampled_from(["城网", "农网"]), label="area"),
    }
    wanted = store.Scope(
        department_code=data.draw(st.none() | codes(sorted(c["territories"].department_code)), label="dep"),
        territory_code=data.draw(st.none() | codes(sorted(c["territories"].territory_code)), label="ter"),
        cm_code=data.draw(st.none() | codes(sorted(c["cms"].cm_code)), label="cm"),
    )
    cm = data.draw(codes(sorted(c["cms"].cm_code)), label="cm_code param")
    params = params_for(name, level if "level" in store.query_params(name) else None, (start, end), extra, cm)
    frame = run_as(path, role, name, params, wanted)
    assert_inside(frame, allowed, params.get("level"))


def test_the_cli_as_user_narrows_and_refuses_to_widen(demo_store, monkeypatch, capsys):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    path = str(demo_store)
    own = inside(path, "territory")["territories"]
    other = sorted(set(city(path)["territories"].territory_code) - own)[0]
    argv = ["query", "inventory_ratio", "--param", "level=territory", "--format", "json"]
    argv += ["--param", f"week_from={WEEKS[3]}", "--param", f"week_to={WEEKS[0]}"]
    assert cli.main([*argv, "--as-user", "territory"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["level_key"] for r in rows} == own
    assert cli.main([*argv, "--as-user", "territory", "--territory", other]) == 2  # widening: refused
    assert "Outside the scope" in capsys.readouterr().err
    assert cli.main([*argv, "--as-user", "nobody"]) == 2
    assert cli.main([*argv, "--as-user", "leader"]) == 0  # a city account: the whole city
    assert {r["level_key"] for r in json.loads(capsys.readouterr().out)} > own


def _names(path: str, allowed: dict[str, set]) -> tuple[set, set]:
    reader = store.reader(path)
    ters = reader.sql("select territory_code, territory_name from territory")
    cms = reader.sql("select cm_code, cm_name from customer_manager")
    inside_t = set(ters[ters.territory_code.isin(allowed["territories"])].territory_name)
    inside_c = set(cms[cms.cm_code.isin(allowed["cms"])].cm_code)
    return inside_t, inside_c


def test_a_territory_accounts_weekly_report_stays_in_its_territory(demo_store, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    path = str(demo_store)
    allowed = inside(path, "territory")
    territory_names, cm_codes = _names(path, allowed)
    scope = auth.narrow(auth.get_user("territory", path).scope, store.CITY)
    sheets = report.sections(LAST_WEEK, {}, scope, "zh")
    checked = 0
    for frame in sheets.values():
        if i18n.t("col.territory", "zh") in frame and not frame.empty:
            assert set(frame[i18n.t("col.territory", "zh")].dropna()) <= territory_names
            checked += 1
        if i18n.t("col.cm_code", "zh") in frame and not frame.empty:
            assert set(frame[i18n.t("col.cm_code", "zh")].dropna()) <= cm_codes
            checked += 1
    assert checked >= 2


def test_report_as_user_writes_only_the_accounts_territory(demo_store, tmp_path, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    path = str(demo_store)
    territory_names, cm_codes = _names(path, inside(path, "territory"))
    all_names, _ = _names(path, inside(path, "admin"))
    out = tmp_path / "周报.xlsx"
    assert cli.main(["report", "--week", str(LAST_WEEK), "--out", str(out), "--as-user", "territory"]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    text = {str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v}
    assert text & territory_names
    assert not text & (all_names - territory_names)
    assert auth.events(path=demo_store)["event"].iloc[0] == "report_export"


def test_a_customer_managers_scorecard_shows_only_their_own_row(demo_store, monkeypatch):
    # Among peers a manager is ranked with the 片区's other managers; a cm account must not see
    # those fellow managers' scorecards, so its table holds its own row alone.
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    me = auth.get_user("cm", demo_store)
    params = {"week_from": WEEKS[3], "week_to": LAST_WEEK}
    own = views.managers(params, me.scope, me.scope.cm_code, "en", me.scope)
    codes = set(own.scorecard[i18n.t("col.cm_code", "en")])
    assert codes == {me.scope.cm_code}
    # the same manager seen by the 片区's territory account is among their peers
    boss = auth.narrow(auth.get_user("territory", demo_store).scope, me.scope, strict=False)
    among = views.managers(params, boss, me.scope.cm_code, "en")
    peers = set(among.scorecard[i18n.t("col.cm_code", "en")])
    assert me.scope.cm_code in peers and len(peers) > 1
