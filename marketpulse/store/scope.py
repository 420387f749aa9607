"""Scopes: whose data a reader's cursor may see, applied as views over the store's tables.

Any store table carrying a scope column is shadowed, for a cursor within a scope, by a view
of the same name that keeps only rows in scope, so a query author cannot forget the scope:
`weekly_observation` already means "in scope". Raw tables that carry only a license_no
(order_line) or a reporting cm_code (visit_line) are cut to the retailers ever assigned
within the scope. `retailer` and `customer_manager` hold those in the scope now, and those it
held before by code and name alone (see FORMER).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from marketpulse.store.paths import ATTACH_ALIAS

SCOPE_COLUMNS = ("department_code", "territory_code", "cm_code", "license_no")
UNSCOPED_TABLES = {"import_log", "quarantine"}
# tables of totals per level key (what a lake keeps: lake/kept_basis.py): a 市场部's row carries
# its department_code and no territory_code, and is in the scope of that 市场部 alone
LEVEL_TOTALS = {"uptake_week", "compliance_week", "fixed_weight_year", "level_week_total"}


@dataclass(frozen=True)
class Scope:
    """Whose data a query may see: the whole city, a 市场部, a 片区 or one customer manager."""

    department_code: str | None = None
    territory_code: str | None = None
    cm_code: str | None = None

    @property
    def is_city(self) -> bool:
        return not (self.department_code or self.territory_code or self.cm_code)


CITY = Scope()


def scoped_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Tables of the attached store that a scope cuts, each with its scope columns."""
    rows = con.execute(
        "select table_name, list(column_name) from duckdb_columns() "
        "where database_name = $db and schema_name = 'main' group by table_name",
        {"db": ATTACH_ALIAS},
    ).fetchall()
    return {
        name: [c for c in SCOPE_COLUMNS if c in cols]
        for name, cols in rows
        if name not in UNSCOPED_TABLES and any(c in cols for c in SCOPE_COLUMNS)
    }


def create_scope_schema(
    con: duckdb.DuckDBPyConnection, scope: Scope, tables: dict[str, list[str]], schema: str
) -> None:
    """Create schema `schema` in `con`'s own in-memory database, shadowing each table in
    `tables` by a view of the same name keeping only rows in `scope`. A cursor whose search
    path puts the schema before the store's tables reads within the scope; made once per
    connection and scope, it costs a cursor nothing (temp views would be made per cursor)."""
    at = f"memory.{schema}"
    con.execute(f"create schema {at}")
    # Resolve the scope to the departments, territories and customer managers it allows,
    # from the store's own reference tables, with the codes bound as parameters.
    con.execute(
        f"""
        create table {at}.scope_territory as
        select t.territory_code, t.department_code
        from {ATTACH_ALIAS}.main.territory as t
        where ($dep is null or t.department_code = $dep)
          and ($ter is null or t.territory_code = $ter)
          and ($cm is null or t.territory_code in (
                select territory_code from {ATTACH_ALIAS}.main.customer_manager where cm_code = $cm))
        """,
        {"dep": scope.department_code, "ter": scope.territory_code, "cm": scope.cm_code},
    )
    con.execute(f"create table {at}.scope_cm as select $cm::varchar as cm_code", {"cm": scope.cm_code})
    # the 市场部 a scope is, when it is one (not a 片区 or manager within it): its own totals
    con.execute(
        f"create table {at}.scope_department as select department_code from {ATTACH_ALIAS}.main.department "
        "where department_code = $dep and $ter is null and $cm is null",
        {"dep": scope.department_code, "ter": scope.territory_code, "cm": scope.cm_code},
    )
    con.execute(
        f"""
        create table {at}.scope_retailer as
        select license_no from {ATTACH_ALIAS}.main.retailer_assignment
        where territory_code in (select territory_code from {at}.scope_territory)
          and ($cm is null or cm_code = $cm)
        union
        select license_no from {ATTACH_ALIAS}.main.retailer
        where territory_code in (select territory_code from {at}.scope_territory)
          and ($cm is null or cm_code = $cm)
        """,
        {"cm": scope.cm_code},
    )
    for table, cols in tables.items():
        if table in FORMER:
            _now_and_former_view(con, at, table)
            continue
        conds = []
        if table in LEVEL_TOTALS:  # a 片区's or manager's row by its 片区, a 市场部's own to that 市场部 alone
            conds.append(
                f"(x.territory_code in (select territory_code from {at}.scope_territory) or "
                f"(x.territory_code is null and x.department_code in (select department_code from {at}.scope_department)))"
            )
        elif "territory_code" in cols:
            conds.append(f"x.territory_code in (select territory_code from {at}.scope_territory)")
        elif "department_code" in cols:
            conds.append(f"x.department_code in (select department_code from {at}.scope_territory)")
        elif "license_no" in cols:
            conds.append(f"x.license_no in (select license_no from {at}.scope_retailer)")
        if "cm_code" in cols and scope.cm_code:
            conds.append(f"x.cm_code = (select cm_code from {at}.scope_cm)")
        con.execute(
            f"create view {at}.{table} as "
            f"select x.* from {ATTACH_ALIAS}.main.{table} as x where {' and '.join(conds) or 'true'}"
        )


# Reference tables holding where a retailer or customer manager is now. Within a scope each
# also holds, by its identity alone (the other columns null), those the scope held in earlier
# weeks: facts are cut by the assignment of their week, so last month's rows still carry their
# names, while where they are now stays out (today's lists keep the rows with a 片区).
FORMER = {
    # table: (identity columns, the codes the scope held before, from scope_retailer's sources)
    "retailer": (("license_no", "retailer_name"), "select license_no from {at}.scope_retailer"),
    "customer_manager": (
        ("cm_code", "cm_name"),
        "select cm_code from {db}.main.retailer_assignment "
        "where territory_code in (select territory_code from {at}.scope_territory) "
        "and cm_code is not distinct from coalesce((select cm_code from {at}.scope_cm), cm_code)",
    ),
}


def _now_and_former_view(con: duckdb.DuckDBPyConnection, at: str, table: str) -> None:
    """`table` (one of FORMER) within the scope: its rows in the scope now, then, by identity
    alone, the ones the scope held before."""
    identity, held = FORMER[table]
    key = identity[0]
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = $db and schema_name = 'main' and table_name = $t order by column_index",
        {"db": ATTACH_ALIAS, "t": table},
    ).fetchall()
    before = ", ".join(
        f'x."{name}"' if name in identity else f'cast(null as {kind}) as "{name}"' for name, kind in columns
    )
    now = (
        f"x.territory_code in (select territory_code from {at}.scope_territory) "
        f"and x.cm_code is not distinct from coalesce((select cm_code from {at}.scope_cm), x.cm_code)"
    )
    con.execute(
        f"create view {at}.{table} as "
        f"select x.* from {ATTACH_ALIAS}.main.{table} as x where {now} "
        f"union all select {before} from {ATTACH_ALIAS}.main.{table} as x "
        f"where x.{key} in ({held.format(at=at, db=ATTACH_ALIAS)}) and not coalesce({now}, false)"
    )
