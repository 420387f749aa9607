"""The alerts the lake keeps: base/alert_rows for the whole city, unfiltered, one partition per
week (table alert_week), so the weekly review reads its alerts instead of evaluating them.

A week's alert rows read only that week and the weeks before it (base/alert_rows; 新品滞后
within each spec's launch year, see _evaluate), so each write evaluates again only the weeks
from the first one whose inputs changed. Each kept week
records a digest of the files of every input up to that week (`Table.basis`); the serving store
offers alert_week only while every digest matches the lake (`current`), so a reader never reads
alerts of data other than what it reads: without the table, metrics.alerts evaluates them.
Called by every lake write just before its manifest is saved, under the writer lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path

import duckdb

from marketpulse.lake import manifest as mf
from marketpulse.lake.files import publish_file, staged_partitions
from marketpulse.lake.serving import view_sql
from marketpulse.store.queries import bind, query_text

log = logging.getLogger(__name__)

TABLE = "alert_week"
QUERY = "base/alert_rows"
# the tables base/alert_rows reads (tests/test_alert_week.py checks this against its text)
INPUTS = (
    "customer_manager",
    "department",
    "launch_observation",
    "launch_order_week",
    "market_cell",
    "monitoring_point",
    "retailer",
    "retailer_visit",
    "retailer_week",
    "retailer_week_sales",
    "setting",
    "spec",
    "spec_price",
    "state_score_weight",
    "territory",
    "weekly_observation",
)
LAUNCH_WEEKS = 52  # a spec is new for its launch week and the 51 after (base/new_spec)
MEMORY_LIMIT = "1GB"  # a whole history's evaluation spills past it (a rule edit at the province)


def digests(manifest: mf.Manifest) -> dict[str, str]:
    """Week (ISO Monday) → a digest of the inputs' files of that week and every week before it,
    of the inputs kept whole and of the query's text; every week any input holds."""
    whole, by_week = [("query", hashlib.sha256(query_text(QUERY).encode()).hexdigest())], {}
    for table in INPUTS:
        spec = manifest.tables.get(table)
        if spec is None:
            whole.append((table, None))
            continue
        for week, part in spec.parts.items():
            if spec.partitioned:
                by_week.setdefault(week, []).append((table, part.sha256))
            else:
                whole.append((table, part.sha256))
    digest = hashlib.sha256(json.dumps(sorted(whole, key=str)).encode())
    out = {}
    for week in sorted(by_week):
        digest.update(json.dumps(sorted(by_week[week])).encode())
        out[week] = digest.copy().hexdigest()[:20]
    return out


def current(manifest: mf.Manifest) -> bool:
    """Whether the manifest's alert_week holds the alerts of its inputs as they are."""
    spec = manifest.tables.get(TABLE)
    return spec is not None and spec.basis == digests(manifest)


def keep(lake: Path, manifest: mf.Manifest, stage: Path) -> list[tuple[str, str]]:
    """Bring `manifest`'s alert_week up to date with its inputs (the manifest not yet saved, its
    files in place): the weeks from the first whose digest changed are evaluated and written
    again. The partitions it replaced, for the writer to remove once the manifest is saved."""
    now = digests(manifest)
    old = manifest.tables.get(TABLE) or mf.Table(columns=[], week_of=mf.PARTITION_COLUMN)
    changed = [w for w in now if old.basis.get(w) != now[w]] + sorted(set(old.basis) - set(now))
    if TABLE in manifest.tables and not changed:
        return []
    start = min(changed, default=None)
    config = {"memory_limit": MEMORY_LIMIT, "temp_directory": str(stage / "alert_spill")}
    with duckdb.connect(":memory:", config=config) as con:
        for table in INPUTS:
            con.execute(f'create view "{table}" as {view_sql(lake, manifest, table)}')
        columns = _evaluate(con, start, max(now, default=None))
        if columns != old.columns:  # a new table, or its columns changed: every week again
            start = min(now, default=None)
            columns = _evaluate(con, start, max(now, default=None))
        new = mf.Table(columns=columns, week_of=mf.PARTITION_COLUMN, basis=now)
        new.parts = {w: p for w, p in old.parts.items() if start is not None and w < start}
        if start is not None:
            for week, path in staged_partitions(con, TABLE, new, stage / TABLE).items():
                new.parts[week] = publish_file(lake, con, TABLE, week, path)
    manifest.tables[TABLE] = new
    log.info("lake: %s evaluated from %s", TABLE, start)
    return [(TABLE, w) for w in old.parts if w not in new.parts or new.parts[w] is not old.parts[w]]


def _evaluate(con: duckdb.DuckDBPyConnection, start: str | None, end: str | None) -> list[tuple[str, str]]:
    """Table alert_week on `con`: the alert rows of weeks start … end (none when start is None);
    its columns.

    A spec is new for the 52 weeks from its launch week reckoned back from the evaluation's last
    week (base/new_spec), so 新品滞后 is evaluated again up to the end of each launch year and
    kept for the specs whose year ends there: each week's rows as an evaluation ending that week
    gives them."""
    first = dt.date.fromisoformat(start or "2000-01-03")
    sql, params = bind(QUERY, {"week_from": first, "week_to": end or start})
    con.execute(
        f"create or replace table {TABLE} as select * from ({sql}) where $evaluate and kind <> 'lagging_launch'",
        {**params, "evaluate": start is not None},
    )
    if start is not None:
        year_end = f"least((date_trunc('week', launch_date) + interval {LAUNCH_WEEKS - 1} weeks)::date, $end::date)"
        ends = con.execute(
            f"select distinct {year_end} from spec where {year_end} >= $start order by 1",
            {"start": first, "end": end},
        ).fetchall()
        for (last,) in ends:
            sql, params = bind(QUERY, {"week_from": first, "week_to": last, "kinds": "lagging_launch"})
            con.execute(
                f"insert into {TABLE} select * from ({sql}) "
                f"where spec_code in (select spec_code from spec where {year_end} = $last)",
                {**params, "end": end, "last": last},
            )
    return [
        tuple(r)
        for r in con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = $t "
            "and database_name = current_database() order by column_index",
            {"t": TABLE},
        ).fetchall()
    ]
