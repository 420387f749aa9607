"""Workbooks (XLSX, XLS, ODS): every sheet read in a child process, then as CSV text.

The child (ingest/sheet_worker.py) runs under a memory and time limit and writes each
visible worksheet as a UTF-8 CSV; a crash or a refusal there becomes a clear refusal
here. Hidden sheets and non-worksheets are listed as skipped with their reason.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from marketpulse.errors import ImportRefused
from marketpulse.ingest import csvfile

logger = logging.getLogger(__name__)

TIME_LIMIT = 600  # seconds for the child to read one workbook
WORKER = Path(__file__).with_name("sheet_worker.py")  # run as a script: it needs only the stdlib and calamine


@dataclass(frozen=True)
class Skipped:
    """A sheet that was not imported, and why (zh, en)."""

    sheet: str
    zh: str
    en: str


SKIP_REASONS = {
    "hidden": ("隐藏的工作表,未导入", "hidden sheet, not imported"),
    "not_a_sheet": ("不是数据工作表(图表或宏表),未导入", "not a data sheet (chart or macro sheet), not imported"),
    "empty": ("空工作表", "empty sheet"),
    "unknown_header": ("表头不符合任何导入格式,未导入", "header matches no import format, not imported"),
    "other_kind": ("表头不符合所选的文件类型,未导入", "header does not match the chosen kind, not imported"),
}


def skipped(sheet: str, reason: str) -> Skipped:
    zh, en = SKIP_REASONS[reason]
    return Skipped(sheet, zh, en)


def _refusal(meta: dict, file_name: str) -> ImportRefused:
    error = meta["error"]
    if error == "dimension":
        return ImportRefused(
            f"文件 {file_name} 的工作表「{meta['sheet']}」声明的范围过大({meta['rows']:,} 行 × {meta['columns']:,} 列,"
            f"上限 {meta['max_cells']:,} 个单元格),可能是误填了远处的单元格;请删除多余的行列后重新保存。 / "
            f"Sheet '{meta['sheet']}' of {file_name} declares an absurd size ({meta['rows']:,} rows × "
            f"{meta['columns']:,} columns, limit {meta['max_cells']:,} cells), perhaps a stray far-away cell; "
            f"delete the extra rows and columns and save it again."
        )
    if error == "unpacked":
        return ImportRefused(
            f"文件 {file_name} 解压后过大({meta['size']:,} 字节),拒绝读取。 / "
            f"File {file_name} unpacks to {meta['size']:,} bytes, too large to read."
        )
    return ImportRefused(
        f"文件 {file_name} 不是可读取的 XLSX 工作簿:{meta.get('detail', '')} / "
        f"File {file_name} is not a readable XLSX workbook: {meta.get('detail', '')}"
    )


def read_workbook(src: Path, file_name: str, tmp: Path) -> tuple[list[csvfile.RawFile], list[Skipped]]:
    """Every visible, non-empty worksheet of `src` as a RawFile, and the sheets skipped."""
    out = tmp / "sheets"
    out.mkdir()
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(WORKER), str(src), str(out)],
            capture_output=True,
            timeout=TIME_LIMIT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ImportRefused(
            f"读取工作簿 {file_name} 超时({TIME_LIMIT} 秒)。 / Reading workbook {file_name} timed out ({TIME_LIMIT} s)."
        ) from None
    meta_path = out / "meta.json"
    if done.returncode != 0 or not meta_path.exists():
        logger.warning("sheet reader for %s ended with %s: %s", file_name, done.returncode, done.stderr[-300:])
        raise ImportRefused(
            f"无法读取工作簿 {file_name}:读取时超出内存限制或文件已损坏(可能含有误填在极远处的单元格)。 / "
            f"Cannot read workbook {file_name}: reading it exceeded the memory limit or the file is damaged "
            f"(perhaps a stray cell far away)."
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if "error" in meta:
        raise _refusal(meta, file_name)
    parts, skips = [], []
    for i, entry in enumerate(meta["sheets"]):
        if entry["state"] != "read":
            skips.append(skipped(entry["name"], entry["state"]))
            continue
        if not entry["rows"]:
            skips.append(skipped(entry["name"], "empty"))
            continue
        with open(out / entry["csv"], "rb") as fh:
            part = csvfile.read_csv(
                fh, file_name, "utf-8", tmp / f"sheet{i}.parquet", ",", sheet=entry["name"], utf8=out / entry["csv"]
            )
        part.encoding = "xlsx"
        parts.append(part)
    return parts, skips
