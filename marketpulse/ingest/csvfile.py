"""The one CSV dialect we read: RFC 4180, streamed into a Parquet file of text columns.

Dialect: fields quoted with `"` (a quote inside a quoted field is doubled, `""`), no
comment character (`#` is text like any other), line ends CRLF, LF or CR (also mixed),
the delimiter recognised from the header line among `,` `;` tab `|` (the one found most
often outside quotes; a comma when there is none) or given. Every field arrives as typed
(an empty field as null). A record whose field count differs from the header's is not
shifted into other columns: it is kept aside with its line number to be held back.
Records with only blank fields are not rows.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from marketpulse.errors import ImportRefused

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "逗号/comma", ";": "分号/semicolon", "\t": "制表符/tab", "|": "竖线/pipe"}
BATCH = 65536
FIELD_LIMIT = 1 << 20  # one field of more than 1 MiB is no contract value: refuse the file
_QUOTED = re.compile(r'"(?:[^"]|"")*"?')

csv.field_size_limit(FIELD_LIMIT)


@dataclass
class Misfit:
    """A record whose field count differs from the header's."""

    rownum: int
    line: int
    fields: list[str | None]


@dataclass
class RawFile:
    """One table read as text: headers, and Parquet file `path` with rownum, c0 … cN (varchar)."""

    file_name: str
    headers: list[str]
    path: Path
    rows: int  # data rows, the misfits included
    encoding: str  # utf-8, utf-8-sig, utf-16, gb18030 or xlsx
    delimiter: str = ","
    misfits: list[Misfit] = field(default_factory=list)
    sheet: str | None = None  # the worksheet, for a workbook


def sniff_delimiter(header_line: str) -> str:
    """The delimiter found most often in the header line outside quotes (ties: the earlier in DELIMITERS)."""
    bare = _QUOTED.sub("", header_line)
    counts = [(bare.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] else ","


def unique_headers(raw: list) -> list[str]:
    """Header texts made unique; a blank header is named after its position."""
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


def _refuse_csv(file_name: str, line: int, exc: Exception) -> ImportRefused:
    return ImportRefused(
        f"无法按 CSV 读取文件 {file_name}(第 {line} 行):{exc} / Cannot read {file_name} as CSV (line {line}): {exc}"
    )


def _batch(rownums, records: list[list[str]], schema: pa.Schema) -> pa.Table:
    """Records of the header's width as one Arrow table; an empty field becomes null."""
    width = len(schema) - 1
    flat = pa.array(list(itertools.chain.from_iterable(records)), pa.string())
    flat = pc.if_else(pc.equal(flat, ""), pa.scalar(None, pa.string()), flat)
    arrays = [pa.array(rownums, pa.int32())]
    arrays += [flat.take(np.arange(j, len(flat), width)) for j in range(width)] if records else []
    if not records:
        arrays += [pa.array([], pa.string()) for _ in range(width)]
    return pa.table(arrays, schema=schema)


def _duck(utf8: Path, delimiter: str, width: int, out: Path) -> int | None:
    """Parse a UTF-8 file in the dialect with DuckDB's reader (fast, strict); the data rows, or None
    if any record breaks the dialect's strict form (another width, mixed line ends…): then the
    record-by-record parser takes over and says which line."""
    names = [f"c{i}" for i in range(width)]
    columns = "{" + ", ".join(f"'{n}': 'varchar'" for n in names) + "}"
    blank = " and ".join(f"{n} is null" for n in names)
    config = {"memory_limit": "1GB", "temp_directory": str(out.parent / "spill"), "threads": 2}
    try:
        with duckdb.connect(":memory:", config=config) as con:
            con.execute(
                f"""
                create table raw as select * from read_csv($p, auto_detect = false, header = false,
                    delim = '{delimiter}', quote = '"', escape = '"', comment = '', columns = {columns},
                    strict_mode = true, null_padding = false, max_line_size = {FIELD_LIMIT})
                """,
                {"p": str(utf8)},
            )
            blanks = con.execute(f"select count(*) from raw where rowid > 0 and {blank}").fetchone()[0]
            # without blank rows the row number is the position; otherwise count the rows before
            rownum = "rowid::integer" if not blanks else "(row_number() over (order by rowid))::integer"
            con.execute(
                f"""
                copy (
                    select {rownum} as rownum, {", ".join(names)}
                    from raw where rowid > 0 and not ({blank})
                    order by rowid
                ) to '{out}' (format parquet, compression uncompressed)
                """
            )
            return con.execute("select count(*) - 1 - $b from raw", {"b": blanks}).fetchone()[0]
    except duckdb.Error:
        return None


def _slow(reader, schema: pa.Schema, writer: pq.ParquetWriter) -> tuple[int, list[Misfit]]:
    """Record by record, keeping aside (with its line number) each record of another width."""
    width, rownum, misfits = len(schema) - 1, 0, []
    rownums: list[int] = []
    records: list[list[str]] = []
    for record in reader:
        if not any(record):
            continue  # a blank line, or only delimiters: no row
        rownum += 1
        if len(record) != width:
            misfits.append(Misfit(rownum, reader.line_num, [f or None for f in record]))
            continue
        rownums.append(rownum)
        records.append(record)
        if len(records) >= BATCH:
            writer.write_table(_batch(rownums, records, schema))
            rownums, records = [], []
    writer.write_table(_batch(rownums, records, schema))
    return rownum, misfits


def read_csv(
    fh: BinaryIO,
    file_name: str,
    encoding: str,
    out: Path,
    delimiter: str | None = None,
    sheet: str | None = None,
    utf8: Path | None = None,
) -> RawFile:
    """Stream a CSV (bytes in `encoding`) into Parquet file `out`; ImportRefused if it has no header.

    `utf8` is the same text as a UTF-8 file, for DuckDB's reader to parse the regular case fast.
    """
    fh.seek(0)
    text = io.TextIOWrapper(fh, encoding=encoding, errors="strict", newline="")
    try:
        lines = iter(text)
        first = next((ln for ln in lines if ln.strip(" \t\r\n\ufeff")), None)
        if first is None:
            raise ImportRefused(f"文件 {file_name} 是空的。 / File {file_name} is empty.")
        delimiter = delimiter or sniff_delimiter(first)
        reader = csv.reader(
            itertools.chain([first], lines), delimiter=delimiter, quotechar='"', doublequote=True, strict=False
        )
        headers = unique_headers(next(reader))
        rownum = _duck(utf8, delimiter, len(headers), out) if utf8 is not None else None
        misfits: list[Misfit] = []
        if rownum is None:
            schema = pa.schema([("rownum", pa.int32())] + [(f"c{i}", pa.string()) for i in range(len(headers))])
            with pq.ParquetWriter(out, schema, compression="none") as writer:
                rownum, misfits = _slow(reader, schema, writer)
    except csv.Error as exc:
        raise _refuse_csv(file_name, reader.line_num, exc) from None
    except UnicodeDecodeError as exc:  # decode.detect() checked the file; it changed since
        raise ImportRefused(f"文件 {file_name} 读取时编码出错:{exc} / Decoding {file_name} failed: {exc}") from None
    finally:
        text.detach()
    return RawFile(file_name, headers, out, rownum, encoding, delimiter, misfits, sheet)
