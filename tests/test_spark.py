"""The same named queries on Spark over the lake give DuckDB's results, scopes included, and
the roll-ups Spark builds from the lake's facts equal DuckDB's.

One SparkSession (`local[2]`) serves the whole module; the lake is the small demo exported
once and cached in Spark's memory. Each query runs under one scope, taken in turn from the
city, a 市场部 and a 客户经理, so every query and every kind of scope is checked in one pass.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import shutil

import pandas as pd
import pytest
from test_lake import rollup_differences
from test_queries_contract import LOOKUPS, QUERIES, params_for

from marketpulse import cli, lake, store
from marketpulse.errors import QueryError
from marketpulse.spark import SparkEngine, session, to_spark

# pyspark 4.3 warns that it does not fully support pandas 3 (toPandas works for these frames)
pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas", "ignore:The copy keyword is deprecated"
)

TOLERANCE = 1e-9
SCOPE_KINDS = ("city", "department", "cm")
# A tiny lake: few partitions, no UI; compiling code per stage would cost more than it saves.
SMALL_DATA = {
    "spark.sql.shuffle.partitions": "2",
    "spark.ui.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
}


@pytest.fixture(scope="module")
def spark():
    spark = session("local[2]", SMALL_DATA)
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def demo_lake(demo_store, tmp_path_factory):
    path = tmp_path_factory.mktemp("lake") / "lake"
    lake.export_lake(path, demo_store)
    return path


@pytest.fixture(scope="module")
def engine(spark, demo_lake):
    return SparkEngine(demo_lake, spark, cache=True)


def scope_of(kind: str, reader: store.Reader) -> store.Scope:
    if kind == "department":
        return store.Scope(department_code=reader.sql("select min(department_code) as d from department")["d"][0])
    if kind == "cm":
        return store.Scope(cm_code=reader.sql("select min(cm_code) as c from customer_manager")["c"][0])
    return store.CITY


def _cell(value):
    """A value as both engines' frames can agree on: null as None, numbers as float, days as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | decimal.Decimal):
        return float(value)
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if not hasattr(value, "tolist") else str(value.tolist())


def _rows(frame: pd.DataFrame) -> list[tuple]:
    rows = [tuple(_cell(v) for v in row) for row in frame.astype(object).itertuples(index=False)]
    # rows tied in a query's order may come in either order: compare them sorted
    return sorted(rows, key=lambda r: tuple((v is None, round(v, 6) if isinstance(v, float) else str(v)) for v in r))


def assert_same(duck: pd.DataFrame, spark: pd.DataFrame) -> None:
    assert list(duck.columns) == list(spark.columns)
    assert len(duck) == len(spark)
    for i, (a, b) in enumerate(zip(_rows(duck), _rows(spark), strict=True)):
        for col, x, y in zip(duck.columns, a, b, strict=True):
            if isinstance(x, float) and isinstance(y, float):
                assert math.isclose(x, y, rel_tol=TOLERANCE, abs_tol=TOLERANCE), (i, col, x, y)
            else:
                assert x == y, (i, col, x, y)


@pytest.mark.parametrize("name", QUERIES + LOOKUPS)
def test_every_named_query_gives_the_same_rows_on_spark(demo_store, engine, name):
    reader = store.reader(demo_store)
    kind = SCOPE_KINDS[(QUERIES + LOOKUPS).index(name) % len(SCOPE_KINDS)]
    scope = scope_of(kind, reader)
    params = params_for(name, reader)
    if "cm_code" in params and scope.cm_code:
        params["cm_code"] = scope.cm_code
    duck = reader.query(name, params, scope)
    assert_same(duck, engine.query(name, params, scope))


def test_both_scopes_cut_spark_as_duckdb(demo_store, engine):
    reader = store.reader(demo_store)
    for kind in ("department", "cm"):
        scope = scope_of(kind, reader)
        duck = reader.query("lookup/customer_managers", {}, scope)
        assert 0 < len(duck) < len(reader.query("lookup/customer_managers", {}))
        assert_same(duck, engine.query("lookup/customer_managers", {}, scope))


def test_a_quote_in_a_value_cannot_change_the_sql(demo_store, engine):
    evil = "x' or '1'='1"
    text, args = to_spark("select count(*) as n from retailer where license_no = $no", {"no": evil})
    assert evil not in text and ":no" in text and args == {"no": evil}
    assert engine.sql("select count(*) as n from retailer where license_no = $no", {"no": evil})["n"][0] == 0
    assert engine.sql("select count(*) as n from retailer where license_no <> $no", {"no": evil})["n"][0] > 0


def test_only_named_parameters_are_taken(engine):
    with pytest.raises(QueryError):
        to_spark("select * from retailer where license_no = ?", {})
    with pytest.raises(QueryError):
        to_spark("select 1; select 2", {})
    with pytest.raises(QueryError):
        to_spark("select * from retailer where license_no = $no", {})


def test_the_query_command_runs_on_spark(demo_store, demo_lake, engine, capsys, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    assert cli.main(["query", "lookup/departments", "--format", "json"]) == 0
    duck = json.loads(capsys.readouterr().out)
    assert (
        cli.main(["query", "lookup/departments", "--format", "json", "--engine", "spark", "--lake", str(demo_lake)])
        == 0
    )
    assert json.loads(capsys.readouterr().out) == duck
    assert cli.main(["query", "lookup/departments", "--engine", "spark"]) == cli.EXIT_USAGE  # no --lake


@pytest.fixture(scope="module")
def spark_built_lake(spark, demo_lake, tmp_path_factory):
    """A copy of the demo lake whose roll-ups `rollup --engine spark` rebuilt from its facts."""
    path = tmp_path_factory.mktemp("spark-rollup") / "lake"
    shutil.copytree(demo_lake, path)
    lake.build_serving(path)
    assert cli.main(["rollup", "--engine", "spark", "--lake", str(path), "--master", "local[2]"]) == 0
    return path


def test_the_rollups_built_on_spark_equal_duckdbs(spark_built_lake, demo_lake, demo_store):
    exported, built = lake.load(demo_lake), lake.load(spark_built_lake)
    for table in lake.ROLLUP_TABLES:
        old = {p.file for p in exported.tables[table].parts.values()}
        assert old.isdisjoint(p.file for p in built.tables[table].parts.values()), table  # every file new
        assert built.tables[table].parts.keys() == exported.tables[table].parts.keys(), table
    assert lake.verify(spark_built_lake) == []
    # the roll-ups hold no floating-point column, so the rows must match exactly
    assert rollup_differences(spark_built_lake, demo_store) == dict.fromkeys(lake.ROLLUP_TABLES, (0, 0))


def test_pages_served_from_the_spark_built_lake_give_the_stores_numbers(spark_built_lake, demo_store):
    served = store.Reader(spark_built_lake / "serving.duckdb")
    direct = store.reader(demo_store)
    for name in QUERIES:
        params = params_for(name, direct)
        assert_same(direct.query(name, params), served.query(name, params))
