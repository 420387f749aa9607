"""The spread of retailers' prices per spec as boxes summarised on the server: quartiles,
Tukey's whiskers and the outliers named, so a city's tens of thousands of retailers do not
travel to the browser one by one to be summarised there."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from marketpulse.ui.figures import D3, SERIES_COLORS, style


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
    name: str | None = None,
) -> go.Figure:
    """Box plot of observed prices against the suggested price (100 = at the suggested price),
    the outliers beyond the whiskers as points named by `name`."""
    stats = box_stats(frame, x, y)
    fig = go.Figure(
        go.Box(
            x=stats[x],
            q1=stats["q1"],
            median=stats["median"],
            q3=stats["q3"],
            lowerfence=stats["lowerfence"],
            upperfence=stats["upperfence"],
            marker_color=SERIES_COLORS[0],
            boxpoints=False,
            showlegend=False,
        )
    )
    outliers = frame.merge(stats[[x, "lowerfence", "upperfence"]], on=x)
    outliers = outliers[(outliers[y] < outliers["lowerfence"]) | (outliers[y] > outliers["upperfence"])]
    if len(outliers):
        fig.add_trace(
            go.Scatter(
                x=outliers[x],
                y=outliers[y],
                mode="markers",
                marker={"color": SERIES_COLORS[0], "size": 5, "opacity": 0.7},
                customdata=outliers[name] if name else None,
                hovertemplate=("%{customdata}<br>" if name else "") + f"%{{x}}:%{{y:{D3['index']}}}<extra></extra>",
                showlegend=False,
            )
        )
    if reference is not None:
        fig.add_hline(y=reference, line_dash="dash", line_color="#D9534F")
    fig.update_xaxes(title=x_title, type="category", categoryorder="array", categoryarray=list(stats[x]))
    fig.update_yaxes(title=y_title)
    return style(fig, title, subtitle, height)


def box_stats(frame: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Per `x` in order of appearance: the quartiles of `y` (linear interpolation) and Tukey's
    whiskers, the furthest values within 1.5 × IQR of the box; undefined values left out."""
    rows = []
    for key, values in frame.dropna(subset=[y]).groupby(x, sort=False)[y]:
        q1, median, q3 = values.quantile([0.25, 0.5, 0.75])
        reach = 1.5 * (q3 - q1)
        inside = values[values.between(q1 - reach, q3 + reach)]
        rows.append((key, q1, median, q3, inside.min(), inside.max(), len(values)))
    return pd.DataFrame(rows, columns=[x, "q1", "median", "q3", "lowerfence", "upperfence", "count"])
