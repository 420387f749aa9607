"""The 周报 as a printable PDF: landscape A4, at most four pages for the whole city, drawn with
fpdf2 and a Chinese font embedded (subset) from the system.

Page 1 the KPIs with 环比/同期/年累计 and two charts (sales against a year before, 存销比 by
片区 in its band); page 2 the top alerts; page 3 the market-state exceptions and brand
cultivation against target; page 4 the customer managers who need attention. Longer lists are
cut to what fits and say how many more the Excel 周报 holds.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from marketpulse import i18n, numbers
from marketpulse.report import charts
from marketpulse.report.content import TOP_ALERTS, Weekly
from marketpulse.ui import figures

log = logging.getLogger(__name__)

# Chinese fonts tried in order (regular, bold, face in a collection); the first present is embedded.
# Noto Sans CJK's collections hold JP, KR, SC, TC, HK in that order: face 2 is Simplified Chinese.
FONTS = (
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        2,
    ),
    (
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
        2,
    ),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None, 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None, 0),
    ("C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyhbd.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", None, 0),
)
FONT_ENV = "MARKETPULSE_PDF_FONT"  # a font file (TTF, OTF or a collection's face 0) to use instead
FONT = "cjk"
TOP_EXCEPTIONS, TOP_CMS = 12, 18
ROW_MM = 6.2  # a one-line table row, to keep a short table on one page
WIDTH = 277  # mm between the margins of a landscape A4 page
HEAD = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=(31, 95, 168), size_pt=8)


class FontMissing(RuntimeError):
    """No Chinese font to embed: the PDF cannot be made (the workbook still can)."""


def font() -> tuple[str, str | None, int] | None:
    """The Chinese font the PDF embeds (regular, bold, face), or None when the machine has none."""
    chosen = os.environ.get(FONT_ENV)
    if chosen and Path(chosen).is_file():
        return chosen, None, 0
    for regular, bold, face in FONTS:
        if Path(regular).is_file():
            return regular, bold if bold and Path(bold).is_file() else None, face
    return None


class _Page(FPDF):
    """Landscape A4 with the report's title and scope on top and the page number below."""

    def __init__(self, doc: Weekly):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.doc = doc
        self.set_margins(10, 16, 10)
        self.set_auto_page_break(True, margin=12)
        self.set_title(f"{doc.title} · {doc.scope_name}")
        self.set_creator("MarketPulse")

    def header(self):
        self.set_font(FONT, "B", 12)
        self.set_text_color(30, 30, 30)
        self.set_xy(10, 7)
        self.cell(WIDTH * 0.7, 6, self.doc.title)
        self.set_font(FONT, "", 9)
        self.cell(WIDTH * 0.3, 6, i18n.t("report.scope", self.doc.lang, scope=self.doc.scope_name), align="R")
        self.set_draw_color(31, 95, 168)
        self.set_line_width(0.4)
        self.line(10, 14, 10 + WIDTH, 14)
        self.set_y(16)

    def footer(self):
        self.set_y(-9)
        self.set_font(FONT, "", 7)
        self.set_text_color(120, 120, 120)
        self.cell(0, 4, i18n.t("report.page", self.doc.lang, page=self.page_no(), pages="{nb}"), align="C")


def pdf_of(doc: Weekly) -> bytes:
    """The PDF of a built 周报; FontMissing when no Chinese font is installed."""
    found = font()
    if found is None:
        raise FontMissing(i18n.t("report.no_font", doc.lang))
    regular, bold, face = found
    pdf = _Page(doc)
    pdf.add_font(FONT, "", regular, collection_font_number=face)
    pdf.add_font(FONT, "B", bold or regular, collection_font_number=face)
    pdf.add_page()
    _kpi_page(pdf, doc)
    pdf.add_page()
    for section in (_alert_page, _market_page, _people_page):  # each on the page before if it fits
        section(pdf, doc)
    return bytes(pdf.output())


def _room(pdf: FPDF, need: float) -> None:
    """A new page unless `need` mm are left on this one."""
    if pdf.get_y() + need > pdf.h - 14:
        pdf.add_page()


def _section(pdf: FPDF, text: str, note: str = "") -> None:
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(31, 95, 168)
    pdf.cell(pdf.get_string_width(text) + 3, 7, text)
    if note:
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(100, 100, 100)
        pdf.cell(0, 7, note)
    pdf.ln(8)
    pdf.set_text_color(30, 30, 30)


def _table(
    pdf: FPDF, header: list[str], rows: list[list[str]], widths: list[float], right: set[int], fills=None
) -> None:
    """A table one page wide: header row in the report blue, numbers right-aligned, a cell's
    background from `fills` (row, column) → RGB."""
    fills = fills or {}
    pdf.set_font(FONT, "", 8)
    pdf.set_fill_color(255, 255, 255)  # a chart's last colour must not fill the table
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.15)
    align = tuple("RIGHT" if j in right else "LEFT" for j in range(len(header)))
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        align="LEFT",
        text_align=align,
        headings_style=HEAD,
        line_height=4.6,
        wrapmode="CHAR" if pdf.doc.lang == "zh" else "WORD",  # Chinese breaks anywhere, English between words
        borders_layout="HORIZONTAL_LINES",
        padding=(0.8, 1.2),
        cell_fill_color=(244, 246, 250),
        cell_fill_mode="ROWS",
    ) as table:
        table.row(header)
        for i, cells in enumerate(rows):
            row = table.row()
            for j, text in enumerate(cells):
                colour = fills.get((i, j))
                row.cell(text, style=FontFace(fill_color=colour, color=(255, 255, 255)) if colour else None)
    pdf.ln(3)


def _fit_words(pdf: FPDF, header: list[str], widths: list[float]) -> list[float]:
    """`widths` widened where a header's longest word (bold 8 pt, with the cell's padding) would
    not fit: English wraps between words, and a word wider than its column is cut in two."""
    pdf.set_font(FONT, "B", 8)
    return [max(w, max(pdf.get_string_width(word) for word in h.split()) + 3.2) for h, w in zip(header, widths)]


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[k : k + 2], 16) for k in (0, 2, 4))


def _kpi_page(pdf: FPDF, doc: Weekly) -> None:
    t = lambda key, **kw: i18n.t(key, doc.lang, **kw)  # noqa: E731
    lang, k = doc.lang, doc.kpis
    pdf.set_font(FONT, "B", 10)
    pdf.set_text_color(192, 57, 43)
    pdf.multi_cell(WIDTH, 6, doc.headline)
    pdf.ln(1)
    _section(pdf, t("report.kpis"), t("report.about.kpis"))
    header = [t("report.metric"), t("report.value")]
    header += [t("report.col.city")] if doc.scoped else []
    header += [t("report.wow"), t("report.yoy"), t("report.ytd"), t("report.ytd_yoy"), t("report.light")]
    rows, fills = [], {}
    rag = {t(f"rag.{r}"): _rgb(c) for r, c in figures.RAG_COLORS.items()}
    for i, (unit, change) in enumerate(doc.units):
        row = k.iloc[i]
        cells = [str(row[t("report.metric")]), numbers.show(row[t("report.value")], unit, lang)]
        cells += [numbers.show(row[t("report.col.city")], unit, lang)] if doc.scoped else []
        cells += [_change(row[t(c)], lang, change) for c in ("report.wow", "report.yoy")]
        cells += [
            numbers.show(row[t("report.ytd")], unit, lang),
            _change(row[t("report.ytd_yoy")], lang, change),
        ]
        cells.append(str(row[t("report.light")]))
        if cells[-1] in rag:
            fills[(i, len(cells) - 1)] = rag[cells[-1]]
        rows.append(cells)
    first = 77 if doc.scoped else 107
    widths = [first, 30] + ([30] if doc.scoped else []) + [32, 32, 30, 32, 14]
    _table(pdf, header, rows, widths, set(range(1, len(header))), fills)
    y, height = pdf.get_y() + 2, 190 + 10 - pdf.get_y() - 6
    trend = doc.sales_trend
    week_col = t("col.week")
    sales = charts.Plot(
        t("report.chart.sales", n=len(trend)),
        list(trend[week_col]),
        lines={c: list(trend[c]) for c in trend.columns if c != week_col},
        unit="qty",
    )
    charts.draw(pdf, sales, 10, y, WIDTH / 2 - 4, height, FONT, lang)
    cover, low, high = doc.cover, doc.band["ratio_low"], doc.band["ratio_high"]
    name_col, ratio_col = cover.columns[0], cover.columns[1]
    shown = lambda v: numbers.show(v, "weeks", lang, with_unit=False)  # noqa: E731
    ratio = charts.Plot(
        t("report.chart.cover", low=shown(low), high=shown(high)),
        [str(n).replace("片区", "") for n in cover[name_col]],
        bars={t("kpi.ratio"): list(cover[ratio_col])},
        unit="weeks",
        band=(low, high),
        band_label=f"{t('report.series.low')}–{t('report.series.high')}",
        labels=len(cover) <= 16,
    )
    charts.draw(pdf, ratio, 10 + WIDTH / 2 + 4, y, WIDTH / 2 - 4, height, FONT, lang)


def _alert_page(pdf: FPDF, doc: Weekly) -> None:
    t = lambda key, **kw: i18n.t(key, doc.lang, **kw)  # noqa: E731
    a = doc.alerts
    _room(pdf, 60)
    _section(pdf, t("report.top_alerts", total=len(a)), _more(doc, len(a), TOP_ALERTS, "alerts"))
    if a.empty:
        pdf.cell(0, 6, t("report.none"))
        return
    columns = ["col.severity", "col.kind", "col.reason", "col.territory", "col.cm", "col.since", "col.weeks_running"]
    widths = [13, 20, 140, 24, 34, 26, 20] if doc.lang == "zh" else [17, 26, 128, 24, 34, 26, 22]
    if t("col.action") in a:  # what to do about it, where the alert list suggests it
        columns.insert(5, "col.action")
        widths = [12, 18, 108, 20, 30, 44, 24, 21] if doc.lang == "zh" else [16, 24, 100, 20, 30, 46, 22, 19]
    rows = [[_text(r[t(c)]) for c in columns] for _, r in a.head(TOP_ALERTS).iterrows()]
    severity = {t("severity.high"): (192, 57, 43), t("severity.medium"): (230, 126, 34)}
    fills = {(i, 0): severity[r[0]] for i, r in enumerate(rows) if r[0] in severity}
    _table(pdf, [t(c) for c in columns], rows, widths, {len(columns) - 1}, fills)


def _market_page(pdf: FPDF, doc: Weekly) -> None:
    t = lambda key, **kw: i18n.t(key, doc.lang, **kw)  # noqa: E731
    lang, s = doc.lang, doc.state_raw
    counts = s["state"].value_counts()
    _room(pdf, ROW_MM * (min(doc.exceptions, TOP_EXCEPTIONS) + 1) + 12)  # the table whole, not split over pages
    note = t("report.state_counts", **{k: int(counts.get(k, 0)) for k in ("tight", "loose", "balanced")})
    _section(pdf, t("report.exceptions"), note + "  " + _more(doc, doc.exceptions, TOP_EXCEPTIONS, "state"))
    cells = s[s["state"] != "balanced"].head(TOP_EXCEPTIONS)
    if cells.empty:
        pdf.cell(0, 6, t("report.none"))
        pdf.ln(8)
    else:
        header = [
            t("col.spec"),
            t("col.brand"),
            t("col.territory"),
            t("col.state"),
            t("col.ratio"),
            t("col.price_index"),
        ]
        header += [t("col.score")] if "state_score" in cells else []
        rows = [
            [
                str(r["spec_name"]),
                str(r["brand"]),
                str(r["territory_name"]),
                i18n.state(r["state"], lang),
                numbers.show(r["ratio"], "weeks", lang, with_unit=False),
                numbers.show(r["price_index"], "index", lang, with_unit=False),
                *([numbers.fmt(r["state_score"], 1)] if "state_score" in cells else []),
            ]
            for _, r in cells.iterrows()
        ]
        fills = {
            (i, 3): _rgb(figures.STATE_COLORS[r]) for i, r in enumerate(cells["state"]) if r in figures.STATE_COLORS
        }
        _table(pdf, header, rows, [60, 30, 40, 26, 36, 36, 36][: len(header)], {4, 5, 6}, fills)
    share, weeks = doc.target
    _room(pdf, 80)
    _section(pdf, t("report.brand_progress", target=numbers.fmt(share, 0), weeks=weeks))
    b = doc.brands
    if b.empty:
        pdf.cell(0, 6, t("report.none"))
        return
    keys = ["col.spec", "col.weeks_since_launch", "col.distribution", "report.col.target", "report.col.vs_target"]
    keys += ["report.col.city_distribution"] if doc.scoped else []
    keys += ["col.shelf", "col.sellthrough", "col.repeat"]
    units = {"col.spec": None, "col.weeks_since_launch": "count", "report.col.vs_target": "points"}
    rows = [
        [_text(r[t(c)]) if units.get(c, "pct") is None else _number(r[t(c)], units.get(c, "pct"), lang) for c in keys]
        for _, r in b.head(8).iterrows()
    ]
    y = pdf.get_y()
    widths = [40] + [19 if lang == "zh" or doc.scoped else 22] * (len(keys) - 1)  # room for the chart
    widths = _fit_words(pdf, [t(c) for c in keys], widths)
    _table(pdf, [t(c) for c in keys], rows, widths, set(range(1, len(keys))), None)
    plot = charts.Plot(
        t("report.chart.brands"),
        [str(n) for n in b[t("col.spec")].head(8)],
        bars={t("col.distribution"): list(b[t("col.distribution")].head(8))}
        | (
            {t("report.col.city_distribution"): list(b[t("report.col.city_distribution")].head(8))}
            if doc.scoped
            else {}
        ),
        marks={t("report.series.target"): list(b[t("report.col.target")].head(8))},
        unit="pct",
        labels=True,
        top=100,
    )
    left = 10 + sum(widths) + 6
    charts.draw(pdf, plot, left, y - 8, 10 + WIDTH - left, 72, FONT, lang)
    pdf.set_y(max(pdf.get_y(), y + 68))


def _people_page(pdf: FPDF, doc: Weekly) -> None:
    t = lambda key, **kw: i18n.t(key, doc.lang, **kw)  # noqa: E731
    lang, card = doc.lang, doc.scorecard
    _room(pdf, ROW_MM * (min(doc.flagged, TOP_CMS) + 1) + 12)
    _section(pdf, t("report.scorecard_exceptions"), _more(doc, doc.flagged, TOP_CMS, "scorecard"))
    flagged = card[card[t("report.col.flags")] != ""].head(TOP_CMS)
    if flagged.empty:
        pdf.cell(0, 6, t("report.none"))
        return
    keys = ["col.cm", "report.col.flags", "col.retailers", "col.visit_rate", "col.unvisited", "col.on_time_rate"]
    keys += ["col.copy_rate", "col.sales", "col.sales_growth", "col.new_brand_dist"]
    units = {"col.cm": None, "report.col.flags": None, "col.retailers": "count", "col.unvisited": "count"}
    units |= {"col.sales": "qty", "col.sales_growth": "points"}
    rows = [
        [_text(r[t(c)]) if units.get(c, "pct") is None else _number(r[t(c)], units.get(c, "pct"), lang) for c in keys]
        for _, r in flagged.iterrows()
    ]
    widths = [24, 73] + [22.5] * 8
    _table(pdf, [t(c) for c in keys], rows, widths, set(range(2, len(keys))), None)


def _more(doc: Weekly, total: int, shown: int, sheet: str) -> str:
    if total <= shown:
        return ""
    return i18n.t("report.more", doc.lang, n=total - shown, sheet=i18n.t(f"report.sheet.{sheet}", doc.lang))


def _number(value, unit: str, lang: str) -> str:
    """A table number in its unit's precision, the unit word left to the column header."""
    if unit == "points":  # a change column: signed
        v = numbers.value_of(value)
        return numbers.UNDEFINED if v is None else ("+" if v > 0 else "") + numbers.fmt(v, 1)
    return numbers.show(value, unit, lang, with_unit=False)


def _change(value, lang: str, unit: str) -> str:
    """A signed change, rounded to its shown digits first so that -0.02 reads 0.0, not -0.0."""
    v = numbers.value_of(value)
    return numbers.change(None if v is None else round(v, numbers.DIGITS.get(unit, 1)) + 0.0, lang, unit)


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
