"""The new-spec uptake the lake keeps: base/uptake_rows (new_brand_uptake at the city, each
市场部, 片区 and customer manager) for the whole city, unfiltered, one partition per week (table
uptake_week), so the 周报's 新品铺货率 and the brand page read it instead of going through a
launch year of retailer rows on every view.

A spec's row of a week reads its launch year's inputs from the launch to that week (its reach so
far, cumulative), and is the same in any evaluation whose last week the spec is new in. So a
write evaluates each spec again from the first week its inputs changed to the end of its launch
year, and keeps the other specs' rows; a change to an input kept whole or to the query evaluates
everything (lake/keep.py). The serving store offers the table only while it matches the lake
(kept_basis.UPTAKE.current); without it metrics.new_brand_uptake evaluates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from marketpulse.lake import keep as keeping
from marketpulse.lake import manifest as mf
from marketpulse.lake.keep import Reach
from marketpulse.lake.kept_basis import LEVELS, UPTAKE, launch_years
from marketpulse.store.queries import bind

TABLE = UPTAKE.table


def keep(lake: Path, manifest: mf.Manifest, stage: Path) -> list[tuple[str, str]] | None:
    """Bring `manifest`'s uptake_week up to date with its inputs (lake/keep.py): the partitions it
    replaced; None when it was up to date."""
    return keeping.keep(lake, manifest, stage, UPTAKE, _evaluate)


def _evaluate(
    con: duckdb.DuckDBPyConnection, weeks: list[dt.date], changed: list[dt.date], launched: list[dt.date]
) -> Reach:
    """Table uptake_week on `con`: the rows of each spec whose launch year reaches from the first
    week in `launched` (every input it reads is a launch input), from that week to the end of the
    year, among `weeks` (every week the inputs hold)."""
    empty, params = _bound(dt.date(2000, 1, 3), dt.date(2000, 1, 3), LEVELS[0])
    con.execute(f"create or replace table {TABLE} as select * from ({empty}) where false", params)
    reach: Reach = {}
    if not launched or not weeks:
        return reach
    start = min(launched)
    for last, specs, launched_first in launch_years(con, start, max(weeks)):
        first = max(start, launched_first)
        for level in LEVELS:
            sql, params = _bound(first, last, level)
            con.execute(
                f"insert into {TABLE} select * from ({sql}) where list_contains($specs, spec_code)",
                {**params, "specs": specs},
            )
        for week in (w for w in weeks if first <= w <= last):
            reach[week] = (False, reach.get(week, (False, ()))[1] + tuple(specs))
    return reach


def _bound(first: dt.date, last: dt.date, level: str) -> tuple[str, dict]:
    return bind(UPTAKE.query, {"week_from": first, "week_to": last, "level": level, "measures": None})
