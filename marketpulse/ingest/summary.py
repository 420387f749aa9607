"""What one file's import did: the counts and reasons the CLI, the Data page and the demo show.

Counting: rows_read = rows_stored + rows_quarantined. rows_stored counts every good row,
whether it was new, replaced a stored row with different values (also counted in
rows_replaced) or was identical to a stored row (rows_unchanged: the stored row and its
import_id stay as they were). A file whose bytes were imported before adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marketpulse.ingest.contract import KINDS


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
    encoding: str = ""

    def text(self, lang: str = "zh") -> str:
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
                f"{self.file_name}({kind},导入号 {self.import_id}):读取 {self.rows_read:,} 行 = "
                f"入库 {self.rows_stored:,} 行 + 隔离 {self.rows_quarantined:,} 行",
                f"  入库中:新增 {self.rows_new:,} 行,更正替换 {self.rows_replaced:,} 行,"
                f"与已存数据相同(未改动){self.rows_unchanged:,} 行",
            ]
            if self.by_reason:
                lines.append("  隔离原因:")
                lines += [f"    {n:>8,} 行  {zh}" for _, zh, _, n in self.by_reason]
        else:
            lines = [
                f"{self.file_name} ({kind}, import #{self.import_id}): read {self.rows_read:,} rows = "
                f"stored {self.rows_stored:,} + quarantined {self.rows_quarantined:,}",
                f"  of those stored: {self.rows_new:,} new, {self.rows_replaced:,} replaced earlier rows, "
                f"{self.rows_unchanged:,} identical to stored rows (left as they were)",
            ]
            if self.by_reason:
                lines.append("  held back:")
                lines += [f"    {n:>8,} rows  {en}" for _, _, en, n in self.by_reason]
        return "\n".join(lines)
