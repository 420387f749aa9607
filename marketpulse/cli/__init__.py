"""`python -m marketpulse` / `marketpulse`: the command line, on top of everything; nothing imports it.

Each command lives in its own module here (its parser arguments below, its main() there) and
calls the domain packages. Exit codes: 0 done, 1 input refused (or a store that cannot be read), 2 bad
usage, 3 an import could not write the store (full disk, damaged or newer store); the files
after it were not tried.
"""

from __future__ import annotations

import argparse
import sys

from marketpulse import forecast
from marketpulse.cli import deliver, demo, forecasting, imports, lake, plan, queries, report, shapes, users
from marketpulse.cli.common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, add_scope_args
from marketpulse.errors import QueryError, StoreError, UsageError

__all__ = ["EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "build_parser", "main"]


def _add_forecast_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", help="只用截至该周的数据 / use data up to this week (YYYY-MM-DD)")
    p.add_argument("--horizon", type=int, default=8, help="预测周数 / weeks ahead (default 8)")
    p.add_argument("--origins", type=int, default=13, help="回测起点数 / backtest origins (default 13)")
    p.add_argument("--step", type=int, default=4, help="回测起点间隔周数 / weeks between origins (default 4)")
    p.add_argument("--model", default="sarimax_festival", choices=list(forecast.MODELS), help="模型 / model")
    p.add_argument("--workers", type=int, default=2, help="并行进程数 / worker processes (default 2)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="marketpulse", description="市场脉搏 MarketPulse")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="构建模拟城市数据 / build the simulated city store")
    p.add_argument("--scale", choices=["small", "town", "city"], default="town")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--to-files", metavar="DIR", help="写出导入文件而不建库 / write import files instead of a store")
    p.add_argument("--weeks", type=int, default=None, help="模拟周数 / number of weeks (default by scale)")
    p.set_defaults(func=demo.main)

    p = sub.add_parser("import", help="导入 CSV/XLSX 文件 / import CSV or XLSX files")
    p.add_argument("files", nargs="+")
    p.add_argument("--kind", choices=["territories", "customer_managers", "retailers", "specs", "visits", "orders"])
    p.add_argument(
        "--force",
        action="store_true",
        help="重新导入已导入过的文件 / import a file again even if it was imported before",
    )
    p.add_argument(
        "--lake",
        metavar="DIR",
        help="导入数据湖而非数据库(默认 $MARKETPULSE_LAKE)/ import into this lake instead of the store "
        "(default $MARKETPULSE_LAKE)",
    )
    p.set_defaults(func=imports.main)

    p = sub.add_parser("quarantine", help="列出被拦下的行 / list rows held back")
    p.add_argument("--import-id", type=int)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument(
        "--kind",
        choices=imports.KIND_NAMES,
        help="只列该类文件被拦下的行,按原列名输出(改正后可直接重新导入)/ "
        "one kind's held-back rows in their original columns, ready to fix and import again",
    )
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument(
        "--lake",
        metavar="DIR",
        help="读数据湖的隔离行(默认 $MARKETPULSE_LAKE)/ the lake's held-back rows (default $MARKETPULSE_LAKE)",
    )
    p.set_defaults(func=imports.quarantine_main)

    p = sub.add_parser("query", help="运行命名查询 / run a named query")
    p.add_argument("name")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--max-rows", type=int, default=200)
    add_scope_args(p)
    users.add_as_user_arg(p)
    lake.add_engine_args(p)
    p.set_defaults(func=lake.query_main)

    p = sub.add_parser("queries", help="列出命名查询及其参数 / list named queries and their parameters")
    p.set_defaults(func=queries.cmd_queries)

    p = sub.add_parser("rules", help="查看、导出或替换规则表(监控点、权重、阈值)/ show, export or replace rule tables")
    p.add_argument("action", choices=["show", "export", "load"])
    p.add_argument("path", nargs="?", default="rules", help="export: 目录 / folder; load: CSV 文件 / file")
    p.add_argument("--table", help="monitoring_point | tier_band | state_score_weight | setting | note_keyword")
    p.set_defaults(func=queries.cmd_rules)

    p = sub.add_parser("rebuild", help="从原始数据重建周汇总 / rebuild weekly roll-ups from raw facts")
    p.set_defaults(func=queries.cmd_rebuild)

    p = sub.add_parser("rollup", help="重建数据湖的周汇总 / rebuild the lake's roll-ups (DuckDB or Spark)")
    lake.add_engine_args(p)
    p.set_defaults(func=lake.rollup_main)

    p = sub.add_parser("export-lake", help="把数据导出为 Parquet 数据湖 / export the store as a Parquet lake")
    lake.add_export_args(p)
    p.set_defaults(func=lake.export_main)

    p = sub.add_parser("forecast", help="刷新需求预测 / refresh the demand forecasts")
    _add_forecast_args(p)
    p.set_defaults(func=forecasting.forecast_main)

    p = sub.add_parser("backtest", help="回测预测准确度 / backtest forecast accuracy")
    _add_forecast_args(p)
    p.add_argument(
        "--stored", action="store_true", help="显示最近一次刷新的回测结果 / show the latest refresh's backtest"
    )
    p.set_defaults(func=forecasting.backtest_main)

    p = sub.add_parser("report", help="写出营销周报 Excel / write the weekly review workbook (周报)")
    p.add_argument("--week", help="报告周(周一,YYYY-MM-DD),默认最近一周 / report week (Monday), default the latest")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件 / output file")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="语言 / language")
    add_scope_args(p)
    users.add_as_user_arg(p)
    p.set_defaults(func=report.main)

    users.add_parser(sub)

    p = sub.add_parser("deliver", help="发送周报和高等级预警 / send the 周报 and high alerts to each recipient")
    deliver.add_args(p)
    p.set_defaults(func=deliver.main)

    p = sub.add_parser("import-shapes", help="导入片区边界 GeoJSON / import territory outlines for the map")
    shapes.add_args(p)
    p.set_defaults(func=shapes.main)

    p = sub.add_parser("plan", help="下周货源投放方案(各档位限量)/ next week's supply plan (限量 per tier)")
    plan.add_plan_args(p)
    p.set_defaults(func=plan.plan_main)

    p = sub.add_parser("plan-eval", help="在模拟城市回放中比较投放方案 / the plan against baselines on replay")
    plan.add_eval_args(p)
    p.set_defaults(func=plan.plan_eval_main)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its usage message
        return EXIT_USAGE if exc.code else EXIT_OK
    try:
        return args.func(args)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except QueryError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
