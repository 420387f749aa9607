"""The alerts the lake keeps: base/alert_rows for the whole city, unfiltered, one partition per
week (table alert_week), so the weekly review reads its alerts instead of evaluating them.

What a week's alert rows read (base/alert_rows): the inputs kept whole, and of the inputs kept
by week that week and the three before it (four-week windows; market cells carry their own
trailing sales) — but for 新品滞后, whose reach so far goes back to the spec's launch. So a write
evaluates again the weeks whose last four weeks of inputs changed, and 新品滞后 from the first
week its own inputs changed (alert_basis.LAUNCH_INPUTS) to the end of each launch year that
week lies in; a change to a whole input or to the query evaluates everything. The manifest records a digest of each week's input files and one
of the whole inputs and the query (`Table.basis`); the serving store offers alert_week, and so
readers read it, only while those match the lake (`current`): without it metrics.alerts
evaluates the alerts itself. Every lake write calls `publish` once its own manifest is saved,
still under the writer lock: readers see its data at once, and the kept alerts of it a moment
later (a write killed in between leaves them to the next).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import duckdb

from marketpulse.lake import manifest as mf
from marketpulse.lake.alert_basis import INPUTS, QUERY, TABLE, WHOLE, changed_weeks, digests
from marketpulse.lake.files import publish_file, staged_partitions
from marketpulse.lake.serving import build_serving, view_sql
from marketpulse.store.queries import bind

log = logging.getLogger(__name__)

WEEK = dt.timedelta(days=7)
LAUNCH_WEEKS = 52  # a spec is new for its launch week and the 51 after (base/new_spec)
WINDOW = 4  # a week's rows read its inputs of that week and the three before
# every kind but 新品滞后, which is evaluated per launch year (tests/test_alert_week.py checks the list)
WINDOWED_KINDS = ("overstock", "stockout", "discounting", "copy_suspect", "missed_visits", "retailer_outlier")
MEMORY_LIMIT = "1GB"  # a whole history's evaluation spills past it (a rule edit at the province)


def publish(lake: Path, manifest: mf.Manifest, stage: Path) -> None:
    """After a write has published its manifest: bring alert_week up to date with it, then publish
    that as well (until then the serving store leaves alert_week out, and pages evaluate alerts)."""
    try:
        replaced = keep(lake, manifest, stage)
    except Exception:  # the write itself is published: its alerts are evaluated until the next write
        log.exception("lake: %s not brought up to date; pages evaluate the alerts", TABLE)
        return
    if replaced is None:
        return
    mf.save(lake, manifest)
    build_serving(lake, manifest)
    mf.remove_replaced(lake, manifest, replaced)


def keep(lake: Path, manifest: mf.Manifest, stage: Path) -> list[tuple[str, str]] | None:
    """Bring `manifest`'s alert_week up to date with its inputs (its files in place), evaluating
    again what the changed inputs reach: the partitions it replaced, for the writer to remove
    once the manifest is saved; None when it was up to date."""
    now = digests(manifest)
    old = manifest.tables.get(TABLE)
    weeks = [dt.date.fromisoformat(w) for w in now if w != WHOLE]
    if old is not None and old.basis == now:
        return None
    full = old is None or old.basis.get(WHOLE) != now[WHOLE]
    changed, launched = ([], []) if full else changed_weeks(old.basis, now)
    config = {"memory_limit": MEMORY_LIMIT, "temp_directory": str(stage / "alert_spill")}
    with duckdb.connect(":memory:", config=config) as con:
        for table in INPUTS:
            con.execute(f'create view "{table}" as {view_sql(lake, manifest, table)}')
        if not full:
            reach = _evaluate(con, weeks, *([dt.date.fromisoformat(w) for w in c] for c in (changed, launched)))
            full = _columns(con) != old.columns
        if full:
            reach = _evaluate(con, weeks, weeks, weeks)
        else:
            _keep_the_rest(con, lake, old, reach)
        new = mf.Table(columns=_columns(con), week_of=mf.PARTITION_COLUMN, basis=now)
        if not full:
            new.parts = {w: p for w, p in old.parts.items() if w in now and dt.date.fromisoformat(w) not in reach}
        for week, path in staged_partitions(con, TABLE, new, stage / TABLE).items():
            new.parts[week] = publish_file(lake, con, TABLE, week, path)
    manifest.tables[TABLE] = new
    log.info("lake: %s, %d of %d weeks evaluated", TABLE, len(reach), len(weeks))
    return [(TABLE, w) for w, p in (old.parts if old else {}).items() if new.parts.get(w) is not p]


def _evaluate(
    con: duckdb.DuckDBPyConnection, weeks: list[dt.date], changed: list[dt.date], launched: list[dt.date]
) -> dict:
    """Table alert_week on `con`: the alert rows that inputs changed in weeks `changed` reach
    (新品滞后: LAUNCH_INPUTS changed in weeks `launched`), among `weeks` (every week the inputs
    hold). What they reach: week → (whether every kind but 新品滞后 was evaluated again there, the
    specs whose 新品滞后 was).

    A spec is new for the 52 weeks from its launch week reckoned back from the evaluation's last
    week (base/new_spec), so 新品滞后 is evaluated up to the end of each launch year and kept for
    the specs whose year ends there: each week's rows as an evaluation ending that week gives them."""
    windowed = sorted({c + WEEK * k for c in changed for k in range(WINDOW)} & set(weeks))
    empty, params = _bound(dt.date(2000, 1, 3), dt.date(2000, 1, 3))
    con.execute(f"create or replace table {TABLE} as select * from ({empty}) where false", params)
    for first, last in _runs(windowed):
        sql, params = _bound(first, last, ",".join(WINDOWED_KINDS))
        con.execute(f"insert into {TABLE} {sql}", params)
    reach: dict[dt.date, tuple[bool, tuple[str, ...]]] = {w: (True, ()) for w in windowed}
    if not launched or not weeks:
        return reach
    start, end = min(launched), max(weeks)
    year_end = f"least((date_trunc('week', launch_date) + interval {LAUNCH_WEEKS - 1} weeks)::date, $end::date)"
    launches = con.execute(
        f"select {year_end} as year_end, list(spec_code), min(date_trunc('week', launch_date))::date "
        f"from spec where {year_end} >= $start group by all order by 1",
        {"start": start, "end": end},
    ).fetchall()
    for last, specs, launched in launches:
        first = max(start, launched)
        sql, params = _bound(first, last, "lagging_launch")
        con.execute(
            f"insert into {TABLE} select * from ({sql}) where list_contains($specs, spec_code)",
            {**params, "specs": specs},
        )
        for week in (w for w in weeks if first <= w <= last):
            windowed_too, before = reach.get(week, (False, ()))
            reach[week] = (windowed_too, before + tuple(specs))
    return reach


def _keep_the_rest(con: duckdb.DuckDBPyConnection, lake: Path, old: mf.Table, reach: dict) -> None:
    """Add to alert_week the old rows of the weeks it rewrites that were not evaluated again: the
    新品滞后 of the other specs, and in a week reached by 新品滞后 alone, the other kinds."""
    files = [str(lake / p.file) for w, p in sorted(old.parts.items()) if dt.date.fromisoformat(w) in reach]
    if not files:
        return
    cols = ", ".join(f'o."{c}"' for c, _ in old.columns)
    redone = [{"week": w, "windowed": windowed, "specs": list(specs)} for w, (windowed, specs) in reach.items()]
    con.execute(
        f"""
        insert into {TABLE}
        select {cols}
        from read_parquet($files, hive_partitioning = true, hive_types = {{'week': 'date'}}) as o
        join (select unnest($redone::struct(week date, windowed boolean, specs varchar[])[]) as r) as x
            on x.r.week = o.week
        where case when o.kind = 'lagging_launch' then not list_contains(x.r.specs, o.spec_code)
                   else not x.r.windowed end
        """,
        {"files": files, "redone": redone},
    )


def _bound(first: dt.date, last: dt.date, kinds: str | None = None) -> tuple[str, dict]:
    return bind(QUERY, {"week_from": first, "week_to": last, "kinds": kinds})


def _runs(weeks: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive weeks as (first, last) runs."""
    runs: list[list[dt.date]] = []
    for week in weeks:
        if runs and week - runs[-1][1] == WEEK:
            runs[-1][1] = week
        else:
            runs.append([week, week])
    return [(a, b) for a, b in runs]


def _columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [
        tuple(r)
        for r in con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = $t "
            "and database_name = current_database() order by column_index",
            {"t": TABLE},
        ).fetchall()
    ]
