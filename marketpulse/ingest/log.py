"""The import log and the quarantine: written inside an import, read back for pages and the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from marketpulse import store
from marketpulse.ingest.contract import Kind
from marketpulse.ingest.read import RawFile
from marketpulse.ingest.summary import ImportSummary

QUARANTINE_COLUMNS = ["import_id", "file_name", "row_number", "kind", "reason_code", "reason_zh", "reason_en", "raw"]
IMPORT_LOG_COLUMNS = [
    "import_id",
    "file_name",
    "file_sha256",
    "kind",
    "imported_at",
    "rows_read",
    "rows_stored",
    "rows_replaced",
    "rows_quarantined",
    "status",
]


def quarantine_frame(import_id: int | None = None, db: str | Path | None = None) -> pd.DataFrame:
    """Rows held back (all imports, or one), with their reasons and raw values, for download."""
    path = Path(db or store.db_path())
    if not path.exists():
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    return store.reader(path).sql(
        f"""
        select {", ".join(QUARANTINE_COLUMNS)}
        from quarantine
        where $id::integer is null or import_id = $id::integer
        order by import_id, row_number
        """,
        {"id": import_id},
    )


def import_log_frame(db: str | Path | None = None) -> pd.DataFrame:
    """The import log, newest first."""
    path = Path(db or store.db_path())
    if not path.exists():
        return pd.DataFrame(columns=IMPORT_LOG_COLUMNS)
    return store.reader(path).sql("select * from import_log order by import_id desc")


def write_log(con: duckdb.DuckDBPyConnection, summary: ImportSummary, sha: str) -> None:
    """One import_log row for the file just imported (or found to be a duplicate)."""
    con.execute(
        """
        insert into import_log values ($id, $file, $sha, $kind, $at, $read, $stored, $replaced, $quarantined, $status)
        """,
        {
            "id": summary.import_id,
            "file": summary.file_name,
            "sha": sha,
            "kind": summary.kind,
            "at": dt.datetime.now().replace(microsecond=0),
            "read": summary.rows_read,
            "stored": summary.rows_stored,
            "replaced": summary.rows_replaced,
            "quarantined": summary.rows_quarantined,
            "status": summary.status,
        },
    )


def write_quarantine(con: duckdb.DuckDBPyConnection, raw: RawFile, kind: Kind, import_id: int) -> None:
    """Hold back the rows `verdict` gives a reason, with that reason and the row as read (JSON)."""
    pairs = ", ".join(f"$h{i}, r.c{i}" for i in range(len(raw.headers)))
    params = {f"h{i}": h for i, h in enumerate(raw.headers)}
    params |= {"id": import_id, "file": raw.file_name, "kind": kind.name}
    con.execute(
        f"""
        insert into quarantine
        select
            $id, $file, r.rownum, $kind,
            json_object({pairs})::varchar,
            v.reason.code,
            v.reason.summary_zh || v.reason.detail_zh,
            v.reason.summary_en || v.reason.detail_en,
        from verdict as v
        join raw_input as r using (rownum)
        where v.reason is not null
        order by r.rownum
        """,
        params,
    )
