"""The one owner of DuckDB connections: the live store, its schema, and named queries.

Concurrency design (see README, "Architecture"): the live file is never written in place.
Readers attach it read-only; a writer copies it to a private file, changes the copy,
checkpoints, closes it and atomically renames it over the live file. Writers take an
exclusive lock file first, so two imports queue instead of clobbering each other, and a
process killed half way leaves the live store exactly as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping

import duckdb
import pandas as pd

from marketpulse.store import seed

ROOT = Path(__file__).resolve().parents[2]
QUERY_DIR = ROOT / "queries"
SCHEMA_DIR = QUERY_DIR / "schema"
DEFAULT_DB = ROOT / "data" / "marketpulse.duckdb"

ATTACH_ALIAS = "s"


from marketpulse.errors import QueryError, StoreError, StoreVersionError  # noqa: E402


def db_path() -> Path:
    """Where the live store is: $MARKETPULSE_DB, else data/marketpulse.duckdb."""
    return Path(os.environ.get("MARKETPULSE_DB") or DEFAULT_DB)


# ── schema ────────────────────────────────────────────────────────────────────

def migrations() -> list[tuple[int, Path]]:
    """Schema files `NNN_name.sql` in version order."""
    found = []
    for path in SCHEMA_DIR.glob("*.sql"):
        m = re.match(r"(\d+)_", path.name)
        if m:
            found.append((int(m.group(1)), path))
    return sorted(found)


SCHEMA_VERSION = migrations()[-1][0]


def stored_version(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> int:
    """Schema version recorded in a store; 0 for an empty file."""
    prefix = f"{catalog}." if catalog else ""
    exists = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'schema_version'"
        + (" and database_name = $c" if catalog else ""),
        {"c": catalog} if catalog else {},
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute(f"select max(version) from {prefix}schema_version").fetchone()[0] or 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring a read-write store up to SCHEMA_VERSION; refuse one from a newer release."""
    version = stored_version(con)
    _refuse_newer(version)
    if version == 0:
        con.execute("create table schema_version (version integer primary key, applied_at timestamp not null)")
    for number, path in migrations():
        if number > version:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("insert into schema_version values ($v, now())", {"v": number})
    if version < SCHEMA_VERSION:
        seed.seed_missing(con)
    return SCHEMA_VERSION


# ── writing ───────────────────────────────────────────────────────────────────

def _default_wait_message(holder: str) -> None:
    print(
        f"另一个导入正在写入数据库({holder}),等待其完成… / "
        f"Another import is writing the store ({holder}); waiting for it to finish…",
        flush=True,
    )


@contextlib.contextmanager
def _writer_lock(path: Path, on_wait: Callable[[str], None] | None, timeout: float | None) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown process"
            (on_wait or _default_wait_message)(holder)
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() > deadline:
                        raise StoreError(
                            f"等待写锁超时({holder}仍在写入)。 / Timed out waiting for the "
                            f"write lock ({holder} is still writing)."
                        ) from None
                    time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def writer(
    path: Path | str | None = None,
    *,
    on_wait: Callable[[str], None] | None = None,
    timeout: float | None = None,
    fresh: bool = False,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a private read-write copy of the store; publish it atomically on success.

    Everything done on the yielded connection becomes visible together when the block
    ends without an exception, and not at all otherwise. `fresh=True` starts from an
    empty store instead of a copy (used by the demo builder).
    """
    path = Path(path or db_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path, on_wait, timeout):
        work = path.with_name(f".{path.name}.{os.getpid()}.building")
        for stale in path.parent.glob(f".{path.name}.*.building*"):
            stale.unlink(missing_ok=True)  # left by a killed writer; we hold the lock
        if path.exists() and not fresh:
            shutil.copyfile(path, work)
        con = duckdb.connect(str(work))
        try:
            migrate(con)
            yield con
            con.execute("checkpoint")
            con.close()
        except BaseException:
            con.close()
            work.unlink(missing_ok=True)
            Path(str(work) + ".wal").unlink(missing_ok=True)
            raise
        os.replace(work, path)


def ensure_current(path: Path | str | None = None) -> None:
    """Create or upgrade the store so readers find the current schema."""
    path = Path(path or db_path())
    if path.exists():
        with duckdb.connect(":memory:") as probe:
            probe.execute(f"attach $p as {ATTACH_ALIAS} (read_only)", {"p": str(path)})
            version = stored_version(probe, ATTACH_ALIAS)
        if version == SCHEMA_VERSION:
            return
        _refuse_newer(version)
    with writer(path):
        pass


def _refuse_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"数据库版本 {version} 比本程序支持的版本 {SCHEMA_VERSION} 新,请升级 MarketPulse。 / "
            f"The store has schema version {version}, newer than this MarketPulse "
            f"supports ({SCHEMA_VERSION}); upgrade MarketPulse to open it."
        )


# ── reading ───────────────────────────────────────────────────────────────────

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

# Columns by which a table is cut to a scope. Any store table carrying one of them is
# shadowed, per cursor, by a temp view of the same name that keeps only rows in scope,
# so a query author cannot forget the scope: `weekly_observation` already means "in scope".
# Raw tables that carry only a license_no (order_line) or a reporting cm_code (visit_line)
# are cut to the retailers ever assigned within the scope.
SCOPE_COLUMNS = ("department_code", "territory_code", "cm_code", "license_no")
UNSCOPED_TABLES = {"import_log", "quarantine"}


def store_version(path: Path | str | None = None) -> str:
    """A token that changes whenever a new store is published (cache key for pages)."""
    path = Path(path or db_path())
    try:
        st = path.stat()
    except FileNotFoundError:
        return "missing"
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


class Reader:
    """Read-only access to the live store, reattached when a writer publishes a new one.

    Safe to share across threads: each call hands out its own cursor (DuckDB 2.0 refuses
    one connection used by two threads at once).
    """

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path or db_path())
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version = None

    def _connection(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            version = store_version(self.path)
            if self._con is not None and version == self._version:
                return self._con
            if version == "missing":
                raise StoreError(
                    f"找不到数据库 {self.path},请先运行 `make run` 或 `python -m marketpulse demo`。 / "
                    f"No store at {self.path}; run `make run` or `python -m marketpulse demo` first."
                )
            ensure_current(self.path)  # upgrades an older store once, refuses a newer one
            version = store_version(self.path)
            con = duckdb.connect(":memory:")
            con.execute(f"attach $p as {ATTACH_ALIAS} (read_only)", {"p": str(self.path)})
            # the previous connection is dropped, not closed: another thread may still be
            # reading through a cursor of it; it closes once unreferenced
            self._con, self._version = con, version
            self._tables = self._scoped_tables(con)
            return con

    @staticmethod
    def _scoped_tables(con) -> dict[str, list[str]]:
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

    @property
    def version(self) -> str:
        self._connection()
        return self._version

    def cursor(self, scope: Scope = CITY) -> duckdb.DuckDBPyConnection:
        """A fresh cursor on the live store with `scope` applied to every scoped table."""
        cur = self._connection().cursor()
        cur.execute(f"use {ATTACH_ALIAS}")
        if not scope.is_city:
            _apply_scope(cur, scope, self._tables)
        return cur

    def query(self, name: str, params: Mapping | None = None, scope: Scope = CITY) -> pd.DataFrame:
        """Run the named query from queries/ with bound parameters, within `scope`."""
        sql, bound = bind(name, params or {})
        cur = self.cursor(scope)
        try:
            return cur.execute(sql, bound).df()
        finally:
            cur.close()

    def sql(self, sql: str, params: Mapping | list | None = None, scope: Scope = CITY) -> pd.DataFrame:
        """Run a fixed SQL text (no user input in it) with bound parameters."""
        cur = self.cursor(scope)
        try:
            return cur.execute(sql, params or {}).df()
        finally:
            cur.close()


def _apply_scope(cur, scope: Scope, tables: dict[str, list[str]]) -> None:
    # Resolve the scope to the departments, territories and customer managers it allows,
    # from the store's own reference tables, with the codes bound as parameters.
    cur.execute(
        f"""
        create or replace temp table scope_territory as
        select t.territory_code, t.department_code
        from {ATTACH_ALIAS}.main.territory as t
        where ($dep is null or t.department_code = $dep)
          and ($ter is null or t.territory_code = $ter)
          and ($cm is null or t.territory_code in (
                select territory_code from {ATTACH_ALIAS}.main.customer_manager where cm_code = $cm))
        """,
        {"dep": scope.department_code, "ter": scope.territory_code, "cm": scope.cm_code},
    )
    cur.execute("create or replace temp table scope_cm as select $cm::varchar as cm_code", {"cm": scope.cm_code})
    cur.execute(
        f"""
        create or replace temp table scope_retailer as
        select license_no from {ATTACH_ALIAS}.main.retailer_assignment
        where territory_code in (select territory_code from temp.scope_territory)
          and ($cm is null or cm_code = $cm)
        union
        select license_no from {ATTACH_ALIAS}.main.retailer
        where territory_code in (select territory_code from temp.scope_territory)
          and ($cm is null or cm_code = $cm)
        """,
        {"cm": scope.cm_code},
    )
    for table, cols in tables.items():
        conds = []
        if "territory_code" in cols:
            conds.append("x.territory_code in (select territory_code from temp.scope_territory)")
        elif "department_code" in cols:
            conds.append("x.department_code in (select department_code from temp.scope_territory)")
        elif "license_no" in cols:
            conds.append("x.license_no in (select license_no from temp.scope_retailer)")
        if "cm_code" in cols and scope.cm_code:
            conds.append("x.cm_code = (select cm_code from temp.scope_cm)")
        cur.execute(
            f"create or replace temp view {table} as "
            f"select x.* from {ATTACH_ALIAS}.main.{table} as x where {' and '.join(conds) or 'true'}"
        )


_readers: dict[str, Reader] = {}
_readers_lock = threading.Lock()


def reader(path: Path | str | None = None) -> Reader:
    """The process-wide Reader for a store path."""
    key = str(Path(path or db_path()).resolve())
    with _readers_lock:
        if key not in _readers:
            _readers[key] = Reader(key)
        return _readers[key]


# ── named queries ─────────────────────────────────────────────────────────────

PARAM_RE = re.compile(r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)")

# Filters every metric accepts; a query that uses one gets this default (no filter).
FILTER_DEFAULTS: dict[str, object] = {
    "format": None,        # 业态
    "tier_band": None,     # 档位 band
    "area_type": None,     # 城网/农网
    "brand": None,
    "price_class": None,
    "spec_code": None,
}


def _strip_comments_and_strings(sql: str) -> str:
    sql = re.sub(r"--[^\n]*", "", sql)
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def query_path(name: str) -> Path:
    if not re.fullmatch(r"[a-z][a-z0-9_]*(/[a-z][a-z0-9_]*)?", name):
        raise QueryError(f"查询名称无效:{name!r} / Invalid query name: {name!r}")
    path = QUERY_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(
            f"没有名为 {name} 的查询。可用:{', '.join(query_names())} / "
            f"No query named {name}. Available: {', '.join(query_names())}"
        )
    return path


def query_names() -> list[str]:
    """Metric queries users may run (schema and roll-up builders excluded)."""
    return sorted(p.stem for p in QUERY_DIR.glob("*.sql"))


def query_params(name: str) -> set[str]:
    """Parameters a named query uses, read from its text."""
    return set(PARAM_RE.findall(_strip_comments_and_strings(query_text(name))))


# `ref('name')` in a query stands for another named query's result, as a subquery, so a
# metric is defined once and reused (alerts read market_state). `ref('name', level='cm')`
# fixes some of its parameters to constants written in the query file itself.
REF_RE = re.compile(r"ref\(\s*'([a-z][a-z0-9_]*(?:/[a-z][a-z0-9_]*)?)'\s*((?:,\s*[a-z_]+\s*=\s*'[^']*'\s*)*)\)")
REF_ARG_RE = re.compile(r"([a-z_]+)\s*=\s*'([^']*)'")
STRING_RE = re.compile(r"('(?:[^']|'')*')")


def _fix_params(sql: str, fixed: Mapping[str, str]) -> str:
    """Replace `$name` by a quoted constant outside string literals."""
    parts = STRING_RE.split(sql)
    for i in range(0, len(parts), 2):  # even parts lie outside string literals
        parts[i] = PARAM_RE.sub(
            lambda m: "'" + fixed[m.group(1)].replace("'", "''") + "'" if m.group(1) in fixed else m.group(0),
            parts[i],
        )
    return "".join(parts)


def query_text(name: str, _stack: tuple[str, ...] = ()) -> str:
    """The SQL of a named query with every `ref(...)` expanded."""
    if name in _stack:
        raise QueryError(f"查询循环引用 / Queries refer to each other in a loop: {' → '.join(_stack + (name,))}")
    # comments go first: a header may mention ref(...) without meaning it
    sql = re.sub(r"--[^\n]*", "", query_path(name).read_text(encoding="utf-8"))

    def expand(match: re.Match) -> str:
        inner = query_text(match.group(1), _stack + (name,)).strip().rstrip(";")
        fixed = dict(REF_ARG_RE.findall(match.group(2) or ""))
        return "(\n" + _fix_params(inner, fixed) + "\n)"

    return REF_RE.sub(expand, sql)


def bind(name: str, params: Mapping) -> tuple[str, dict]:
    """The query text and its parameters, checked: none missing, none unknown."""
    sql = query_text(name)
    wanted = set(PARAM_RE.findall(_strip_comments_and_strings(sql)))
    given = {k: v for k, v in params.items()}
    extra = set(given) - wanted - set(FILTER_DEFAULTS)
    if extra:
        raise QueryError(
            f"查询 {name} 不接受参数:{', '.join(sorted(extra))};可用参数:{', '.join(sorted(wanted))} / "
            f"Query {name} takes no parameter {', '.join(sorted(extra))}; it takes: {', '.join(sorted(wanted))}"
        )
    bound = {k: given.get(k, FILTER_DEFAULTS.get(k)) for k in wanted}
    missing = sorted(k for k in wanted if k not in given and k not in FILTER_DEFAULTS)
    if missing:
        raise QueryError(
            f"查询 {name} 缺少参数:{', '.join(missing)} / Query {name} needs parameter(s): {', '.join(missing)}"
        )
    return sql, bound


def run(name: str, params: Mapping | None = None, scope: Scope = CITY, path: Path | str | None = None) -> pd.DataFrame:
    """Run a named query on the live store: the one way pages, CLI and bench read metrics."""
    return reader(path).query(name, params, scope)


def execute_file(con: duckdb.DuckDBPyConnection, relative: str, params: Mapping | None = None) -> None:
    """Run a builder SQL file (schema, roll-up) on a write connection."""
    text = (QUERY_DIR / relative).read_text(encoding="utf-8")
    # DuckDB prepares one statement at a time when parameters are bound
    for sql in (s for s in re.split(r";\s*(?:\n|$)", text) if _strip_comments_and_strings(s).strip()):
        wanted = set(PARAM_RE.findall(_strip_comments_and_strings(sql)))
        con.execute(sql, {k: v for k, v in (params or {}).items() if k in wanted})
