"""Numbers as typed, read by the import's own SQL (ingest/numeric.py): plain cells take the
short way, the rest the general rules; both give the value as written or say what is wrong."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from marketpulse.ingest import checks
from marketpulse.ingest.contract import KINDS
from marketpulse.store.schema import migrate

VISITS = KINDS["visits"]
FOUND = {"visit_date": 0, "cm_code": 1, "license_no": 2, "spec_code": 3, "stock_qty": 4, "retail_price": 5}


def staged(cells: list[tuple[str | None, str | None]]) -> list[tuple]:
    """(stock text, price text) per row → (stock, stock problem, price, price problem) per row."""
    con = duckdb.connect()
    migrate(con)
    con.execute(
        "create temp table raw_input as select row_number() over () as rownum, '2025-09-01' as c0, 'C1' as c1, "
        "'R1' as c2, 'S1' as c3, s as c4, p as c5 from (select unnest($s::varchar[]) as s, unnest($p::varchar[]) as p)",
        {"s": [c[0] for c in cells], "p": [c[1] for c in cells]},
    )
    checks.stage(con, VISITS, FOUND)
    return con.execute(
        "select stock_qty, p_stock_qty, retail_price, p_retail_price from staged order by rownum"
    ).fetchall()


D = Decimal


@pytest.mark.parametrize(
    "stock, price, expected",
    [
        # plain cells: the value as written
        ("12", "139.00", (D("12.00"), None, D("139.00"), None)),
        ("007", "450.5", (D("7.00"), None, D("450.50"), None)),
        ("12.", "0", (D("12.00"), None, D("0.00"), None)),
        # the last value of each range (quantities < 10¹⁰, prices < 10⁸) and one past it
        ("9999999999.99", "99999999.99", (D("9999999999.99"), None, D("99999999.99"), None)),
        ("10000000000", "100000000", (None, "nan", None, "nan")),
        # decimals: trailing zeros are fine, a third decimal is not
        ("12.340", "450.000", (D("12.34"), None, D("450.00"), None)),
        ("12.345", "450.005", (None, "decimals", None, "decimals")),
        # typed the way people type: full-width, currency, unit, thousands, sign, exponent
        ("１２条", "¥450元/条", (D("12.00"), None, D("450.00"), None)),
        ("1,200", "1,450.00", (D("1200.00"), None, D("1450.00"), None)),
        ("-5", "+450", (D("-5.00"), None, D("450.00"), None)),
        ("1.2e1", ".5", (D("12.00"), None, D("0.50"), None)),
        ("1,5", "四百五", (None, "ambiguous", None, "nan")),
        (None, None, (None, None, None, None)),
    ],
)
def test_a_number_is_read_as_written_or_held_back_with_its_problem(stock, price, expected):
    assert staged([(stock, price)]) == [expected]
