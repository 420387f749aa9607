"""The lake: Hive partitions by week, a manifest with row counts and checksums, a week
re-exported replaces only its own partition, files appear only by rename, the roll-ups
rebuilt from the lake's facts equal the store's, and the DuckDB serving store over it
(MARKETPULSE_LAKE) answers the named queries as the store does.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
import shutil

import duckdb
import pandas as pd
import pytest
from test_queries_contract import QUERIES, params_for

from marketpulse import cli, lake, rollup, store
from marketpulse.errors import StoreError
from marketpulse.lake import kept
from marketpulse.lake import manifest as mf
from marketpulse.lake.files import staged_weeks
from marketpulse.lake.kept_basis import KEPT
from marketpulse.store.reader import LAKE_SERVING_FILE

LAST_WEEK = "2026-11-16"


@pytest.fixture(scope="module")
def exported(demo_store, tmp_path_factory):
    path = tmp_path_factory.mktemp("lake") / "lake"
    lake.export_lake(path, demo_store)
    return path


@pytest.fixture
def own_lake(exported, tmp_path):
    """A copy of the exported lake a test may change (its serving store rebuilt for the new place)."""
    path = tmp_path / "lake"
    shutil.copytree(exported, path)
    lake.build_serving(path)
    return path


def test_facts_and_rollups_are_hive_partitioned_by_week(exported, demo_store):
    manifest = lake.load(exported)
    for table in ("visit_line", "order_line", "weekly_observation"):
        spec = manifest.tables[table]
        assert spec.partitioned and LAST_WEEK in spec.parts
        assert spec.parts[LAST_WEEK].file.startswith(f"{table}/week={LAST_WEEK}/part-")
    assert not manifest.tables["spec"].partitioned
    assert set(manifest.tables).isdisjoint(lake.PRIVATE_TABLES)  # no password hashes, no webhooks
    reader = store.reader(demo_store)
    for table, spec in manifest.tables.items():
        if table in kept.TABLES:  # the lake's own: see test_alert_week.py, test_uptake_week.py
            continue
        expected = reader.sql(f"select count(*) as n from {table}")["n"][0]
        assert sum(p.rows for p in spec.parts.values()) == expected, table
    week_rows = reader.sql(
        "select count(*) as n from visit_line where date_trunc('week', visit_date) = $w", {"w": LAST_WEEK}
    )["n"][0]
    assert manifest.tables["visit_line"].parts[LAST_WEEK].rows == week_rows


def test_manifest_checksums_catch_a_changed_file(own_lake):
    assert lake.verify(own_lake) == []
    part = lake.load(own_lake).tables["visit_line"].parts[LAST_WEEK]
    with open(own_lake / part.file, "r+b") as f:
        f.seek(100)
        f.write(b"\0\0\0\0")
    assert lake.verify(own_lake) == [part.file]
    data = json.loads((own_lake / lake.MANIFEST).read_text(encoding="utf-8"))
    assert data["schema_version"] == store.SCHEMA_VERSION and data["format"] == "marketpulse-lake"


def test_reexporting_a_week_replaces_only_its_partition(own_lake, demo_store):
    before = lake.load(own_lake)
    after = lake.export_lake(own_lake, demo_store, weeks=[LAST_WEEK])
    for table, spec in after.tables.items():
        if not spec.partitioned or table in kept.TABLES:  # the weeks the export reaches: test_alert_week.py
            continue
        for week, part in spec.parts.items():
            old = before.tables[table].parts[week]
            if week == LAST_WEEK:
                assert part.file != old.file and part.rows == old.rows
                assert not (own_lake / old.file).exists()  # the replaced file is gone
            else:
                assert part == old and (own_lake / part.file).exists()
    assert all(basis.current(after) for basis in KEPT)
    assert lake.verify(own_lake) == []


def test_partitions_and_manifest_arrive_by_rename(own_lake, demo_store, monkeypatch):
    renames = []
    real_replace = mf.os.replace

    def replace(src, dst):
        renames.append((str(src), str(dst)))
        assert (own_lake / lake.MANIFEST).exists()  # the old manifest stays until the new one replaces it
        return real_replace(src, dst)

    monkeypatch.setattr(mf.os, "replace", replace)
    lake.export_lake(own_lake, demo_store, weeks=[LAST_WEEK])
    targets = [dst for _, dst in renames]
    assert any(f"week={LAST_WEEK}/part-" in t for t in targets)
    # the export's data, then, if its files changed what they reach, the alerts kept of it
    manifests = [i for i, t in enumerate(targets) if t == str(own_lake / lake.MANIFEST)]
    assert all(src.endswith(".tmp") and "/." in src for src, _ in renames)  # hidden, never *.parquet
    # each manifest goes in after every partition it names
    kept_files = [f"/{table}/" for table in kept.TABLES]
    data = [i for i, t in enumerate(targets) if "/part-" in t and not any(k in t for k in kept_files)]
    alerts = [i for i, t in enumerate(targets) if any(k in t for k in kept_files)]
    assert max(data) < manifests[0] and len(manifests) == 1 + bool(alerts)
    assert all(manifests[0] < i < manifests[-1] for i in alerts)


def test_a_failed_export_leaves_the_lake_as_it_was(own_lake, demo_store, monkeypatch):
    before = (own_lake / lake.MANIFEST).read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(mf, "save", fail)
    with pytest.raises(OSError):
        lake.export_lake(own_lake, demo_store, weeks=[LAST_WEEK])
    assert (own_lake / lake.MANIFEST).read_bytes() == before
    assert lake.verify(own_lake) == []
    assert not list(own_lake.glob(".staging-*"))


def test_no_lake_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="export-lake"):
        lake.load(tmp_path)


@pytest.mark.parametrize("name", QUERIES)
def test_pages_read_the_lake_through_its_serving_store(exported, demo_store, monkeypatch, name):
    monkeypatch.setenv("MARKETPULSE_LAKE", str(exported))
    served = store.reader()  # what pages get: no path given
    assert served.path == (exported / LAKE_SERVING_FILE).resolve()
    direct = store.reader(demo_store)
    params = params_for(name, direct)
    pd.testing.assert_frame_equal(served.query(name, params), direct.query(name, params))


def test_the_serving_store_is_small_and_holds_no_facts(exported):
    with duckdb.connect(str(exported / "serving.duckdb"), read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert tables == {"schema_version"}  # everything else is a view over the Parquet files
    assert (exported / "serving.duckdb").stat().st_size < 2_000_000


def test_a_lake_moved_whole_still_serves(exported, demo_store, tmp_path):
    first, moved = tmp_path / "first" / "lake", tmp_path / "moved" / "lake"
    shutil.copytree(exported, first)
    shutil.copytree(first, moved)  # its serving store copied as it is, not rebuilt
    shutil.rmtree(first)  # nothing may still point there
    with duckdb.connect(str(moved / LAKE_SERVING_FILE), read_only=True) as con:
        text = " ".join(r[0] for r in con.execute("select sql from duckdb_views() where not internal").fetchall())
    assert "read_parquet" in text and str(tmp_path) not in text and str(exported) not in text
    served = store.Reader(moved / LAKE_SERVING_FILE)
    direct = store.reader(demo_store)
    params = params_for("sales_volume", direct)
    pd.testing.assert_frame_equal(served.query("sales_volume", params), direct.query("sales_volume", params))


def rollup_differences(lake_dir, store_path) -> dict[str, tuple[int, int]]:
    """Per roll-up table, rows the lake has and the store has not, and the other way round."""
    with duckdb.connect() as con:
        lake.search_lake(con, lake_dir)
        con.execute(f"attach '{lake_dir / LAKE_SERVING_FILE}' as lake (read_only)")
        con.execute(f"attach '{store_path}' as st (read_only)")
        found = {}
        for table in lake.ROLLUP_TABLES:
            extra, missing = (
                con.execute(f"select count(*) from (from {a}.{table} except all from {b}.{table})").fetchone()[0]
                for a, b in (("lake", "st"), ("st", "lake"))
            )
            found[table] = (extra, missing)
    return found


def test_the_lake_builds_what_rollup_refresh_builds():
    run = re.findall(
        r'_execute\(con, "(\w+)"\)|execute_file\(con, "rollup/(\w+)\.sql"\)|_in_batches\(con, (BATCHED)\)',
        inspect.getsource(rollup.refresh),
    )
    assert tuple(f for a, b, batched in run for f in (rollup.BATCHED if batched else (a or b,))) == lake.ROLLUP_FILES
    emptied = re.findall(r'delete from (\w+)"', inspect.getsource(rollup.rebuild))
    assert sorted(emptied) == sorted(lake.ROLLUP_TABLES)


def test_the_rollups_rebuilt_on_the_lake_equal_the_store(own_lake, demo_store):
    before = lake.load(own_lake)
    assert cli.main(["rollup", "--lake", str(own_lake)]) == 0  # --engine duckdb
    after = lake.load(own_lake)
    for table in lake.ROLLUP_TABLES:
        assert after.tables[table].parts.keys() == before.tables[table].parts.keys()
        old = {p.file for p in before.tables[table].parts.values()}
        assert old.isdisjoint(p.file for p in after.tables[table].parts.values())  # all new files
    derived = (*lake.ROLLUP_TABLES, *kept.TABLES)
    assert all(after.tables[t] == before.tables[t] for t in before.tables if t not in derived)
    assert all(basis.current(after) for basis in KEPT)
    assert lake.verify(own_lake) == []
    assert rollup_differences(own_lake, demo_store) == dict.fromkeys(lake.ROLLUP_TABLES, (0, 0))
    assert not list(own_lake.glob(".staging-*"))


def test_an_imports_few_weeks_are_written_a_file_each_and_a_week_without_rows_gets_none(tmp_path):
    with duckdb.connect() as con:
        con.execute(
            "create table visit_line as select * from (values (date '2026-11-16', 'R1', 3), "
            "(date '2026-11-18', 'R2', 4), (date '2026-11-23', 'R1', 5)) as v(visit_date, license_no, stock_qty)"
        )
        con.execute("create table market_cell as select date '2026-11-16' as week, 'S1' as spec_code, 7 as n")
        facts = mf.Table(
            columns=[("visit_date", "DATE"), ("license_no", "VARCHAR"), ("stock_qty", "INTEGER")], week_of="visit_date"
        )
        cells = mf.Table(columns=[("week", "DATE"), ("spec_code", "VARCHAR"), ("n", "INTEGER")], week_of="week")
        monday = dt.date(2026, 11, 16)
        jobs = [
            ("visit_line", facts, monday),
            ("visit_line", facts, monday + dt.timedelta(days=7)),
            ("visit_line", facts, monday + dt.timedelta(days=14)),  # no visit that week
            ("market_cell", cells, monday),
        ]
        files = staged_weeks(con, jobs, tmp_path)
        assert files[2] is None
        got = [con.execute(f"select * from '{f}' order by all").fetchall() for f in files if f]
    # each file: its week's rows, the partition column left to the file's place (as Hive partitions)
    assert got == [
        [(dt.date(2026, 11, 16), "R1", 3), (dt.date(2026, 11, 18), "R2", 4)],
        [(dt.date(2026, 11, 23), "R1", 5)],
        [("S1", 7)],
    ]
