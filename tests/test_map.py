"""The map: coordinate conversion on known points, outlines drawn around retailers, GeoJSON
outlines imported, the retailer file's coordinate columns, and the values the map colours by
(the same numbers the metrics give)."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pandas as pd
import pytest

from marketpulse import cli, coords, ingest, metrics, store
from marketpulse.errors import ImportRefused
from marketpulse.ingest.contract import match_headers
from marketpulse.simulate import geo as demo_geo
from marketpulse.ui import map as geo_map
from marketpulse.views import geo

WEEK = dt.date(2026, 11, 16)
PARAMS = {"week_from": dt.date(2026, 8, 24), "week_to": WEEK}

# WGS-84 → GCJ-02 reference pairs (lon, lat) widely used to check implementations of the
# published offset (Shanghai, Shenzhen, Beijing)
KNOWN = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
]


@pytest.mark.parametrize("wgs, gcj", KNOWN)
def test_gcj02_conversion_on_known_points(wgs, gcj):
    assert coords.wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)
    assert coords.gcj02_to_wgs84(*gcj) == pytest.approx(wgs, abs=1e-7)  # about a centimetre
    assert coords.to_wgs84(*gcj, "GCJ-02") == pytest.approx(wgs, abs=1e-7)


def test_bd09_conversion():
    # Baidu's geoconv documentation example: GPS 114.21892734521, 29.575429778924 → BD-09
    # 114.23074871003, 29.579084787202 (their converter, within a couple of metres of the formula)
    wgs, bd = (114.21892734521, 29.575429778924), (114.23074871003, 29.579084787202)
    assert coords.gcj02_to_bd09(*coords.wgs84_to_gcj02(*wgs)) == pytest.approx(bd, abs=2e-5)
    assert coords.to_wgs84(*bd, "BD-09") == pytest.approx(wgs, abs=2e-5)
    gcj = (113.9171764808363, 22.540796131694766)
    assert coords.bd09_to_gcj02(*coords.gcj02_to_bd09(*gcj)) == pytest.approx(gcj, abs=1e-5)


def test_outside_china_nothing_moves_and_names_are_read():
    assert coords.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)  # Paris
    assert coords.to_wgs84(2.35, 48.85, "GCJ-02") == (2.35, 48.85)
    assert [coords.system_of(x) for x in ("WGS84", "gcj-02", "高德", "BD_09", "百度", None, "UTM")] == [
        "WGS-84",
        "GCJ-02",
        "GCJ-02",
        "BD-09",
        "BD-09",
        "WGS-84",
        None,
    ]


def test_outlines_enclose_their_points():
    square = [(0, 0), (1, 0), (1, 1), (0, 1), (0.5, 0.5), (0.2, 0.7)]
    assert coords.convex_hull(square) == [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    ring = coords.outline(square, margin=0.1)
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    assert min(xs) < 0 and max(xs) > 1 and min(ys) < 0 and max(ys) > 1 and ring[0] == ring[-1]
    assert coords.centre(coords.convex_hull(square)) == pytest.approx((0.5, 0.5))
    box = coords.outline([(3, 3)], margin=0.5)  # one shop: a box around it
    assert box == [(2.5, 2.5), (3.5, 2.5), (3.5, 3.5), (2.5, 3.5), (2.5, 2.5)]
    assert len(coords.outline([(0, 0), (1, 1), (2, 2)])) == 5  # a line of shops: a box too


@pytest.fixture
def city(demo_store, tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, path)
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    return path


def test_the_demo_city_has_positions_and_draws_without_imported_shapes(city):
    data = geo.map_data("ratio", PARAMS, store.CITY, "zh")
    territories = metrics.lookup("territories")
    assert set(data.areas.territory_code) == set(territories.territory_code)
    assert set(data.areas.source) == {"hull"} and data.imported == 0 and data.skipped == 0
    open_retailers = metrics.query("geo_retailers", {"week_to": WEEK})
    with_position = open_retailers.longitude.notna()
    assert len(data.points) == with_position.sum() and with_position.mean() > 0.95
    # every shop lies inside its 片区's outline (the outline is drawn around them)
    for _, area in data.areas.iterrows():
        mine = data.points[data.points.territory_code == area.territory_code]
        ring = area.rings[0]
        assert min(p[0] for p in ring) <= mine.lon.min() and max(p[0] for p in ring) >= mine.lon.max()
    # the demo's GCJ-02 rows are converted back to where the shop stands
    raw = store.reader(city).sql(
        "select license_no, longitude, latitude from retailer_position where coord_system = 'GCJ-02'"
    )
    assert len(raw)
    row = raw.iloc[0]
    shown = data.points.set_index("license_no").loc[row.license_no]
    expected = coords.gcj02_to_wgs84(float(row.longitude), float(row.latitude))
    assert (shown.lon, shown.lat) == pytest.approx(expected)
    assert abs(shown.lon - float(row.longitude)) > 1e-3  # several hundred metres moved


@pytest.mark.parametrize("metric", geo.METRICS)
def test_map_values_are_the_metrics_values(city, metric):
    data = geo.map_data(metric, PARAMS, store.CITY, "zh")
    by_area = data.areas.set_index("territory_code").value
    if metric == "ratio":
        expected = metrics.inventory_ratio(WEEK, WEEK, "territory").set_index("level_key").ratio
        retailer = metrics.inventory_ratio(WEEK, WEEK, "retailer").set_index("level_key").ratio
    elif metric == "price_index":
        expected = metrics.price_index(WEEK, WEEK, "territory").set_index("level_key").price_index
        retailer = metrics.price_index(WEEK, WEEK, "retailer").set_index("level_key").price_index
    elif metric == "distribution":
        uptake = metrics.new_brand_uptake(WEEK, WEEK, "territory", spec_code=data.spec_code)
        expected = uptake.set_index("level_key").distribution_rate * 100
        uptake = metrics.new_brand_uptake(WEEK, WEEK, "retailer", spec_code=data.spec_code)
        retailer = uptake.set_index("level_key").distribution_rate * 100
    else:
        state = metrics.market_state(WEEK, WEEK, spec_code=data.spec_code).set_index("territory_code")
        expected, retailer = state.state_score, None
        assert (data.areas.set_index("territory_code").state == state.state.reindex(by_area.index)).all()
    pd.testing.assert_series_equal(by_area, expected.reindex(by_area.index), check_names=False)
    if retailer is not None:
        shown = data.points.set_index("license_no").value
        pd.testing.assert_series_equal(shown, retailer.reindex(shown.index), check_names=False)
    assert data.areas.text.str.contains("<br>").all()


def test_a_scope_sees_only_its_own_territory_and_shops(city):
    territory = "T0201"
    data = geo.map_data("price_index", PARAMS, store.Scope(territory_code=territory), "zh")
    assert list(data.areas.territory_code) == [territory]
    assert set(data.points.territory_code) == {territory}
    cm = data.points.cm_code.iloc[0]
    mine = geo.map_data("ratio", PARAMS, store.Scope(cm_code=cm), "zh")
    assert set(mine.points.cm_code) == {cm}


def _feature(code_key: str, code: str, ring: list) -> dict:
    return {"type": "Feature", "properties": {code_key: code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_imported_outlines_replace_the_drawn_ones(city, tmp_path, capsys):
    centres = demo_geo.territory_centres(metrics.lookup("territories"))
    names = metrics.lookup("territories").set_index("territory_code").territory_name
    features = []
    for i, (code, (x, y)) in enumerate(sorted(centres.items())[:2]):
        ring = [
            [x - 0.02, y - 0.02],
            [x + 0.02, y - 0.02],
            [x + 0.02, y + 0.02],
            [x - 0.02, y + 0.02],
            [x - 0.02, y - 0.02],
        ]
        features.append(_feature("片区编码", code, ring) if i == 0 else _feature("name", names[code], ring))
    features.append(_feature("name", "不存在的片区", [[0, 0], [1, 0], [1, 1], [0, 0]]))
    path = tmp_path / "shapes.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    assert cli.main(["import-shapes", str(path)]) == 0
    out = capsys.readouterr().out
    assert "已导入 2 个片区边界" in out and "不存在的片区" in out
    data = geo.map_data("ratio", PARAMS, store.CITY, "zh")
    sources = data.areas.set_index("territory_code").source
    imported = sorted(centres)[:2]
    assert set(sources[imported]) == {"imported"} and set(sources.drop(imported)) == {"hull"}
    assert data.imported == 2
    # importing again replaces, it does not add
    geo.import_shapes(path)
    assert len(metrics.query("geo_shapes", {})) == 2
    # a territory scope sees its own outline only
    scoped = metrics.query("geo_shapes", {}, store.Scope(territory_code=imported[0]))
    assert list(scoped.territory_code) == [imported[0]]


def test_a_file_without_outlines_is_refused(city, tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text("{not json")
    with pytest.raises(ImportRefused):
        geo.import_shapes(path)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(ImportRefused):
        geo.import_shapes(path)
    assert cli.main(["import-shapes", str(path)]) == 1


def test_the_retailer_file_has_coordinate_columns_and_the_map_converts_them(db, tmp_path):
    (tmp_path / "territories.csv").write_text(
        "市场部编码,市场部,片区编码,片区,城乡类型\nD1,城区,T1,东城片区,城网\n", encoding="utf-8"
    )
    (tmp_path / "cms.csv").write_text("客户经理编码,客户经理,片区编码\nC1,张三,T1\n", encoding="utf-8")
    bd = coords.gcj02_to_bd09(*coords.wgs84_to_gcj02(111.62, 26.43))
    gcj = coords.wgs84_to_gcj02(111.63, 26.44)
    rows = [
        ("R1", "111.61", "26.42", "WGS-84"),
        ("R2", f"{bd[0]:.8f}", f"{bd[1]:.8f}", "百度"),
        ("R3", f"{gcj[0]:.8f}", f"{gcj[1]:.8f}", "GCJ-02"),
        ("R4", "东经", "26.4", None),
        ("R5", None, None, None),
    ]
    (tmp_path / "retailers.csv").write_text(
        "许可证号,零售户名称,业态,档位,片区编码,客户经理编码,经度,纬度,坐标系\n"
        + "".join(f"{r},店{r},便利店,5,T1,C1,{x or ''},{y or ''},{c or ''}\n" for r, x, y, c in rows),
        encoding="utf-8",
    )
    kind = ingest.KINDS["retailers"]
    found, _ = match_headers(["许可证号", "经度", "纬度", "坐标系", "lng", "lat"], kind)
    assert {"longitude", "latitude", "coord_system"} <= set(found)
    for name in ("territories.csv", "cms.csv", "retailers.csv"):
        summary = ingest.import_file(tmp_path / name, db=db)
        assert summary.rows_quarantined == 0  # the optional columns never hold a row back
    stored = store.reader(db).sql("select * from retailer_position order by license_no")
    # the import keeps the positions exactly as the file gave them; R5 gave none
    assert [tuple(None if v is None or v != v else v for v in r) for r in stored.itertuples(index=False)] == [
        r for r in rows if r[1] or r[2]
    ]
    points, skipped = geo.retailer_points(WEEK, {}, store.CITY)
    at = points.set_index("license_no")[["lon", "lat"]]
    assert list(at.index) == ["R1", "R2", "R3"] and skipped == 1  # R4's longitude does not parse; R5 has none
    assert tuple(at.loc["R1"]) == pytest.approx((111.61, 26.42))
    assert tuple(at.loc["R2"]) == pytest.approx((111.62, 26.43), abs=1e-6)
    assert tuple(at.loc["R3"]) == pytest.approx((111.63, 26.44), abs=1e-6)


def test_the_figure_draws_offline_unless_a_tile_server_is_set(city, monkeypatch):
    data = geo.map_data("state", PARAMS, store.CITY, "en")
    monkeypatch.delenv(geo_map.TILES_ENV, raising=False)
    fig = geo_map.territory_map(data, "t", "s", "en")
    assert {t.type for t in fig.data} == {"scatter"}
    drawn = json.loads(fig.to_json())
    assert "http" not in json.dumps(drawn["data"]) and "map" not in drawn["layout"]  # nothing to fetch
    labels = [t for t in fig.data if t.mode == "markers+text"][0]
    assert list(labels.customdata) == list(data.areas.territory_code)
    monkeypatch.setenv(geo_map.TILES_ENV, "https://tiles.example.test/{z}/{x}/{y}.png")
    tiled = geo_map.territory_map(data, "t", "s", "en")
    assert {t.type for t in tiled.data} == {"scattermap"}
    assert tiled.layout.map.style["sources"]["tiles"]["tiles"] == ["https://tiles.example.test/{z}/{x}/{y}.png"]
