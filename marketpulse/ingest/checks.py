"""Validation of an import file as SQL: parse every column, then give each row the first
rule it breaks (one CASE over the whole file), then hold back later duplicates of a key.

Input: temp table `raw_input(rownum, c0 … cN)` of text. Output: temp table `staged` (the
parsed values, named as the store's columns) and temp table `verdict(rownum, reason)`,
where reason is null for a good row and otherwise a struct of the reason code, its
summary text (per column) and the row's detail, in Chinese and English.
"""

from __future__ import annotations

import duckdb

from marketpulse import store
from marketpulse.ingest import numeric
from marketpulse.ingest.contract import REF_REASON, REF_TABLES, Column, Kind, reason_text

BLANKS = " \t\r\n\u3000\u00a0"
DATE_FORMATS = [
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
]
TRUE_WORDS = ("是", "1", "1.0", "true", "t", "y", "yes", "√", "✓")
FALSE_WORDS = ("否", "0", "0.0", "false", "f", "n", "no", "×", "✗")
EARLIEST = {"date": "1900-01-01", "fact_date": "2000-01-01"}
# quantity column → the setting (a rule, edited on the Data page) that bounds it as plausible
BOUNDS = {
    "stock_qty": "import_max_stock_qty",
    "sales_qty": "import_max_sales_qty",
    "demand_qty": "import_max_order_qty",
    "supplied_qty": "import_max_order_qty",
}
BOUND_DEFAULTS = {"import_max_stock_qty": 10000, "import_max_sales_qty": 10000, "import_max_order_qty": 10000}

# value may be blank although the header is required (checked by a rule of its own)
VALUE_OPTIONAL = {("territories", "department_name")}


def lit(text: str) -> str:
    """A SQL string literal for our own constant texts."""
    return "'" + text.replace("'", "''") + "'"


def _list(words) -> str:
    return "[" + ", ".join(lit(w) for w in words) + "]"


def parse_expr(col: Column) -> str:
    t = f"t_{col.name}"
    if col.type in ("qty", "price"):
        return numeric.value_sql(t, col.name, col.type)
    if col.type == "tier":
        n = numeric.value_sql(t, col.name, col.type)
        return f"case when {n} = floor({n}) and {n} between 1 and 30 then {n}::integer end"
    if col.type in ("date", "fact_date"):
        serial = f"try_cast({t} as double)"
        d = (
            f"case when regexp_full_match({t}, '[0-9]{{5}}(\\.[0-9]+)?') "
            f"then case when {serial} between 20000 and 80000 "
            f"then date '1899-12-30' + cast(floor({serial}) as integer) end "
            f"else coalesce(try_cast({t} as date), try_strptime({t}, {_list(DATE_FORMATS)})::date) end"
        )
        return d
    if col.type == "bool":
        return (
            f"case when lower({t}) in ({', '.join(lit(w) for w in TRUE_WORDS)}) then true "
            f"when lower({t}) in ({', '.join(lit(w) for w in FALSE_WORDS)}) then false end"
        )
    return t


class _Case:
    """Collects `when condition then reason` arms in priority order."""

    def __init__(self):
        self.arms: list[str] = []

    def add(self, cond: str, code: str, col: Column | None, detail_zh: str = "''", detail_en: str = "''"):
        zh, en = reason_text(code, col)
        self.arms.append(
            f"when {cond} then {{'code': {lit(code)}, 'summary_zh': {lit(zh)}, 'summary_en': {lit(en)}, "
            f"'detail_zh': coalesce({detail_zh}, ''), 'detail_en': coalesce({detail_en}, '')}}"
        )

    def sql(self) -> str:
        return "case\n        " + "\n        ".join(self.arms) + "\n    end" if self.arms else "null"


def _shown(col: Column) -> tuple[str, str]:
    t = f"t_{col.name}"
    return f"concat('「', {t}, '」')", f"concat(' \"', {t}, '\"')"


def build_case(kind: Kind) -> str:
    case = _Case()
    cols = kind.columns
    # 1. required values
    for col in cols:
        if col.required and (kind.name, col.name) not in VALUE_OPTIONAL:
            case.add(f"t_{col.name} is null", "missing_value", col)
    # 2. values that do not parse
    for col in cols:
        zh, en = _shown(col)
        present = f"t_{col.name} is not null"
        if col.type in numeric.NUMERIC:
            for problem, code in numeric.PROBLEM_REASON.items():
                if col.type != "tier" or problem != "decimals":
                    case.add(f"{present} and p_{col.name} = {lit(problem)}", code, col, zh, en)
        elif col.type in ("date", "fact_date"):
            case.add(f"{present} and {col.name} is null", "date_invalid", col, zh, en)
        elif col.type == "bool":
            case.add(f"{present} and {col.name} is null", "bool_invalid", col, zh, en)
        elif col.type == "area_type":
            case.add(f"{present} and t_{col.name} not in ('城网', '农网')", "area_type_invalid", col, zh, en)
    # 3. values out of range
    for col in cols:
        zh, en = _shown(col)
        if col.type == "qty":
            case.add(f"{col.name} < 0", "negative_quantity", col, zh, en)
            if col.name in BOUNDS:
                bound = f"${BOUNDS[col.name]}"
                case.add(
                    f"{col.name} > {bound}",
                    "implausible_quantity",
                    col,
                    f"concat('「', t_{col.name}, '」,上限 ', {bound})",
                    f"concat(' \"', t_{col.name}, '\", at most ', {bound})",
                )
        elif col.type == "price":
            case.add(f"{col.name} <= 0", "price_not_positive", col, zh, en)
        elif col.type == "tier":
            case.add(f"t_{col.name} is not null and {col.name} is null", "tier_out_of_range", col, zh, en)
        elif col.type == "fact_date":
            case.add(f"{col.name} > $today::date", "date_in_future", col, zh, en)
    if kind.name == "retailers":
        case.add(
            "closed_on < opened_on",
            "closed_before_opened",
            None,
            "concat(':停业 ', closed_on, ' < 开业 ', opened_on)",
            "concat(': closed ', closed_on, ' < opened ', opened_on)",
        )
    if kind.name == "orders":
        case.add(
            "supplied_qty > demand_qty",
            "supplied_over_demand",
            None,
            "concat(':供货 ', supplied_qty, ' > 需求 ', demand_qty)",
            "concat(': supplied ', supplied_qty, ' > demanded ', demand_qty)",
        )
    if kind.name == "specs":
        case.add(
            "wholesale_price > suggested_retail_price",
            "wholesale_above_retail",
            None,
            "concat(':批发价 ', wholesale_price, ' > 建议零售价 ', suggested_retail_price)",
            "concat(': wholesale ', wholesale_price, ' > suggested ', suggested_retail_price)",
        )
    # 4. references to what the store does not know
    for col in cols:
        if col.ref:
            zh, en = _shown(col)
            case.add(f"not known_{col.name}", REF_REASON[col.ref], col, zh, en)
    if kind.name == "territories":
        col = kind.column("department_code")
        zh, en = _shown(col)
        case.add("department_name is null and not known_department", "unknown_department", col, zh, en)
    # 5. price far from the suggested retail price
    if kind.name == "visits":
        col = kind.column("retail_price")
        case.add(
            "retail_price is not null and ref_suggested is not null and "
            "(retail_price < ref_suggested * $min_ratio or retail_price > ref_suggested * $max_ratio)",
            "price_out_of_range",
            col,
            "concat('「', t_retail_price, '」,建议零售价 ', ref_suggested, ',允许 ', "
            "(ref_suggested * $min_ratio)::decimal(10, 2), '–', (ref_suggested * $max_ratio)::decimal(10, 2))",
            "concat(' \"', t_retail_price, '\", suggested ', ref_suggested, ', allowed ', "
            "(ref_suggested * $min_ratio)::decimal(10, 2), '–', (ref_suggested * $max_ratio)::decimal(10, 2))",
        )
    return case.sql()


def stage(con: duckdb.DuckDBPyConnection, kind: Kind, found: dict[str, int]) -> None:
    """Create temp table `staged`: raw text t_<col>, parsed <col>, reference flags."""
    texts = []
    for col in kind.columns:
        if col.name in found:
            texts.append(f"nullif(trim(c{found[col.name]}, {lit(BLANKS)}), '') as t_{col.name}")
        else:
            texts.append(f"null::varchar as t_{col.name}")
    parsed = [f"{parse_expr(col)} as {col.name}" for col in kind.columns]
    numbers = [c for c in kind.columns if c.type in numeric.NUMERIC]
    norm = "".join(f", {numeric.normalised('t_' + c.name, c.type)} as n_{c.name}" for c in numbers)
    problems = "".join(f", {numeric.problem_sql('t_' + c.name, c.name, c.type)} as p_{c.name}" for c in numbers)
    # dates before the earliest plausible one (a mistyped year, a tiny Excel serial) are invalid
    dates = [c for c in kind.columns if c.type in EARLIEST]
    plausible = (
        "* replace ("
        + ", ".join(f"case when {c.name} >= date '{EARLIEST[c.type]}' then {c.name} end as {c.name}" for c in dates)
        + ")"
        if dates
        else "*"
    )
    joins, flags = [], []
    for col in kind.columns:
        if col.ref:
            key = REF_TABLES[col.ref][0]
            joins.append(
                f"left join (select distinct {key} from {col.ref}) as r_{col.name} on r_{col.name}.{key} = p.{col.name}"
            )
            flags.append(f"r_{col.name}.{key} is not null as known_{col.name}")
    if kind.name == "visits":
        # the suggested price in force on the visit date (prices have history: 调价)
        joins.append("left join spec as ref_spec on ref_spec.spec_code = p.spec_code")
        joins.append(
            "left join spec_price as ref_price on ref_price.spec_code = p.spec_code "
            "and ref_price.valid_from <= p.visit_date and (ref_price.valid_to is null or p.visit_date < ref_price.valid_to)"
        )
        flags.append("coalesce(ref_price.suggested_retail_price, ref_spec.suggested_retail_price) as ref_suggested")
    if kind.name == "territories":
        joins.append(
            "left join (select department_code from department union "
            "select t_department_code from src where t_department_name is not null) as r_dep "
            "on r_dep.department_code = p.department_code"
        )
        flags.append("r_dep.department_code is not null as known_department")
    con.execute(
        f"""
        create or replace temp table staged as
        with
        src as (
            select rownum, {", ".join(texts)} from raw_input
        ),
        normed as (
            select src.*{norm} from src
        ),
        checked as (
            select normed.*{problems} from normed
        ),
        parsed_any as (
            select checked.*, {", ".join(parsed)} from checked
        ),
        parsed as (
            select {plausible} from parsed_any
        )
        select p.* {"".join(", " + f for f in flags)}
        from parsed as p
        {" ".join(joins)}
        """
    )


def judge(
    con: duckdb.DuckDBPyConnection, kind: Kind, *, today, min_ratio: float, max_ratio: float, bounds: dict | None = None
) -> None:
    """Create temp table `verdict(rownum, reason)` from `staged`."""
    case = build_case(kind)
    key = ", ".join(kind.key)
    dup_zh, dup_en = reason_text("duplicate_in_file")
    params = {"today": today, "min_ratio": min_ratio, "max_ratio": max_ratio} | (bounds or BOUND_DEFAULTS)
    sql = f"""
        create or replace temp table verdict as
        with
        judged as (
            select rownum, {key}, {case} as reason
            from staged
        ),
        kept as (
            select rownum, min(rownum) over (partition by {key}) as first_row
            from judged
            where reason is null
        )
        select
            j.rownum,
            case
                when j.reason is not null then j.reason
                when k.first_row < j.rownum then {{
                    'code': 'duplicate_in_file', 'summary_zh': {lit(dup_zh)}, 'summary_en': {lit(dup_en)},
                    'detail_zh': concat(':与第 ', k.first_row, ' 行重复'),
                    'detail_en': concat(': same key as row ', k.first_row)}}
            end as reason,
        from judged as j
        left join kept as k using (rownum)
        """
    used = store.sql_params(sql)
    con.execute(sql, {k: v for k, v in params.items() if k in used})
