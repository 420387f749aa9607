"""A named query's DuckDB text as Spark SQL, its `$name` parameters as Spark's `:name` markers.

The text is parsed once by sqlglot and written back in Spark's dialect; a construct sqlglot
cannot carry over raises instead of being dropped. Values never enter the text: every
parameter stays a named marker in the tree, bound by `spark.sql(text, args=...)`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import re
from collections.abc import Mapping

import sqlglot
from sqlglot import exp
from sqlglot.dialects.spark import Spark
from sqlglot.generators.spark import SparkGenerator

from marketpulse.errors import QueryError

# Spark's named markers take plain values; anything else is refused before it reaches Spark.
ARG_TYPES = (str, int, float, bool, dt.date, dt.datetime, decimal.Decimal, type(None))


# DuckDB functions sqlglot leaves as they are, and their Spark names (same arguments, same meaning).
RENAMED_FUNCTIONS = {"ERROR": "RAISE_ERROR"}
# DuckDB's isoyear(d) is Spark's date_part('YEAROFWEEK', d): the ISO 8601 week-numbering year.
ISO_YEAR = "YEAROFWEEK"


class SparkSQL(Spark):
    """Spark's dialect as sqlglot writes it, but keeping CTEs inside subqueries where they are
    (Spark 3+ reads them there; hoisting them would clash when two `ref()`s share a CTE name)."""

    class Generator(SparkGenerator):
        EXPRESSIONS_WITHOUT_NESTED_CTES = set()
        TRANSFORMS = {
            **SparkGenerator.TRANSFORMS,
            exp.ArrayOverlaps: lambda self, e: self.func("ARRAYS_OVERLAP", e.this, e.expression),
        }


# printf conversions: `%.1f` rounds the exact binary value half-to-even in DuckDB (as Java's
# DecimalFormat does) but half-up in Spark's format_string; such numbers go through format_number.
CONVERSION_RE = re.compile(r"%(%|([-+ 0#]*)(\d*)(?:\.(\d+))?([a-zA-Z]))")


def _printf(node: exp.Anonymous) -> exp.Expr:
    """DuckDB's printf as Spark's format_string, fixed-point numbers formatted as DuckDB does."""
    pattern, *args = node.expressions
    if not isinstance(pattern, exp.Literal) or not pattern.is_string:
        return exp.Anonymous(this="FORMAT_STRING", expressions=node.expressions)
    out, new_args, pos, i = [], [], 0, 0
    for match in CONVERSION_RE.finditer(pattern.this):
        out.append(pattern.this[pos : match.start()])
        pos = match.end()
        if match.group(1) == "%":
            out.append("%%")
            continue
        flags, width, places, kind = match.group(2), match.group(3), match.group(4), match.group(5)
        arg = args[i]
        i += 1
        if kind == "f" and not width and flags in ("", "+"):
            digits = "0" + ("." + "0" * int(places) if places and int(places) else "")
            decimal_format = f"+{digits};-{digits}" if flags == "+" else digits
            out.append("%s")
            new_args.append(
                exp.Anonymous(this="FORMAT_NUMBER", expressions=[_double(arg), exp.Literal.string(decimal_format)])
            )
        else:
            out.append(match.group(0))
            new_args.append(arg)
    out.append(pattern.this[pos:])
    return exp.Anonymous(this="FORMAT_STRING", expressions=[exp.Literal.string("".join(out)), *new_args, *args[i:]])


def _double(node: exp.Expr) -> exp.Expr:
    return exp.Cast(this=node, to=exp.DataType.build("double"))


def _portable(node: exp.Expr) -> exp.Expr:
    # DuckDB divides (and averages) decimals and integers in double precision; Spark would keep
    # a decimal rounded to a few places, so both sides are made doubles, as DuckDB does
    if isinstance(node, exp.Div) and not node.args.get("_double"):
        return exp.Div(this=_double(node.this), expression=_double(node.expression), _double=True)
    if isinstance(node, exp.Avg) and not isinstance(node.this, exp.Cast):
        return exp.Avg(this=_double(node.this))
    if isinstance(node, exp.Anonymous) and node.name.upper() in RENAMED_FUNCTIONS:
        return exp.Anonymous(this=RENAMED_FUNCTIONS[node.name.upper()], expressions=node.expressions)
    if isinstance(node, exp.Anonymous) and node.name.upper() == "PRINTF":
        return _printf(node)
    if isinstance(node, exp.Anonymous) and node.name.upper() == "ISOYEAR":
        return exp.Anonymous(this="DATE_PART", expressions=[exp.Literal.string(ISO_YEAR), *node.expressions])
    if isinstance(node, exp.ToDays):
        # an interval of n days; Spark's date ± calendar interval stays a date
        zero = exp.Literal.number(0)
        return exp.Anonymous(this="MAKE_INTERVAL", expressions=[zero, zero, zero, node.this])
    return node


@functools.lru_cache(maxsize=256)
def transpile(sql: str) -> tuple[str, frozenset[str]]:
    """`sql` (one DuckDB statement) in Spark's dialect, and the parameter names it uses."""
    try:
        trees = [t for t in sqlglot.parse(sql, read="duckdb") if t is not None]
    except sqlglot.errors.ParseError as exc:
        raise QueryError(f"SQL 无法转换为 Spark 方言 / SQL cannot be read for Spark: {exc}") from None
    if len(trees) != 1:
        raise QueryError(f"一个查询只能有一条语句 / A query must be one statement, not {len(trees)}")
    tree = trees[0]
    names = set()
    for node in tree.find_all(exp.Placeholder, exp.Parameter):
        name = node.name
        if isinstance(node, exp.Parameter) or not name or not name.isidentifier():
            raise QueryError(f"只支持命名参数 $name / Only named $name parameters are supported: {node.sql()}")
        names.add(name)
    try:
        text = tree.transform(_portable).sql(dialect=SparkSQL, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as exc:
        raise QueryError(f"该查询用了 Spark 不支持的写法 / The query uses SQL Spark cannot run: {exc}") from None
    return text, frozenset(names)


def to_spark(sql: str, params: Mapping) -> tuple[str, dict]:
    """The Spark text of `sql` and the arguments for its markers (exactly those it uses)."""
    text, names = transpile(sql)
    missing = sorted(names - set(params))
    if missing:
        raise QueryError(f"缺少参数 / Missing parameter(s): {', '.join(missing)}")
    args = {name: params[name] for name in names}
    for name, value in args.items():
        if not isinstance(value, ARG_TYPES):
            raise QueryError(f"参数 {name} 的值类型不支持 / Parameter {name} has an unsupported type: {type(value)}")
    return text, args
