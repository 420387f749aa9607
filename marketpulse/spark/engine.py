"""Running named queries on Spark over the lake: the session, and one query at a time.

The master is `--master`, else $SPARK_MASTER, else `local[*]`: a standalone cluster
(`spark://host:7077`), YARN (`yarn`) or Kubernetes (`k8s://https://host:443`) run the same
text. A session costs seconds to start; a process keeps one (getOrCreate).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from pyspark.sql import SparkSession

from marketpulse.metrics.calendar import week_of
from marketpulse.spark.dialect import to_spark
from marketpulse.spark.tables import LakeTables
from marketpulse.store.queries import bind
from marketpulse.store.scope import CITY, Scope

log = logging.getLogger(__name__)

DEFAULT_MASTER = "local[*]"
# Settings that make Spark compute as DuckDB does: dates in UTC, no silent overflow.
CONFIG = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
    "spark.ui.showConsoleProgress": "false",
    # a lake has a file per table and week: list them in the driver, not in a job of their own
    "spark.sql.sources.parallelPartitionDiscovery.threshold": "100000",
}

# On this machine the driver is the executor too: the roll-up build's joins need more than the 1 GB default.
LOCAL_CONFIG = {"spark.driver.memory": "4g"}


def master_url(master: str | None = None) -> str:
    """The Spark master to use: the one given, else $SPARK_MASTER, else local[*]."""
    return master or os.environ.get("SPARK_MASTER") or DEFAULT_MASTER


def session(master: str | None = None, config: Mapping[str, str] | None = None) -> SparkSession:
    """The process's SparkSession on `master` (see master_url), created on first use."""
    url = master_url(master)
    builder = SparkSession.builder.master(url).appName("marketpulse")
    local = LOCAL_CONFIG if url.startswith("local") else {}
    for key, value in {**CONFIG, **local, **(config or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("FATAL")
    return spark


class SparkEngine:
    """Named queries of queries/ on Spark, over the lake at `lake`."""

    def __init__(self, lake: Path | str, spark: SparkSession | None = None, *, cache: bool = False):
        self.spark = spark or session()
        self.tables = LakeTables(self.spark, Path(lake), cache=cache)

    def query(self, name: str, params: Mapping | None = None, scope: Scope = CITY) -> pd.DataFrame:
        """Run named query `name` within `scope`, parameters bound as Spark's named markers."""
        params = dict(params or {})
        for key in ("week_from", "week_to"):  # as metrics.query: any day stands for its week
            if params.get(key) is not None:
                params[key] = week_of(params[key])
        sql, bound = bind(name, params)
        return self.sql(sql, bound, scope)

    def sql(self, sql: str, params: Mapping | None = None, scope: Scope = CITY) -> pd.DataFrame:
        """Run one DuckDB-dialect statement (no user input in its text) on Spark within `scope`."""
        text, args = to_spark(sql, params or {})
        self.tables.use(scope)
        log.debug("spark: %s", text)
        return self.spark.sql(text, args=args).toPandas()
