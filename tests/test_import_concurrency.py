"""Imports against real processes: killed half way, while a dashboard reads, two at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from marketpulse import ingest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
TODAY = dt.date(2025, 12, 31)
VISITS_EN = "visit_date,cm_code,license_no,spec_code,stock_qty,retail_price,on_shelf,sales_qty,notes"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """A reference store (through the import path) and a 300,000-line visits file."""
    base = tmp_path_factory.mktemp("city")
    db = base / "store.duckdb"
    for name in ["territories.csv", "customer_managers.csv", "specs.csv"]:
        ingest.import_file(DATA / name, db=db, today=TODAY)
    retailers, big = base / "retailers.csv", base / "big.csv"
    with duckdb.connect() as con:
        con.execute(f"""
            copy (select 'L' || lpad(i::varchar, 6, '0') as license_no, '店' || i as retailer_name, '食杂店' as format,
                         1 + i % 30 as tier, 'T' || (1 + i % 3) as territory_code, 'C' || (1 + i % 3) as cm_code
                  from range(2000) as t(i)) to '{retailers}' (header)""")
        con.execute(f"""
            copy (select strftime(date '2024-12-02' + (7 * w)::integer, '%Y-%m-%d') as visit_date, 'C' || (1 + i % 3) as cm_code,
                         'L' || lpad(i::varchar, 6, '0') as license_no, 'S' || s as spec_code,
                         ((i + w) % 40)::varchar as stock_qty, '450' as retail_price
                  from range(2000) as a(i), range(50) as b(w), range(1, 4) as c(s)
                  ) to '{big}' (header)""")
    ingest.import_file(retailers, db=db, today=TODAY)
    return db, big


@pytest.fixture
def live(city, tmp_path):
    db = tmp_path / "store.duckdb"
    shutil.copyfile(city[0], db)
    return db


def env_for(db):
    return {**os.environ, "MARKETPULSE_DB": str(db), "PYTHONPATH": str(ROOT)}


def cli_import(db, *files, **kw):
    return subprocess.Popen(
        [sys.executable, "-m", "marketpulse", "import", *map(str, files)],
        env=env_for(db),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def building_files(db):
    return list(db.parent.glob(f".{db.name}.*.building*"))


def wait_for(condition, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def fingerprint(db):
    with duckdb.connect(str(db), read_only=True) as con:
        counts = {
            t: con.execute(f"select count(*) from {t}").fetchall()[0][0]
            for t in ("visit_line", "quarantine", "import_log", "weekly_observation", "retailer")
        }
    return hashlib.sha256(db.read_bytes()).hexdigest(), counts


def small_visits(path, stock=7):
    path.write_text(f"{VISITS_EN}\n2025-09-01,C1,L000000,S1,{stock},450,是,,\n", encoding="utf-8")
    return path


def test_import_killed_half_way_leaves_the_store_as_it_was(live, city, tmp_path):
    before = fingerprint(live)
    proc = cli_import(live, city[1])
    try:
        wait_for(lambda: building_files(live) or proc.poll() is not None, what="the import to start writing")
        time.sleep(0.3)  # well inside validation / insert of 300,000 lines
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    assert building_files(live), "the killed writer's private copy is left behind"
    assert fingerprint(live) == before  # byte for byte, count for count

    summary = ingest.import_file(small_visits(tmp_path / "after.csv"), db=live, today=TODAY)
    assert (summary.status, summary.rows_stored) == ("stored", 1)
    assert not building_files(live)  # stale copy cleaned by the next writer
    assert fingerprint(live)[1]["visit_line"] == 1


READER = r"""
import sys, time
from marketpulse import store
r = store.reader(sys.argv[1])
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    n = r.sql("select count(*) as n from visit_line")["n"][0]
    print(f"visit_line {n}", flush=True)
    if n > 0:
        break
    time.sleep(0.1)
"""


def test_cli_import_goes_through_while_a_dashboard_reads(live, tmp_path):
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(live)],
        env=env_for(live),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "visit_line 0"  # the reader has the store open
        importer = cli_import(live, small_visits(tmp_path / "v.csv"))
        out, err = importer.communicate(timeout=120)
        assert importer.returncode == 0, err
        assert "入库 1 行" in out
        # the reader, still running, sees the new row on its next query
        seen = [line.strip() for line in reader.stdout]
        assert seen[-1] == "visit_line 1"
        assert reader.wait(timeout=30) == 0
    finally:
        reader.kill()
        reader.wait()


def test_second_import_waits_for_the_first_and_says_so(live, city, tmp_path):
    first = cli_import(live, city[1])
    try:
        wait_for(lambda: building_files(live) or first.poll() is not None, what="the first import to take the lock")
        assert first.poll() is None, "the first import finished too early to be waited for"
        second = cli_import(live, small_visits(tmp_path / "late.csv", stock=3))
        out2, err2 = second.communicate(timeout=300)
        out1, err1 = first.communicate(timeout=300)
    finally:
        first.kill()
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert "等待其完成" in out2 and "waiting for it to finish" in out2
    with duckdb.connect(str(live), read_only=True) as con:
        logs = con.execute(
            "select file_name, status, rows_read from import_log where kind = 'visits' order by import_id"
        ).fetchall()
        stock = con.execute(
            "select stock_qty::double from visit_line where visit_date = '2025-09-01' "
            "and license_no = 'L000000' and spec_code = 'S1'"
        ).fetchall()
    assert logs == [("big.csv", "stored", 300_000), ("late.csv", "stored", 1)]
    assert stock == [(3.0,)]  # the later import's correction won
