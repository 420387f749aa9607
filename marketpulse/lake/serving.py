"""The lake's serving store: a small DuckDB file of views over the manifest's Parquet files.

Pages read it like the live store (`MARKETPULSE_LAKE=DIR`, see store.reader): the same
table names and columns, so the same named queries and scopes run on it, with DuckDB doing
the reading, while Spark (or an export) writes the lake. It is rebuilt and swapped in
atomically after every manifest change; a reader then reattaches to the new one. Its views
name the files relative to the lake, and DuckDB finds them through `file_search_path` set to
the lake's directory (`search_lake`), so a lake can be moved or copied whole.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from marketpulse.lake import manifest as mf
from marketpulse.lake.kept_basis import KEPT
from marketpulse.store.kept_code import kept_digest
from marketpulse.store.reader import LAKE_SERVING_FILE

# Kept as a real table: the store's version probe looks for a table of this name.
VERSION_TABLE = "schema_version"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def search_lake(con: duckdb.DuckDBPyConnection, lake: Path | str) -> None:
    """Let `con` find the files a serving store's views name relative to `lake`."""
    con.execute(f"set global file_search_path = {_literal(str(Path(lake).resolve()))}")


def view_sql(lake: Path, manifest: mf.Manifest, table: str, relative: bool = False) -> str:
    """The select that reads one table of the lake in the store's column order and types
    (`relative`: the files named relative to the lake, for a connection that `search_lake`s it)."""
    spec = manifest.tables[table]
    cols = ", ".join(f"cast({_ident(c)} as {t}) as {_ident(c)}" for c, t in spec.columns)
    if relative:  # the manifest names them relative to the lake
        paths = [p.file for _, p in sorted(spec.parts.items())]
    else:
        paths = mf.files(lake, manifest, table)
    if not paths:
        return _empty_sql(spec)
    options = (
        "hive_partitioning = true, hive_types = {'week': 'date'}" if spec.partitioned else "hive_partitioning = false"
    )
    return f"select {cols} from read_parquet([{', '.join(map(_literal, paths))}], {options})"


def _empty_sql(spec: mf.Table) -> str:
    return "select " + ", ".join(f"cast(null as {t}) as {_ident(c)}" for c, t in spec.columns) + " where false"


def build_serving(lake: Path | str, manifest: mf.Manifest | None = None) -> Path:
    """Write `<lake>/serving.duckdb` for the manifest's snapshot and swap it in; its path."""
    lake = Path(lake).resolve()
    manifest = manifest or mf.load(lake)
    final = lake / LAKE_SERVING_FILE
    tmp = mf.temp_path(final)
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(tmp)) as con:
        search_lake(con, lake)
        kept = {basis.table: basis for basis in KEPT}
        for table in sorted(manifest.tables):
            if table in kept and not kept[table].current(manifest):
                continue  # kept of other data than the lake's: readers evaluate it
            select = view_sql(lake, manifest, table, relative=True)
            kind = "table" if table == VERSION_TABLE else "view"
            con.execute(f"create {kind} {_ident(table)} as {select}")
            if table in kept:  # which code kept it: a reader of other code evaluates its own
                con.execute(f"comment on view {_ident(table)} is {_literal(kept_digest(table, kept[table].query))}")
        con.execute("checkpoint")
    mf.publish(tmp, final)
    return final
