"""The lake's tables as Spark temp views, named and ordered as in the store, cut to a scope.

As on DuckDB (store/scope.py), every table carrying a scope column is replaced, for the
queries that follow, by a view keeping only the rows in scope, so a query cannot forget it.
Scope codes are compared as values in DataFrame filters, never written into SQL text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from marketpulse.lake import manifest as mf
from marketpulse.store.scope import FORMER, SCOPE_COLUMNS, UNSCOPED_TABLES, Scope


def spark_type(duckdb_type: str) -> str:
    """A DuckDB column type in Spark's DDL (unsigned integers widen, as Spark reads them)."""
    widened = {"UTINYINT": "SMALLINT", "USMALLINT": "INT", "UINTEGER": "BIGINT", "UBIGINT": "DECIMAL(20,0)"}
    built = sqlglot.exp.DataType.build(widened.get(duckdb_type, duckdb_type), dialect="duckdb")
    return built.sql(dialect="spark")


def _frame(spark: SparkSession, lake: Path, manifest: mf.Manifest, table: str) -> DataFrame:
    spec = manifest.tables[table]
    paths = mf.files(lake, manifest, table)
    if not paths:
        schema = ", ".join(f"`{c}` {spark_type(t)}" for c, t in spec.columns)
        return spark.createDataFrame([], schema)
    reader = spark.read
    if spec.partitioned:
        reader = reader.option("basePath", str(lake / table))
    frame = reader.parquet(*paths)
    cols = []
    for name, _ in spec.columns:
        col = F.col(f"`{name}`")
        if name == mf.PARTITION_COLUMN and spec.week_of == mf.PARTITION_COLUMN:
            col = col.cast("date")
        cols.append(col.alias(name))
    return frame.select(*cols)


@dataclass
class LakeTables:
    """The lake at `lake` as DataFrames; `use(scope)` (re)registers the temp views for a scope.

    `cache` keeps every table in Spark's memory, in one partition: for a small lake queried many times.
    """

    spark: SparkSession
    lake: Path
    cache: bool = False
    manifest: mf.Manifest = field(init=False)
    frames: dict[str, DataFrame] = field(init=False)

    def __post_init__(self):
        self.lake = Path(self.lake).resolve()
        self.manifest = mf.load(self.lake)
        self.frames = {t: _frame(self.spark, self.lake, self.manifest, t) for t in self.manifest.tables}
        if self.cache:
            self.frames = {t: frame.coalesce(1).cache() for t, frame in self.frames.items()}

    def scoped_tables(self) -> dict[str, list[str]]:
        """Tables a scope cuts, each with the scope columns it carries (as store/scope.py)."""
        return {
            name: [c for c in SCOPE_COLUMNS if c in frame.columns]
            for name, frame in self.frames.items()
            if name not in UNSCOPED_TABLES and any(c in frame.columns for c in SCOPE_COLUMNS)
        }

    def use(self, scope: Scope) -> None:
        """Register every table as a temp view, those carrying a scope column cut to `scope`."""
        for name, frame in self.frames.items():
            frame.createOrReplaceTempView(name)
        if scope.is_city:
            return
        territories, retailers = self._scope_sets(scope)
        for name, cols in self.scoped_tables().items():
            frame = self.frames[name]
            if name in FORMER:  # as store/scope.py: in scope now, then the former ones by identity alone
                identity = FORMER[name][0]
                now = frame.join(F.broadcast(territories.select("territory_code")), "territory_code", "left_semi")
                if scope.cm_code:
                    now = now.where(F.col("cm_code") == F.lit(scope.cm_code))
                held = retailers if name == "retailer" else self._former_cms(territories, scope)
                before = frame.join(F.broadcast(held), identity[0], "left_semi").join(
                    now.select(identity[0]), identity[0], "left_anti"
                )
                before = before.select(
                    *[F.col(c) if c in identity else F.lit(None).cast(t).alias(c) for c, t in frame.dtypes]
                )
                now.unionByName(before).createOrReplaceTempView(name)
                continue
            if "territory_code" in cols:
                frame = frame.join(F.broadcast(territories.select("territory_code")), "territory_code", "left_semi")
            elif "department_code" in cols:
                deps = territories.select("department_code").distinct()
                frame = frame.join(F.broadcast(deps), "department_code", "left_semi")
            elif "license_no" in cols:
                frame = frame.join(F.broadcast(retailers), "license_no", "left_semi")
            if "cm_code" in cols and scope.cm_code:
                frame = frame.where(F.col("cm_code") == F.lit(scope.cm_code))
            frame.select(*self.frames[name].columns).createOrReplaceTempView(name)

    def _former_cms(self, territories: DataFrame, scope: Scope) -> DataFrame:
        """The customer managers whose retailers lay in the scope's territories in some period."""
        rows = self.frames["retailer_assignment"].join(
            F.broadcast(territories.select("territory_code")), "territory_code", "left_semi"
        )
        if scope.cm_code:
            rows = rows.where(F.col("cm_code") == F.lit(scope.cm_code))
        return rows.select("cm_code").distinct()

    def _scope_sets(self, scope: Scope) -> tuple[DataFrame, DataFrame]:
        """The territories (with their departments) and the retailers a scope allows."""
        ter = self.frames["territory"]
        if scope.department_code:
            ter = ter.where(F.col("department_code") == F.lit(scope.department_code))
        if scope.territory_code:
            ter = ter.where(F.col("territory_code") == F.lit(scope.territory_code))
        if scope.cm_code:
            cms = self.frames["customer_manager"].where(F.col("cm_code") == F.lit(scope.cm_code))
            ter = ter.join(cms.select("territory_code"), "territory_code", "left_semi")
        ter = ter.select("territory_code", "department_code")
        retailers = None
        for source in ("retailer_assignment", "retailer"):
            rows = self.frames[source].join(F.broadcast(ter.select("territory_code")), "territory_code", "left_semi")
            if scope.cm_code:
                rows = rows.where(F.col("cm_code") == F.lit(scope.cm_code))
            rows = rows.select("license_no")
            retailers = rows if retailers is None else retailers.union(rows)
        return ter, retailers.distinct()
