"""The Monday meeting's 周报: one document as an Excel workbook and as a printable PDF.
May import views, metrics, store, ui (figures' colours), export, i18n and numbers; the CLI and pages call it.

content builds what it says from the views the pages draw (through the reader's Scope, with the
city as benchmark for a territory); xlsx writes the workbook with print settings through
marketpulse.export; pdf_document draws the landscape A4 pages with charts (charts) in an embedded
Chinese font. The page's download and `python -m marketpulse report` produce the same files.
"""

from marketpulse.report.content import Weekly, scope_name, weekly
from marketpulse.report.files import file_name, pdf, write
from marketpulse.report.pdf_document import FontMissing, font, pdf_of
from marketpulse.report.xlsx import SHEETS, excel_format, sections, sheet_name, workbook, workbook_of

__all__ = [
    "SHEETS",
    "FontMissing",
    "Weekly",
    "excel_format",
    "file_name",
    "font",
    "pdf",
    "pdf_of",
    "scope_name",
    "sections",
    "sheet_name",
    "weekly",
    "workbook",
    "workbook_of",
    "write",
]
