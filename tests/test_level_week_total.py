"""The week sums the lake keeps (level_week_total): period_totals read from them equals its
evaluation at every level under the city, and within a 市场部 or 片区 none of whose retailers or
managers ever lay outside it; a filter, a product level, a manager's scope or a crossed scope is
evaluated; a write evaluates again only the weeks whose inputs changed.
(That an import kept incrementally equals a lake exported afresh is in test_lake_import.py, which
compares every table of the two lakes, level_week_total among them.)
"""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
import sqlglot
from sqlglot import exp
from test_alert_week import _touch, kept_lake, served  # noqa: F401 - the exported lake and its use

from marketpulse import metrics, store
from marketpulse.lake import level_week_total
from marketpulse.lake import manifest as mf
from marketpulse.lake.kept_basis import WEEK_SUMS
from marketpulse.metrics import sales
from marketpulse.store.queries import query_text

LAST_WEEK = dt.date(2026, 11, 16)


def _both(monkeypatch, week_from, week_to, level, scope, product_level="all", **filters):
    """period_totals as read (and the named queries it read), then evaluated."""
    read = []
    real = sales.query
    monkeypatch.setattr(sales, "query", lambda name, *a, **k: read.append(name) or real(name, *a, **k))
    metrics.api.forget_city_reads()
    got = sales.period_totals(week_from, week_to, level, product_level, scope, **filters)
    names = " → ".join(read)  # a kept read that fell back would show both
    with monkeypatch.context() as m:
        m.setattr(metrics.kept, "kept_level", lambda *args: None)
        evaluated = sales.period_totals(week_from, week_to, level, product_level, scope, **filters)
    return names, got, evaluated


def test_the_kept_inputs_are_what_the_week_rows_read():
    tree = sqlglot.parse_one(query_text(WEEK_SUMS.query), read="duckdb")
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    assert set(WEEK_SUMS.inputs) == {t.name for t in tree.find_all(exp.Table)} - ctes


@pytest.mark.parametrize("level", ["city", "department", "territory", "cm"])
@pytest.mark.parametrize(
    ("week_from", "week_to"),
    [
        (LAST_WEEK, LAST_WEEK),  # the 周报's and the 片区 page's week: a year to date with last year's
        (dt.date(2025, 12, 22), dt.date(2026, 1, 12)),  # across a year's turn
        (dt.date(2025, 10, 6), dt.date(2025, 10, 6)),  # a year the data begin in: no base last year
    ],
)
def test_the_citys_periods_read_from_the_kept_sums_equal_their_evaluation(
    served,  # noqa: F811
    monkeypatch,
    level,
    week_from,
    week_to,
):
    read, kept, evaluated = _both(monkeypatch, week_from, week_to, level, store.CITY)
    assert read == "kept/period_totals" and evaluated["sales_qty"].notna().any()
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


D01, T0102 = store.Scope(department_code="D01"), store.Scope(territory_code="T0102")
D02 = store.Scope(department_code="D02")  # its retailers moved between its 片区, never out of it
KH001 = store.Scope(cm_code="KH001")  # a manager whose retailers were never anyone else's
KH005 = store.Scope(cm_code="KH005")  # a manager of D02, whose redraw moved retailers between managers
CASES = [(D01, "city"), (D01, "department"), (D01, "territory"), (D01, "cm"), (D02, "city"), (D02, "cm")]
CASES += [(T0102, "city"), (T0102, "territory"), (T0102, "cm"), (KH001, "city"), (KH001, "cm")]


@pytest.mark.parametrize(("scope", "level"), CASES)
def test_a_scope_no_retailer_crossed_reads_the_citys_sums_within_it(served, monkeypatch, scope, level):  # noqa: F811
    read, kept, evaluated = _both(monkeypatch, LAST_WEEK - dt.timedelta(weeks=3), LAST_WEEK, level, scope)
    assert read == "kept/period_totals" and evaluated["sales_qty"].notna().any()
    pd.testing.assert_frame_equal(kept, evaluated, check_dtype=False, rtol=1e-9)


@pytest.mark.parametrize(
    ("scope", "level", "product_level", "filters"),
    [
        (store.CITY, "city", "brand", {}),  # a product level the lake does not keep
        (store.CITY, "city", "all", {"brand": "黄鹤楼"}),  # a filter sums fewer cells
        (store.CITY, "city", "all", {"format": "便利店"}),
        (store.CITY, "retailer", "all", {}),  # a level the lake does not keep
        (KH005, "city", "all", {}),  # crossed: retailers moved between managers
        (KH001, "territory", "all", {}),  # a manager's 片区 row is its own retailers in it
        (store.Scope(territory_code="T0201"), "territory", "all", {}),  # crossed: retailers redrawn across it
        (T0102, "department", "all", {}),  # above a 片区
    ],
)
def test_what_the_kept_sums_do_not_answer_for_is_evaluated(served, monkeypatch, scope, level, product_level, filters):  # noqa: F811
    read, got, evaluated = _both(monkeypatch, LAST_WEEK, LAST_WEEK, level, scope, product_level, **filters)
    assert read == "period_totals"
    pd.testing.assert_frame_equal(got, evaluated)


def test_a_week_changed_evaluates_that_week_alone(kept_lake, tmp_path):  # noqa: F811
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    before = dict(manifest.tables[WEEK_SUMS.table].parts)
    week = (LAST_WEEK - dt.timedelta(weeks=40)).isoformat()
    _touch(manifest, "spec_cm_week", week)
    assert not WEEK_SUMS.current(manifest)
    stage = tmp_path / "stage"
    stage.mkdir()
    assert {w for _, w in level_week_total.keep(own, manifest, stage)} == {week}
    assert WEEK_SUMS.current(manifest)
    after = manifest.tables[WEEK_SUMS.table].parts
    assert all(after[w] is p for w, p in before.items() if w != week)
    assert level_week_total.keep(own, manifest, stage) is None  # up to date: nothing evaluated


def test_a_changed_price_list_evaluates_every_week(kept_lake, tmp_path):  # noqa: F811
    own = tmp_path / "lake"
    shutil.copytree(kept_lake, own)
    manifest = mf.load(own)
    before = dict(manifest.tables[WEEK_SUMS.table].parts)
    _touch(manifest, "spec_price", "")
    stage = tmp_path / "stage"
    stage.mkdir()
    assert {w for _, w in level_week_total.keep(own, manifest, stage)} == set(before)
