"""Every page rendered by Streamlit's AppTest on the small simulated city: no exception,
headline numbers equal to the named queries' output, filters that change what is shown,
and an empty store that says so in words.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from marketpulse import i18n, metrics, numbers, store, supply, views
from marketpulse.ui import shell, weekly, widgets

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "app_pages/1_weekly_review.py",
    "app_pages/2_inventory.py",
    "app_pages/3_prices.py",
    "app_pages/4_brands.py",
    "app_pages/5_territory.py",
    "app_pages/6_customer_managers.py",
    "app_pages/7_supply.py",
    "app_pages/8_data.py",
]


@pytest.fixture(scope="module")
def city(request, tmp_path_factory) -> Path:
    """A private copy of the small simulated city (the shared `demo_store`, else built here)."""
    try:
        source = Path(request.getfixturevalue("demo_store"))
    except pytest.FixtureLookupError:
        source = tmp_path_factory.mktemp("city") / "demo.duckdb"
        subprocess.run(
            [sys.executable, "-m", "marketpulse", "demo", "--scale", "small"],
            cwd=ROOT,
            env={**os.environ, "MARKETPULSE_DB": str(source)},
            check=True,
            capture_output=True,
        )
    path = tmp_path_factory.mktemp("pages") / "store.duckdb"
    shutil.copyfile(source, path)
    return path


@pytest.fixture
def app(city, monkeypatch, signed_in):
    """An AppTest of the whole app (navigation + sidebar) on the city store, signed in as admin."""
    monkeypatch.setenv("MARKETPULSE_DB", str(city))

    def open_page(page: str | None = None, **state) -> AppTest:
        at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90))
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


def latest_week(city) -> dt.date:
    return store.reader(city).sql("select max(week) as w from weekly_observation")["w"][0].date()


def cards(at: AppTest) -> dict[str, str]:
    """KPI card label → the card's whole text."""
    out = {}
    for md in at.markdown:
        if 'class="mp-kpi"' in md.value:
            label = md.value.split('mp-kpi-label">')[1].split("<")[0]
            out[label] = md.value
    return out


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(app, page):
    at = app(page)
    assert at.title, "each page has a title"


def test_weekly_review_numbers_equal_the_named_queries(app, city):
    at = app()
    week = latest_week(city)
    sales = store.run("sales_volume", {"level": "city", "product_level": "all", "week_from": week, "week_to": week})
    ratio = store.run("inventory_ratio", {"level": "city", "week_from": week, "week_to": week})
    index = store.run("price_index", {"level": "city", "week_from": week, "week_to": week})
    got = cards(at)
    assert widgets.number(sales["sales_qty"][0], "zh", 0) in got["销量"]
    assert numbers.fmt(ratio["ratio"][0], 2) in got["存销比"]
    assert numbers.fmt(index["price_index"][0], 1) in got["价格指数"]
    assert f"{week.isoformat()}" in " ".join(h.value for h in at.subheader)


def test_weekly_alerts_say_since_when_an_alert_has_held(app, city):
    week = latest_week(city)
    truth = store.reader(city).sql("select cm_code, first_week from demo_truth where kind = 'copy_counts'")
    cm_name = store.reader(city).sql(
        "select cm_name from customer_manager where cm_code = $c", {"c": truth["cm_code"][0]}
    )["cm_name"][0]
    at = app()
    alerts = frame_with(at, i18n.t("col.since", "zh"))
    copied = alerts[(alerts[i18n.t("col.cm", "zh")] == cm_name) & (alerts[i18n.t("col.kind", "zh")] == "照搬照抄")]
    assert len(copied) == 1
    since = copied[i18n.t("col.since", "zh")].iloc[0]
    assert since <= week - dt.timedelta(weeks=8)
    assert copied[i18n.t("col.weeks_running", "zh")].iloc[0] == (week - since).days // 7 + 1


def test_weekly_review_ranks_cells_by_state_score_with_the_weights_in_words(app, city):
    week = latest_week(city)
    state = store.run("market_state", {"week_from": week, "week_to": week})
    at = app()
    ranked = frame_with(at, i18n.t("col.rank", "zh"))
    scores = ranked[i18n.t("col.score", "zh")]
    # the tightest list holds only tight cells, the loosest only loose ones (a balanced cell is in neither)
    scored = state[state["state_score"].notna()]
    tight, loose = (scored[scored["state"] == s]["state_score"] for s in ("tight", "loose"))
    states = list(ranked[i18n.t("col.state", "zh")])
    n_tight, n_loose = min(10, len(tight)), min(10, len(loose))
    assert len(ranked) == n_tight + n_loose
    assert states == [i18n.state("tight", "zh")] * n_tight + [i18n.state("loose", "zh")] * n_loose
    if n_tight:
        assert scores.iloc[0] == pytest.approx(round(tight.max(), 1))
    if n_loose:
        assert scores.iloc[n_tight] == pytest.approx(round(loose.min(), 1))
    assert list(scores[:n_tight]) == sorted(scores[:n_tight], reverse=True)
    assert list(scores[n_tight:]) == sorted(scores[n_tight:])
    total = state[["cover_weight", "price_weight", "margin_weight"]].iloc[0].sum()
    share = lambda col: f"{state[col].iloc[0] / total * 100:g}%"  # noqa: E731
    formula = i18n.t(
        "weekly.score_formula",
        "zh",
        cover=share("cover_weight")[:-1],
        price=share("price_weight")[:-1],
        margin=share("margin_weight")[:-1],
    )
    assert formula.startswith("得分 = 存销比 40% + 价格指数 40% + 毛利率 20%")
    assert any(c.value == formula for c in at.caption)
    matrix = next(fig for fig in figures(at) if fig["data"][0]["type"] == "heatmap")
    marks = matrix["data"][1]  # the cells' markers: the words once, in the template; each cell its numbers
    assert i18n.t("col.score", "zh") in marks["hovertemplate"] and "%{customdata[5]}" in marks["hovertemplate"]
    assert all(len(fields) == 6 for fields in marks["customdata"])


def test_territory_filter_changes_the_weekly_numbers(app, city):
    week = latest_week(city)
    territory = store.reader(city).sql("select min(territory_code) as t from territory")["t"][0]
    at = app(ter=territory)
    sales = store.run(
        "sales_volume",
        {"level": "city", "product_level": "all", "week_from": week, "week_to": week},
        scope=store.Scope(territory_code=territory),
    )
    city_sales = store.run(
        "sales_volume", {"level": "city", "product_level": "all", "week_from": week, "week_to": week}
    )
    assert sales["sales_qty"][0] != city_sales["sales_qty"][0]
    assert widgets.number(sales["sales_qty"][0], "zh", 0) in cards(at)["销量"]


def test_english_switch_translates_the_page(app):
    at = app(lang="en")
    assert at.title[0].value == i18n.t("weekly.title", "en")
    assert "Sales volume" in cards(at)


def test_empty_store_says_no_data_for_this_week(tmp_path, monkeypatch, signed_in):
    path = tmp_path / "empty.duckdb"
    with store.writer(path):
        pass
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    assert not at.exception
    assert any(i.value == i18n.t("empty.week", "zh") for i in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_an_empty_store_says_there_is_no_data(tmp_path, monkeypatch, page, signed_in):
    path = tmp_path / "empty.duckdb"
    with store.writer(path):
        pass
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [i.value for i in at.info] + [c.value for c in at.caption]
    empty = {i18n.t("empty.week", "zh"), i18n.t("empty.range", "zh")}
    if page == "app_pages/7_supply.py":
        empty = {i18n.t("supply.none", "zh")}
    elif page == "app_pages/8_data.py":
        empty = {":material/schedule: " + i18n.t("fresh.none", "zh"), i18n.t("fresh.none", "zh")}
    assert empty & set(shown), shown


def test_data_page_lists_every_metric_in_the_glossary(app):
    at = app("app_pages/8_data.py")
    glossary = next(t.value for t in at.table if i18n.t("gloss.definition", "zh") in t.value.columns)
    assert list(glossary.index) == [i18n.t(f"gloss.{k}", "zh") for k in i18n.GLOSSARY]
    assert views.freshness().latest_week is not None


def test_data_page_tables_all_offer_csv_and_excel_downloads(app):
    at = app("app_pages/8_data.py")
    keys = {b.key for b in at.get("download_button")}
    for table in ("imports", "freshness", "contents", "glossary"):
        assert {f"{table}_csv", f"{table}_xlsx"} <= keys, table


def test_data_page_imports_an_upload_and_shows_the_summary(app, city, tmp_path, monkeypatch, signed_in):
    own = tmp_path / "own.duckdb"  # the import writes: keep the shared copy as it was
    shutil.copyfile(city, own)
    city = own
    monkeypatch.setenv("MARKETPULSE_DB", str(own))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)).run()
    at.switch_page("app_pages/8_data.py").run()
    territories = (
        "department_code,department_name,territory_code,territory_name,area_type\n"
        "DX9,测试市场部,TX9,测试片区,城网\nDX9,测试市场部,TX8,,城网\n"
    )
    at.file_uploader(key="upload").upload("片区.csv", territories.encode("utf-8"), "text/csv")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, [e.value for e in at.exception]
    messages = " ".join(m.value for m in [*at.success, *at.warning])
    assert "读取 2 行" in messages and "隔离 1 行" in messages
    assert store.reader(city).sql("select count(*) as n from territory where territory_code = 'TX9'")["n"][0] == 1


def weeks(city) -> tuple[dt.date, dt.date]:
    """The sidebar's default range: the last 13 weeks with data."""
    all_weeks = [
        w.date() for w in store.reader(city).sql("select distinct week from weekly_observation order by week")["week"]
    ]
    return all_weeks[max(0, len(all_weeks) - shell.DEFAULT_WEEKS)], all_weeks[-1]


def frame_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def figures(at: AppTest) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def values(encoded) -> list[float]:
    """A plotly trace's numbers, whether a list or plotly's typed-array encoding."""
    if isinstance(encoded, dict):
        return list(np.frombuffer(base64.b64decode(encoded["bdata"]), dtype=encoded["dtype"]).astype(float))
    return [float("nan") if v is None else float(v) for v in encoded]


def test_inventory_table_equals_inventory_ratio_by_department(app, city):
    at = app("app_pages/2_inventory.py")
    start, end = weeks(city)
    want = store.run("inventory_ratio", {"level": "department", "week_from": end, "week_to": end})
    got = frame_with(at, i18n.t("col.ratio", "zh")).set_index(i18n.t("col.code", "zh"))[i18n.t("col.ratio", "zh")]
    for key, ratio in zip(want["level_key"], want["ratio"]):
        assert got[key] == pytest.approx(round(ratio, 2))
    assert figures(at), "the ratio chart is drawn"


def test_inventory_drills_down_to_the_territories_of_a_department(app, city):
    dep = store.reader(city).sql("select min(department_code) as d from department")["d"][0]
    at = app("app_pages/2_inventory.py", dep=dep)
    codes = set(frame_with(at, i18n.t("col.ratio", "zh"))[i18n.t("col.code", "zh")])
    territories = set(
        store.reader(city).sql("select territory_code from territory where department_code = $d", {"d": dep})[
            "territory_code"
        ]
    )
    assert codes and codes <= territories


def test_prices_table_equals_price_index_and_formula_switch_changes_the_chart(app, city):
    at = app("app_pages/3_prices.py")
    _, end = weeks(city)
    want = store.run("price_index", {"level": "territory", "week_from": end, "week_to": end})
    got = frame_with(at, i18n.t("col.compliance", "zh")).set_index(i18n.t("col.territory", "zh"))[
        i18n.t("col.price_index", "zh")
    ]
    for name, index in zip(want["level_name"], want["price_index"]):
        assert got[name] == pytest.approx(round(index, 1))
    titles = " ".join(fig["layout"]["title"]["text"] for fig in figures(at))
    assert "费雪" in titles
    at = app("app_pages/3_prices.py", formula="laspeyres")
    assert "拉氏" in " ".join(fig["layout"]["title"]["text"] for fig in figures(at))


def test_territory_trends_follow_the_territory_filter(app, city):
    names = store.reader(city).sql("select territory_code, territory_name from territory order by territory_code")
    code, name = names["territory_code"].iloc[-1], names["territory_name"].iloc[-1]
    at = app("app_pages/5_territory.py", ter=code)
    titles = [fig["layout"]["title"]["text"] for fig in figures(at)]
    assert len(titles) >= 5 and all(name in t for t in titles)
    sales = store.run(
        "sales_volume",
        {"level": "territory", "product_level": "all", "week_from": weeks(city)[0], "week_to": weeks(city)[1]},
    )
    drawn = next(fig for fig in figures(at) if "销量" in fig["layout"]["title"]["text"])
    this_year = next(trace for trace in drawn["data"] if trace["name"] == name)
    assert sum(v for v in values(this_year["y"]) if v == v) == pytest.approx(
        sales[sales["level_key"] == code]["sales_qty"].sum()
    )


def test_territory_trends_pick_a_territory_of_the_chosen_department(app, city):
    reader = store.reader(city)
    dep = reader.sql("select max(department_code) as d from department")["d"][0]
    own = reader.sql("select territory_code, territory_name from territory where department_code = $d", {"d": dep})
    assert reader.sql("select min(department_code) as d from department")["d"][0] != dep
    at = app("app_pages/5_territory.py", dep=dep)
    names = set(own["territory_name"])
    shown = [name for name in names if any(name in i.value for i in at.info)]
    assert len(shown) == 1
    name = shown[0]
    titles = [fig["layout"]["title"]["text"] for fig in figures(at)]
    assert len(titles) >= 5 and all(name in t for t in titles)
    code = own.set_index("territory_name")["territory_code"][name]
    start, end = weeks(city)
    sales = store.run(
        "sales_volume",
        {"level": "territory", "product_level": "all", "week_from": start, "week_to": end},
        scope=store.Scope(department_code=dep),
    )
    drawn = next(fig for fig in figures(at) if "销量" in fig["layout"]["title"]["text"])
    this_year = next(trace for trace in drawn["data"] if trace["name"] == name)
    assert sum(v for v in values(this_year["y"]) if v == v) == pytest.approx(
        sales[sales["level_key"] == code]["sales_qty"].sum()
    )


def test_scorecard_equals_cm_scorecard_and_a_manager_opens_the_detail(app, city):
    start, end = weeks(city)
    want = store.run("cm_scorecard", {"level": "cm", "week_from": start, "week_to": end})
    at = app("app_pages/6_customer_managers.py")
    card = frame_with(at, i18n.t("col.visit_rate", "zh")).set_index(i18n.t("col.cm_code", "zh"))
    for code, rate in zip(want["level_key"], want["visit_rate"]):
        assert card.loc[code, i18n.t("col.visit_rate", "zh")] == pytest.approx(round(rate * 100, 1))
    # the manager the simulation made skip visits: the detail must list unvisited retailers
    missed = store.reader(city).sql("select cm_code from demo_truth where kind = 'missed_visits'")["cm_code"][0]
    manager = want.set_index("level_key").loc[missed]
    at = app("app_pages/6_customer_managers.py", cm=missed)
    assert any(manager["level_name"] in h.value for h in at.subheader)
    visits = store.run("cm_visits", {"cm_code": missed, "week_from": start, "week_to": end})
    last = visits[visits["week"] == visits["week"].max()]
    assert last["unvisited"].sum() > 0
    assert len(frame_with(at, i18n.t("col.weeks_unvisited", "zh"))) == int(last["unvisited"].sum())


def test_brand_league_equals_new_brand_uptake(app, city):
    at = app("app_pages/4_brands.py")
    _, end = weeks(city)
    uptake = store.run("new_brand_uptake", {"level": "territory", "week_from": end, "week_to": end})
    spec = at.selectbox(key="new_spec").value
    want = uptake[uptake["spec_code"] == spec].set_index("level_name")["distribution_rate"]
    league = frame_with(at, i18n.t("col.vs_city", "zh"))
    territories = league[league[i18n.t("col.level", "zh")] == i18n.t("level.territory", "zh")]
    assert len(territories) == len(want)
    for name, rate in zip(territories[i18n.t("col.level_name", "zh")], territories[i18n.t("col.distribution", "zh")]):
        assert rate == pytest.approx(round(want[name] * 100, 1))
    assert len(figures(at)) == 3


@pytest.fixture(scope="module")
def city_with_forecasts(city, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("forecast") / "store.duckdb"
    shutil.copyfile(city, path)
    subprocess.run(
        [sys.executable, "-m", "marketpulse", "forecast", "--origins", "4", "--workers", "1"],
        cwd=ROOT,
        env={**os.environ, "MARKETPULSE_DB": str(path)},
        check=True,
        capture_output=True,
    )
    return path


def test_supply_without_forecasts_says_what_it_will_show(app):
    at = app("app_pages/7_supply.py")
    assert any(i.value == i18n.t("supply.none", "zh") for i in at.info)


def test_supply_table_equals_the_recommendations(city_with_forecasts, monkeypatch, signed_in):
    monkeypatch.setenv("MARKETPULSE_DB", str(city_with_forecasts))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)).run()
    at.switch_page("app_pages/7_supply.py").run()
    assert not at.exception, [e.value for e in at.exception]
    want = supply.recommendations()
    table = frame_with(at, i18n.t("col.recommended", "zh"))
    assert list(table[i18n.t("col.recommended", "zh")]) == list(want["recommended_qty"].round(0))
    assert list(table[i18n.t("col.verdict", "zh")]) == [i18n.t(f"verdict.{v}", "zh") for v in want["verdict"]]
    drawn = figures(at)[0]
    assert any(s.get("text") == i18n.t("supply.festival", "zh") for s in drawn["layout"].get("annotations", []))


def test_state_matrix_keeps_every_flagged_spec_and_the_best_sellers():
    # 40 specs in 2 territories; spec 39 (the smallest seller) is loose somewhere
    rows = []
    for i in range(40):
        for ter in ("东城片区", "西城片区"):
            rows.append(
                {
                    "spec_code": f"S{i:02d}",
                    "spec_name": f"规格{i:02d}",
                    "territory_name": ter,
                    "state": "loose" if (i == 39 and ter == "西城片区") else "balanced",
                    "ratio": 1.0,
                    "price_index": 100.0,
                    "sales_qty": 1000.0 - i,
                }
            )
    fig = weekly.state_matrix(pd.DataFrame(rows), shell.Filters(desc="全市"))
    shown = list(fig.data[0].y)
    assert len(shown) == weekly.MATRIX_ROWS
    assert "规格39" in shown and "规格00" in shown and "规格30" not in shown
    assert "共 30 个" in fig.layout.title.subtitle.text


def test_data_page_edits_the_rules_and_saves_them(city, tmp_path, monkeypatch, signed_in):
    own = tmp_path / "own.duckdb"  # saving writes: keep the shared copy as it was
    shutil.copyfile(city, own)
    monkeypatch.setenv("MARKETPULSE_DB", str(own))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)).run()
    at.switch_page("app_pages/8_data.py").run()
    at.selectbox(key="rule_table").set_value("state_score_weight").run()
    at.button(key="rules_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert i18n.t("data.rules_saved", "zh", n=3) in [s.value for s in at.success]
    assert store.reader(own).sql("select count(*) as n from state_score_weight")["n"][0] == 3


def test_a_territory_reads_its_weekly_numbers_against_the_city(app, city):
    week = latest_week(city)
    territory = store.reader(city).sql("select min(territory_code) as t from territory")["t"][0]
    at = app(ter=territory)
    city_sales = store.run(
        "sales_volume", {"level": "city", "product_level": "all", "week_from": week, "week_to": week}
    )
    card = cards(at)["销量"]
    assert f"{i18n.t('kpi.city', 'zh')} {numbers.show(city_sales['sales_qty'][0], 'qty', 'zh')}" in card


def test_every_alert_names_its_owner_and_an_action(app):
    at = app()
    alerts = frame_with(at, i18n.t("col.action", "zh"))
    assert len(alerts)
    assert (alerts[i18n.t("col.action", "zh")] != "").all()
    assert (alerts[i18n.t("col.cm", "zh")] != "").all()
    severity = alerts[i18n.t("col.severity_score", "zh")]
    assert list(severity) == sorted(severity, reverse=True)


def test_territory_trends_name_the_territory_they_show_instead_of_the_city(app):
    at = app("app_pages/5_territory.py")
    shown = at.selectbox(key="show_ter").format_func(at.selectbox(key="show_ter").value)
    subtitles = [fig["layout"]["title"]["subtitle"]["text"] for fig in figures(at)]
    assert subtitles and all(shown in s and i18n.t("filter.whole_city", "zh") not in s for s in subtitles)


def test_territory_trends_within_a_department_name_the_territory_shown(app, city):
    """A 市场部 chosen, no 片区: the page shows one of its 片区, and every chart's subtitle says which."""
    dep = store.reader(city).sql("select min(department_code) as d from territory")["d"][0]
    at = app("app_pages/5_territory.py", dep=dep)
    shown = at.selectbox(key="show_ter").format_func(at.selectbox(key="show_ter").value)
    subtitles = [fig["layout"]["title"]["subtitle"]["text"] for fig in figures(at)]
    assert subtitles and all(shown in s for s in subtitles)


def test_cover_price_bars_and_key_share_carry_their_same_period(city, monkeypatch):
    """A 片区 reads its 存销比, price bars and key-brand share against the same ISO week a year before."""
    monkeypatch.setenv("MARKETPULSE_DB", str(city))
    end = latest_week(city)
    last_year = metrics.same_period_week(end)
    params = {"week_from": end - 3 * metrics.WEEK, "week_to": end}
    ter = store.reader(city).sql("select min(territory_code) as t from territory")["t"][0]
    scope = store.Scope(territory_code=ter)
    cover = views.inventory(params, scope, "territory", "zh").series
    line = cover[cover["level_key"] == "__same_period__"].set_index("week")["ratio"]
    want = metrics.inventory_ratio(last_year, last_year, "city", scope)["ratio"].iloc[0]
    assert line[pd.Timestamp(end)] == pytest.approx(want)
    bars = views.prices(params, scope, "fisher", "zh", "current", "territory").by_level.set_index("level_key")
    before = metrics.price_index(last_year, last_year, "cm", scope).set_index("level_key")["price_index"]
    assert bars["sp_index"].notna().any()
    for key, value in bars["sp_index"].dropna().items():
        assert value == pytest.approx(before[key])
    share = views.brands(params, scope, None, "zh").key_share
    name = i18n.t("series.last_year", "zh", name=i18n.t("inventory.focus_line", "zh"))
    assert (share["series"] == name).sum() == 4


def test_cover_cells_out_of_band_are_the_latest_week_with_data_whatever_the_range_ends_on(city, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(city))
    end = latest_week(city)
    on_data = views.inventory({"week_from": end - 3 * metrics.WEEK, "week_to": end}, store.CITY, "city", "zh")
    past_data = views.inventory(
        {"week_from": end - 3 * metrics.WEEK, "week_to": end + 2 * metrics.WEEK}, store.CITY, "city", "zh"
    )
    assert on_data.week == past_data.week == end
    assert len(on_data.out_of_band) > 0
    pd.testing.assert_frame_equal(on_data.out_of_band, past_data.out_of_band)
