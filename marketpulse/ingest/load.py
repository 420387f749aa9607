"""Import contract files (CSV or XLSX) into the store: every row stored or held back.

One file is one transaction (one `store.writer()` block): it is read as text, validated
with SQL in a single pass (see ingest_rules), its bad rows go to `quarantine` with a
bilingual reason, its good rows are inserted set-wise, and the weekly roll-ups are
refreshed for what it touched. Several files on one command line are imported one writer
block each, reference kinds first.

Counting (import_log and ImportSummary): rows_read = rows_stored + rows_quarantined.
rows_stored counts every good row, whether it was new, replaced a stored row with
different values (also counted in rows_replaced) or was identical to a stored row
(rows_unchanged, summary only: the stored row and its import_id stay as they were).
A file whose bytes were imported before (same sha256) adds nothing: it is logged with
status 'duplicate_file' and zero rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from marketpulse import rollup, store
from marketpulse.errors import ImportRefused
from marketpulse.ingest import read as ingest_read
from marketpulse.ingest import checks as ingest_rules
from marketpulse.ingest.contract import (  # noqa: F401  (re-exported: the contract's public face)
    KIND_NAMES,
    KINDS,
    REASONS,
    Kind,
    detect_kind,
    expected_columns,
    expected_table,
)

Progress = Callable[[float, str], None]


@dataclass
class ImportSummary:
    """What one file's import did, for the CLI, the Data page and the demo."""

    import_id: int | None
    file_name: str
    kind: str
    status: str                         # stored | duplicate_file
    rows_read: int = 0
    rows_stored: int = 0                # new + replaced + unchanged
    rows_replaced: int = 0
    rows_quarantined: int = 0
    by_reason: list[tuple[str, str, str, int]] = field(default_factory=list)  # code, zh, en, rows
    rows_new: int = 0
    rows_unchanged: int = 0
    duplicate_of: int | None = None     # import_id of the earlier import of the same bytes
    encoding: str = ""

    def text(self, lang: str = "zh") -> str:
        kind = KINDS[self.kind].label(lang) if self.kind in KINDS else self.kind
        if self.status == "duplicate_file":
            if lang == "zh":
                return (f"{self.file_name}({kind}):与第 {self.duplicate_of} 次导入的文件内容完全相同,"
                        f"本次未添加任何数据。")
            return (f"{self.file_name} ({kind}): identical to the file of import #{self.duplicate_of}; "
                    f"nothing was added.")
        if lang == "zh":
            lines = [
                f"{self.file_name}({kind},导入号 {self.import_id}):读取 {self.rows_read:,} 行 = "
                f"入库 {self.rows_stored:,} 行 + 隔离 {self.rows_quarantined:,} 行",
                f"  入库中:新增 {self.rows_new:,} 行,更正替换 {self.rows_replaced:,} 行,"
                f"与已存数据相同(未改动){self.rows_unchanged:,} 行",
            ]
            if self.by_reason:
                lines.append("  隔离原因:")
                lines += [f"    {n:>8,} 行  {zh}" for _, zh, _, n in self.by_reason]
        else:
            lines = [
                f"{self.file_name} ({kind}, import #{self.import_id}): read {self.rows_read:,} rows = "
                f"stored {self.rows_stored:,} + quarantined {self.rows_quarantined:,}",
                f"  of those stored: {self.rows_new:,} new, {self.rows_replaced:,} replaced earlier rows, "
                f"{self.rows_unchanged:,} identical to stored rows (left as they were)",
            ]
            if self.by_reason:
                lines.append("  held back:")
                lines += [f"    {n:>8,} rows  {en}" for _, _, en, n in self.by_reason]
        return "\n".join(lines)


# ── public API ────────────────────────────────────────────────────────────────

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
    assignment starts on its Monday); `force` imports a file even if the same bytes were
    imported before (its already-stored rows then count as unchanged).
    """
    report = progress or (lambda fraction, message: None)
    if kind is not None and kind not in KINDS:
        raise ImportRefused(
            f"未知的文件类型 {kind!r},可用:{', '.join(KINDS)} / Unknown kind {kind!r}; use one of {', '.join(KINDS)}"
        )
    today = today or dt.date.today()
    sha = hashlib.sha256(data).hexdigest()
    report(0.02, "读取文件 / reading the file")
    raw = ingest_read.read(data, file_name)
    chosen, found = ingest_read.resolve_kind(raw, kind)
    report(0.15, f"{raw.rows:,} 行,{chosen.zh} / {raw.rows:,} rows of {chosen.en}")
    with store.writer(db, on_wait=on_wait) as con:
        summary = _import(con, raw, chosen, found, sha, today, report, force)
        report(0.92, "写入数据库 / publishing the store")
    report(1.0, "完成 / done")
    return summary


def quarantine_frame(import_id: int | None = None, db: str | Path | None = None) -> pd.DataFrame:
    """Rows held back (all imports, or one), with their reasons and raw values, for download."""
    path = Path(db or store.db_path())
    if not path.exists():
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    return store.reader(path).sql(
        f"""
        select {', '.join(QUARANTINE_COLUMNS)}
        from quarantine
        where $id::integer is null or import_id = $id::integer
        order by import_id, row_number
        """,
        {"id": import_id},
    )


QUARANTINE_COLUMNS = ["import_id", "file_name", "row_number", "kind", "reason_code", "reason_zh", "reason_en", "raw"]


def import_log_frame(db: str | Path | None = None) -> pd.DataFrame:
    """The import log, newest first."""
    path = Path(db or store.db_path())
    if not path.exists():
        return pd.DataFrame(columns=["import_id", "file_name", "file_sha256", "kind", "imported_at", "rows_read",
                                     "rows_stored", "rows_replaced", "rows_quarantined", "status"])
    return store.reader(path).sql("select * from import_log order by import_id desc")


# ── one file, inside the writer ───────────────────────────────────────────────

def _import(con, raw, kind: Kind, found, sha, today, report, force) -> ImportSummary:
    import_id = con.execute("select coalesce(max(import_id), 0) + 1 from import_log").fetchall()[0][0]
    summary = ImportSummary(import_id, raw.file_name, kind.name, "stored", encoding=raw.encoding)
    earlier = None if force else con.execute(
        "select min(import_id) from import_log where file_sha256 = $s and status = 'stored'", {"s": sha}
    ).fetchall()[0][0]
    if earlier is not None:
        summary.status, summary.duplicate_of = "duplicate_file", earlier
        _log(con, summary, sha)
        return summary

    con.register("raw_arrow", raw.table)
    con.execute("create or replace temp table raw_input as select * from raw_arrow")
    con.unregister("raw_arrow")
    ingest_rules.stage(con, kind, found)
    report(0.3, "校验 / validating")
    ingest_rules.judge(
        con, kind, today=today,
        min_ratio=_setting(con, "price_min_ratio", 0.5),
        max_ratio=_setting(con, "price_max_ratio", 2.0),
    )
    report(0.45, "隔离不合格行 / holding back bad rows")
    _quarantine(con, raw, kind, import_id)
    summary.by_reason = [
        tuple(r) for r in con.execute(
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
    apply = _apply_facts if kind.name in ("visits", "orders") else _apply_reference
    new, replaced, unchanged = apply(con, kind, found, import_id, monday, report)
    summary.rows_read = raw.rows
    summary.rows_quarantined = sum(n for *_, n in summary.by_reason)
    summary.rows_new, summary.rows_replaced, summary.rows_unchanged = new, replaced, unchanged
    summary.rows_stored = new + replaced + unchanged
    _log(con, summary, sha)
    for table in ("raw_input", "staged", "verdict", "good", "incoming"):
        con.execute(f"drop table if exists {table}")
    return summary


def _setting(con, key: str, default: float) -> float:
    rows = con.execute("select value from setting where key = $k", {"k": key}).fetchall()
    return float(rows[0][0]) if rows else default


def _log(con, summary: ImportSummary, sha: str) -> None:
    con.execute(
        """
        insert into import_log values ($id, $file, $sha, $kind, $at, $read, $stored, $replaced, $quarantined, $status)
        """,
        {
            "id": summary.import_id, "file": summary.file_name, "sha": sha, "kind": summary.kind,
            "at": dt.datetime.now().replace(microsecond=0), "read": summary.rows_read,
            "stored": summary.rows_stored, "replaced": summary.rows_replaced,
            "quarantined": summary.rows_quarantined, "status": summary.status,
        },
    )


def _quarantine(con, raw, kind: Kind, import_id: int) -> None:
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


def _incoming(con, kind: Kind, found, table: str) -> None:
    """Temp table `incoming`: the good rows, whether their key is stored, whether they differ.

    An optional column the file does not have keeps the stored value.
    """
    cols = _stored_columns(con, kind)
    values = [c for c in cols if c not in kind.key]
    on = " and ".join(f"i.{k} = f.{k}" for k in kind.key)
    select = [
        f"i.{c}" if kind.column(c).required or c in found else f"coalesce(i.{c}, f.{c}) as {c}"
        for c in cols
    ]
    differs = " or ".join(
        f"i.{c} is distinct from f.{c}" for c in values if kind.column(c).required or c in found
    ) or "false"
    con.execute(
        f"""
        create or replace temp table incoming as
        select {', '.join(select)},
            f.{kind.key[0]} is not null as existed,
            f.{kind.key[0]} is not null and ({differs}) as changed,
        from good as i
        left join {table} as f on {on}
        """
    )


def _stored_columns(con, kind: Kind) -> list[str]:
    """The kind's columns that its store table has (territories' department_name goes elsewhere)."""
    have = {
        r[0] for r in con.execute(
            "select column_name from duckdb_columns() where table_name = $t and schema_name = 'main' "
            "and database_name = current_database()",
            {"t": kind.table},
        ).fetchall()
    }
    return [c.name for c in kind.columns if c.name in have]


def _counts(con) -> tuple[int, int, int]:
    return con.execute(
        """
        select
            count(*) filter (where not existed)::integer,
            count(*) filter (where changed)::integer,
            count(*) filter (where existed and not changed)::integer,
        from incoming
        """
    ).fetchall()[0]


def _write_incoming(con, kind: Kind, table: str, extra: str = "") -> None:
    """Replace changed rows and add new ones (delete + insert: no foreign keys point here)."""
    on = " and ".join(f"i.{k} = f.{k}" for k in kind.key)
    cols = ", ".join(_stored_columns(con, kind))
    con.execute(f"delete from {table} as f using incoming as i where i.changed and {on}")
    con.execute(
        f"insert into {table} by name select {cols}{extra} from incoming where not existed or changed"
    )


def _apply_facts(con, kind: Kind, found, import_id, monday, report) -> tuple[int, int, int]:
    _incoming(con, kind, found, kind.table)
    counts = _counts(con)
    _write_incoming(con, kind, kind.table, f", {int(import_id)} as import_id")
    con.execute(
        f"""
        create or replace temp table touched_facts as
        select license_no, spec_code, {kind.key[0]} as from_date
        from incoming where not existed or changed
        """
    )
    _refresh(con, report)
    return counts


def _refresh(con, report) -> None:
    if con.execute("select count(*) from touched_facts").fetchall()[0][0]:
        report(0.75, "更新周汇总 / refreshing weekly roll-ups")
        rollup.refresh(con, "touched_facts")
    con.execute("drop table touched_facts")


def _touch_retailers(con, retailers_sql: str) -> None:
    """touched_facts := every fact pair of the retailers selected by `retailers_sql`, all weeks."""
    con.execute(
        f"""
        create or replace temp table touched_facts as
        with r as ({retailers_sql})
        select distinct license_no, spec_code, date '{rollup.EVERYTHING}' as from_date
        from (
            select license_no, spec_code from visit_line semi join r using (license_no)
            union all
            select license_no, spec_code from order_line semi join r using (license_no)
        )
        """
    )


def _apply_reference(con, kind: Kind, found, import_id, monday, report) -> tuple[int, int, int]:
    if kind.name == "territories":
        # departments first: a blank name keeps the stored one (checked: the code is known)
        con.execute(
            """
            create or replace temp table incoming_department as
            select department_code, arg_min(department_name, rownum) filter (where department_name is not null) as department_name
            from good group by all
            """
        )
        con.execute(
            """
            update department as d set department_name = n.department_name
            from incoming_department as n
            where n.department_code = d.department_code and n.department_name is not null
              and n.department_name <> d.department_name
            """
        )
        con.execute(
            """
            insert into department
            select department_code, department_name from incoming_department
            where department_code not in (select department_code from department)
            """
        )
        con.execute("drop table incoming_department")
    _incoming(con, kind, found, kind.table)
    counts = _counts(con)
    if kind.name == "territories":
        # a 片区 moved to another 市场部 or between 城网/农网: its retailers' weeks change
        con.execute(
            """
            create or replace temp table moved_territory as
            select i.territory_code from incoming as i join territory as t using (territory_code)
            where i.department_code <> t.department_code or i.area_type <> t.area_type
            """
        )
    if kind.name == "retailers":
        con.execute(
            """
            create or replace temp table moved_retailer as
            select i.license_no from incoming as i join retailer as r using (license_no)
            -- opening and closing dates change which weeks plan a visit (retailer_week)
            where (i.territory_code, i.cm_code, i.format, i.tier, i.area_type, i.opened_on, i.closed_on)
                is distinct from (r.territory_code, r.cm_code, r.format, r.tier, r.area_type, r.opened_on, r.closed_on)
            """
        )
    _write_incoming(con, kind, kind.table)
    if kind.name == "retailers":
        _assign(con, monday)
        _touch_retailers(con, "select license_no from moved_retailer")
        con.execute("drop table moved_retailer")
        _refresh(con, report)
    if kind.name == "territories":
        _touch_retailers(
            con,
            """
            select license_no from retailer where territory_code in (select territory_code from moved_territory)
            union
            select license_no from retailer_assignment where territory_code in (select territory_code from moved_territory)
            """,
        )
        con.execute("drop table moved_territory")
        _refresh(con, report)
    return counts


def _assign(con, monday: dt.date) -> None:
    """Keep retailer_assignment in step with the retailers just written.

    A changed 片区 / 客户经理 / 业态 / 档位 ends the open assignment on the Monday of the
    import's week and opens a new one from that Monday (changed again within the same
    week: the open one is corrected). A retailer without any assignment gets one from
    its opening date (or 1900-01-01).
    """
    p = {"monday": monday}
    con.execute(
        """
        create or replace temp table reassigned as
        select i.license_no, i.territory_code, i.cm_code, i.format, i.tier, a.valid_from
        from incoming as i
        join retailer_assignment as a on a.license_no = i.license_no and a.valid_to is null
        where (i.territory_code, i.cm_code, i.format, i.tier)
            is distinct from (a.territory_code, a.cm_code, a.format, a.tier)
        """
    )
    con.execute(
        """
        update retailer_assignment as a
        set territory_code = n.territory_code, cm_code = n.cm_code, format = n.format, tier = n.tier
        from reassigned as n
        where a.license_no = n.license_no and a.valid_to is null and n.valid_from >= $monday
        """,
        p,
    )
    con.execute(
        """
        update retailer_assignment as a set valid_to = $monday
        from reassigned as n
        where a.license_no = n.license_no and a.valid_to is null and n.valid_from < $monday
        """,
        p,
    )
    con.execute(
        """
        insert into retailer_assignment
        select license_no, $monday, null, territory_code, cm_code, format, tier
        from reassigned where valid_from < $monday
        """,
        p,
    )
    # retailers with no open assignment: new ones, or ones whose history was closed
    con.execute(
        """
        insert into retailer_assignment
        select
            i.license_no,
            coalesce(h.last_to, i.opened_on, date '1900-01-01'),
            null, i.territory_code, i.cm_code, i.format, i.tier
        from incoming as i
        left join (
            select license_no, max(valid_to) as last_to, count(*) filter (where valid_to is null) as open_rows
            from retailer_assignment group by all
        ) as h using (license_no)
        where coalesce(h.open_rows, 0) = 0
        """
    )
    con.execute("drop table reassigned")


# ── command line ──────────────────────────────────────────────────────────────

def sniff_kind(path: str | Path) -> str | None:
    """The kind a file looks like from its header alone (for ordering), or None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
        if head.startswith((ingest_read.ZIP_MAGIC, ingest_read.OLE_MAGIC)):
            raw = ingest_read.read(Path(path).read_bytes(), Path(path).name)
        else:
            first = head.split(b"\n", 1)[0]
            text, _ = ingest_read._decode(first, str(path))
            import csv

            raw = ingest_read.RawFile(str(path), next(csv.reader([text]), []), None, "")
        found = detect_kind(raw.headers)
        return found.name if found else None
    except (ImportRefused, OSError, StopIteration):
        return None
