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
    cell_formats: dict[tuple[int, str], str] = field(default_factory=dict)  # (row, column) → format over the column's
    wrap_columns: tuple[str, ...] = ()  # long texts (a reason) that wrap instead of running on
    print_rows: int | None = None  # rows printed (the rest stay in the sheet for filtering); None: all
    print_columns: int | None = None  # columns printed, from the first; None: all
    charts: list[Chart] = field(default_factory=list)  # placed under the table, side by side
    footer: str | None = None  # printed bottom left; page numbers go bottom right


@dataclass
class Chart:
    """A native Excel chart of a small table (first column the categories, the others one series
    each), written to the right of the sheet's print area and drawn under its table."""

    kind: str  # column | bar | line
    title: str
    data: pd.DataFrame
    colours: tuple[str, ...] = ()
    number_format: str | None = None  # of the value axis
    y_min: float | None = None
    y_max: float | None = None
    lines: tuple[str, ...] = ()  # series drawn as lines over the columns (a target, a band edge)
    size: tuple[int, int] = (520, 260)  # pixels


# Printed pages: landscape A4 fitted to the width, the header row on every page, narrow margins.
PAPER_A4, CHART_ROW_PIXELS = 9, 20


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot hold time-zone-aware datetimes: drop the zone, keep the wall time."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    return out


# A text cell starting with one of these is read as a formula by spreadsheets (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """Whether a text value would be taken as a formula when a spreadsheet opens it."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that start like a formula get a leading ' (OWASP); numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(lambda v: "'" + v if is_formula_like(v) else v)
    return out


def whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding whole numbers only (cartons, counts: float because a cell may be
    empty) as integers, so a CSV says 40653, not 40653.0; empty cells stay empty."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values.dtype):
            known = values.dropna()
            if len(known) and (known == known.round()).all() and known.abs().max() < 2**53:
                out[column] = values.astype("Int64")
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV with a byte-order mark, so Chinese Excel opens it with the right encoding; no cell is
    a live formula; whole numbers are written without a decimal point."""
    return neutralise(whole_numbers(plain(frame))).to_csv(index=False).encode("utf-8-sig")


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
        self.wrapped = book.add_format({"text_wrap": True, "valign": "top"})
        # a text cell that starts like a formula: shown and kept as text (Excel's own ' prefix, not part of the value)
        self.quoted = book.add_format({"quote_prefix": True})
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
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return max(11, min(48, _chars(column) + 2))  # shown in its format, not its full repr
    texts = [_chars(column) + 2] + [_chars(v) * 1.1 for v in values.head(50)]
    return max(10, min(48, max(texts)))


def _chars(text) -> float:
    """Width of a text in Excel's character units: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1.1 for ch in str(text))


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
            _write_cell(ws, i, j, value, styles.quoted)
    ws.freeze_panes(top + 1, sheet.freeze_columns)
    if sheet.autofilter and len(frame):
        ws.autofilter(top, 0, top + len(frame), len(frame.columns) - 1)
    if sheet.fills and len(frame):
        _colour(ws, styles, frame, sheet, top)
    for (r, column), spec in sheet.cell_formats.items():  # over the column's format: a KPI row in its unit
        v = frame[column].iloc[r] if column in frame and r < len(frame) else None
        if isinstance(v, (int, float, np.integer, np.floating)) and math.isfinite(float(v)):
            ws.write_number(top + 1 + r, frame.columns.get_loc(column), float(v), styles.number(spec))
    for column in sheet.wrap_columns:
        if column in frame:
            j = frame.columns.get_loc(column)
            width = sheet.widths.get(column, 48)
            ws.set_column(j, j, width, styles.wrapped)
            for i, text in enumerate(frame[column].astype(str)):  # rows tall enough for the wrapped lines
                lines = math.ceil(_chars(text) / max(1.0, width - 1))
                if lines > 1:
                    ws.set_row(top + 1 + i, 15 * lines)
    last = top + (len(frame) if sheet.print_rows is None else min(len(frame), sheet.print_rows))
    span = sum(sheet.widths.get(c, _width(c, frame[c])) for c in frame.columns) * 7 + 5  # the table's pixels
    last = _charts(book, ws, sheet, top + len(frame) + 2 if sheet.print_rows is None else last + 2, span, top) or last
    _print_setup(ws, sheet, top, last, min(len(frame.columns), sheet.print_columns or len(frame.columns)) - 1)


def _print_setup(ws, sheet: Sheet, top: int, last_row: int, last_column: int) -> None:
    """Landscape A4, one page wide, the header row repeated, the sheet's name and page numbers in the footer."""
    ws.set_landscape()
    ws.set_paper(PAPER_A4)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.center_horizontally()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top)
    ws.print_area(0, 0, last_row, max(last_column, 0))
    left = (sheet.footer or sheet.title or sheet.name).replace("&", "&&")
    ws.set_footer(f"&L&8{left}&R&8&P / &N")


def _charts(book, ws, sheet: Sheet, row: int, span: float, data_row: int) -> int | None:
    """Each chart's table to the right of the print area from the header row down (so no row is
    added under the sheet's table), the chart at `row` under the table; the last row they cover."""
    if not sheet.charts:
        return None
    column = len(sheet.frame.columns) + 2
    x, height = 0, 0
    fit = (span - 12 * (len(sheet.charts) - 1)) / len(sheet.charts)  # side by side within the table's width
    for chart in sheet.charts:
        data = plain(chart.data)
        for j, name in enumerate(data.columns):
            ws.write_string(data_row, column + j, str(name))
            for i, value in enumerate(data[name], start=data_row + 1):
                _write_cell(ws, i, column + j, value)
        drawn = book.add_chart({"type": chart.kind})
        overlay = book.add_chart({"type": "line"}) if chart.lines else None
        first, last = data_row + 1, data_row + len(data)
        for j, name in enumerate(data.columns[1:], start=1):
            target = overlay if name in chart.lines else drawn
            colour = chart.colours[j - 1] if j - 1 < len(chart.colours) else None
            look = {"line": {"color": colour, "width": 2.0}} if target is overlay or chart.kind == "line" else {}
            target.add_series(
                {
                    "name": [ws.name, data_row, column + j],
                    "categories": [ws.name, first, column, last, column],
                    "values": [ws.name, first, column + j, last, column + j],
                    **({"fill": {"color": colour}, "border": {"none": True}} if colour and not look else {}),
                    **({"line": look["line"] if colour else {"width": 2.0}} if look else {}),
                }
            )
        if overlay is not None:
            drawn.combine(overlay)
        axis = {"min": chart.y_min, "max": chart.y_max, "num_format": chart.number_format}
        axis = {k: v for k, v in axis.items() if v is not None}
        drawn.set_y_axis({**axis, "major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}}})
        drawn.set_title({"name": chart.title, "name_font": {"size": 11, "bold": True}})
        drawn.set_legend({"position": "bottom"})
        width = int(min(chart.size[0], max(240, fit)))
        drawn.set_size({"width": width, "height": chart.size[1]})
        ws.insert_chart(row, 0, drawn, {"x_offset": x, "y_offset": 0, "object_position": 3})
        x += width + 12
        height = max(height, chart.size[1])
        column += len(data.columns) + 1
    return row + height // CHART_ROW_PIXELS + 1


def _write_cell(ws, i: int, j: int, value, quoted=None) -> None:
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
    elif is_formula_like(str(value)):
        ws.write_string(i, j, str(value), quoted)
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
