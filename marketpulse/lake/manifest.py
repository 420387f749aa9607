"""The lake's layout and manifest: where each table's Parquet files live, what they hold, and
the atomic moves that keep a reader from ever seeing a half-written partition or manifest.

    <dir>/manifest.json                                   the snapshot readers trust
    <dir>/<table>/week=YYYY-MM-DD/part-<id>.parquet       week-keyed tables (facts, roll-ups)
    <dir>/<table>/part-<id>.parquet                       dimensions and rules, whole

A week-keyed table's files leave out the `week` column (Hive style: the directory holds it).
Each file gets a fresh name; the manifest names the current one per partition, so a reader
that goes by the manifest sees one consistent snapshot, and the older file is removed only
after the new manifest is in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from marketpulse.errors import StoreError

MANIFEST = "manifest.json"
LAKE_FORMAT = "marketpulse-lake"
LAKE_VERSION = 1
PARTITION_COLUMN = "week"
# Raw facts carry a date, not a week: their partition is the Monday of that date's week.
FACT_DATES = {"visit_line": "visit_date", "order_line": "order_date"}
# Never leaves the store: password hashes, robot webhooks and secrets, rows held back as typed,
# and the delivery log (written by `deliver`, which runs beside the store and reads it from there).
PRIVATE_TABLES = frozenset({"account", "delivery_recipient", "delivery_log", "quarantine"})


@dataclass
class Part:
    """One Parquet file of the lake: its path under the lake directory, rows and SHA-256, and for a
    partition an import wrote, the sum of its rows' DuckDB hashes as the import saw them (the next
    import that reads the partition then knows what it read without hashing it again)."""

    file: str
    rows: int
    sha256: str
    row_hashes: str = ""


@dataclass
class Table:
    """A table in the lake: its columns (name, DuckDB type) in store order and its files.

    `week_of` is the column a week-keyed table is partitioned by (`week`, or a fact's date);
    None for a table kept whole, whose one file sits under the key "". `basis` is, for a table
    derived from others after each write (lake/alert_week.py), what it was derived from by week.
    """

    columns: list[tuple[str, str]]
    week_of: str | None
    parts: dict[str, Part] = field(default_factory=dict)
    basis: dict[str, str] = field(default_factory=dict)

    @property
    def partitioned(self) -> bool:
        return self.week_of is not None


@dataclass
class Manifest:
    """The lake's table of contents: store schema version and every table's partitions."""

    schema_version: int
    tables: dict[str, Table] = field(default_factory=dict)
    written_at: str = ""
    # writes made in the lake itself since it was last exported (imports, rule edits, approvals):
    # the store does not hold them, so an export over the lake would drop them
    lake_writes: int = 0

    def to_json(self) -> dict:
        return {
            "format": LAKE_FORMAT,
            "lake_version": LAKE_VERSION,
            "schema_version": self.schema_version,
            "written_at": self.written_at,
            "lake_writes": self.lake_writes,
            "tables": {
                name: {
                    "columns": [list(c) for c in t.columns],
                    "week_of": t.week_of,
                    "parts": {k: {f: v for f, v in vars(p).items() if v != ""} for k, p in sorted(t.parts.items())},
                    **({"basis": dict(sorted(t.basis.items()))} if t.basis else {}),
                }
                for name, t in sorted(self.tables.items())
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        if data.get("format") != LAKE_FORMAT or data.get("lake_version") != LAKE_VERSION:
            raise StoreError(f"不是本版本的数据湖清单 / Not a version-{LAKE_VERSION} MarketPulse lake manifest")
        tables = {
            name: Table(
                columns=[tuple(c) for c in t["columns"]],
                week_of=t["week_of"],
                parts={k: Part(**p) for k, p in t["parts"].items()},
                basis=t.get("basis", {}),
            )
            for name, t in data["tables"].items()
        }
        return cls(
            schema_version=data["schema_version"],
            tables=tables,
            written_at=data.get("written_at", ""),
            lake_writes=data.get("lake_writes", 0),
        )


def partition_dir(table: str, week: str) -> str:
    """A partition's directory under the lake: `<table>/week=YYYY-MM-DD`, or `<table>` when whole."""
    return f"{table}/{PARTITION_COLUMN}={week}" if week else table


def new_part_name(table: str, week: str) -> str:
    """A fresh file name for a partition (never reused, so a reader's open file never changes)."""
    return f"{partition_dir(table, week)}/part-{secrets.token_hex(6)}.parquet"


def temp_path(final: Path) -> Path:
    """Where a file is written before it is renamed in: hidden and not `*.parquet`, so no reader lists it."""
    return final.with_name(f".{final.name}.{os.getpid()}.tmp")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(tmp: Path, final: Path) -> None:
    """Move a finished file into place atomically (same directory, same file system)."""
    _fsync(tmp)
    os.replace(tmp, final)
    _fsync(final.parent)


def load(lake: Path | str) -> Manifest:
    """The lake's manifest; an error naming the directory when there is none."""
    path = Path(lake) / MANIFEST
    try:
        return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise StoreError(
            f"{lake} 不是数据湖(没有 {MANIFEST}),请先运行 `python -m marketpulse export-lake {lake}`。 / "
            f"{lake} is no lake (no {MANIFEST}); run `python -m marketpulse export-lake {lake}` first."
        ) from None


def load_or_new(lake: Path | str, schema_version: int) -> Manifest:
    """The lake's manifest, or an empty one for a new lake."""
    if (Path(lake) / MANIFEST).exists():
        return load(lake)
    return Manifest(schema_version=schema_version)


def save(lake: Path | str, manifest: Manifest) -> None:
    """Replace the manifest atomically: readers see the old one or the new one, never a mix."""
    manifest.written_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    final = Path(lake) / MANIFEST
    tmp = temp_path(final)
    tmp.write_text(json.dumps(manifest.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    publish(tmp, final)


def files(lake: Path | str, manifest: Manifest, table: str) -> list[str]:
    """Absolute paths of a table's current files, in partition order."""
    return [str(Path(lake) / p.file) for _, p in sorted(manifest.tables[table].parts.items())]


def verify(lake: Path | str, manifest: Manifest | None = None) -> list[str]:
    """Files missing or whose content no longer matches the manifest's checksum (empty: all good)."""
    manifest = manifest or load(lake)
    bad = []
    for table in manifest.tables.values():
        for part in table.parts.values():
            path = Path(lake) / part.file
            if not path.exists() or sha256(path) != part.sha256:
                bad.append(part.file)
    return bad


def remove_stale(lake: Path | str, manifest: Manifest) -> None:
    """Delete Parquet files and empty partition directories the manifest no longer names."""
    lake = Path(lake)
    for table in manifest.tables:
        root = lake / table
        if not root.is_dir():
            continue
        named = {p.file for p in manifest.tables[table].parts.values()}
        for path in root.rglob("part-*.parquet"):
            if path.relative_to(lake).as_posix() not in named:
                path.unlink(missing_ok=True)
        for sub in root.iterdir():
            if sub.is_dir() and not any(sub.iterdir()):
                sub.rmdir()


def remove_replaced(lake: Path | str, manifest: Manifest, partitions: Iterable[tuple[str, str]]) -> None:
    """Like remove_stale, for the (table, week) partitions a write replaced only ("" for a whole table)."""
    lake = Path(lake)
    for table, week in partitions:
        folder = lake / partition_dir(table, week)
        if not folder.is_dir():
            continue
        spec = manifest.tables.get(table)
        named = {p.file for p in spec.parts.values()} if spec else set()
        for path in folder.glob("part-*.parquet"):
            if path.relative_to(lake).as_posix() not in named:
                path.unlink(missing_ok=True)
        if week and not any(folder.iterdir()):
            folder.rmdir()
