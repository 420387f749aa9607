"""数据 Data: import history, held-back rows, freshness per territory, what the store holds,
the import contract, the glossary, and the business-rule tables as the center edits them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from marketpulse import export, i18n, ingest, lake, metrics, store
from marketpulse import rules as rule_tables
from marketpulse.views.base import Freshness, freshness

EXCEL_ROWS = 1_048_576  # rows an Excel sheet holds, the header included


def _live_db() -> str | None:
    """Where the import log and the quarantine are read: the serving lake's serving store, else the store."""
    served = lake.serving_lake()
    return str(lake.serving_db(served)) if served else None


def _held_db() -> str | None:
    """Where held-back rows are read; a lake holds a quarantine from its first held-back row on."""
    served = lake.serving_lake()
    return str(lake.quarantine_db(served)) if served else None


@dataclass
class DataPage:
    imports: pd.DataFrame
    quarantine: pd.DataFrame
    freshness: Freshness
    counts: pd.DataFrame


def data_page(lang: str = "zh") -> DataPage:
    """Import history, held-back rows, freshness per territory, what the store holds."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = metrics.lookup("table_rows")
    counts = pd.DataFrame(
        {
            t("data.table"): [t(f"table.{n}") for n in rows["table_name"]],
            t("data.rows"): rows["rows"],
        }
    )
    log = ingest.import_log_frame(_live_db())
    imports = pd.DataFrame(
        {
            t("col.import_id"): log["import_id"],
            t("col.file"): log["file_name"],
            t("col.file_kind"): [ingest.KINDS[k].label(lang) if k in ingest.KINDS else k for k in log["kind"]],
            t("col.imported_at"): pd.to_datetime(log["imported_at"]).dt.strftime("%Y-%m-%d %H:%M"),
            t("col.rows_read"): log["rows_read"],
            t("col.rows_stored"): log["rows_stored"],
            t("col.rows_replaced"): log["rows_replaced"],
            t("col.rows_quarantined"): log["rows_quarantined"],
            t("col.import_status"): [t(f"import.{x}") for x in log["status"]],
        }
    )
    held = ingest.quarantine_summary(_held_db())
    quarantine = pd.DataFrame(
        {
            t("col.file_kind"): [ingest.KINDS[k].label(lang) if k in ingest.KINDS else k for k in held["kind"]],
            t("col.reason"): held["reason_zh" if lang == "zh" else "reason_en"],
            t("data.rows"): held["rows"],
            t("col.import_id"): held["last_import_id"],
        }
    )
    return DataPage(imports=imports, quarantine=quarantine, freshness=freshness(), counts=counts)


def quarantine_page(page: int, size: int, lang: str) -> tuple[pd.DataFrame, int]:
    """One page (from 0) of held-back rows, newest import first, and how many there are in all."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    held, total = ingest.quarantine_rows(page * size, size, _held_db())
    frame = pd.DataFrame(
        {
            t("col.import_id"): held["import_id"],
            # a CSV has no sheet (None, or NaN once in a frame)
            t("col.file"): [
                f"{f}[{s}]" if isinstance(s, str) and s else f
                for f, s in zip(held["file_name"], held["sheet"], strict=True)
            ],
            t("col.row"): held["row_number"],
            t("col.reason"): held["reason_zh" if lang == "zh" else "reason_en"],
            t("col.raw"): held["raw"],
        }
    )
    return frame, total


def quarantine_kinds() -> list[str]:
    """The kinds with rows held back, for the download choice."""
    return ingest.quarantine_kinds(_held_db())


def quarantine_download(kind: str, fmt: str, lang: str) -> bytes:
    """The held-back rows of one kind in their original columns (CSV, or XLSX up to Excel's row limit)."""
    frame = ingest.quarantine_original(kind, lang, _held_db())
    if fmt == "xlsx" and len(frame) < EXCEL_ROWS:
        return export.xlsx_bytes([export.Sheet(ingest.KINDS[kind].label(lang)[:31], frame)])
    return export.csv_bytes(frame)


def upload_limit_mb() -> float:
    """The largest upload the page accepts, in MB (rule import_max_upload_mb)."""
    return float(store.setting("import_max_upload_mb", 200))


def glossary(lang: str) -> pd.DataFrame:
    """Every metric in plain words (the Data page's glossary)."""
    return pd.DataFrame(
        {
            i18n.t("gloss.term", lang): [i18n.t(f"gloss.{k}", lang) for k in i18n.GLOSSARY],
            i18n.t("gloss.definition", lang): [i18n.t(f"gloss.{k}.def", lang) for k in i18n.GLOSSARY],
        }
    )


def freshness_table(lang: str) -> pd.DataFrame:
    """Latest week reported per territory, and how many weeks it is behind the newest."""
    fresh = freshness()
    ter = fresh.by_territory
    behind = [(fresh.latest_week - w).days // 7 for w in ter["latest_week"]]
    return pd.DataFrame(
        {
            i18n.t("col.territory", lang): ter["territory_name"],
            i18n.t("data.latest_week", lang): ter["latest_week"],
            i18n.t("data.behind", lang): behind,
            i18n.t("data.retailers", lang): ter["retailers"],
        }
    )


def contract(lang: str) -> pd.DataFrame:
    """The import files' columns, as the importer expects them."""
    return ingest.expected_table(lang)


def summary_markdown(text: str) -> str:
    """An import summary (lines indented by spaces, as the CLI prints it) as markdown that keeps
    its lines and indents: a page draws single newlines as one paragraph."""
    lines = []
    for line in text.splitlines():
        body = line.lstrip(" ")
        lines.append("&nbsp;" * (2 * (len(line) - len(body))) + body)
    return "  \n".join(lines)


def words_in(message: str, lang: str) -> str:
    """A message in both languages ("读取文件 / reading the file": an importer's progress, a
    refusal) in the page's language; a message without the two halves as it is."""
    zh, _, en = message.partition(" / ")
    return (zh if lang == "zh" else en) if en else message


def import_upload(
    data: bytes, file_name: str, kind: str | None, progress, on_wait=None, waiting=None
) -> ingest.ImportSummary:
    """Import one uploaded file into the store, or into the lake that serves the pages; returns the
    importer's summary (raises ImportRefused, also for a file above the upload limit).
    `on_wait`/`waiting` see another writer holding the store or the lake."""
    limit = upload_limit_mb()
    if len(data) > limit * 1e6:
        size = f"{len(data) / 1e6:,.1f}"
        raise ingest.ImportRefused(
            " / ".join(i18n.t("data.too_big", x, file=file_name, size=size, limit=f"{limit:g}") for x in ("zh", "en"))
        )
    served = lake.serving_lake()
    if served is not None:
        return lake.import_bytes_into_lake(
            served, data, file_name, kind, progress=progress, on_wait=on_wait, waiting=waiting
        )
    return ingest.import_bytes(data, file_name, kind, progress=progress, on_wait=on_wait, waiting=waiting)


def rules(table: str) -> pd.DataFrame:
    """One rule table as the marketing center edits it."""
    return rule_tables.rules_frame(table)


def save_rules(table: str, frame: pd.DataFrame) -> int:
    """Replace a rule table with the edited rows, in the store or the lake that serves the pages;
    all or nothing (raises RuleError)."""
    return lake.publish_rules(table, lambda db: rule_tables.replace_rules_frame(table, frame, db))
