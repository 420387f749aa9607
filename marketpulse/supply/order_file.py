"""The plan in the ordering system's shape: one row per spec × 档位 (× key) with its 限量, its
控量户 and its total, and one row per 控量户 (a retailer whose own 限量, its need, is below its
档位's), as CSV and as Excel, through marketpulse.export (the one writer); headers from i18n."""

from __future__ import annotations

import numpy as np
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
    ("capped", "plan.col.capped", "#,##0"),
    ("total_qty", "plan.col.total", "#,##0"),
]
RETAILER_COLUMNS = [
    ("plan_week", "plan.col.plan_week", "yyyy-mm-dd"),
    ("spec_code", "supply.xlsx.spec_code", None),
    ("spec_name", "col.spec", None),
    ("tier", "plan.col.tier", "0"),
    ("key", "plan.col.key", None),
    ("key_name", "plan.col.key_name", None),
    ("license_no", "plan.col.license_no", None),
    ("line_limit", "plan.col.line_limit", "#,##0"),
    ("limit_qty", "plan.col.own_limit", "#,##0"),
]


def capped_retailers(lines: pd.DataFrame) -> pd.DataFrame:
    """The 控量户 of (edited) lines: each retailer whose whole need is below its line's 限量,
    with the line's 限量 (line_limit) and its own (limit_qty = its need)."""
    columns = ["spec_code", "spec_name", "tier", "key", "key_name", "license_no", "line_limit", "limit_qty"]
    if lines.empty or "needs" not in lines:
        return pd.DataFrame(columns=columns)
    each = lines.assign(line_limit=lines["limit_qty"]).explode(["needs", "licenses"], ignore_index=True)
    each = each[each["licenses"].notna()]
    need = pd.to_numeric(each["needs"]).to_numpy()
    each = each[need < each["line_limit"].to_numpy()]
    out = each.assign(license_no=each["licenses"], limit_qty=pd.to_numeric(each["needs"]).astype(np.int64))
    return out.reindex(columns=columns).reset_index(drop=True)


def _frame(data: pd.DataFrame, plan_week, lang: str, columns) -> pd.DataFrame:
    if lang not in i18n.LANGS:
        raise ValueError(f"lang must be one of {', '.join(i18n.LANGS)}, got {lang!r}")
    data = data.assign(plan_week=pd.Timestamp(plan_week).date())
    headers = {column: i18n.t(key, lang) for column, key, _ in columns}
    return data.reindex(columns=list(headers)).rename(columns=headers).reset_index(drop=True)


def order_frame(lines: pd.DataFrame, plan_week, lang: str = "zh") -> pd.DataFrame:
    """Plan lines as the ordering system reads them, headers in `lang`."""
    return _frame(lines, plan_week, lang, ORDER_COLUMNS)


def retailer_frame(lines: pd.DataFrame, plan_week, lang: str = "zh") -> pd.DataFrame:
    """The 控量户 as the ordering system reads them (a retailer's own 限量), headers in `lang`."""
    return _frame(capped_retailers(lines), plan_week, lang, RETAILER_COLUMNS)


def order_csv(lines: pd.DataFrame, plan_week, lang: str = "zh") -> bytes:
    """The order file's lines as CSV (with a byte-order mark for Chinese Excel)."""
    return csv_bytes(order_frame(lines, plan_week, lang))


def retailer_csv(lines: pd.DataFrame, plan_week, lang: str = "zh") -> bytes:
    """The 控量户 as CSV (with a byte-order mark for Chinese Excel)."""
    return csv_bytes(retailer_frame(lines, plan_week, lang))


def order_xlsx(lines: pd.DataFrame, plan_week, lang: str = "zh") -> bytes:
    """The order file as an Excel workbook: the lines, then the 控量户."""
    sheets = []
    for name, frame, columns in (
        ("plan.sheet", order_frame(lines, plan_week, lang), ORDER_COLUMNS),
        ("plan.sheet_retailers", retailer_frame(lines, plan_week, lang), RETAILER_COLUMNS),
    ):
        formats = {i18n.t(key, lang): spec for _, key, spec in columns if spec}
        sheets.append(Sheet(i18n.t(name, lang), frame, number_formats=formats, freeze_columns=3))
    return xlsx_bytes(sheets)
