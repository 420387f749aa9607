"""Import contract files (CSV or XLSX) into the store: every row stored or held back.

One file is one transaction (one `store.writer()` block): it is read as text, validated
with SQL in a single pass (see ingest/checks.py), its bad rows go to `quarantine` with a
bilingual reason, its good rows are inserted set-wise, and the weekly roll-ups are
refreshed for what it touched. Several files on one command line are imported one writer
block each, reference kinds first. A file whose bytes were imported before (same sha256)
adds nothing: it is logged with status 'duplicate_file' and zero rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import duckdb

from marketpulse import store
from marketpulse.errors import ImportRefused
from marketpulse.ingest import checks, read
from marketpulse.ingest.apply import Progress, store_good_rows
from marketpulse.ingest.contract import KINDS, Kind
from marketpulse.ingest.log import write_log, write_quarantine
from marketpulse.ingest.summary import ImportSummary

SCRATCH_TABLES = ("raw_input", "staged", "verdict", "good", "incoming")


def import_file(
    path: str | Path,
    kind: str | None = None,
    *,
    db: str | Path | None = None,
    progress: Progress | None = None,
    file_name: str | None = None,
    **kw,
) -> ImportSummary:
    """Import one CSV/XLSX file; raise ImportRefused if it cannot be read at all."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRefused(
            f"无法打开文件 {path}:{exc.strerror or exc} / Cannot open file {path}: {exc.strerror or exc}"
        ) from None
    return import_bytes(data, file_name or path.name, kind, db=db, progress=progress, **kw)


def import_bytes(
    data: bytes,
    file_name: str,
    kind: str | None = None,
    *,
    db: str | Path | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    on_wait: Callable[[str], None] | None = None,
    force: bool = False,
) -> ImportSummary:
    """Import the bytes of one uploaded file.

    `today` is the import's date (dates after it are in the future; a retailer's changed
    assignment or a spec's changed prices start on its Monday unless the row gives its own
    生效日期); `force` imports a file even if the same bytes were
    imported before (its already-stored rows then count as unchanged); `on_wait(holder)`
    is told once if another import holds the store (see store.writer).
    """
    report = progress or (lambda fraction, message: None)
    if kind is not None and kind not in KINDS:
        raise ImportRefused(
            f"未知的文件类型 {kind!r},可用:{', '.join(KINDS)} / Unknown kind {kind!r}; use one of {', '.join(KINDS)}"
        )
    today = today or dt.date.today()
    sha = hashlib.sha256(data).hexdigest()
    report(0.02, "读取文件 / reading the file")
    raw = read.read(data, file_name)
    chosen, found = read.resolve_kind(raw, kind)
    report(0.15, f"{raw.rows:,} 行,{chosen.zh} / {raw.rows:,} rows of {chosen.en}")
    with store.writer(db, on_wait=on_wait) as con:
        summary = _import(con, raw, chosen, found, sha, today, report, force)
        report(0.92, "写入数据库 / publishing the store")
    report(1.0, "完成 / done")
    return summary


def _import(
    con: duckdb.DuckDBPyConnection,
    raw: read.RawFile,
    kind: Kind,
    found: dict[str, int],
    sha: str,
    today: dt.date,
    report: Progress,
    force: bool,
) -> ImportSummary:
    """One file, inside the writer: check, hold back, store, log."""
    import_id = con.execute("select coalesce(max(import_id), 0) + 1 from import_log").fetchall()[0][0]
    summary = ImportSummary(import_id, raw.file_name, kind.name, "stored", encoding=raw.encoding)
    earlier = (
        None
        if force
        else con.execute(
            "select min(import_id) from import_log where file_sha256 = $s and status = 'stored'", {"s": sha}
        ).fetchall()[0][0]
    )
    if earlier is not None:
        summary.status, summary.duplicate_of = "duplicate_file", earlier
        write_log(con, summary, sha)
        return summary

    con.register("raw_arrow", raw.table)
    con.execute("create or replace temp table raw_input as select * from raw_arrow")
    con.unregister("raw_arrow")
    checks.stage(con, kind, found)
    report(0.3, "校验 / validating")
    checks.judge(
        con,
        kind,
        today=today,
        min_ratio=store.setting("price_min_ratio", 0.5, con=con),
        max_ratio=store.setting("price_max_ratio", 2.0, con=con),
    )
    report(0.45, "隔离不合格行 / holding back bad rows")
    write_quarantine(con, raw, kind, import_id)
    summary.by_reason = [
        tuple(r)
        for r in con.execute(
            """
            select reason.code, reason.summary_zh, reason.summary_en, count(*)::integer as n
            from verdict where reason is not null
            group by all order by n desc, 1, 2
            """
        ).fetchall()
    ]
    con.execute(
        "create or replace temp table good as "
        "select s.* from staged as s join verdict as v using (rownum) where v.reason is null"
    )
    report(0.6, "入库 / storing")
    monday = today - dt.timedelta(days=today.weekday())
    new, replaced, unchanged = store_good_rows(con, kind, found, import_id, monday, report)
    summary.rows_read = raw.rows
    summary.rows_quarantined = sum(n for *_, n in summary.by_reason)
    summary.rows_new, summary.rows_replaced, summary.rows_unchanged = new, replaced, unchanged
    summary.rows_stored = new + replaced + unchanged
    write_log(con, summary, sha)
    for table in SCRATCH_TABLES:
        con.execute(f"drop table if exists {table}")
    return summary
