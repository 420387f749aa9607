"""The import reader as it was before the one-dialect reader: kept only to be measured against.

A copy of marketpulse/ingest/read.py before CSVs were read in one documented dialect and
workbooks in a child process; bench/import_throughput.py runs it side by side with today's.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from marketpulse.errors import ImportRefused
from marketpulse.ingest.contract import detect_kind

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class RawFile:
    """A file read as text: its headers and a table rownum, c0 … cN (all varchar)."""

    file_name: str
    headers: list[str]
    table: pa.Table
    encoding: str  # utf-8, utf-8-sig, utf-16, gb18030 or xlsx

    @property
    def rows(self) -> int:
        return self.table.num_rows


def refuse(zh: str, en: str) -> ImportRefused:
    return ImportRefused(f"{zh} / {en}")


def read(data: bytes, file_name: str) -> RawFile:
    """Decode `data` into a RawFile; raise ImportRefused if it cannot be read at all."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise refuse(f"文件 {file_name} 是空的。", f"File {file_name} is empty.")
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        return _read_workbook(data, file_name)
    text, encoding = _decode(data, file_name)
    return _read_csv_text(text, file_name, encoding)


def _decode(data: bytes, file_name: str) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:65536]:
        raise refuse(
            f"文件 {file_name} 不是 CSV 或 XLSX 文件(看起来是二进制文件)。",
            f"File {file_name} is not a CSV or XLSX file (it looks binary).",
        )
    try:
        return data.decode("utf-8-sig"), ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise refuse(
            f"文件 {file_name} 的编码无法识别:应为 UTF-8 或 GB18030/GBK 编码的 CSV。",
            f"Cannot decode {file_name}: expected a CSV in UTF-8 or GB18030/GBK.",
        ) from None


def _read_csv_text(text: str, file_name: str, encoding: str) -> RawFile:
    fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="marketpulse-import-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        con = duckdb.connect(":memory:")
        try:
            con.execute(
                "create table raw as select * from read_csv($p, header = false, all_varchar = true, "
                "null_padding = true, strict_mode = false, parallel = false)",
                {"p": tmp},
            )
            table = con.sql("select rowid::integer as rownum, * from raw").to_arrow_table()
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise refuse(
                f"无法按 CSV 读取文件 {file_name}:{first}",
                f"Cannot read {file_name} as CSV: {first}",
            ) from None
        finally:
            con.close()
    finally:
        os.unlink(tmp)
    return _split_header(table, file_name, encoding)


def _split_header(table: pa.Table, file_name: str, encoding: str) -> RawFile:
    if table.num_rows == 0:
        raise refuse(f"文件 {file_name} 是空的。", f"File {file_name} is empty.")
    values = table.slice(0, 1).to_pylist()[0]
    cols = [n for n in table.column_names if n != "rownum"]
    headers = _unique_headers([values[c] for c in cols])
    body = table.slice(1)
    body = pa.table(
        [body.column("rownum")] + [body.column(c).cast(pa.string()) for c in cols],
        names=["rownum"] + [f"c{i}" for i in range(len(cols))],
    )
    return RawFile(file_name, headers, body, encoding)


def _unique_headers(raw: list) -> list[str]:
    headers, seen = [], {}
    for i, h in enumerate(raw):
        name = str(h).strip().replace("\ufeff", "") if h is not None and str(h).strip() else f"列{i + 1}/column{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}({seen[name]})"
        else:
            seen[name] = 1
        headers.append(name)
    return headers


# ── workbooks ─────────────────────────────────────────────────────────────────


def _read_workbook(data: bytes, file_name: str) -> RawFile:
    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, dtype=object, engine="calamine")
    except Exception as exc:  # calamine raises its own types for zip files that are no workbook
        raise refuse(
            f"文件 {file_name} 不是可读取的 XLSX 工作簿:{exc}",
            f"File {file_name} is not a readable XLSX workbook: {exc}",
        ) from None
    first_error = None
    for frame in sheets.values():
        frame = frame.dropna(how="all")
        if frame.empty:
            continue
        text = [_cell_text(frame[col]) for col in frame.columns]
        headers = _unique_headers([column[0] for column in text])
        if detect_kind(headers) is None and first_error is None:
            first_error = headers
            continue
        return _frame_to_raw(text, headers, file_name)
    if first_error is not None:  # no sheet has a known header: report the first one
        frame = next(f.dropna(how="all") for f in sheets.values() if not f.dropna(how="all").empty)
        return _frame_to_raw([_cell_text(frame[col]) for col in frame.columns], first_error, file_name)
    raise refuse(f"文件 {file_name} 是空的(工作簿没有数据)。", f"File {file_name} is empty (the workbook has no data).")


def _frame_to_raw(columns: list[list[str | None]], headers: list[str], file_name: str) -> RawFile:
    n = len(columns[0]) - 1
    arrays = [pa.array(range(1, n + 1), type=pa.int32())]
    arrays += [pa.array(column[1:], type=pa.string()) for column in columns]
    table = pa.table(arrays, names=["rownum"] + [f"c{i}" for i in range(len(columns))])
    return RawFile(file_name, headers, table, "xlsx")


def _cell_text(series: pd.Series) -> list[str | None]:
    """Workbook cells as the text a user typed: 12.0 → "12", a date cell → "2025-09-01"."""

    def one(v):
        if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
        if isinstance(v, (pd.Timestamp, dt.datetime)):
            return (
                v.strftime("%Y-%m-%d") if (v.hour, v.minute, v.second) == (0, 0, 0) else v.strftime("%Y-%m-%d %H:%M:%S")
            )
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, dt.timedelta):  # a time-only cell
            return str(v)
        return str(v)

    return [one(v) for v in series.tolist()]
