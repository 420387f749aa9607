"""Spark over the lake: named queries transpiled from DuckDB's dialect, and the roll-ups built there.
Imports store, metrics and lake (and pyspark, sqlglot: `pip install -e .[spark]`); only cli imports it.
"""

from marketpulse.spark.dialect import to_spark, transpile
from marketpulse.spark.engine import DEFAULT_MASTER, SparkEngine, master_url, session
from marketpulse.spark.rollup import SparkRollupBuild, build_rollups_on_spark
from marketpulse.spark.tables import LakeTables

__all__ = [
    "DEFAULT_MASTER",
    "LakeTables",
    "SparkEngine",
    "SparkRollupBuild",
    "build_rollups_on_spark",
    "master_url",
    "session",
    "to_spark",
    "transpile",
]
