"""The roll-ups built on Spark from the lake's facts, with the SQL DuckDB runs (queries/rollup/).

A full build, as rollup.rebuild: the roll-up tables start empty, every retailer × spec pair
is touched from the first day, and the builder files run in rollup.refresh's order. A file's
SELECT (queries/rollup/select/<table>.sql, when it has one) becomes the temp view
`<table>_rows` before the first statement reading it; the statements run as Spark can: a
temp table becomes a cached view, `insert into T by name <select>` gives T's rows, written
by week under the staging directory and read back as T for the files after it; deletes
find nothing to delete in a build from empty, and are skipped.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import sqlglot
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sqlglot import exp

from marketpulse.lake import manifest as mf
from marketpulse.lake.rollups import ROLLUP_FILES, ROLLUP_TABLES, build_rollups
from marketpulse.spark.dialect import transpile
from marketpulse.spark.tables import LakeTables, spark_type
from marketpulse.store import CITY, QUERY_DIR

log = logging.getLogger(__name__)

ROLLUP_DIR = QUERY_DIR / "rollup"
SELECT_DIR = ROLLUP_DIR / "select"
# the inputs rollup.refresh(con, None) makes for a full build, in their order
INPUTS = ("touched_pair", "touched_retailer")


def rows_view(table: str) -> str:
    """The temp view a builder file reads its SELECT from (DuckDB: made by rollup.refresh)."""
    return f"{table}_rows"


class SparkRollupBuild:
    """One full build of the roll-ups on `spark` from the lake at `lake`, staged under `stage`."""

    def __init__(self, spark: SparkSession, lake: Path, manifest: mf.Manifest, stage: Path):
        self.spark, self.lake, self.manifest, self.stage = spark, lake, manifest, stage
        self.cached: list[DataFrame] = []
        self.seconds: dict[str, float] = {}  # wall time per builder file (and "tables": reading the lake)
        start = time.perf_counter()
        tables = LakeTables(spark, lake)
        tables.use(CITY)
        for table in ROLLUP_TABLES:  # empty, as after rebuild's deletes
            self._empty(table).createOrReplaceTempView(table)
        self.seconds["tables"] = time.perf_counter() - start

    def _sql(self, sql: str) -> DataFrame:
        text, names = transpile(sql)
        if names:
            raise ValueError(f"a roll-up takes no parameters: {sorted(names)}")
        return self.spark.sql(text)

    def _temp(self, name: str, sql: str) -> None:
        frame = self._sql(sql).cache()
        self.cached.append(frame)
        frame.createOrReplaceTempView(name)

    def _typed(self, table: str, frame: DataFrame) -> DataFrame:
        """`frame` in the lake table's column order and types."""
        return frame.select(
            *(F.col(f"`{c}`").cast(spark_type(t)).alias(c) for c, t in self.manifest.tables[table].columns)
        )

    def _empty(self, table: str) -> DataFrame:
        schema = ", ".join(f"`{c}` {spark_type(t)}" for c, t in self.manifest.tables[table].columns)
        return self.spark.createDataFrame([], schema)

    def _write(self, table: str, frame: DataFrame) -> None:
        """Write a roll-up's rows by week, one file per week, and make them the table's view."""
        out = self.stage / table
        week = mf.PARTITION_COLUMN
        self._typed(table, frame).repartition(F.col(week)).write.partitionBy(week).parquet(str(out))
        written = self.spark.read.option("basePath", str(out)).parquet(str(out))
        self._typed(table, written).createOrReplaceTempView(table)

    def run_file(self, name: str) -> None:
        """Run one builder file of queries/rollup/ (see the module's docstring)."""
        text = (ROLLUP_DIR / f"{name}.sql").read_text(encoding="utf-8")
        written = set()
        for statement in sqlglot.parse(text, read="duckdb"):
            read = {t.name for t in statement.find_all(exp.Table)} if statement is not None else set()
            for table in sorted(t for t in ROLLUP_TABLES if rows_view(t) in read):
                # as rollup._execute: made just before the statement that reads it
                select = (SELECT_DIR / f"{table}.sql").read_text(encoding="utf-8")
                self._sql(select).createOrReplaceTempView(rows_view(table))
            if isinstance(statement, exp.Create) and statement.kind == "TABLE":
                self._temp(statement.this.name, statement.expression.sql(dialect="duckdb"))
            elif isinstance(statement, exp.Insert):
                table = statement.this.name
                if not statement.args.get("by_name") or table in written:
                    raise ValueError(f"{name}.sql: one `insert into {table} by name` per table is what Spark runs")
                self._write(table, self._sql(statement.expression.sql(dialect="duckdb")))
                written.add(table)
            elif isinstance(statement, exp.Delete | exp.Drop) or statement is None:
                continue  # a full build starts from empty tables; temp views go with the build
            else:
                raise ValueError(f"{name}.sql: Spark runs no {type(statement).__name__} statement")

    def run(self) -> dict[str, dict[str, Path]]:
        """Every builder file in order; the staged files, table → week → file."""
        for name in INPUTS:
            self._temp(name, (SELECT_DIR / f"{name}.sql").read_text(encoding="utf-8"))
        for name in ROLLUP_FILES:
            start = time.perf_counter()
            self.run_file(name)
            self.seconds[name] = time.perf_counter() - start
            log.info("spark: roll-up %s built in %.1f s", name, self.seconds[name])
        for frame in self.cached:
            frame.unpersist()
        return {table: _staged(self.stage / table) for table in ROLLUP_TABLES}


def _staged(out: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(out.glob(f"{mf.PARTITION_COLUMN}=*/*.parquet")):
        week = path.parent.name.split("=", 1)[1]
        if week in found:  # one file per partition is what the manifest records
            raise RuntimeError(f"several files for {out.name} week {week}")
        found[week] = path
    return found


def build_rollups_on_spark(spark: SparkSession, lake: Path | str, seconds: dict | None = None) -> mf.Manifest:
    """Rebuild every roll-up of the lake at `lake` on Spark, published into the lake; the new manifest.

    `seconds`, when given, receives the wall time per builder file (SparkRollupBuild.seconds).
    """

    def builder(lake_dir: Path, manifest: mf.Manifest, stage: Path):
        build = SparkRollupBuild(spark, lake_dir, manifest, stage)
        written = build.run()
        if seconds is not None:
            seconds.update(build.seconds)
        return written

    return build_rollups(lake, builder)
