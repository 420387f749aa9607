"""What a row is labelled under a customer manager's scope: a 片区's row then holds only that
manager's retailers, so it reads "王五的零售户(东城片区)", not the 片区's bare name, on every
page and in the 周报; a 片区's own scope keeps the bare name. The 周报 sets a scope's
市场零售价格指数 beside the city's, as it does every other KPI."""

from __future__ import annotations

import pandas as pd
import pytest

from marketpulse import i18n, metrics, report, store, views
from marketpulse.views.prices import fixed_index_kpi

WEEK = pd.Timestamp("2026-11-16").date()  # the demo's last week


@pytest.fixture
def city(demo_store, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    return demo_store


@pytest.fixture
def manager(city) -> tuple[store.Scope, str, str]:
    """The first customer manager's scope, the manager's name and the manager's 片区 name."""
    row = (
        store.reader(city)
        .sql(
            "select cm.cm_code, cm.cm_name, t.territory_name from customer_manager as cm "
            "join territory as t using (territory_code) order by cm.cm_code limit 1"
        )
        .iloc[0]
    )
    return store.Scope(cm_code=row.cm_code), row.cm_name, row.territory_name


PARAMS = {"week_from": WEEK - 3 * metrics.WEEK, "week_to": WEEK}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_managers_territory_rows_say_they_are_the_managers_retailers(city, manager, lang):
    scope, cm_name, territory = manager
    own = i18n.t("scope.cm_own", lang, cm=cm_name, territory=territory)
    assert own != territory
    prices = views.prices(PARAMS, scope, "fisher", lang)
    assert set(prices.compliance_latest["level_name"]) == {own}
    assert set(prices.by_territory["level_name"]) == {own}
    review = views.weekly_review(WEEK, PARAMS, scope, lang)
    assert set(review.state["territory_name"]) == {own}
    assert set(review.recent["territory_name"]) == {own}
    shares = views.brands(PARAMS, scope, None, lang).key_share["series"]
    assert own in set(shares) and territory not in set(shares)
    doc = report.weekly(WEEK, PARAMS, scope, lang)
    assert own in set(doc.cover[i18n.t("col.territory", lang)])
    assert set(doc.state_raw["territory_name"]) == {own}


def test_a_territorys_own_rows_keep_its_name(city, manager):
    _, _, territory = manager
    code = store.reader(city).sql("select territory_code from territory where territory_name = $n", {"n": territory})
    scope = store.Scope(territory_code=code["territory_code"].iloc[0])
    assert set(views.prices(PARAMS, scope, "fisher", "zh").compliance_latest["level_name"]) == {territory}
    assert set(views.weekly_review(WEEK, PARAMS, scope, "zh").state["territory_name"]) == {territory}


@pytest.mark.parametrize("which", ["territory", "cm"])
def test_the_weekly_reports_fixed_weight_index_stands_beside_the_citys(city, manager, which):
    scope = manager[0]
    if which == "territory":
        ter = store.reader(city).sql(
            "select territory_code from customer_manager where cm_code = $c", {"c": scope.cm_code}
        )
        scope = store.Scope(territory_code=ter["territory_code"].iloc[0])
    doc = report.weekly(WEEK, PARAMS, scope, "zh")
    year = WEEK.isocalendar()[0] - 1
    row = doc.kpis.set_index(i18n.t("report.metric", "zh")).loc[i18n.t("kpi.price_index_fixed", "zh", year=year)]
    want = fixed_index_kpi(WEEK, PARAMS, store.CITY)["value"]
    assert want is not None
    assert row[i18n.t("report.col.city", "zh")] == pytest.approx(want)
    assert row[i18n.t("report.value", "zh")] == pytest.approx(fixed_index_kpi(WEEK, PARAMS, scope)["value"])


def moved(city) -> pd.DataFrame:
    """Retailers whose 片区 changed, each with its former 片区 and the last week it was there."""
    return store.reader(city).sql(
        "select a.license_no, a.territory_code as former, r.territory_code as now, r.retailer_name, "
        "date_trunc('week', r2.valid_from)::date - 7 as last_week "
        "from retailer_assignment as a join retailer as r using (license_no) "
        "join retailer_assignment as r2 on r2.license_no = a.license_no and r2.territory_code = r.territory_code "
        "where a.territory_code <> r.territory_code order by a.license_no"
    )


def test_a_retailer_that_moved_keeps_its_name_in_its_former_territorys_past(city):
    gone = moved(city)
    assert len(gone), "the demo moves some retailers between 片区"
    first = gone.iloc[0]
    former = store.Scope(territory_code=first.former)
    week = first.last_week
    rows = metrics.price_index(week, week, "retailer", former).set_index("level_key")
    held = gone[gone["former"] == first.former].set_index("license_no")
    shown = rows.loc[rows.index.intersection(held.index), "level_name"]
    assert len(shown) and (shown == held.loc[shown.index, "retailer_name"]).all()
    assert rows["level_name"].notna().all()
    # where it is now stays out of the former 片区's lists: today's retailers, the map, the formats
    now = set(metrics.lookup("retailers", scope=former)["license_no"])
    assert not now & set(held.index)
    dots = metrics.query("geo_retailers", {"week_to": WEEK}, former)
    assert not set(dots["license_no"]) & set(held.index) and dots["territory_code"].eq(first.former).all()
    assert metrics.lookup("formats", scope=former)["format"].notna().all()
    # and the 片区 it is in now lists it as its own
    assert set(held.index) <= set(
        metrics.lookup("retailers", scope=store.Scope(territory_code=first.now))["license_no"]
    )


def test_territory_sales_compare_with_the_city_by_growth_to_date(city, manager):
    """A 片区's volume cannot stand beside the city's: its sales panel sets its 月/年累计同比
    against the whole city's, each the period_totals figure of the last week (the small demo
    holds no whole year before, so its 年累计同比 is undefined for both)."""
    code = store.reader(city).sql("select min(territory_code) as t from territory")["t"][0]
    trends = views.territory_trends(PARAMS, store.Scope(territory_code=code), "zh")
    own = metrics.period_totals(WEEK, WEEK, "territory", "all", store.Scope(territory_code=code), period="month")
    whole = metrics.period_totals(WEEK, WEEK, "city", "all", period="month")
    label, mine, city_growth = trends.growth["month"]
    assert label == "2026-11" and mine == pytest.approx(100 * own["sp_growth"].iloc[0])  # in %, as shown
    assert city_growth == pytest.approx(100 * whole["sp_growth"].iloc[0]) and mine != city_growth
    label, mine, city_growth = trends.growth["year"]
    assert label == "2026" and pd.isna(mine) and pd.isna(city_growth)


@pytest.fixture
def manager_moved(demo_store, tmp_path, monkeypatch):
    """A copy of the demo where the first 片区's first customer manager now works in another 片区
    (the manager's retailers' past assignments stay in the first)."""
    path = tmp_path / "moved.duckdb"
    path.write_bytes(demo_store.read_bytes())
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    with store.writer(path) as con:
        row = con.execute(
            "select cm.cm_code, cm.cm_name, cm.territory_code, "
            "(select min(territory_code) from territory where territory_code <> cm.territory_code) "
            "from customer_manager as cm order by cm.cm_code limit 1"
        ).fetchone()
        con.execute(
            "update customer_manager set territory_code = $to where cm_code = $cm", {"to": row[3], "cm": row[0]}
        )
    return {"cm": row[0], "name": row[1], "former": row[2], "now": row[3]}


def test_a_manager_who_moved_keeps_their_name_in_the_former_territorys_past(manager_moved):
    moved = manager_moved
    former = store.Scope(territory_code=moved["former"])
    rows = metrics.sales_volume(PARAMS["week_from"], WEEK, "cm", "all", former).set_index("level_key")
    assert rows.loc[moved["cm"], "level_name"].eq(moved["name"]).all()  # the manager's weeks there, named
    assert rows["level_name"].notna().all()
    # the lists of today: the manager is the new 片区's, not the former's
    assert moved["cm"] not in set(metrics.lookup("customer_managers", scope=former)["cm_code"])
    now = metrics.lookup("customer_managers", scope=store.Scope(territory_code=moved["now"]))
    assert moved["cm"] in set(now["cm_code"])


def test_a_manager_who_moved_keeps_their_alerts_in_the_former_territorys_past(manager_moved):
    moved = manager_moved
    start = WEEK - 20 * metrics.WEEK
    kinds = ["copy_suspect", "missed_visits"]

    def theirs(scope):
        found = metrics.alerts(start, WEEK, scope)
        found = found[found["kind"].isin(kinds) & found["cm_code"].eq(moved["cm"])]
        return found.sort_values(["week", "kind"])[["week", "kind", "value"]].reset_index(drop=True)

    city = theirs(store.CITY)
    assert len(city), "the demo's first manager raises 照搬照抄 or 漏访 alerts"
    pd.testing.assert_frame_equal(theirs(store.Scope(territory_code=moved["former"])), city)


def test_a_scopes_new_brand_light_stands_against_the_citys():
    """28.2 % beside the city's 54.1 % is below 0.7 × 54.1 = 37.9 %: red, where 新品滞后 is raised;
    45 % is below the city: amber; at or above the city the card keeps its trend's light."""
    from marketpulse.views.weekly_review import rag_beside_city

    assert rag_beside_city(28.2, 54.1, "green", 0.7) == "red"
    assert rag_beside_city(45.0, 54.1, "green", 0.7) == "amber"
    assert rag_beside_city(60.0, 54.1, "green", 0.7) == "green"
    assert rag_beside_city(60.0, 54.1, "red", 0.7) == "red"  # above the city but falling fast
    assert rag_beside_city(None, 54.1, None, 0.7) is None


def test_the_weekly_new_brand_card_of_a_territory_carries_that_light(city):
    """In the demo one 片区 lags far behind the city, one a little: red and amber."""
    lights = []
    for code in store.reader(city).sql("select territory_code from territory order by 1")["territory_code"]:
        card = next(
            k
            for k in views.weekly_review(WEEK, PARAMS, store.Scope(territory_code=code)).kpis
            if k.key == "kpi.new_brand"
        )
        if card.value is not None and card.city is not None and card.value < card.city:
            assert card.rag in ("amber", "red") and (card.rag == "red") == (card.value < 0.7 * card.city)
            lights.append(card.rag)
    assert sorted(lights) == ["amber", "red"]
