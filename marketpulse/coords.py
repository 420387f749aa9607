"""Coordinates for the map: China's map datums converted to WGS-84, and outlines drawn around points.

高德 and 腾讯 give GCJ-02 coordinates, 百度 gives BD-09, GPS gives WGS-84; the store keeps what
the retailer file said and the map converts with the published GCJ-02 formula (its inverse by
iteration, well under a metre). A leaf module: plain math, no other marketpulse import.
"""

from __future__ import annotations

import math
import re

# Krasovsky 1940 ellipsoid, as the GCJ-02 offset formula uses it
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

# how a retailer file may name them (compared without case, spaces, dashes or underscores)
_NAMES = {
    "wgs84": "WGS-84",
    "gps": "WGS-84",
    "": "WGS-84",
    "gcj02": "GCJ-02",
    "高德": "GCJ-02",
    "腾讯": "GCJ-02",
    "火星": "GCJ-02",
    "火星坐标": "GCJ-02",
    "bd09": "BD-09",
    "bd09ll": "BD-09",
    "百度": "BD-09",
}


def system_of(name: object) -> str | None:
    """The coordinate system a file's 坐标系 cell names (blank: WGS-84); None when unknown."""
    key = re.sub(r"[\s_\-]+", "", str(name or "")).lower()
    return _NAMES.get(key)


def out_of_china(lon: float, lat: float) -> bool:
    """Outside the box where GCJ-02 applies its offset (there it equals WGS-84)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset(lon: float, lat: float) -> tuple[float, float]:
    """The GCJ-02 shift (Δlon, Δlat) in degrees at a WGS-84 point."""
    x, y = lon - 105.0, lat - 35.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat += common + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    d_lon += common + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if out_of_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _offset(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """The inverse of wgs84_to_gcj02, by fixed-point iteration to about a millimetre."""
    if out_of_china(lon, lat):
        return lon, lat
    w_lon, w_lat = lon, lat
    for _ in range(30):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = g_lon - lon, g_lat - lat
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
        if abs(e_lon) < 1e-10 and abs(e_lat) < 1e-10:
            break
    return w_lon, w_lat


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def to_wgs84(lon: float, lat: float, system: str) -> tuple[float, float]:
    """A point given in `system` (WGS-84, GCJ-02 or BD-09) in WGS-84."""
    if system == "GCJ-02":
        return gcj02_to_wgs84(lon, lat)
    if system == "BD-09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    return lon, lat


def plausible(lon: float | None, lat: float | None) -> bool:
    """A finite longitude in [-180, 180] and latitude in [-90, 90], not the 0,0 of an empty cell."""
    if lon is None or lat is None or not (math.isfinite(lon) and math.isfinite(lat)):
        return False
    return -180 <= lon <= 180 and -90 <= lat <= 90 and (lon, lat) != (0.0, 0.0)


# ── outlines ─────────────────────────────────────────────────────────────────


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The convex hull of `points`, counter-clockwise, closed (first point repeated); monotone chain."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts + pts[:1]

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    ring = lower[:-1] + upper[:-1]
    return ring + ring[:1]


def outline(points: list[tuple[float, float]], margin: float = 0.002) -> list[tuple[float, float]]:
    """A closed ring around `points`: their hull pushed out by `margin` degrees, so points on the
    edge sit inside; one or two points (or a line of them) get the box around them."""
    hull = convex_hull(points)
    distinct = hull[:-1]
    area = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(hull, hull[1:], strict=False)) / 2
    if len(distinct) < 3 or abs(area) < 1e-12:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        x0, x1, y0, y1 = min(xs) - margin, max(xs) + margin, min(ys) - margin, max(ys) + margin
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    cx, cy = sum(p[0] for p in distinct) / len(distinct), sum(p[1] for p in distinct) / len(distinct)
    ring = []
    for x, y in distinct:
        d = math.hypot(x - cx, y - cy) or 1.0
        ring.append((x + (x - cx) / d * margin, y + (y - cy) / d * margin))
    return ring + ring[:1]


def rings(geometry: dict) -> list[list[tuple[float, float]]]:
    """The outer rings of a GeoJSON Polygon or MultiPolygon (holes are not drawn)."""
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    return [[(float(p[0]), float(p[1])) for p in polygon[0]] for polygon in polygons if polygon]


def centre(ring: list[tuple[float, float]]) -> tuple[float, float]:
    """The area centroid of a closed ring (its vertex mean when it has no area)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        step = x0 * y1 - x1 * y0
        area += step
        cx += (x0 + x1) * step
        cy += (y0 + y1) * step
    if abs(area) < 1e-12:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    return cx / (3 * area), cy / (3 * area)
