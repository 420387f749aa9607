"""Numbers as people type them, parsed in SQL without guessing and without rounding.

Accepted: full-width digits (１２), a sign, a decimal point, valid thousands groups
(`1,200`, `12,000.5`), a leading ¥/￥, the column's unit after the number (`12条`,
`450元`, `450元/条`) and scientific notation. Held back: commas that are no thousands
groups (`1,5`, `4,50`, `1,2,3` — a decimal comma or a list, we cannot tell), more
decimals than the column keeps (`12.345` for a column of 2 decimals; trailing zeros are
fine), and values beyond the column's range. A value is stored exactly as written.
"""

from __future__ import annotations

# column type → (store type, decimals kept, largest magnitude, units allowed after the number)
NUMERIC = {
    "qty": ("decimal(12, 2)", 2, 10**10, ("条",)),
    "price": ("decimal(10, 2)", 2, 10**8, ("元/条", "元")),
    "tier": ("decimal(12, 2)", 2, 10**10, ("档",)),
}
# problem codes a number can have (null: none) and the reason each one gives
PROBLEM_REASON = {"ambiguous": "ambiguous_number", "nan": "not_a_number", "decimals": "too_many_decimals"}

_FULL = "'０１２３４５６７８９．－＋，'", "'0123456789.-+,'"
_GROUPED = r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?"
_PLAIN = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"


def _simple(type_: str) -> str:
    """The pattern of text that is already a valid value of the type as written (`12`, `139.00`):
    digits within the range, decimals within the scale. Most cells are; one match settles them,
    where the general rules below take a dozen string functions."""
    _, scale, limit, _ = NUMERIC[type_]
    return f"[0-9]{{1,{len(str(limit)) - 1}}}(\\.[0-9]{{0,{scale}}})?"


def normalised(t: str, type_: str) -> str:
    """The text with full-width digits made plain, currency sign and unit removed."""
    units = "|".join(NUMERIC[type_][3])
    n = f"translate({t}, {_FULL[0]}, {_FULL[1]})"
    general = f"trim(regexp_replace(regexp_replace({n}, '^[¥￥]\\s*', ''), '\\s*({units})$', ''))"
    return f"case when regexp_full_match({t}, '{_simple(type_)}') then {t} else {general} end"


def problem_sql(t: str, name: str, type_: str) -> str:
    """The problem code of text column `t` (null: none), over a query that has `n_<name>` (see `normalised`)."""
    _, scale, limit, _ = NUMERIC[type_]
    n = f"n_{name}"
    plain = f"case when regexp_full_match({n}, '{_GROUPED}') then replace({n}, ',', '') else {n} end"
    exact = f"try_cast({plain} as decimal(38, 12))"
    frac = f"length(regexp_extract({plain}, '\\.([0-9]*?)0*$', 1))"
    problem = (
        f"case when {t} is null then null "
        f"when regexp_full_match({n}, '{_simple(type_)}') then null "
        f"when contains({n}, ',') and not regexp_full_match({n}, '{_GROUPED}') then 'ambiguous' "
        f"when not regexp_full_match({plain}, '{_PLAIN}') or {exact} is null then 'nan' "
        f"when abs({exact}) >= {limit} then 'nan' "
        f"when contains(lower({plain}), 'e') and {exact} <> round({exact}, {scale}) then 'decimals' "
        f"when not contains(lower({plain}), 'e') and {frac} > {scale} then 'decimals' end"
    )
    return problem


def value_sql(t: str, name: str, type_: str) -> str:
    """The exact value of text column `t` in the column's store type, where `p_<name>` found no problem."""
    n = f"n_{name}"
    plain = f"case when regexp_full_match({n}, '{_GROUPED}') then replace({n}, ',', '') else {n} end"
    store_type = NUMERIC[type_][0]
    value = f"case when regexp_full_match({n}, '{_simple(type_)}') then cast({n} as {store_type}) else try_cast({plain} as {store_type}) end"
    return f"case when {t} is not null and p_{name} is null then {value} end"
