"""The lake: the store as Parquet by week with a manifest, imports into it, its roll-ups, the serving store.
Imports store, rollup and ingest; cli, bench, Spark (marketpulse.spark) and the Data page's views import it.
"""

from marketpulse.lake.export import export_lake, lake_lock, wait_message
from marketpulse.lake.ingest import import_bytes_into_lake, import_into_lake, keep_template
from marketpulse.lake.live import (
    holds,
    publish_rules,
    publish_tables,
    quarantine_db,
    serving_db,
    serving_lake,
    store_only,
    write_tables,
)
from marketpulse.lake.manifest import (
    FACT_DATES,
    MANIFEST,
    PRIVATE_TABLES,
    Manifest,
    Part,
    Table,
    files,
    load,
    verify,
)
from marketpulse.lake.rollups import ROLLUP_FILES, ROLLUP_TABLES, build_rollups
from marketpulse.lake.serving import build_serving, search_lake

__all__ = [
    "FACT_DATES",
    "MANIFEST",
    "PRIVATE_TABLES",
    "Manifest",
    "Part",
    "ROLLUP_FILES",
    "ROLLUP_TABLES",
    "Table",
    "build_rollups",
    "build_serving",
    "export_lake",
    "files",
    "holds",
    "import_bytes_into_lake",
    "import_into_lake",
    "keep_template",
    "lake_lock",
    "load",
    "publish_tables",
    "quarantine_db",
    "search_lake",
    "serving_db",
    "serving_lake",
    "store_only",
    "verify",
    "wait_message",
    "publish_rules",
    "write_tables",
]
