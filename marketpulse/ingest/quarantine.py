"""The quarantine read back for people: a summary per reason, one page of rows at a time,
and the rows of one kind in their original columns, ready to fix and import again."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from marketpulse import i18n, store
from marketpulse.ingest.contract import KINDS, REASONS

SUMMARY_COLUMNS = ["kind", "reason_code", "reason_zh", "reason_en", "rows", "last_import_id"]
PAGE_COLUMNS = ["import_id", "file_name", "sheet", "row_number", "kind", "reason_zh", "reason_en", "raw"]


def _path(db: str | Path | None) -> Path | None:
    path = Path(db or store.db_path())
    return path if path.exists() else None


def quarantine_summary(db: str | Path | None = None) -> pd.DataFrame:
    """Rows held back per kind and reason, most first."""
    path = _path(db)
    if path is None:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    frame = store.reader(path).sql(
        """
        select kind, reason_code, count(*)::integer as rows, max(import_id) as last_import_id
        from quarantine group by all order by rows desc, kind, reason_code
        """
    )
    texts = [REASONS.get(code, (code, code)) for code in frame["reason_code"]]
    frame.insert(2, "reason_zh", [zh.replace(":{zh}", "").replace("{zh}", "") for zh, _ in texts])
    frame.insert(3, "reason_en", [en.replace(": {en}", "").replace("{en}", "") for _, en in texts])
    return frame


def quarantine_rows(offset: int = 0, limit: int = 200, db: str | Path | None = None) -> tuple[pd.DataFrame, int]:
    """One page of held-back rows (newest import first) and how many there are in all."""
    path = _path(db)
    if path is None:
        return pd.DataFrame(columns=PAGE_COLUMNS), 0
    reader = store.reader(path)
    total = int(reader.sql("select count(*) as n from quarantine")["n"].iloc[0])
    page = reader.sql(
        f"""
        select {", ".join(PAGE_COLUMNS)} from quarantine
        order by import_id desc, row_number
        limit $limit offset $offset
        """,
        {"limit": int(limit), "offset": int(offset)},
    )
    return page, total


def quarantine_kinds(db: str | Path | None = None) -> list[str]:
    """The kinds that have rows held back, in dependency order."""
    path = _path(db)
    if path is None:
        return []
    held = set(store.reader(path).sql("select distinct kind from quarantine")["kind"])
    return [k for k in KINDS if k in held]


def quarantine_original(kind: str, lang: str = "zh", db: str | Path | None = None) -> pd.DataFrame:
    """The held-back rows of one kind in the columns they were read with (first-seen order), and
    at the end the reason and the original row number: fix the values and import the file again."""
    path = _path(db)
    if path is None:
        return pd.DataFrame()
    held = store.reader(path).sql(
        f"""
        select raw, reason_{"zh" if lang == "zh" else "en"} as reason, file_name, row_number
        from quarantine where kind = $kind order by import_id, row_number
        """,
        {"kind": kind},
    )
    records = [json.loads(raw) for raw in held["raw"]]
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    frame = pd.DataFrame.from_records(records, columns=list(columns))
    reason, row = i18n.t("data.reason_column", lang), i18n.t("data.row_column", lang)
    frame[reason] = held["reason"].to_numpy()
    frame[row] = [f"{f} #{n}" for f, n in zip(held["file_name"], held["row_number"], strict=True)]
    return frame
