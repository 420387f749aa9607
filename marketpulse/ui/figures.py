"""Plotly figures in one house style: CJK font, fixed colours for states and traffic lights,
titles that say what is shown and for which filter, "—" where a number is undefined.

Every function takes a tidy frame and already-translated labels; none queries the store.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio

from marketpulse import numbers
from marketpulse.ui.palette import SERIES_COLORS, SERIES_DASHES, line_traces

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
# every figure's template, given as each is made: set again on a made figure it is validated and
# copied anew, 15–20 ms a chart
pio.templates.default = "plotly_white"

# 市场状态: 紧俏 warm, 平衡 green, 宽松 cool — the same everywhere, tables included.
STATE_COLORS = {"tight": "#D9534F", "balanced": "#5CB85C", "loose": "#4A7FC1"}
STATE_ORDER = ("tight", "balanced", "loose")
# Traffic lights against the monitoring bands.
RAG_COLORS = {"red": "#D62728", "amber": "#F0A30A", "green": "#2CA02C"}
BAND_FILL = "rgba(92, 184, 92, 0.10)"
# where a price index stands: at or above the suggested price is calm, below the loose line warns
PRICE_COLORS = {"tight": "#2E6E8E", "balanced": "#9AA5B1", "loose": "#E07B1F"}
INDEX_SPAN = 2.0  # an index axis shows at least 100 ± this, so noise does not look like a swing
D3 = {"qty": ",.0f", "count": ",.0f", "money": ",.0f", "avg_qty": ",.1f", "weeks": ".2f", "index": ".1f", "pct": ".1f"}


def _y_format(unit: str | None) -> str:
    return D3.get(unit or "", ",.1f")


def hover(fig: go.Figure, x_title: str, y_title: str, unit: str | None, dated: bool, horizontal: bool = False) -> None:
    """Hovers in words: the series, then each axis's title with its value in the unit's precision."""
    x, y = ("y", "x") if horizontal else ("x", "y")
    when = f"%{{{x}|%Y-%m-%d}}" if dated else f"%{{{x}}}"
    suffix = "%" if unit == "pct" else ""
    fig.update_traces(
        hovertemplate=f"<b>%{{fullData.name}}</b><br>{x_title}:{when}<br>{y_title}:%{{{y}:{_y_format(unit)}}}{suffix}"
        "<extra></extra>"
    )


def large_ticks(fig: go.Figure, values: pd.Series, lang: str, axis: str = "y") -> None:
    """Axis ticks for large totals the Chinese way (2万, 4万 …) instead of 20k."""
    if not len(values) or lang != "zh" or float(values.abs().max()) < 1e4:
        return
    top = float(values.max())
    step = 10 ** int(f"{top / 5:e}".split("e")[1])
    for m in (1, 2, 5, 10):
        if top / (step * m) <= 6:
            step *= m
            break
    ticks = [i * step for i in range(int(top // step) + 2)]
    (fig.update_yaxes if axis == "y" else fig.update_xaxes)(
        tickvals=ticks, ticktext=[numbers.large(v, lang) for v in ticks]
    )


NARROW = 420  # px a chart may be given (half a laptop page): titles wrap and legends are sized for it
LEGEND_ROW = 21  # px one row of legend entries takes
TITLE_LINE = 22  # px one line of the title takes


def _text_px(text: str, size: float) -> float:
    """Roughly how wide a text is at a font size: CJK a full em, latin and digits about 0.55 em."""
    return sum(size if ord(ch) > 0x2E80 else 0.55 * size for ch in text)


def wrap_title(title: str, width: float = NARROW, size: float = 16) -> list[str]:
    """A title as lines that fit `width`, broken after a colon, a comma or a space where it can,
    so a long title on a half-page chart reads whole instead of running off its right edge."""
    lines, rest = [], title
    while _text_px(rest, size) > width:
        fits = max(1, sum(_text_px(rest[:k], size) <= width for k in range(1, len(rest) + 1)))
        breaks = [i + 1 for i, ch in enumerate(rest[:fits]) if ch in ":: ,,、·" and i + 1 > fits // 2]
        cut = breaks[-1] if breaks else fits
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*lines, rest] if rest else lines


def legend_entries(fig: go.Figure) -> list[str]:
    """The names the figure's legend will show."""
    many = len(fig.data) > 1  # plotly shows a lone trace without a legend
    shown = [t for t in fig.data if t.showlegend or (t.showlegend is None and many and t.type != "heatmap")]
    return list(dict.fromkeys(t.name for t in shown if t.name))


def legend_rows(names: list[str], width: float = NARROW, size: float = 13) -> int:
    """How many rows a horizontal legend of these names takes in `width`: plotly lines its entries
    up in columns as wide as the widest entry (its symbol and gap about 45 px)."""
    entry = 45 + max((_text_px(n, size) for n in names), default=0)
    return -(-len(names) // max(1, int(width // entry))) if names else 0


def style(fig: go.Figure, title: str, subtitle: str = "", height: int = 360) -> go.Figure:
    """Apply the house layout: title (what, wrapped to fit a half-page chart) and subtitle (for
    which filter), font, margins, and the legend under the plot, the figure taller by the rows it
    takes, so no number of entries covers the title or shrinks the plot."""
    lines = wrap_title(title)
    extra = TITLE_LINE * (len(lines) - 1)
    rows = legend_rows(legend_entries(fig))
    height += extra + (LEGEND_ROW * rows + 8 if rows else 0)
    fig.update_layout(
        title={
            "text": "<br>".join(f"<b>{line}</b>" for line in lines),
            "x": 0.01,
            "xanchor": "left",
            "y": 1 - (10 + extra) / height,  # plotly anchors a wrapped title by its last line
            "yanchor": "top",
            "yref": "container",
            "font": {"size": 16},
            "subtitle": {"text": subtitle, "font": {"size": 12, "color": "#666"}},
        },
        font={"family": FONT, "size": 13, "color": "#222"},
        height=height,
        margin={"l": 10, "r": 10, "t": (72 if subtitle else 50) + extra, "b": 10},
        # at the foot of the figure: plotly keeps the axis title clear of it and never scrolls it
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "title": None, "maxheight": 1},
        hoverlabel={"font": {"family": FONT}},
        colorway=SERIES_COLORS,
    )
    return fig


def _is_date(frame: pd.DataFrame, column: str) -> bool:
    if not len(frame):
        return False
    return pd.api.types.is_datetime64_any_dtype(frame[column]) or isinstance(
        frame[column].iloc[0], (dt.date, pd.Timestamp)
    )


def lines(
    frame: pd.DataFrame,
    x: str,
    y: str,
    series: str | None,
    title: str,
    subtitle: str,
    x_title: str,
    y_title: str,
    band: tuple[float, float] | None = None,
    band_label: str = "",
    reference: float | None = None,
    height: int = 360,
    custom: str | None = None,
    dash: str | None = None,
    unit: str | None = None,
    lang: str = "zh",
) -> go.Figure:
    """Lines over time, one per series, with an optional shaded band (monitoring points) or a
    reference line (100 for an index, the axis then at least 100 ± INDEX_SPAN); hovers in words."""
    fig = line_traces(frame, x, y, series, dash, custom)
    if dash is None:
        for i, trace in enumerate(fig.data):
            if i >= len(SERIES_COLORS):
                trace.update(line={"dash": SERIES_DASHES[(i // len(SERIES_COLORS)) % len(SERIES_DASHES)]})
    if band is not None:
        fig.add_hrect(
            y0=band[0],
            y1=band[1],
            fillcolor=BAND_FILL,
            line_width=0,
            annotation_text=band_label,
            annotation_position="top left",
            annotation_font={"size": 11, "color": "#3A7D3A"},
        )
        for edge in band:
            fig.add_hline(y=edge, line_dash="dot", line_color="#5CB85C", line_width=1)
    if reference is not None:
        fig.add_hline(y=reference, line_dash="dash", line_color="#999", line_width=1)
    fig.update_traces(connectgaps=False)
    fig.update_xaxes(title=x_title)
    if _is_date(frame, x):
        weeks = pd.to_datetime(frame[x]).dropna()
        step = max(1, round(weeks.nunique() / 8))
        fig.update_xaxes(tickformat="%m-%d", hoverformat="%Y-%m-%d", tick0=weeks.min(), dtick=7 * 86_400_000 * step)
    values = pd.to_numeric(frame[y], errors="coerce").dropna() if len(frame) else pd.Series(dtype=float)
    if band is not None and len(values):
        fig.update_yaxes(range=[0, max(band[1] * 1.25, float(values.max()) * 1.08)])
    elif reference is not None and len(values):
        low, high = float(values.min()), float(values.max())
        pad = max(INDEX_SPAN, (high - low) * 0.1)
        fig.update_yaxes(range=[min(low, reference) - pad, max(high, reference) + pad])
    elif unit in ("qty", "count", "money", "avg_qty", "pct") and len(values) and float(values.min()) >= 0:
        fig.update_yaxes(rangemode="tozero")
    hover(fig, x_title, y_title, unit, _is_date(frame, x))
    fig.update_yaxes(title=y_title, tickformat=_y_format(unit) if unit not in ("qty", "count") else None)
    if unit in ("qty", "count", "money"):
        large_ticks(fig, values, lang)
    return style(fig, title, subtitle, height)


def bars(
    frame: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    subtitle: str,
    x_title: str,
    y_title: str,
    color: str | None = None,
    colors: dict | None = None,
    horizontal: bool = False,
    custom: str | None = None,
    reference: float | None = None,
    height: int = 360,
    text: str | None = None,
    value_range: tuple[float, float] | None = None,
    unit: str | None = None,
    lang: str = "zh",
    base: float | None = None,
    marker: str | None = None,
    marker_name: str = "",
) -> go.Figure:
    """Bars (one per category), optionally coloured by a state or traffic-light column. Bars start
    at zero, or with `base` (100 for an index) grow up or down from that reference line; `marker`
    names a column drawn as a tick on each bar (its 同期), `marker_name` its legend; hovers in words."""
    shown = frame
    if base is not None:  # each bar spans reference … value, so the axis need not start at zero
        shown = frame.assign(**{y: frame[y] - base, "_value": frame[y]})
    kwargs = {"x": y, "y": x, "orientation": "h"} if horizontal else {"x": x, "y": y}
    data = [c for c in (custom, "_value" if base is not None else None) if c]
    fig = px.bar(
        shown,
        color=color,
        color_discrete_map=colors,
        custom_data=data or None,
        text=text,
        color_discrete_sequence=SERIES_COLORS,
        **kwargs,
    )
    if reference is not None:
        if horizontal:
            fig.add_vline(x=reference, line_dash="dash", line_color="#999")
        else:
            fig.add_hline(y=reference, line_dash="dash", line_color="#999")
    if value_range is not None:
        (fig.update_xaxes if horizontal else fig.update_yaxes)(range=list(value_range))
    if not horizontal and _is_date(frame, x):
        fig.update_xaxes(tickformat="%m-%d", hoverformat="%Y-%m-%d")  # no month names in either language
    hover(fig, x_title, y_title, unit, not horizontal and _is_date(frame, x), horizontal)
    values = pd.to_numeric(frame[y], errors="coerce").dropna() if len(frame) else pd.Series(dtype=float)
    ticked = marker is not None and marker in frame and frame[marker].notna().any()
    if ticked:  # the axis holds the ticks too
        values = pd.concat([values, pd.to_numeric(frame[marker], errors="coerce").dropna()])
    if base is not None:
        at = len(data) - 1
        fig.update_traces(
            base=base,
            hovertemplate=fig.data[0].hovertemplate.replace("%{x:" if horizontal else "%{y:", f"%{{customdata[{at}]:")
            if fig.data
            else None,
        )
        if len(values):
            pad = max(INDEX_SPAN, float((values - base).abs().max()) * 1.15)
            (fig.update_xaxes if horizontal else fig.update_yaxes)(range=[base - pad, base + pad])
    elif value_range is None:
        (fig.update_xaxes if horizontal else fig.update_yaxes)(rangemode="tozero")
    if ticked:  # after the bars' own settings, which a scatter does not take
        _ticks(fig, frame, x, marker, marker_name, (x_title, y_title), unit, horizontal, custom)
    if unit in ("qty", "count", "money"):
        large_ticks(fig, values, lang, "x" if horizontal else "y")
    if horizontal:
        fig.update_xaxes(title=y_title)
        fig.update_yaxes(title=x_title, autorange="reversed")
    else:
        fig.update_xaxes(title=x_title)
        fig.update_yaxes(title=y_title)
    return style(fig, title, subtitle, height)


def dashed(fig: go.Figure, names) -> go.Figure:
    """Draw the named lines dotted: a 同期 line reads as the reference, not as one more series."""
    for name in names:
        fig.update_traces(selector={"name": name}, line={"dash": "dot"})
    return fig


def _ticks(fig, frame, x, column, name, titles, unit, horizontal, custom) -> None:
    """Each category's reference value (its 同期) as a dark tick across its bar, hovers in words;
    a click on the tick picks its bar's `custom` key, as a click on the bar does."""
    x_title, y_title = titles
    shown = frame[frame[column].notna()]
    fmt = _y_format(unit)
    suffix = "%" if unit == "pct" else ""
    value, where = ("x", "y") if horizontal else ("y", "x")
    fig.add_trace(
        go.Scatter(
            **{where: shown[x], value: shown[column]},
            mode="markers",
            name=name,
            customdata=shown[[custom]].to_numpy() if custom else None,
            marker={
                "symbol": "line-ns" if horizontal else "line-ew",
                "size": 16,
                "line": {"width": 3, "color": "#222"},
                "color": "#222",
            },
            hovertemplate=f"<b>{name}</b><br>{x_title}:%{{{where}}}<br>{y_title}:%{{{value}:{fmt}}}{suffix}<extra></extra>",
        )
    )


def forecast(
    history: pd.DataFrame,
    future: pd.DataFrame,
    festivals: list,
    labels: dict,
    title: str,
    subtitle: str,
    x_title: str,
    y_title: str,
    height: int = 400,
) -> go.Figure:
    """History and forecast with 80%/95% bands; Spring Festival weeks marked."""
    fig = go.Figure()
    fx = pd.to_datetime(future["ds"])
    for lo, hi, name, alpha in (("lo95", "hi95", labels["band95"], 0.12), ("lo80", "hi80", labels["band80"], 0.25)):
        fig.add_trace(
            go.Scatter(
                x=list(fx) + list(fx[::-1]),
                y=list(future[hi]) + list(future[lo][::-1]),
                fill="toself",
                fillcolor=f"rgba(224, 123, 31, {alpha})",
                line={"width": 0},
                mode="lines",
                name=name,
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=pd.to_datetime(history["ds"]),
            y=history["y"],
            mode="lines",
            name=labels["history"],
            line={"color": SERIES_COLORS[0], "width": 2},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=fx,
            y=future["yhat"],
            mode="lines+markers",
            name=labels["forecast"],
            line={"color": SERIES_COLORS[1], "width": 2, "dash": "dash"},
        )
    )
    start = pd.to_datetime(history["ds"]).min() if len(history) else fx.min()
    for week in festivals:
        when = pd.Timestamp(week)
        if start <= when <= fx.max():
            fig.add_vline(x=when, line_dash="dot", line_color="#B0413E")
            fig.add_annotation(
                x=when,
                y=0.98,
                yref="paper",
                text=labels["festival"],
                showarrow=False,
                font={"size": 11, "color": "#B0413E"},
                yanchor="top",
                xanchor="left",
                xshift=3,
            )
    fig.update_xaxes(title=x_title, tickformat="%Y-%m", hoverformat="%Y-%m-%d")
    fig.update_yaxes(title=y_title, rangemode="tozero")
    return style(fig, title, subtitle, height)
