"""Writing a lake table's files: rows COPYed into Hive partitions or one file a week in a staging
directory, then renamed into place under fresh names with their row count and checksum."""

from __future__ import annotations

import datetime as dt
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from marketpulse.lake import manifest as mf

WRITERS = 2  # partition files written at once by an import (a core each)


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """A table of `con`'s own database: its (column, type) in order, as a manifest records them."""
    return [
        tuple(r)
        for r in con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = $t "
            "and database_name = current_database() order by column_index",
            {"t": table},
        ).fetchall()
    ]


def _file_columns(spec: mf.Table) -> tuple[list[str], str]:
    """A partition file's columns (the partition column is its place, not a column) and the
    expression of a row's week."""
    cols = [c for c, _ in spec.columns if c != mf.PARTITION_COLUMN]
    week_expr = (
        quoted(mf.PARTITION_COLUMN)
        if spec.week_of == mf.PARTITION_COLUMN
        else f"date_trunc('week', {quoted(spec.week_of)})::date"
    )
    return cols, week_expr


def staged_partitions(
    con: duckdb.DuckDBPyConnection, source: str, spec: mf.Table, out: Path, weeks: list[dt.date] | None = None
) -> dict[str, Path]:
    """COPY the rows of relation `source` of `weeks` (None: all) into Hive partitions under `out`; week → file."""
    cols, week_expr = _file_columns(spec)
    select = (
        f"select {', '.join(map(quoted, cols))}, {week_expr} as {mf.PARTITION_COLUMN} "
        f"from {source} where $all or {week_expr} in (select unnest($weeks::date[]))"
    )
    con.execute(
        f"copy ({select}) to $out (format parquet, partition_by ({mf.PARTITION_COLUMN}), filename_pattern 'part_{{i}}')",
        {"all": weeks is None, "weeks": weeks or [], "out": str(out)},
    )
    found = {}
    for path in sorted(out.glob(f"{mf.PARTITION_COLUMN}=*/*.parquet")):
        week = path.parent.name.split("=", 1)[1]
        if week in found:  # one file per partition is what the manifest records
            raise RuntimeError(f"several files for {source} week {week}")
        found[week] = path
    return found


def staged_weeks(
    con: duckdb.DuckDBPyConnection, jobs: list[tuple[str, mf.Table, dt.date]], out: Path
) -> list[Path | None]:
    """COPY the rows of each (relation, table spec, week) in `jobs` into a file of its own under
    `out`, WRITERS at a time; the files in order, None for a week without rows.

    For the few weeks an import rewrites: a single file's COPY runs on about one core, where
    partitioning a whole table by week takes twice the CPU for the same files."""

    def write(number: int, job: tuple[str, mf.Table, dt.date], cur: duckdb.DuckDBPyConnection) -> Path | None:
        source, spec, week = job
        cols, week_expr = _file_columns(spec)
        path = out / f"part_{number}.parquet"
        rows = cur.execute(
            f"copy (select {', '.join(map(quoted, cols))} from {source} where {week_expr} = $week) "
            "to $out (format parquet)",
            {"week": week, "out": str(path)},
        ).fetchone()[0]
        if rows == 0:
            path.unlink()
            return None
        return path

    out.mkdir(parents=True, exist_ok=True)
    cursors = [con.cursor() for _ in jobs]  # the same database, a connection of its own per COPY
    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            return list(pool.map(write, range(len(jobs)), jobs, cursors))
    finally:
        for cur in cursors:
            cur.close()


def publish_file(lake: Path, con: duckdb.DuckDBPyConnection, table: str, week: str, written: Path) -> mf.Part:
    """Rename a staged file into its partition under a fresh name; its rows and checksum."""
    rows = con.execute("select count(*) from read_parquet($f)", {"f": str(written)}).fetchone()[0]
    name = mf.new_part_name(table, week)
    final = lake / name
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = mf.temp_path(final)
    shutil.move(written, tmp)  # same file system: a rename
    mf.publish(tmp, final)
    return mf.Part(file=name, rows=rows, sha256=mf.sha256(final))
