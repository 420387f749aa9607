"""Importing files into the lake: the store's own import run on a scratch store of the weeks the
file touches, then only the changed partitions and small tables written back.

Under the lake's writer lock, `import_into_lake` reads and checks the file with
marketpulse.ingest (the same rules, quarantine, log and roll-up refresh as the store), on a
scratch DuckDB in the lake's staging directory (lake/scratch.py loads what it reads). The
changed partitions and tables are then written as new files, renamed into place, the manifest
swapped in last and the serving store rebuilt; a failure anywhere before the manifest swap
leaves the lake as it was (files renamed in but not named by the manifest are removed by the
next writer). The file is streamed (ingest reads it to Parquet in pieces), and the scratch
store spills to disk past its memory limit, so memory stays bounded whatever the file's size.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from marketpulse import i18n
from marketpulse.errors import StoreError
from marketpulse.ingest import ImportSummary, import_bytes, import_file
from marketpulse.lake import kept
from marketpulse.lake import manifest as mf
from marketpulse.lake.export import lake_lock, staging
from marketpulse.lake.files import publish_file, staged_partitions, staged_weeks, table_columns
from marketpulse.lake.scratch import KEYED_TABLES, Scratch
from marketpulse.lake.serving import build_serving
from marketpulse.store.schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

FEW_WEEKS = 8  # partitions of a table an import writes a file at a time (more: partitioned by one COPY)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class LakeWriter:
    """The writer and the prepare hook marketpulse.ingest runs an import through, for one lake."""

    def __init__(self, lake: Path):
        self.lake = lake
        self.scratch: Scratch | None = None

    @contextlib.contextmanager
    def open(
        self, on_wait: Callable[[str], None] | None = None, waiting: Callable[[float], None] | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        with lake_lock(self.lake, on_wait, waiting):
            for stale in self.lake.glob(".staging-*"):  # left by a killed writer; we hold the lock
                shutil.rmtree(stale, ignore_errors=True)
            with staging(self.lake) as stage:
                manifest = mf.load(self.lake)
                if manifest.schema_version != SCHEMA_VERSION:
                    raise StoreError(
                        " / ".join(
                            i18n.t(
                                "lake.schema_differs",
                                lang,
                                lake=self.lake,
                                found=manifest.schema_version,
                                expected=SCHEMA_VERSION,
                            )
                            for lang in ("zh", "en")
                        )
                    )
                self.scratch = Scratch(self.lake, manifest, stage)
                try:
                    yield self.scratch.con
                    publish(self.lake, manifest, self.scratch, stage)
                finally:
                    self.scratch.con.close()
                    self.scratch = None

    def prepare(self, con: duckdb.DuckDBPyConnection, kind, monday: dt.date) -> None:
        self.scratch.prepare(con, kind, monday)


def publish(lake: Path, manifest: mf.Manifest, scratch: Scratch, stage: Path) -> None:
    """Write the changed partitions and tables as new files, then swap the manifest and serving store."""
    con, changed = scratch.con, []
    (stage / "out").mkdir()
    weeks = {table: scratch.weeks_to_write(table) for table in KEYED_TABLES}
    files = _stage_weeks(con, manifest, weeks, stage / "out")
    for table in KEYED_TABLES:
        parts = manifest.tables[table].parts
        for week in (w.isoformat() for w in weeks[table]):
            changed.append((table, week))
            parts.pop(week, None)  # a week left without rows loses its partition
            if (table, week) in files:
                part = publish_file(lake, con, table, week, files[table, week])
                part.row_hashes = scratch.row_hashes(table, dt.date.fromisoformat(week))
                parts[week] = part
        if weeks[table]:
            log.info("lake import: %s, %d partitions rewritten", table, len(weeks[table]))
    for table in scratch.changed_tables():
        changed.append((table, ""))
        columns = table_columns(con, table)
        out = stage / "out" / table
        out.mkdir()
        path = out / "part_0.parquet"
        con.execute(f"copy {_ident(table)} to $out (format parquet)", {"out": str(path)})
        manifest.tables[table] = mf.Table(
            columns=columns, week_of=None, parts={"": publish_file(lake, con, table, "", path)}
        )
        log.info("lake import: %s rewritten", table)
    manifest.lake_writes += 1
    mf.save(lake, manifest)
    build_serving(lake, manifest)
    mf.remove_replaced(lake, manifest, changed)
    kept.publish(lake, manifest, stage)


def _stage_weeks(
    con: duckdb.DuckDBPyConnection, manifest: mf.Manifest, weeks: dict[str, list[dt.date]], out: Path
) -> dict[tuple[str, str], Path]:
    """Write `weeks` of each table to files under `out`: (table, week) → file, none for a week left
    without rows. A few weeks of a table: a file each, two at a time; many (a whole history): one
    COPY partitioned by week, rather than a scan of the table per week."""
    few = [(table, week) for table, chosen in weeks.items() if len(chosen) <= FEW_WEEKS for week in chosen]
    written = staged_weeks(con, [(f"main.{_ident(t)}", manifest.tables[t], w) for t, w in few], out / "weeks")
    files = {(table, week.isoformat()): path for (table, week), path in zip(few, written, strict=True) if path}
    for table, chosen in weeks.items():
        if len(chosen) > FEW_WEEKS:
            spec = manifest.tables[table]
            staged = staged_partitions(con, f"main.{_ident(table)}", spec, out / table, chosen)
            files |= {(table, week): path for week, path in staged.items()}
    return files


def keep_template(lake: Path | str) -> None:
    """Build (or bring up to date) the lake's template of the scratch store, as an import's first step does."""
    lake = Path(lake).resolve()
    with lake_lock(lake), staging(lake) as stage:
        Scratch(lake, mf.load(lake), stage).con.close()


def import_into_lake(
    lake: Path | str,
    path: Path | str,
    kind: str | None = None,
    *,
    file_name: str | None = None,
    today: dt.date | None = None,
    **kw,
) -> ImportSummary:
    """Import one CSV/XLSX file into the lake at `lake`, as `ingest.import_file` does into the store.

    Takes the same options (progress, on_wait, waiting, force, delimiter); raises
    ImportRefused for a file that cannot be read, leaving the lake unchanged.
    """
    writer = LakeWriter(Path(lake).resolve())
    return import_file(path, kind, file_name=file_name, today=today, writer=writer.open, prepare=writer.prepare, **kw)


def import_bytes_into_lake(
    lake: Path | str, data: bytes, file_name: str, kind: str | None = None, **kw
) -> ImportSummary:
    """Import the bytes of one uploaded file into the lake at `lake` (options as `import_into_lake`)."""
    writer = LakeWriter(Path(lake).resolve())
    return import_bytes(data, file_name, kind, writer=writer.open, prepare=writer.prepare, **kw)
