"""Validity periods written from reference files: retailer assignments and spec prices.

A retailer or spec row says what holds from its effective date (生效日期; blank or absent:
the Monday of the import week) on. Every period from that date is replaced by one open
period with the row's values, the period running at that date is closed there, and the
new period merges with an equal one just before it, so a retroactive date splits or
closes the periods it falls in and a row that changes nothing leaves them as they were.
A key without any period gets one from its earliest date (a retailer's opening date, else
1900-01-01), so that its past weeks read values too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

EARLIEST = "1900-01-01"


@dataclass(frozen=True)
class History:
    """Where one kind keeps its periods and which of its values they hold."""

    table: str  # the periods: key, valid_from (inclusive), valid_to (exclusive, null = open), values
    key: str
    values: tuple[str, ...]
    first_from: str  # SQL over incoming `i`: where the first period of a new key starts


HISTORIES = {
    "retailers": History(
        "retailer_assignment",
        "license_no",
        ("territory_code", "cm_code", "format", "tier"),
        f"coalesce(i.opened_on, date '{EARLIEST}')",
    ),
    "specs": History(
        "spec_price",
        "spec_code",
        ("wholesale_price", "suggested_retail_price"),
        f"date '{EARLIEST}'",
    ),
}


def plan(con: duckdb.DuckDBPyConnection, kind: str, monday: dt.date) -> None:
    """Temp table `period_change(key, start, values…)`: the incoming keys whose periods change.

    `start` is where the new open period begins: the effective date; for a key without
    periods its earliest date; for a key whose periods all ended before the effective date
    the end of the last one (nothing else is known for the gap). Reads temp table `incoming`
    (with `effective_date`) and the periods as stored, so call it before anything is written.
    """
    h = HISTORIES[kind]
    new = ", ".join(f"s.{v}" for v in h.values)
    old = ", ".join(f"p.{v}" for v in h.values)
    reaches = "(p.valid_to is null or p.valid_to > s.eff)"
    con.execute(
        f"""
        create or replace temp table period_change as
        with
        src as (
            select
                i.{h.key} as key,
                coalesce(i.effective_date, $monday::date) as eff,
                {h.first_from} as first_from,
                {", ".join(f"i.{v}" for v in h.values)},
            from incoming as i
        ),
        known as (
            select
                s.key, s.eff, s.first_from, {new},
                count(p.{h.key}) as periods,
                count(p.{h.key}) filter (where {reaches}) as reaching,
                count(p.{h.key}) filter (where {reaches} and ({old}) is distinct from ({new})) as differing,
                max(p.valid_to) as last_to,
            from src as s
            left join {h.table} as p on p.{h.key} = s.key
            group by all
        )
        select
            key,
            case when periods = 0 then first_from when reaching = 0 then last_to else eff end as start,
            {", ".join(h.values)},
        from known
        where periods = 0 or reaching = 0 or differing > 0
        """,
        {"monday": monday},
    )


def mark_changed(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    """Count a stored row whose periods change as replaced, even where its own values do not."""
    key = HISTORIES[kind].key
    con.execute(f"update incoming set changed = true where existed and {key} in (select key from period_change)")


def apply(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    """Write `period_change` into the kind's periods; leave temp table `period_touched(key, from_date)`.

    `from_date` is the first day whose values changed: the weeks from its week on need
    their roll-ups refreshed.
    """
    h = HISTORIES[kind]
    same = " and ".join(f"p.{v} is not distinct from c.{v}" for v in h.values)
    # close the period running at the start, drop the ones from the start on, open the new one
    con.execute(
        f"""
        update {h.table} as p set valid_to = c.start
        from period_change as c
        where p.{h.key} = c.key and p.valid_from < c.start and (p.valid_to is null or p.valid_to > c.start)
        """
    )
    con.execute(
        f"delete from {h.table} as p using period_change as c where p.{h.key} = c.key and p.valid_from >= c.start"
    )
    con.execute(
        f"""
        insert into {h.table} ({h.key}, valid_from, valid_to, {", ".join(h.values)})
        select key, start, null, {", ".join(h.values)} from period_change
        """
    )
    # an equal period just before the new one absorbs it
    con.execute(
        f"""
        create or replace temp table period_merge as
        select c.key, c.start, p.valid_from as before_from
        from period_change as c
        join {h.table} as p on p.{h.key} = c.key and p.valid_to = c.start and {same}
        """
    )
    con.execute(
        f"delete from {h.table} as p using period_merge as m where p.{h.key} = m.key and p.valid_from = m.start"
    )
    con.execute(
        f"""
        update {h.table} as p set valid_to = null
        from period_merge as m
        where p.{h.key} = m.key and p.valid_from = m.before_from
        """
    )
    con.execute("create or replace temp table period_touched as select key, start as from_date from period_change")
    con.execute("drop table period_merge")
    con.execute("drop table period_change")
