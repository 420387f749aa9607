"""The province of the scale benchmarks: the simulated city copied into prefectures under their own
codes, in one lake whose numbers are the city's, prefecture by prefecture."""

from __future__ import annotations

import pytest
from test_lake import exported  # noqa: F401 - the demo store's lake, built once

from marketpulse import lake, metrics, store
from marketpulse.simulate import province

PREFECTURES = 3


@pytest.fixture(scope="module")
def provincial(exported, tmp_path_factory):  # noqa: F811
    out = tmp_path_factory.mktemp("province") / "lake"
    province.build_province(exported, out, PREFECTURES)
    return out


def _on(lake_dir, monkeypatch, query, params):
    monkeypatch.setenv("MARKETPULSE_LAKE", str(lake_dir))
    return metrics.query(query, params)


def test_each_prefecture_holds_the_citys_rows_under_its_own_codes(exported, provincial):  # noqa: F811
    city, prov = lake.load(exported), lake.load(provincial)
    assert lake.verify(provincial) == []
    assert set(prov.tables) == set(city.tables)
    for table in ("visit_line", "order_line", "weekly_observation", "market_cell", "retailer", "territory"):
        assert _rows(prov, table) == PREFECTURES * _rows(city, table), table
    for table in ("spec", "spec_price", "setting", "tier_band"):  # no codes: the province's are the city's
        assert _rows(prov, table) == _rows(city, table), table
    retailers = store.reader(provincial / "serving.duckdb").sql(
        "select count(*) as n, count(distinct license_no) as d, count(distinct substr(license_no, 1, 4)) as regions "
        "from retailer"
    )
    # every license number its own, in as many region codes as prefectures
    assert retailers.iloc[0].tolist() == [_rows(prov, "retailer")] * 2 + [PREFECTURES]


def _rows(manifest, table: str) -> int:
    return sum(p.rows for p in manifest.tables[table].parts.values())


def test_the_province_sums_its_prefectures_and_a_territory_keeps_its_numbers(exported, provincial, monkeypatch):  # noqa: F811
    monkeypatch.setenv("MARKETPULSE_LAKE", str(exported))
    week = store.reader().sql("select max(week) as w from weekly_observation")["w"][0].date()
    params = {"week_from": week, "week_to": week, "product_level": "all"}
    city = _on(exported, monkeypatch, "sales_volume", {**params, "level": "city"})
    whole = _on(provincial, monkeypatch, "sales_volume", {**params, "level": "city"})
    # three prefectures, each the city's rows: the province sells three times the city's cartons
    assert whole["sales_qty"].iloc[0] == pytest.approx(PREFECTURES * city["sales_qty"].iloc[0])
    before = _on(exported, monkeypatch, "sales_volume", {**params, "level": "territory"})
    after = _on(provincial, monkeypatch, "sales_volume", {**params, "level": "territory"})
    assert len(after) == PREFECTURES * len(before)
    # 长沙's copy of a territory: its code and name prefixed, its cartons the original's
    first = before.iloc[0]
    copy = after[after["level_key"] == "4301" + first["level_key"]].iloc[0]
    assert copy["level_name"] == "长沙" + first["level_name"]
    assert copy["sales_qty"] == pytest.approx(first["sales_qty"])
