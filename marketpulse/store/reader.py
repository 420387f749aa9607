"""Reading the live store: read-only cursors within a scope, reattached after each publish.

Readers attach the live file read-only; when a writer publishes a new file, the next
call attaches that one, so a page sees an import at once and never a half-written store.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from marketpulse.errors import StoreError
from marketpulse.store.paths import ATTACH_ALIAS, db_path
from marketpulse.store.queries import Swap, bind
from marketpulse.store.scope import CITY, Scope, create_scope_schema, scoped_tables
from marketpulse.store.writer import ensure_current

# reads side_by_side runs at once: a page's queries are many and mostly small, and one alone
# keeps DuckDB's threads busy only part of the time (more than 3 gained nothing on 2 cores)
READS_AT_ONCE = 3

# In a lake directory (marketpulse.lake): DuckDB views over its Parquet, rebuilt on each lake write.
LAKE_SERVING_FILE = "serving.duckdb"
LAKE_MANIFEST_FILE = "manifest.json"  # swapped in by every lake write, just before the serving store
# A reader of a lake's serving store finds what the lake never holds (accounts, delivery recipients) in the store.
STORE_ALIAS = "own_store"
STORE_ONLY_TABLES = ("account", "delivery_recipient", "delivery_log")


def serving_path() -> Path:
    """Where pages read: the serving store of the lake named by $MARKETPULSE_LAKE, else the live store."""
    lake = os.environ.get("MARKETPULSE_LAKE")
    return Path(lake) / LAKE_SERVING_FILE if lake else db_path()


def store_version(path: Path | str | None = None) -> str:
    """A token that changes whenever a new store is published (cache key for pages); for a lake's
    serving store, whenever its manifest or serving store is swapped (each lake write swaps both)."""
    path = Path(path or serving_path())
    try:
        st = path.stat()
    except FileNotFoundError:
        return "missing"
    token = f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"
    if path.name == LAKE_SERVING_FILE:  # and the store beside it, which it reads accounts from
        for other in (path.parent / LAKE_MANIFEST_FILE, db_path()):
            with contextlib.suppress(FileNotFoundError):
                st = other.stat()
                token += f"/{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"
    return token


@dataclass
class _Scoping:
    """A connection's scopes: its tables that a scope cuts (with their scope columns), and the
    schema of views made for each scope asked for so far."""

    tables: dict[str, list[str]]
    schemas: dict[Scope, str] = field(default_factory=dict)
    made: int = 0  # schemas begun on the connection


class Reader:
    """Read-only access to the live store, reattached when a writer publishes a new one.

    Safe to share across threads: each call hands out its own cursor (DuckDB 2.0 refuses
    one connection used by two threads at once).
    """

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path or db_path())
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version: str | None = None
        self._search: str | None = None  # a lake's: its serving store, then the store-only tables
        self._scoping = _Scoping({})

    def _connection(self) -> tuple[duckdb.DuckDBPyConnection, str | None, _Scoping]:
        with self._lock:
            version = store_version(self.path)
            if self._con is not None and version == self._version:
                return self._con, self._search, self._scoping
            if version == "missing":
                raise StoreError(
                    f"找不到数据库 {self.path},请先运行 `make run` 或 `python -m marketpulse demo`。 / "
                    f"No store at {self.path}; run `make run` or `python -m marketpulse demo` first."
                )
            ensure_current(self.path)  # upgrades an older store once, refuses a newer one
            version = store_version(self.path)
            con = duckdb.connect(":memory:")
            search = None
            if self.path.name == LAKE_SERVING_FILE:  # its views name the lake's files relative to it
                con.execute("set global file_search_path = " + "'" + str(self.path.parent).replace("'", "''") + "'")
                own = db_path()
                if own.exists():
                    con.execute(f"attach $p as {STORE_ALIAS} (read_only)", {"p": str(own)})
                    held = con.execute(
                        "select table_name from duckdb_tables() where database_name = $db and table_name in $t",
                        {"db": STORE_ALIAS, "t": list(STORE_ONLY_TABLES)},
                    ).fetchall()
                    for (table,) in held:  # in this connection's own database, after the serving store's
                        con.execute(f"create view memory.main.{table} as select * from {STORE_ALIAS}.main.{table}")
                    search = f"{ATTACH_ALIAS}.main,memory.main"
            con.execute(f"attach $p as {ATTACH_ALIAS} (read_only)", {"p": str(self.path)})
            # the previous connection is dropped, not closed: another thread may still be
            # reading through a cursor of it; it closes once unreferenced
            self._con, self._version, self._search = con, version, search
            self._scoping = _Scoping(scoped_tables(con))
            return con, search, self._scoping

    def _scope_schema(self, con: duckdb.DuckDBPyConnection, scoping: _Scoping, scope: Scope) -> str:
        """The schema of `con` whose views keep `scope`'s rows (`scoping`: con's own), made on first use."""
        with self._lock:
            if scope not in scoping.schemas:
                schema = f"scope_{scoping.made}"
                scoping.made += 1  # a name is never used twice, even after a failed attempt
                try:
                    create_scope_schema(con, scope, scoping.tables, schema)
                except BaseException:
                    con.execute(f"drop schema if exists memory.{schema} cascade")
                    raise
                scoping.schemas[scope] = schema
            return scoping.schemas[scope]

    def cursor(self, scope: Scope = CITY) -> duckdb.DuckDBPyConnection:
        """A fresh cursor on the live store with `scope` applied to every scoped table."""
        con, search, scoping = self._connection()
        cur = con.cursor()
        cur.execute(f"use {ATTACH_ALIAS}")
        if not scope.is_city:  # the scope's views come first, then the store's tables
            search = f"memory.{self._scope_schema(con, scoping, scope)},{search or ATTACH_ALIAS + '.main'}"
        if search:
            cur.execute(f"set search_path = '{search}'")
        return cur

    def query(self, name: str, params: Mapping | None = None, scope: Scope = CITY, swap: Swap = ()) -> pd.DataFrame:
        """Run the named query from queries/ with bound parameters, within `scope` (`swap`: bind)."""
        sql, bound = bind(name, params or {}, swap)
        return self.sql(sql, bound, scope)

    def sql(self, sql: str, params: Mapping | list | None = None, scope: Scope = CITY) -> pd.DataFrame:
        """Run a fixed SQL text (no user input in it) with bound parameters."""
        cur = self.cursor(scope)
        try:
            return cur.execute(sql, params or {}).df()
        finally:
            cur.close()


_readers: dict[str, Reader] = {}
_readers_lock = threading.Lock()


def reader(path: Path | str | None = None) -> Reader:
    """The process-wide Reader for a store path (none given: where pages read, see serving_path)."""
    key = str(Path(path or serving_path()).resolve())
    with _readers_lock:
        if key not in _readers:
            _readers[key] = Reader(key)
        return _readers[key]


def run(
    name: str, params: Mapping | None = None, scope: Scope = CITY, path: Path | str | None = None, swap: Swap = ()
) -> pd.DataFrame:
    """Run a named query on the live store: the one way pages, CLI and bench read metrics."""
    return reader(path).query(name, params, scope, swap)


_inside = threading.local()


def side_by_side(*calls: Callable) -> list:
    """The results of independent reads, in the order given, run READS_AT_ONCE at a time (each
    query has its own cursor, see Reader); the first failure is raised as if run one by one.
    Reads started by one of them run one by one: at most READS_AT_ONCE queries at once (each
    holds its own working memory)."""
    if len(calls) < 2 or getattr(_inside, "flag", False):
        return [call() for call in calls]

    def one_read(call: Callable):
        _inside.flag = True
        try:
            return call()
        finally:
            _inside.flag = False

    with ThreadPoolExecutor(max_workers=min(READS_AT_ONCE, len(calls))) as pool:
        return list(pool.map(one_read, calls))
