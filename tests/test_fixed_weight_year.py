"""The fixed weights the lake keeps (fixed_weight_year): the 市场零售价格指数 read with them equals
its evaluation at every level under the city, and within a 市场部 or 片区 none of whose retailers
or managers ever lay outside it; a filter, the retailer level, a manager's scope or a crossed
scope is evaluated; a write evaluates again only the weight years a changed week reaches.
(That an import kept incrementally equals a lake exported afresh is in test_lake_import.py, which
compares every table of the two lakes, fixed_weight_year among them.)

The demo holds the weeks 2025-09-29 … 2026-11-16: weight year 2025 (13 weeks held) serves the
weeks of ISO 2026, from 2025-12-29, its partition's week. Two specs are new: one launched
2025-12-08, its first quarter the weeks 2025-12-08 … 2026-03-02, one launched 2026-08-17, its
first quarter 2026-08-17 … 2026-11-09. Weight year 2024 (no week held) has no weight that serves.
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

from marketpulse import metrics, store
from marketpulse.lake import fixed_weight_year
from marketpulse.lake import manifest as mf
from marketpulse.lake.kept_basis import FIXED_WEIGHTS
from marketpulse.metrics import prices
from marketpulse.store.queries import query_text

LAST_WEEK = dt.date(2026, 11, 16)
PARTITION = "2025-12-29"  # weight year 2025's: the first week of ISO 2026


def _both(monkeypatch, week_from, week_to, level, scope, **filters):
    """fixed_price_index as read (and the named queries it read), then evaluated."""
    read = []
    real = prices.query
    monkeypatch.setattr(prices, "query", lambda name, *a, **k: read.append(name) or real(name, *a, **k))
    metrics.api.forget_city_reads()
    got = prices.fixed_price_index(week_from, week_to, level, scope, **filters)
    names = " → ".join(read)  # a kept read that fell back would show both
    with monkeypatch.context() as m:
        m.setattr(metrics.kept, "kept_level", lambda *args: None)
        evaluated = prices.fixed_price_index(week_from, week_to, level, scope, **filters)
    return names, got, evaluated


def test_the_kept_inputs_are_what_the_weight_rows_read():
    tree = sqlglot.parse_one(query_text(FIXED_WEIGHTS.query), read="duckdb")
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    assert set(FIXED_WEIGHTS.inputs) == {t.name for t in tree.find_all(exp.Table)} - ctes


def test_the_lake_keeps_the_weight_years_that_serve_a_week(kept_lake):  # noqa: F811
    parts = mf.load(kept_lake).tables[FIXED_WEIGHTS.table].parts
    assert set(parts) == {PARTITION}


LEVELS = ["city", "department", "territory", "cm", "spec", "brand", "price_class"]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(
    ("week_from", "week_to"),
    [
        (LAST_WEEK, LAST_WEEK),  # the 周报's week: a new spec weighs by its first quarter
        (dt.date(2026, 2, 23), dt.date(2026, 3, 9)),  # across the first new spec's weight_from
        (dt.date(2025, 10, 6), LAST_WEEK),  # from weeks without a weight year held to the last
    ],
)
def test_the_citys_index_read_with_the_kept_weights_equals_its_evaluation(
    served,  # noqa: F811
    monkeypatch,
    level,
    week_from,
    week_to,
):
    read, kept, evaluated = _both(monkeypatch, week_from, week_to, level, store.CITY)
    assert read == "kept/price_index_fixed" and evaluated["price_index"].notna().any()
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


D01, T0102 = store.Scope(department_code="D01"), store.Scope(territory_code="T0102")
D02 = store.Scope(department_code="D02")  # its retailers moved between its 片区, never out of it
KH001 = store.Scope(cm_code="KH001")  # a manager whose retailers were never anyone else's
KH005 = store.Scope(cm_code="KH005")  # a manager of D02, whose redraw moved retailers between managers


@pytest.mark.parametrize("scope", [D01, D02, T0102], ids=["D01", "D02", "T0102"])
@pytest.mark.parametrize("level", ["city", "territory", "cm", "spec", "brand"])
def test_a_scope_no_retailer_crossed_reads_the_citys_weights_within_it(served, monkeypatch, scope, level):  # noqa: F811
    read, kept, evaluated = _both(monkeypatch, LAST_WEEK - dt.timedelta(weeks=12), LAST_WEEK, level, scope)
    assert read == "kept/price_index_fixed" and evaluated["price_index"].notna().any()
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


@pytest.mark.parametrize("level", ["city", "cm", "spec", "brand"])
def test_a_manager_whose_retailers_were_never_anyone_elses_reads_its_own_row(served, monkeypatch, level):  # noqa: F811
    read, kept, evaluated = _both(monkeypatch, LAST_WEEK - dt.timedelta(weeks=12), LAST_WEEK, level, KH001)
    assert read == "kept/price_index_fixed" and evaluated["price_index"].notna().any()
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


@pytest.mark.parametrize(
    ("scope", "level", "filters"),
    [
        (store.CITY, "city", {"brand": "黄鹤楼"}),  # a filter weighs fewer specs
        (store.CITY, "city", {"format": "便利店"}),  # and fewer retailers' sales
        (store.CITY, "retailer", {}),  # a level the lake does not keep
        (KH005, "city", {}),  # crossed: retailers moved between managers
        (KH001, "territory", {}),  # a manager's 片区 row is its own retailers in it
        (store.Scope(territory_code="T0201"), "territory", {}),  # crossed: retailers redrawn across it
        (T0102, "department", {}),  # above a 片区
    ],
)
def test_what_the_kept_weights_do_not_answer_for_is_evaluated(served, monkeypatch, scope, level, filters):  # noqa: F811
    read, got, evaluated = _both(monkeypatch, LAST_WEEK, LAST_WEEK, level, scope, **filters)
    assert read == "price_index_fixed"
    pd.testing.assert_frame_equal(got, evaluated)


@pytest.mark.parametrize(
    ("week", "evaluated"),
    [
        ("2025-11-03", {PARTITION}),  # a week of the weight year
        ("2025-12-29", {PARTITION}),  # the partition's own week
        ("2026-02-02", {PARTITION}),  # in the first quarter of the spec launched 2025-12-08
        ("2026-09-07", {PARTITION}),  # in that of the spec launched 2026-08-17
        ("2026-05-04", set()),  # a week it serves, in no first quarter: the weights read it not
    ],
)
def test_a_week_changed_evaluates_the_weight_year_it_reaches(kept_lake, tmp_path, week, evaluated):  # noqa: F811
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    before = dict(manifest.tables[FIXED_WEIGHTS.table].parts)
    _touch(manifest, "spec_cm_week", week)
    assert not FIXED_WEIGHTS.current(manifest)
    stage = tmp_path / "stage"
    stage.mkdir()
    assert {w for _, w in fixed_weight_year.keep(own, manifest, stage)} == evaluated
    assert FIXED_WEIGHTS.current(manifest)
    after = manifest.tables[FIXED_WEIGHTS.table].parts
    assert set(after) == set(before) and all(after[w] is p for w, p in before.items() if w not in evaluated)
    assert fixed_weight_year.keep(own, manifest, stage) is None  # up to date: nothing evaluated


def test_a_changed_spec_evaluates_every_weight_year(kept_lake, tmp_path):  # noqa: F811
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    before = dict(manifest.tables[FIXED_WEIGHTS.table].parts)
    _touch(manifest, "spec", "")
    stage = tmp_path / "stage"
    stage.mkdir()
    assert {w for _, w in fixed_weight_year.keep(own, manifest, stage)} == set(before)


def test_a_scope_sees_the_weights_of_its_own_rows_alone(served):  # noqa: F811
    within = store.run(
        "kept/price_index_fixed",
        {"level": "cm", "kept_level": "cm", "week_from": LAST_WEEK, "week_to": LAST_WEEK},
        store.Scope(territory_code="T0102"),
    )
    cms = store.run("lookup/customer_managers", {}, store.Scope(territory_code="T0102"))
    assert len(within) > 0 and set(within["level_key"]) <= set(cms["cm_code"])


# Weight year 2025 serves ISO 2026 (2025-12-29 … 2026-12-21); here the store's first week of 2026
# is 2026-01-05, the partition. New specs: launched 2024-11-04 (before the weight year: its
# weight is last year's sales), 2025-10-06 (first quarter to 2026-01-05), 2025-11-03 (to
# 2026-02-02), 2026-03-16 (to 2026-06-15) and 2026-11-02 (to 2027-02-01, after the year served:
# it weighs nothing there).
LAUNCHES = [
    (dt.date(2024, 11, 4), 2024),
    (dt.date(2025, 10, 6), 2025),
    (dt.date(2025, 11, 3), 2025),
    (dt.date(2026, 3, 16), 2026),
    (dt.date(2026, 11, 2), 2026),
]


@pytest.mark.parametrize(
    ("week", "reaches"),
    [
        (dt.date(2025, 5, 5), True),  # a week of the weight year: last year's sales, weeks held
        (dt.date(2025, 12, 29), True),  # before the partition: added or taken away, it moves it
        (dt.date(2026, 1, 5), True),  # the partition's own week
        (dt.date(2026, 1, 12), True),  # in the quarter of 2025-11-03, from the weight year into the next
        (dt.date(2026, 2, 2), False),  # a week served, in no first quarter (2025-11-03's ended)
        (dt.date(2026, 4, 6), True),  # in the first quarter of the spec launched 2026-03-16
        (dt.date(2026, 11, 16), False),  # in that of 2026-11-02, whose weight serves 2027
        (dt.date(2024, 12, 2), False),  # the year before the weight year
        (dt.date(2027, 1, 4), False),  # the year after the year served
    ],
)
def test_which_weeks_reach_a_weight_year(week, reaches):
    assert fixed_weight_year._reaches(week, 2025, dt.date(2026, 1, 5), LAUNCHES) is reaches


def test_a_first_week_taken_away_moves_the_weight_years_partition(kept_lake, tmp_path):  # noqa: F811
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    for table in FIXED_WEIGHTS.inputs:  # the store no longer holds week 2025-12-29
        if manifest.tables[table].partitioned:
            manifest.tables[table].parts.pop(PARTITION, None)
    stage = tmp_path / "stage"
    stage.mkdir()
    fixed_weight_year.keep(own, manifest, stage)
    assert set(manifest.tables[FIXED_WEIGHTS.table].parts) == {"2026-01-05"}
    kept_since = _rows(own, manifest)
    del manifest.tables[FIXED_WEIGHTS.table]  # as a lake kept afresh
    fixed_weight_year.keep(own, manifest, stage)
    pd.testing.assert_frame_equal(kept_since, _rows(own, manifest))


def _rows(lake, manifest) -> pd.DataFrame:
    files = mf.files(lake, manifest, FIXED_WEIGHTS.table)
    with duckdb.connect() as con:
        frame = con.execute("select * from read_parquet($files, hive_partitioning = true)", {"files": files}).df()
    return frame.sort_values(["level", "level_key", "spec_code"]).reset_index(drop=True)
