"""Faults met by real processes: a full disk (RLIMIT_FSIZE), a damaged or truncated store, a
store from a newer release, a read-only folder, an import waiting for the write lock. Each
ends with a clear bilingual message and exit code, no traceback, no debris, and the live
store exactly as it was."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from marketpulse import errors, i18n, ingest, views
from marketpulse.store.writer import fault as writer_fault

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
TODAY = dt.date(2025, 12, 31)
V = "visit_date,cm_code,license_no,spec_code,stock_qty,retail_price,on_shelf,sales_qty,notes"


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "store.duckdb"
    for name in ["territories.csv", "customer_managers.csv", "retailers.csv", "specs.csv"]:
        ingest.import_file(DATA / name, db=path, today=TODAY)
    return path


@pytest.fixture
def live(reference_store, tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "marketpulse.duckdb"
    shutil.copyfile(reference_store, path)
    return path


@pytest.fixture
def visits(tmp_path):
    lines = [V] + [f"2025-09-{d:02d},C1,R1,S1,{d},450,是,,第{d}天" for d in range(1, 29)]
    path = tmp_path / "visits.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(args, db: Path, tmp: Path, fsize: int | None = None) -> subprocess.CompletedProcess:
    """`python -m marketpulse …` in a child process, optionally with a file size limit (a full disk)."""
    env = {**os.environ, "MARKETPULSE_DB": str(db), "TMPDIR": str(tmp)}

    def limit():
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-m", "marketpulse", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit,
        check=False,
    )


def debris(folder: Path) -> list[str]:
    return sorted(
        p.name for p in folder.iterdir() if p.name.endswith((".building", ".wal", ".tmp")) or ".building" in p.name
    )


@pytest.mark.parametrize("room", [0, 256 * 1024], ids=["copy-fails", "write-fails"])
def test_a_full_disk_leaves_the_store_and_the_folder_as_they_were(live, visits, tmp_path, room):
    before = digest(live)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    done = run_cli(["import", str(visits)], live, tmp, fsize=live.stat().st_size // 2 if not room else room)
    assert done.returncode == 3, done.stderr
    assert "磁盘已满" in done.stderr and "disk is full" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert debris(live.parent) == []
    assert list(tmp.iterdir()) == []  # the import's temporary folder is gone too
    assert digest(live) == before


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_store_is_named_and_left_alone(live, visits, tmp_path, damage):
    data = live.read_bytes()
    live.write_bytes(b"not a duckdb file" * 1000 if damage == "garbage" else data[: len(data) // 3])
    before = digest(live)
    done = run_cli(["import", str(visits)], live, tmp_path)
    assert done.returncode == 3, done.stderr
    assert "已损坏" in done.stderr and "damaged or truncated" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert debris(live.parent) == []
    assert digest(live) == before


def test_a_store_from_a_newer_release_is_refused(live, visits, tmp_path):
    with duckdb.connect(str(live)) as con:
        con.execute("insert into schema_version values (999, now())")
    before = digest(live)
    done = run_cli(["import", str(visits)], live, tmp_path)
    assert done.returncode == 3, done.stderr
    assert "升级 MarketPulse" in done.stderr and "upgrade MarketPulse" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert debris(live.parent) == []
    assert digest(live) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_named(live, visits, tmp_path):
    live.parent.chmod(0o555)
    try:
        done = run_cli(["import", str(visits)], live, tmp_path)
    finally:
        live.parent.chmod(0o755)
    assert done.returncode == 3 and "只读" in done.stderr and "read-only" in done.stderr


@pytest.mark.parametrize("number", [errno.EROFS, errno.EACCES])
def test_read_only_and_permission_errors_read_as_such(number, tmp_path):
    fault = writer_fault(OSError(number, os.strerror(number)), tmp_path / "x.duckdb")
    assert "只读" in str(fault) and "read-only" in str(fault)


def hold_lock(db: Path, seconds: float) -> subprocess.Popen:
    """Another process that holds the store's write lock for `seconds`."""
    code = (
        "import fcntl, sys, time\n"
        "fh = open(sys.argv[1], 'a+')\n"
        "fcntl.flock(fh, fcntl.LOCK_EX)\n"
        "fh.seek(0); fh.truncate(); fh.write('pid test-holder'); fh.flush()\n"
        "print('held', flush=True)\n"
        "time.sleep(float(sys.argv[2]))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(db) + ".lock", str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


class Cancelled(Exception):
    pass


def test_an_upload_waiting_for_the_lock_says_so_and_can_be_cancelled(live, visits, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(live))
    before = digest(live)
    holder = hold_lock(live, 30)
    told, ticks = [], []

    def waiting(seconds):
        ticks.append(seconds)
        if seconds > 0.5:
            raise Cancelled  # the page's cancel button does this through a rerun

    try:
        with pytest.raises(Cancelled):
            views.import_upload(visits.read_bytes(), "v.csv", None, None, on_wait=told.append, waiting=waiting)
    finally:
        holder.kill()
        holder.wait()
    assert told == ["pid test-holder"] and ticks
    assert digest(live) == before and debris(live.parent) == []
    summary = views.import_upload(visits.read_bytes(), "v.csv", None, None)  # the lock is free again
    assert summary.rows_stored == 28


def test_the_data_page_shows_the_wait_then_the_result(live, visits, monkeypatch, signed_in):
    monkeypatch.setenv("MARKETPULSE_DB", str(live))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)).run()
    at.switch_page("app_pages/8_data.py").run()
    holder = hold_lock(live, 3)
    try:
        at.file_uploader(key="upload").upload("v.csv", visits.read_bytes(), "text/csv")
        started = time.monotonic()
        at.button[0].click().run()
        assert time.monotonic() - started >= 2
    finally:
        holder.wait()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(i.value for i in at.info)
    assert "另一个导入正在写入数据库(pid test-holder)" in shown and "可以取消" in shown
    assert any(b.label == "取消导入" for b in at.button)
    assert "读取 28 行" in " ".join(m.value for m in [*at.success, *at.warning])


def test_the_upload_limit_is_a_rule(live, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(live))
    with duckdb.connect(str(live)) as con:
        con.execute("update setting set value = '0.0001' where key = 'import_max_upload_mb'")
    with pytest.raises(errors.ImportRefused) as err:
        views.import_upload(b"x" * 1000, "big.csv", None, None)
    assert "超过上传上限" in str(err.value) and "upload limit" in str(err.value)


def test_the_header_says_when_the_import_just_made_ran(live, visits, monkeypatch, signed_in):
    monkeypatch.setenv("MARKETPULSE_DB", str(live))
    none_yet = i18n.t("fresh.none", "zh")
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)).run()
    at.switch_page("app_pages/8_data.py").run()
    assert none_yet in [c.value for c in at.caption]  # reference files only: no visit yet
    at.file_uploader(key="upload").upload("v.csv", visits.read_bytes(), "text/csv")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    with duckdb.connect(str(live), read_only=True) as con:
        (at_time,) = con.execute("select max(imported_at) from import_log where status = 'stored'").fetchone()
    shown = [c.value for c in at.caption]
    # the visits' week (2025-09-01 … 28 lie in the weeks up to that of 2025-09-22) and this import's time
    fresh = [c for c in shown if "数据截至 2025-09-22 当周" in c]
    assert none_yet not in shown and len(fresh) == 1 and f"最近导入于 {at_time:%Y-%m-%d %H:%M}" in fresh[0]
