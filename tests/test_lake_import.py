"""Importing into the lake gives what importing into the store and exporting it gives.

The oracle: the same file imported (a) into a copy of the demo store the normal way, then
exported to a lake, and (b) straight into a lake exported from the demo store with
`import --lake`; every table of the two lakes must hold the same rows (floats to 1e-9), the
quarantine the store's. The files: a new week of visits, a one-row correction of a week in
the middle of history (the trailing weeks), an orders file, a file with bad rows, a refused
file. Also: a failed import leaves the lake as it was, a second writer waits and says so in
both languages, and a page's query served from the lake after an import equals the store's.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time

import duckdb
import pandas as pd
import pytest
from test_lake import (
    exported,  # noqa: F401
    own_lake,  # noqa: F401 - the fixtures a lake test starts from
)
from test_queries_contract import QUERIES, params_for

from marketpulse import cli, ingest, lake, store
from marketpulse.errors import ImportRefused, StoreError
from marketpulse.lake import ingest as lake_ingest
from marketpulse.lake import kept, scratch, window
from marketpulse.lake import manifest as mf
from marketpulse.lake.kept_basis import KEPT
from marketpulse.lake.serving import view_sql

TODAY = dt.date(2027, 1, 10)
NEW_WEEK = dt.date(2026, 11, 23)
MIDDLE_WEEK = dt.date(2026, 6, 8)
VISIT_COLUMNS = "visit_date, cm_code, license_no, spec_code, stock_qty, retail_price, on_shelf, sales_qty, notes"
ORDER_COLUMNS = "order_date, license_no, spec_code, demand_qty, supplied_qty"
# import times differ between two runs of the same import
VOLATILE = {"import_log": {"imported_at"}}


def write_csv(store_path, sql: str, path) -> None:
    with duckdb.connect(str(store_path), read_only=True) as con:
        con.execute(f"copy ({sql}) to '{path}' (header)")


@pytest.fixture
def files(demo_store, tmp_path):
    """The import files, cut from the demo store."""
    out = {}
    out["new_week"] = tmp_path / "new_week.csv"
    write_csv(
        demo_store,
        f"select visit_date + 7 as visit_date, {VISIT_COLUMNS.replace('visit_date, ', '')} from visit_line "
        f"where visit_date >= date '{NEW_WEEK - dt.timedelta(days=7)}' order by all",
        out["new_week"],
    )
    out["after_a_gap"] = tmp_path / "after_a_gap.csv"  # six weeks after the last, a few retailers only
    write_csv(
        demo_store,
        f"select visit_date + 42 as visit_date, {VISIT_COLUMNS.replace('visit_date, ', '')} from visit_line "
        f"where visit_date >= date '{NEW_WEEK - dt.timedelta(days=7)}' and license_no in "
        "(select distinct license_no from visit_line order by 1 limit 5) order by all",
        out["after_a_gap"],
    )
    out["correction"] = tmp_path / "correction.csv"
    write_csv(
        demo_store,
        f"select {VISIT_COLUMNS.replace('stock_qty', 'stock_qty + 7 as stock_qty')} from visit_line "
        f"where date_trunc('week', visit_date) = date '{MIDDLE_WEEK}' and sales_qty is null order by all limit 1",
        out["correction"],
    )
    # corrections where the neighbouring visit lies far: the next one (its sales change weeks
    # later), the previous one (before the weeks read), none before (a pair's first visit)
    gaps = (
        "select *, lead(visit_date) over pair - visit_date as to_next, lead(sales_qty) over pair as next_sales, "
        "visit_date - lag(visit_date) over pair as from_previous, "
        "min(visit_date) over (partition by license_no) as shop_first "
        "from visit_line window pair as (partition by license_no, spec_code order by visit_date)"
    )
    for name, where in (
        ("far_next", "to_next >= 35 and next_sales is null"),
        ("far_previous", "from_previous >= 35"),
        (
            "first_visit",
            f"from_previous is null and visit_date > shop_first + 60 and visit_date < date '{MIDDLE_WEEK}' + 60",
        ),
    ):
        out[name] = tmp_path / f"{name}.csv"
        write_csv(
            demo_store,
            f"select {VISIT_COLUMNS.replace('stock_qty', 'stock_qty + 5 as stock_qty')} from ({gaps}) "
            f"where {where} and visit_date < date '{NEW_WEEK}' - 60 "
            "order by visit_date desc, license_no, spec_code limit 1",
            out[name],
        )
    out["order_correction"] = tmp_path / "order_correction.csv"
    write_csv(
        demo_store,
        f"select {ORDER_COLUMNS.replace('supplied_qty', 'greatest(supplied_qty - 3, 0) as supplied_qty')} "
        f"from order_line where date_trunc('week', order_date) = date '{MIDDLE_WEEK}' and supplied_qty >= 3 "
        "order by all limit 2",
        out["order_correction"],
    )
    out["retailer_moved"] = tmp_path / "retailer_moved.csv"  # a 档位 change from a week in the middle on
    write_csv(
        demo_store,
        "select license_no, retailer_name, format, case when tier < 30 then tier + 1 else tier - 1 end as tier, "
        f"territory_code, cm_code, date '{MIDDLE_WEEK}' as effective_date from retailer order by license_no limit 2",
        out["retailer_moved"],
    )
    out["spec_price"] = tmp_path / "spec_price.csv"  # 调价 from a week in the middle
    write_csv(
        demo_store,
        "select spec_code, spec_name, brand, price_class, wholesale_price, suggested_retail_price + 10 as "
        f"suggested_retail_price, is_key_brand, launch_date, date '{MIDDLE_WEEK}' as effective_date "
        "from spec order by spec_code limit 1",
        out["spec_price"],
    )
    out["launch_moved"] = tmp_path / "launch_moved.csv"  # the newest spec launched six weeks later
    write_csv(
        demo_store,
        "select spec_code, spec_name, brand, price_class, wholesale_price, suggested_retail_price, is_key_brand, "
        "launch_date + 42 as launch_date from spec order by launch_date desc, spec_code limit 1",
        out["launch_moved"],
    )
    out["orders"] = tmp_path / "orders.csv"
    write_csv(
        demo_store,
        f"select order_date + 7 as order_date, {ORDER_COLUMNS.replace('order_date, ', '')} from order_line "
        f"where order_date >= date '{NEW_WEEK - dt.timedelta(days=7)}' order by all",
        out["orders"],
    )
    out["bad_rows"] = tmp_path / "bad_rows.csv"
    lines = out["new_week"].read_text(encoding="utf-8").splitlines()
    bad = [lines[0], *lines[1:40]]
    bad[3] = bad[3].replace(",", ",-", 4).replace(",-", ",", 3)  # a negative stock
    bad[5] = "2026-11-24,XX,NOSUCH,NOSUCH,1,1,1,1,"  # unknown retailer and spec
    bad[7] = bad[7].replace("2026-11-", "2027-11-", 1)  # in the future
    out["bad_rows"].write_text("\n".join(bad) + "\n", encoding="utf-8")
    out["refused"] = tmp_path / "refused.csv"
    out["refused"].write_text("这不是,一个,导入文件\n1,2,3\n", encoding="utf-8")
    return out


def table_frame(lake_dir, table: str) -> pd.DataFrame:
    manifest = lake.load(lake_dir)
    with duckdb.connect() as con:
        frame = con.execute(view_sql(lake_dir, manifest, table)).df()
    frame = frame.drop(columns=[c for c in VOLATILE.get(table, ()) if c in frame.columns])
    return _sorted(frame)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in frame.columns:
        if pd.api.types.is_float_dtype(frame[col]):
            frame[col] = frame[col].round(9)
    return frame.sort_values(list(frame.columns), na_position="first").reset_index(drop=True)


def assert_lakes_equal(expected_dir, got_dir) -> None:
    expected, got = lake.load(expected_dir), lake.load(got_dir)
    assert set(expected.tables) <= set(got.tables)
    assert set(got.tables) - set(expected.tables) <= {"quarantine"}
    for table, spec in expected.tables.items():
        assert got.tables[table].columns == spec.columns, table
        if spec.partitioned:  # no partition left empty or missing
            assert got.tables[table].parts.keys() == spec.parts.keys(), table
        if not _same_rows(expected_dir, expected, got_dir, got, table):
            pd.testing.assert_frame_equal(table_frame(got_dir, table), table_frame(expected_dir, table), rtol=1e-9)


def _same_rows(expected_dir, expected, got_dir, got, table: str) -> bool:
    """The fast path of the comparison: the same multiset of rows in DuckDB, floats rounded to 9
    places as table_frame rounds them. Not the same (or a value straddling a rounding step) falls
    back to comparing the frames with their tolerance."""
    volatile = set(VOLATILE.get(table, ()))
    cols = [(c, t) for c, t in expected.tables[table].columns if c not in volatile]
    pick = ", ".join(f'round("{c}", 9)' if t in ("DOUBLE", "FLOAT", "REAL") else f'"{c}"' for c, t in cols)
    a = f"select {pick} from ({view_sql(expected_dir, expected, table)})"
    b = f"select {pick} from ({view_sql(got_dir, got, table)})"
    with duckdb.connect() as con:
        return (
            con.execute(f"select count(*) from (({a} except all {b}) union all ({b} except all {a}))").fetchone()[0]
            == 0
        )


def oracle(demo_store, own_lake, tmp_path, file, kind: str | None = None):  # noqa: F811
    """Import `file` into a store copy and export it; import it into `own_lake`; compare."""
    copy = tmp_path / "oracle.duckdb"
    shutil.copyfile(demo_store, copy)
    summary_store = ingest.import_file(file, kind, db=copy, today=TODAY)
    lake.export_lake(tmp_path / "expected", copy)
    summary_lake = lake.import_into_lake(own_lake, file, kind, today=TODAY)
    assert_lakes_equal(tmp_path / "expected", own_lake)
    assert (summary_lake.rows_read, summary_lake.rows_stored, summary_lake.rows_quarantined) == (
        summary_store.rows_read,
        summary_store.rows_stored,
        summary_store.rows_quarantined,
    )
    assert lake.verify(own_lake) == []
    assert not list(own_lake.glob(".staging-*"))
    return copy, summary_lake


def test_every_rollup_says_which_weeks_an_import_changes():
    assert set(window.CHANGES_AFTER) == set(lake.ROLLUP_TABLES)


def test_a_new_weeks_visits(demo_store, own_lake, tmp_path, files):  # noqa: F811
    before = lake.load(own_lake)
    oracle(demo_store, own_lake, tmp_path, files["new_week"])
    after = lake.load(own_lake)
    # only the new week's partitions and the three after it (4-week sales) are new files
    changed = {
        week
        for table, spec in after.tables.items()
        if spec.partitioned
        for week, part in spec.parts.items()
        if before.tables[table].parts.get(week) != part
    }
    assert changed and min(changed) == NEW_WEEK.isoformat()
    assert max(changed) <= (NEW_WEEK + dt.timedelta(weeks=3)).isoformat()
    untouched = after.tables["visit_line"].parts[(NEW_WEEK - dt.timedelta(days=7)).isoformat()]
    assert untouched == before.tables["visit_line"].parts[untouched.file.split("week=")[1][:10]]


def test_a_week_after_a_gap_of_weeks(demo_store, own_lake, tmp_path, files):  # noqa: F811
    oracle(demo_store, own_lake, tmp_path, files["after_a_gap"])


def test_a_one_row_correction_of_an_old_week(demo_store, own_lake, tmp_path, files):  # noqa: F811
    before = lake.load(own_lake)
    _, summary = oracle(demo_store, own_lake, tmp_path, files["correction"])
    assert summary.rows_replaced == 1
    after = lake.load(own_lake)
    for table, spec in after.tables.items():
        if spec.partitioned:
            for week, part in spec.parts.items():
                if week < MIDDLE_WEEK.isoformat():
                    assert part == before.tables[table].parts[week], (table, week)  # history before: untouched
    far = (MIDDLE_WEEK + dt.timedelta(weeks=20)).isoformat()
    assert after.tables["weekly_observation"].parts[far] == before.tables["weekly_observation"].parts[far]


@pytest.mark.parametrize("name", ["far_next", "far_previous", "first_visit"])
def test_a_correction_next_to_a_long_gap(demo_store, own_lake, tmp_path, files, name):  # noqa: F811
    assert files[name].read_text(encoding="utf-8").count("\n") == 2  # the header and one line
    _, summary = oracle(demo_store, own_lake, tmp_path, files[name])
    assert summary.rows_replaced == 1


def test_a_correction_of_old_orders(demo_store, own_lake, tmp_path, files):  # noqa: F811
    _, summary = oracle(demo_store, own_lake, tmp_path, files["order_correction"], "orders")
    assert summary.rows_replaced == 2


def test_a_retailer_moved_reads_and_rewrites_whole_histories(demo_store, own_lake, tmp_path, files):  # noqa: F811
    _, summary = oracle(demo_store, own_lake, tmp_path, files["retailer_moved"], "retailers")
    assert summary.rows_replaced == 2


def test_a_price_change_rewrites_retailer_week_sales_from_its_effective_week_only(
    demo_store,
    own_lake,  # noqa: F811
    tmp_path,
    files,
):
    before = lake.load(own_lake)
    _, summary = oracle(demo_store, own_lake, tmp_path, files["spec_price"], "specs")
    assert summary.rows_replaced == 1
    after = lake.load(own_lake)
    changed = {
        (t, week)
        for t, spec in before.tables.items()
        if spec.partitioned and t not in kept.TABLES  # the specs table is their input: all weeks again
        for week, part in after.tables[t].parts.items()
        if spec.parts.get(week) != part
    }
    # the only roll-up holding a price: the weeks the spec sold in from the 调价's week on
    assert changed and {t for t, _ in changed} == {"retailer_week_sales"}
    assert min(week for _, week in changed) == MIDDLE_WEEK.isoformat()
    assert all(basis.current(after) for basis in KEPT)


def test_a_launch_moved_rewrites_its_launch_years_weeks_of_the_launch_tables_only(
    demo_store,
    own_lake,  # noqa: F811
    tmp_path,
    files,
):
    before = lake.load(own_lake)
    _, summary = oracle(demo_store, own_lake, tmp_path, files["launch_moved"], "specs")
    assert summary.rows_replaced == 1
    after = lake.load(own_lake)
    changed = {t for t, spec in before.tables.items() if spec.partitioned and after.tables[t] != spec}
    assert changed == {"launch_observation", "launch_order_week", *kept.TABLES}
    assert all(basis.current(after) for basis in KEPT)


def test_an_orders_file(demo_store, own_lake, tmp_path, files):  # noqa: F811
    oracle(demo_store, own_lake, tmp_path, files["orders"], "orders")


def test_files_one_after_another(demo_store, own_lake, tmp_path, files):  # noqa: F811
    """Visits, then orders, then a correction: each import starts from the lake the one before left."""
    copy = tmp_path / "oracle.duckdb"
    shutil.copyfile(demo_store, copy)
    steps = [(files["new_week"], None), (files["orders"], "orders"), (files["correction"], None)]
    for file, kind in steps:
        ingest.import_file(file, kind, db=copy, today=TODAY)
        lake.import_into_lake(own_lake, file, kind, today=TODAY)
    assert (own_lake / scratch.TEMPLATE).exists()  # the small tables kept for the next import
    lake.export_lake(tmp_path / "expected", copy)
    assert_lakes_equal(tmp_path / "expected", own_lake)


def test_a_file_with_bad_rows_quarantines_what_the_store_does(demo_store, own_lake, tmp_path, files):  # noqa: F811
    copy, summary = oracle(demo_store, own_lake, tmp_path, files["bad_rows"])
    assert summary.rows_quarantined >= 3
    held = store.reader(copy).sql("select * from quarantine")
    pd.testing.assert_frame_equal(table_frame(own_lake, "quarantine"), _sorted(held))


def test_a_refused_file_leaves_the_lake_unchanged(own_lake, files):  # noqa: F811
    before = (own_lake / lake.MANIFEST).read_bytes()
    serving = (own_lake / "serving.duckdb").stat().st_mtime_ns
    with pytest.raises(ImportRefused):
        lake.import_into_lake(own_lake, files["refused"], today=TODAY)
    assert (own_lake / lake.MANIFEST).read_bytes() == before
    assert (own_lake / "serving.duckdb").stat().st_mtime_ns == serving


def test_a_failed_import_leaves_manifest_and_serving_store_as_they_were(own_lake, files, monkeypatch):  # noqa: F811
    before = (own_lake / lake.MANIFEST).read_bytes()
    serving = (own_lake / "serving.duckdb").read_bytes()

    def fail(*args, **kwargs):
        raise OSError("killed after staging")

    monkeypatch.setattr(mf, "save", fail)
    with pytest.raises(OSError, match="killed"):
        lake.import_into_lake(own_lake, files["new_week"], today=TODAY)
    assert (own_lake / lake.MANIFEST).read_bytes() == before
    assert (own_lake / "serving.duckdb").read_bytes() == serving
    assert lake.verify(own_lake) == []
    assert not list(own_lake.glob(".staging-*"))
    monkeypatch.undo()
    lake.import_into_lake(own_lake, files["new_week"], today=TODAY)  # the next writer cleans up and succeeds
    assert NEW_WEEK.isoformat() in lake.load(own_lake).tables["visit_line"].parts


def test_a_lake_of_another_schema_version_is_refused(own_lake, files):  # noqa: F811
    manifest = lake.load(own_lake)
    manifest.schema_version -= 1
    mf.save(own_lake, manifest)
    before = (own_lake / lake.MANIFEST).read_bytes()
    with pytest.raises(StoreError, match="export-lake"):
        lake.import_into_lake(own_lake, files["correction"], today=TODAY)
    assert (own_lake / lake.MANIFEST).read_bytes() == before


def test_a_second_writer_waits_and_says_so(own_lake, files):  # noqa: F811
    held, release, told = threading.Event(), threading.Event(), []

    def hold():
        with lake.lake_lock(own_lake):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    lake.import_into_lake(own_lake, files["correction"], today=TODAY, on_wait=told.append)
    assert time.monotonic() - started >= 0.4
    holder.join()
    assert len(told) == 1
    message = lake.wait_message(own_lake, told[0])
    assert "等待" in message and "waiting" in message and str(own_lake) in message


def test_the_cli_imports_into_the_lake_and_pages_read_it(demo_store, own_lake, tmp_path, files, monkeypatch):  # noqa: F811
    copy = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, copy)
    monkeypatch.setattr(lake_ingest, "import_file", _on_day(lake_ingest.import_file))
    assert cli.main(["import", str(files["new_week"]), "--lake", str(own_lake)]) == 0
    ingest.import_file(files["new_week"], db=copy, today=TODAY)
    monkeypatch.setenv("MARKETPULSE_LAKE", str(own_lake))
    served, direct = store.reader(), store.reader(copy)  # pages' reader: the lake's serving store
    assert served.path == (own_lake / "serving.duckdb").resolve()
    for name in QUERIES:
        params = {
            k: NEW_WEEK.isoformat() if k in ("week_to", "as_of") else v for k, v in params_for(name, direct).items()
        }
        pd.testing.assert_frame_equal(served.query(name, params), direct.query(name, params), obj=name)


def _on_day(real):
    def call(*args, **kw):
        kw.setdefault("today", TODAY)
        return real(*args, **kw)

    return call


def test_the_partitions_an_import_writes_carry_their_rows_hashes_as_the_next_import_reads_them(own_lake, files):  # noqa: F811
    lake.import_into_lake(own_lake, files["new_week"], today=TODAY)
    manifest = lake.load(own_lake)
    carried = [(t, w, p) for t, spec in manifest.tables.items() for w, p in spec.parts.items() if p.row_hashes]
    assert {t for t, _, _ in carried} >= {"visit_line", "weekly_observation", "trailing_sales", "market_cell"}
    with lake_ingest.lake_lock(own_lake), lake_ingest.staging(own_lake) as stage:
        reader = scratch.Scratch(own_lake, manifest, stage)  # what the next import starts from
        for table, week, part in carried:
            monday = dt.date.fromisoformat(week)
            reader.load_weeks([table], [monday])
            assert reader._week_prints(table, [monday]) == {monday: (part.rows, int(part.row_hashes))}, (table, week)
        reader.con.close()
