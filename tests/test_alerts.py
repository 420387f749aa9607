"""预警 alerts: each kind on a hand-worked fixture, and the planted events of the simulated city."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from marketpulse import metrics, rollup, store

W1, W2, W3, W4 = (dt.date(2025, 9, 1) + dt.timedelta(weeks=i) for i in range(4))


def alerts(path, week_from=W1, week_to=W4, **filters):
    return metrics.alerts(week_from, week_to, path=path, **filters)


@pytest.fixture
def city(db):
    """One 城网 片区, one customer manager, retailers R1 and R2 (食杂店, 档位 8: the default
    monitoring point 0.5–2.0 weeks, loose below index 95), spec S1 suggested at 450 元/条.

    R1 reports sales of 10 every week; its stock goes 10, 10, 40, 50 → cover 1.0, 1.0,
    4.0, 5.0 weeks (4-week average sales stay 10). Its price is 450 except 420 in week 4:
    price index 420 / 450 × 100 = 93.3. R2 is visited in week 1 only (its first visit, so
    its sales are unknown and it stays out of the cells).
    """
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '城区市场部')")
        con.execute("insert into territory values ('T1', '东片', 'D1', '城网')")
        con.execute("insert into customer_manager values ('C1', '张三', 'T1')")
        for lic in ("R1", "R2"):
            con.execute(
                "insert into retailer values (?, ?, '食杂店', 8, 'T1', 'C1', '城网', null, null)", [lic, "店" + lic]
            )
            con.execute(
                "insert into retailer_assignment values (?, date '1900-01-01', null, 'T1', 'C1', '食杂店', 8)", [lic]
            )
        con.execute("insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01')")
        for week, stock, price in [(W1, 10, 450), (W2, 10, 450), (W3, 40, 450), (W4, 50, 420)]:
            con.execute(
                "insert into visit_line values (?, 'C1', 'R1', 'S1', ?, ?, true, 10, null, 1)", [week, stock, price]
            )
        con.execute("insert into visit_line values (?, 'C1', 'R2', 'S1', 5, 450, true, null, null, 1)", [W1])
        rollup.rebuild(con)
    return db


def test_overstock_holds_since_the_week_cover_crossed_the_ceiling(city):
    got = alerts(city)
    over = got[got.kind == "overstock"].sort_values("week")
    # cover 4.0 in week 3 and 5.0 in week 4, ceiling 2.0
    assert [(r.week.date(), r.value, r.threshold) for r in over.itertuples()] == [(W3, 4.0, 2.0), (W4, 5.0, 2.0)]
    week4 = over.iloc[-1]
    assert week4.since_week.date() == W3 and week4.weeks_running == 2
    assert week4.severity_score == pytest.approx((5.0 - 2.0) / 2.0)  # 1.5: high
    assert week4.severity == "high"
    assert "存销比 5.0 周" in week4.reason_zh and "5.0 weeks of cover" in week4.reason_en


def test_discounting_below_the_loose_line(city):
    got = alerts(city)
    disc = got[got.kind == "discounting"]
    assert len(disc) == 1
    row = disc.iloc[0]
    assert row.week.date() == W4
    assert row.value == pytest.approx(420 / 450 * 100)  # 93.33
    assert row.severity_score == pytest.approx((95 - 93.3333) / 5, abs=1e-3)  # 0.33: low
    assert row.severity == "low"
    assert "价格指数 93.3" in row.reason_zh


def test_missed_visits_over_four_weeks(city):
    # C1 plans R1 and R2 every week. Visited: R1 4 of 4, R2 1 of 4.
    #   week 2: planned 4, visited 3 → missed 1/4 = 25% > 20%
    #   week 3: planned 6, visited 4 → 33%
    #   week 4: planned 8, visited 5 → 37.5%; severity (0.375 − 0.2) / 0.2 = 0.875
    got = alerts(city)
    missed = got[got.kind == "missed_visits"].sort_values("week")
    assert [r.week.date() for r in missed.itertuples()] == [W2, W3, W4]
    assert list(missed.value) == pytest.approx([0.25, 2 / 6, 0.375])
    last = missed.iloc[-1]
    assert (last.since_week.date(), last.weeks_running, last.severity) == (W2, 3, "medium")
    assert last.cm_name == "张三" and "漏访 38%" in last.reason_zh


def test_a_higher_ceiling_in_the_rules_table_silences_the_overstock(city):
    with store.writer(city) as con:
        con.execute(
            "update monitoring_point set ratio_high = 6.0 where format = '*' and tier_band = '*' and area_type = '*'"
        )
    assert "overstock" not in set(alerts(city).kind)


def test_threshold_settings_are_data(city):
    with store.writer(city) as con:
        con.execute("update setting set value = 0.5 where key = 'alert_missed_visit_rate'")
    assert "missed_visits" not in set(alerts(city).kind)


def test_scoped_alerts_stay_in_scope(city):
    assert alerts(city, week_to=W4).shape[0] > 0
    other = metrics.alerts(W1, W4, store.Scope(territory_code="T9"), path=city)
    assert other.empty


# ── a narrow scope keeps the benchmark its definition names ──────────────────


@pytest.fixture
def two_territories(db):
    """市场部 D1 with 片区 T1 (customer manager C1: retailers A1, A2) and T2 (C2: B1, B2).
    Spec S9 is launched in W1 and visited every week W1 … W5 (weeks 0 … 4 after launch).
    A1, B1 and B2 hold 5 条 of it and sell 5 a week; A2 holds none and sells none.

    铺货率 (stocked since launch ÷ active retailers): T1 1/2 = 0.5, T2 2/2 = 1.0, the city 3/4 = 0.75.
    """
    weeks = [W1 + dt.timedelta(weeks=i) for i in range(5)]
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '城区市场部')")
        for ter, name, cm, cm_name in [("T1", "东片", "C1", "张三"), ("T2", "西片", "C2", "李四")]:
            con.execute("insert into territory values (?, ?, 'D1', '城网')", [ter, name])
            con.execute("insert into customer_manager values (?, ?, ?)", [cm, cm_name, ter])
        shops = [("A1", "T1", "C1", 5), ("A2", "T1", "C1", 0), ("B1", "T2", "C2", 5), ("B2", "T2", "C2", 5)]
        for lic, ter, cm, _ in shops:
            con.execute(
                "insert into retailer values (?, ?, '食杂店', 8, ?, ?, '城网', null, null)", [lic, lic, ter, cm]
            )
            con.execute(
                "insert into retailer_assignment values (?, date '1900-01-01', null, ?, ?, '食杂店', 8)", [lic, ter, cm]
            )
        con.execute("insert into spec values ('S9', '新品(细支)', '新品', '二类', 200, 240, false, ?)", [W1])
        for week in weeks:
            for lic, _, cm, qty in shops:
                con.execute(
                    "insert into visit_line values (?, ?, ?, 'S9', ?, 240, ?, ?, null, 1)",
                    [week, cm, lic, qty, qty > 0, qty],
                )
        rollup.rebuild(con)
    return db, weeks[-1]


def lagging(path, scope, week):
    got = metrics.alerts(week, week, scope, path=path)
    return [(r.territory_code, r.value, r.threshold) for r in got[got.kind == "lagging_launch"].itertuples()]


def test_a_lagging_launch_is_judged_against_the_whole_city_under_every_scope(two_territories):
    path, w5 = two_territories
    # week 4 after launch: T1's 0.5 is below 0.7 × the city's 0.75 = 0.525; T2's 1.0 is not.
    # Within T1 alone its own 0.5 is not "the city": the threshold stays 0.525.
    expected = [("T1", 0.5, pytest.approx(0.7 * 0.75))]
    for scope in (store.CITY, store.Scope(department_code="D1"), store.Scope(territory_code="T1")):
        assert lagging(path, scope, w5) == expected
    # C1's retailers are T1's: 1 of 2 reached, against the same city
    assert lagging(path, store.Scope(cm_code="C1"), w5) == expected
    assert lagging(path, store.Scope(territory_code="T2"), w5) == []
    row = metrics.alerts(w5, w5, store.Scope(territory_code="T1"), path=path).query("kind == 'lagging_launch'")
    assert "铺货率 50%,全市 75%" in row.iloc[0].reason_zh
    # severity 2 × (0.525 − 0.5) ÷ 0.525 = 0.095: low
    assert row.iloc[0].severity_score == pytest.approx(2 * (0.525 - 0.5) / 0.525)


@pytest.fixture
def one_overstocked_shop(db):
    """片区 T1, 档位 8 throughout: customer manager C1 has retailers A1 … A3, C2 has B1 … B9.
    All sell 10 条 of S1 a week in W1 and W2. In W2 each holds 10 (1.0 week of cover) but A1,
    which holds 100 (10.0 weeks)."""
    shops = [(f"A{i}", "C1") for i in range(1, 4)] + [(f"B{i}", "C2") for i in range(1, 10)]
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '城区市场部')")
        con.execute("insert into territory values ('T1', '东片', 'D1', '城网')")
        con.execute("insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T1')")
        con.execute("insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01')")
        for lic, cm in shops:
            con.execute("insert into retailer values (?, ?, '食杂店', 8, 'T1', ?, '城网', null, null)", [lic, lic, cm])
            con.execute(
                "insert into retailer_assignment values (?, date '1900-01-01', null, 'T1', ?, '食杂店', 8)", [lic, cm]
            )
            for week, stock in [(W1, 10), (W2, 100 if lic == "A1" else 10)]:
                con.execute(
                    "insert into visit_line values (?, ?, ?, 'S1', ?, 450, true, 10, null, 1)", [week, cm, lic, stock]
                )
        rollup.rebuild(con)
    return db


def test_a_retailer_outlier_is_judged_against_its_whole_territory_under_a_managers_scope(one_overstocked_shop):
    # W2 covers: A1 10.0, the 11 others 1.0. Peers: all 12 of T1's 档位 8.
    #   mean = 1 + 9 / 12 = 1.75; sample σ = 9 / √12 = 2.598 (one value off by 9 among 12)
    #   A1 lies (10 − 1.75) / 2.598 = 3.18 σ above: beyond 3 σ; threshold 1.75 + 3 × 2.598 = 9.54
    # C1's own three retailers are fewer than the 8 peers a judgement needs: its scope still
    # sees A1 judged against the 片区, as the city and the 片区 see it; C2 sees nothing of it.
    sd = 9 / 12**0.5
    expected = [("A1", W2, 10.0, pytest.approx(1.75 + 3 * sd))]
    for scope in (store.CITY, store.Scope(territory_code="T1"), store.Scope(cm_code="C1")):
        got = metrics.alerts(W2, W2, scope, path=one_overstocked_shop)
        out = got[got.kind == "retailer_outlier"]
        assert [(r.license_no, r.week.date(), r.value, r.threshold) for r in out.itertuples()] == expected
        assert out.iloc[0].severity_score == pytest.approx(((10 - 1.75) / sd - 3) / 3)
        assert out.iloc[0].cm_code == "C1"
    other = metrics.alerts(W2, W2, store.Scope(cm_code="C2"), path=one_overstocked_shop)
    assert "retailer_outlier" not in set(other.kind)
    # a scope naming C1 with a 片区 or 市场部 C1 is not in holds nothing, its peers' verdicts included
    for mixed in (store.Scope(territory_code="T9", cm_code="C1"), store.Scope(department_code="D9", cm_code="C1")):
        assert metrics.alerts(W2, W2, mixed, path=one_overstocked_shop).empty


# ── the simulated city ───────────────────────────────────────────────────────

KIND_OF_TRUTH = {
    "overstock": "overstock",
    "discounting": "discounting",
    "stockout": "stockout",
    "copy_counts": "copy_suspect",
    "missed_visits": "missed_visits",
    "lagging_launch": "lagging_launch",
}


def test_alerts_find_every_planted_event_of_the_simulated_city(demo_store):
    reader = store.reader(demo_store)
    truth = reader.sql("select * from demo_truth")
    last = reader.sql("select max(week) as w from weekly_observation")["w"][0]
    got = metrics.alerts(last - pd.Timedelta(weeks=55), last, path=demo_store)
    got["planted"] = False
    lines = []
    for t in truth.itertuples():
        if t.kind not in KIND_OF_TRUTH:
            continue  # a planted event that is no alert (a 调价, a 片区 redraw)
        mine = got.kind == KIND_OF_TRUTH[t.kind]
        if isinstance(t.spec_code, str):
            mine &= got.spec_code == t.spec_code
        if isinstance(t.cm_code, str):
            mine &= got.cm_code == t.cm_code
        elif isinstance(t.territory_code, str):
            mine &= got.territory_code == t.territory_code
        # an alert that needs four weeks of evidence may trail its event by three weeks
        during = mine & (got.week >= t.first_week) & (got.week <= t.last_week + pd.Timedelta(weeks=3))
        got.loc[during, "planted"] = True
        planted_weeks = set(pd.date_range(t.first_week, t.last_week, freq="7D"))
        found = planted_weeks & set(got.loc[during, "week"])
        lines.append(f"{t.kind}: alerted in {len(found)} of {len(planted_weeks)} planted weeks")
        assert len(found) >= 0.75 * len(planted_weeks), lines[-1]

    judged = got[got.kind.isin(KIND_OF_TRUTH.values())]
    serious = judged[judged.severity != "low"]
    precision = judged.planted.mean()
    precision_serious = serious.planted.mean()
    print("\n".join(lines))
    print(
        f"precision: {precision:.0%} of {len(judged)} alert-weeks; medium/high only: {precision_serious:.0%} of {len(serious)}"
    )
    print(f"false alarms: {(~judged.planted).sum()} alert-weeks over {judged.week.nunique()} weeks")
    # quiet parts stay quiet: most alerts, and most serious ones, point at planted events
    assert precision >= 0.35
    assert precision_serious >= 0.5


def test_a_sold_out_shelf_is_tight_and_raises_a_stockout(city):
    # Week 5: R1 sold out — stock 0, nothing sold that week, no price to observe.
    # 4-week average sales over weeks 2–5: (10 + 10 + 10 + 0) / 4 = 7.5; cover 0 / 7.5 = 0,
    # below the 0.5 floor. With no priced sale there is no evidence against tightness.
    w5 = W4 + dt.timedelta(weeks=1)
    with store.writer(city) as con:
        con.execute("insert into visit_line values (?, 'C1', 'R1', 'S1', 0, null, false, 0, null, 2)", [w5])
        rollup.rebuild(con)
    state = metrics.market_state(w5, w5, path=city)
    assert list(state.state) == ["tight"]
    assert state.ratio[0] == 0 and pd.isna(state.price_index[0])
    got = alerts(city, week_to=w5)
    out = got[(got.kind == "stockout") & (got.week.dt.date == w5)]
    assert len(out) == 1
    assert out.iloc[0].value == 0 and out.iloc[0].severity == "high"  # (0.5 − 0) / 0.5 = 1


# ── 始于 / 持续周数: a run traced to its real start, whatever the range shown ─────
LONG = [dt.date(2025, 9, 1) + dt.timedelta(weeks=i) for i in range(26)]  # L0 … L25


@pytest.fixture
def long_city(db):
    """The city above over 26 weeks. R1 sells 10 a week; its stock is 10 (1 week of cover) in
    L0 … L3 and L10, 50 (5 weeks, above the 2.0 ceiling) in L4 … L9 and from L11 on. R2 is
    visited in L0 only, so C1 makes 1 of 2 planned visits a week from L1: over four weeks
    3 of 4 in L1 (25% missed, above 20%), 4 of 6, 5 of 8, then 4 of 8 from L4 on.
    """
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '城区市场部')")
        con.execute("insert into territory values ('T1', '东片', 'D1', '城网')")
        con.execute("insert into customer_manager values ('C1', '张三', 'T1')")
        for lic in ("R1", "R2"):
            con.execute(
                "insert into retailer values (?, ?, '食杂店', 8, 'T1', 'C1', '城网', null, null)", [lic, "店" + lic]
            )
            con.execute(
                "insert into retailer_assignment values (?, date '1900-01-01', null, 'T1', 'C1', '食杂店', 8)", [lic]
            )
        con.execute("insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01')")
        for i, week in enumerate(LONG):
            stock = 10 if i < 4 or i == 10 else 50
            con.execute("insert into visit_line values (?, 'C1', 'R1', 'S1', ?, 450, true, 10, null, 1)", [week, stock])
        con.execute("insert into visit_line values (?, 'C1', 'R2', 'S1', 5, 450, true, null, null, 1)", [LONG[0]])
        rollup.rebuild(con)
    return db


def held(got, kind):
    rows = got[got.kind == kind].sort_values("week")
    return [(r.week.date(), r.since_week.date(), r.weeks_running) for r in rows.itertuples()]


def test_an_alert_list_traces_each_run_to_its_start(long_city):
    got = metrics.alerts(LONG[25], LONG[25], path=long_city)
    # overstock: L4 … L9, broken in L10 (cover 1.0), again from L11: at L25 since L11, 25 − 11 + 1 = 15 weeks
    # (more than the 13 weeks the list first looks at, L13 … L25)
    assert held(got, "overstock") == [(LONG[25], LONG[11], 15)]
    # missed visits from L1 on: 25 weeks
    assert held(got, "missed_visits") == [(LONG[25], LONG[1], 25)]
    # the query alone sees runs within its own weeks and says they may be older
    window = metrics.query("alerts", {"week_from": LONG[25], "week_to": LONG[25]}, path=long_city)
    over = window[window.kind == "overstock"].iloc[0]
    assert (over.since_week.date(), over.weeks_running, over.run_open) == (LONG[25], 1, True)
    # ... but not when the store holds nothing older: the first week of data closes every run
    first = metrics.query("alerts", {"week_from": LONG[0], "week_to": LONG[25]}, path=long_city)
    assert not first.run_open.any()


@pytest.mark.parametrize("week_from", [LONG[25], LONG[20], LONG[14], LONG[2]])
def test_since_and_weeks_running_do_not_depend_on_the_range_shown(long_city, week_from):
    got = metrics.alerts(week_from, LONG[25], path=long_city)
    # every week shown from L11 on is in the run since L11: week Lk has run k − 10 weeks
    over = [(w, s, n) for w, s, n in held(got, "overstock") if w >= LONG[11]]
    assert over == [(LONG[k], LONG[11], k - 10) for k in range(max(11, LONG.index(week_from)), 26)]
    assert held(got, "missed_visits")[-1] == (LONG[25], LONG[1], 25)


def test_tracing_in_small_steps_and_within_a_scope_finds_the_same_start(long_city):
    # the market cells first looked at one week back: the overstock is looked at again from further back
    assert held(metrics.alerts(LONG[25], LONG[25], path=long_city, trace_weeks=1), "overstock") == [
        (LONG[25], LONG[11], 15)
    ]
    for scope in (store.Scope(territory_code="T1"), store.Scope(cm_code="C1")):
        got = metrics.alerts(LONG[25], LONG[25], scope, path=long_city)
        assert held(got, "overstock") == [(LONG[25], LONG[11], 15)]
        assert held(got, "missed_visits") == [(LONG[25], LONG[1], 25)]
    assert metrics.alerts(LONG[25], LONG[25], store.Scope(territory_code="T9"), path=long_city).empty


def test_the_simulated_city_alerts_keep_their_real_start(demo_store):
    # the list for the last week equals a run traced over the whole store, alert by alert
    reader = store.reader(demo_store)
    first, last = reader.sql("select min(week) as f, max(week) as l from weekly_observation").iloc[0]
    got = metrics.alerts(last, last, path=demo_store)
    whole = metrics.query("alerts", {"week_from": first, "week_to": last}, path=demo_store)
    whole = whole[whole.week == last]
    keys = ["kind", "spec_code", "territory_code", "cm_code", "license_no", "value"]
    pairs = got.merge(whole, on=keys, suffixes=("", "_whole"), how="outer", indicator=True)
    assert (pairs._merge == "both").all()
    assert (pairs.since_week == pairs.since_week_whole).all()
    assert (pairs.weeks_running == pairs.weeks_running_whole).all()
    assert not got.run_open.any()
    # the customer manager who copies stock counts: planted from first_week, alerted once four
    # weeks of evidence are in, and held ever since — more than the 13 weeks first looked at
    truth = reader.sql("select cm_code, first_week from demo_truth where kind = 'copy_counts'").iloc[0]
    copied = got[(got.kind == "copy_suspect") & (got.cm_code == truth.cm_code)].iloc[0]
    assert truth.first_week <= copied.since_week <= truth.first_week + pd.Timedelta(weeks=3)
    assert copied.weeks_running == (last - copied.since_week).days // 7 + 1 > 13


@pytest.mark.parametrize("trace_weeks", [1, 12])
def test_runs_traced_a_year_at_a_time_equal_one_evaluation_of_the_whole_store(demo_store, trace_weeks):
    # traced from one week back, every kind's long runs (outliers of many 片区, cells of many
    # specs) are joined across evaluations; the result is the whole store's, alert by alert
    reader = store.reader(demo_store)
    first, last = reader.sql("select min(week) as f, max(week) as l from weekly_observation").iloc[0]
    shown_from = last - pd.Timedelta(weeks=2)
    got = metrics.alerts(shown_from, last, path=demo_store, trace_weeks=trace_weeks)
    whole = metrics.query("alerts", {"week_from": first, "week_to": last}, path=demo_store)
    whole = whole[whole.week >= shown_from]
    keys = ["week", "kind", "signal", "spec_code", "territory_code", "cm_code", "license_no"]
    pairs = got.merge(whole, on=keys, suffixes=("", "_whole"), how="outer", indicator=True)
    assert len(got) > 20 and (pairs._merge == "both").all()
    assert (pairs.since_week == pairs.since_week_whole).all()
    assert (pairs.weeks_running == pairs.weeks_running_whole).all()
    assert not got.run_open.any()
    assert (got.weeks_running > 13).any()  # runs older than the first look back


def test_the_query_evaluates_only_the_kinds_asked_for(long_city):
    params = {"week_from": LONG[20], "week_to": LONG[25]}
    assert set(metrics.query("alerts", params, path=long_city).kind) == {"overstock", "missed_visits"}
    only = metrics.query("alerts", {**params, "kinds": "missed_visits"}, path=long_city)
    assert set(only.kind) == {"missed_visits"} and len(only) == 6
    # outliers of another 片区 only: nothing here, and the other kinds are untouched
    elsewhere = metrics.query("alerts", {**params, "territories": "T9"}, path=long_city)
    assert set(elsewhere.kind) == {"overstock", "missed_visits"}
