"""The map figure: 片区 outlines filled by the chosen metric, retailers as dots, a clickable label
per 片区. Offline by default: shapes and points on a plain background, no basemap tiles fetched.

A company with its own tile server sets MARKETPULSE_MAP_TILES to its XYZ address
(`https://tiles.example.com/{z}/{x}/{y}.png`); the map is then drawn over those tiles.
"""

from __future__ import annotations

import math
import os

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from marketpulse import i18n, numbers
from marketpulse.ui.figures import D3, PRICE_COLORS, STATE_COLORS, STATE_ORDER, style
from marketpulse.views.geo import UNITS, MapData

TILES_ENV = "MARKETPULSE_MAP_TILES"
NO_VALUE = "#C8CDD3"
OUTLINE = "#5A6470"
# continuous colour scales per metric, with the range they span
SCALES = {
    # cover: stock-out risk warm, in band green, overstock cool (the market-state colours)
    "ratio": ([STATE_COLORS["tight"], STATE_COLORS["balanced"], STATE_COLORS["loose"]], 0.0, 3.0),
    # price index: discounted orange, at the suggested price grey, above it blue
    "price_index": ([PRICE_COLORS["loose"], PRICE_COLORS["balanced"], PRICE_COLORS["tight"]], 90.0, 110.0),
    "distribution": (["#EAF1FB", "#1F5FA8"], 0.0, 100.0),
    "state": (["#F4F4F4", "#1F2D3D"], 0.0, 100.0),
}


def tiles() -> str | None:
    """The company tile server's XYZ address, if one is configured."""
    return os.environ.get(TILES_ENV) or None


def colour(metric: str, value) -> str:
    """The fill of a value on the metric's scale; grey when there is none."""
    v = numbers.value_of(value)
    if v is None:
        return NO_VALUE
    colours, low, high = SCALES[metric]
    at = min(1.0, max(0.0, (v - low) / (high - low)))
    return sample_colorscale([[i / (len(colours) - 1), c] for i, c in enumerate(colours)], at)[0]


def _fade(rgb: str, alpha: float) -> str:
    """An 'rgb(…)' or '#rrggbb' colour with transparency."""
    if rgb.startswith("#"):
        r, g, b = (int(rgb[i : i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (int(float(x)) for x in rgb[rgb.index("(") + 1 : -1].split(",")[:3])
    return f"rgba({r},{g},{b},{alpha})"


def _trace(on_tiles: bool, lon, lat, **kw):
    """A scatter on plain axes (offline) or on the tile map."""
    if on_tiles:  # a tile map's traces know no dashed lines and no hovering on fills
        kw.pop("hoveron", None)
        if "line" in kw:
            kw["line"] = {k: v for k, v in kw["line"].items() if k != "dash"}
        if "marker" in kw:  # nor marker outlines or symbols other than the default
            kw["marker"] = {k: v for k, v in kw["marker"].items() if k not in ("line", "symbol")}
        return go.Scattermap(lon=list(lon), lat=list(lat), **kw)
    return go.Scatter(x=list(lon), y=list(lat), **kw)


def _fill(data: MapData, value, state) -> str:
    if data.metric == "state":
        return STATE_COLORS.get(state, NO_VALUE) if isinstance(state, str) else NO_VALUE
    return colour(data.metric, value)


def territory_map(
    data: MapData, title: str, subtitle: str, lang: str, point_key: str = "territory_code", height: int = 620
) -> go.Figure:
    """The map of `data`: outlines, retailer dots (their customdata is `point_key`) and 片区 labels
    (customdata: territory_code), so a click on a label or a dot says where to drill."""
    on_tiles = tiles() is not None
    fig = go.Figure()
    unit = UNITS[data.metric]
    for _, area in data.areas.iterrows():
        fill = _fill(data, area.get("value"), area.get("state"))
        for ring in area["rings"]:
            fig.add_trace(
                _trace(
                    on_tiles,
                    [p[0] for p in ring],
                    [p[1] for p in ring],
                    mode="lines",
                    fill="toself",
                    fillcolor=_fade(fill, 0.55),
                    line={"color": OUTLINE, "width": 1.2, "dash": "solid" if area["source"] == "imported" else "dot"},
                    hoveron="fills",
                    text=area["text"],
                    hoverinfo="text",
                    showlegend=False,
                    name=area["territory_name"],
                )
            )
    points = data.points
    if len(points):
        valued = points[points["value"].notna()] if "value" in points else points.iloc[0:0]
        plain = points.drop(valued.index)
        if len(plain):
            fig.add_trace(
                _trace(
                    on_tiles,
                    plain["lon"],
                    plain["lat"],
                    mode="markers",
                    marker={"size": 6, "color": "#6B7785", "opacity": 0.8},
                    text=plain["text"],
                    hoverinfo="text",
                    customdata=plain[point_key],
                    name=i18n.t("map.retailers", lang),
                    showlegend=False,
                )
            )
        if len(valued):
            colours, low, high = SCALES[data.metric]
            fig.add_trace(
                _trace(
                    on_tiles,
                    valued["lon"],
                    valued["lat"],
                    mode="markers",
                    marker={
                        "size": 7,
                        "color": valued["value"].astype(float),
                        "colorscale": [[i / (len(colours) - 1), c] for i, c in enumerate(colours)],
                        "cmin": low,
                        "cmax": high,
                        "line": {"width": 0.5, "color": "#FFFFFF"},
                        "colorbar": {
                            "thickness": 12,
                            "len": 0.6,
                            "tickformat": D3.get(unit, ".1f"),
                            "title": {"text": i18n.t(f"map.metric.{data.metric}", lang)},
                        },
                    },
                    text=valued["text"],
                    hoverinfo="text",
                    customdata=valued[point_key],
                    name=i18n.t("map.retailers", lang),
                    showlegend=False,
                )
            )
    if data.metric == "state":
        for s in STATE_ORDER:  # a legend entry per state
            fig.add_trace(
                _trace(
                    on_tiles,
                    [None],
                    [None],
                    mode="markers",
                    marker={"size": 12, "color": STATE_COLORS[s], "symbol": "square"},
                    name=i18n.state(s, lang),
                )
            )
    areas = data.areas
    if len(areas):
        fig.add_trace(
            _trace(
                on_tiles,
                areas["lon"],
                areas["lat"],
                mode="markers+text",
                marker={"size": 22, "color": "rgba(255,255,255,0.75)", "line": {"width": 1, "color": OUTLINE}},
                text=[f"<b>{n}</b>" for n in areas["territory_name"]],
                textposition="top center",
                hovertext=areas["text"],
                hoverinfo="text",
                customdata=areas["territory_code"],
                showlegend=False,
                name="",
            )
        )
    style(fig, title, subtitle, height)
    _frame(fig, data, on_tiles)
    return fig


def _frame(fig: go.Figure, data: MapData, on_tiles: bool) -> None:
    """Plain axes at the true aspect of the area (offline), or the tile map centred on it."""
    lons = [p[0] for rings in data.areas.get("rings", []) for ring in rings for p in ring] + list(
        data.points.get("lon", [])
    )
    lats = [p[1] for rings in data.areas.get("rings", []) for ring in rings for p in ring] + list(
        data.points.get("lat", [])
    )
    if not lons:
        return
    mid = (min(lats) + max(lats)) / 2
    if on_tiles:
        span = max(max(lons) - min(lons), max(lats) - min(lats), 0.01)
        fig.update_layout(
            map={
                "style": {
                    "version": 8,
                    "sources": {"tiles": {"type": "raster", "tiles": [tiles()], "tileSize": 256}},
                    "layers": [{"id": "tiles", "type": "raster", "source": "tiles"}],
                },
                "center": {"lon": (min(lons) + max(lons)) / 2, "lat": mid},
                "zoom": max(1.0, math.log2(360 / span) - 0.6),
            }
        )
        return
    fig.update_xaxes(visible=False, showgrid=False)
    # a degree of longitude is cos(latitude) of a degree of latitude: keep the shapes true
    fig.update_yaxes(visible=False, showgrid=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(mid)))
    fig.update_layout(plot_bgcolor="#FAFBFC", dragmode="pan", clickmode="event+select")


def legend_note(data: MapData, lang: str) -> str:
    """The caption under the map: where the outlines come from, and what was left out."""
    parts = []
    if len(data.areas):
        hulls = int((data.areas["source"] == "hull").sum())
        if data.imported:
            parts.append(i18n.t("map.shapes", lang, n=data.imported))
        if hulls:
            parts.append(i18n.t("map.hulls", lang))
    if data.skipped:
        parts.append(i18n.t("map.skipped", lang, n=data.skipped))
    return " ".join(parts)


def has_points(data: MapData) -> bool:
    return isinstance(data.points, pd.DataFrame) and len(data.points) > 0
