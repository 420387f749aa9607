"""sales_volume and order_fill on a hand-made city, expected values worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from marketpulse import cli, i18n, metrics, report, rollup, store, views
from marketpulse.metrics.sales import period_totals

# ISO calendar traps: 2026 has 53 ISO weeks, 2025 has 52.
W_A = "2025-12-29"  # 2026-W01: the same period (同期) of 2027-W01, though in calendar 2025
W_TRAP = "2026-01-05"  # 2026-W02: what "52 weeks earlier" would wrongly pick for 2027-W01
W_B = "2026-12-28"  # 2026-W53: 2025 has no week 53, so no same period
W_C = "2027-01-04"  # 2027-W01


def add_city(con):
    con.execute("insert into department values ('D1', '城区市场部'), ('D2', '县区市场部')")
    con.execute(
        "insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网'), "
        "('T3', '北乡', 'D2', '农网')"
    )
    con.execute("insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T2'), ('C3', '王五', 'T3')")
    for lic, fmt, ter, cm in [("R1", "食杂店", "T1", "C1"), ("R2", "便利店", "T1", "C1"), ("R3", "食杂店", "T2", "C2")]:
        con.execute("insert into retailer values (?, ?, ?, 8, ?, ?, null, null, null)", [lic, "店" + lic, fmt, ter, cm])
        con.execute(
            "insert into retailer_assignment values (?, date '1900-01-01', null, ?, ?, ?, 8)", [lic, ter, cm, fmt]
        )
    con.execute(
        """insert into spec values
          ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01'),
          ('S2', '红塔山(软)', '红塔山', '三类', 100, 110, false, date '2020-01-01')"""
    )


def visit(con, day, lic, spec, sales):
    cm = {"R1": "C1", "R2": "C1", "R3": "C2"}[lic]
    con.execute("insert into visit_line values (?, ?, ?, ?, 5, null, true, ?, null, 1)", [day, cm, lic, spec, sales])


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    db = tmp_path_factory.mktemp("city") / "store.duckdb"  # built once, read by every test
    with store.writer(db) as con:
        add_city(con)
        # week A (2026-W01): R1 S1 10, R1 S2 20, R3 S1 15
        visit(con, "2025-12-30", "R1", "S1", 10)
        visit(con, "2025-12-30", "R1", "S2", 20)
        visit(con, "2025-12-31", "R3", "S1", 15)
        # the trap week 2026-W02: 99 that a wrong same-period rule would pick up
        visit(con, "2026-01-06", "R1", "S1", 99)
        # week B (2026-W53): R1 S1 8, R2 S1 4, R1 S2 30
        visit(con, "2026-12-29", "R1", "S1", 8)
        visit(con, "2026-12-29", "R2", "S1", 4)
        visit(con, "2026-12-29", "R1", "S2", 30)
        # week C (2027-W01): R1 S1 12, R2 S1 6, R1 S2 10, R3 S1 7; R2 S2 first count, sales unknown
        visit(con, "2027-01-05", "R1", "S1", 12)
        visit(con, "2027-01-05", "R2", "S1", 6)
        visit(con, "2027-01-05", "R1", "S2", 10)
        visit(con, "2027-01-06", "R3", "S1", 7)
        visit(con, "2027-01-05", "R2", "S2", None)
        # orders in week C (they do not change sales: every line reports its sales)
        con.execute(
            """insert into order_line values
              ('2027-01-04', 'R1', 'S1', 10, 10, 1),
              ('2027-01-04', 'R1', 'S2', 10, 5, 1),
              ('2027-01-04', 'R2', 'S1', 4, 0, 1),
              ('2027-01-04', 'R3', 'S1', 5, 5, 1),
              ('2027-01-07', 'R3', 'S1', 5, 3, 1)"""
        )
        rollup.rebuild(con)
    return db


def run(db, name, scope=store.CITY, **params):
    return metrics.query(name, params, scope, db)


def one(frame, **where):
    for key, value in where.items():
        frame = frame[frame[key].astype(str) == value]
    assert len(frame) == 1, frame
    return frame.iloc[0]


def test_sales_volume_city_week_with_previous_week_and_same_period(city):
    got = run(city, "sales_volume", level="city", product_level="all", week_from=W_C, week_to=W_C)
    row = one(got, week=W_C)
    # week C: 12 + 6 + 10 + 7 = 35 条 (R2 S2's unknown first-visit sales left out)
    assert row.sales_qty == 35
    # value: (12 + 6 + 7) × 400 + 10 × 100 = 11,000 元
    assert row.sales_value == 11000
    # previous week B: 8 + 4 + 30 = 42 条, 8×400 + 4×400 + 30×100 = 7,800 元
    assert row.prev_week_sales_qty == 42 and row.prev_week_sales_value == 7800
    assert row.wow_growth == pytest.approx(35 / 42 - 1)
    # same period = 2026-W01 = 2025-12-29 (not 2026-01-05): 10 + 20 + 15 = 45 条,
    # 10×400 + 20×100 + 15×400 = 12,000 元
    assert str(row.same_period_week)[:10] == W_A
    assert row.sp_sales_qty == 45 and row.sp_sales_value == 12000
    assert row.sp_growth == pytest.approx(35 / 45 - 1)
    assert row.sp_value_growth == pytest.approx(11000 / 12000 - 1)
    assert row.level_name == "全市"


def test_week_53_has_no_same_period_when_last_year_had_52_weeks(city):
    got = run(city, "sales_volume", level="city", product_level="all", week_from=W_B, week_to=W_B)
    row = one(got, week=W_B)
    assert row.sales_qty == 42
    assert pd.isna(row.same_period_week) and pd.isna(row.sp_sales_qty) and pd.isna(row.sp_growth)
    # nothing in 2026-12-21: no week-on-week either
    assert pd.isna(row.prev_week_sales_qty) and pd.isna(row.wow_growth)


def test_sales_volume_by_territory_and_price_class(city):
    got = run(city, "sales_volume", level="territory", product_level="price_class", week_from=W_C, week_to=W_C)
    # T1 一类: R1 12 + R2 6 = 18; T1 三类: R1 10; T2 一类: R3 7 (same period 15)
    assert one(got, level_key="T1", product_key="一类").sales_qty == 18
    assert one(got, level_key="T1", product_key="三类").sales_qty == 10
    t2 = one(got, level_key="T2", product_key="一类")
    assert t2.sales_qty == 7 and t2.sp_sales_qty == 15 and t2.level_name == "西片"
    assert len(got) == 3


def test_sales_volume_spec_level_names_and_filters(city):
    got = run(city, "sales_volume", level="city", product_level="spec", week_from=W_C, week_to=W_C, format="便利店")
    # only R2 (便利店): S1 6 条; its S2 sales are unknown
    assert list(got.product_key) == ["S1"]
    assert got.product_name[0] == "中华(硬)" and got.sales_qty[0] == 6


def test_sales_volume_scoped_run_stays_in_scope(city):
    got = run(
        city,
        "sales_volume",
        store.Scope(territory_code="T2"),
        level="territory",
        product_level="all",
        week_from=W_A,
        week_to=W_C,
    )
    assert set(got.level_key) == {"T2"}
    city_in_scope = run(
        city,
        "sales_volume",
        store.Scope(territory_code="T2"),
        level="city",
        product_level="all",
        week_from=W_C,
        week_to=W_C,
    )
    assert city_in_scope.sales_qty[0] == 7  # R3 only
    nothing = run(
        city,
        "sales_volume",
        store.Scope(territory_code="T3"),
        level="retailer",
        product_level="all",
        week_from=W_A,
        week_to=W_C,
    )
    assert nothing.empty


def test_order_fill_ratio_of_sums_not_mean_of_ratios(city):
    got = run(city, "order_fill", level="territory", product_level="all", week_from=W_C, week_to=W_C)
    t1, t2 = one(got, level_key="T1"), one(got, level_key="T2")
    # T1: demanded 10 + 10 + 4 = 24, supplied 10 + 5 + 0 = 15 → 0.625; lines filled 1 of 3
    assert (t1.demand_qty, t1.supplied_qty) == (24, 15)
    assert t1.fill_rate == pytest.approx(0.625)
    assert t1.line_fulfilment_rate == pytest.approx(1 / 3)
    assert t1.ordering_retailers == 2
    # T1's orders (retailer × day): R1 on 01-04 (S1 in full, S2 5 of 10) and R2 on 01-04
    # (S1 0 of 4): 2 orders, neither filled in full → 订单履约率 0, though one line was
    assert (t1.orders, t1.filled_orders) == (2, 0) and t1.fulfilment_rate == 0
    # T2: two order days of R3 × S1: 5 of 5 and 3 of 5 → 8 / 10 = 0.8; 1 of 2 lines filled,
    # and as each day has one line, 1 of 2 orders
    assert t2.fill_rate == pytest.approx(0.8) and t2.line_fulfilment_rate == pytest.approx(0.5)
    assert (t2.orders, t2.filled_orders) == (2, 1) and t2.fulfilment_rate == pytest.approx(0.5)
    city_row = one(run(city, "order_fill", level="city", product_level="all", week_from=W_C, week_to=W_C))
    # city: 23 / 34, not the mean of the territories' rates (0.625 + 0.8) / 2 = 0.7125
    assert city_row.fill_rate == pytest.approx(23 / 34)
    assert city_row.fill_rate != pytest.approx((0.625 + 0.8) / 2)
    assert city_row.line_fulfilment_rate == pytest.approx(2 / 5)
    # orders: 0 of 2 in T1 + 1 of 2 in T2 → 1 of 4
    assert city_row.fulfilment_rate == pytest.approx(1 / 4)


def test_order_fill_by_spec(city):
    got = run(city, "order_fill", level="city", product_level="spec", week_from=W_C, week_to=W_C)
    s2 = one(got, product_key="S2")
    assert s2.fill_rate == pytest.approx(0.5) and s2.product_name == "红塔山(软)"


# ── 订单履约率 by order: a worked example ────────────────────────────────────
# Week E = 2027-01-11 … 01-17, week F = 2027-01-18 … 01-24.
#   R1 (T1, C1)  Mon 01-11: S1 10 asked, 10 supplied; S2 5 asked, 3 supplied
#                Thu 01-14: S1 4 asked, 4 supplied
#   R2 (T1, C1)  Tue 01-12: S2 2 asked, 0 supplied
#   R3 (T2, C2)  Mon 01-11: S1 6 asked, 6 supplied
# R2 moves to 片区 T2 (customer manager C2) from week F, and orders on Tue 01-19: S1 3 of 3.
W_E, W_F = "2027-01-11", "2027-01-18"


@pytest.fixture(scope="module")
def orders(tmp_path_factory):
    db = tmp_path_factory.mktemp("orders") / "store.duckdb"
    with store.writer(db) as con:
        add_city(con)
        con.execute("update retailer set territory_code = 'T2', cm_code = 'C2' where license_no = 'R2'")
        con.execute("update retailer_assignment set valid_to = date '2027-01-18' where license_no = 'R2'")
        con.execute("insert into retailer_assignment values ('R2', date '2027-01-18', null, 'T2', 'C2', '便利店', 8)")
        con.execute(
            """insert into order_line values
              ('2027-01-11', 'R1', 'S1', 10, 10, 1),
              ('2027-01-11', 'R1', 'S2', 5, 3, 1),
              ('2027-01-14', 'R1', 'S1', 4, 4, 1),
              ('2027-01-12', 'R2', 'S2', 2, 0, 1),
              ('2027-01-11', 'R3', 'S1', 6, 6, 1),
              ('2027-01-19', 'R2', 'S1', 3, 3, 1)"""
        )
        rollup.rebuild(con)
    return db


def fill(db, level, scope=store.CITY, product_level="all", week=W_E, **filters):
    got = run(
        db, "order_fill", scope, level=level, product_level=product_level, week_from=week, week_to=week, **filters
    )
    return {(row.level_key, row.product_key): row for row in got.itertuples()}


def test_order_fulfilment_counts_orders_not_lines(orders):
    r1 = fill(orders, "retailer")[("R1", "all")]
    # R1: Monday's order (S1 10 of 10, S2 3 of 5) is not filled in full, Thursday's (S1 4 of 4)
    # is → 2 orders, 1 filled: 订单履约率 1 ÷ 2 = 0.5
    assert (r1.orders, r1.filled_orders) == (2, 1) and r1.fulfilment_rate == pytest.approx(0.5)
    # lines: S1 Mon, S2 Mon, S1 Thu → 3 lines, 2 in full: 订单行履约率 2 ÷ 3
    assert (r1.order_lines, r1.filled_order_lines) == (3, 2) and r1.line_fulfilment_rate == pytest.approx(2 / 3)
    # 订单满足率 (10 + 3 + 4) ÷ (10 + 5 + 4) = 17 ÷ 19
    assert r1.fill_rate == pytest.approx(17 / 19)
    city = fill(orders, "city")[("city", "all")]
    # city: R1 2 orders (1 filled) + R2 1 (0) + R3 1 (1) → 2 of 4; lines 2 + 0 + 1 = 3 of 5;
    # quantity (17 + 0 + 6) ÷ (19 + 2 + 6) = 23 ÷ 27
    assert (city.orders, city.filled_orders, city.fulfilment_rate) == (4, 2, 0.5)
    assert city.line_fulfilment_rate == pytest.approx(3 / 5) and city.fill_rate == pytest.approx(23 / 27)


def test_order_fulfilment_within_product_groups_and_filters(orders):
    by_spec = fill(orders, "retailer", product_level="spec")
    # within S1, R1's orders are its S1 lines: Mon 10 of 10 and Thu 4 of 4 → 2 of 2
    assert (by_spec[("R1", "S1")].orders, by_spec[("R1", "S1")].fulfilment_rate) == (2, 1)
    # within S2, R1's Monday order is its one S2 line, 3 of 5 → 0 of 1
    assert (by_spec[("R1", "S2")].orders, by_spec[("R1", "S2")].fulfilment_rate) == (1, 0)
    # 中华 (S1) only: R1 Mon (S1 in full), R1 Thu, R3 Mon → 3 of 3; R2 ordered no 中华
    city = fill(orders, "city", brand="中华")[("city", "all")]
    assert (city.orders, city.filled_orders, city.ordering_retailers) == (3, 3, 2)


def test_order_fulfilment_by_territory_and_in_scope(orders):
    terr = fill(orders, "territory")
    # T1: R1 1 of 2 + R2 0 of 1 → 1 of 3; lines 2 of 4 → 0.5; quantity 17 ÷ 21
    t1 = terr[("T1", "all")]
    assert (t1.orders, t1.filled_orders) == (3, 1) and t1.fulfilment_rate == pytest.approx(1 / 3)
    assert t1.line_fulfilment_rate == pytest.approx(2 / 4) and t1.fill_rate == pytest.approx(17 / 21)
    # T2: R3 1 of 1
    assert terr[("T2", "all")].fulfilment_rate == 1
    # seen from 片区 T1, the city is T1; from customer manager C2, it is R3's one order
    in_t1 = fill(orders, "city", store.Scope(territory_code="T1"))[("city", "all")]
    assert (in_t1.orders, in_t1.filled_orders, in_t1.line_fulfilment_rate) == (3, 1, 0.5)
    in_c2 = fill(orders, "city", store.Scope(cm_code="C2"))[("city", "all")]
    assert (in_c2.orders, in_c2.filled_orders, in_c2.fill_rate) == (1, 1, 1)
    c1 = fill(orders, "cm", store.Scope(cm_code="C1"))
    assert set(c1) == {("C1", "all")} and c1[("C1", "all")].fulfilment_rate == pytest.approx(1 / 3)


def test_an_order_counts_where_the_retailer_was_that_week(orders):
    # week F: R2 has moved to T2 / C2; its order of 01-19 (3 of 3) is T2's, not T1's
    assert set(fill(orders, "territory", week=W_F)) == {("T2", "all")}
    assert fill(orders, "territory", store.Scope(territory_code="T1"), week=W_F) == {}
    in_t2 = fill(orders, "city", store.Scope(territory_code="T2"), week=W_F)[("city", "all")]
    assert (in_t2.orders, in_t2.filled_orders) == (1, 1)
    assert fill(orders, "cm", store.Scope(cm_code="C2"), week=W_F)[("C2", "all")].orders == 1


@pytest.mark.parametrize("name", ["sales_volume", "order_fill"])
def test_cli_runs_the_query(city, name, capsys, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(city))
    code = cli.main(
        [
            "query",
            name,
            "--param",
            "level=department",
            "--param",
            "product_level=all",
            "--param",
            f"week_from={W_C}",
            "--param",
            f"week_to={W_C}",
            "--format",
            "csv",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("week,level_key,level_name,product_key")
    assert "D1" in out


def test_unknown_level_is_refused(city):
    with pytest.raises(Exception, match="unknown level"):
        # the query itself refuses it, not only metrics.query
        store.Reader(city).query(
            "sales_volume", {"level": "galaxy", "product_level": "all", "week_from": W_C, "week_to": W_C}
        )


# ── 月/季/年累计 (period_totals): a worked example over two first quarters ─────────
# A week counts to the month, quarter and year of its Thursday. ISO weeks (Monday):
#   2026-W01 2025-12-29 (Thursday 1 Jan 2026: January 2026, though it starts in December)
#   2026-W02 2026-01-05, W06 02-02, W10 03-02;  2026-W53 2026-12-28 (Thursday 31 Dec: December)
#   2027-W01 2027-01-04, W03 01-18, W04 01-25, W05 02-01 (Thursday 4 Feb: February),
#   2027-W09 03-01, W10 03-08, W11 03-15, W12 03-22 (last of Q1: W13 2027-03-29 has Thursday 1 April)
# Sales (条); S1 is a key brand at 400 元/条 wholesale, S2 is not, at 100:
#   last year   W01 R1 S1 10 (priced 440, suggested 450)   W02 R1 S2 20   W06 R3 S1 5   W10 R1 S1 10
#               W53 R1 S1 7
#   this year   W01 R1 S1 12 (priced 450) and R1 S2 10 (priced 100, suggested 110)   W03 R3 S1 8
#               W05 R2 S2 30   W09 R1 S1 5   W10 R3 S2 20   W11 R1 S1 100 (after the report week W10)
# Orders (demanded / supplied): 2026-W02 R1 S2 20/20, 2026-W10 R1 S1 10/5;
#   2027-W01 R1 S1 10/8, 2027-W10 R3 S2 10/10, 2027-W11 R1 S1 10/0.
# R1, R2 are 片区 T1 (customer manager C1), R3 is T2 (C2).
P_W10 = "2027-03-08"


@pytest.fixture(scope="module")
def periods(tmp_path_factory):
    db = tmp_path_factory.mktemp("periods") / "store.duckdb"
    lines = [
        ("2025-12-30", "R1", "S1", 10, 440),
        ("2026-01-06", "R1", "S2", 20, None),
        ("2026-02-03", "R3", "S1", 5, None),
        ("2026-03-03", "R1", "S1", 10, None),
        ("2026-12-29", "R1", "S1", 7, None),
        ("2027-01-05", "R1", "S1", 12, 450),
        ("2027-01-05", "R1", "S2", 10, 100),
        ("2027-01-19", "R3", "S1", 8, None),
        ("2027-02-02", "R2", "S2", 30, None),
        ("2027-03-02", "R1", "S1", 5, None),
        ("2027-03-09", "R3", "S2", 20, None),
        ("2027-03-16", "R1", "S1", 100, None),
    ]
    with store.writer(db) as con:
        add_city(con)
        for day, lic, spec, sales, price in lines:
            cm = {"R1": "C1", "R2": "C1", "R3": "C2"}[lic]
            con.execute(
                "insert into visit_line values (?, ?, ?, ?, 5, ?, true, ?, null, 1)", [day, cm, lic, spec, price, sales]
            )
        con.execute(
            """insert into order_line values
              ('2026-01-06', 'R1', 'S2', 20, 20, 1),
              ('2026-03-03', 'R1', 'S1', 10, 5, 1),
              ('2027-01-05', 'R1', 'S1', 10, 8, 1),
              ('2027-03-09', 'R3', 'S2', 10, 10, 1),
              ('2027-03-16', 'R1', 'S1', 10, 0, 1)"""
        )
        rollup.rebuild(con)
    return db


def totals(db, week, period, scope=store.CITY, level="city", **filters):
    got = period_totals(week, week, level, "all", scope, db, period=period, **filters)
    return {row.level_key: row for row in got.itertuples()}


def test_year_to_date_sums_weeks_1_to_the_report_week_against_the_same_weeks_last_year(periods):
    ytd = totals(periods, P_W10, "year")["city"]
    assert (ytd.period_label, str(ytd.period_from)[:10], ytd.weeks) == ("2027", "2027-01-04", 10)
    # last year's span: ISO weeks 1 … 10 of 2026 = 2025-12-29 … 2026-03-02
    assert (str(ytd.sp_period_from)[:10], str(ytd.sp_period_to)[:10]) == ("2025-12-29", "2026-03-02")
    # this year W01 … W10: 12 + 10 + 8 + 30 + 5 + 20 = 85 条 (W11's 100 comes after the report week)
    assert ytd.sales_qty == 85
    # value: S1 (12 + 8 + 5) × 400 = 10,000 + S2 (10 + 30 + 20) × 100 = 6,000 → 16,000 元
    assert ytd.sales_value == pytest.approx(16000)
    # last year W01 … W10: 10 + 20 + 5 + 10 = 45 条; S1 25 × 400 + S2 20 × 100 = 12,000 元
    assert ytd.sp_sales_qty == 45 and ytd.sp_sales_value == pytest.approx(12000)
    # 累计同比 = this year ÷ last year − 1
    assert ytd.sp_growth == pytest.approx(85 / 45 - 1)  # +88.9%
    assert ytd.sp_value_growth == pytest.approx(16000 / 12000 - 1)
    # 单条均价 is Σ value ÷ Σ qty = 16,000 ÷ 85 = 188.24, not the mean of the weekly averages
    # (W01 5,800 ÷ 22, W03 400, W05 100, W09 400, W10 100 → 252.7)
    assert ytd.avg_price_per_carton == pytest.approx(16000 / 85)
    assert ytd.avg_price_per_carton != pytest.approx((5800 / 22 + 400 + 100 + 400 + 100) / 5)
    assert ytd.avg_price_sp_growth == pytest.approx((16000 / 85) / (12000 / 45) - 1)
    # 重点品牌比重: S1 25 of 85, last year 25 of 45; the change in fraction points
    assert ytd.key_brand_share == pytest.approx(25 / 85)
    assert ytd.share_change == pytest.approx(25 / 85 - 25 / 45)
    # 订单满足率: (8 + 10) ÷ (10 + 10) = 0.9 against (20 + 5) ÷ (20 + 10) = 0.833
    assert ytd.fill_rate == pytest.approx(18 / 20) and ytd.sp_fill_rate == pytest.approx(25 / 30)
    assert ytd.fill_rate_change == pytest.approx(0.9 - 25 / 30)
    # 价格指数 over the priced sales: (450 × 12 + 100 × 10) ÷ (450 × 12 + 110 × 10) × 100 = 98.46
    # against 440 × 10 ÷ (450 × 10) × 100 = 97.78 last year
    assert ytd.price_index == pytest.approx(6400 / 6500 * 100)
    assert ytd.price_index_change == pytest.approx(6400 / 6500 * 100 - 4400 / 4500 * 100)


def test_month_and_quarter_to_date(periods):
    # January 2027 (report week W04, Thursday 28 January): W01 … W04 = 12 + 10 + 8 = 30 条, against
    # 2026's ISO weeks 1 … 4: 10 + 20 = 30 → 累计同比 0
    jan = totals(periods, "2027-01-25", "month")["city"]
    assert (jan.period_label, jan.weeks, jan.sales_qty, jan.sp_sales_qty) == ("2027-01", 4, 30, 30)
    assert jan.sp_growth == pytest.approx(0)
    # W05 (Monday 1 February) starts February: 30 条 of R2 alone
    feb = totals(periods, "2027-02-01", "month")["city"]
    assert (feb.period_label, feb.weeks, feb.sales_qty) == ("2027-02", 1, 30)
    # March to the report week W10: W09 5 + W10 20 = 25, against 2026's weeks 9 … 10: 10
    march = totals(periods, P_W10, "month")["city"]
    assert (march.weeks, march.sales_qty, march.sp_sales_qty) == (2, 25, 10)
    assert march.sp_growth == pytest.approx(25 / 10 - 1)
    # Q1 to W10 is the year to date (85); the whole quarter to W12 adds W11's 100 → 185, and
    # its fill rate (8 + 10 + 0) ÷ (10 + 10 + 10) = 0.6
    assert totals(periods, P_W10, "quarter")["city"].sales_qty == 85
    q1 = totals(periods, "2027-03-22", "quarter")["city"]
    assert (q1.period_label, q1.weeks, q1.sales_qty) == ("2027-Q1", 12, 185)
    assert q1.fill_rate == pytest.approx(18 / 30)
    # the three periods of one report week come in one call, month first
    both = period_totals(P_W10, P_W10, path=periods)
    assert list(both.period) == ["month", "quarter", "year"]


def test_a_week_across_a_month_end_counts_to_its_thursdays_month(periods):
    # 2025-12-29 … 2026-01-04 has its Thursday on 1 January: January, Q1 and 2026's first week
    first = period_totals("2025-12-29", "2025-12-29", path=periods).set_index("period")
    assert list(first.period_label) == ["2026-01", "2026-Q1", "2026"]
    assert (first.weeks == 1).all() and (first.sales_qty == 10).all()
    # 2026-12-28 … 2027-01-03 has its Thursday on 31 December: December 2026 (W49 2026-11-30 … W53),
    # so its 7 条 are December's, not January 2027's (January above: 30)
    dec = totals(periods, "2026-12-28", "month")["city"]
    assert (dec.period_label, str(dec.period_from)[:10], dec.weeks, dec.sales_qty) == ("2026-12", "2026-11-30", 5, 7)
    # 2025 has no week 53: last year's span stops at its week 52 (nothing was sold then: null)
    assert (str(dec.sp_period_from)[:10], str(dec.sp_period_to)[:10]) == ("2025-12-01", "2025-12-22")
    assert pd.isna(dec.sp_sales_qty) and pd.isna(dec.sp_growth)
    # the year to date at 2026-W53 holds all 53 weeks: 10 + 20 + 5 + 10 + 7 = 52 条
    assert totals(periods, "2026-12-28", "year")["city"].sales_qty == 52


def test_period_totals_by_territory_and_within_a_scope(periods):
    by_territory = totals(periods, P_W10, "year", level="territory")
    # T1 (R1, R2): 12 + 10 + 30 + 5 = 57 against R1's 10 + 20 + 10 = 40 last year
    t1 = by_territory["T1"]
    assert (t1.sales_qty, t1.sp_sales_qty, t1.level_name) == (57, 40, "东片")
    # value: S1 17 × 400 + S2 40 × 100 = 10,800 元; 单条均价 10,800 ÷ 57
    assert t1.sales_value == pytest.approx(10800) and t1.avg_price_per_carton == pytest.approx(10800 / 57)
    # T2 (R3): 8 + 20 = 28 against 5
    assert (by_territory["T2"].sales_qty, by_territory["T2"].sp_sales_qty) == (28, 5)
    # seen from 片区 T1, the city is T1; from customer manager C2, it is R3
    in_t1 = totals(periods, P_W10, "year", store.Scope(territory_code="T1"))
    assert set(in_t1) == {"city"} and (in_t1["city"].sales_qty, in_t1["city"].sp_growth) == (
        57,
        pytest.approx(57 / 40 - 1),
    )
    # from customer manager C2 it is R3: 8 + 20 = 28 条 and its one order this year, 10 of 10.
    # In this scope the data begin with R3's in 2026-W06, after last year's span begins (2026-W01):
    # a year held only in part is no base, so there is no 累计同比 (the T2 row above is read with
    # the whole store, which holds 2026-W01)
    in_c2 = totals(periods, P_W10, "year", store.Scope(cm_code="C2"))["city"]
    assert in_c2.sales_qty == 28 and in_c2.fill_rate == 1
    assert pd.isna(in_c2.sp_sales_qty) and pd.isna(in_c2.sp_growth) and pd.isna(in_c2.sp_fill_rate)
    # a filter: 便利店 (R2) only — 30 条 of S2 this year, nothing last year
    shop = totals(periods, P_W10, "year", format="便利店")["city"]
    assert shop.sales_qty == 30 and pd.isna(shop.sp_sales_qty)


def test_week_kpis_carry_the_year_to_date(periods):
    cards = metrics.week_kpis("2027-03-10", path=periods)
    assert cards["ytd_year"] == "2027" and cards["ytd_weeks"] == 10
    assert cards["ytd_sales_qty"] == 85 and cards["ytd_sp_growth"] == pytest.approx(85 / 45 - 1)
    assert cards["ytd_avg_price_per_carton"] == pytest.approx(16000 / 85)
    assert cards["ytd_key_brand_share"] == pytest.approx(25 / 85)
    assert cards["ytd_fill_rate"] == pytest.approx(0.9)
    with pytest.raises(ValueError, match="Unknown period"):
        period_totals(P_W10, P_W10, path=periods, period="week")


def test_the_weekly_review_and_its_workbook_show_the_year_to_date(periods, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(periods))
    review = views.weekly_review(dt.date(2027, 3, 8), {}, store.CITY, "zh")
    cards = {k.key: k for k in review.kpis}
    assert (review.ytd_year, review.ytd_weeks) == ("2027", 10)
    sales, price, share = cards["kpi.sales"], cards["kpi.avg_price"], cards["kpi.key_share"]
    assert sales.cumulative and sales.ytd == 85 and sales.ytd_yoy == pytest.approx((85 / 45 - 1) * 100)
    assert price.ytd == pytest.approx(16000 / 85) and price.ytd_yoy == pytest.approx(
        ((16000 / 85) / (12000 / 45) - 1) * 100
    )
    # a share's 累计同比 is in percentage points
    assert share.ytd == pytest.approx(100 * 25 / 85) and share.ytd_yoy == pytest.approx(100 * (25 / 85 - 25 / 45))
    # levels have no year to date
    assert not cards["kpi.ratio"].cumulative and cards["kpi.ratio"].ytd is None
    kpis = report.sections(dt.date(2027, 3, 8), {}, store.CITY, "zh")["kpis"].set_index(i18n.t("report.metric", "zh"))
    assert kpis.loc["销量", i18n.t("report.ytd", "zh")] == 85
    assert kpis.loc["销量", i18n.t("report.ytd_yoy", "zh")] == pytest.approx((85 / 45 - 1) * 100)
    assert pd.isna(kpis.loc["存销比", i18n.t("report.ytd", "zh")])
