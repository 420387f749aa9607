"""The 周报 as an Excel workbook: four sheets that print as four landscape A4 pages (one page
wide, header rows repeated), numbers in their units' precision, native charts, coloured states.

Page 1 the KPIs with each new brand's distribution against its target under them, and the
brand, 存销比 and sales charts; then the top alerts, the market-state exceptions and the
customer managers who need attention. The long lists stay whole in their sheets for filtering
(every alert, every market-state cell, every customer manager), exceptions first; the print
holds the exceptions.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from marketpulse import export, i18n, numbers, store
from marketpulse.report.content import TOP_ALERTS, Weekly, weekly
from marketpulse.ui import figures

SHEETS = ("kpis", "alerts", "state", "scorecard")
# Columns whose words take their dashboard colour: the KPI signal and the market state.
COLOURED = {"kpis": "report.light", "state": "col.state"}
SERIES_COLOURS = ("#1F5FA8", "#9DB4CF", "#C0392B", "#C0392B")
METRIC_WIDTH = 80  # the KPI sheet's metric column at most (Excel characters; a Chinese one counts two)
PRINT_ROWS = 28  # the most market-state exceptions and customer managers a sheet prints: one page each


def sheet_name(section: str, lang: str) -> str:
    return i18n.t(f"report.sheet.{section}", lang)


def sections(
    week: dt.date, params: dict | None = None, scope: store.Scope = store.CITY, lang: str = "zh"
) -> dict[str, pd.DataFrame]:
    """Each sheet's table, in the report's language."""
    return _frames(weekly(week, params, scope, lang))


def _frames(doc: Weekly) -> dict[str, pd.DataFrame]:
    return {
        "kpis": _kpis_with_brands(doc)[0],
        "alerts": doc.alerts,
        "state": doc.state,
        "scorecard": _tidy(doc.scorecard, {i18n.t("col.sales_growth", doc.lang): "pct"}),
    }


def _tidy(frame: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """The frame with the named columns' values that round to zero in their unit made 0.0 (no "-0.0")."""
    out = frame.copy()
    for column, unit in units.items():
        if column in out:
            out[column] = [numbers.tidy(v, unit) for v in out[column]]
    return out


def _kpis_with_brands(doc: Weekly) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The KPI rows, then a row per new brand: its distribution against the target due at its
    week since launch (the signal green when on target, red when behind), the city's beside a
    scope's; changes rounded to zero carry no sign. Each row's (value unit, change unit)."""
    t = lambda key, **kw: i18n.t(key, doc.lang, **kw)  # noqa: E731
    kpis = doc.kpis.copy()
    for r, (_, change) in enumerate(doc.units):
        for column in (t("report.wow"), t("report.yoy"), t("report.ytd_yoy")):
            kpis.loc[r, column] = numbers.tidy(kpis.loc[r, column], change)
    b = doc.brands
    if not len(b):
        return kpis, list(doc.units)
    rows = pd.DataFrame(
        {
            t("report.metric"): [
                t(
                    "report.brand_row",
                    spec=spec,
                    weeks=int(weeks),
                    target=numbers.show(target, "pct", doc.lang),
                    gap=numbers.change(gap, doc.lang, "points"),
                )
                for spec, weeks, target, gap in zip(
                    b[t("col.spec")],
                    b[t("col.weeks_since_launch")],
                    b[t("report.col.target")],
                    b[t("report.col.vs_target")],
                )
            ],
            t("report.value"): b[t("col.distribution")].astype(float).values,
            t("report.light"): [
                numbers.UNDEFINED if pd.isna(gap) else t("rag.green") if gap >= 0 else t("rag.red")
                for gap in b[t("report.col.vs_target")]
            ],
        }
    )
    if doc.scoped and t("report.col.city_distribution") in b:
        rows[t("report.col.city")] = b[t("report.col.city_distribution")].astype(float).values
    frame = pd.concat([kpis, rows], ignore_index=True)[kpis.columns]
    return frame, [*doc.units, *[("pct", "points")] * len(rows)]


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
        "kpis": _kpi_extras(doc) | {"subtitle": doc.headline},
        "alerts": {
            "wrap_columns": (t("col.reason"), t("col.action")),
            "widths": {t("col.reason"): 50, t("col.action"): 22},
            "print_rows": TOP_ALERTS,
            # the value, threshold and score behind each alert stay in the sheet, off the print
            "print_columns": _through(doc.alerts, t("col.retailer")),
            "subtitle": t("report.print_alerts", n=min(TOP_ALERTS, len(doc.alerts)), total=len(doc.alerts)),
        },
        "state": {
            "print_rows": max(1, min(PRINT_ROWS, doc.exceptions)),
            "subtitle": t("report.print_note", n=min(PRINT_ROWS, doc.exceptions), total=len(doc.state)),
        },
        "scorecard": {
            "widths": {t("report.col.flags"): 28},
            "wrap_columns": (t("report.col.flags"),),
            "print_rows": max(1, min(PRINT_ROWS, doc.flagged)),
            "subtitle": t("report.print_people", n=min(PRINT_ROWS, doc.flagged), total=len(doc.scorecard)),
        },
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
    and the sales, cover and brand charts under the table."""
    t = lambda key, **kw: i18n.t(key, doc.lang, **kw)  # noqa: E731
    formats = {}
    for r, (unit, change) in enumerate(_kpis_with_brands(doc)[1]):
        for column in (t("report.value"), t("report.ytd"), *([t("report.col.city")] if doc.scoped else [])):
            formats[(r, column)] = excel_format(unit, doc.lang)
        for column in (t("report.wow"), t("report.yoy"), t("report.ytd_yoy")):
            formats[(r, column)] = excel_format(change, doc.lang, signed=True)
    low, high = doc.band["ratio_low"], doc.band["ratio_high"]
    # the brand chart (a few specs) first: LibreOffice draws a chart anchored in the wide metric
    # column narrower than Excel does; the territories and the 13 weeks need the room. (A sheet
    # that prints only its first rows cannot take a chart: it would cover the rows below them.)
    charts = [
        *([_brand_chart(doc)] if len(doc.brands) else []),
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
        export.Chart(
            "line",
            t("report.chart.sales", n=len(doc.sales_trend)),
            doc.sales_trend,
            colours=SERIES_COLOURS[:2],
            number_format=excel_format("qty", doc.lang),
            y_min=0,
        ),
    ]
    # the metric column as wide as its longest name (a new brand's names its week, target and
    # gap), up to METRIC_WIDTH; a longer one wraps
    names = _kpis_with_brands(doc)[0][t("report.metric")]
    widest = max((sum(2 if ord(ch) > 0x2E80 else 1.1 for ch in str(n)) for n in names), default=0)
    widths = {t("report.metric"): min(METRIC_WIDTH, max(46, widest + 3)), t("report.light"): 8}
    return {"cell_formats": formats, "charts": charts, "widths": widths, "wrap_columns": (t("report.metric"),)}


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
