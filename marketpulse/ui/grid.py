"""The market-state grid: spec × territory (or × week) cells, shaded by how far each is from
balance, every cell clickable (a heatmap alone cannot be selected in Streamlit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from marketpulse.numbers import UNDEFINED
from marketpulse.ui.figures import STATE_COLORS, STATE_ORDER, style

# a cell's deviation from balance, -1 … 1: deep blue far loose, pale inside the band, deep red far tight
DEVIATION_SCALE = [
    (0.0, "#2F5F9E"),
    (0.25, "#7FA3D6"),
    (0.35, "#DCE6F3"),
    (0.5, "#F7F7F5"),
    (0.65, "#F6DCDA"),
    (0.75, "#E08A85"),
    (1.0, "#B83A36"),
]


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
    score: str | None = None,
    hover_template: str | None = None,
) -> go.Figure:
    """Spec × territory (or × week) grid: with `score` (a deviation from balance, -1 loose … 1
    tight) shaded so 1.9 weeks of cover reads differently from 1.0, balanced cells pale and only
    the tight and loose ones labelled; without, coloured 紧俏/平衡/宽松. `hover` holds each cell's
    numbers in words, or with `hover_template` its numbers (a list of strings) for the template's
    %{customdata[i]}: the words then travel once, not once a cell."""
    codes = {s: i for i, s in enumerate(STATE_ORDER)}
    rows = list(dict.fromkeys(frame[row]))
    cols = list(dict.fromkeys(frame[col]))
    # a cell with a known state: its shade (the score, else the state's code) and, unless shaded
    # balanced, its label; where a cell came twice the later row holds (as drawn one by one)
    known = frame[frame[state].isin(list(codes))]
    shade_of = pd.to_numeric(known[score], errors="coerce") if score else known[state].map(codes).astype(float)
    z = _grid(known.assign(_value=shade_of), row, col, rows, cols)
    worded = known[known[state] != "balanced"] if score else known
    text = _grid(worded.assign(_value=worded[state].map(labels)), row, col, rows, cols).astype(object).fillna("")
    tips = dict(zip(zip(frame[row], frame[col]), frame[hover]))
    if score:
        shade = {"colorscale": DEVIATION_SCALE, "zmin": -1, "zmax": 1}
    else:
        scale = []
        for i, s in enumerate(STATE_ORDER):
            scale += [(i / 3, STATE_COLORS[s]), ((i + 1) / 3, STATE_COLORS[s])]
        shade = {"colorscale": scale, "zmin": -0.5, "zmax": 2.5}
    fig = go.Figure(
        go.Heatmap(
            z=z.values,
            x=cols,
            y=rows,
            text=text.values,
            texttemplate="%{text}",
            textfont={"size": 11},
            hoverinfo="skip",
            showscale=False,
            xgap=2,
            ygap=2,
            **shade,
        )
    )
    # a heatmap cannot be selected: an invisible marker on each cell takes the hover and the click
    # (the words travel once, with the markers: at city the grid's tips weigh a few hundred KB)
    cells = [(r, c) for r in rows for c in cols]
    width = max((len(v) for v in tips.values()), default=0) if hover_template else 0
    empty = [UNDEFINED] * width if hover_template else UNDEFINED  # a cell without data
    # as arrays: plotly copies and checks a list element by element (a fifth of the page's time)
    customdata = np.empty((len(cells), width) if hover_template else len(cells), dtype=object)
    for i, cell in enumerate(cells):
        customdata[i] = tips.get(cell, empty)
    fig.add_trace(
        go.Scatter(
            x=np.array([c for _, c in cells], dtype=object),
            y=np.array([r for r, _ in cells], dtype=object),
            customdata=customdata,
            mode="markers",
            marker={"symbol": "square", "size": 22, "color": "rgba(0,0,0,0)"},
            selected={"marker": {"opacity": 1}},
            unselected={"marker": {"opacity": 1}},
            hovertemplate="%{y} · %{x}<br>" + (hover_template or "%{customdata}") + "<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    slanted = len(cols) > 6
    fig.update_xaxes(side="top", tickangle=-45 if slanted else 0, automargin=True, type="category")
    top = 150 if slanted else 110  # slanted territory names need the room above the grid
    style(fig, title, subtitle, height or max(280, top + 26 * len(rows)))
    fig.update_layout(margin={"t": top}, hovermode="closest", hoverdistance=-1)  # any spot in a cell is that cell
    return fig


def _grid(cells: pd.DataFrame, row: str, col: str, rows: list, cols: list) -> pd.DataFrame:
    """`cells`' _value as a rows × cols frame (NaN where no cell), the last of a cell's rows."""
    last = cells.drop_duplicates([row, col], keep="last")
    return last.pivot(index=row, columns=col, values="_value").reindex(index=rows, columns=cols)
