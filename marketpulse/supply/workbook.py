"""The supply recommendations as an Excel workbook for the supply meeting, in Chinese or English.

Written by marketpulse.export, the one Excel writer; every header and word comes from i18n.
"""

from __future__ import annotations

import pandas as pd

from marketpulse import i18n
from marketpulse.export import Sheet, xlsx_bytes

EXPORT = [  # column, i18n key of its header, Excel number format (None: text)
    ("spec_code", "supply.xlsx.spec_code", None),
    ("spec_name", "col.spec", None),
    ("department_name", "col.department", None),
    ("forecast_qty", "supply.xlsx.forecast_qty", "#,##0"),
    ("lo80", "supply.xlsx.lo80", "#,##0"),
    ("hi80", "supply.xlsx.hi80", "#,##0"),
    ("current_stock", "supply.xlsx.current_stock", "#,##0"),
    ("on_order", "supply.xlsx.on_order", "#,##0"),
    ("target_cover", "supply.xlsx.target_cover", "0.0"),
    ("recommended_qty", "supply.xlsx.recommended_qty", "#,##0"),
    ("planned", "col.plan_total", "#,##0"),  # beside the plan (the page's table), when given
    ("reference_qty", "supply.xlsx.reference_qty", "#,##0"),
    ("change_pct", "supply.xlsx.change_pct", "+0.0;-0.0;0.0"),
    ("ratio", "col.ratio", "0.0"),
    ("price_index", "col.price_index", "0.0"),
    ("state", "col.state", None),
    ("verdict", "col.verdict", None),
    ("reason", "col.reason_full", None),
    ("mase_model", "col.mase", "0.00"),
    ("is_fallback", "supply.xlsx.is_fallback", None),
]
WIDE = {"reason": 60, "spec_name": 14, "department_name": 14}  # other columns are 11 wide
FROZEN_COLUMNS = 3  # code, spec and 市场部 stay in view


def _chinese(codes: pd.Series, prefix: str) -> pd.Series:
    """Codes (raise, tight …) as their Chinese words; blanks and unknown codes as they are."""
    return codes.map(lambda c: i18n.t(f"{prefix}.{c}", "zh") if f"{prefix}.{c}" in i18n.TEXT else c)


def recommendations_xlsx(frame: pd.DataFrame, lang: str = "zh") -> bytes:
    """The recommendation table (as `recommendations` returns it) as an .xlsx workbook.

    In English the verdict and market state keep their codes (raise, hold, cut, cap; tight …).
    """
    if lang not in i18n.LANGS:
        raise ValueError(f"lang must be one of {', '.join(i18n.LANGS)}, got {lang!r}")
    data = frame.copy()
    data["reason"] = data[f"reason_{lang}"] if len(data) else []
    if lang == "zh":
        data["verdict"] = _chinese(data["verdict"], "verdict")
        data["state"] = _chinese(data["state"], "state")
    data["is_fallback"] = data["is_fallback"].map({True: i18n.t("word.yes", lang), False: i18n.t("word.no", lang)})
    export = [e for e in EXPORT if e[0] != "planned" or "planned" in data]
    headers = {column: i18n.t(key, lang) for column, key, _ in export}
    shown = data.reindex(columns=list(headers)).rename(columns=headers)
    sheet = Sheet(
        i18n.t("supply.xlsx.sheet", lang),
        shown,
        number_formats={headers[column]: spec for column, _, spec in export if spec},
        widths={headers[column]: WIDE.get(column, 11) for column, _, _ in export},
        freeze_columns=FROZEN_COLUMNS,
    )
    return xlsx_bytes([sheet])
