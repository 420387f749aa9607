"""What the pages say, checked by hand: a route card leads with what to do and counts what it
does not name, English reads as English (业态, plurals, units, capitals), counts carry
thousands separators, the scorecard's download holds numbers, week ticks fall on Mondays."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from marketpulse import i18n, metrics, numbers, rollup, store
from marketpulse.ui import route as parts
from marketpulse.ui import widgets
from marketpulse.views import route as route_view
from marketpulse.views.managers import scorecard_export

ROOT = Path(__file__).resolve().parent.parent
W1, W2, W3, W4 = (dt.date(2025, 9, 1) + dt.timedelta(weeks=i) for i in range(4))
STOCKOUT = [f"断{i}" for i in range(10)]  # best sellers first, as the view orders them
OVERSTOCK = [f"积{i}" for i in range(12)]


def a_card(**changes) -> pd.Series:
    """A retailer on the route: 10 specs at stock-out risk, 12 overstocked, one new spec to push,
    40 prices off (the farthest first: 687 against 650 is +5.7%), no alerts."""
    prices = [("中华(软)", 687.0, 650.0, (687 / 650 - 1) * 100)] + [(f"价{i}", 205.0, 200.0, 2.5) for i in range(39)]
    row = {
        "license_no": "431102001815",
        "retailer_name": "隆昌烟酒商行",
        "format": "烟酒商店",
        "tier": 18,
        "last_visit_date": pd.Timestamp("2026-11-16"),
        "weeks_since_visit": 1,
        "notes": None,
        "stockout": STOCKOUT,
        "overstock": OVERSTOCK,
        "push": ["黄金叶(乐途中支)"],
        "price_off": prices,
        "alerts_zh": [],
        "alerts_en": [],
    }
    row.update(changes)
    return pd.Series(row)


def chips(html: str) -> int:
    return html.count('class="mp-tag ')


def test_a_card_leads_with_what_to_do_and_counts_the_rest():
    html = parts.card(a_card(), "zh", 0.02)
    # push first, then restock, check prices, hold back: each one line, counted
    lines = ["推新品(1)", "补货:断货风险(10)", "核价:偏离建议价超 ±2.0%(40)", "控货:积压(12)"]
    at = [html.index(x) for x in lines]
    assert at == sorted(at)
    # three specs named per kind (1 + 3 + 3 + 3 chips, not 1 + 10 + 40 + 12), the rest counted
    assert chips(html) == 10
    assert "另 7 个" in html and "另 37 个" in html and "另 9 个" in html
    assert "断0" in html and "断2" in html and "断3" not in html
    # a price with its unit and its deviation in %
    assert "中华(软) 687.0 元/条(建议 650.0,+5.7%)" in html
    assert "本周无需特别处理" not in html


def test_a_card_in_english():
    html = parts.card(a_card(), "en", 0.02)
    assert "Tobacco &amp; liquor shop" in html and "烟酒商店" not in html
    assert "1 week ago" in html and "1 weeks" not in html
    assert "Restock: stock-out risk (10)" in html and "+7 more" in html
    assert "中华(软) 687.0 CNY/carton (suggested 650.0, +5.7%)" in html
    assert "Check price: more than ±2.0% off suggested (40)" in html


def test_a_card_with_nothing_to_do_says_so():
    html = parts.card(a_card(stockout=[], overstock=[], push=[], price_off=[]), "zh", 0.02)
    assert chips(html) == 0 and "本周无需特别处理。" in html


def test_alerts_on_a_card_are_counted_beyond_two():
    html = parts.card(a_card(alerts_zh=["甲", "乙", "丙"], alerts_en=["a", "b", "c"]), "en", 0.02)
    assert "Alerts (3)" in html and ">a<" in html and ">b<" in html and ">c<" not in html and "+1 more" in html


def test_prices_off_farthest_first_only_those_the_query_flagged():
    specs = pd.DataFrame(
        {
            "spec_name": ["A", "B", "C", "D"],
            "retail_price": [205.0, 400.0, 190.0, 101.0],
            "suggested_retail_price": [200.0, 450.0, 200.0, 100.0],
            "price_off": [True, True, True, False],  # D is 1% off: inside ±2%
        }
    )
    got = route_view._prices_off(specs)
    assert [(n, round(p, 1)) for n, _, _, p in got] == [("B", -11.1), ("C", -5.0), ("A", 2.5)]


def test_stockout_names_best_sellers_first():
    specs = pd.DataFrame({"spec_name": ["甲", "乙", "丙"], "avg_weekly_sales_4w": [2.0, None, 9.0]})
    assert route_view._names(specs, "avg_weekly_sales_4w") == ["丙", "甲", "乙"]


def test_english_wording():
    assert i18n.value("烟酒商店", "en") == "Tobacco & liquor shop"
    assert i18n.t("weekly.alert_since", "en", since="2026-11-23", n=1) == "since 2026-11-23, weeks running: 1"
    assert i18n.t("deliver.since", "en", week="2026-11-23", weeks=1) == "since 2026-11-23, weeks running: 1"
    assert i18n.t("map.skipped", "en", n=1) == "Retailers with invalid coordinates, not shown: 1."
    assert i18n.t("weekly.alert_who", "en", cm="黎琴凯", action="Visit") == (
        "Customer manager: 黎琴凯 · Suggested action: Visit"
    )
    # axis titles and table values next to "Brand", "Spec": capitalised alike
    for level in ("city", "department", "territory", "cm", "retailer", "brand"):
        word = i18n.t(f"level.{level}", "en")
        assert word[0].isupper(), word
    assert i18n.t("inventory.latest_leaf", "en", week="2026-11-23", level="Retailer") == (
        "Weeks of cover by Retailer, week of 2026-11-23"
    )
    assert "下钻" not in i18n.t("inventory.latest_leaf", "zh", week="2026-11-23", level="零售户")


def test_counts_read_with_thousands_separators():
    assert numbers.column_format("count") == "%,.0f"
    assert numbers.fmt(32404767, 0) == "32,404,767"


def test_the_scorecard_download_writes_weekly_sales_as_numbers():
    card = pd.DataFrame({"编码": ["KH001"], "客户经理": ["武洋"], "周销量走势": [[3227.0, 3303.0, 13230.4]]})
    out = scorecard_export(card, "zh")
    assert list(out.columns) == ["编码", "客户经理", "周销量走势(条,由早到晚)"]
    assert out.iloc[0, 2] == "3,227 / 3,303 / 13,230"
    en = scorecard_export(card.rename(columns={"周销量走势": "Weekly sales"}), "en")
    assert "Weekly sales (cartons, oldest first)" in en.columns


@pytest.fixture
def overstocked(db):
    """R1 (食杂店, 档位 8: band 0.5–2.0 weeks) sells 10 a week; its stock of 中华(硬) goes 10, 10,
    40, 50: in week 4 cover is 50 ÷ 10 = 5.0 weeks, above the 2.0 ceiling."""
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '城区市场部')")
        con.execute("insert into territory values ('T1', '东片', 'D1', '城网')")
        con.execute("insert into customer_manager values ('C1', '张三', 'T1')")
        con.execute("insert into retailer values ('R1', '店R1', '食杂店', 8, 'T1', 'C1', '城网', null, null)")
        con.execute("insert into retailer_assignment values ('R1', date '1900-01-01', null, 'T1', 'C1', '食杂店', 8)")
        con.execute("insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01')")
        for week, stock in [(W1, 10), (W2, 10), (W3, 40), (W4, 50)]:
            con.execute("insert into visit_line values (?, 'C1', 'R1', 'S1', ?, 450, true, 10, null, 1)", [week, stock])
        rollup.rebuild(con)
    return db


def test_the_overstock_alert_says_cartons(overstocked):
    got = metrics.alerts(W4, W4, path=overstocked)
    over = got[got.kind == "overstock"].iloc[0]
    assert "(库存 50 条,近四周周均销 10.0 条)" in over.reason_zh
    assert "(stock 50 cartons, 4-week average sales 10.0 cartons a week)" in over.reason_en


@pytest.fixture
def city(demo_store, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    return demo_store


def test_the_data_page_counts_and_the_visit_chart_ticks(city, signed_in):
    """On the pages: the store's row counts with separators; the visit chart's ticks on Mondays."""
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)).run()
    at.switch_page("app_pages/8_data.py").run()
    assert not at.exception
    rows = i18n.t("data.rows", "zh")
    contents = next(d for d in at.dataframe if rows in d.value.columns and len(d.value.columns) == 2)
    config = json.loads(contents.proto.columns)
    assert config[rows]["type_config"]["format"] == "%,.0f"

    cm = store.reader(city).sql("select min(cm_code) as c from customer_manager")["c"][0]
    at.session_state["cm"] = cm
    at.switch_page("app_pages/6_customer_managers.py").run()
    assert not at.exception
    fig = next(json.loads(e.proto.spec) for e in at.get("plotly_chart") if "cm_weekly" in e.proto.id)
    axis = fig["layout"]["xaxis"]
    assert dt.date.fromisoformat(axis["tick0"][:10]).weekday() == 0  # a Monday
    assert axis["dtick"] % (7 * 24 * 3600 * 1000) == 0


def test_week_axes_tick_on_mondays_every_week_or_every_few():
    week_ms = 7 * 24 * 3600 * 1000
    # 6 weeks fit 8 ticks: one a week; 30 weeks: ⌈30 / 8⌉ = 4 weeks apart
    for weeks, step in ((6, 1), (30, 4)):
        axis = widgets.monday_ticks(go.Figure(), weeks).layout.xaxis
        assert dt.date.fromisoformat(axis.tick0).weekday() == 0  # a Monday
        assert axis.tickmode == "linear" and axis.dtick == step * week_ms


def test_twelve_lines_are_twelve_looks_colour_and_dash():
    from marketpulse.ui import figures

    frame = pd.DataFrame(
        {"week": pd.Timestamp("2026-11-23"), "value": range(12), "series": [f"片区{i:02d}" for i in range(12)]}
    )
    fig = figures.lines(frame, "week", "value", "series", "t", "s", "周", "条")
    looks = [(trace.line.color, trace.line.dash or "solid") for trace in fig.data]
    assert len(set(looks)) == 12  # the 11th and 12th repeat the first two colours, dashed
    assert looks[10] == (figures.SERIES_COLORS[0], "longdash") and looks[0] == (figures.SERIES_COLORS[0], "solid")
