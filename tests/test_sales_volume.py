"""sales_volume and order_fill on a hand-made city, expected values worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from marketpulse import cli, metrics, rollup, store

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
    assert t1.fulfilment_rate == pytest.approx(1 / 3)
    assert t1.ordering_retailers == 2
    # T2: two order days of R3 × S1: 5 of 5 and 3 of 5 → 8 / 10 = 0.8; 1 of 2 lines filled
    assert t2.fill_rate == pytest.approx(0.8) and t2.fulfilment_rate == pytest.approx(0.5)
    city_row = one(run(city, "order_fill", level="city", product_level="all", week_from=W_C, week_to=W_C))
    # city: 23 / 34, not the mean of the territories' rates (0.625 + 0.8) / 2 = 0.7125
    assert city_row.fill_rate == pytest.approx(23 / 34)
    assert city_row.fill_rate != pytest.approx((0.625 + 0.8) / 2)
    assert city_row.fulfilment_rate == pytest.approx(2 / 5)


def test_order_fill_by_spec(city):
    got = run(city, "order_fill", level="city", product_level="spec", week_from=W_C, week_to=W_C)
    s2 = one(got, product_key="S2")
    assert s2.fill_rate == pytest.approx(0.5) and s2.product_name == "红塔山(软)"


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
