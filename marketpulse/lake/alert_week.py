"""The alerts the lake keeps: base/alert_rows for the whole city, unfiltered, one partition per
week (table alert_week), so the weekly review reads its alerts instead of evaluating them.

What a week's alert rows read (base/alert_rows): the inputs kept whole, and of the inputs kept
by week that week and the three before it (four-week windows; market cells carry their own
trailing sales) — but for 新品滞后, whose reach so far goes back to the spec's launch. So a write
evaluates again the weeks whose last four weeks of inputs changed, and 新品滞后 from the first
week its own inputs changed (ALERTS.launch_inputs) to the end of each launch year that week
lies in; a change to a whole input or to the query evaluates everything (lake/keep.py). The
manifest records a digest of each week's input files and one of the whole inputs and the query
(`Table.basis`); the serving store offers alert_week, and so readers read it, only while those
match the lake (kept_basis.ALERTS.current): without it metrics.alerts evaluates the alerts
itself. Every lake write publishes it with the other kept tables (lake/kept.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from marketpulse.lake import keep as keeping
from marketpulse.lake import manifest as mf
from marketpulse.lake.keep import Reach, runs
from marketpulse.lake.kept_basis import ALERTS, launch_years
from marketpulse.store.queries import bind

TABLE = ALERTS.table
WEEK = dt.timedelta(days=7)
WINDOW = 4  # a week's rows read its inputs of that week and the three before
# every kind but 新品滞后, which is evaluated per launch year (tests/test_alert_week.py checks the list)
WINDOWED_KINDS = ("overstock", "stockout", "discounting", "copy_suspect", "missed_visits", "retailer_outlier")


def keep(lake: Path, manifest: mf.Manifest, stage: Path) -> list[tuple[str, str]] | None:
    """Bring `manifest`'s alert_week up to date with its inputs (lake/keep.py): the partitions it
    replaced; None when it was up to date."""
    return keeping.keep(lake, manifest, stage, ALERTS, _evaluate)


def _evaluate(
    con: duckdb.DuckDBPyConnection, weeks: list[dt.date], changed: list[dt.date], launched: list[dt.date]
) -> Reach:
    """Table alert_week on `con`: the alert rows that inputs changed in weeks `changed` reach
    (新品滞后: launch inputs changed in weeks `launched`), among `weeks` (every week the inputs
    hold). 新品滞后 is evaluated up to the end of each launch year (kept_basis.launch_years)."""
    windowed = sorted({c + WEEK * k for c in changed for k in range(WINDOW)} & set(weeks))
    empty, params = _bound(dt.date(2000, 1, 3), dt.date(2000, 1, 3))
    con.execute(f"create or replace table {TABLE} as select * from ({empty}) where false", params)
    for first, last in runs(windowed):
        sql, params = _bound(first, last, ",".join(WINDOWED_KINDS))
        con.execute(f"insert into {TABLE} {sql}", params)
    reach: Reach = {w: (True, ()) for w in windowed}
    if not launched or not weeks:
        return reach
    start = min(launched)
    for last, specs, launched_first in launch_years(con, start, max(weeks)):
        first = max(start, launched_first)
        sql, params = _bound(first, last, "lagging_launch")
        con.execute(
            f"insert into {TABLE} select * from ({sql}) where list_contains($specs, spec_code)",
            {**params, "specs": specs},
        )
        for week in (w for w in weeks if first <= w <= last):
            windowed_too, before = reach.get(week, (False, ()))
            reach[week] = (windowed_too, before + tuple(specs))
    return reach


def _bound(first: dt.date, last: dt.date, kinds: str | None = None) -> tuple[str, dict]:
    return bind(ALERTS.query, {"week_from": first, "week_to": last, "kinds": kinds})
