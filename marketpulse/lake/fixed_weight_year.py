"""The fixed weights the lake keeps: base/fixed_weight_rows (each spec's weight in the
市场零售价格指数 at the city, each 市场部, 片区 and customer manager) for the whole city,
unfiltered, one partition per weight year (table fixed_weight_year), so the price page and the
周报 read a year's weights instead of two years of cells on every view.

A weight year's rows read its own weeks and, of the year after it (the year they serve), the
first quarters of specs launched since it began. So a write evaluates a weight year again when a
week of it changed, or a week of the year it serves that is its partition's or in such a first
quarter; a change to an input kept whole or to the code evaluates every year (lake/keep.py). The
serving store offers the table only while it matches the lake (kept_basis.FIXED_WEIGHTS.current);
without it metrics.fixed_price_index evaluates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from marketpulse.lake import keep as keeping
from marketpulse.lake import manifest as mf
from marketpulse.lake.keep import Reach
from marketpulse.lake.kept_basis import FIXED_WEIGHTS, LEVELS
from marketpulse.store.queries import bind

TABLE = FIXED_WEIGHTS.table
FIRST_QUARTER_WEEKS = 13  # a new spec weighs by its launch week and the 12 after (base/fixed_weight)


def keep(lake: Path, manifest: mf.Manifest, stage: Path) -> list[tuple[str, str]] | None:
    """Bring `manifest`'s fixed_weight_year up to date with its inputs (lake/keep.py): the
    partitions it replaced; None when it was up to date."""
    return keeping.keep(lake, manifest, stage, FIXED_WEIGHTS, _evaluate)


def _evaluate(
    con: duckdb.DuckDBPyConnection, weeks: list[dt.date], changed: list[dt.date], launched: list[dt.date]
) -> Reach:
    """Table fixed_weight_year on `con`: the rows of each weight year a week in `changed` reaches,
    each level in a statement of its own, in the partition of the first week of `weeks` (every
    week the inputs hold) the year serves. Every week of a year served is reached, so a partition
    an earlier week now holds replaces the old one."""
    empty, params = _bound([dt.date(2000, 1, 3)], LEVELS[0])
    con.execute(f"create or replace table {TABLE} as select * from ({empty}) where false", params)
    served: dict[int, list[dt.date]] = {}
    for week in sorted(weeks):
        served.setdefault(week.isocalendar().year - 1, []).append(week)
    first_quarters = _first_quarters(con)
    reach: Reach = {}
    for year, weeks_served in sorted(served.items()):
        if not any(_reaches(week, year, weeks_served[0], first_quarters) for week in changed):
            continue
        for level in LEVELS:
            sql, params = _bound(weeks_served, level)
            con.execute(f"insert into {TABLE} {sql}", params)
        reach.update({week: (True, ()) for week in weeks_served})
    return reach


def _reaches(week: dt.date, year: int, partition: dt.date, first_quarters: list[tuple[dt.date, int]]) -> bool:
    """Whether a change to `week` changes weight year `year`'s rows, kept in `partition` (the
    first week held of the year they serve): a week of that year; a week of the year served up
    to the partition's (its own, or an earlier one added or taken away, which moves it); or a
    week in the first quarter of a spec launched since the weight year began whose weight
    serves that year (a quarter ending after it weighs nothing there)."""
    if week.isocalendar().year == year:
        return True
    if week.isocalendar().year != year + 1:
        return False
    served_end = dt.date.fromisocalendar(year + 2, 1, 1)
    quarter = dt.timedelta(weeks=FIRST_QUARTER_WEEKS)
    return week <= partition or any(
        launch <= week < launch + quarter and launch_year >= year and launch + quarter < served_end
        for launch, launch_year in first_quarters
    )


def _first_quarters(con: duckdb.DuckDBPyConnection) -> list[tuple[dt.date, int]]:
    """Each spec's launch week and its ISO year."""
    return con.execute(
        "select distinct date_trunc('week', launch_date)::date as launch, isoyear(launch) from spec "
        "where launch_date is not null"
    ).fetchall()


def _bound(weeks_served: list[dt.date], level: str) -> tuple[str, dict]:
    return bind(FIXED_WEIGHTS.query, {"week_from": weeks_served[0], "week_to": weeks_served[-1], "level": level})
