"""Read an import file into tables of text columns, or refuse it whole.

A CSV is decoded on evidence (ingest/decode.py) and parsed in the one documented dialect
(ingest/csvfile.py); a workbook has every visible sheet read in a child process
(ingest/workbook.py). Every cell arrives as text, exactly as typed; parsing and checking
is the SQL's job. Row numbers count data rows from 1 (the header is row 0); blank lines
and blank sheet rows are not rows. Everything read lives in a temporary folder that is
removed when the import ends, however it ends.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from marketpulse.errors import ImportRefused
from marketpulse.ingest import csvfile, decode, workbook
from marketpulse.ingest.contract import KINDS, Kind, detect_kind, expected_columns, match_headers
from marketpulse.ingest.csvfile import RawFile
from marketpulse.ingest.workbook import Skipped

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BLANK_BYTES = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"


@dataclass
class Part:
    """One table of a file to import as one kind: the text read, the kind, where its columns are."""

    raw: RawFile
    kind: Kind
    found: dict[str, int]


@dataclass
class Source:
    """A file read: what to import, the sheets skipped (with reasons), its sha256."""

    file_name: str
    sha256: str
    parts: list[Part] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def refuse(zh: str, en: str) -> ImportRefused:
    return ImportRefused(f"{zh} / {en}")


def _fingerprint(fh: BinaryIO) -> tuple[str, bool]:
    """sha256 of the stream, and whether it holds anything but blanks and byte-order marks."""
    sha, filled = hashlib.sha256(), False
    fh.seek(0)
    while chunk := fh.read(decode.CHUNK):
        sha.update(chunk)
        filled = filled or bool(chunk.strip(_BLANK_BYTES))
    return sha.hexdigest(), filled


@contextlib.contextmanager
def open_source(
    data: bytes | Path, file_name: str, kind: str | None = None, delimiter: str | None = None
) -> Iterator[Source]:
    """Read `data` (bytes, or a file to stream) into a Source; ImportRefused if nothing in it can be imported."""
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="marketpulse-import-")))
        if isinstance(data, bytes):
            fh: BinaryIO = io.BytesIO(data)
        else:
            try:
                fh = stack.enter_context(open(data, "rb"))
            except OSError as exc:
                raise refuse(
                    f"无法打开文件 {data}:{exc.strerror or exc}", f"Cannot open file {data}: {exc.strerror or exc}"
                ) from None
        sha, filled = _fingerprint(fh)
        if not filled:
            raise refuse(f"文件 {file_name} 是空的。", f"File {file_name} is empty.")
        fh.seek(0)
        head = fh.read(8)
        source = Source(file_name, sha)
        if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
            if isinstance(data, bytes):
                book = tmp / "book"
                book.write_bytes(data)
            else:
                book = Path(data)
            raws, source.skipped = workbook.read_workbook(book, file_name, tmp)
            source.parts, more = _choose_sheets(raws, file_name, kind)
            source.skipped += more
        else:
            encoding = decode.detect(fh, file_name)
            utf8 = _as_utf8(fh, data, encoding, tmp / "data.csv")
            raw = csvfile.read_csv(fh, file_name, encoding, tmp / "data.parquet", delimiter, utf8=utf8)
            chosen, found = resolve_kind(raw, kind)
            source.parts = [Part(raw, chosen, found)]
        yield source


def _as_utf8(fh: BinaryIO, data: bytes | Path, encoding: str, out: Path) -> Path:
    """The text as a UTF-8 file for DuckDB's reader: the file itself if it is one, else a transcoded copy."""
    if encoding in ("utf-8", "utf-8-sig") and isinstance(data, Path):
        return data
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    fh.seek(0)
    with open(out, "wb") as dst:
        while chunk := fh.read(decode.CHUNK):
            dst.write(decoder.decode(chunk).encode("utf-8"))
        dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    return out


def _choose_sheets(raws: list[RawFile], file_name: str, kind: str | None) -> tuple[list[Part], list[Skipped]]:
    """The sheets to import, each as its own kind (reference kinds first), and those skipped."""
    parts, skips, first_refusal = [], [], None
    for raw in raws:
        if kind is None and detect_kind(raw.headers) is None:
            skips.append(workbook.skipped(raw.sheet, "unknown_header"))
            first_refusal = first_refusal or raw
            continue
        try:
            chosen, found = resolve_kind(raw, kind)
        except ImportRefused:
            if len(raws) == 1:
                raise
            skips.append(workbook.skipped(raw.sheet, "other_kind" if kind else "unknown_header"))
            first_refusal = first_refusal or raw
            continue
        parts.append(Part(raw, chosen, found))
    if not parts:
        if first_refusal is not None:
            resolve_kind(first_refusal, kind)  # raises, naming the expected columns
        raise refuse(
            f"文件 {file_name} 是空的(工作簿没有可见的数据工作表)。",
            f"File {file_name} is empty (the workbook has no visible sheet with data).",
        )
    rank = {name: i for i, name in enumerate(KINDS)}
    parts.sort(key=lambda p: rank[p.kind.name])
    return parts, skips


def resolve_kind(raw: RawFile, kind: str | None) -> tuple[Kind, dict[str, int]]:
    """The table's kind (given or detected) and where each of its columns is."""
    where = f"{raw.file_name}[{raw.sheet}]" if raw.sheet else raw.file_name
    if kind:
        chosen = KINDS[kind]
    else:
        chosen = detect_kind(raw.headers)
        if chosen is None:
            shown = ", ".join(raw.headers[:12]) + (" …" if len(raw.headers) > 12 else "")
            zh = "\n".join("  " + expected_columns(k, "zh") for k in KINDS.values())
            en = "\n".join("  " + expected_columns(k, "en") for k in KINDS.values())
            raise ImportRefused(
                f"无法识别文件 {where} 的类型:表头({shown})不符合任何导入格式。"
                f"第一行应为表头,可用中文或英文列名(带 ? 的列可省略):\n{zh}\n"
                f"Cannot tell what kind of file {where} is: its header ({shown}) matches "
                f"no import format. The first row must be a header, in Chinese or English "
                f"(columns marked ? are optional):\n{en}"
            )
    found, twice = match_headers(raw.headers, chosen)
    missing = [c for c in chosen.required if c.name not in found]
    if missing:
        raise refuse(
            f"文件 {where} 作为{chosen.zh}缺少必需的列:{'、'.join(c.zh + '/' + c.name for c in missing)}。"
            f"期望 {expected_columns(chosen, 'zh')}",
            f"File {where}, read as {chosen.en}, lacks required column(s): "
            f"{', '.join(c.name + '/' + c.zh for c in missing)}. Expected {expected_columns(chosen, 'en')}",
        )
    if twice:
        cols = ", ".join(sorted(set(twice)))
        raise refuse(
            f"文件 {where} 中同一列出现了两次:{cols}。",
            f"File {where} has the same column twice: {cols}.",
        )
    if raw.rows == 0:
        raise refuse(
            f"文件 {where} 只有表头,没有数据行。",
            f"File {where} has a header but no data rows.",
        )
    return chosen, found


def sniff_kind(path: str | Path) -> str | None:
    """The first kind a file holds, from its header(s) alone (to import reference files first), or None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
        if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
            with open_source(Path(path), Path(path).name) as source:
                return source.parts[0].kind.name
        line = head.splitlines()[0] if head.strip() else b""
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = line.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return None
        headers = next(csvfile.csv.reader([text], delimiter=csvfile.sniff_delimiter(text)), [])
        found = detect_kind(headers)
        return found.name if found else None
    except (ImportRefused, OSError):
        return None
