"""Plotly figures in one house style: CJK font, fixed colours for states and traffic lights,
titles that say what is shown and for which filter, "—" where a number is undefined.

Every function takes a tidy frame and already-translated labels; none queries the store.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from marketpulse.numbers import UNDEFINED

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"

# 市场状态: 紧俏 warm, 平衡 green, 宽松 cool — the same everywhere, tables included.
STATE_COLORS = {"tight": "#D9534F", "balanced": "#5CB85C", "loose": "#4A7FC1"}
STATE_ORDER = ("tight", "balanced", "loose")
# Traffic lights against the monitoring bands.
RAG_COLORS = {"red": "#D62728", "amber": "#F0A30A", "green": "#2CA02C"}
SERIES_COLORS = [
    "#1F5FA8",
    "#E07B1F",
    "#3A9D5D",
    "#B0413E",
    "#7A5BA6",
    "#5B8C99",
    "#C2A13B",
    "#8C564B",
    "#D16BA5",
    "#6E7B8B",
]
BAND_FILL = "rgba(92, 184, 92, 0.10)"


def style(fig: go.Figure, title: str, subtitle: str = "", height: int = 360) -> go.Figure:
    """Apply the house layout: title (what) and subtitle (for which filter), font, margins."""
    fig.update_layout(
        title={
            "text": f"<b>{title}</b>",
            "x": 0.01,
            "xanchor": "left",
            "y": 0.975,
            "yanchor": "top",
            "yref": "container",
            "font": {"size": 16},
            "subtitle": {"text": subtitle, "font": {"size": 12, "color": "#666"}},
        },
        font={"family": FONT, "size": 13, "color": "#222"},
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 96 if subtitle else 72, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0, "title": None},
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
) -> go.Figure:
    """Lines over time, one per series, with an optional shaded band (monitoring points)."""
    fig = px.line(
        frame,
        x=x,
        y=y,
        color=series,
        markers=True,
        line_dash=dash,
        custom_data=[custom] if custom else None,
        color_discrete_sequence=SERIES_COLORS,
    )
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
    fig.update_yaxes(title=y_title)
    style(fig, title, subtitle, height)
    if series and frame[series].nunique() > 3:  # a two-line legend needs room under the subtitle
        fig.update_layout(margin={"t": 122})
    return fig


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
) -> go.Figure:
    """Bars (one per category), optionally coloured by a state or traffic-light column."""
    kwargs = {"x": y, "y": x, "orientation": "h"} if horizontal else {"x": x, "y": y}
    fig = px.bar(
        frame,
        color=color,
        color_discrete_map=colors,
        custom_data=[custom] if custom else None,
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
    if horizontal:
        fig.update_xaxes(title=y_title)
        fig.update_yaxes(title=x_title, autorange="reversed")
    else:
        fig.update_xaxes(title=x_title)
        fig.update_yaxes(title=y_title)
    return style(fig, title, subtitle, height)


def state_matrix(
    frame: pd.DataFrame,
    row: str,
    col: str,
    state: str,
    labels: dict[str, str],
    hover: str,
    title: str,
    subtitle: str,
    height: int | None = None,
) -> go.Figure:
    """Spec × territory grid coloured 紧俏/平衡/宽松; `hover` holds each cell's numbers."""
    codes = {s: i for i, s in enumerate(STATE_ORDER)}
    rows = list(dict.fromkeys(frame[row]))
    cols = list(dict.fromkeys(frame[col]))
    z = pd.DataFrame(float("nan"), index=rows, columns=cols)
    text = pd.DataFrame("", index=rows, columns=cols)
    tips = pd.DataFrame(UNDEFINED, index=rows, columns=cols)
    for rec in frame.itertuples(index=False):
        r, c, s = getattr(rec, row), getattr(rec, col), getattr(rec, state)
        if s in codes:
            z.loc[r, c] = codes[s]
            text.loc[r, c] = labels[s]
        tips.loc[r, c] = getattr(rec, hover)
    scale = []
    for i, s in enumerate(STATE_ORDER):
        scale += [(i / 3, STATE_COLORS[s]), ((i + 1) / 3, STATE_COLORS[s])]
    fig = go.Figure(
        go.Heatmap(
            z=z.values,
            x=cols,
            y=rows,
            text=text.values,
            customdata=tips.values,
            texttemplate="%{text}",
            hovertemplate="%{y} · %{x}<br>%{customdata}<extra></extra>",
            colorscale=scale,
            zmin=-0.5,
            zmax=2.5,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top", tickangle=-45 if len(cols) > 6 else 0)
    top = 170 if len(cols) > 6 else 120  # slanted territory names need the room above the grid
    style(fig, title, subtitle, height or max(280, top + 26 * len(rows)))
    fig.update_layout(margin={"t": top})
    return fig


def spread(
    frame: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    subtitle: str,
    x_title: str,
    y_title: str,
    reference: float | None = 100.0,
    height: int = 380,
) -> go.Figure:
    """Box plot of observed prices against the suggested price (100 = at the suggested price)."""
    fig = px.box(frame, x=x, y=y, points="outliers", color_discrete_sequence=[SERIES_COLORS[0]])
    if reference is not None:
        fig.add_hline(y=reference, line_dash="dash", line_color="#D9534F")
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title)
    return style(fig, title, subtitle, height)


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
