"""The lake as the dashboard's data: which lake serves the pages ($MARKETPULSE_LAKE), the small
tables the dashboard edits (rules) published into it, and the refusal of a write only the store would see.

A small-table write runs the store's own code (its checks and constraints) on a scratch store in
the lake's staging directory holding the lake's rows of those tables, then publishes them as an
import does: new files renamed in, the manifest swapped, the serving store rebuilt.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from marketpulse import i18n, rules
from marketpulse.errors import StoreError
from marketpulse.lake import kept
from marketpulse.lake import manifest as mf
from marketpulse.lake.export import lake_lock, staging
from marketpulse.lake.files import publish_file, table_columns
from marketpulse.lake.rollups import build_rollups
from marketpulse.lake.serving import build_serving
from marketpulse.store.paths import db_path
from marketpulse.store.reader import LAKE_SERVING_FILE, reader
from marketpulse.store.schema import SCHEMA_VERSION, migrate

log = logging.getLogger(__name__)

T = TypeVar("T")
LAKE_ENV = "MARKETPULSE_LAKE"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def serving_lake() -> Path | None:
    """The lake that serves the pages ($MARKETPULSE_LAKE), or None when they read the store."""
    lake = os.environ.get(LAKE_ENV)
    return Path(lake).resolve() if lake else None


def serving_db(lake: Path | str) -> Path:
    """The lake's serving store, which readers attach like a store."""
    return Path(lake).resolve() / LAKE_SERVING_FILE


def holds(lake: Path | str, table: str) -> bool:
    """Whether the lake's serving store has `table` (the quarantine arrives with its first held-back row)."""
    path = serving_db(lake)
    if not path.exists():
        return False
    found = reader(path).sql(
        "select count(*) as n from duckdb_views() where database_name = current_database() and view_name = $t",
        {"t": table},
    )
    return bool(found["n"].iloc[0])


def quarantine_db(lake: Path | str) -> Path:
    """Where the lake's held-back rows are read: its serving store once it holds a quarantine, before
    that a path with no file, which the quarantine's readers take as empty (StoreError: no lake)."""
    mf.load(lake)
    if holds(lake, "quarantine"):
        return serving_db(lake)
    return Path(lake).resolve() / ".no-quarantine.duckdb"


def store_only(lake: Path | str, what: str) -> StoreError:
    """The bilingual refusal of a write that would reach only the store while `lake` serves the pages
    (`what`: an i18n key naming the write)."""
    return StoreError(
        " / ".join(i18n.t("lake.store_only", x, lake=lake, what=i18n.t(what, x), store=db_path()) for x in ("zh", "en"))
    )


def write_tables(tables: list[str], change: Callable[[Path | None], T], reads: tuple[str, ...] = ()) -> T:
    """Run the store write `change(db)` where the pages read: on the store (db None), or while a lake
    serves the pages on a scratch store whose `tables` are then published into the lake (see publish_tables)."""
    served = serving_lake()
    if served is None:
        return change(None)
    return publish_tables(served, tables, change, reads=reads)


def publish_tables(
    lake: Path | str,
    tables: list[str],
    change: Callable[[Path], T],
    on_wait: Callable[[str], None] | None = None,
    waiting: Callable[[float], None] | None = None,
    reads: tuple[str, ...] = (),
) -> T:
    """Run `change(db)` on a scratch store holding the lake's rows of the whole `tables` (and of the
    whole tables in `reads`, which it only reads), then publish `tables` into the lake; `change`'s
    result. Its failure leaves the lake as it was."""
    private = sorted(set(tables) & mf.PRIVATE_TABLES)
    if private:
        raise ValueError(f"private tables never enter the lake: {private}")
    lake = Path(lake).resolve()
    with lake_lock(lake, on_wait, waiting), staging(lake) as stage:
        manifest = mf.load(lake)
        by_week = sorted(t for t in tables if t in manifest.tables and manifest.tables[t].partitioned)
        if by_week:
            raise ValueError(f"tables kept by week are written by an import or an export, not whole: {by_week}")
        if manifest.schema_version != SCHEMA_VERSION:
            raise StoreError(
                " / ".join(
                    i18n.t("lake.schema_differs", x, lake=lake, found=manifest.schema_version, expected=SCHEMA_VERSION)
                    for x in ("zh", "en")
                )
            )
        db = stage / "tables.duckdb"
        with duckdb.connect(str(db)) as con:
            migrate(con)
            for table in [*tables, *reads]:
                con.execute(f"delete from {_ident(table)}")  # the seeds migrate put in
                paths = mf.files(lake, manifest, table) if table in manifest.tables else []
                if paths:
                    con.execute(
                        f"insert into {_ident(table)} by name "
                        "select * from read_parquet($f, hive_partitioning = false)",
                        {"f": paths},
                    )
        result = change(db)
        with duckdb.connect(str(db), read_only=True) as con:
            for table in tables:
                columns = table_columns(con, table)
                out = stage / "out" / table
                out.mkdir(parents=True)
                path = out / "part_0.parquet"
                con.execute(f"copy {_ident(table)} to $out (format parquet)", {"out": str(path)})
                manifest.tables[table] = mf.Table(
                    columns=columns, week_of=None, parts={"": publish_file(lake, con, table, "", path)}
                )
                log.info("lake: %s published", table)
        manifest.lake_writes += 1
        mf.save(lake, manifest)
        build_serving(lake, manifest)
        mf.remove_replaced(lake, manifest, [(table, "") for table in tables])
        kept.publish(lake, manifest, stage)
    return result


def publish_rules(table: str, change: Callable[[Path | str | None], int]) -> int:
    """Run the rule write `change(db)` where the pages read: the store, or the lake that serves
    them. A lake whose 档位 bands changed gets its roll-ups rebuilt from its facts (the store
    rebuilds its own in rules.replace_rules), so no page groups retailers by the old bands."""
    before = rules.rules_frame(table) if table in rules.ROLLED_UP else None
    n = write_tables([table], change)
    served = serving_lake()
    if served is not None and before is not None and not before.equals(rules.rules_frame(table)):
        build_rollups(served)
    return n
