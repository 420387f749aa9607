"""`python -I sheet_worker.py BOOK OUTDIR`: a workbook's sheets as CSV files.

Runs as a child process under a memory limit, so a workbook that makes the reader
allocate without bound (a cell at XFD1048576, a zip bomb) ends this process, never the
dashboard or the command that started it. Before a sheet is read, its declared dimension
(`<dimension ref=…>`) and the workbook's unpacked size are checked. Writes OUTDIR/meta.json:
every sheet with its state (read, hidden, not a worksheet) and, for each sheet read, a
UTF-8 CSV of its non-blank rows with every cell as the text a user typed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import resource
import sys
import zipfile
from pathlib import Path, PurePosixPath

import python_calamine as calamine

MEMORY_LIMIT = 3 << 30  # address space of this process
MAX_CELLS = 20_000_000  # declared rows × columns of one sheet
MAX_UNPACKED = 2 << 30  # bytes of the workbook's parts once unzipped
_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb"<Relationship\b[^>]*>")
_ATTR = re.compile(rb'\b(Id|Target)="([^"]*)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _unescape(name: bytes) -> str:
    text = name.decode("utf-8", "replace")
    for entity, ch in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, ch)
    return text


def declared_dimensions(path: str) -> tuple[dict[str, tuple[int, int]], int]:
    """Sheet name → (rows, columns) as the workbook declares them, and the unpacked size."""
    dims: dict[str, tuple[int, int]] = {}
    if not zipfile.is_zipfile(path):
        return dims, 0
    with zipfile.ZipFile(path) as book:
        unpacked = sum(i.file_size for i in book.infolist())
        names = set(book.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return dims, unpacked
        targets = {}
        for rel in _REL.findall(book.read("xl/_rels/workbook.xml.rels")):
            attrs = dict(_ATTR.findall(rel))
            if b"Id" in attrs and b"Target" in attrs:
                target = attrs[b"Target"].decode()
                full = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                targets[attrs[b"Id"]] = full
        for name, rid in _SHEET.findall(book.read("xl/workbook.xml")):
            part = targets.get(rid)
            if part not in names:
                continue
            with book.open(part) as fh:
                head = fh.read(65536)
            m = _DIMENSION.search(head)
            if m and m.group(3):
                rows = int(m.group(4)) - int(m.group(2) or 1) + 1
                cols = _column_number(m.group(3).decode()) - _column_number((m.group(1) or b"A").decode()) + 1
                dims[_unescape(name)] = (max(rows, 1), max(cols, 1))
    return dims, unpacked


def cell_text(v) -> str:
    """A cell as the text a user typed: 12.0 → "12", a date cell → "2025-09-01", empty → ""."""
    if type(v) is str:
        return v
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d") if (v.hour, v.minute, v.second) == (0, 0, 0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return str(v)


def run(src: str, out: Path) -> dict:
    """Read every sheet of `src` into `out`; the meta data written to meta.json."""
    dims, unpacked = declared_dimensions(src)
    if unpacked > MAX_UNPACKED:
        return {"error": "unpacked", "size": unpacked}
    try:
        book = calamine.CalamineWorkbook.from_path(src)
    except Exception as exc:  # calamine raises its own types for files that are no workbook
        return {"error": "unreadable", "detail": str(exc)}
    sheets = []
    for i, md in enumerate(book.sheets_metadata):
        entry = {"name": md.name, "state": "read"}
        sheets.append(entry)
        if md.visible != calamine.SheetVisibleEnum.Visible:
            entry["state"] = "hidden"
            continue
        if md.typ != calamine.SheetTypeEnum.WorkSheet:
            entry["state"] = "not_a_sheet"
            continue
        rows, cols = dims.get(md.name, (0, 0))
        if rows * cols > MAX_CELLS:
            return {"error": "dimension", "sheet": md.name, "rows": rows, "columns": cols, "max_cells": MAX_CELLS}
        try:
            sheet = book.get_sheet_by_name(md.name)
        except Exception as exc:
            return {"error": "unreadable", "detail": f"{md.name}: {exc}"}
        if sheet.height * sheet.width > MAX_CELLS:
            return {
                "error": "dimension",
                "sheet": md.name,
                "rows": sheet.height,
                "columns": sheet.width,
                "max_cells": MAX_CELLS,
            }
        entry["csv"] = f"sheet{i}.csv"
        entry["rows"] = 0
        with open(out / entry["csv"], "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
            for row in sheet.iter_rows():
                texts = [cell_text(v) for v in row]
                if any(t.strip() for t in texts):
                    writer.writerow(texts)
                    entry["rows"] += 1
    return {"sheets": sheets}


def main(argv: list[str]) -> int:
    src, out = argv
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    meta = run(src, Path(out))
    (Path(out) / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
