"""Which encoding a CSV file is in, decided on evidence while streaming, or why it is refused.

Order: a byte-order mark (UTF-8, UTF-16); else strict UTF-8 over the whole file; else
GB18030 (covers GBK), but only when nothing before the first non-UTF-8 byte was UTF-8
text and no line of the file is UTF-8 text of its own — a file that is UTF-8 but for one
bad byte, truncated inside a character, or a mix of both encodings is refused with the
first bad line and byte offset, never decoded as mojibake. Files are read in chunks with
the stdlib incremental decoders, so memory stays bounded whatever the file's size.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import BinaryIO

from marketpulse.errors import ImportRefused

CHUNK = 1 << 20
# a UTF-8 encoded CJK character (three bytes); inside GB18030 text it marks a UTF-8 line
_UTF8_WIDE = re.compile(rb"[\xe0-\xef][\x80-\xbf][\x80-\xbf]")


@dataclass(frozen=True)
class BadByte:
    """Where decoding failed: byte offset from the file's start, and the 1-based line."""

    offset: int
    line: int
    byte: str  # the offending byte(s) in hex, as shown to the user


def _lines_in(data: bytes, ended_cr: bool) -> int:
    """Line breaks in `data` (CRLF, LF or CR), given whether the bytes before ended with CR."""
    n = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    if ended_cr and data.startswith(b"\n"):
        n -= 1  # the CR before already counted this CRLF
    return n


def scan(fh: BinaryIO, encoding: str) -> tuple[BadByte | None, bool]:
    """Decode the whole stream strictly; the first failure (or None) and whether text
    before it held any non-ASCII character (the evidence that the guess was right)."""
    fh.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    pos, line, ended_cr, wide = 0, 1, False, False
    while True:
        chunk = fh.read(CHUNK)
        held = len(decoder.getstate()[0])
        try:
            if not chunk:
                decoder.decode(b"", final=True)
                return None, wide
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            at = pos - held + exc.start  # exc.start counts the bytes the decoder held back too
            before = chunk[: max(0, at - pos)]
            wide = wide or not before.isascii()
            data = (exc.object if isinstance(exc.object, bytes) else b"")[exc.start : exc.end]
            return BadByte(at, line + _lines_in(before, ended_cr), data.hex(" ")), wide
        wide = wide or not chunk.isascii()
        line += _lines_in(chunk, ended_cr)
        ended_cr = chunk.endswith(b"\r")
        pos += len(chunk)


def utf8_line_in_gb18030(fh: BinaryIO) -> BadByte | None:
    """The first line of a GB18030 file that is UTF-8 Chinese text instead (a mixed file)."""
    fh.seek(0)
    pos, line, carry = 0, 1, b""
    while True:
        chunk = fh.read(CHUNK)
        data = carry + chunk
        cut = len(data) if not chunk else max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
        block, carry = data[:cut], data[cut:]
        checked = -1  # end of the last line tried
        for hit in _UTF8_WIDE.finditer(block):
            if hit.start() < checked:
                continue
            start = max(block.rfind(b"\n", 0, hit.start()), block.rfind(b"\r", 0, hit.start())) + 1
            ends = [i for i in (block.find(b"\n", hit.end()), block.find(b"\r", hit.end())) if i >= 0]
            checked = min(ends) if ends else len(block)
            try:
                block[start:checked].decode("utf-8")
            except UnicodeDecodeError:
                continue
            return BadByte(pos + hit.start(), line + _lines_in(block[:start], False), hit.group().hex(" "))
        line += _lines_in(block, False)
        pos += len(block)
        if not chunk:
            return None


def _refuse(file_name: str, bad: BadByte, zh: str, en: str) -> ImportRefused:
    return ImportRefused(
        f"文件 {file_name} {zh}:第 {bad.line} 行,字节位置 {bad.offset}(字节 {bad.byte})。"
        f"请用 UTF-8 或 GB18030/GBK 重新保存整个文件。 / "
        f"File {file_name} {en}: line {bad.line}, byte offset {bad.offset} (byte {bad.byte}). "
        f"Save the whole file again as UTF-8 or GB18030/GBK."
    )


def detect(fh: BinaryIO, file_name: str) -> str:
    """The file's encoding (utf-8, utf-8-sig, utf-16 or gb18030); ImportRefused if it has none."""
    fh.seek(0)
    head = fh.read(65536)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        bad, _ = scan(fh, "utf-16")
        if bad is None:
            return "utf-16"
        raise _refuse(file_name, bad, "不是有效的 UTF-16 文本", "is not valid UTF-16 text")
    if b"\x00" in head:
        raise ImportRefused(
            f"文件 {file_name} 不是 CSV 或 XLSX 文件(看起来是二进制文件)。 / "
            f"File {file_name} is not a CSV or XLSX file (it looks binary)."
        )
    encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    bad, wide = scan(fh, encoding)
    if bad is None:
        return encoding
    if wide or encoding == "utf-8-sig":
        raise _refuse(
            file_name,
            bad,
            "是 UTF-8 编码,但含有无效字节(文件损坏、被截断或混用了编码)",
            "is UTF-8 but holds an invalid byte (damaged, truncated or mixed encodings)",
        )
    gb_bad, _ = scan(fh, "gb18030")
    if gb_bad is not None:
        raise _refuse(
            file_name,
            gb_bad,
            "不是统一的 UTF-8 或 GB18030/GBK 编码(可能是其他编码,或混用了两种编码)",
            "is neither all UTF-8 nor all GB18030/GBK (another encoding, or a mix of both)",
        )
    mixed = utf8_line_in_gb18030(fh)
    if mixed is not None:
        raise _refuse(
            file_name,
            mixed,
            "混用了 GB18030 和 UTF-8 两种编码",
            "mixes GB18030 and UTF-8 text",
        )
    return "gb18030"
