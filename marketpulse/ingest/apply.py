"""Storing an import's good rows: facts and reference rows, retailer assignment history, roll-ups.

Input: temp table `good` (checked rows, named as the store's columns). Rows whose key is
stored replace it only where a value differs; new keys are added. The weekly roll-ups are
then refreshed for the retailer × spec pairs the change touched, from the first week on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb

from marketpulse import rollup
from marketpulse.ingest.contract import Kind

Progress = Callable[[float, str], None]


def store_good_rows(
    con: duckdb.DuckDBPyConnection, kind: Kind, found: dict[str, int], import_id: int, monday: dt.date, report: Progress
) -> tuple[int, int, int]:
    """Write `good` to the kind's table; (new, replaced, unchanged) row counts.

    `monday` is the Monday of the import's week, from which a changed retailer
    assignment starts.
    """
    if kind.name in ("visits", "orders"):
        return _apply_facts(con, kind, found, import_id, report)
    return _apply_reference(con, kind, found, monday, report)


def _incoming(con, kind: Kind, found, table: str) -> None:
    """Temp table `incoming`: the good rows, whether their key is stored, whether they differ.

    An optional column the file does not have keeps the stored value.
    """
    cols = _stored_columns(con, kind)
    values = [c for c in cols if c not in kind.key]
    on = " and ".join(f"i.{k} = f.{k}" for k in kind.key)
    select = [f"i.{c}" if kind.column(c).required or c in found else f"coalesce(i.{c}, f.{c}) as {c}" for c in cols]
    differs = (
        " or ".join(f"i.{c} is distinct from f.{c}" for c in values if kind.column(c).required or c in found) or "false"
    )
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
    """touched_facts := every fact pair of the retailers selected by `retailers_sql`, all weeks."""
    con.execute(
        f"""
        create or replace temp table touched_facts as
        with r as ({retailers_sql})
        select distinct license_no, spec_code, date '{rollup.EVERYTHING}' as from_date
        from (
            select license_no, spec_code from visit_line semi join r using (license_no)
            union all
            select license_no, spec_code from order_line semi join r using (license_no)
        )
        """
    )


def _apply_reference(con, kind: Kind, found, monday: dt.date, report: Progress) -> tuple[int, int, int]:
    if kind.name == "territories":
        # departments first: a blank name keeps the stored one (checked: the code is known)
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
    _incoming(con, kind, found, kind.table)
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
        con.execute(
            """
            create or replace temp table moved_retailer as
            select i.license_no from incoming as i join retailer as r using (license_no)
            -- opening and closing dates change which weeks plan a visit (retailer_week)
            where (i.territory_code, i.cm_code, i.format, i.tier, i.area_type, i.opened_on, i.closed_on)
                is distinct from (r.territory_code, r.cm_code, r.format, r.tier, r.area_type, r.opened_on, r.closed_on)
            """
        )
    _write_incoming(con, kind, kind.table)
    if kind.name == "retailers":
        _assign(con, monday)
        _touch_retailers(con, "select license_no from moved_retailer")
        con.execute("drop table moved_retailer")
        _refresh(con, report)
    if kind.name == "territories":
        _touch_retailers(
            con,
            """
            select license_no from retailer where territory_code in (select territory_code from moved_territory)
            union
            select license_no from retailer_assignment where territory_code in (select territory_code from moved_territory)
            """,
        )
        con.execute("drop table moved_territory")
        _refresh(con, report)
    return counts


def _assign(con, monday: dt.date) -> None:
    """Keep retailer_assignment in step with the retailers just written.

    A changed 片区 / 客户经理 / 业态 / 档位 ends the open assignment on the Monday of the
    import's week and opens a new one from that Monday (changed again within the same
    week: the open one is corrected). A retailer without any assignment gets one from
    its opening date (or 1900-01-01).
    """
    p = {"monday": monday}
    con.execute(
        """
        create or replace temp table reassigned as
        select i.license_no, i.territory_code, i.cm_code, i.format, i.tier, a.valid_from
        from incoming as i
        join retailer_assignment as a on a.license_no = i.license_no and a.valid_to is null
        where (i.territory_code, i.cm_code, i.format, i.tier)
            is distinct from (a.territory_code, a.cm_code, a.format, a.tier)
        """
    )
    con.execute(
        """
        update retailer_assignment as a
        set territory_code = n.territory_code, cm_code = n.cm_code, format = n.format, tier = n.tier
        from reassigned as n
        where a.license_no = n.license_no and a.valid_to is null and n.valid_from >= $monday
        """,
        p,
    )
    con.execute(
        """
        update retailer_assignment as a set valid_to = $monday
        from reassigned as n
        where a.license_no = n.license_no and a.valid_to is null and n.valid_from < $monday
        """,
        p,
    )
    con.execute(
        """
        insert into retailer_assignment
        select license_no, $monday, null, territory_code, cm_code, format, tier
        from reassigned where valid_from < $monday
        """,
        p,
    )
    # retailers with no open assignment: new ones, or ones whose history was closed
    con.execute(
        """
        insert into retailer_assignment
        select
            i.license_no,
            coalesce(h.last_to, i.opened_on, date '1900-01-01'),
            null, i.territory_code, i.cm_code, i.format, i.tier
        from incoming as i
        left join (
            select license_no, max(valid_to) as last_to, count(*) filter (where valid_to is null) as open_rows
            from retailer_assignment group by all
        ) as h using (license_no)
        where coalesce(h.open_rows, 0) = 0
        """
    )
    con.execute("drop table reassigned")
