"""The import log and the quarantine: written inside an import, read back for pages and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from marketpulse import store
from marketpulse.ingest.contract import Kind, reason_text
from marketpulse.ingest.csvfile import RawFile
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
ROW_KEY = "md5(concat_ws(chr(31), kind, reason_code, raw))"


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
    """One import_log row for the table just imported (or found to be a duplicate)."""
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


def write_quarantine(
    con: duckdb.DuckDBPyConnection, raw: RawFile, kind: Kind, import_id: int
) -> list[tuple[str, str, str, int]]:
    """Hold back the rows `verdict` gives a reason and the misfits, each with the row as read (JSON);
    the rows held back per reason (code, zh, en, rows), most first.

    A bad row held back by an earlier import (same kind, reason and values) is replaced:
    the quarantine keeps its latest sighting only.
    """
    pairs = ", ".join(f"$h{i}, r.c{i}" for i in range(len(raw.headers)))
    params = {f"h{i}": h for i, h in enumerate(raw.headers)}
    params |= {"id": import_id, "file": raw.file_name, "kind": kind.name, "sheet": raw.sheet}
    con.execute(
        f"""
        create or replace temp table held as
        select
            $id::integer as import_id, $file::varchar as file_name, r.rownum as row_number, $kind::varchar as kind,
            json_object({pairs})::varchar as raw,
            v.reason.code as reason_code,
            v.reason.summary_zh || v.reason.detail_zh as reason_zh,
            v.reason.summary_en || v.reason.detail_en as reason_en,
            v.reason.summary_zh as summary_zh, v.reason.summary_en as summary_en,
            $sheet::varchar as sheet, null::integer as line_number
        from verdict as v
        join raw_input as r using (rownum)
        where v.reason is not null
        """,
        params,
    )
    if raw.misfits:
        con.register("misfits_arrow", _misfits(raw, kind, import_id))
        con.execute("insert into held by name select * from misfits_arrow")
        con.unregister("misfits_arrow")
    con.execute(f"create or replace temp table held_keyed as select *, {ROW_KEY} as row_key from held")
    con.execute(
        "delete from quarantine where import_id <> $id and row_key in (select row_key from held_keyed)",
        {"id": import_id},
    )
    con.execute(
        "insert into quarantine by name select * exclude (summary_zh, summary_en) from held_keyed order by row_number"
    )
    by_reason = con.execute(
        """
        select reason_code, summary_zh, summary_en, count(*)::integer as n
        from held group by all order by n desc, 1, 2
        """
    ).fetchall()
    con.execute("drop table held")
    con.execute("drop table held_keyed")
    return [tuple(r) for r in by_reason]


def _misfits(raw: RawFile, kind: Kind, import_id: int) -> pa.Table:
    """The records whose field count differs from the header's, as quarantine rows."""
    zh, en = reason_text("field_count")
    rows = []
    width = len(raw.headers)
    for m in raw.misfits:
        names = raw.headers + [f"列{i + 1}/column{i + 1}" for i in range(width, len(m.fields))]
        rows.append(
            {
                "import_id": import_id,
                "file_name": raw.file_name,
                "row_number": m.rownum,
                "kind": kind.name,
                "raw": json.dumps(dict(zip(names, m.fields, strict=False)), ensure_ascii=False, separators=(",", ":")),
                "reason_code": "field_count",
                # the row as 原文件及行号 counts it (the header not counted), and the file's line
                "reason_zh": f"{zh}:第 {m.rownum} 行(文件第 {m.line} 行)有 {len(m.fields)} 个字段,表头有 {width} 个",
                "reason_en": f"{en}: row {m.rownum} (line {m.line} of the file) has {len(m.fields)} fields, the header {width}",
                "summary_zh": zh,
                "summary_en": en,
                "sheet": raw.sheet,
                "line_number": m.line,
            }
        )
    return pa.Table.from_pylist(rows)
