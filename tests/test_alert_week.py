"""The alerts the lake keeps (alert_week): the alert list read from them equals the list
evaluated from the facts, under the city, a 市场部 and a 片区 and in weeks across the history;
a write evaluates again only the weeks from the first one it changed; a filter or a customer
manager's scope is evaluated; a lake without them is evaluated as before.
(That an import kept incrementally equals a lake exported afresh is in test_lake_import.py,
which compares every table of the two lakes, alert_week among them.)
"""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
import sqlglot
from sqlglot import exp

from marketpulse import lake, metrics, store
from marketpulse.lake import alert_week
from marketpulse.lake import manifest as mf
from marketpulse.lake.kept_basis import ALERTS, WHOLE
from marketpulse.metrics import market
from marketpulse.store.queries import query_text

LAST_WEEK = dt.date(2026, 11, 16)
KEY = ["week", "kind", "signal", "spec_code", "territory_code", "cm_code", "license_no"]


@pytest.fixture(scope="module")
def kept_lake(demo_store, tmp_path_factory):
    path = tmp_path_factory.mktemp("kept") / "lake"
    lake.export_lake(path, demo_store)
    return path


@pytest.fixture
def served(kept_lake, demo_store, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_LAKE", str(kept_lake))
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    return kept_lake


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in one order, a missing text as None whatever pandas made of it."""
    out = frame.sort_values(KEY, na_position="first", kind="stable").reset_index(drop=True)
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def _both(monkeypatch, week_from, week_to, scope, **filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    kept = market.alerts(week_from, week_to, scope, **filters)
    with monkeypatch.context() as m:
        m.setattr(market, "_kept_kinds", lambda *args: ())
        evaluated = market.alerts(week_from, week_to, scope, **filters)
    return _comparable(kept), _comparable(evaluated)


def test_the_kept_inputs_are_what_the_alert_rows_read():
    tree = sqlglot.parse_one(query_text(ALERTS.query), read="duckdb")
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    assert set(ALERTS.inputs) == {t.name for t in tree.find_all(exp.Table)} - ctes


def test_the_launch_inputs_are_the_weekly_tables_new_brand_uptake_reads(kept_lake):
    tree = sqlglot.parse_one(query_text("new_brand_uptake"), read="duckdb")
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    weekly = {t for t, spec in mf.load(kept_lake).tables.items() if spec.partitioned}
    assert set(ALERTS.launch_inputs) == ({t.name for t in tree.find_all(exp.Table)} - ctes) & weekly


def test_the_kinds_kept_by_window_are_every_kind_but_lagging_launches():
    assert sorted((*alert_week.WINDOWED_KINDS, "lagging_launch")) == sorted(market.ALERT_KINDS)


def test_kept_alerts_of_other_data_are_not_served(kept_lake, demo_store, tmp_path, monkeypatch):
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    _touch(manifest, "market_cell", LAST_WEEK.isoformat())  # as a write not yet followed by its alerts
    lake.build_serving(own, manifest)
    monkeypatch.setenv("MARKETPULSE_LAKE", str(own))
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    assert market._kept_kinds(store.CITY, {}, None) == ()  # evaluated, not read
    assert len(market.alerts(LAST_WEEK, LAST_WEEK)) > 0


def test_the_lake_keeps_every_week_and_serves_them(kept_lake):
    manifest = mf.load(kept_lake)
    assert ALERTS.current(manifest)
    assert set(manifest.tables[alert_week.TABLE].basis) - {WHOLE} == set(manifest.tables["market_cell"].parts) | set(
        manifest.tables["retailer_week"].parts
    )
    assert metrics.kept._keeps("alert_week", "base/alert_rows", store.CITY, kept_lake / "serving.duckdb")


@pytest.mark.parametrize("weeks_back", [0, 15, 24, 38, 45, 58])
def test_the_city_alerts_read_from_the_lake_equal_those_evaluated(served, monkeypatch, weeks_back):
    week = LAST_WEEK - dt.timedelta(weeks=weeks_back)
    kept, evaluated = _both(monkeypatch, week, week, store.CITY)
    assert len(evaluated) > 0
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


@pytest.mark.parametrize("weeks", [12, 60])
def test_a_range_of_weeks_lists_what_an_evaluation_of_the_range_lists(served, monkeypatch, weeks):
    # 新品滞后 of the specs new at the range's end (a spec launched 2025-12-08 lags in these weeks)
    kept, evaluated = _both(monkeypatch, LAST_WEEK - dt.timedelta(weeks=weeks), LAST_WEEK, store.CITY)
    assert "lagging_launch" in set(evaluated["kind"])
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


SCOPES = [
    store.Scope(department_code="D01"),
    store.Scope(territory_code="T0102"),
    # the demo redraws retailers between D02's 片区: each sees part of a moved retailer's history
    store.Scope(department_code="D02"),
    store.Scope(territory_code="T0201"),
]


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("weeks_back", [0, 30])
def test_a_department_or_territory_reads_the_citys_within_it(served, monkeypatch, scope, weeks_back):
    week = LAST_WEEK - dt.timedelta(weeks=weeks_back)
    kept, evaluated = _both(monkeypatch, week - dt.timedelta(weeks=7), week, scope)
    assert len(evaluated) > 0
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


def test_a_filter_or_a_managers_scope_is_evaluated(served, monkeypatch):
    assert market._kept_kinds(store.CITY, {}, None) == market.ALERT_KINDS
    assert market._kept_kinds(store.CITY, {"format": "便利店"}, None) == ()
    assert market._kept_kinds(store.Scope(cm_code="KH001"), {}, None) == ()
    # a 片区 counts its own visits: a manager's copied or missed visits are evaluated for it
    own = set(market.ALERT_KINDS) - set(market.MANAGER_KINDS)
    assert set(market._kept_kinds(store.Scope(territory_code="T0102"), {}, None)) == own
    assert set(market._kept_kinds(store.Scope(department_code="D02"), {}, None)) == own
    # a 片区 whose retailers moved between 片区 sees part of their history: only its cells are kept
    assert market._kept_kinds(store.Scope(territory_code="T0201"), {}, None) == market.CELL_KINDS
    kept, evaluated = _both(monkeypatch, LAST_WEEK, LAST_WEEK, store.CITY, tier_band="06-15")
    pd.testing.assert_frame_equal(kept, evaluated)


def _touch(manifest: mf.Manifest, table: str, week: str) -> None:
    """Mark one partition of an input as rewritten (an import of that week leaves a new file)."""
    spec = manifest.tables[table]
    spec.parts[week] = mf.Part(**{**vars(spec.parts[week]), "sha256": "0" * 64})


def test_a_week_changed_evaluates_the_four_weeks_it_reaches_and_the_launches_after_it(kept_lake, tmp_path):
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    before = dict(manifest.tables[alert_week.TABLE].parts)
    week = LAST_WEEK - dt.timedelta(weeks=40)
    _touch(manifest, "retailer_week", week.isoformat())
    assert not ALERTS.current(manifest)
    stage = tmp_path / "stage"
    stage.mkdir()
    replaced = {w for _, w in alert_week.keep(own, manifest, stage)}
    after = manifest.tables[alert_week.TABLE].parts
    assert ALERTS.current(manifest)
    assert all(after[w] is p for w, p in before.items() if w < week.isoformat())  # nothing before it
    window = {(week + dt.timedelta(weeks=k)).isoformat() for k in range(4)}
    assert window & set(before) <= replaced  # the week and the three its windows reach
    # later weeks only where a launch year reaches from the changed week: their 新品滞后
    spec = pd.read_parquet(own / manifest.tables["spec"].parts[""].file)
    launch = pd.to_datetime(spec["launch_date"]).dt.to_period("W-SUN").dt.start_time.dt.date
    in_a_launch_year = {
        w
        for w in before
        if any(start <= dt.date.fromisoformat(w) <= start + dt.timedelta(weeks=51) for start in launch.dropna())
    }
    assert replaced - window <= in_a_launch_year
    assert alert_week.keep(own, manifest, stage) is None  # up to date: nothing evaluated


def test_a_week_changed_outside_the_launch_inputs_evaluates_its_four_weeks_only(kept_lake, tmp_path):
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    before = dict(manifest.tables[alert_week.TABLE].parts)
    week = LAST_WEEK - dt.timedelta(weeks=40)
    _touch(manifest, "market_cell", week.isoformat())
    stage = tmp_path / "stage"
    stage.mkdir()
    replaced = {w for _, w in alert_week.keep(own, manifest, stage)}
    window = {(week + dt.timedelta(weeks=k)).isoformat() for k in range(4)}
    assert replaced == window & set(before)
    assert ALERTS.current(manifest)


def test_a_changed_rule_evaluates_every_week(kept_lake, tmp_path):
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    before = dict(manifest.tables[alert_week.TABLE].parts)
    _touch(manifest, "setting", "")
    stage = tmp_path / "stage"
    stage.mkdir()
    assert {w for _, w in alert_week.keep(own, manifest, stage)} == set(before)


def test_alerts_kept_by_other_code_are_not_read(served, monkeypatch):
    metrics.api.forget_city_reads()
    monkeypatch.setattr(store, "kept_digest", lambda table, name: "another release")
    assert market._kept_kinds(store.CITY, {}, None) == ()
    metrics.api.forget_city_reads()


def test_a_view_gone_between_the_look_and_the_read_is_evaluated(served, monkeypatch):
    monkeypatch.setattr(market, "_kept", lambda *args: None)  # as when a write has just taken it away
    kept, evaluated = _both(monkeypatch, LAST_WEEK, LAST_WEEK, store.CITY)
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


def test_reexporting_a_week_evaluates_the_weeks_it_reaches(kept_lake, demo_store, tmp_path):
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    lake.build_serving(own)
    before = dict(mf.load(own).tables[alert_week.TABLE].parts)
    after = lake.export_lake(own, demo_store, weeks=[LAST_WEEK - dt.timedelta(weeks=30)])
    kept = after.tables[alert_week.TABLE].parts
    earlier = {w for w in before if w < (LAST_WEEK - dt.timedelta(weeks=30)).isoformat()}
    assert earlier and all(kept[w] == before[w] for w in earlier)
    assert ALERTS.current(after)
    named = {p.file for p in kept.values()}
    assert {str(f.relative_to(own)) for f in (own / alert_week.TABLE).rglob("*.parquet")} == named  # none left over


def test_a_lake_without_kept_alerts_evaluates_them(demo_store, monkeypatch):
    monkeypatch.delenv("MARKETPULSE_LAKE", raising=False)
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    assert market._kept_kinds(store.CITY, {}, None) == ()
    assert len(market.alerts(LAST_WEEK, LAST_WEEK)) > 0
