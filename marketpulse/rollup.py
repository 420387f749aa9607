"""Keep the weekly roll-ups in step with the raw facts.

After an import only the retailer × spec pairs it touched are rebuilt, from the first
week it touched on; `rebuild` redoes everything and must give the same tables.
"""

from __future__ import annotations

import re

import duckdb

from marketpulse import store
from marketpulse.store.queries import statements

EVERYTHING = "1900-01-01"
# visit lines of the touched pairs per pass of the builders with window functions over a pair's
# or a retailer's history: DuckDB's windows do not spill, so memory grows with the lines in one
# pass (a city's week read into a lake's scratch store is about one pass; its whole history ten)
BATCH_LINES = 2_000_000
BATCHED = ("weekly_observation", "retailer_visit")
# an insert's closing `order by week` (row groups of one week each, for pages' week ranges)
BY_WEEK = re.compile(r"\norder by week;?\s*$", re.IGNORECASE)


def _execute(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Run rollup/<name>.sql; the rows of each table T it fills are rollup/select/T.sql (the SELECT
    Spark runs too), made the temp view T_rows just before the first statement that reads it."""
    made = set()
    # a store kept in week partitions (the lake's scratch store sets the variable) gains nothing from
    # sorting by week what it writes one week per file
    by_week = not con.execute("select coalesce(getvariable('week_partitioned'), false)").fetchone()[0]
    for sql, _ in statements((store.QUERY_DIR / "rollup" / f"{name}.sql").read_text(encoding="utf-8")):
        if not by_week:
            sql = BY_WEEK.sub("\n", sql)
        for rows in re.findall(r"\b(\w+)_rows\b", re.sub(r"--[^\n]*", "", sql)):
            if rows not in made:
                select = (store.QUERY_DIR / "rollup" / "select" / f"{rows}.sql").read_text(encoding="utf-8")
                con.execute(f"create or replace temp view {rows}_rows as\n{select}")
                made.add(rows)
        con.execute(sql)
    for rows in made:
        con.execute(f"drop view if exists {rows}_rows")


def refresh(con: duckdb.DuckDBPyConnection, touched: str | None = None) -> None:
    """Rebuild roll-ups for the pairs in relation `touched` (license_no, spec_code, from_date).

    `touched` names a table or view on `con`; None rebuilds everything.
    """
    if touched is None:
        con.execute(
            f"""
            create or replace temp table touched_pair as
            select license_no, spec_code, date '{EVERYTHING}' as from_date
            from (select license_no, spec_code from visit_line
                  union select license_no, spec_code from order_line)
            """
        )
    else:
        con.execute(
            f"""
            create or replace temp table touched_pair as
            select license_no, spec_code, min(from_date)::date as from_date
            from {touched} group by all
            """
        )
    con.execute(
        """
        create or replace temp table touched_retailer as
        select license_no, min(from_date) as from_date from touched_pair group by all
        """
    )
    _in_batches(con, BATCHED)
    _execute(con, "launch_observation")  # after weekly_observation: reads it
    _execute(con, "retailer_week_sales")  # after weekly_observation: reads it
    _execute(con, "retailer_week")  # after retailer_visit: reads it
    _execute(con, "trailing_sales")  # after weekly_observation: reads it
    _execute(con, "market_cell")  # after trailing_sales: reads it
    _execute(con, "spec_cells")  # after weekly_observation and market_cell
    _execute(con, "order_cells")  # after weekly_observation
    con.execute("drop table touched_pair")
    con.execute("drop table touched_retailer")


def _in_batches(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> None:
    """Run builders `tables` once per batch of retailers whose touched pairs hold about BATCH_LINES
    visit lines (each pair's and each retailer's rows are built within one batch: the same result)."""
    # the lines the builders read: a pair's from its first rebuilt week on, and one line before it
    lines = con.execute(
        """
        select count(*) + (select count(*) from touched_pair)
        from visit_line as v
        join touched_pair as t
            on t.license_no = v.license_no
            and t.spec_code = v.spec_code
            and v.visit_date >= date_trunc('week', t.from_date)
        """
    ).fetchone()[0]
    batches = -(-lines // BATCH_LINES)
    if batches <= 1:
        for table in tables:
            _execute(con, table)
        return
    for touched in ("touched_pair", "touched_retailer"):
        con.execute(f"create or replace temp table {touched}_all as select * from {touched}")
    for batch in range(batches):
        for touched in ("touched_pair", "touched_retailer"):
            con.execute(
                f"create or replace temp table {touched} as select * from {touched}_all "
                "where hash(license_no) % $n = $b",
                {"n": batches, "b": batch},
            )
        for table in tables:
            _execute(con, table)
    for touched in ("touched_pair", "touched_retailer"):
        con.execute(f"create or replace temp table {touched} as select * from {touched}_all")
        con.execute(f"drop table {touched}_all")


def refresh_launch(con: duckdb.DuckDBPyConnection, specs: str) -> None:
    """Rebuild launch_observation and launch_order_week for the specs in relation `specs`
    (spec_code), whose launch date moved: their launch year is other weeks of the same
    weekly_observation rows."""
    con.execute(
        f"""
        create or replace temp table touched_pair as
        select distinct license_no, spec_code, date '{EVERYTHING}' as from_date
        from (select license_no, spec_code from weekly_observation
              union all select license_no, spec_code from launch_observation)
        where spec_code in (select spec_code from {specs})
        """
    )
    _execute(con, "launch_observation")
    con.execute("drop table touched_pair")


def refresh_prices(con: duckdb.DuckDBPyConnection, changed: str) -> None:
    """Rebuild retailer_week_sales after a price change (调价): relation `changed` (key = spec_code,
    from_date) says from when each spec's prices changed; every retailer with lines of it since."""
    con.execute(
        f"""
        create or replace temp table touched_retailer as
        select o.license_no, min(c.from_date) as from_date
        from weekly_observation as o
        join {changed} as c on c.key = o.spec_code and o.week >= date_trunc('week', c.from_date)
        group by all
        """
    )
    _execute(con, "retailer_week_sales")
    con.execute("drop table touched_retailer")


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Drop and rebuild every roll-up from the raw facts."""
    con.execute("delete from weekly_observation")
    con.execute("delete from launch_observation")
    con.execute("delete from launch_order_week")
    con.execute("delete from retailer_week_sales")
    con.execute("delete from retailer_visit")
    con.execute("delete from retailer_week")
    con.execute("delete from trailing_sales")
    con.execute("delete from market_cell")
    con.execute("delete from spec_group_week")
    con.execute("delete from spec_cm_week")
    con.execute("delete from cover_cm_week")
    con.execute("delete from order_cm_week")
    refresh(con, None)
