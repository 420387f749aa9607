"""`query`, `queries`, `rules` and `rebuild`: named queries, rule tables and roll-ups from a shell."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from marketpulse import i18n, lake, metrics, rollup, rules, store
from marketpulse.cli.common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, parse_params, scope
from marketpulse.cli.users import as_user
from marketpulse.errors import RuleError, StoreError, UsageError


def cmd_query(args) -> int:
    try:
        frame = metrics.query(args.name, parse_params(args.param), scope=as_user(args, scope(args)))
    except (ValueError, duckdb.ConversionException, duckdb.InvalidInputException, duckdb.BinderException) as exc:
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
    served = lake.serving_lake()
    if served is not None:  # the lake's roll-ups are rebuilt there (rollup --lake), not in the store
        raise StoreError(" / ".join(i18n.t("lake.rebuild", x, lake=served) for x in i18n.LANGS))
    with store.writer() as con:
        rollup.rebuild(con)
    print("已重建周汇总表 / Weekly roll-ups rebuilt.")
    return EXIT_OK


def cmd_rules(args) -> int:
    try:
        if args.action == "show":
            for table in [args.table] if args.table else list(rules.RULE_TABLES):
                print(f"# {table}: {rules.RULE_TABLES.get(table, '')}")
                print(rules.rules_frame(table).to_string(index=False))
                print()
        elif args.action == "export":
            out = Path(args.path)
            out.mkdir(parents=True, exist_ok=True)
            for table in [args.table] if args.table else list(rules.RULE_TABLES):
                rules.rules_frame(table).to_csv(out / f"{table}.csv", index=False)
                print(f"{out / (table + '.csv')}")
        else:
            if not args.table:
                raise UsageError("rules load 需要 --table / rules load needs --table")
            n = lake.publish_rules(args.table, lambda db: rules.replace_rules(args.table, args.path, db))
            print(f"{args.table}:已替换为 {n} 行 / replaced with {n} rows")
    except RuleError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE if "No rule table" in str(exc) else EXIT_REFUSED
    return EXIT_OK
