"""The 周报's files: its name in the reader's language, the PDF from the same content as the
workbook, and both written to disk for `python -m marketpulse report`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from marketpulse import i18n, store
from marketpulse.report.content import scope_name, weekly
from marketpulse.report.pdf_document import pdf_of
from marketpulse.report.xlsx import workbook_of


def file_name(week: dt.date, scope: store.Scope, lang: str, suffix: str) -> str:
    """营销周报_2026-11-16_全市.xlsx, weekly-review_2026-11-16_City.pdf: week and scope in the page's language."""
    name = scope_name(scope, lang).replace("/", "-").replace(" ", "-")
    return f"{i18n.t('report.file', lang, scope=name, week=week.isoformat())}.{suffix}"


def pdf(week: dt.date, params: dict | None = None, scope: store.Scope = store.CITY, lang: str = "zh") -> bytes:
    """The 周报 as PDF bytes (report.FontMissing when the machine has no Chinese font)."""
    return pdf_of(weekly(week, params, scope, lang))


def write(
    week: dt.date, out: Path | str, scope: store.Scope = store.CITY, lang: str = "zh", as_pdf: bool = False
) -> list[Path]:
    """Write the 周报 for `week` to `out` (.xlsx, or .pdf by its suffix); with `as_pdf` the PDF
    too, beside the workbook. Both come from one build, so they show the same numbers."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = weekly(week, {}, scope, lang)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(pdf_of(doc))
        return [out]
    out.write_bytes(workbook_of(doc))
    if not as_pdf:
        return [out]
    beside = out.with_suffix(".pdf")
    beside.write_bytes(pdf_of(doc))
    return [out, beside]
