"""The customer manager's page parts, phone first: a retailer card, the manager's own week, and a
retailer's spec history in one small chart. Everything stacks in one column on a narrow screen."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from marketpulse import i18n, numbers
from marketpulse.ui.figures import FONT, SERIES_COLORS, STATE_COLORS

CSS = """
<style>
.mp-card-head {font-weight:600;font-size:16px;color:#1F2D3D;line-height:1.3}
.mp-card-sub {font-size:12px;color:#666;margin-bottom:4px}
.mp-tag {display:inline-block;border-radius:4px;padding:1px 6px;margin:2px 4px 2px 0;font-size:13px;line-height:1.5}
.mp-tag-stockout {background:#FBE9E8;color:#A5322E}
.mp-tag-overstock {background:#E8F0FA;color:#2F5E99}
.mp-tag-push {background:#EAF6EC;color:#2E7D32}
.mp-tag-price {background:#FFF4E0;color:#8A5300}
.mp-tag-alert {background:#F3E8F7;color:#6A3C7E}
.mp-note {font-size:13px;color:#333;background:#F7F7F7;border-radius:4px;padding:4px 6px;margin-top:4px;
  overflow-wrap:anywhere}
</style>
"""


def style() -> None:
    st.markdown(CSS, unsafe_allow_html=True)


def _tags(kind: str, label: str, items: list[str]) -> str:
    if not items:
        return ""
    chips = "".join(f'<span class="mp-tag mp-tag-{kind}">{html.escape(x)}</span>' for x in items)
    return f'<div><span class="mp-card-sub">{html.escape(label)}</span> {chips}</div>'


def card(row: pd.Series, lang: str) -> str:
    """One retailer's card as HTML: name, last visit and notes, what to act on."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    if pd.isna(row["last_visit_date"]):
        last = t("route.never")
    else:
        weeks = int(row["weeks_since_visit"])
        ago = t("route.this_week") if weeks == 0 else t("route.weeks_ago", n=weeks)
        last = t("route.last_visit", date=pd.Timestamp(row["last_visit_date"]).date().isoformat(), ago=ago)
    about = [str(row["license_no"]), str(i18n.value(row["format"], lang)), t("route.tier", tier=int(row["tier"])), last]
    parts = [
        f'<div class="mp-card-head">{html.escape(str(row["retailer_name"]))}</div>',
        f'<div class="mp-card-sub">{html.escape(" · ".join(about))}</div>',
    ]
    price = [
        f"{n} {numbers.show(p, 'price', lang, with_unit=False)}/{numbers.show(s, 'price', lang, with_unit=False)}"
        for n, p, s in row["price_off"]
    ]
    parts += [
        _tags("alert", t("route.alerts"), row["alerts_zh" if lang == "zh" else "alerts_en"]),
        _tags("stockout", t("route.stockout"), row["stockout"]),
        _tags("overstock", t("route.overstock"), row["overstock"]),
        _tags("push", t("route.push"), row["push"]),
        _tags("price", t("route.price_off"), price),
    ]
    if isinstance(row["notes"], str) and row["notes"].strip():
        parts.append(f'<div class="mp-note">{html.escape(t("route.notes"))}{html.escape(row["notes"])}</div>')
    if not any((row["stockout"], row["overstock"], row["push"], row["price_off"], row["alerts_zh"])):
        parts.append(f'<div class="mp-card-sub">{html.escape(t("route.nothing"))}</div>')
    return "".join(parts)


def history_chart(frame: pd.DataFrame, spec: str, lang: str) -> go.Figure:
    """One spec's weeks at one retailer: stock and sales as bars (条), price as a line (元/条)."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    mine = frame[frame["spec_code"] == spec]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(x=mine["week"], y=mine["stock_qty"], name=t("route.stock"), marker_color=SERIES_COLORS[0])
    fig.add_bar(x=mine["week"], y=mine["sales_qty"], name=t("route.sales"), marker_color=SERIES_COLORS[2])
    fig.add_scatter(
        x=mine["week"],
        y=mine["retail_price"],
        name=t("route.price"),
        mode="lines+markers",
        line={"color": STATE_COLORS["tight"]},
        secondary_y=True,
        connectgaps=True,
    )
    fig.update_layout(
        height=260,
        margin={"l": 4, "r": 4, "t": 8, "b": 4},
        font={"family": FONT, "size": 12},
        template="plotly_white",
        barmode="group",
        legend={"orientation": "h", "y": -0.25, "x": 0},
        hovermode="x unified",
    )
    fig.update_yaxes(title_text=t("unit.qty"), secondary_y=False, rangemode="tozero", tickformat=",.0f")
    fig.update_yaxes(title_text=t("unit.price"), secondary_y=True, showgrid=False, tickformat=",.0f")
    fig.update_xaxes(tickformat="%m-%d")
    return fig
