"""What one file's import did: the counts and reasons the CLI, the Data page and the demo show.

Counting: rows_read = rows_stored + rows_quarantined. rows_stored counts every good row,
whether it was new, replaced a stored row with different values (also counted in
rows_replaced) or was identical to a stored row (rows_unchanged: the stored row and its
import_id stay as they were). A file whose bytes were imported before adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marketpulse.ingest.contract import KINDS
from marketpulse.ingest.csvfile import DELIMITER_NAMES


@dataclass
class ImportSummary:
    """What one file's import did, for the CLI, the Data page and the demo."""

    import_id: int | None
    file_name: str
    kind: str
    status: str  # stored | duplicate_file
    rows_read: int = 0
    rows_stored: int = 0  # new + replaced + unchanged
    rows_replaced: int = 0
    rows_quarantined: int = 0
    by_reason: list[tuple[str, str, str, int]] = field(default_factory=list)  # code, zh, en, rows
    rows_new: int = 0
    rows_unchanged: int = 0
    duplicate_of: int | None = None  # import_id of the earlier import of the same bytes
    encoding: str = ""  # utf-8, utf-8-sig, utf-16, gb18030 or xlsx
    delimiter: str | None = None  # of a CSV
    sheet: str | None = None  # of a workbook
    more: list[ImportSummary] = field(default_factory=list)  # the workbook's other sheets, each its own import
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # sheets not imported: name, zh, en

    @property
    def all_parts(self) -> list[ImportSummary]:
        """This table's summary and those of the workbook's other sheets."""
        return [self, *self.more]

    @property
    def any_quarantined(self) -> bool:
        return any(p.rows_quarantined for p in self.all_parts)

    def text(self, lang: str = "zh") -> str:
        """What the import did, every sheet and every skipped sheet included."""
        lines = [p.part_text(lang) for p in self.all_parts]
        for sheet, zh, en in self.skipped:
            lines.append(f"  工作表「{sheet}」:{zh}" if lang == "zh" else f"  sheet '{sheet}': {en}")
        return "\n".join(lines)

    def _source(self, lang: str) -> str:
        """How the file was read: encoding and delimiter, or the sheet."""
        if self.sheet:
            return f",工作表「{self.sheet}」" if lang == "zh" else f", sheet '{self.sheet}'"
        if not self.encoding or self.status == "duplicate_file":
            return ""
        delim = DELIMITER_NAMES.get(self.delimiter or ",", "").split("/")[0 if lang == "zh" else 1]
        return f",{self.encoding} 编码,{delim}分隔" if lang == "zh" else f", {self.encoding}, {delim}-separated"

    def part_text(self, lang: str = "zh") -> str:
        """What the import of this one table did."""
        kind = KINDS[self.kind].label(lang) if self.kind in KINDS else self.kind
        if self.status == "duplicate_file":
            if lang == "zh":
                return (
                    f"{self.file_name}({kind}):与第 {self.duplicate_of} 次导入的文件内容完全相同,本次未添加任何数据。"
                )
            return (
                f"{self.file_name} ({kind}): identical to the file of import #{self.duplicate_of}; nothing was added."
            )
        if lang == "zh":
            lines = [
                f"{self.file_name}({kind},导入号 {self.import_id}{self._source(lang)}):读取 {self.rows_read:,} 行 = "
                f"入库 {self.rows_stored:,} 行 + 隔离 {self.rows_quarantined:,} 行",
                f"  入库中:新增 {self.rows_new:,} 行,更正替换 {self.rows_replaced:,} 行,"
                f"与已存数据相同(未改动){self.rows_unchanged:,} 行",
            ]
            if self.by_reason:
                lines.append("  隔离原因:")
                lines += [f"    {n:>8,} 行  {zh}" for _, zh, _, n in self.by_reason]
        else:
            lines = [
                f"{self.file_name} ({kind}, import #{self.import_id}{self._source(lang)}): read {self.rows_read:,} rows = "
                f"stored {self.rows_stored:,} + quarantined {self.rows_quarantined:,}",
                f"  of those stored: {self.rows_new:,} new, {self.rows_replaced:,} replaced earlier rows, "
                f"{self.rows_unchanged:,} identical to stored rows (left as they were)",
            ]
            if self.by_reason:
                lines.append("  held back:")
                lines += [f"    {n:>8,} {'row ' if n == 1 else 'rows'}  {en}" for _, _, en, n in self.by_reason]
        return "\n".join(lines)
