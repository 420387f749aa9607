"""The week sums the lake keeps: base/level_week_rows (each week's sales, values, orders and
priced sales at the city, each 市场部, 片区 and customer manager, all products, unfiltered) for
the whole city, one partition per week (table level_week_total), so the 月/季/年累计 of the 周报
and the 片区 page read a level's weeks instead of every cell of two years on each view.

A week's rows read that week's cells alone: a write evaluates again the weeks whose inputs
changed, and everything when an input kept whole (specs and their prices, places) or the code
changed (lake/keep.py). The serving store offers the table only while it matches the lake
(kept_basis.WEEK_SUMS.current); without it metrics.period_totals evaluates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from marketpulse.lake import keep as keeping
from marketpulse.lake import manifest as mf
from marketpulse.lake.keep import Reach, runs
from marketpulse.lake.kept_basis import LEVELS, WEEK_SUMS
from marketpulse.store.queries import bind

TABLE = WEEK_SUMS.table


def keep(lake: Path, manifest: mf.Manifest, stage: Path) -> list[tuple[str, str]] | None:
    """Bring `manifest`'s level_week_total up to date with its inputs (lake/keep.py): the
    partitions it replaced; None when it was up to date."""
    return keeping.keep(lake, manifest, stage, WEEK_SUMS, _evaluate)


def _evaluate(
    con: duckdb.DuckDBPyConnection, weeks: list[dt.date], changed: list[dt.date], launched: list[dt.date]
) -> Reach:
    """Table level_week_total on `con`: the rows of the weeks in `changed` (among `weeks`, every
    week the inputs hold), each level in a statement of its own."""
    empty, params = _bound(dt.date(2000, 1, 3), dt.date(2000, 1, 3), LEVELS[0])
    con.execute(f"create or replace table {TABLE} as select * from ({empty}) where false", params)
    redone = sorted(set(changed) & set(weeks))
    for first, last in runs(redone):
        for level in LEVELS:
            sql, params = _bound(first, last, level)
            con.execute(f"insert into {TABLE} {sql}", params)
    return {w: (True, ()) for w in redone}


def _bound(first: dt.date, last: dt.date, level: str) -> tuple[str, dict]:
    return bind(WEEK_SUMS.query, {"week_from": first, "week_to": last, "level": level})
