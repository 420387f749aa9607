"""The 周报 as an Excel workbook: a sheet per section, printable (landscape A4, one page wide,
header rows repeated), numbers in their units' precision, native charts, coloured states.

The long lists stay whole for filtering (every alert, every market-state cell, every customer
manager), exceptions first; the market-state sheet prints only its exceptions.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from marketpulse import export, i18n, numbers, store
from marketpulse.report.content import TOP_ALERTS, Weekly, weekly
from marketpulse.ui import figures

SHEETS = ("kpis", "alerts", "state", "brands", "scorecard")
# Columns whose words take their dashboard colour: the KPI signal and the market state.
COLOURED = {"kpis": "report.light", "state": "col.state"}
SERIES_COLOURS = ("#1F5FA8", "#9DB4CF", "#C0392B", "#C0392B")


def sheet_name(section: str, lang: str) -> str:
    return i18n.t(f"report.sheet.{section}", lang)


def sections(
    week: dt.date, params: dict | None = None, scope: store.Scope = store.CITY, lang: str = "zh"
) -> dict[str, pd.DataFrame]:
    """Each sheet's table, in the report's language."""
    return _frames(weekly(week, params, scope, lang))


def _frames(doc: Weekly) -> dict[str, pd.DataFrame]:
    return {
        "kpis": doc.kpis,
        "alerts": doc.alerts,
        "state": doc.state,
        "brands": doc.brands,
        "scorecard": doc.scorecard,
    }


def excel_format(unit: str, lang: str, signed: bool = False) -> str:
    """An Excel number format for a unit: numbers.DIGITS' precision, the unit word as numbers.show
    writes it and, in Chinese, 万/亿 for large totals (the digits shifted by the thousands
    separator: 74,571 shows as 7.5万条)."""
    digits = numbers.DIGITS.get(unit, 1)
    body = "#,##0" + ("." + "0" * digits if digits else "")
    word = "%" if unit == "pct" else i18n.t(f"unit.{unit}", lang).strip() if f"unit.{unit}" in i18n.TEXT else ""
    tight = unit == "pct" or (lang == "zh" and unit in ("qty", "money", "points", "index_points", "count"))
    tail = f'"{word if tight else " " + word}"' if word else ""
    if signed:
        return f"+{body}{tail};-{body}{tail};{body}{tail}"
    if unit in ("qty", "money", "count"):
        if lang == "zh":
            return f'[>=100000000]0\\.00,,"亿{word}";[>=10000]0\\.0,"万{word}";#,##0{tail}'
        return f'[>=1000000]#,##0.00,,"M{" " + word}";#,##0{tail}'
    return body + tail


def workbook(week: dt.date, params: dict | None = None, scope: store.Scope = store.CITY, lang: str = "zh") -> bytes:
    """The 周报 as .xlsx bytes."""
    return workbook_of(weekly(week, params, scope, lang))


def workbook_of(doc: Weekly) -> bytes:
    """The workbook of a built 周报 (the PDF is drawn from the same one)."""
    lang = doc.lang
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    fills = {
        **{i18n.state(s, lang): figures.STATE_COLORS[s] for s in figures.STATE_ORDER},
        **{t(f"rag.{r}"): colour for r, colour in figures.RAG_COLORS.items()},
    }
    title = f"{doc.title} · {doc.scope_name}"
    frames = _frames(doc)
    extra = {
        "kpis": _kpi_extras(doc) | {"subtitle": f"{doc.headline}  {t('report.about.kpis')}"},
        "alerts": {
            "wrap_columns": (t("col.reason"), t("col.action")),
            "widths": {t("col.reason"): 50, t("col.action"): 22},
            "print_rows": TOP_ALERTS,
            # the value, threshold and score behind each alert stay in the sheet, off the print
            "print_columns": _through(doc.alerts, t("col.retailer")),
            "subtitle": t("report.print_alerts", n=min(TOP_ALERTS, len(doc.alerts)), total=len(doc.alerts)),
        },
        "state": {
            "print_rows": max(1, doc.exceptions),
            "subtitle": t("report.print_note", n=doc.exceptions, total=len(doc.state)),
        },
        "brands": {
            "charts": [_brand_chart(doc)] if len(doc.brands) else [],
            "number_formats": {t("report.col.vs_target"): excel_format("points", lang, signed=True)}
            | {t("col.per_store"): "#,##0.0"},
        },
        "scorecard": {"widths": {t("report.col.flags"): 28}, "wrap_columns": (t("report.col.flags"),)},
    }
    sheets = []
    for section in SHEETS:
        options = {"subtitle": t(f"report.about.{section}")} | extra[section]
        if section in COLOURED:
            options.update(fills=fills, fill_columns=(t(COLOURED[section]),))
        sheets.append(export.Sheet(sheet_name(section, lang), frames[section], title=title, footer=title, **options))
    return export.xlsx_bytes(sheets)


def _through(frame: pd.DataFrame, column: str) -> int | None:
    """How many columns to print: up to and including `column` (all when it is missing)."""
    return frame.columns.get_loc(column) + 1 if column in frame else None


def _kpi_extras(doc: Weekly) -> dict:
    """Each KPI row in its own unit (a sales total in 万, 存销比 to 0.01 周), its changes signed,
    and the sales and cover charts under the table."""
    t = lambda key, **kw: i18n.t(key, doc.lang, **kw)  # noqa: E731
    formats = {}
    for r, (unit, change) in enumerate(doc.units):
        for column in (t("report.value"), t("report.ytd"), *([t("report.col.city")] if doc.scoped else [])):
            formats[(r, column)] = excel_format(unit, doc.lang)
        for column in (t("report.wow"), t("report.yoy"), t("report.ytd_yoy")):
            formats[(r, column)] = excel_format(change, doc.lang, signed=True)
    low, high = doc.band["ratio_low"], doc.band["ratio_high"]
    charts = [
        export.Chart(
            "line",
            t("report.chart.sales", n=len(doc.sales_trend)),
            doc.sales_trend,
            colours=SERIES_COLOURS[:2],
            number_format=excel_format("qty", doc.lang),
            y_min=0,
        ),
        export.Chart(
            "column",
            t(
                "report.chart.cover",
                low=numbers.show(low, "weeks", doc.lang, False),
                high=numbers.show(high, "weeks", doc.lang, False),
            ),
            doc.cover,
            colours=SERIES_COLOURS[:1] + ("#E67E22", "#C0392B"),
            number_format="0.0",
            y_min=0,
            lines=(t("report.series.low"), t("report.series.high")),
        ),
    ]
    return {"cell_formats": formats, "charts": charts, "widths": {t("report.metric"): 46, t("report.light"): 8}}


def _brand_chart(doc: Weekly) -> export.Chart:
    t = lambda key: i18n.t(key, doc.lang)  # noqa: E731
    columns = [t("col.spec"), t("col.distribution"), t("report.col.target")]
    if doc.scoped:
        columns.append(t("report.col.city_distribution"))
    return export.Chart(
        "column",
        t("report.chart.brands"),
        doc.brands[columns],
        colours=("#1F5FA8", "#E67E22", "#9DB4CF"),
        number_format="0",
        y_min=0,
        y_max=100,
        lines=(),
    )
