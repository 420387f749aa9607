"""The series' colours and dashes, and lines drawn as graph objects (plotly express's own
grouping costs about 50 ms a chart, several a page)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

SERIES_COLORS = "#1F5FA8 #E07B1F #3A9D5D #B0413E #7A5BA6 #5B8C99 #C2A13B #8C564B #D16BA5 #6E7B8B".split()
# past the ten colours a series repeats a colour with the next dash: twelve 片区 stay twelve lines
SERIES_DASHES = ("solid", "longdash", "dashdot", "longdashdot")  # not dot or dash: those mark 同期 and targets

PX_DASHES = ("solid", "dot", "dash", "longdash", "dashdot", "longdashdot")  # plotly express's order


def line_traces(frame: pd.DataFrame, x: str, y: str, series: str | None, dash: str | None, custom: str | None):
    """What px.line(color=series, line_dash=dash, markers=True) draws, built as graph objects:
    plotly express's grouping costs about 50 ms a chart, several a page. A dash by another
    column than the series is left to plotly express."""
    if dash not in (None, series):
        return px.line(
            frame,
            x=x,
            y=y,
            color=series,
            markers=True,
            line_dash=dash,
            custom_data=[custom] if custom else None,
            color_discrete_sequence=SERIES_COLORS,
        )
    names = list(dict.fromkeys(frame[series].dropna())) if series else [None]
    traces = []
    for i, name in enumerate(names):
        part = frame if name is None else frame[frame[series] == name]
        traces.append(
            go.Scatter(
                x=part[x].to_numpy(),
                y=part[y].to_numpy(),
                name="" if name is None else str(name),
                legendgroup="" if name is None else str(name),
                showlegend=name is not None,
                mode="lines+markers",
                line={
                    "color": SERIES_COLORS[i % len(SERIES_COLORS)],
                    "dash": PX_DASHES[i % len(PX_DASHES)] if dash else "solid",
                },
                marker={"symbol": "circle"},
                customdata=part[[custom]].to_numpy() if custom else None,
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(legend={"tracegroupgap": 0})
    return fig
