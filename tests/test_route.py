"""我的线路, the customer manager's page: its numbers against the metrics they come from (the same
demo store the metric tests use), the page itself for a cm account and a territory manager."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from marketpulse import metrics, store
from marketpulse.views import route

ROOT = Path(__file__).resolve().parent.parent
WEEK = dt.date(2026, 11, 16)
ROUTE_PAGE = "app_pages/10_route.py"


@pytest.fixture
def city(demo_store, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    return demo_store


@pytest.fixture
def cm(city):
    return store.reader(city).sql("select min(cm_code) as c from customer_manager")["c"][0]


def test_the_week_matches_the_scorecard(city, cm):
    data = route.route(cm, WEEK, store.Scope(cm_code=cm))
    card = metrics.cm_scorecard(WEEK, WEEK).set_index("level_key").loc[cm]
    assert (data.planned, data.visited) == (card.planned_visits, card.visits_made)
    assert len(data.cards) == data.planned and data.cards.license_no.is_unique
    # the not-yet-visited first, then the longest unvisited, then the most to act on
    order = list(zip(~data.cards.not_visited, -data.cards.since, -data.cards.todo, strict=True))
    assert order == sorted(order)


def test_cover_and_status_are_the_metrics(city, cm):
    data = route.route(cm, WEEK, store.Scope(cm_code=cm))
    specs = data.specs[data.specs.cover.notna()]
    assert len(specs) > 20
    # 存销比 of one retailer × spec, as inventory_ratio gives it at the retailer level for that spec
    checked = 0
    for spec, rows in specs.groupby("spec_code"):
        ratio = metrics.inventory_ratio(WEEK, WEEK, "retailer", store.Scope(cm_code=cm), spec_code=spec)
        ratio = ratio.set_index("level_key").ratio.dropna()
        both = rows.set_index("license_no").cover.reindex(ratio.index).dropna()
        same = ratio.reindex(both.index)
        checked += (abs(both - same) < 1e-9).sum()
    assert checked > 20
    # the status is the band of the retailer's customer group
    group = metrics.query("route_retailers", {"cm_code": cm, "week_to": WEEK}).set_index("license_no")
    for row in data.specs[data.specs.status.notna()].head(10).itertuples():
        assert row.ratio_low < row.ratio_high and group.loc[row.license_no, "format"]
        if pd.notna(row.cover) and row.avg_weekly_sales_4w:
            assert (row.status == "stockout") == (row.cover < row.ratio_low)
            assert (row.status == "overstock") == (row.cover > row.ratio_high)
    off = data.specs[data.specs.price_off]
    assert (
        len(off) and ((off.retail_price - off.suggested_retail_price).abs() > 0.02 * off.suggested_retail_price).all()
    )


def test_new_specs_to_push_were_never_carried(city, cm):
    data = route.route(cm, WEEK, store.Scope(cm_code=cm))
    push = data.specs[data.specs.is_new & ~data.specs.carried]
    assert len(push)
    seen = store.reader(city).sql(
        "select license_no, spec_code from weekly_observation where week <= $w "
        "and (stock_qty > 0 or demand_qty > 0 or supplied_qty > 0 or sales_qty > 0)",
        {"w": WEEK},
    )
    carried = set(zip(seen.license_no, seen.spec_code, strict=True))
    assert not carried & set(zip(push.license_no, push.spec_code, strict=True))
    new = set(metrics.new_brand_uptake(WEEK, WEEK, "city").spec_name)
    assert set(push.spec_name) <= new


def test_new_brand_distribution_mine_the_territory_and_the_city(city, cm):
    data = route.route(cm, WEEK, store.Scope(cm_code=cm))
    mine = metrics.new_brand_uptake(WEEK, WEEK, "cm", store.Scope(cm_code=cm)).set_index("spec_name")
    city_rates = metrics.new_brand_uptake(WEEK, WEEK, "city").set_index("spec_name")
    shown = data.uptake.set_index("spec_name")
    assert len(shown)
    pd.testing.assert_series_equal(
        shown.mine, mine.distribution_rate.reindex(shown.index) * 100, check_names=False, check_exact=False
    )
    pd.testing.assert_series_equal(
        shown.city, city_rates.distribution_rate.reindex(shown.index) * 100, check_names=False, check_exact=False
    )


def test_another_territory_sees_nothing_of_the_route(city, cm):
    cms = metrics.lookup("customer_managers").set_index("cm_code")
    other = next(t for t in metrics.lookup("territories").territory_code if t != cms.territory_code[cm])
    seen = route.route(cm, WEEK, store.Scope(territory_code=other))
    assert seen.cards.empty and seen.uptake.empty  # nor the manager's new-brand rates


def test_another_managers_route_holds_nothing_of_theirs(city, cm):
    other = store.reader(city).sql("select max(cm_code) as c from customer_manager")["c"][0]
    seen = route.route(other, WEEK, store.Scope(cm_code=cm))
    assert seen.cards.empty and seen.uptake.empty and seen.planned == 0
    # the center sees that manager's rates, as the manager does
    pd.testing.assert_frame_equal(
        route.route(other, WEEK, store.CITY).uptake, route.route(other, WEEK, store.Scope(cm_code=other)).uptake
    )


def test_a_retailers_history(city, cm):
    data = route.route(cm, WEEK, store.Scope(cm_code=cm))
    license_no = data.cards.license_no.iloc[0]
    history = route.history(license_no, WEEK, store.Scope(cm_code=cm))
    assert set(history.license_no) == {license_no}
    assert history.week.nunique() <= route.HISTORY_WEEKS and pd.Timestamp(WEEK) in set(history.week)


@pytest.mark.parametrize("account", ["cm", "territory"])
def test_the_page_for_a_customer_manager_and_a_territory_manager(city, signed_in, monkeypatch, account):
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120), account).run()
    at.switch_page(ROUTE_PAGE).run()
    assert not at.exception
    assert at.title[0].value == "我的线路"
    assert "/" in at.metric[0].value
    # a cm sees their own route, without a picker; a territory manager picks one of theirs
    pickers = [s.key for s in at.selectbox]
    assert ("route_cm" in pickers) == (account == "territory")
    history = [b for b in at.button if b.key and b.key.startswith("route_h_")]
    history[0].click().run()
    assert not at.exception and at.get("plotly_chart")


def test_a_price_that_barely_moves_gets_distinct_ticks():
    """123.8, 124.0, 124.2 元 on an axis ticked in whole 元 would read 124, 124, 124: the price
    axis spans at least 2 元 either side (121.8 … 126.2), so its whole-元 ticks differ."""
    from marketpulse.ui import route as route_ui

    frame = pd.DataFrame(
        {
            "spec_code": "S1",
            "week": pd.to_datetime(["2026-11-02", "2026-11-09", "2026-11-16"]),
            "stock_qty": [5.0, 4.0, 6.0],
            "sales_qty": [2.0, 3.0, 2.0],
            "retail_price": [123.8, 124.0, 124.2],
        }
    )
    fig = route_ui.history_chart(frame, "S1", "en")
    low, high = fig.layout.yaxis2.range
    assert (low, high) == pytest.approx((121.8, 126.2))
    assert fig.layout.yaxis2.title.text == "Retail price (CNY/carton)"
