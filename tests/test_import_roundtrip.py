"""Property: valid rows with awkward text, written as CSV (UTF-8 or GB18030, any delimiter
and line end) or as XLSX, come back from the store exactly as they were written."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from marketpulse import ingest

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2025, 12, 31)
HEADER = ["visit_date", "cm_code", "license_no", "spec_code", "stock_qty", "retail_price", "on_shelf", "notes"]
AWKWARD = list("\"',#;|\t\n =+-@0") + ["😀", "𠀀", "䶮", "€", "好", "卖", "·", "　", "Ａ", "x", "7"]
BLANKS = " \t\r\n\u3000\u00a0"

texts = st.lists(st.sampled_from(AWKWARD), min_size=0, max_size=12).map("".join).map(lambda t: t.strip(BLANKS) or None)
leading_zeros = st.integers(0, 999).map(lambda n: f"00{n}")
quantities = st.integers(0, 999_999).map(lambda n: Decimal(n) / 100)
rows_of = st.lists(st.tuples(quantities, st.one_of(texts, leading_zeros)), min_size=1, max_size=8)


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "store.duckdb"
    for name in ["territories.csv", "customer_managers.csv", "retailers.csv", "specs.csv"]:
        ingest.import_file(DATA / name, db=path, today=TODAY)
    return path


def record(i: int, stock: Decimal, notes: str | None) -> list:
    return [(dt.date(2025, 1, 1) + dt.timedelta(days=i)).isoformat(), "C1", "R1", "S1", stock, "450", "是", notes]


def field(value, delimiter: str) -> str:
    """One RFC 4180 field: quoted (quotes doubled) where it holds the delimiter, a quote or a line break."""
    text = "" if value is None else str(value)
    if any(c in text for c in (delimiter, '"', "\r", "\n")):
        return '"' + text.replace('"', '""') + '"'
    return text


def as_csv(rows, encoding: str, delimiter: str, line_end: str) -> bytes:
    lines = [HEADER] + [record(i, stock, notes) for i, (stock, notes) in enumerate(rows)]
    text = "".join(delimiter.join(field(v, delimiter) for v in line) + line_end for line in lines)
    return text.encode(encoding)


def as_xlsx(rows) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("拜访")
    sheet.write_row(0, 0, HEADER)
    for i, (stock, notes) in enumerate(rows, start=1):
        values = record(i - 1, stock, notes)
        for j, value in enumerate(values):
            if isinstance(value, Decimal):
                sheet.write_number(i, j, float(value))
            elif value is not None:
                sheet.write_string(i, j, value)
    book.close()
    return buf.getvalue()


def check(reference_store, tmp_path, rows, data: bytes, name: str) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copyfile(reference_store, db)
    summary = ingest.import_bytes(data, name, db=db, today=TODAY)
    assert (summary.rows_read, summary.rows_quarantined) == (len(rows), 0), summary.text("en")
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute("select stock_qty, notes from visit_line order by visit_date").fetchall()
    assert got == list(rows)


COMMON = settings(
    max_examples=25,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@COMMON
@given(
    rows=rows_of,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    line_end=st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_csv_rows_come_back_identical(reference_store, tmp_path, rows, encoding, delimiter, line_end):
    check(reference_store, tmp_path, rows, as_csv(rows, encoding, delimiter, line_end), "v.csv")


@COMMON
@given(rows=rows_of)
def test_xlsx_rows_come_back_identical(reference_store, tmp_path, rows):
    check(reference_store, tmp_path, rows, as_xlsx(rows), "v.xlsx")
