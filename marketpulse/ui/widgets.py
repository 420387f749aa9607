"""What every page draws with: the header and its freshness line, the empty state, tables with
CSV and Excel downloads, plotly charts (clickable for drill-down), KPI cards and their texts.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from marketpulse import export, i18n, numbers, views
from marketpulse.ui import figures
from marketpulse.ui.shell import Filters, load

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def header(f: Filters, title_key: str, lead_key: str | None = None) -> None:
    """Page title, one-line purpose, and how fresh the data is."""
    st.title(f.t(title_key))
    if lead_key:
        st.caption(f.t(lead_key))
    fresh = load(views.freshness, f.scope())
    if fresh.latest_week is None:
        st.caption(f.t("fresh.none"))
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
    st.caption(":material/schedule: " + line)


def empty(f: Filters, key: str = "empty.week") -> None:
    """Say in words that there is nothing to show."""
    st.info(f.t(key))


def number(value, lang: str, digits: int = 1) -> str:
    """A total for display: 万 for large counts in Chinese, thousands separators in English."""
    text = numbers.fmt(value, digits)
    if text == numbers.UNDEFINED:
        return text
    v = float(value)
    if lang == "zh" and abs(v) >= 1e4:
        return f"{v / 1e4:,.{max(digits, 1)}f}万"
    if lang != "zh" and abs(v) >= 1e6:
        return f"{v / 1e6:,.2f}M"
    return text


def change(value, lang: str, points: bool = False) -> str:
    """A week-on-week or same-period change: +3.2% or +1.5 pts; "—" when undefined."""
    text = numbers.fmt(value, 1)
    if text == numbers.UNDEFINED:
        return text
    sign = "+" if float(value) > 0 else ""
    return f"{sign}{text}{i18n.t('unit.points', lang) if points else '%'}"


def kpi_cards(cards: list[dict], lang: str) -> None:
    """Headline numbers: value, week-on-week, same period, coloured by their traffic light; below
    them the year to date and 累计同比 when a card has "ytd" (None: kept blank, so cards align)."""
    for col, card in zip(st.columns(len(cards)), cards):
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
        col.markdown(
            f"""<div class="mp-kpi" style="border-left:5px solid {colour}">
            <div class="mp-kpi-label">{card["label"]}</div>
            <div class="mp-kpi-value">{card["value"]}</div>
            <div class="mp-kpi-delta">{i18n.t("kpi.wow", lang)} {card["wow"]}<br>{i18n.t("kpi.yoy", lang)} {card["yoy"]}</div>
            {ytd}</div>""",
            unsafe_allow_html=True,
        )


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
    """A table with CSV and Excel download buttons; returns the selection when selectable.

    `static` draws a plain table whose long texts wrap (the glossary)."""
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
            column_config=column_config,
            on_select="rerun" if selectable else "ignore",
            selection_mode="single-row" if selectable else "multi-row",
        )
    row = st.container(horizontal=True)
    stem = f"{name}_{f.week_to or 'all'}"
    row.download_button(
        f.t("download.csv"),
        export.csv_bytes(frame),
        f"{stem}.csv",
        "text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )
    sheet = export.Sheet(name, frame)
    row.download_button(
        f.t("download.xlsx"),
        export.xlsx_bytes([sheet]),
        f"{stem}.xlsx",
        XLSX,
        key=f"{key}_xlsx",
        icon=":material/table_view:",
    )
    return event if selectable else None


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
