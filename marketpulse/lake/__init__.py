"""The lake: the store's tables as Parquet (week-keyed ones Hive-partitioned by week) with a manifest,
and the DuckDB serving store over it. Imports store only; only cli and Spark (marketpulse.spark) import it.
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
from marketpulse.lake.serving import build_serving

__all__ = [
    "FACT_DATES",
    "MANIFEST",
    "PRIVATE_TABLES",
    "Manifest",
    "Part",
    "Table",
    "build_serving",
    "export_lake",
    "files",
    "load",
    "verify",
]
