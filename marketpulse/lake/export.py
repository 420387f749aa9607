"""Writing the lake from the DuckDB store: week-keyed tables by week, the rest whole.

A run exports every week (or only `weeks`), replacing just those partitions: each file is
written by DuckDB's COPY into a staging directory inside the lake, renamed into place, then
the manifest is swapped in and the files it no longer names are removed. One writer at a
time: a second export waits for the lake's lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import duckdb

from marketpulse import i18n
from marketpulse.errors import StoreError
from marketpulse.lake import kept
from marketpulse.lake import manifest as mf
from marketpulse.lake.files import publish_file, staged_partitions
from marketpulse.lake.files import quoted as _quoted
from marketpulse.lake.serving import build_serving
from marketpulse.store.paths import ATTACH_ALIAS, db_path
from marketpulse.store.schema import stored_version
from marketpulse.store.writer import ensure_current

log = logging.getLogger(__name__)

LOCK = ".lock"


def wait_message(lake: Path | str, holder: str) -> str:
    """The bilingual notice that this writer waits for `holder` to finish writing the lake."""
    return " / ".join(i18n.t("lake.write_wait", lang, lake=lake, holder=holder) for lang in ("zh", "en"))


@contextlib.contextmanager
def lake_lock(
    lake: Path,
    on_wait: Callable[[str], None] | None = None,
    waiting: Callable[[float], None] | None = None,
) -> Iterator[None]:
    """Hold the lake's writer lock; a second writer waits here and says so.

    `on_wait(holder)` is told once if another writer holds the lock (default: a logged
    warning), `waiting(seconds)` every 0.2 s while it waits (it may raise to give up).
    """
    lake.mkdir(parents=True, exist_ok=True)
    with open(lake / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            (on_wait or (lambda who: log.warning(wait_message(lake, who))))(holder)
            started = time.monotonic()
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if waiting is not None:
                        waiting(time.monotonic() - started)
                    time.sleep(0.2)
        with contextlib.suppress(OSError):  # who holds the lock is a courtesy note
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}")
            handle.flush()
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                handle.seek(0)
                handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def staging(lake: Path) -> Iterator[Path]:
    """A scratch directory inside the lake (same file system, so renames out of it are atomic)."""
    path = lake / f".staging-{time.time_ns()}"
    path.mkdir()
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def store_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """Every table of the attached store that may leave it, with its (column, type) in order."""
    rows = con.execute(
        "select table_name, list((column_name, data_type) order by column_index) from duckdb_columns() "
        "where database_name = $db and schema_name = 'main' "
        "and table_name in (select table_name from duckdb_tables() where database_name = $db) group by table_name",
        {"db": ATTACH_ALIAS},
    ).fetchall()
    return {name: [tuple(c) for c in cols] for name, cols in rows if name not in mf.PRIVATE_TABLES}


def week_column(table: str, columns: list[tuple[str, str]]) -> str | None:
    """The column a table is partitioned by: a fact's date, a roll-up's `week`; None when kept whole."""
    if table in mf.FACT_DATES:
        return mf.FACT_DATES[table]
    return mf.PARTITION_COLUMN if (mf.PARTITION_COLUMN, "DATE") in columns else None


def export_lake(
    lake: Path | str,
    store_path: Path | str | None = None,
    weeks: Iterable[str | dt.date] | None = None,
    replace: bool = False,
) -> mf.Manifest:
    """Export the store at `store_path` into the lake at `lake`; only `weeks` (Mondays) when given.

    Tables kept whole are rewritten every time (they are small); each week-keyed table gets
    exactly the partitions of the weeks exported, a week without rows losing its partition.
    A lake written since its last export (imports, rule edits, approvals made in the lake) is
    refused unless `replace`: the store does not hold those writes, the export would drop them.
    """
    lake = Path(lake)
    store_path = Path(store_path or db_path())
    ensure_current(store_path)  # the lake holds the current schema, as readers expect
    week_list = None if weeks is None else sorted({dt.date.fromisoformat(str(w)[:10]) for w in weeks})
    with lake_lock(lake), duckdb.connect(":memory:") as con, staging(lake) as stage:
        con.execute(f"attach $p as {ATTACH_ALIAS} (read_only)", {"p": str(store_path)})
        version = stored_version(con, ATTACH_ALIAS)
        manifest = mf.load_or_new(lake, version)
        if manifest.lake_writes and not replace:
            raise StoreError(
                " / ".join(
                    i18n.t("lake.export_over_writes", lang, lake=lake, n=manifest.lake_writes) for lang in ("zh", "en")
                )
            )
        manifest.schema_version = version
        manifest.lake_writes = 0
        tables = store_tables(con)
        for table in set(manifest.tables) - set(tables) - set(kept.TABLES):  # the lake's own stay
            del manifest.tables[table]
        for table, columns in sorted(tables.items()):
            old = manifest.tables.get(table)
            spec = mf.Table(columns=columns, week_of=week_column(table, columns))
            same = old is not None and (old.columns, old.week_of) == (spec.columns, spec.week_of)
            out = stage / table
            if spec.partitioned:
                # a new or changed table is exported with all its weeks, whatever was asked
                table_weeks = week_list if same else None
                written = staged_partitions(con, f"{ATTACH_ALIAS}.main.{_quoted(table)}", spec, out, table_weeks)
                if table_weeks is not None:
                    spec.parts = {w: p for w, p in old.parts.items() if dt.date.fromisoformat(w) not in table_weeks}
                for week, path in written.items():
                    spec.parts[week] = publish_file(lake, con, table, week, path)
            else:
                out.mkdir()
                path = out / "part_0.parquet"
                con.execute(f"copy {ATTACH_ALIAS}.main.{_quoted(table)} to $out (format parquet)", {"out": str(path)})
                spec.parts = {"": publish_file(lake, con, table, "", path)}
            manifest.tables[table] = spec
            log.info("lake: %s exported (%d partitions)", table, len(spec.parts))
        mf.save(lake, manifest)
        build_serving(lake, manifest)
        mf.remove_stale(lake, manifest)
        kept.publish(lake, manifest, stage)
    return manifest
