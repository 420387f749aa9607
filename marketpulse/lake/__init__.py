"""The lake: the store as Parquet by week with a manifest, its roll-ups rebuilt there, the DuckDB serving store.
Imports store and rollup; only cli and Spark (marketpulse.spark) import it.
"""

from marketpulse.lake.export import export_lake
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
    "load",
    "search_lake",
    "verify",
]
