"""The price compliance the lake keeps (compliance_week): price_compliance read from it equals its
evaluation at every level under the city, and within a 市场部 or 片区 none of whose retailers or
managers ever lay outside it; a filter, a tolerance of the page's own, a manager's scope or a
crossed scope is evaluated; a write evaluates again only the weeks whose inputs changed.
(That an import kept incrementally equals a lake exported afresh is in test_lake_import.py, which
compares every table of the two lakes, compliance_week among them.)
"""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pandas as pd
import pytest
import sqlglot
from sqlglot import exp
from test_alert_week import _touch, kept_lake, served  # noqa: F401 - the exported lake and its use

from marketpulse import lake, metrics, store
from marketpulse.lake import compliance_week, kept_basis, serving
from marketpulse.lake import manifest as mf
from marketpulse.lake.kept_basis import COMPLIANCE
from marketpulse.metrics import prices
from marketpulse.store.queries import query_text

LAST_WEEK = dt.date(2026, 11, 16)


def _both(monkeypatch, week_from, week_to, level, scope, tolerance=None, **filters):
    """price_compliance as read (and the named queries it read), then evaluated."""
    read = []
    real = prices.query
    monkeypatch.setattr(prices, "query", lambda name, *a, **k: read.append(name) or real(name, *a, **k))
    metrics.api.forget_city_reads()
    got = prices.price_compliance(week_from, week_to, level, tolerance, scope, **filters)
    names = " → ".join(read)  # a kept read that fell back would show both
    with monkeypatch.context() as m:
        m.setattr(metrics.kept, "kept_level", lambda *args: None)
        evaluated = prices.price_compliance(week_from, week_to, level, tolerance, scope, **filters)
    return names, got, evaluated


def test_the_kept_inputs_are_what_the_compliance_rows_read():
    tree = sqlglot.parse_one(query_text(COMPLIANCE.query), read="duckdb")
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    assert set(COMPLIANCE.inputs) == {t.name for t in tree.find_all(exp.Table)} - ctes


@pytest.mark.parametrize("level", ["city", "department", "territory", "cm"])
@pytest.mark.parametrize("weeks_back", [0, 30, 55])
def test_the_citys_compliance_read_from_the_lake_equals_its_evaluation(served, monkeypatch, level, weeks_back):  # noqa: F811
    week = LAST_WEEK - dt.timedelta(weeks=weeks_back)
    read, kept, evaluated = _both(monkeypatch, week - dt.timedelta(weeks=12), week, level, store.CITY)
    assert read == "kept/compliance" and len(evaluated) > 0
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


D01, T0102 = store.Scope(department_code="D01"), store.Scope(territory_code="T0102")
D02 = store.Scope(department_code="D02")  # its retailers moved between its 片区, never out of it
KH001 = store.Scope(cm_code="KH001")  # a manager whose retailers were never anyone else's
KH005 = store.Scope(cm_code="KH005")  # a manager of D02, whose redraw moved retailers between managers
CASES = [(D01, "city"), (D01, "department"), (D01, "territory"), (D01, "cm"), (D02, "city"), (D02, "territory")]
CASES += [(D02, "cm"), (T0102, "city"), (T0102, "territory"), (T0102, "cm"), (KH001, "city"), (KH001, "cm")]


@pytest.mark.parametrize(("scope", "level"), CASES)
def test_a_scope_no_retailer_crossed_reads_the_citys_rows_within_it(served, monkeypatch, scope, level):  # noqa: F811
    read, kept, evaluated = _both(monkeypatch, LAST_WEEK - dt.timedelta(weeks=5), LAST_WEEK, level, scope)
    assert read == "kept/compliance" and len(evaluated) > 0
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


@pytest.mark.parametrize(
    ("scope", "level", "tolerance", "filters"),
    [
        (store.CITY, "city", 0.05, {}),  # a band of the page's own
        (store.CITY, "city", None, {"brand": "黄鹤楼"}),  # a filter counts fewer observations
        (store.CITY, "city", None, {"format": "便利店"}),
        (store.CITY, "retailer", None, {}),  # a level the lake does not keep
        (KH005, "city", None, {}),  # crossed: retailers moved between managers
        (KH001, "territory", None, {}),  # a manager's 片区 row is its own retailers in it
        (store.Scope(territory_code="T0201"), "territory", None, {}),  # crossed: retailers redrawn across it
        (T0102, "department", None, {}),  # above a 片区
    ],
)
def test_what_the_kept_rows_do_not_answer_for_is_evaluated(served, monkeypatch, scope, level, tolerance, filters):  # noqa: F811
    read, got, evaluated = _both(monkeypatch, LAST_WEEK, LAST_WEEK, level, scope, tolerance, **filters)
    assert read == "price_compliance"
    pd.testing.assert_frame_equal(got, evaluated)


def test_a_week_changed_evaluates_that_week_alone(kept_lake, tmp_path):  # noqa: F811
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    before = dict(manifest.tables[COMPLIANCE.table].parts)
    week = (LAST_WEEK - dt.timedelta(weeks=40)).isoformat()
    _touch(manifest, "weekly_observation", week)
    assert not COMPLIANCE.current(manifest)
    stage = tmp_path / "stage"
    stage.mkdir()
    assert {w for _, w in compliance_week.keep(own, manifest, stage)} == {week}
    assert COMPLIANCE.current(manifest)
    after = manifest.tables[COMPLIANCE.table].parts
    assert all(after[w] is p for w, p in before.items() if w != week)
    assert compliance_week.keep(own, manifest, stage) is None  # up to date: nothing evaluated


def test_a_changed_tolerance_evaluates_every_week(kept_lake, tmp_path):  # noqa: F811
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    before = dict(manifest.tables[COMPLIANCE.table].parts)
    _touch(manifest, "setting", "")
    stage = tmp_path / "stage"
    stage.mkdir()
    assert {w for _, w in compliance_week.keep(own, manifest, stage)} == set(before)


def test_a_release_that_changes_the_keeping_code_evaluates_every_week_and_serves_none_meanwhile(
    kept_lake,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    before = dict(manifest.tables[COMPLIANCE.table].parts)
    assert COMPLIANCE.current(manifest)
    # as when a release changes a level or the bound tolerance in lake/compliance_week.py
    monkeypatch.setattr(kept_basis, "kept_digest", lambda table, query: "another release")
    monkeypatch.setattr(serving, "kept_digest", lambda table, query: "another release")
    assert not COMPLIANCE.current(manifest)
    lake.build_serving(own, manifest)  # until a write keeps it anew, pages evaluate it
    with duckdb.connect(str(own / "serving.duckdb"), read_only=True) as con:
        views = {name for (name,) in con.execute("select view_name from duckdb_views()").fetchall()}
    assert "weekly_observation" in views and COMPLIANCE.table not in views
    stage = tmp_path / "stage"
    stage.mkdir()
    assert {w for _, w in compliance_week.keep(own, manifest, stage)} == set(before)
    assert COMPLIANCE.current(manifest)
