"""The new-spec uptake the lake keeps (uptake_week): new_brand_uptake read from it equals its
evaluation at every level under the city, and at a 市场部's or 片区's levels below its own where
none of its retailers or managers ever lay outside it; a retailer filter, a manager's scope, a
crossed scope or a scope's own total is evaluated; a write evaluates a spec again only from the
first week its inputs changed to the end of its launch year.
(That an import kept incrementally equals a lake exported afresh is in test_lake_import.py, which
compares every table of the two lakes, uptake_week among them.)
"""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
import sqlglot
from sqlglot import exp
from test_alert_week import _touch, kept_lake, served  # noqa: F401 - the exported lake and its use

from marketpulse import lake, metrics, store
from marketpulse.lake import manifest as mf
from marketpulse.lake import uptake_week
from marketpulse.lake.kept_basis import UPTAKE
from marketpulse.metrics import uptake
from marketpulse.store.queries import query_text

LAST_WEEK = dt.date(2026, 11, 16)
KEY = ["spec_code", "level_key", "week"]


def _both(monkeypatch, week_from, week_to, level, scope, **filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """new_brand_uptake read from the kept rows (asserted to be) and evaluated."""
    read = []
    real = uptake.query
    monkeypatch.setattr(uptake, "query", lambda name, *a, **k: read.append(name) or real(name, *a, **k))
    kept = uptake.new_brand_uptake(week_from, week_to, level, scope, **filters)
    assert read == ["kept/uptake"]
    with monkeypatch.context() as m:
        m.setattr(uptake, "_kept_level", lambda *args: None)
        evaluated = uptake.new_brand_uptake(week_from, week_to, level, scope, **filters)
    assert read[-1] == "new_brand_uptake"
    return (f.sort_values(KEY).reset_index(drop=True) for f in (kept, evaluated))


def test_the_kept_inputs_are_what_the_uptake_rows_read():
    tree = sqlglot.parse_one(query_text(UPTAKE.query), read="duckdb")
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    assert set(UPTAKE.inputs) == {t.name for t in tree.find_all(exp.Table)} - ctes


def test_every_input_kept_by_week_is_a_launch_input(kept_lake):  # noqa: F811
    weekly = {t for t, spec in mf.load(kept_lake).tables.items() if spec.partitioned}
    assert set(UPTAKE.launch_inputs) == set(UPTAKE.inputs) & weekly


def test_the_lake_keeps_each_level_of_every_week_a_spec_is_new(kept_lake):  # noqa: F811
    manifest = mf.load(kept_lake)
    assert UPTAKE.current(manifest)
    rows = pd.read_parquet([kept_lake / p.file for p in manifest.tables[UPTAKE.table].parts.values()])
    assert set(rows["level"]) == {"city", "department", "territory", "cm"}
    assert (rows["weeks_since_launch"].between(0, 51)).all()
    # a 片区's row lies in itself, a manager's in its retailers' 片区, the city's and a 市场部's in none
    territory = rows[rows["level"] == "territory"]
    assert (territory["territory_code"] == territory["level_key"]).all()
    assert rows.loc[rows["level"] == "cm", "territory_code"].notna().all()
    assert rows.loc[rows["level"].isin(["city", "department"]), "territory_code"].isna().all()


@pytest.mark.parametrize("level", ["city", "department", "territory", "cm"])
@pytest.mark.parametrize("weeks_back", [0, 20, 45, 49])  # the demo launches specs in 2025-12-08 and 2026-08-17
def test_the_citys_uptake_read_from_the_lake_equals_its_evaluation(served, monkeypatch, level, weeks_back):  # noqa: F811
    week = LAST_WEEK - dt.timedelta(weeks=weeks_back)
    kept, evaluated = _both(monkeypatch, week - dt.timedelta(weeks=1), week, level, store.CITY)
    assert len(evaluated) > 0
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


def test_a_year_of_weeks_and_a_spec_filter_read_what_their_evaluation_gives(served, monkeypatch):  # noqa: F811
    # a range that starts before one spec's launch
    kept, evaluated = _both(monkeypatch, LAST_WEEK - dt.timedelta(weeks=51), LAST_WEEK, "territory", store.CITY)
    assert evaluated["spec_code"].nunique() > 1
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)
    spec = evaluated["spec_code"].iloc[0]
    brand = evaluated["brand"].iloc[0]
    for filters in ({"spec_code": spec}, {"brand": brand}):
        kept, evaluated = _both(monkeypatch, LAST_WEEK - dt.timedelta(weeks=12), LAST_WEEK, "cm", store.CITY, **filters)
        assert len(evaluated) > 0
        pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


D01, T0102 = store.Scope(department_code="D01"), store.Scope(territory_code="T0102")
# D02's retailers moved between its 片区, never out of it: within D02 their history is whole
D02 = store.Scope(department_code="D02")
# a scope's own total (level city within it, and its own level) and the levels below it
CASES = [(D01, "city"), (D01, "department"), (D01, "territory"), (D01, "cm"), (D02, "city"), (D02, "territory")]
CASES += [(D02, "cm"), (T0102, "city"), (T0102, "territory"), (T0102, "cm")]
CASES += [(store.Scope(cm_code="KH001"), "city"), (store.Scope(cm_code="KH001"), "cm")]


@pytest.mark.parametrize(("scope", "level"), CASES)
def test_a_scope_no_retailer_crossed_reads_the_citys_rows_within_it(served, monkeypatch, scope, level):  # noqa: F811
    kept, evaluated = _both(monkeypatch, LAST_WEEK - dt.timedelta(weeks=8), LAST_WEEK, level, scope)
    assert len(evaluated) > 0
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)
    codes = metrics.lookup("territories", scope=scope)["territory_code"] if level == "territory" else None
    if codes is not None:  # none of another 片区
        assert set(kept["level_key"]) <= set(codes)


def test_what_the_kept_rows_do_not_answer_for_is_evaluated(served):  # noqa: F811
    metrics.api.forget_city_reads()

    def answers(*args):
        return uptake._kept_level(*args) is not None

    assert all(answers(level, store.CITY, {}, None) for level in ("city", "department", "territory", "cm"))
    assert answers("cm", store.CITY, {"brand": "黄鹤楼"}, None)  # a spec filter picks kept rows
    assert not answers("city", store.CITY, {"format": "便利店"}, None)  # a retailer filter counts fewer
    # a manager whose retailers were never anyone else's: its own total is its row; its 片区 row
    # (its own retailers in the 片区) no kept row holds; a manager of the redrawn D02 is crossed
    assert uptake._kept_level("city", store.Scope(cm_code="KH001"), {}, None) == "cm"
    assert not answers("territory", store.Scope(cm_code="KH001"), {}, None)
    assert not answers("cm", store.Scope(cm_code="KH005"), {}, None)
    # a 市场部's or 片区's own total is its row
    assert uptake._kept_level("city", store.Scope(territory_code="T0102"), {}, None) == "territory"
    assert uptake._kept_level("city", store.Scope(department_code="D01"), {}, None) == "department"
    assert not answers("department", store.Scope(territory_code="T0102"), {}, None)  # above a 片区
    # the demo redraws retailers between D02's 片区: each sees part of a moved retailer's history
    assert not answers("territory", store.Scope(territory_code="T0201"), {}, None)
    assert answers("cm", store.Scope(department_code="D02"), {}, None)  # D02 sees all of it


def test_uptake_kept_by_other_code_is_not_read(served, monkeypatch):  # noqa: F811
    metrics.api.forget_city_reads()
    monkeypatch.setattr(store, "kept_digest", lambda table, name: "another release")
    assert uptake._kept_level("city", store.CITY, {}, None) is None
    metrics.api.forget_city_reads()


def test_a_week_changed_evaluates_its_launch_years_from_that_week_on(kept_lake, tmp_path):  # noqa: F811
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    before = dict(manifest.tables[UPTAKE.table].parts)
    week = LAST_WEEK - dt.timedelta(weeks=40)
    _touch(manifest, "launch_observation", week.isoformat())
    assert not UPTAKE.current(manifest)
    stage = tmp_path / "stage"
    stage.mkdir()
    replaced = {w for _, w in uptake_week.keep(own, manifest, stage)}
    assert UPTAKE.current(manifest)
    after = manifest.tables[UPTAKE.table].parts
    assert all(after[w] is p for w, p in before.items() if w < week.isoformat())  # nothing before it
    spec = pd.read_parquet(own / manifest.tables["spec"].parts[""].file)
    launch = pd.to_datetime(spec["launch_date"]).dt.to_period("W-SUN").dt.start_time.dt.date.dropna()
    reaching = [start for start in launch if start <= week <= start + dt.timedelta(weeks=51)]
    assert reaching  # the week lies in a launch year
    in_those_years = {
        w for w in before if any(week <= dt.date.fromisoformat(w) <= s + dt.timedelta(weeks=51) for s in reaching)
    }
    assert replaced == in_those_years
    assert uptake_week.keep(own, manifest, stage) is None  # up to date: nothing evaluated


def test_a_changed_spec_list_evaluates_every_week(kept_lake, tmp_path):  # noqa: F811
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    before = dict(manifest.tables[UPTAKE.table].parts)
    _touch(manifest, "spec", "")
    stage = tmp_path / "stage"
    stage.mkdir()
    assert {w for _, w in uptake_week.keep(own, manifest, stage)} == set(before)


def test_a_lake_without_kept_uptake_evaluates_it(demo_store, monkeypatch):
    monkeypatch.delenv("MARKETPULSE_LAKE", raising=False)
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    metrics.api.forget_city_reads()
    assert uptake._kept_level("city", store.CITY, {}, None) is None
    assert len(uptake.new_brand_uptake(LAST_WEEK, LAST_WEEK)) > 0
    metrics.api.forget_city_reads()


def test_the_kept_partitions_are_the_files_the_manifest_names(kept_lake, demo_store, tmp_path):  # noqa: F811
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    lake.build_serving(own)
    after = lake.export_lake(own, demo_store, weeks=[LAST_WEEK - dt.timedelta(weeks=30)])
    assert UPTAKE.current(after)
    named = {p.file for p in after.tables[UPTAKE.table].parts.values()}
    assert {str(f.relative_to(own)) for f in (own / UPTAKE.table).rglob("*.parquet")} == named  # none left over


def test_the_lake_keeps_every_level_a_page_reads_it_at():
    assert set(uptake_week.LEVELS) == set(metrics.kept.KEPT_LEVELS["city"])
    assert all(
        set(by) <= set(uptake_week.LEVELS) for levels in metrics.kept.KEPT_LEVELS.values() for by in [levels.values()]
    )


@pytest.mark.parametrize("table", ["uptake_week", "compliance_week"])
def test_a_scope_sees_only_its_own_kept_rows(served, table):  # noqa: F811
    reader = store.reader(store.serving_path())
    cms = reader.sql("select cm_code, territory_code from customer_manager")
    cm, home = cms["cm_code"].iloc[0], cms["territory_code"].iloc[0]
    rows = reader.sql(f"select level, level_key from {table}", scope=store.Scope(cm_code=cm))
    assert len(rows) and set(zip(rows["level"], rows["level_key"])) == {("cm", cm)}  # its own row alone
    rows = reader.sql(f"select level, level_key from {table}", scope=store.Scope(territory_code=home))
    assert set(rows["level"]) == {"territory", "cm"}  # no 市场部 total, though its 市场部's code is on it
    assert set(rows.loc[rows["level"] == "territory", "level_key"]) == {home}
    assert set(rows.loc[rows["level"] == "cm", "level_key"]) <= set(cms.loc[cms["territory_code"] == home, "cm_code"])
    rows = reader.sql(f"select level, level_key from {table}", scope=store.Scope(department_code="D01"))
    assert set(rows["level"]) == {"department", "territory", "cm"}  # no city total
    assert set(rows.loc[rows["level"] == "department", "level_key"]) == {"D01"}  # its own alone
