"""Where the demo city's shops stand: each 市场部 around the city centre, its 片区 around it, the
retailers scattered about their 片区, so the map has something to draw without imported outlines.

Drawn from a random stream of its own (the seed and a fixed salt), so adding positions changes
none of the simulated numbers. Most positions are GPS (WGS-84); a few rows were collected with
高德 and say GCJ-02, as in a real retailer file, so the map's conversion is exercised.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from marketpulse import coords

CENTRE = (111.613, 26.420)  # a prefecture-level city in Hunan (lon, lat)
URBAN_RING, COUNTY_RING = 0.07, 0.38  # degrees from the centre to a 市场部
TERRITORY_RING = {"城网": 0.028, "农网": 0.10}  # from a 市场部 to its 片区
SPREAD = {"城网": 0.006, "农网": 0.018}  # scatter of shops about their 片区 (σ, degrees)
GCJ_SHARE = 0.05  # rows collected with 高德: given in GCJ-02
MISSING_SHARE = 0.02  # rows without a position
SALT = 4326


def _ring(n: int, radius: float, turn: float = 0.0) -> list[tuple[float, float]]:
    if n == 1:
        return [(0.0, 0.0)]
    return [
        (radius * math.cos(turn + 2 * math.pi * i / n), radius * math.sin(turn + 2 * math.pi * i / n)) for i in range(n)
    ]


def territory_centres(territory: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Each 片区's centre (lon, lat): 市场部 on two rings (城网 inside), their 片区 around them."""
    deps = territory.groupby("department_code", sort=True)["area_type"].first()
    urban = [d for d, a in deps.items() if a == "城网"]
    county = [d for d, a in deps.items() if a != "城网"]
    at = dict(zip(urban, _ring(len(urban), URBAN_RING), strict=True))
    at |= dict(zip(county, _ring(len(county), COUNTY_RING, turn=0.4), strict=True))
    centres = {}
    for dep, group in territory.groupby("department_code", sort=True):
        area = deps[dep]
        for code, (dx, dy) in zip(group["territory_code"], _ring(len(group), TERRITORY_RING[area], 0.8), strict=True):
            x, y = at[dep]
            # a degree of longitude is shorter than one of latitude here
            centres[code] = (CENTRE[0] + (x + dx) / math.cos(math.radians(CENTRE[1])), CENTRE[1] + y + dy)
    return centres


def positions(retailer: pd.DataFrame, territory: pd.DataFrame, seed: int) -> pd.DataFrame:
    """longitude, latitude (text, six decimals, as a file has them) and coord_system per retailer row."""
    rng = np.random.default_rng([seed, SALT])
    centres = territory_centres(territory)
    areas = dict(zip(territory["territory_code"], territory["area_type"], strict=True))
    n = len(retailer)
    sigma = np.array([SPREAD[areas[t]] for t in retailer["territory_code"]])
    offset = np.clip(rng.normal(0, 1, (n, 2)), -2.2, 2.2) * sigma[:, None]
    base = np.array([centres[t] for t in retailer["territory_code"]])
    lon = base[:, 0] + offset[:, 0] / math.cos(math.radians(CENTRE[1]))
    lat = base[:, 1] + offset[:, 1]
    gcj = rng.random(n) < GCJ_SHARE
    missing = rng.random(n) < MISSING_SHARE
    lon_text, lat_text, system = [], [], []
    for x, y, g, m in zip(lon, lat, gcj, missing, strict=True):
        if m:
            lon_text.append(None), lat_text.append(None), system.append(None)
            continue
        if g:
            x, y = coords.wgs84_to_gcj02(x, y)
        lon_text.append(f"{x:.6f}"), lat_text.append(f"{y:.6f}"), system.append("GCJ-02" if g else "WGS-84")
    return pd.DataFrame({"longitude": lon_text, "latitude": lat_text, "coord_system": system}, index=retailer.index)


def with_positions(retailer: pd.DataFrame, territory: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The retailer frame with its position columns."""
    return pd.concat([retailer, positions(retailer, territory, seed)], axis=1)
