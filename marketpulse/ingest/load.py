"""Import contract files (CSV or XLSX) into the store: every row stored or held back.

One file is one transaction (one `store.writer()` block), every sheet of a workbook
included, each sheet logged as its own import: it is read as text, validated
with SQL in a single pass (see ingest/checks.py), its bad rows go to `quarantine` with a
bilingual reason, its good rows are inserted set-wise, and the weekly roll-ups are
refreshed for what it touched. Several files on one command line are imported one writer
block each, reference kinds first. A file whose bytes were imported before (same sha256)
adds nothing: it is logged with status 'duplicate_file' and zero rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path

import duckdb

from marketpulse import store
from marketpulse.errors import ImportRefused
from marketpulse.ingest import checks, read
from marketpulse.ingest.apply import Progress, store_good_rows
from marketpulse.ingest.contract import KINDS, Kind
from marketpulse.ingest.csvfile import DELIMITERS
from marketpulse.ingest.log import write_log, write_quarantine
from marketpulse.ingest.summary import ImportSummary

SCRATCH_TABLES = ("raw_input", "staged", "verdict", "good", "incoming")

# opens the connection an import writes through (default: store.writer of `db`), given on_wait= and waiting=
Writer = Callable[..., contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]]
# told of each table's checked rows (temp table `good`) just before they are stored
Prepare = Callable[[duckdb.DuckDBPyConnection, Kind], None]


def import_file(
    path: str | Path,
    kind: str | None = None,
    *,
    db: str | Path | None = None,
    progress: Progress | None = None,
    file_name: str | None = None,
    **kw,
) -> ImportSummary:
    """Import one CSV/XLSX file, streamed from disk; raise ImportRefused if it cannot be read at all."""
    path = Path(path)
    return _import(path, file_name or path.name, kind, db=db, progress=progress, **kw)


def import_bytes(
    data: bytes,
    file_name: str,
    kind: str | None = None,
    *,
    db: str | Path | None = None,
    progress: Progress | None = None,
    **kw,
) -> ImportSummary:
    """Import the bytes of one uploaded file (see `_import` for the options)."""
    return _import(data, file_name, kind, db=db, progress=progress, **kw)


def _import(
    data: bytes | Path,
    file_name: str,
    kind: str | None,
    *,
    db: str | Path | None,
    progress: Progress | None,
    today: dt.date | None = None,
    on_wait: Callable[[str], None] | None = None,
    waiting: Callable[[float], None] | None = None,
    force: bool = False,
    delimiter: str | None = None,
    writer: Writer | None = None,
    prepare: Prepare | None = None,
) -> ImportSummary:
    """Read, check and store one file; every table in it (each sheet of a workbook) in one writer block.

    `today` is the import's date (dates after it are in the future; a retailer's changed
    assignment or a spec's changed prices start on its Monday unless the row gives its own
    生效日期); `force` imports a file even if the same bytes were imported before (its
    already-stored rows then count as unchanged); `on_wait(holder)` is told once if another
    import holds the store and `waiting(seconds)` while it waits (it may raise to give up,
    see store.writer); `delimiter` overrides the one recognised from a CSV's header line.
    `writer` replaces store.writer (the lake imports through a scratch store of its own) and
    `prepare` is called with each table's checked rows before they are stored.
    The summary returned is the first table's, the others in its `more`.
    """
    report = progress or (lambda fraction, message: None)
    if kind is not None and kind not in KINDS:
        raise ImportRefused(
            f"未知的文件类型 {kind!r},可用:{', '.join(KINDS)} / Unknown kind {kind!r}; use one of {', '.join(KINDS)}"
        )
    if delimiter is not None and delimiter not in DELIMITERS:
        raise ImportRefused(
            f"分隔符只能是 , ; 制表符 | 之一,而不是 {delimiter!r} / The delimiter must be one of , ; tab |, "
            f"not {delimiter!r}"
        )
    today = today or dt.date.today()
    report(0.02, "读取文件 / reading the file")
    with read.open_source(data, file_name, kind, delimiter) as source:
        rows = sum(p.raw.rows for p in source.parts)
        first = source.parts[0].kind
        report(0.15, f"{rows:,} 行,{first.zh} / {rows:,} rows of {first.en}")
        open_writer = writer or functools.partial(store.writer, db)
        with open_writer(on_wait=on_wait, waiting=waiting) as con:
            summaries = _import_source(con, source, today, report, force, prepare)
            report(0.92, "写入数据库 / publishing the store")
    report(1.0, "完成 / done")
    head = summaries[0]
    head.more, head.skipped = summaries[1:], [(s.sheet, s.zh, s.en) for s in source.skipped]
    return head


def _import_source(
    con: duckdb.DuckDBPyConnection,
    source: read.Source,
    today: dt.date,
    report: Progress,
    force: bool,
    prepare: Prepare | None = None,
) -> list[ImportSummary]:
    """Every table of one file, inside the writer; a file imported before adds nothing."""
    import_id = con.execute("select coalesce(max(import_id), 0) + 1 from import_log").fetchall()[0][0]
    earlier = (
        None
        if force
        else con.execute(
            "select min(import_id) from import_log where file_sha256 = $s and status = 'stored'", {"s": source.sha256}
        ).fetchall()[0][0]
    )
    if earlier is not None:
        part = source.parts[0]
        summary = ImportSummary(
            import_id, source.file_name, part.kind.name, "duplicate_file", encoding=part.raw.encoding
        )
        summary.duplicate_of = earlier
        write_log(con, summary, source.sha256)
        return [summary]
    summaries = []
    for part in source.parts:
        summaries.append(_import_part(con, part, import_id, source.sha256, today, report, prepare))
        import_id += 1
    return summaries


def _import_part(
    con: duckdb.DuckDBPyConnection,
    part: read.Part,
    import_id: int,
    sha: str,
    today: dt.date,
    report: Progress,
    prepare: Prepare | None = None,
) -> ImportSummary:
    """One table, inside the writer: check, hold back, store, log."""
    raw, kind = part.raw, part.kind
    summary = ImportSummary(import_id, raw.file_name, kind.name, "stored", encoding=raw.encoding)
    summary.sheet, summary.delimiter = raw.sheet, raw.delimiter if raw.encoding != "xlsx" else None
    con.execute("create or replace temp table raw_input as select * from read_parquet($p)", {"p": str(raw.path)})
    checks.stage(con, kind, part.found)
    report(0.3, "校验 / validating")
    checks.judge(
        con,
        kind,
        today=today,
        min_ratio=store.setting("price_min_ratio", 0.5, con=con),
        max_ratio=store.setting("price_max_ratio", 2.0, con=con),
        bounds={key: store.setting(key, default, con=con) for key, default in checks.BOUND_DEFAULTS.items()},
    )
    report(0.45, "隔离不合格行 / holding back bad rows")
    summary.by_reason = write_quarantine(con, raw, kind, import_id)
    con.execute(
        "create or replace temp table good as "
        "select s.* from staged as s join verdict as v using (rownum) where v.reason is null"
    )
    monday = today - dt.timedelta(days=today.weekday())
    if prepare is not None:
        prepare(con, kind, monday)
    report(0.6, "入库 / storing")
    new, replaced, unchanged = store_good_rows(con, kind, part.found, import_id, monday, report)
    summary.rows_read = raw.rows
    summary.rows_quarantined = sum(n for *_, n in summary.by_reason)
    summary.rows_new, summary.rows_replaced, summary.rows_unchanged = new, replaced, unchanged
    summary.rows_stored = new + replaced + unchanged
    write_log(con, summary, sha)
    for table in SCRATCH_TABLES:
        con.execute(f"drop table if exists {table}")
    return summary
