"""Storing an import's good rows: facts and reference rows, their validity periods, roll-ups.

Input: temp table `good` (checked rows, named as the store's columns). Rows whose key is
stored replace it only where a value differs; new keys are added. Retailer assignments and
spec prices keep their periods from the row's effective date (ingest/history.py). The
weekly roll-ups are then refreshed for the retailer × spec pairs the change touched, from
the first week it touched on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb

from marketpulse import rollup
from marketpulse.ingest import history
from marketpulse.ingest.contract import Kind

Progress = Callable[[float, str], None]


def store_good_rows(
    con: duckdb.DuckDBPyConnection, kind: Kind, found: dict[str, int], import_id: int, monday: dt.date, report: Progress
) -> tuple[int, int, int]:
    """Write `good` to the kind's table; (new, replaced, unchanged) row counts.

    `monday` is the Monday of the import's week, from which a changed retailer
    assignment or spec price starts unless the row gives its own effective date.
    """
    if kind.name in ("visits", "orders"):
        return _apply_facts(con, kind, found, import_id, report)
    return _apply_reference(con, kind, found, monday, report)


def _incoming(con, kind: Kind, found, table: str) -> None:
    """Temp table `incoming`: the good rows, whether their key is stored, whether they differ.

    An optional column the file does not have keeps the stored value. A kind with an
    effective date (生效日期) carries it along; it is not stored in the kind's table.
    """
    cols = _stored_columns(con, kind)
    values = [c for c in cols if c not in kind.key]
    on = " and ".join(f"i.{k} = f.{k}" for k in kind.key)
    select = [f"i.{c}" if kind.column(c).required or c in found else f"coalesce(i.{c}, f.{c}) as {c}" for c in cols]
    differs = (
        " or ".join(f"i.{c} is distinct from f.{c}" for c in values if kind.column(c).required or c in found) or "false"
    )
    if any(c.name == "effective_date" for c in kind.columns):
        select.append("i.effective_date")
    con.execute(
        f"""
        create or replace temp table incoming as
        select {", ".join(select)},
            f.{kind.key[0]} is not null as existed,
            f.{kind.key[0]} is not null and ({differs}) as changed,
        from good as i
        left join {table} as f on {on}
        """
    )


def _stored_columns(con, kind: Kind) -> list[str]:
    """The kind's columns that its store table has (territories' department_name goes elsewhere)."""
    have = {
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where table_name = $t and schema_name = 'main' "
            "and database_name = current_database()",
            {"t": kind.table},
        ).fetchall()
    }
    return [c.name for c in kind.columns if c.name in have]


def _counts(con) -> tuple[int, int, int]:
    return con.execute(
        """
        select
            count(*) filter (where not existed)::integer,
            count(*) filter (where changed)::integer,
            count(*) filter (where existed and not changed)::integer,
        from incoming
        """
    ).fetchall()[0]


def _write_incoming(con, kind: Kind, table: str, extra: str = "") -> None:
    """Replace changed rows and add new ones (delete + insert: no foreign keys point here)."""
    on = " and ".join(f"i.{k} = f.{k}" for k in kind.key)
    cols = ", ".join(_stored_columns(con, kind))
    con.execute(f"delete from {table} as f using incoming as i where i.changed and {on}")
    con.execute(f"insert into {table} by name select {cols}{extra} from incoming where not existed or changed")


def _apply_facts(con, kind: Kind, found, import_id: int, report: Progress) -> tuple[int, int, int]:
    _incoming(con, kind, found, kind.table)
    counts = _counts(con)
    _write_incoming(con, kind, kind.table, f", {int(import_id)} as import_id")
    con.execute(
        f"""
        create or replace temp table touched_facts as
        select license_no, spec_code, {kind.key[0]} as from_date
        from incoming where not existed or changed
        """
    )
    _refresh(con, report)
    return counts


def _refresh(con, report: Progress) -> None:
    if con.execute("select count(*) from touched_facts").fetchall()[0][0]:
        report(0.75, "更新周汇总 / refreshing weekly roll-ups")
        rollup.refresh(con, "touched_facts")
    con.execute("drop table touched_facts")


def _touch_retailers(con, retailers_sql: str) -> None:
    """touched_facts := every fact pair of the retailers `retailers_sql` selects (license_no, from_date)."""
    con.execute(
        f"""
        create or replace temp table touched_facts as
        with r as ({retailers_sql})
        select f.license_no, f.spec_code, min(r.from_date)::date as from_date
        from (
            select distinct license_no, spec_code from visit_line semi join r using (license_no)
            union
            select distinct license_no, spec_code from order_line semi join r using (license_no)
        ) as f
        join r using (license_no)
        group by all
        """
    )


def _apply_reference(con, kind: Kind, found, monday: dt.date, report: Progress) -> tuple[int, int, int]:
    if kind.name == "territories":
        _apply_departments(con)
    _incoming(con, kind, found, kind.table)
    if kind.name in history.HISTORIES:
        history.plan(con, kind.name, monday)
        history.mark_changed(con, kind.name)
    counts = _counts(con)
    if kind.name == "territories":
        # a 片区 moved to another 市场部 or between 城网/农网: its retailers' weeks change
        con.execute(
            """
            create or replace temp table moved_territory as
            select i.territory_code from incoming as i join territory as t using (territory_code)
            where i.department_code <> t.department_code or i.area_type <> t.area_type
            """
        )
    if kind.name == "retailers":
        # attributes kept without history: every week of the retailer may change
        con.execute(
            f"""
            create or replace temp table moved_retailer as
            select i.license_no, date '{rollup.EVERYTHING}' as from_date
            from incoming as i join retailer as r using (license_no)
            -- opening and closing dates change which weeks plan a visit (retailer_week)
            where (i.area_type, i.opened_on, i.closed_on) is distinct from (r.area_type, r.opened_on, r.closed_on)
            """
        )
    if kind.name == "specs":
        # a launch moved to another week: its launch year is other weeks (launch_observation)
        con.execute(
            """
            create or replace temp table launch_moved as
            select i.spec_code from incoming as i join spec as s using (spec_code)
            where date_trunc('week', i.launch_date) is distinct from date_trunc('week', s.launch_date)
            """
        )
    _write_incoming(con, kind, kind.table)
    if kind.name == "specs":
        rollup.refresh_launch(con, "launch_moved")
        con.execute("drop table launch_moved")
    if kind.name == "retailers" and ("longitude" in found or "latitude" in found):
        _store_positions(con, found)
    if kind.name in history.HISTORIES:
        history.apply(con, kind.name)
    if kind.name == "retailers":
        # a changed assignment changes the weeks from its start on; weeks before a retailer's
        # first period (facts dated before its opening) read its current values
        _touch_retailers(
            con,
            f"""
            select * from moved_retailer
            union all
            select key as license_no, from_date from period_touched
            union all
            select f.license_no, date '{rollup.EVERYTHING}' as from_date
            from (
                select license_no, min(valid_from) as first_from from retailer_assignment
                where license_no in (select key from period_touched) group by all
            ) as f
            where exists (
                select 1 from visit_line as v
                where v.license_no = f.license_no and date_trunc('week', v.visit_date) < f.first_from
            ) or exists (
                select 1 from order_line as o
                where o.license_no = f.license_no and date_trunc('week', o.order_date) < f.first_from
            )
            """,
        )
        con.execute("drop table moved_retailer")
        _refresh(con, report)
    if kind.name == "territories":
        _touch_retailers(
            con,
            f"""
            select license_no, date '{rollup.EVERYTHING}' as from_date from (
                select license_no from retailer
                where territory_code in (select territory_code from moved_territory)
                union
                select license_no from retailer_assignment
                where territory_code in (select territory_code from moved_territory)
            )
            """,
        )
        con.execute("drop table moved_territory")
        _refresh(con, report)
    if kind.name == "specs":
        # 调价: retailer_week_sales values sales at the suggested price in force (the pages read
        # other prices at query time, through base/spec_price_in_week)
        rollup.refresh_prices(con, "period_touched")
    con.execute("drop table if exists period_touched")
    return counts


def _store_positions(con, found) -> None:
    """Keep each retailer's position (经度/纬度, as given) for the map; a row without one keeps the stored one."""
    system = "coord_system" if "coord_system" in found else "null::varchar"
    lon = "longitude" if "longitude" in found else "null::varchar"
    lat = "latitude" if "latitude" in found else "null::varchar"
    con.execute(
        f"""
        insert or replace into retailer_position
        select license_no, {lon}::varchar, {lat}::varchar, {system}::varchar from good
        where {lon} is not null or {lat} is not null
        qualify row_number() over (partition by license_no order by rownum desc) = 1
        """
    )


def _apply_departments(con) -> None:
    """Create or rename the 市场部 of a territory file; a blank name keeps the stored one."""
    con.execute(
        """
        create or replace temp table incoming_department as
        select department_code, arg_min(department_name, rownum) filter (where department_name is not null) as department_name
        from good group by all
        """
    )
    con.execute(
        """
        update department as d set department_name = n.department_name
        from incoming_department as n
        where n.department_code = d.department_code and n.department_name is not null
          and n.department_name <> d.department_name
        """
    )
    con.execute(
        """
        insert into department
        select department_code, department_name from incoming_department
        where department_code not in (select department_code from department)
        """
    )
    con.execute("drop table incoming_department")
