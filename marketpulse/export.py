"""The one Excel and CSV writer: every download, the 周报 and the supply workbook use it.

A leaf module (pandas and xlsxwriter only): callers hand it frames with the headers they
want shown, and say which columns get which number format and which cell words a colour.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xlsxwriter

HEADER_COLOUR = "#1F5FA8"
FORMAT_INTEGER, FORMAT_ONE, FORMAT_TWO, FORMAT_DATE = "#,##0", "#,##0.0", "0.00", "yyyy-mm-dd"


@dataclass
class Sheet:
    """One worksheet: a frame under an optional title and subtitle, header row styled."""

    name: str
    frame: pd.DataFrame
    title: str | None = None
    subtitle: str | None = None
    number_formats: dict[str, str] = field(default_factory=dict)  # column → Excel format; else by dtype
    widths: dict[str, float] = field(default_factory=dict)  # column → width; else from the texts
    fills: dict[str, str] = field(default_factory=dict)  # cell word → background colour
    fill_columns: tuple[str, ...] | None = None  # where fills apply (None: any column all of whose words are in fills)
    freeze_columns: int = 0
    autofilter: bool = True


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot hold time-zone-aware datetimes: drop the zone, keep the wall time."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV with a byte-order mark, so Chinese Excel opens it with the right encoding."""
    return plain(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(sheets: list[Sheet] | dict[str, pd.DataFrame]) -> bytes:
    """Frames as one workbook, a sheet each (a dict is taken as name → frame)."""
    if isinstance(sheets, dict):
        sheets = [Sheet(name, frame) for name, frame in sheets.items()]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    styles = _Styles(book)
    for sheet in sheets:
        _write_sheet(book, styles, sheet)
    book.close()
    return buffer.getvalue()


class _Styles:
    """Formats are per workbook in xlsxwriter: made once, shared by its sheets."""

    def __init__(self, book):
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.subtitle = book.add_format({"italic": True, "font_color": "#666666"})
        self.header = book.add_format(
            {
                "bold": True,
                "bg_color": HEADER_COLOUR,
                "font_color": "#FFFFFF",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        self._numbers: dict[str, object] = {}
        self._fills: dict[str, object] = {}

    def number(self, spec: str | None):
        if spec is None:
            return None
        if spec not in self._numbers:
            self._numbers[spec] = self.book.add_format({"num_format": spec})
        return self._numbers[spec]

    def fill(self, colour: str):
        if colour not in self._fills:
            self._fills[colour] = self.book.add_format({"bg_color": colour, "font_color": "#FFFFFF"})
        return self._fills[colour]


def default_number_format(column: pd.Series) -> str | None:
    """Whole numbers with separators, large decimals too, small ones with two digits."""
    if pd.api.types.is_bool_dtype(column):
        return None
    if pd.api.types.is_integer_dtype(column):
        return FORMAT_INTEGER
    if pd.api.types.is_float_dtype(column):
        big = column.abs().max()
        if pd.isna(big):
            return FORMAT_ONE
        return FORMAT_INTEGER if big >= 1000 else FORMAT_TWO if big < 10 else FORMAT_ONE
    if pd.api.types.is_datetime64_any_dtype(column):
        return FORMAT_DATE
    values = column.dropna()
    if column.dtype == object and len(values) and all(isinstance(v, dt.date) for v in values):
        return FORMAT_DATE  # date objects keep object dtype, yet Excel must show them as dates
    return None


def _width(column: str, values: pd.Series) -> float:
    texts = [len(str(column)) * 2] + [len(str(v)) * 1.6 for v in values.head(50)]
    return max(10, min(48, max(texts)))


def _write_sheet(book, styles: _Styles, sheet: Sheet) -> None:
    frame = plain(sheet.frame)
    ws = book.add_worksheet(sheet.name[:31])
    top = 0
    if sheet.title:
        ws.write_string(0, 0, sheet.title, styles.title)
        top = 1
    if sheet.subtitle:
        ws.write_string(top, 0, sheet.subtitle, styles.subtitle)
        top += 1
    if sheet.title or sheet.subtitle:
        top = max(top, 2)
    for j, column in enumerate(frame.columns):
        ws.write_string(top, j, str(column), styles.header)
        spec = sheet.number_formats.get(column, default_number_format(frame[column]))
        ws.set_column(j, j, sheet.widths.get(column, _width(column, frame[column])), styles.number(spec))
    for i, row in enumerate(frame.itertuples(index=False), start=top + 1):
        for j, value in enumerate(row):
            _write_cell(ws, i, j, value)
    ws.freeze_panes(top + 1, sheet.freeze_columns)
    if sheet.autofilter and len(frame):
        ws.autofilter(top, 0, top + len(frame), len(frame.columns) - 1)
    if sheet.fills and len(frame):
        _colour(ws, styles, frame, sheet, top)


def _write_cell(ws, i: int, j: int, value) -> None:
    if value is None or value is pd.NA or value is pd.NaT:
        ws.write_blank(i, j, None)
    elif isinstance(value, (bool, np.bool_)):
        ws.write_boolean(i, j, bool(value))
    elif isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        if math.isnan(v) or math.isinf(v):
            ws.write_blank(i, j, None)
        else:
            ws.write_number(i, j, v)
    elif isinstance(value, (pd.Timestamp,)) or hasattr(value, "isoformat") and hasattr(value, "year"):
        ws.write_datetime(i, j, pd.Timestamp(value).to_pydatetime())
    elif isinstance(value, (list, tuple, np.ndarray)):
        ws.write_string(i, j, ", ".join(str(v) for v in value))
    else:
        ws.write_string(i, j, str(value))


def _colour(ws, styles: _Styles, frame: pd.DataFrame, sheet: Sheet, top: int) -> None:
    """Conditional colours on the cells whose text is one of the sheet's fill words."""
    last = top + len(frame)
    for j, column in enumerate(frame.columns):
        words = set(frame[column].dropna().astype(str))
        wanted = (
            column in sheet.fill_columns if sheet.fill_columns is not None else (words and words <= set(sheet.fills))
        )
        if not wanted:
            continue
        for word in sorted(words & set(sheet.fills)):
            ws.conditional_format(
                top + 1,
                j,
                last,
                j,
                {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": styles.fill(sheet.fills[word])},
            )
