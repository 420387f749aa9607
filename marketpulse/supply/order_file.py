"""The plan in the ordering system's shape: one row per spec × 档位 (× key) with its 限量,
its ceiling (retailers × 限量) and expected orders, as CSV and as Excel, through
marketpulse.export (the one writer); headers from i18n."""

from __future__ import annotations

import pandas as pd

from marketpulse import i18n
from marketpulse.export import Sheet, csv_bytes, xlsx_bytes

ORDER_COLUMNS = [  # column, i18n key of its header, Excel number format (None: text)
    ("plan_week", "plan.col.plan_week", "yyyy-mm-dd"),
    ("spec_code", "supply.xlsx.spec_code", None),
    ("spec_name", "col.spec", None),
    ("tier", "plan.col.tier", "0"),
    ("key", "plan.col.key", None),
    ("key_name", "plan.col.key_name", None),
    ("retailers", "plan.col.retailers", "#,##0"),
    ("limit_qty", "plan.col.limit", "#,##0"),
    ("total_qty", "plan.col.total", "#,##0"),
    ("expected_qty", "plan.col.expected", "#,##0"),
]


def order_frame(lines: pd.DataFrame, plan_week, lang: str = "zh") -> pd.DataFrame:
    """Plan lines as the ordering system reads them, headers in `lang`."""
    if lang not in i18n.LANGS:
        raise ValueError(f"lang must be one of {', '.join(i18n.LANGS)}, got {lang!r}")
    data = lines.assign(plan_week=pd.Timestamp(plan_week).date())
    headers = {column: i18n.t(key, lang) for column, key, _ in ORDER_COLUMNS}
    return data.reindex(columns=list(headers)).rename(columns=headers).reset_index(drop=True)


def order_csv(lines: pd.DataFrame, plan_week, lang: str = "zh") -> bytes:
    """The order file as CSV (with a byte-order mark for Chinese Excel)."""
    return csv_bytes(order_frame(lines, plan_week, lang))


def order_xlsx(lines: pd.DataFrame, plan_week, lang: str = "zh") -> bytes:
    """The order file as an Excel workbook, one sheet."""
    frame = order_frame(lines, plan_week, lang)
    formats = {i18n.t(key, lang): spec for _, key, spec in ORDER_COLUMNS if spec}
    return xlsx_bytes([Sheet(i18n.t("plan.sheet", lang), frame, number_formats=formats, freeze_columns=3)])
