"""`export-lake`, `rollup` and `query --engine spark`: the store as a Parquet lake, its roll-ups built
by DuckDB or Spark, the named queries on Spark.

Spark and sqlglot are an optional extra (`pip install -e .[spark]`); without them these
commands say so and the DuckDB engine works as before.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from marketpulse import lake
from marketpulse.cli.common import EXIT_OK, EXIT_USAGE, parse_params, scope
from marketpulse.cli.queries import cmd_query, cmd_rebuild
from marketpulse.cli.users import as_user

try:  # the optional extra
    from marketpulse import spark
except ImportError as exc:  # pragma: no cover - depends on the installation
    spark, SPARK_MISSING = None, str(exc)
else:
    SPARK_MISSING = ""

ENGINES = ("duckdb", "spark")
NO_SPARK = "未安装 Spark(pip install -e .[spark],并需 Java 17)/ Spark is not installed: pip install -e .[spark] (needs Java 17)"


def add_export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", metavar="DIR", help="数据湖目录 / lake directory")
    p.add_argument(
        "--weeks",
        nargs="+",
        metavar="YYYY-MM-DD",
        help="只重写这些周(周一)的分区 / rewrite only these weeks' partitions (Mondays)",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="湖中自有的写入(导入、规则、审批)也被数据库覆盖 / overwrite the lake's own writes (imports, rules, approvals) with the store",
    )


def add_engine_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=ENGINES, default="duckdb", help="查询引擎 / engine (default duckdb)")
    p.add_argument("--lake", metavar="DIR", help="Spark 读取的数据湖目录 / the lake Spark reads")
    p.add_argument(
        "--master",
        help="Spark master(默认 $SPARK_MASTER 或 local[*])/ Spark master (default $SPARK_MASTER or local[*])",
    )


def export_main(args) -> int:
    manifest = lake.export_lake(Path(args.dir), weeks=args.weeks, replace=args.replace)
    parts = sum(len(t.parts) for t in manifest.tables.values())
    rows = sum(p.rows for t in manifest.tables.values() for p in t.parts.values())
    print(
        f"{args.dir}:{len(manifest.tables)} 张表,{parts} 个文件,{rows} 行 / {len(manifest.tables)} tables, {parts} files, {rows} rows"
    )
    return EXIT_OK


def _spark_session(args):
    if spark is None:
        print(f"{NO_SPARK} ({SPARK_MISSING})", file=sys.stderr)
        return None
    if not args.lake:
        print("--engine spark 需要 --lake DIR / --engine spark needs --lake DIR", file=sys.stderr)
        return None
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)  # the error is printed once, below
    return spark.session(args.master)


def _spark_engine(args):
    session = _spark_session(args)
    return None if session is None else spark.SparkEngine(args.lake, session)


def rollup_main(args) -> int:
    """Rebuild the lake's roll-ups from its facts (DuckDB or Spark); without --lake, DuckDB rebuilds the store's."""
    if args.engine == "duckdb":
        if args.lake is None:
            return cmd_rebuild(args)
        manifest = lake.build_rollups(Path(args.lake))
    else:
        session = _spark_session(args)
        if session is None:
            return EXIT_USAGE
        manifest = spark.build_rollups_on_spark(session, Path(args.lake))
    rows = sum(p.rows for t in lake.ROLLUP_TABLES for p in manifest.tables[t].parts.values())
    print(
        f"{args.lake}:{len(lake.ROLLUP_TABLES)} 张汇总表,{rows} 行({args.engine})/ "
        f"{len(lake.ROLLUP_TABLES)} roll-up tables, {rows} rows ({args.engine})"
    )
    return EXIT_OK


def query_main(args) -> int:
    if args.engine == "duckdb":
        return cmd_query(args)
    engine = _spark_engine(args)
    if engine is None:
        return EXIT_USAGE
    frame = engine.query(args.name, parse_params(args.param), as_user(args, scope(args)))
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    else:
        print(frame.to_string(index=False, max_rows=args.max_rows))
    return EXIT_OK
