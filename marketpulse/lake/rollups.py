"""The roll-ups built from the lake's facts and written back into it, replacing the old ones.

`build_rollups` runs DuckDB's own full rebuild (rollup.rebuild) over views of the lake's
Parquet; Spark builds the same tables from the same SQL (marketpulse.spark.rollup). Either
way the new files go in as an export's do: staged, renamed into their partitions, the
manifest swapped last, then the serving store rebuilt and the replaced files removed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb

from marketpulse import rollup
from marketpulse.lake import kept
from marketpulse.lake import manifest as mf
from marketpulse.lake.export import lake_lock, staging
from marketpulse.lake.files import publish_file, staged_partitions
from marketpulse.lake.serving import build_serving, view_sql
from marketpulse.store import QUERY_DIR

log = logging.getLogger(__name__)

# The builder files of queries/rollup/ in the order rollup.refresh runs them (each reads the
# tables the ones before it wrote); the tables they insert into are the roll-ups.
ROLLUP_FILES = (
    "weekly_observation",
    "retailer_visit",
    "launch_observation",
    "retailer_week_sales",
    "retailer_week",
    "trailing_sales",
    "market_cell",
    "spec_cells",
    "order_cells",
)
INSERT_RE = re.compile(r"^insert into (\w+) by name", re.MULTILINE | re.IGNORECASE)


def _rollup_tables() -> tuple[str, ...]:
    return tuple(
        table
        for name in ROLLUP_FILES
        for table in INSERT_RE.findall((QUERY_DIR / "rollup" / f"{name}.sql").read_text(encoding="utf-8"))
    )


ROLLUP_TABLES = _rollup_tables()

# writes a full build's roll-ups as Hive partitions under the staging directory: table → week → file
Builder = Callable[[Path, mf.Manifest, Path], Mapping[str, Mapping[str, Path]]]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def duckdb_builder(lake: Path, manifest: mf.Manifest, stage: Path) -> dict[str, dict[str, Path]]:
    """rollup.rebuild on DuckDB, facts and dimensions read from the lake's files; each roll-up staged by week."""
    written = {}
    with duckdb.connect(str(stage / "build.duckdb")) as con:
        for table, spec in sorted(manifest.tables.items()):
            if table in ROLLUP_TABLES:
                cols = ", ".join(f"{_quoted(c)} {t}" for c, t in spec.columns)
                con.execute(f"create table {_quoted(table)} ({cols})")
            else:
                con.execute(f"create view {_quoted(table)} as {view_sql(lake, manifest, table)}")
        rollup.rebuild(con)
        for table in ROLLUP_TABLES:
            written[table] = staged_partitions(con, f"main.{_quoted(table)}", manifest.tables[table], stage / table)
    return written


def build_rollups(lake: Path | str, builder: Builder = duckdb_builder) -> mf.Manifest:
    """Rebuild every roll-up of the lake at `lake` from its facts with `builder`; the new manifest.

    Each roll-up's partitions are all replaced (a week without rows loses its partition).
    """
    lake = Path(lake).resolve()
    with lake_lock(lake), staging(lake) as stage:
        manifest = mf.load(lake)
        missing = [t for t in ROLLUP_TABLES if t not in manifest.tables or not manifest.tables[t].partitioned]
        if missing:
            raise ValueError(f"the lake has no week-partitioned {', '.join(missing)}: export it again")
        written = builder(lake, manifest, stage)
        with duckdb.connect(":memory:") as con:
            for table in ROLLUP_TABLES:
                spec = manifest.tables[table]
                spec.parts = {week: publish_file(lake, con, table, week, path) for week, path in written[table].items()}
                log.info("lake: %s built (%d partitions)", table, len(spec.parts))
        mf.save(lake, manifest)
        build_serving(lake, manifest)
        mf.remove_stale(lake, manifest)
        kept.publish(lake, manifest, stage)
    return manifest
