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

TOP = 3  # specs named per kind on a card, the most pressing first; the rest are counted
ALERTS_SHOWN = 2  # alert sentences written out on a card

CSS = """
<style>
.mp-card-head {font-weight:600;font-size:16px;color:#1F2D3D;line-height:1.3}
.mp-card-sub {font-size:12px;color:#666;margin-bottom:4px}
.mp-tag {display:inline-block;border-radius:4px;padding:1px 6px;margin:2px 4px 2px 0;font-size:13px;line-height:1.5}
.mp-tag-stockout {background:#FBE9E8;color:#A5322E}
.mp-tag-overstock {background:#E8F0FA;color:#2F5E99}
.mp-tag-push {background:#EAF6EC;color:#2E7D32}
.mp-tag-price {background:#FFF4E0;color:#8A5300}
.mp-todo {margin:2px 0;line-height:1.6}
.mp-todo-label {font-size:13px;font-weight:600;color:#1F2D3D;margin-right:4px}
.mp-alert-line {font-size:13px;color:#6A3C7E;background:#F3E8F7;border-radius:4px;padding:1px 6px;margin:2px 0;
  overflow-wrap:anywhere}
.mp-note {font-size:13px;color:#333;background:#F7F7F7;border-radius:4px;padding:4px 6px;margin-top:4px;
  overflow-wrap:anywhere}
</style>
"""


def style() -> None:
    st.markdown(CSS, unsafe_allow_html=True)


def _line(kind: str, label: str, items: list[str], more: str) -> str:
    """One kind of work on one line: its label with the count, the first TOP items, "+N more"."""
    if not items:
        return ""
    chips = "".join(f'<span class="mp-tag mp-tag-{kind}">{html.escape(x)}</span>' for x in items[:TOP])
    rest = f'<span class="mp-card-sub">{html.escape(more)}</span>' if len(items) > TOP else ""
    return f'<div class="mp-todo"><span class="mp-todo-label">{html.escape(label)}</span> {chips}{rest}</div>'


def price_chip(name: str, price: float, suggested: float, pct: float, lang: str) -> str:
    """A spec priced off: "中华(软) 687.0 元/条(建议 650.0,+5.7%)"."""
    return i18n.t(
        "route.price_chip",
        lang,
        spec=name,
        price=numbers.show(price, "price", lang),
        suggested=numbers.show(suggested, "price", lang, with_unit=False),
        pct=numbers.change(pct, lang),
    )


def todo(row: pd.Series, lang: str, tolerance: float) -> list[tuple[str, str, list[str]]]:
    """What the card asks for, in the order to act: (kind, label with count, items most pressing first).

    Push the new specs not yet carried, restock what is running out, check the prices off the
    suggested price by more than the tolerance (价格执行率's band), hold back what piles up."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    prices = [price_chip(*x, lang) for x in row["price_off"]]
    band = numbers.show(tolerance * 100, "pct", lang)
    kinds = [
        ("push", t("route.do_push", n=len(row["push"])), list(row["push"])),
        ("stockout", t("route.do_restock", n=len(row["stockout"])), list(row["stockout"])),
        ("price", t("route.do_price", n=len(prices), band=band), prices),
        ("overstock", t("route.do_overstock", n=len(row["overstock"])), list(row["overstock"])),
    ]
    return [k for k in kinds if k[2]]


def card(row: pd.Series, lang: str, tolerance: float) -> str:
    """One retailer's card as HTML: name and last visit, then what to do (one line per kind of
    work, counted, its first few specs named), the alerts and the last notes. `tolerance` is the
    price band the route's prices were judged by (0.02: ±2%)."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    if pd.isna(row["last_visit_date"]):
        last = t("route.never")
    else:
        weeks = int(row["weeks_since_visit"])
        ago = {0: t("route.this_week"), 1: t("route.one_week_ago")}.get(weeks) or t("route.weeks_ago", n=weeks)
        last = t("route.last_visit", date=pd.Timestamp(row["last_visit_date"]).date().isoformat(), ago=ago)
    about = [str(row["license_no"]), str(i18n.value(row["format"], lang)), t("route.tier", tier=int(row["tier"])), last]
    parts = [
        f'<div class="mp-card-head">{html.escape(str(row["retailer_name"]))}</div>',
        f'<div class="mp-card-sub">{html.escape(" · ".join(about))}</div>',
    ]
    work = todo(row, lang, tolerance)
    parts += [_line(kind, label, items, t("route.more", n=len(items) - TOP)) for kind, label, items in work]
    alerts = list(row["alerts_zh" if lang == "zh" else "alerts_en"])
    if alerts:
        shown = "".join(f'<div class="mp-alert-line">{html.escape(a)}</div>' for a in alerts[:ALERTS_SHOWN])
        extra = len(alerts) - ALERTS_SHOWN
        rest = f'<div class="mp-card-sub">{html.escape(t("route.more", n=extra))}</div>' if extra > 0 else ""
        label = html.escape(t("route.alerts_n", n=len(alerts)))
        parts.append(f'<div class="mp-todo"><span class="mp-todo-label">{label}</span>{shown}{rest}</div>')
    if isinstance(row["notes"], str) and row["notes"].strip():
        parts.append(f'<div class="mp-note">{html.escape(t("route.notes"))}{html.escape(row["notes"])}</div>')
    if not work and not alerts:
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
    # a price that barely moves would tick 124, 124, 124 in whole 元: the axis spans at least ±2 元
    prices = pd.to_numeric(mine["retail_price"], errors="coerce").dropna()
    span = {}
    if len(prices):
        low, high = float(prices.min()), float(prices.max())
        pad = max(2.0, (high - low) * 0.15)
        span = {"range": [low - pad, high + pad]}
    fig.update_yaxes(title_text=t("axis.retail_price"), secondary_y=True, showgrid=False, tickformat=",.0f", **span)
    fig.update_xaxes(tickformat="%m-%d")
    return fig
