"""The roll-ups built in batches of retailers (bounding the memory of their window functions,
which DuckDB does not spill) equal the roll-ups built in one pass, row for row."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd

from marketpulse import ingest, rollup, store
from marketpulse.lake.rollups import ROLLUP_TABLES


def _tables(con) -> dict[str, pd.DataFrame]:
    return {t: con.execute(f"select * from {t} order by all").df() for t in ROLLUP_TABLES}


def _passes(monkeypatch) -> list[str]:
    """The builder files run, in order (a batched builder once per batch)."""
    run, execute = [], rollup._execute

    def counted(con, table):
        run.append(table)
        execute(con, table)

    monkeypatch.setattr(rollup, "_execute", counted)
    return run


def test_a_rebuild_in_batches_of_retailers_equals_one_pass(demo_store, tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, path)
    with store.writer(path) as con:
        lines = con.execute("select count(*) from visit_line").fetchone()[0]
        one_pass = _tables(con)  # the demo builds its roll-ups in one pass: fewer lines than BATCH_LINES
        assert lines < rollup.BATCH_LINES
        # 7 batches (each retailer's pairs in one of them); a batch counts its pairs' lines and one
        # line before each pair's first rebuilt week
        pairs = con.execute(
            "select count(*) from (select license_no, spec_code from visit_line "
            "union select license_no, spec_code from order_line)"
        ).fetchone()[0]
        monkeypatch.setattr(rollup, "BATCH_LINES", (lines + pairs) // 7 + 1)
        passes = _passes(monkeypatch)
        rollup.rebuild(con)
        assert passes.count("weekly_observation") == passes.count("retailer_visit") == 7
        batched = _tables(con)
        assert con.execute("select count(*) from duckdb_tables() where table_name like 'touched%'").fetchone()[0] == 0
    for table in ROLLUP_TABLES:
        assert len(batched[table]) > 0, table
        pd.testing.assert_frame_equal(one_pass[table], batched[table], obj=table)


def test_an_import_refreshed_in_batches_equals_one_refreshed_in_one_pass(demo_store, tmp_path, monkeypatch):
    week_csv = tmp_path / "week.csv"
    reader = store.reader(demo_store)
    last = reader.sql("select max(visit_date) as d from visit_line")["d"][0].date()
    # corrections across the last three weeks: other stocks, so the sales after them change too
    reader.cursor().execute(
        "copy (select visit_date, cm_code, license_no, spec_code, stock_qty + 2 as stock_qty, retail_price, "
        "on_shelf, sales_qty, notes from visit_line where visit_date >= $d and hash(license_no) % 3 = 0) "
        f"to '{week_csv}' (header)",
        {"d": last - dt.timedelta(days=20)},
    )
    result = {}
    for size in (None, 500):
        path = tmp_path / f"store-{size}.duckdb"
        shutil.copyfile(demo_store, path)
        if size:
            monkeypatch.setattr(rollup, "BATCH_LINES", size)
        passes = _passes(monkeypatch)
        assert ingest.import_file(week_csv, "visits", db=path, force=True).rows_stored > 0
        # the corrected pairs' lines from their first corrected week on: in one pass, or in several of 500 lines
        assert (passes.count("weekly_observation") > 2) == bool(size)
        result[size] = _tables(store.reader(path).cursor())
    for table in ROLLUP_TABLES:
        pd.testing.assert_frame_equal(result[None][table], result[500][table], obj=table)


class _Recorded:
    """A connection that keeps the text of every statement it runs."""

    def __init__(self, con):
        self.con, self.run = con, []

    def execute(self, sql, *args):
        self.run.append(sql)
        return self.con.execute(sql, *args)


def test_a_store_kept_in_week_partitions_refreshes_without_sorting_by_week_to_the_same_rows(demo_store, tmp_path):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, path)
    with store.writer(path) as con:
        sorted_rows = _tables(con)
        con.execute("set variable week_partitioned = true")  # as the lake's scratch store does
        recorded = _Recorded(con)
        rollup.rebuild(recorded)
        inserts = [s for s in recorded.run if s.lstrip().lower().startswith("insert into")]
        by_week = [s for s in inserts if rollup.BY_WEEK.search(s)]
        unsorted_rows = _tables(con)
    assert len(inserts) >= 10 and by_week == []
    for table in ROLLUP_TABLES:
        pd.testing.assert_frame_equal(sorted_rows[table], unsorted_rows[table], obj=table)
