"""地图 Map: 片区 outlines and retailer points in WGS-84, each with the chosen metric's value.

Points come from the retailer file's optional 经度/纬度 columns (GCJ-02 and BD-09 converted);
a 片区's outline is its imported GeoJSON shape, else drawn around its retailers. Values come
from the metrics API: 存销比, 价格指数, 铺货率 of a new spec, or the market state of a spec.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from marketpulse import coords, i18n, metrics, numbers, store
from marketpulse.errors import ImportRefused
from marketpulse.views.base import filters_of, own_names

METRICS = ("ratio", "price_index", "distribution", "state")
SPEC_METRICS = ("distribution", "state")  # these need one spec
UNITS = {"ratio": "weeks", "price_index": "index", "distribution": "pct", "state": "index"}
# GeoJSON properties that may carry a feature's 片区 code, then its name
CODE_KEYS = ("territory_code", "片区编码", "片区代码", "code")
NAME_KEYS = ("territory_name", "片区", "片区名称", "name")


@dataclass
class MapData:
    metric: str
    week: dt.date | None
    spec_code: str | None = None
    specs: pd.DataFrame = field(default_factory=pd.DataFrame)  # spec_code, spec_name: choices for SPEC_METRICS
    areas: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per 片区 (see _areas)
    points: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per retailer with a position
    skipped: int = 0  # retailers whose coordinates do not parse or are implausible
    imported: int = 0  # 片区 outlines from an imported file


def retailer_points(week: dt.date, params: dict, scope: store.Scope) -> tuple[pd.DataFrame, int]:
    """Open retailers in `scope` with WGS-84 `lon`, `lat`; and how many had unusable coordinates."""
    frame = metrics.query("geo_retailers", {"week_to": week, **filters_of(params)}, scope)
    given = frame["longitude"].notna() | frame["latitude"].notna()
    lon, lat, ok = [], [], []
    for x, y, system in zip(frame["longitude"], frame["latitude"], frame["coord_system"], strict=True):
        name = coords.system_of(system)
        x, y = (None if pd.isna(v) else float(v) for v in (x, y))
        if name is None or not coords.plausible(x, y):
            lon.append(None), lat.append(None), ok.append(False)
            continue
        x, y = coords.to_wgs84(x, y, name)
        lon.append(x), lat.append(y), ok.append(True)
    frame = frame.assign(lon=lon, lat=lat)
    kept = pd.Series(ok, index=frame.index, dtype=bool)
    points = frame[kept].drop(columns=["longitude", "latitude", "coord_system"]).reset_index(drop=True)
    return points, int((given & ~kept).sum())


def _shapes(scope: store.Scope) -> dict[str, list]:
    """Imported outlines within `scope`: 片区 code → its rings."""
    frame = metrics.query("geo_shapes", {}, scope)
    return {
        code: coords.rings(json.loads(g)) for code, g in zip(frame["territory_code"], frame["geometry"], strict=True)
    }


def _areas(points: pd.DataFrame, scope: store.Scope) -> tuple[pd.DataFrame, int]:
    """One row per 片区 in scope that can be drawn: rings, label point and whether imported."""
    names = metrics.lookup("territories", scope=scope)
    shapes = _shapes(scope)
    rows = []
    for code, name in zip(names["territory_code"], names["territory_name"], strict=True):
        mine = points[points["territory_code"] == code]
        if shapes.get(code):
            rings, source = shapes[code], "imported"
        elif len(mine):
            rings, source = [coords.outline(list(zip(mine["lon"], mine["lat"], strict=True)))], "hull"
        else:
            continue
        x, y = coords.centre(max(rings, key=len))
        rows.append(
            {"territory_code": code, "territory_name": name, "rings": rings, "source": source, "lon": x, "lat": y}
        )
    cols = ["territory_code", "territory_name", "rings", "source", "lon", "lat"]
    return pd.DataFrame(rows, columns=cols), sum(code in shapes for code in names["territory_code"])


def spec_choices(metric: str, week: dt.date, params: dict, scope: store.Scope) -> pd.DataFrame:
    """The specs a spec metric can show this week: new specs for 铺货率, specs with a market state else."""
    filters = {k: v for k, v in filters_of(params).items() if k != "spec_code"}
    if metric == "distribution":
        frame = metrics.new_brand_uptake(week, week, "city", scope, **filters)
        return frame[["spec_code", "spec_name"]].drop_duplicates().reset_index(drop=True)
    frame = metrics.market_state(week, week, scope, **filters)
    by_sales = frame.groupby(["spec_code", "spec_name"], as_index=False)["sales_qty"].sum()
    return by_sales.sort_values(["sales_qty", "spec_code"], ascending=[False, True])[["spec_code", "spec_name"]]


def _values(metric: str, week: dt.date, params: dict, scope: store.Scope, spec: str | None):
    """(片区 values: territory_code, value, state; retailer values: license_no, value)."""
    filters = filters_of(params)
    if metric in SPEC_METRICS:
        filters["spec_code"] = spec
    empty = pd.DataFrame(columns=["license_no", "value"])
    if metric == "state":
        frame = metrics.market_state(week, week, scope, **filters)
        frame = frame[frame["spec_code"] == spec]
        return frame.rename(columns={"state_score": "value"})[["territory_code", "value", "state"]], empty
    read = {
        "ratio": (metrics.inventory_ratio, "ratio"),
        "price_index": (metrics.price_index, "price_index"),
        "distribution": (metrics.new_brand_uptake, "distribution_rate"),
    }
    fn, column = read[metric]
    scale = 100 if metric == "distribution" else 1
    out = []
    for level, key in (("territory", "territory_code"), ("retailer", "license_no")):
        frame = fn(week, week, level, scope, **filters)
        if metric == "distribution":
            frame = frame[frame["spec_code"] == spec]
        out.append(pd.DataFrame({key: frame["level_key"], "value": frame[column] * scale}))
    return out[0].assign(state=None), out[1]


def map_data(metric: str, params: dict, scope: store.Scope, lang: str, spec_code: str | None = None) -> MapData:
    """What the map page draws for the sidebar's last week: outlines, points and their values."""
    if metric not in METRICS:
        raise ValueError(f"未知地图指标 {metric!r} / Unknown map metric {metric!r}; choose one of {', '.join(METRICS)}")
    week = params.get("week_to")
    if week is None:
        return MapData(metric, None)
    week = metrics.week_of(week)
    points, skipped = retailer_points(week, params, scope)
    areas, imported = _areas(points, scope)
    specs, spec = pd.DataFrame(columns=["spec_code", "spec_name"]), None
    if metric in SPEC_METRICS:
        specs = spec_choices(metric, week, params, scope)
        wanted = spec_code or params.get("spec_code")
        spec = wanted if wanted in set(specs["spec_code"]) else (specs["spec_code"].iloc[0] if len(specs) else None)
        if spec is None:
            return MapData(metric, week, None, specs, areas.assign(value=None, state=None, text=""), points, skipped)
    area_values, point_values = _values(metric, week, params, scope, spec)
    unit = UNITS[metric]
    areas = areas.merge(area_values, on="territory_code", how="left")
    areas["text"] = [
        f"{n}<br>{numbers.show(v, unit, lang)}" + (f" · {i18n.state(s, lang)}" if metric == "state" else "")
        # under a customer manager's scope a 片区's value is the manager's retailers': its name says so
        for n, v, s in zip(own_names(areas, scope, lang)["territory_name"], areas["value"], areas["state"], strict=True)
    ]
    points = points.merge(point_values, on="license_no", how="left")
    points["text"] = [
        f"{n}<br>{c}<br>{numbers.show(v, unit, lang)}" if metric != "state" else f"{n}<br>{c}"
        for n, c, v in zip(points["retailer_name"], points["license_no"], points["value"], strict=True)
    ]
    return MapData(metric, week, spec, specs, areas, points, skipped, imported)


# ── importing 片区 outlines ──────────────────────────────────────────────────


def parse_shapes(text: str, territories: pd.DataFrame) -> tuple[dict[str, str], list[str]]:
    """片区 code → GeoJSON geometry (as text) from a FeatureCollection; and the features that
    named no known 片区 (by a code property, else a name property, else the feature id)."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ImportRefused(f"不是有效的 GeoJSON:{exc} / Not valid GeoJSON: {exc}") from exc
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise ImportRefused("GeoJSON 应为 FeatureCollection / GeoJSON must be a FeatureCollection")
    codes = set(territories["territory_code"])
    by_name = dict(zip(territories["territory_name"], territories["territory_code"], strict=True))
    found, unmatched = {}, []
    for i, feature in enumerate(features):
        props = feature.get("properties") or {}
        keys = [props.get(k) for k in CODE_KEYS] + [feature.get("id")]
        code = next((str(k) for k in keys if k is not None and str(k) in codes), None)
        code = code or next((by_name[props[k]] for k in NAME_KEYS if props.get(k) in by_name), None)
        geometry = feature.get("geometry") or {}
        if code is None or not coords.rings(geometry):
            unmatched.append(str(props.get("name") or props.get("territory_name") or feature.get("id") or i + 1))
            continue
        found[code] = json.dumps(geometry, ensure_ascii=False)
    return found, unmatched


def import_shapes(path: Path | str, db: Path | str | None = None) -> tuple[int, list[str]]:
    """Store the 片区 outlines of a GeoJSON file (WGS-84); (outlines stored, features left out)."""
    territories = store.reader(db).query("geo/territory_codes", {})
    found, unmatched = parse_shapes(Path(path).read_text(encoding="utf-8-sig"), territories)
    if not found:
        raise ImportRefused("文件中没有可识别的片区边界 / The file holds no outline of a known 片区")
    frame = pd.DataFrame({"territory_code": list(found), "geometry": list(found.values())})
    with store.writer(db) as con:
        cur = con.cursor()  # its own cursor: the writer's connection may hold the migration's last result
        try:
            cur.register("shapes_frame", frame)
            store.execute_file(cur, "geo/replace_shapes.sql")
        finally:
            cur.close()
    return len(found), unmatched
