"""What every page draws with: the header and its freshness line, the empty state, tables with
CSV and Excel downloads, plotly charts (clickable for drill-down), KPI cards and their texts.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from marketpulse import export, i18n, numbers, views
from marketpulse.ui import figures
from marketpulse.ui.shell import Filters, load

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def header(f: Filters, title_key: str, lead_key: str | None = None):
    """Page title, one-line purpose, and how fresh the data is: the slot of that line, which a
    page that changes the data redraws (`freshness`) once it has, since it was drawn before."""
    st.title(f.t(title_key))
    if lead_key:
        st.caption(f.t(lead_key))
    slot = st.empty()
    freshness(f, slot)
    return slot


def freshness(f: Filters, slot) -> None:
    """How fresh the data is, as the store now stands, drawn into `slot`: the latest week, when
    the last import ran, and the 片区 behind it."""
    fresh = load(views.freshness, f.scope())
    if fresh.latest_week is None:
        slot.caption(f.t("fresh.none"))
        return
    line = f.t("fresh.latest", week=fresh.latest_week.isoformat())
    if fresh.imported_at is not None:
        line += f.t("fresh.imported", at=fresh.imported_at.strftime("%Y-%m-%d %H:%M"))
    lagging = fresh.by_territory[fresh.by_territory["latest_week"] < fresh.latest_week]
    if len(lagging):
        line += f.t(
            "fresh.lagging",
            items="、".join(f"{r.territory_name} {r.latest_week.isoformat()}" for r in lagging.itertuples()),
        )
    slot.caption(":material/schedule: " + line)


def empty(f: Filters, key: str = "empty.week") -> None:
    """Say in words that there is nothing to show."""
    st.info(f.t(key))


def number(value, lang: str, digits: int = 1) -> str:
    """A total for display: 万/亿 in Chinese, M in English, thousands separators (numbers.large)."""
    return numbers.large(value, lang, digits)


def change(value, lang: str, points: bool = False, unit: str | None = None) -> str:
    """A week-on-week or same-period change: +3.2%, +1.5个百分点 for a rate, +0.4点 for an index."""
    return numbers.change(value, lang, unit or ("points" if points else "pct"))


# cards in one row are one height (the columns stretch, each card fills its column) and a card's
# value shrinks to fit its width (a container query) instead of running over its edge
KPI_CSS = """<style>
[data-testid="stHorizontalBlock"]:has(.mp-kpi) {align-items:stretch}
[data-testid="stColumn"]:has(.mp-kpi) > div, [data-testid="stColumn"]:has(.mp-kpi) [data-testid="stVerticalBlock"],
[data-testid="stColumn"]:has(.mp-kpi) [data-testid="stElementContainer"],
[data-testid="stColumn"]:has(.mp-kpi) [data-testid="stMarkdown"],
[data-testid="stColumn"]:has(.mp-kpi) [data-testid="stMarkdown"] > div,
[data-testid="stColumn"]:has(.mp-kpi) [data-testid="stMarkdownContainer"] {height:100%}
.mp-kpi {min-height:100%;box-sizing:border-box;display:flex;flex-direction:column;container-type:inline-size}
.mp-kpi .mp-kpi-city {margin-top:auto}
.mp-kpi > div {flex-shrink:0}
[data-testid="stColumn"]:has(.mp-kpi) [data-testid="stMarkdownContainer"] {margin-bottom:0}
.mp-kpi[data-lines="2"] .mp-kpi-label {min-height:2.5em}
</style>"""
LABEL_LINE = 15  # characters of a card label (a CJK character counts two) that fit one line on a laptop


def _ems(html: str) -> float:
    """How wide a card value is in ems of its font: digits and latin ~0.6 em, CJK 1 em, the unit
    (a span at 0.64 em) scaled down; the tags themselves take no room."""
    width, scale, tag = 0.0, 1.0, False
    for part in html.replace("<span", "\0<span").replace("</span>", "\0").split("\0"):
        scale = 0.64 if part.startswith("<span") else 1.0
        tag = False
        for ch in part:
            if ch in "<>":
                tag = ch == "<"
                continue
            if not tag:
                width += scale * (1.0 if ord(ch) > 0x2E80 else 0.6)
    return width


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def kpi_cards(cards: list[dict], lang: str) -> None:
    """Headline numbers: value, week-on-week, same period, coloured by their traffic light; below
    them the year to date and 累计同比 when a card has "ytd" (None: kept blank, so cards align),
    and the whole city's value when a card has "city" (a territory's cards). Cards keep one height;
    a long value ("298,929 cartons") shrinks to its card's width; a long label keeps two lines on all."""
    two_lines = any(_width(str(c["label"])) > LABEL_LINE for c in cards)
    for i, (col, card) in enumerate(zip(st.columns(len(cards)), cards)):
        colour = figures.RAG_COLORS.get(card.get("rag"), "#BBB")
        ytd = ""
        if "ytd" in card:
            lines = (
                f"{i18n.t('kpi.ytd', lang)} {card['ytd']}<br>{i18n.t('kpi.ytd_yoy', lang)} {card['ytd_yoy']}"
                if card["ytd"] is not None
                else "&nbsp;<br>&nbsp;"
            )
            # room for a wrapped line, so the cards keep one height; a line breaks between words
            style = "margin-top:4px;padding-top:3px;border-top:1px dashed #e6e6e6;min-height:4.6em;word-break:keep-all"
            ytd = f'<div class="mp-kpi-delta" style="{style}">{lines}</div>'
        size = f"font-size:min(22px, calc(100cqi / {max(_ems(str(card['value'])), 1.0):.2f}))"
        bench = ""
        if card.get("city") is not None:
            bench = f'<div class="mp-kpi-delta mp-kpi-city">{i18n.t("kpi.city", lang)} {card["city"]}</div>'
        col.markdown(
            f"""<div class="mp-kpi" data-lines="{2 if two_lines else 1}" style="border-left:5px solid {colour}">
            <div class="mp-kpi-label">{card["label"]}</div>
            <div class="mp-kpi-value" style="{size}">{card["value"]}</div>
            <div class="mp-kpi-delta">{i18n.t("kpi.wow", lang)} {card["wow"]}<br>{i18n.t("kpi.yoy", lang)} {card["yoy"]}</div>
            {ytd}{bench}</div>{KPI_CSS if i == 0 else ""}""",
            unsafe_allow_html=True,
        )


# the unit of each table column, by its header's i18n key: one format per column everywhere
COLUMN_UNITS = {
    # the supply plan's totals, in whole cartons
    "plan.col.forecast": "qty",
    "plan.col.planned": "qty",
    "plan.col.supplied_last": "qty",
    "plan.col.supplied_4w": "qty",
    "plan.col.supplied_last_year": "qty",
    "plan.col.total": "qty",
    "col.stock": "qty",
    "col.sales": "qty",
    "col.recommended": "qty",
    "col.plan_total": "qty",
    "col.forecast": "qty",
    "col.avg_sales": "avg_qty",
    "col.per_store": "avg_qty",
    "col.weight": "avg_qty",
    "col.ratio": "weeks",
    "col.mase": "ratio",
    "col.mase_model": "ratio",
    "col.mase_seasonal": "ratio",
    "col.mase_festival": "ratio",
    "col.price_index": "index",
    "col.score": "index",
    "col.cover_score": "index",
    "col.price_score": "index",
    "col.margin_score": "index",
    "col.retailers": "count",
    "col.unvisited": "count",
    "col.observations": "count",
    "col.above": "count",
    "col.below": "count",
    "col.distributed": "count",
    "col.active": "count",
    "col.spec_lines": "count",
}
SIGNED = {
    "col.vs_city": "points",
    "report.col.vs_target": "points",
    "plan.col.change": "pct",
    "col.sales_growth": "pct",
    "col.change": "pct",
}


def column_formats(frame: pd.DataFrame, lang: str) -> dict:
    """Number formats for the frame's known columns: whole cartons with separators, 存销比 to
    0.01, indices to 0.1, rates with "%", changes signed; the values stay numbers for export."""
    config = {}
    by_header = {i18n.t(k, lang): (u, False) for k, u in COLUMN_UNITS.items()}
    by_header.update({i18n.t(k, lang): (u, True) for k, u in SIGNED.items()})
    for column in frame.columns:
        if column in by_header and pd.api.types.is_numeric_dtype(frame[column]):
            unit, signed = by_header[column]
            config[column] = st.column_config.NumberColumn(format=numbers.column_format(unit, signed))
        elif isinstance(column, str) and column.endswith("%") and pd.api.types.is_numeric_dtype(frame[column]):
            config[column] = st.column_config.NumberColumn(format=numbers.column_format("pct"))
    return config


def file_name(f: Filters, name: str, suffix: str) -> str:
    """A download's name in the page's language: 存销比_2026-11-23.xlsx."""
    key = f"file.{name}"
    stem = f.t(key) if key in i18n.TEXT else name
    return f"{stem}_{f.week_to or 'all'}.{suffix}"


def table(
    frame: pd.DataFrame,
    f: Filters,
    name: str,
    key: str,
    height: int | None = None,
    column_config: dict | None = None,
    selectable: bool = False,
    static: bool = False,
):
    """A table with CSV and Excel download buttons (built when clicked); returns the selection
    when selectable. `static` draws a plain table whose long texts wrap (the glossary)."""
    if frame is None or frame.empty:
        empty(f)
        return None
    if static:
        st.table(frame.set_index(frame.columns[0]))
        event = None
    else:
        event = st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            height=height or min(460, 38 + 35 * len(frame)),
            key=key,
            column_config={**column_formats(frame, f.lang), **(column_config or {})},
            on_select="rerun" if selectable else "ignore",
            selection_mode="single-row" if selectable else "multi-row",
            placeholder="—",  # undefined (a ratio over nothing, a series without MASE) reads "—", not "None"
        )
    downloads(frame, f, name, key)
    return event if selectable else None


def downloads(frame: pd.DataFrame, f: Filters, name: str, key: str) -> None:
    """CSV and Excel buttons for a frame; each file is built when its button is clicked."""
    row = st.container(horizontal=True)
    row.download_button(
        f.t("download.csv"),
        lambda: export.csv_bytes(frame),
        file_name(f, name, "csv"),
        "text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="ignore",
    )
    row.download_button(
        f.t("download.xlsx"),
        lambda: export.xlsx_bytes([export.Sheet(file_name(f, name, "xlsx")[:-5][:31], frame)]),
        file_name(f, name, "xlsx"),
        XLSX,
        key=f"{key}_xlsx",
        icon=":material/table_view:",
        on_click="ignore",
    )


def chart(fig, key: str, clickable: bool = False, pick: str = "customdata") -> list:
    """Draw a plotly figure; when clickable, return `pick` ("x", "y", "customdata") of clicked points."""
    event = st.plotly_chart(
        fig,
        width="stretch",
        key=key,
        on_select="rerun" if clickable else "ignore",
        selection_mode=("points",) if clickable else ("points", "box", "lasso"),
        config={"displaylogo": False},
    )
    if not clickable or not event:
        return []
    points = (event.get("selection") or {}).get("points") or []
    picked = [p.get(pick) for p in points if p.get(pick) is not None]
    return [v[0] if isinstance(v, list) and v else v for v in picked]


WEEK_MS = 7 * 24 * 3600 * 1000  # a week on a plotly date axis
MAX_TICKS = 8


def monday_ticks(fig, weeks: int):
    """Date ticks on Mondays (the weeks start there), one every week or every few weeks."""
    step = max(1, -(-weeks // MAX_TICKS))
    return fig.update_xaxes(tickmode="linear", tick0=dt.date(2024, 1, 1).isoformat(), dtick=step * WEEK_MS)
