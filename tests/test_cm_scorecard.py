"""The retailer × week roll-up, cm_scorecard and cm_visits on a hand-made route.

The route's store sets the on-time rule (setting visit_max_gap_days) to 7 days, the rule
its expected values were worked out with; the shipped default (9 days) and the unvisited
rule are worked through on a second route further down.

Period W1–W4 = 2026-06-01 … 2026-06-22 (2026-W23 … W26); W0 = 2026-05-25 is read for
"the week before". Same period: 2025-W23 … W26 = 2025-06-02 … 2025-06-23.

客户经理 C1 (片区 T1):
  R1  visits 05-26, 06-02, 06-09, 06-17 (8 days: late), 06-23; S1 sales 5 each week in the
      period; N1 (new, launched 2026-06-01) counted 3 on 06-02 and 2 on 06-09 (sales 1).
      Last year S1 sales 10 (2025-06-03) and 4 (2025-06-10). Order 06-03: 10 asked, 6 supplied.
  R2  visits 05-26, 06-02, 06-09, then none: S1 sales 3 each.
  R3  visits 05-26, 06-02 (S1 sales 2); closed on 2026-06-05, so planned in W1 only.
  R5  open, never visited.
客户经理 C2 (片区 T2):
  R4  visits 05-26 … 06-23 every 7 days, 5 specs each time, every count unchanged;
      S1 supplied 2 on 05-28, 06-04 and 06-11 (asked 2), so the reports of 06-02, 06-09
      and 06-16 are copy-suspect, the one of 06-23 (nothing happened) is not.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from marketpulse import cli, metrics, rollup, rules, store

W0, W1, W2, W3, W4 = "2026-05-25", "2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22"
CM = {"R1": "C1", "R2": "C1", "R3": "C1", "R5": "C1", "R4": "C2"}


def add_city(con):
    con.execute("insert into department values ('D1', '城区市场部')")
    con.execute("insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网')")
    con.execute("insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T2')")
    for lic, cm in CM.items():
        ter = "T1" if cm == "C1" else "T2"
        closed = "2026-06-05" if lic == "R3" else None
        con.execute(
            "insert into retailer values (?, ?, '食杂店', 8, ?, ?, null, null, ?)", [lic, "店" + lic, ter, cm, closed]
        )
        con.execute(
            "insert into retailer_assignment values (?, date '1900-01-01', null, ?, ?, '食杂店', 8)", [lic, ter, cm]
        )
    con.execute(
        """insert into spec values
          ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01'),
          ('S2', '玉溪(软)', '玉溪', '二类', 200, 230, false, date '2020-01-01'),
          ('S3', '红塔山(软)', '红塔山', '三类', 100, 110, false, date '2020-01-01'),
          ('S4', '红梅(黄)', '红梅', '四类', 60, 70, false, date '2020-01-01'),
          ('N1', '新品(细支)', '新品', '二类', 200, 230, false, date '2026-06-01')"""
    )


def visit(con, day, lic, spec, stock, sales):
    con.execute(
        "insert into visit_line values (?, ?, ?, ?, ?, null, true, ?, null, 1)", [day, CM[lic], lic, spec, stock, sales]
    )


def add_facts(con, until="2026-12-31"):
    lines = [
        ("2025-06-03", "R1", "S1", 8, 10),
        ("2025-06-10", "R1", "S1", 8, 4),
        ("2026-05-26", "R1", "S1", 8, 5),
        ("2026-06-02", "R1", "S1", 8, 5),
        ("2026-06-09", "R1", "S1", 8, 5),
        ("2026-06-17", "R1", "S1", 8, 5),
        ("2026-06-23", "R1", "S1", 8, 5),
        ("2026-06-02", "R1", "N1", 3, None),
        ("2026-06-09", "R1", "N1", 2, 1),
        ("2026-05-26", "R2", "S1", 6, 3),
        ("2026-06-02", "R2", "S1", 6, 3),
        ("2026-06-09", "R2", "S1", 6, 3),
        ("2026-05-26", "R3", "S1", 4, 2),
        ("2026-06-02", "R3", "S1", 4, 2),
    ]
    for day in ("2026-05-26", "2026-06-02", "2026-06-09", "2026-06-16", "2026-06-23"):
        for spec, stock in (("S1", 10), ("S2", 5), ("S3", 5), ("S4", 5), ("N1", 1)):
            lines.append((day, "R4", spec, stock, None))
    for day, lic, spec, stock, sales in lines:
        if day <= until:
            visit(con, day, lic, spec, stock, sales)
    orders = [
        ("2026-06-03", "R1", "S1", 10, 6),
        ("2026-05-28", "R4", "S1", 2, 2),
        ("2026-06-04", "R4", "S1", 2, 2),
        ("2026-06-11", "R4", "S1", 2, 2),
    ]
    for day, lic, spec, demand, supplied in orders:
        if day <= until:
            con.execute("insert into order_line values (?, ?, ?, ?, ?, 1)", [day, lic, spec, demand, supplied])


@pytest.fixture(scope="module")
def route(tmp_path_factory):
    db = tmp_path_factory.mktemp("route") / "store.duckdb"  # built once, read by every test
    with store.writer(db) as con:
        add_city(con)
        add_facts(con)
        rollup.rebuild(con)
        con.execute("update setting set value = 7 where key = 'visit_max_gap_days'")  # the rule these tests assume
    return db


def run(db, name, scope=store.CITY, **params):
    return metrics.query(name, params, scope, db)


def card(db, level="cm", scope=store.CITY, **filters):
    got = run(db, "cm_scorecard", scope, level=level, week_from=W1, week_to=W4, **filters)
    return {row.level_key: row for row in got.itertuples()}


# ── retailer_week ─────────────────────────────────────────────────────────────


def test_retailer_week_has_every_open_week_visited_or_not(route):
    got = store.Reader(route).sql(
        "select license_no, count(*) as weeks, sum(visits) as visits, max(week)::varchar as last_week "
        "from retailer_week where week between $a and $b group by all order by all",
        {"a": W1, "b": W4},
    )
    by = got.set_index("license_no")
    assert by.loc["R5", "weeks"] == 4 and by.loc["R5", "visits"] == 0  # never visited, still planned
    assert by.loc["R3", "weeks"] == 1 and by.loc["R3", "last_week"] == W1  # closed 2026-06-05
    assert by.loc["R1", "visits"] == 4 and by.loc["R2", "visits"] == 2
    # weeks run from the first week with facts (2025-W23) to the last (2026-W26)
    span = store.Reader(route).sql("select min(week)::varchar as a, max(week)::varchar as b from retailer_week")
    assert (span.a[0], span.b[0]) == ("2025-06-02", W4)


def test_retailer_week_incremental_refresh_equals_rebuild(tmp_path):
    db = tmp_path / "store.duckdb"
    with store.writer(db) as con:
        add_city(con)
        add_facts(con, until="2026-06-10")
        rollup.rebuild(con)
        before = con.execute("select max(week)::varchar from retailer_week").fetchone()[0]
        assert before == W2
        # the next import: W3 and W4 visits of R1 and R4, and R4's order of 06-11
        visit(con, "2026-06-17", "R1", "S1", 8, 5)
        visit(con, "2026-06-23", "R1", "S1", 8, 5)
        for day in ("2026-06-16", "2026-06-23"):
            for spec, stock in (("S1", 10), ("S2", 5), ("S3", 5), ("S4", 5), ("N1", 1)):
                visit(con, day, "R4", spec, stock, None)
        con.execute("insert into order_line values ('2026-06-11', 'R4', 'S1', 2, 2, 1)")
        con.execute(
            """create temp table touched as
               select license_no, spec_code, min(visit_date) as from_date from visit_line
               where visit_date >= '2026-06-11' group by all
               union all select 'R4', 'S1', date '2026-06-11'"""
        )
        rollup.refresh(con, "touched")
        incremental = con.execute("select * from retailer_week order by all").fetchall()
        rollup.rebuild(con)
        assert con.execute("select * from retailer_week order by all").fetchall() == incremental
        # the new weeks reached every retailer, the unvisited R5 included
        assert con.execute("select count(*) from retailer_week where week = $w", {"w": W4}).fetchone()[0] == 4


# ── cm_scorecard ──────────────────────────────────────────────────────────────


def test_visit_rate_with_a_missed_visit_and_a_closed_retailer(route):
    c1 = card(route)["C1"]
    # planned: R1 4 + R2 4 + R3 1 (closed after W1, not 4) + R5 4 = 13
    # made:    R1 4 + R2 2 (W1, W2)   + R3 1                 + R5 0 = 7
    assert (c1.planned_visits, c1.visits_made) == (13, 7)
    assert c1.visit_rate == pytest.approx(7 / 13)
    assert c1.retailers == 3  # open at W4: R1, R2, R5
    # not visited in W3 nor W4: R2 (last 06-09) and R5 (never); R1 was visited
    assert c1.unvisited_retailers == 2
    assert c1.level_name == "张三"


def test_on_time_and_copy_suspect_rates(route):
    cards = card(route)
    c1, c2 = cards["C1"], cards["C2"]
    # C1 reports in the period: R1 4 (gaps 7, 7, 8, 6), R2 2 (7, 7), R3 1 (7) → 6 on time of 7
    assert (c1.visit_reports, c1.timed_visits, c1.on_time_visits) == (7, 7, 6)
    assert c1.on_time_rate == pytest.approx(6 / 7)
    assert c1.copy_suspect_visits == 0 and c1.copy_suspect_rate == 0
    # C2: R4's 4 reports, all 7 days apart; 3 copy-suspect (06-02, 06-09, 06-16) → 0.75
    assert c2.on_time_rate == 1
    assert (c2.copy_suspect_visits, c2.visit_reports) == (3, 4)
    assert c2.copy_suspect_rate == pytest.approx(0.75)
    assert c2.visit_rate == 1 and c2.unvisited_retailers == 0


def test_sales_growth_new_brands_and_order_fill(route):
    cards = card(route)
    c1, c2 = cards["C1"], cards["C2"]
    # C1 sales: R1 S1 4 × 5 = 20, R1 N1 1, R2 2 × 3 = 6, R3 2 → 29; same weeks last year 10 + 4 = 14
    assert (c1.sales_qty, c1.comparable_sales_qty, c1.sp_sales_qty) == (29, 29, 14)
    assert c1.sales_growth == pytest.approx(29 / 14 - 1) and c1.comparable_weeks == 4
    # C2: R4's S1 estimated from unchanged counts: supplied 2 before 06-02, 06-09, 06-16 → 6;
    # no sales last year → growth undefined
    assert c2.sales_qty == 6 and pd.isna(c2.sp_sales_qty) and pd.isna(c2.sales_growth)
    # new brand N1 (launched W1): C1 carrying R1 in W1 and W2 of 13 retailer-weeks;
    # C2 R4 holds 1 carton in all 4 weeks → 4 of 4
    assert (c1.new_brand_carrying, c1.new_brand_possible) == (2, 13)
    assert c1.new_brand_distribution == pytest.approx(2 / 13)
    assert c2.new_brand_distribution == 1
    # orders: C1 6 of 10 (0 lines in full); C2 06-04 and 06-11 in the period, 4 of 4
    assert c1.order_fill_rate == pytest.approx(0.6) and c1.fulfilment_rate == 0
    assert c2.order_fill_rate == 1 and c2.order_lines == 2
    # by order (retailer × day): C1's one order of 06-03 is short → 0 of 1; C2's two, in full
    assert (c1.orders, c1.filled_orders, c1.line_fulfilment_rate) == (1, 0, 0)
    assert (c2.orders, c2.filled_orders, c2.fulfilment_rate, c2.line_fulfilment_rate) == (2, 2, 1, 1)


def test_sales_growth_is_like_for_like(route):
    got = run(route, "cm_scorecard", level="cm", week_from=W0, week_to=W4)
    c1 = got.set_index("level_key").loc["C1"]
    # W0 adds R1 5 + R2 3 + R3 2 = 10 → 39 sold; but W0's same period (2025-05-26) is before
    # the store's first week (2025-06-02), so growth compares W1–W4 only: 29 ÷ 14 − 1
    assert c1.sales_qty == 39 and c1.comparable_weeks == 4 and c1.comparable_sales_qty == 29
    assert c1.sales_growth == pytest.approx(29 / 14 - 1)


def test_city_rates_are_ratios_of_sums(route):
    city = card(route, level="city")["city"]
    # visits made 7 + 4 = 11 of planned 13 + 4 = 17, not the mean (7/13 + 1) / 2
    assert city.visit_rate == pytest.approx(11 / 17)
    assert city.visit_rate != pytest.approx((7 / 13 + 1) / 2)
    # copy-suspect 3 of 11 reports, not (0 + 0.75) / 2
    assert city.copy_suspect_rate == pytest.approx(3 / 11)
    terr = card(route, level="territory")
    assert terr["T1"].visit_rate == pytest.approx(7 / 13) and terr["T2"].level_name == "西片"


def test_scorecard_scoped_and_cli(route, capsys, monkeypatch):
    scoped = card(route, scope=store.Scope(cm_code="C2"))
    assert set(scoped) == {"C2"}
    assert card(route, scope=store.Scope(territory_code="T1")).keys() == {"C1"}
    monkeypatch.setenv("MARKETPULSE_DB", str(route))
    code = cli.main(
        [
            "query",
            "cm_scorecard",
            "--param",
            "level=cm",
            "--param",
            f"week_from={W1}",
            "--param",
            f"week_to={W4}",
            "--format",
            "csv",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("level_key,level_name,weeks,retailers,planned_visits,visits_made,visit_rate")
    assert "C1" in out and "C2" in out


# ── cm_visits and the detail helper ───────────────────────────────────────────


def test_cm_visits_route_grid(route):
    got = run(route, "cm_visits", cm_code="C1", week_from=W1, week_to=W4)
    assert len(got) == 13  # R1 4 + R2 4 + R3 1 + R5 4 retailer-weeks
    by = {(row.level_key, str(row.week)[:10]): row for row in got.itertuples()}
    r2_w3, r2_w4 = by[("R2", W3)], by[("R2", W4)]
    # R2 last visited 06-09 (week W2): one week unvisited at W3, two at W4
    assert (r2_w3.weeks_unvisited, r2_w3.unvisited) == (1, False)
    assert (r2_w4.weeks_unvisited, r2_w4.unvisited) == (2, True)
    # R5 never visited: no week count, unvisited for two weeks already at W1 (open in W0)
    assert pd.isna(by[("R5", W1)].weeks_unvisited) and by[("R5", W1)].unvisited
    r1_w3 = by[("R1", W3)]
    assert (r1_w3.late_visits, r1_w3.max_days_since_previous, r1_w3.weeks_unvisited) == (1, 8, 0)
    assert by[("R1", W1)].spec_lines == 2 and by[("R1", W1)].level_name == "店R1"


def test_cm_visits_lists_copy_suspect_dates_and_respects_scope(route):
    got = run(route, "cm_visits", cm_code="C2", week_from=W1, week_to=W4)
    suspect = got[got.copy_suspect_visits > 0]
    assert list(suspect.copy_suspect_dates) == ["2026-06-02", "2026-06-09", "2026-06-16"]
    assert run(route, "cm_visits", store.Scope(cm_code="C2"), cm_code="C1", week_from=W1, week_to=W4).empty


def test_cm_detail_helper(route):
    detail = metrics.cm_detail("C1", W1, W4, path=route)
    retailers = detail.retailers.set_index("level_key")
    assert retailers.loc["R2", "planned_visits"] == 4 and retailers.loc["R2", "visits_made"] == 2
    assert retailers.loc["R3", "visit_rate"] == 1
    assert sorted(detail.unvisited.level_key) == ["R2", "R5"]
    assert detail.copy_suspect.empty
    assert len(metrics.cm_detail("C2", W1, W4, path=route).copy_suspect) == 3
    with pytest.raises(ValueError, match="Unknown filter"):
        metrics.cm_detail("C1", W1, W4, path=route, brand="中华")


# ── the visit rules: on-time gap and unvisited weeks ─────────────────────────
# A second route, W1–W4 as above, the store's first week W1; rules as shipped unless set.
#   C1 (T1): R1 visits Mon 06-01, Tue 06-09 (8 days), Thu 06-18 (9 days), Sun 06-28 (10 days)
#            R2 visits 06-01 only: W2, W3, W4 missed — 3 planned weeks at W4
#            R3 visits 06-08 only: W3, W4 missed — 2 planned weeks at W4; R3 moves to
#            C2 (T2) from W3, so at W4 it is C2's
#   C2 (T2): R4 visits 06-01, 06-08, 06-15, 06-22 (7 days each)
#            R5 open, never visited; R6 opened 2026-06-17 (W3), never visited


def add_rule_route(con):
    con.execute("insert into department values ('D1', '城区市场部')")
    con.execute("insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网')")
    con.execute("insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T2')")
    con.execute("insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01')")
    for lic, ter, cm, opened in [
        ("R1", "T1", "C1", None), ("R2", "T1", "C1", None), ("R3", "T2", "C2", None),
        ("R4", "T2", "C2", None), ("R5", "T2", "C2", None), ("R6", "T2", "C2", "2026-06-17"),
    ]:  # fmt: skip
        con.execute(
            "insert into retailer values (?, ?, '食杂店', 8, ?, ?, null, ?, null)", [lic, "店" + lic, ter, cm, opened]
        )
        if lic != "R3":
            con.execute(
                "insert into retailer_assignment values (?, date '1900-01-01', null, ?, ?, '食杂店', 8)", [lic, ter, cm]
            )
    con.execute(
        """insert into retailer_assignment values
          ('R3', date '1900-01-01', date '2026-06-15', 'T1', 'C1', '食杂店', 8),
          ('R3', date '2026-06-15', null, 'T2', 'C2', '食杂店', 8)"""
    )
    for day, lic, cm in [
        ("2026-06-01", "R1", "C1"), ("2026-06-09", "R1", "C1"), ("2026-06-18", "R1", "C1"), ("2026-06-28", "R1", "C1"),
        ("2026-06-01", "R2", "C1"), ("2026-06-08", "R3", "C1"),
        ("2026-06-01", "R4", "C2"), ("2026-06-08", "R4", "C2"), ("2026-06-15", "R4", "C2"), ("2026-06-22", "R4", "C2"),
    ]:  # fmt: skip
        con.execute("insert into visit_line values (?, ?, ?, 'S1', 5, null, true, 1, null, 1)", [day, cm, lic])


@pytest.fixture(scope="module")
def rule_route(tmp_path_factory):
    db = tmp_path_factory.mktemp("rules") / "store.duckdb"
    with store.writer(db) as con:
        add_rule_route(con)
        rollup.rebuild(con)
    return db


def with_rules(db, tmp_path, **values):
    """A copy of store `db` with settings changed through the rules API, as the Data page does."""
    copy = tmp_path / "edited.duckdb"
    shutil.copyfile(db, copy)
    frame = rules.rules_frame("setting", copy)
    for key, value in values.items():
        frame.loc[frame["key"] == key, "value"] = value
    rules.replace_rules_frame("setting", frame, db=copy)
    return copy


def test_visit_rules_ship_as_settings(rule_route):
    settings = rules.rules_frame("setting", rule_route).set_index("key")
    assert settings.loc["visit_max_gap_days", "value"] == 9 and settings.loc["unvisited_weeks", "value"] == 2
    assert "一周加两天" in settings.loc["visit_max_gap_days", "note"]
    c1 = card(rule_route)["C1"]
    assert (c1.max_gap_days, c1.unvisited_weeks) == (9, 2)


def test_on_time_under_the_default_nine_days(rule_route):
    cards = card(rule_route)
    c1, c2 = cards["C1"], cards["C2"]
    # C1's reports with a previous visit: R1's gaps 8, 9, 10 (R2's and R3's one report each
    # have none) → 8 ≤ 9 and 9 ≤ 9 on time, 10 late: 2 of 3
    assert (c1.visit_reports, c1.timed_visits, c1.on_time_visits) == (6, 3, 2)
    assert c1.on_time_rate == pytest.approx(2 / 3)
    # C2: R4's gaps 7, 7, 7 → 3 of 3
    assert (c2.timed_visits, c2.on_time_visits) == (3, 3)
    # city: 2 + 3 = 5 of 3 + 3 = 6, a ratio of sums
    assert card(rule_route, level="city")["city"].on_time_rate == pytest.approx(5 / 6)
    weeks = run(rule_route, "cm_visits", cm_code="C1", week_from=W1, week_to=W4)
    r1 = {str(row.week)[:10]: row for row in weeks[weeks.level_key == "R1"].itertuples()}
    # late_visits per week: W2 gap 8 and W3 gap 9 on time, W4 gap 10 late
    assert [(r1[w].max_days_since_previous, r1[w].late_visits) for w in (W2, W3, W4)] == [(8, 0), (9, 0), (10, 1)]


def test_on_time_with_the_rule_set_to_seven_days(rule_route, tmp_path):
    db = with_rules(rule_route, tmp_path, visit_max_gap_days=7)
    c1, c2 = card(db)["C1"], card(db)["C2"]
    # gaps 8, 9, 10 are all more than 7 days: 0 of 3; R4's 7-day gaps stay on time
    assert (c1.timed_visits, c1.on_time_visits, c1.max_gap_days) == (3, 0, 7)
    assert c2.on_time_rate == 1
    weeks = run(db, "cm_visits", cm_code="C1", week_from=W1, week_to=W4)
    assert weeks[weeks.level_key == "R1"].late_visits.tolist() == [0, 1, 1, 1]  # W1 has no previous visit


def test_on_time_in_scope(rule_route):
    # seen from 片区 T1 and from customer manager C1, C1's figures are the city run's
    for scope in (store.Scope(territory_code="T1"), store.Scope(cm_code="C1")):
        scoped = card(rule_route, scope=scope)
        assert set(scoped) == {"C1"}
        assert (scoped["C1"].timed_visits, scoped["C1"].on_time_visits) == (3, 2)
    assert card(rule_route, level="city", scope=store.Scope(territory_code="T1"))["city"].on_time_rate == (
        pytest.approx(2 / 3)
    )


def test_unvisited_under_the_default_two_weeks(rule_route):
    cards = card(rule_route)
    # at W4, missed 2+ planned weeks: C1 R2 (3 weeks); C2 R3 (2 weeks, moved to C2 at W3),
    # R5 (never visited, open since before W1) and R6 (opened in W3: open W3 and W4, unvisited)
    assert cards["C1"].unvisited_retailers == 1 and cards["C2"].unvisited_retailers == 3
    assert card(rule_route, level="city")["city"].unvisited_retailers == 4
    detail = metrics.cm_detail("C2", W1, W4, path=rule_route)
    assert sorted(detail.unvisited.level_key) == ["R3", "R5", "R6"]
    # R3 at W3 had missed W3 only: last visit 06-08 is in W2
    weeks = run(rule_route, "cm_visits", cm_code="C2", week_from=W1, week_to=W4)
    r3 = {str(row.week)[:10]: row.unvisited for row in weeks[weeks.level_key == "R3"].itertuples()}
    assert r3 == {W3: False, W4: True}  # C2's route holds R3 from W3 on


def test_unvisited_with_the_rule_set_to_three_weeks(rule_route, tmp_path):
    db = with_rules(rule_route, tmp_path, unvisited_weeks=3)
    cards = card(db)
    # the 3 weeks ending at W4 are W2–W4: R2 (last visit W1) is listed; R3 (last visit W2,
    # 2 planned weeks missed) is not; R5 (never, open all 3) is; R6 (open W3, W4 only) is not
    assert cards["C1"].unvisited_retailers == 1 and cards["C2"].unvisited_retailers == 1
    assert cards["C2"].unvisited_weeks == 3
    assert sorted(metrics.cm_detail("C1", W1, W4, path=db).unvisited.level_key) == ["R2"]
    assert sorted(metrics.cm_detail("C2", W1, W4, path=db).unvisited.level_key) == ["R5"]
    # a retailer never visited needs the store to hold all 3 weeks: at W1 and W2 they would
    # start before W1, the store's first week, so R5 is not listed yet; from W3 (W1–W3) it is
    weeks = run(db, "cm_visits", cm_code="C2", week_from=W1, week_to=W4)
    r5 = weeks[weeks.level_key == "R5"].unvisited.tolist()
    assert r5 == [False, False, True, True]


def test_unvisited_in_scope(rule_route):
    # 片区 T2 and customer manager C2 see the moved R3 as theirs, as the city run does
    assert card(rule_route, scope=store.Scope(territory_code="T2"))["C2"].unvisited_retailers == 3
    assert card(rule_route, scope=store.Scope(cm_code="C2"))["C2"].unvisited_retailers == 3
    assert card(rule_route, scope=store.Scope(territory_code="T1"))["C1"].unvisited_retailers == 1
    scoped = metrics.cm_detail("C2", W1, W4, scope=store.Scope(cm_code="C2"), path=rule_route)
    assert sorted(scoped.unvisited.level_key) == ["R3", "R5", "R6"]


def test_visit_rules_are_edited_with_the_rules_command(rule_route, tmp_path, monkeypatch, capsys):
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(rule_route, db)
    monkeypatch.setenv("MARKETPULSE_DB", str(db))
    assert cli.main(["rules", "export", str(tmp_path / "rules"), "--table", "setting"]) == 0
    frame = pd.read_csv(tmp_path / "rules" / "setting.csv")
    frame.loc[frame["key"] == "unvisited_weeks", "value"] = 3
    frame.to_csv(tmp_path / "setting.csv", index=False)
    assert cli.main(["rules", "load", str(tmp_path / "setting.csv"), "--table", "setting"]) == 0
    capsys.readouterr()
    assert card(db)["C2"].unvisited_retailers == 1


# ── the simulated small city ──────────────────────────────────────────────────


@pytest.fixture(scope="module")
def demo_city(request, tmp_path_factory):
    """The small simulated city: the shared `demo_store` fixture, else built here."""
    try:
        return request.getfixturevalue("demo_store")
    except pytest.FixtureLookupError:
        import os
        import subprocess
        import sys
        from pathlib import Path

        path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
        subprocess.run(
            [sys.executable, "-m", "marketpulse", "demo", "--scale", "small"],
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, "MARKETPULSE_DB": str(path)},
            check=True,
            capture_output=True,
        )
        return path


def test_demo_city_planted_customer_managers_stand_out(demo_city):
    truth = store.Reader(demo_city).sql("select * from demo_truth where cm_code is not null")
    copier = truth[truth.kind == "copy_counts"].iloc[0]
    skipper = truth[truth.kind == "missed_visits"].iloc[0]
    week_from = max(copier.first_week, skipper.first_week).date()
    week_to = min(copier.last_week, skipper.last_week).date()
    cards = metrics.cm_scorecard(week_from, week_to, path=demo_city).set_index("level_key")
    # the customer manager who copies counts has by far the highest copy-suspect rate
    assert cards.copy_suspect_rate.idxmax() == copier.cm_code
    others = cards.drop(index=copier.cm_code)
    assert cards.loc[copier.cm_code, "copy_suspect_rate"] > 0.5 > others.copy_suspect_rate.max()
    # the one who misses a third of the visits covers about two in three; the rest nearly all
    assert cards.loc[skipper.cm_code, "visit_rate"] == pytest.approx(2 / 3, abs=0.08)
    assert cards.drop(index=skipper.cm_code).visit_rate.min() > 0.9
    assert cards.unvisited_retailers.idxmax() == skipper.cm_code
