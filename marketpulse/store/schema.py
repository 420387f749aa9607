"""Schema versions: the numbered files in queries/schema/, applied in order on a write connection."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from marketpulse.errors import StoreVersionError
from marketpulse.store import seed
from marketpulse.store.paths import QUERY_DIR

SCHEMA_DIR = QUERY_DIR / "schema"


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
    refuse_newer(version)
    if version == 0:
        con.execute("create table schema_version (version integer primary key, applied_at timestamp not null)")
    for number, path in migrations():
        if number > version:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("insert into schema_version values ($v, now())", {"v": number})
    if version < SCHEMA_VERSION:
        seed.seed_missing(con)
    return SCHEMA_VERSION


def refuse_newer(version: int) -> None:
    """Raise StoreVersionError for a store written by a newer release than this one."""
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"数据库版本 {version} 比本程序支持的版本 {SCHEMA_VERSION} 新,请升级 MarketPulse。 / "
            f"The store has schema version {version}, newer than this MarketPulse "
            f"supports ({SCHEMA_VERSION}); upgrade MarketPulse to open it."
        )
