"""Bringing a kept table (kept_basis.Basis) up to date with the lake's inputs: evaluating again
the weeks a write's changed inputs reach, keeping the other rows of those weeks, and writing one
partition per week. The evaluation itself is the table's own (alert_week, uptake_week)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import duckdb

from marketpulse.lake import manifest as mf
from marketpulse.lake.files import publish_file, staged_partitions, table_columns
from marketpulse.lake.kept_basis import LEVELS, WHOLE, Basis, changed_weeks
from marketpulse.lake.serving import view_sql
from marketpulse.store.queries import bind

log = logging.getLogger(__name__)

MEMORY_LIMIT = "1GB"  # a whole history's evaluation spills past it (a rule edit at the province)

# what an evaluation reached: week → (whether its rows but the launch rows were evaluated again,
# the specs whose launch rows were)
Reach = dict[dt.date, tuple[bool, tuple[str, ...]]]
# (connection holding the inputs as views, every week the inputs hold, weeks whose inputs
# changed, weeks whose launch inputs changed) → what it reached, its rows in table basis.table
Evaluate = Callable[[duckdb.DuckDBPyConnection, list[dt.date], list[dt.date], list[dt.date]], Reach]


def keep(lake: Path, manifest: mf.Manifest, stage: Path, basis: Basis, evaluate: Evaluate) -> list | None:
    """Bring `manifest`'s `basis.table` up to date with its inputs (their files in place),
    evaluating again what the changed inputs reach: the (table, week) partitions it replaced, for
    the writer to remove once the manifest is saved; None when it was up to date."""
    table = basis.table
    now = basis.digests(manifest)
    old = manifest.tables.get(table)
    weeks = [dt.date.fromisoformat(w) for w in now if w != WHOLE]
    if old is not None and old.basis == now:
        return None
    full = old is None or old.basis.get(WHOLE) != now[WHOLE]
    changed, launched = ([], []) if full else changed_weeks(old.basis, now)
    # rows go to partitions by week, in any order: insertion order kept would hold them in memory
    config = {
        "memory_limit": MEMORY_LIMIT,
        "temp_directory": str(stage / f"{table}_spill"),
        "preserve_insertion_order": False,
    }
    with duckdb.connect(":memory:", config=config) as con:
        for name in basis.inputs:
            con.execute(f'create view "{name}" as {view_sql(lake, manifest, name)}')
        if not full:
            reach = evaluate(con, weeks, *([dt.date.fromisoformat(w) for w in c] for c in (changed, launched)))
            full = table_columns(con, table) != old.columns
        if full:
            reach = evaluate(con, weeks, weeks, weeks)
        else:
            _keep_the_rest(con, lake, old, basis, reach)
        new = mf.Table(columns=table_columns(con, table), week_of=mf.PARTITION_COLUMN, basis=now)
        if not full:
            new.parts = {w: p for w, p in old.parts.items() if w in now and dt.date.fromisoformat(w) not in reach}
        for week, path in staged_partitions(con, table, new, stage / table).items():
            new.parts[week] = publish_file(lake, con, table, week, path)
    manifest.tables[table] = new
    log.info("lake: %s, %d of %d weeks evaluated", table, len(reach), len(weeks))
    return [(table, w) for w, p in (old.parts if old else {}).items() if new.parts.get(w) is not p]


def _keep_the_rest(con: duckdb.DuckDBPyConnection, lake: Path, old: mf.Table, basis: Basis, reach: Reach) -> None:
    """Add to the table the old rows of the weeks it rewrites that were not evaluated again: the
    launch rows of the other specs, and in a week reached by launch rows alone, the other rows."""
    files = [str(lake / p.file) for w, p in sorted(old.parts.items()) if dt.date.fromisoformat(w) in reach]
    if not files:
        return
    cols = ", ".join(f'o."{c}"' for c, _ in old.columns)
    redone = [{"week": w, "windowed": windowed, "specs": list(specs)} for w, (windowed, specs) in reach.items()]
    kept = {  # a table without launch rows has no spec to tell them by
        "false": "not x.r.windowed",
        "true": "not list_contains(x.r.specs, o.spec_code)",
    }.get(
        basis.launch_rows,
        f"case when {basis.launch_rows} then not list_contains(x.r.specs, o.spec_code) else not x.r.windowed end",
    )
    con.execute(
        f"""
        insert into {basis.table}
        select {cols}
        from read_parquet($files, hive_partitioning = true, hive_types = {{'week': 'date'}}) as o
        join (select unnest($redone::struct(week date, windowed boolean, specs varchar[])[]) as r) as x
            on x.r.week = o.week
        where {kept}
        """,
        {"files": files, "redone": redone},
    )


def runs(weeks: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive weeks as (first, last) runs: each evaluated in one statement."""
    found: list[list[dt.date]] = []
    for week in weeks:
        if found and week - found[-1][1] == dt.timedelta(days=7):
            found[-1][1] = week
        else:
            found.append([week, week])
    return [(a, b) for a, b in found]


def week_by_week(basis: Basis, params: dict) -> Evaluate:
    """The evaluation of a table whose week's rows read that week alone (compliance_week,
    level_week_total): `basis.query` bound with `params`, over each run of the changed weeks,
    each level in a statement of its own."""

    def evaluate(
        con: duckdb.DuckDBPyConnection, weeks: list[dt.date], changed: list[dt.date], launched: list[dt.date]
    ) -> Reach:
        def bound(first: dt.date, last: dt.date, level: str) -> tuple[str, dict]:
            return bind(basis.query, {**params, "week_from": first, "week_to": last, "level": level})

        empty, empty_params = bound(dt.date(2000, 1, 3), dt.date(2000, 1, 3), LEVELS[0])
        con.execute(f"create or replace table {basis.table} as select * from ({empty}) where false", empty_params)
        redone = sorted(set(changed) & set(weeks))
        for first, last in runs(redone):
            for level in LEVELS:
                sql, level_params = bound(first, last, level)
                con.execute(f"insert into {basis.table} {sql}", level_params)
        return {w: (True, ()) for w in redone}

    return evaluate
