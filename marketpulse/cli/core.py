"""`python -m marketpulse` / `marketpulse`: build the demo, import files, run named queries.

Exit codes: 0 done, 1 input refused, 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from marketpulse import forecast, ingest, report, rollup, store
from marketpulse import rules as reference
from marketpulse.simulate import demo
from marketpulse.errors import UsageError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2




def _parse_params(pairs: list[str]) -> dict:
    params = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise UsageError(f"参数应写成 key=value:{pair!r} / --param expects key=value, got {pair!r}")
        key, value = pair.split("=", 1)
        params[key.strip()] = None if value.strip().lower() in ("", "null", "none") else value.strip()
    return params


def _scope(args) -> store.Scope:
    return store.Scope(
        department_code=getattr(args, "department", None),
        territory_code=getattr(args, "territory", None),
        cm_code=getattr(args, "cm", None),
    )


def cmd_query(args) -> int:
    try:
        frame = store.run(args.name, _parse_params(args.param), scope=_scope(args))
    except (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.BinderException) as exc:
        # a parameter value the query cannot use (a date that is not one, an unknown level)
        raise UsageError(f"参数值无效 / Invalid parameter value for {args.name}: {exc}") from None
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    else:
        print(frame.to_string(index=False, max_rows=args.max_rows))
    return EXIT_OK


def cmd_queries(args) -> int:
    for name in store.query_names():
        params = sorted(store.query_params(name))
        print(f"{name:28s} {' '.join('$' + p for p in params)}")
    return EXIT_OK


def cmd_rebuild(args) -> int:
    with store.writer() as con:
        rollup.rebuild(con)
    print("已重建周汇总表 / Weekly roll-ups rebuilt.")
    return EXIT_OK


def cmd_rules(args) -> int:
    try:
        if args.action == "show":
            for table in [args.table] if args.table else list(reference.RULE_TABLES):
                print(f"# {table}: {reference.RULE_TABLES.get(table, '')}")
                print(reference.rules_frame(table).to_string(index=False))
                print()
        elif args.action == "export":
            out = Path(args.path)
            out.mkdir(parents=True, exist_ok=True)
            for table in [args.table] if args.table else list(reference.RULE_TABLES):
                reference.rules_frame(table).to_csv(out / f"{table}.csv", index=False)
                print(f"{out / (table + '.csv')}")
        else:
            if not args.table:
                raise UsageError("rules load 需要 --table / rules load needs --table")
            n = reference.replace_rules(args.table, args.path)
            print(f"{args.table}:已替换为 {n} 行 / replaced with {n} rows")
    except reference.RuleError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE if "No rule table" in str(exc) else EXIT_REFUSED
    return EXIT_OK


def cmd_demo(args) -> int:
    return demo.main(args)


def cmd_import(args) -> int:
    return ingest.main(args)


def cmd_quarantine(args) -> int:
    return ingest.quarantine_main(args)


def cmd_forecast(args) -> int:
    return forecast.main(args)


def cmd_backtest(args) -> int:
    return forecast.backtest_main(args)


def cmd_report(args) -> int:
    return report.main(args)


def _add_forecast_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", help="只用截至该周的数据 / use data up to this week (YYYY-MM-DD)")
    p.add_argument("--horizon", type=int, default=8, help="预测周数 / weeks ahead (default 8)")
    p.add_argument("--origins", type=int, default=13, help="回测起点数 / backtest origins (default 13)")
    p.add_argument("--step", type=int, default=4, help="回测起点间隔周数 / weeks between origins (default 4)")
    p.add_argument("--model", default="sarimax_festival", choices=["sarimax_festival", "ar1_festival", "ets"],
                   help="模型 / model")
    p.add_argument("--workers", type=int, default=2, help="并行进程数 / worker processes (default 2)")


def _add_scope_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--department", help="只看一个市场部 / restrict to one department code")
    p.add_argument("--territory", help="只看一个片区 / restrict to one territory code")
    p.add_argument("--cm", help="只看一个客户经理的零售户 / restrict to one customer manager's retailers")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="marketpulse", description="市场脉搏 MarketPulse")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="构建模拟城市数据 / build the simulated city store")
    p.add_argument("--scale", choices=["small", "town", "city"], default="town")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--to-files", metavar="DIR", help="写出导入文件而不建库 / write import files instead of a store")
    p.add_argument("--weeks", type=int, default=None, help="模拟周数 / number of weeks (default by scale)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import", help="导入 CSV/XLSX 文件 / import CSV or XLSX files")
    p.add_argument("files", nargs="+")
    p.add_argument("--kind", choices=["territories", "customer_managers", "retailers", "specs", "visits", "orders"])
    p.add_argument("--force", action="store_true", help="重新导入已导入过的文件 / import a file again even if it was imported before")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("quarantine", help="列出被拦下的行 / list rows held back")
    p.add_argument("--import-id", type=int)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_quarantine)

    p = sub.add_parser("query", help="运行命名查询 / run a named query")
    p.add_argument("name")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--max-rows", type=int, default=200)
    _add_scope_args(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("queries", help="列出命名查询及其参数 / list named queries and their parameters")
    p.set_defaults(func=cmd_queries)

    p = sub.add_parser("rules", help="查看、导出或替换规则表(监控点、权重、阈值)/ show, export or replace rule tables")
    p.add_argument("action", choices=["show", "export", "load"])
    p.add_argument("path", nargs="?", default="rules", help="export: 目录 / folder; load: CSV 文件 / file")
    p.add_argument("--table", help="monitoring_point | tier_band | state_score_weight | setting | note_keyword")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("rebuild", help="从原始数据重建周汇总 / rebuild weekly roll-ups from raw facts")
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser("forecast", help="刷新需求预测 / refresh the demand forecasts")
    _add_forecast_args(p)
    p.set_defaults(func=cmd_forecast)

    p = sub.add_parser("backtest", help="回测预测准确度 / backtest forecast accuracy")
    _add_forecast_args(p)
    p.add_argument("--stored", action="store_true", help="显示最近一次刷新的回测结果 / show the latest refresh's backtest")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("report", help="写出营销周报 Excel / write the weekly review workbook (周报)")
    p.add_argument("--week", help="报告周(周一,YYYY-MM-DD),默认最近一周 / report week (Monday), default the latest")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件 / output file")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="语言 / language")
    _add_scope_args(p)
    p.set_defaults(func=cmd_report)
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
    except store.QueryError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except store.StoreError as exc:
        print(exc, file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
