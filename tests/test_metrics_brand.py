"""New-brand uptake, key-brand share and average price per carton on a hand-made city.

Every expected value is worked out by hand in the comments, never by the code under test.

The city: 市场部 D1 → 片区 T1 (客户经理 C1: R1, R2, R3) and T2 (C2: R4, R5); R5 closes on
2026-03-10 (a Tuesday), so it is open in W0 and W1 but not in W2 and W3.
New spec N1 launches on Wednesday 2026-03-04: launch week W0 = 2026-03-02.

          N1 visits (stock / sales)             N1 orders (demanded / supplied)
    W0    R1 5 / unknown (first), R2 0 / unk.    R1 5/5
    W1    R1 2 / 3, R2 4 / 0                     R1 5/3, R2 4/4, R4 2/0 (rationed)
    W2    R1 1 / 4, R2 3 / 3, R3 2 / unknown     R2 2/2
    W3    —                                      R1 2/2, R2 2/2, R4 2/2
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from marketpulse import cli, i18n, metrics, rollup, store, views

W0, W1, W2, W3 = "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"
SP_W2 = "2025-03-17"  # 2025-W12, the same period (同期) of W2 = 2026-W12
CM = {"R1": "C1", "R2": "C1", "R3": "C1", "R4": "C2", "R5": "C2"}


def add_city(con):
    con.execute("insert into department values ('D1', '城区市场部')")
    con.execute("insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '农网')")
    con.execute("insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T2')")
    for lic, cm in CM.items():
        ter = "T1" if cm == "C1" else "T2"
        closed = "2026-03-10" if lic == "R5" else None
        con.execute(
            "insert into retailer values (?, ?, '食杂店', 8, ?, ?, null, date '2024-01-01', ?)",
            [lic, "店" + lic, ter, cm, closed],
        )
        con.execute(
            "insert into retailer_assignment values (?, date '1900-01-01', null, ?, ?, '食杂店', 8)", [lic, ter, cm]
        )
    con.execute(
        """insert into spec values
          ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01'),
          ('S2', '红塔山(软)', '红塔山', '三类', 100, 110, false, date '2020-01-01'),
          ('N1', '新品(细支)', '新品', '二类', 200, 230, false, date '2026-03-04'),
          ('N51', '新品51', '新品', '二类', 200, 230, false, date '2025-03-31'),  -- week 51 at W3: new
          ('N52', '新品52', '新品', '二类', 200, 230, false, date '2025-03-27'),  -- week 52 at W3: not new
          ('NX', '未上市', '新品', '二类', 200, 230, false, date '2026-04-01')     -- after week_to"""
    )


def visit(con, day, lic, spec, stock, sales):
    con.execute(
        "insert into visit_line values (?, ?, ?, ?, ?, null, true, ?, null, 1)", [day, CM[lic], lic, spec, stock, sales]
    )


def order(con, day, lic, spec, demand, supplied):
    con.execute("insert into order_line values (?, ?, ?, ?, ?, 1)", [day, lic, spec, demand, supplied])


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    db = tmp_path_factory.mktemp("city") / "store.duckdb"  # built once, read by every test
    with store.writer(db) as con:
        add_city(con)
        visit(con, "2026-03-04", "R1", "N1", 5, None)
        visit(con, "2026-03-04", "R2", "N1", 0, None)
        visit(con, "2026-03-11", "R1", "N1", 2, 3)
        visit(con, "2026-03-11", "R2", "N1", 4, 0)
        visit(con, "2026-03-18", "R1", "N1", 1, 4)
        visit(con, "2026-03-18", "R2", "N1", 3, 3)
        visit(con, "2026-03-18", "R3", "N1", 2, None)
        order(con, "2026-03-04", "R1", "N1", 5, 5)
        order(con, "2026-03-09", "R1", "N1", 5, 3)
        order(con, "2026-03-09", "R2", "N1", 4, 4)
        order(con, "2026-03-10", "R4", "N1", 2, 0)
        order(con, "2026-03-16", "R2", "N1", 2, 2)
        order(con, "2026-03-23", "R1", "N1", 2, 2)
        order(con, "2026-03-24", "R2", "N1", 2, 2)
        order(con, "2026-03-25", "R4", "N1", 2, 2)
        # established specs in W2 (sales reported) and in the same week last year
        visit(con, "2026-03-18", "R1", "S1", 5, 10)
        visit(con, "2026-03-19", "R4", "S1", 5, 6)
        visit(con, "2026-03-18", "R2", "S2", 5, 20)
        visit(con, "2025-03-18", "R1", "S1", 5, 10)
        visit(con, "2025-03-18", "R2", "S2", 5, 30)
        rollup.rebuild(con)
    return db


def run(db, name, scope=store.CITY, **params):
    return metrics.query(name, params, scope, db)


def rows(frame, **where):
    for key, value in where.items():
        frame = frame[frame[key].astype(str).str[:10] == value]
    return frame.reset_index(drop=True)


def one(frame, **where):
    got = rows(frame, **where)
    assert len(got) == 1, got
    return got.iloc[0]


def uptake(db, level="city", week_from=W0, week_to=W3, scope=store.CITY, **filters):
    return run(db, "new_brand_uptake", scope, level=level, week_from=week_from, week_to=week_to, **filters)


# ── new_brand_uptake ──────────────────────────────────────────────────────────


def test_new_specs_are_those_launched_in_the_52_weeks_to_week_to(city):
    got = uptake(city)
    # N1 (week 3 at W3) and N51 (week 51); not N52 (week 52), S1/S2 (2020), NX (after W3)
    assert set(got.spec_code) == {"N1", "N51"}
    n51 = one(got, spec_code="N51", week=W3)
    assert n51.weeks_since_launch == 51 and n51.distribution_rate == 0
    n1 = rows(got, spec_code="N1")
    assert list(n1.weeks_since_launch) == [0, 1, 2, 3]
    assert str(n1.launch_week[0])[:10] == W0  # Monday of the Wednesday launch


def test_distribution_counts_active_retailers_only(city):
    n1 = rows(uptake(city), spec_code="N1")
    # active: R1–R5 in W0 and W1; R5 closed 2026-03-10, so R1–R4 in W2 and W3
    assert list(n1.active_retailers) == [5, 5, 4, 4]
    # carrying (stock > 0, supplied > 0 or sales > 0 that week):
    # W0 R1 (R2 counted 0)              → 1
    # W1 R1, R2 (R4 ordered, got none)  → 2
    # W2 R1, R2, R3                     → 3
    # W3 R1, R2, R4 supplied            → 3
    assert list(n1.carrying_retailers) == [1, 2, 3, 3]
    # 铺货率 (cumulative): active retailers that stocked or ordered it since launch.
    # First stocked or ordered: R1 W0 (stock 5), R2 W1 (its W0 count was 0), R4 W1 (the
    # unfilled order counts: it ordered), R3 W2 (stock 2); R5 never.
    # W0 {R1} 1 of 5 = 0.2; W1 {R1, R2, R4} 3 of 5 = 0.6;
    # W2 {R1, R2, R3, R4} 4 of 4 = 1; W3 still 4 of 4 = 1 (nobody visited R3 again: it counts)
    assert list(n1.distributed_retailers) == [1, 3, 4, 4]
    assert list(n1.distribution_rate) == pytest.approx([0.2, 0.6, 1, 1])


def test_shelf_rate_is_weekly_over_visited_retailers(city):
    n1 = rows(uptake(city), spec_code="N1")
    # 上柜率: visited active retailers with N1 on the shelf or in stock ÷ visited active
    # retailers. Every fixture visit line says on_shelf = true.
    # W0 visited R1, R2: R1 stock 5, R2 stock 0 but on the shelf → 2 of 2 = 1
    # W1 visited R1, R2: both → 2 of 2 = 1
    # W2 visited R1, R2, R3 (N1) and R4 (S1 only): 3 of 4 = 0.75
    # W3 nobody visited → null, not 0
    assert list(n1.visited_retailers) == [2, 2, 4, 0]
    assert list(n1.shelved_retailers) == [2, 2, 3, 0]
    assert list(n1.shelf_rate[:3]) == pytest.approx([1, 1, 0.75])
    assert pd.isna(n1.shelf_rate[3])


def test_sellthrough_and_sales_per_stocking_retailer(city):
    n1 = rows(uptake(city), spec_code="N1")
    # 动销率 = carrying retailers selling ÷ carrying retailers whose week sales are known
    # W0: R1's first visit has unknown sales → 0 known → null (not 0 of 1)
    # W1: R1 sold 3, R2 sold 0 → 1 of 2 known = 0.5; (3 + 0) ÷ 2 = 1.5 条
    # W2: R1 4, R2 3, R3 unknown → 2 of 2 known = 1 (not 2 of 3); (4 + 3) ÷ 2 known = 3.5 条
    # W3: supplied only, no visits → 0 known → null (not 0 of 3)
    assert list(n1.selling_retailers) == [0, 1, 2, 0]
    assert list(n1.sales_known_retailers) == [0, 2, 2, 0]
    assert pd.isna(n1.sellthrough_rate[0]) and pd.isna(n1.sellthrough_rate[3])
    assert list(n1.sellthrough_rate[1:3]) == pytest.approx([0.5, 1])
    assert n1.sales_per_stocking_retailer[1] == pytest.approx(1.5)
    assert n1.sales_per_stocking_retailer[2] == pytest.approx(3.5)
    assert pd.isna(n1.sales_per_stocking_retailer[0]) and pd.isna(n1.sales_per_stocking_retailer[3])


def test_cumulative_and_weekly_repeat(city):
    n1 = rows(uptake(city), spec_code="N1")
    # ordered (demand > 0): W0 {R1}; W1 {R1, R2, R4}; W2 {R2}; W3 {R1, R2, R4}
    # ordered by then: 1, 3, 3, 3; in ≥ 2 distinct weeks: R1 from W1, R2 from W2, R4 from W3
    assert list(n1.ordering_retailers) == [1, 3, 3, 3]
    assert list(n1.repeat_retailers) == [0, 1, 2, 3]
    assert list(n1.repeat_rate) == pytest.approx([0, 1 / 3, 2 / 3, 1])
    # weekly: ordered in w−1 and w ÷ ordered in w−1
    # W0 nobody before → null; W1 {R1}/{R1} = 1; W2 {R2}/{R1,R2,R4} = 1/3; W3 {R2}/{R2} = 1
    assert list(n1.ordered_prev_week) == [0, 1, 3, 1]
    assert list(n1.ordered_both_weeks) == [0, 1, 1, 1]
    assert pd.isna(n1.weekly_repeat_rate[0])
    assert list(n1.weekly_repeat_rate[1:]) == pytest.approx([1, 1 / 3, 1])


def test_cumulative_counts_start_at_launch_not_at_week_from(city):
    n1 = rows(uptake(city, week_from=W2), spec_code="N1")
    assert list(n1.weeks_since_launch) == [2, 3]
    assert list(n1.ordering_retailers) == [3, 3] and list(n1.repeat_retailers) == [2, 3]
    # 铺货率 too: R4's W1 order (before week_from) keeps it reached, 4 of 4 in W2 and W3
    assert list(n1.distributed_retailers) == [4, 4]


def test_territory_rates_and_the_city_is_a_ratio_of_sums(city):
    got = rows(uptake(city, level="territory"), spec_code="N1")
    t1, t2 = rows(got, level_key="T1"), rows(got, level_key="T2")
    # T1 (R1, R2, R3) reached since launch: {R1} 1, {R1, R2} 2, {R1, R2, R3} 3, 3 of 3
    assert list(t1.distribution_rate) == pytest.approx([1 / 3, 2 / 3, 1, 1])
    # T2 (R4, R5 until W1): 0 of 2, 1 of 2 (R4's unfilled order), 1 of 1, 1 of 1
    assert list(t2.active_retailers) == [2, 2, 1, 1]
    assert list(t2.distribution_rate) == pytest.approx([0, 0.5, 1, 1])
    assert t1.level_name[0] == "东片"
    # W1 city: (2 + 1) of (3 + 2) = 0.6, not the mean of 2/3 and 1/2 (0.583)
    city_w1 = one(uptake(city), spec_code="N1", week=W1)
    assert city_w1.distribution_rate == pytest.approx(0.6)
    assert city_w1.distribution_rate != pytest.approx((2 / 3 + 1 / 2) / 2)
    # 上柜率 W2: T1 R1, R2, R3 of 3 visited = 1; T2 R4 visited (S1 only), 0 of 1;
    # city (3 + 0) of (3 + 1) = 0.75, not the mean 0.5
    assert one(got, level_key="T1", week=W2).shelf_rate == 1
    assert one(got, level_key="T2", week=W2).shelf_rate == 0


def test_uptake_filters_and_scope(city):
    assert set(uptake(city, spec_code="N1").spec_code) == {"N1"}
    assert uptake(city, area_type="城网", spec_code="N1").active_retailers.max() == 3  # T1 only
    scoped = uptake(city, level="cm", scope=store.Scope(territory_code="T2"), spec_code="N1")
    assert set(scoped.level_key) == {"C2"}
    # C2's city within the scope: R4 carrying at W3, 1 of 1
    assert one(scoped, week=W3).distribution_rate == 1
    assert (
        uptake(city, level="retailer", scope=store.Scope(cm_code="C2"), spec_code="N1")
        .level_key.isin(["R4", "R5"])
        .all()
    )


# ── key_brand_share and avg_price_per_carton ──────────────────────────────────
# W2 known sales: N1 R1 4, R2 3 (R3 unknown); S1 (key, 400 元) R1 10, R4 6; S2 (100 元) R2 20.
# Same period 2025-W12: S1 R1 10, S2 R2 30.


def test_key_brand_share_with_same_period(city):
    got = run(city, "key_brand_share", level="city", product_level="all", week_from=W2, week_to=W2)
    row = one(got, week=W2)
    # 16 key of 4 + 3 + 10 + 6 + 20 = 43
    assert (row.key_sales_qty, row.sales_qty) == (16, 43)
    assert row.key_brand_share == pytest.approx(16 / 43)
    # same period: 10 of 40 = 0.25
    assert str(row.same_period_week)[:10] == SP_W2
    assert row.sp_key_brand_share == pytest.approx(0.25)
    assert row.share_change == pytest.approx(16 / 43 - 0.25)


def test_key_brand_share_by_territory_and_price_class(city):
    got = run(city, "key_brand_share", level="territory", product_level="all", week_from=W2, week_to=W2)
    # T1: 10 of 4 + 3 + 10 + 20 = 37; T2: 6 of 6. City 16/43 ≠ mean (10/37 + 1) / 2
    assert one(got, level_key="T1").key_brand_share == pytest.approx(10 / 37)
    assert one(got, level_key="T2").key_brand_share == 1
    assert 16 / 43 != pytest.approx((10 / 37 + 1) / 2)
    by_class = run(city, "key_brand_share", level="city", product_level="price_class", week_from=W2, week_to=W2)
    assert dict(zip(by_class.product_key, by_class.key_brand_share)) == {"一类": 1, "二类": 0, "三类": 0}


def test_avg_price_per_carton_with_same_period(city):
    got = run(city, "avg_price_per_carton", level="city", product_level="all", week_from=W2, week_to=W2)
    row = one(got, week=W2)
    # value: N1 7 × 200 + S1 16 × 400 + S2 20 × 100 = 1,400 + 6,400 + 2,000 = 9,800 元 over 43 条
    assert row.sales_value == 9800
    assert row.avg_price_per_carton == pytest.approx(9800 / 43)
    # same period: 10 × 400 + 30 × 100 = 7,000 元 over 40 条 = 175 元/条
    assert row.sp_avg_price_per_carton == pytest.approx(175)
    assert row.sp_growth == pytest.approx(9800 / 43 / 175 - 1)
    terr = run(city, "avg_price_per_carton", level="territory", product_level="all", week_from=W2, week_to=W2)
    # T1: (1,400 + 4,000 + 2,000) ÷ 37 = 200; T2: 6 × 400 ÷ 6 = 400
    assert one(terr, level_key="T1").avg_price_per_carton == pytest.approx(200)
    assert one(terr, level_key="T2").avg_price_per_carton == pytest.approx(400)


def test_structure_queries_stay_in_scope(city):
    for name in ("key_brand_share", "avg_price_per_carton"):
        got = run(
            city,
            name,
            store.Scope(territory_code="T2"),
            level="retailer",
            product_level="all",
            week_from=SP_W2,
            week_to=W3,
        )
        assert set(got.level_key) == {"R4"}


@pytest.mark.parametrize(
    "name, extra",
    [
        ("new_brand_uptake", []),
        ("key_brand_share", ["--param", "product_level=price_class"]),
        ("avg_price_per_carton", ["--param", "product_level=all"]),
    ],
)
def test_cli_runs_the_query(city, name, extra, capsys, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(city))
    code = cli.main(
        [
            "query",
            name,
            "--param",
            "level=territory",
            "--param",
            f"week_from={W2}",
            "--param",
            f"week_to={W3}",
            *extra,
            "--format",
            "csv",
            "--territory",
            "T1",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("week,level_key,level_name,")
    assert "T1" in out and "T2" not in out


# ── a launch week with unknown sales, a move and a closure ────────────────────
# A second hand-made city for the shape: 15 retailers carry the new spec M1 in its
# launch week, the sales of 10 of them are unknown, 5 sell. 市场部 D1 → 片区 T1 (客户经理
# C1: P01–P06; C3: P07–P10) and T2 (C2: P11–P18). M1 launches Wednesday 2026-05-06, so
# L0 = 2026-05-04 is its launch week. Every carrier was supplied 2 条 on L0's Monday.
#
#   L0 (launch week), visits on Thursday 05-07 (stock / sales / on shelf):
#     sellers      P01, P02, P07, P11   1 / 1 / yes;   P03 sold out 0 / 2 / no
#     first count  P04, P08, P12, P13, P15   2 / unknown / yes;   P14 2 / unknown / no (in the back)
#     supplied, not visited: P05, P09, P16, P17
#     not carrying: P06 visited (S1 only, 4 sold); P10 visited, M1 on display 0 / unknown / yes;
#                   P18 neither visited nor ordering
#   P09 closes on Sunday 05-10; P07 moves to T2 / C2 from L1 (its L0 visit was C3's).
#   L1: P01, P02, P11 supplied 2 again (not visited); P06 orders 2, gets 0 (rationed);
#       P18 visited (S1 only)
#   L2: visits P01 stock 1 (sales derived 1 + 2 − 1 = 2), P02 3 / 0 reported,
#       P04 stock 2 (derived 2 + 0 − 2 = 0), P12 stock 1 (derived 2 − 1 = 1); P05 supplied 2

L0, L1, L2 = "2026-05-04", "2026-05-11", "2026-05-18"
LAUNCH_CM = {
    **{f"P{i:02d}": "C1" for i in range(1, 7)},
    **{f"P{i:02d}": "C3" for i in range(7, 11)},
    **{f"P{i:02d}": "C2" for i in range(11, 19)},
}


@pytest.fixture(scope="module")
def launch(tmp_path_factory):
    db = tmp_path_factory.mktemp("launch") / "store.duckdb"
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '城区市场部')")
        con.execute("insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '农网')")
        con.execute(
            "insert into customer_manager values ('C1', '张三', 'T1'), ('C3', '王五', 'T1'), ('C2', '李四', 'T2')"
        )
        for lic, cm in LAUNCH_CM.items():
            ter = "T2" if cm == "C2" else "T1"
            now_ter, now_cm = ("T2", "C2") if lic == "P07" else (ter, cm)
            closed = "2026-05-10" if lic == "P09" else None
            con.execute(
                "insert into retailer values (?, ?, '食杂店', 8, ?, ?, null, date '2024-01-01', ?)",
                [lic, "店" + lic, now_ter, now_cm, closed],
            )
            until = L1 if lic == "P07" else None
            con.execute(
                "insert into retailer_assignment values (?, date '1900-01-01', ?, ?, ?, '食杂店', 8)",
                [lic, until, ter, cm],
            )
        con.execute("insert into retailer_assignment values ('P07', ?, null, 'T2', 'C2', '食杂店', 8)", [L1])
        con.execute(
            """insert into spec values
              ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01'),
              ('M1', '新品(中支)', '新品', '二类', 200, 230, false, date '2026-05-06')"""
        )

        def seen(day, lic, spec, stock, sales, shelf, cm=None):
            con.execute(
                "insert into visit_line values (?, ?, ?, ?, ?, null, ?, ?, null, 1)",
                [day, cm or LAUNCH_CM[lic], lic, spec, stock, shelf, sales],
            )

        def ordered(day, lic, demand, supplied):
            con.execute("insert into order_line values (?, ?, 'M1', ?, ?, 1)", [day, lic, demand, supplied])

        for lic in ("P01", "P02", "P03", "P04", "P05", "P07", "P08", "P09", "P11", "P12", "P13", "P14", "P15"):
            ordered(L0, lic, 2, 2)
        for lic in ("P16", "P17"):
            ordered(L0, lic, 2, 2)
        for lic in ("P01", "P02", "P07", "P11"):
            seen("2026-05-07", lic, "M1", 1, 1, True)
        seen("2026-05-07", "P03", "M1", 0, 2, False)
        for lic in ("P04", "P08", "P12", "P13", "P15"):
            seen("2026-05-07", lic, "M1", 2, None, True)
        seen("2026-05-07", "P14", "M1", 2, None, False)
        seen("2026-05-07", "P06", "S1", 5, 4, True)
        seen("2026-05-07", "P10", "M1", 0, None, True)
        for lic in ("P01", "P02", "P11"):
            ordered(L1, lic, 2, 2)
        ordered(L1, "P06", 2, 0)
        seen("2026-05-13", "P18", "S1", 5, None, True)
        seen("2026-05-20", "P01", "M1", 1, None, True)
        seen("2026-05-20", "P02", "M1", 3, 0, True)
        seen("2026-05-20", "P04", "M1", 2, None, True)
        seen("2026-05-20", "P12", "M1", 1, None, True)
        ordered(L2, "P05", 2, 2)
        rollup.rebuild(con)
    return db


def launch_uptake(db, level="city", scope=store.CITY):
    got = uptake(db, level=level, week_from=L0, week_to=L2, scope=scope, spec_code="M1")
    return got.sort_values(["level_key", "week"], ignore_index=True)


def test_sellthrough_counts_only_carriers_with_known_sales(launch):
    m1 = launch_uptake(launch)
    # L0: 15 carriers, 10 with unknown sales (6 first counts, 4 supplied but not visited),
    #     5 selling → 5 of 5 known = 1.0, not 5 of 15 = 0.33
    l0 = m1.iloc[0]
    assert (l0.carrying_retailers, l0.sales_known_retailers, l0.selling_retailers) == (15, 5, 5)
    assert l0.sellthrough_rate == 1 and l0.sellthrough_rate != pytest.approx(5 / 15)
    # 单店周销 over the same 5: (1 + 1 + 2 + 1 + 1) ÷ 5 = 1.2 条
    assert l0.sales_per_stocking_retailer == pytest.approx(1.2)
    # L1: P01, P02, P11 supplied, nobody visited: 3 carriers, no sales known → null ("—")
    l1 = m1.iloc[1]
    assert (l1.carrying_retailers, l1.sales_known_retailers) == (3, 0)
    assert pd.isna(l1.sellthrough_rate) and pd.isna(l1.sales_per_stocking_retailer)
    # L2: carriers P01, P02, P04, P12 (visited) and P05 (supplied): known 4, selling P01 (2)
    #     and P12 (1) → 2 of 4 = 0.5 (not 2 of 5); (2 + 0 + 0 + 1) ÷ 4 = 0.75 条
    l2 = m1.iloc[2]
    assert (l2.carrying_retailers, l2.sales_known_retailers, l2.selling_retailers) == (5, 4, 2)
    assert l2.sellthrough_rate == pytest.approx(0.5)
    assert l2.sales_per_stocking_retailer == pytest.approx(0.75)


def test_cumulative_distribution_and_weekly_shelf_rate(launch):
    m1 = launch_uptake(launch)
    # 铺货率 (cumulative): L0 the 15 carriers of 18 active = 0.833 (P10's display, stock 0,
    # is not stocking it). L1: P09 closed (17 active, 14 of the 15 left), P06's rationed
    # order counts → 15 of 17. L2: nobody new, 15 of 17.
    assert list(m1.active_retailers) == [18, 17, 17]
    assert list(m1.distributed_retailers) == [15, 15, 15]
    assert list(m1.distribution_rate) == pytest.approx([15 / 18, 15 / 17, 15 / 17])
    # 上柜率 (weekly): L0 visited 13 (11 with M1 lines, P06, P10); on the shelf or in stock:
    # P01, P02, P07, P11, the 6 first counts (P14 by its stock), P10 on display = 11 → 11/13
    # (P03 sold out, P06 without it). L1 visited P18 only, 0 of 1. L2 4 of 4 visited.
    assert list(m1.visited_retailers) == [13, 1, 4]
    assert list(m1.shelved_retailers) == [11, 0, 4]
    assert list(m1.shelf_rate) == pytest.approx([11 / 13, 0, 1])


def test_launch_by_territory_with_a_move_and_a_closure(launch):
    got = launch_uptake(launch, level="territory")
    t1, t2 = rows(got, level_key="T1"), rows(got, level_key="T2")
    # T1 L0: P01–P10 active, reached P01–P05, P07, P08, P09 = 8 of 10;
    #    L1: P07 gone to T2, P09 closed: P01–P06, P08, P10 active, reached all but P10 = 7 of 8
    assert list(t1.distribution_rate) == pytest.approx([8 / 10, 7 / 8, 7 / 8])
    # T2 L0: P11–P18, reached P11–P17 = 7 of 8; L1: + P07, which stocked M1 in T1 and brings
    #    that with it → 8 of 9 (not 7 of 9)
    assert list(t2.distribution_rate) == pytest.approx([7 / 8, 8 / 9, 8 / 9])
    # the city is the ratio of sums: L1 (7 + 8) of (8 + 9) = 15/17
    assert (t1.distributed_retailers[1] + t2.distributed_retailers[1]) == 15
    # 上柜率 T1 L0: visited P01–P04, P06, P07, P08, P10 = 8; shelved P01, P02, P04, P07, P08, P10
    #    = 6 → 0.75; L1 nobody visited → null. T2 L0: P11–P15 all 5 of 5; L1 P18 0 of 1
    assert t1.shelf_rate[0] == pytest.approx(0.75) and pd.isna(t1.shelf_rate[1])
    assert list(t2.shelf_rate[:2]) == pytest.approx([1, 0])
    # 动销率 L0: T1 carriers 8, known P01, P02, P03, P07 all selling → 1; T2 known P11 → 1
    #    L2: T1 carriers P01, P02, P04, P05, known 3, selling P01 → 1/3; T2 P12 1 of 1
    assert (t1.sellthrough_rate[0], t2.sellthrough_rate[0]) == (1, 1)
    assert t1.sellthrough_rate[2] == pytest.approx(1 / 3) and t2.sellthrough_rate[2] == 1


def test_distribution_alone_gives_the_same_distribution_and_skips_the_rest(launch):
    # what 新品滞后 reads: 铺货率 as in the full query (T1 8/10, 7/8, 7/8; T2 7/8, 8/9, 8/9),
    # the order counts not computed (0) and their rates null
    full = launch_uptake(launch, level="territory")
    alone = uptake(launch, level="territory", week_from=L0, week_to=L2, spec_code="M1", measures="distribution")
    alone = alone.sort_values(["level_key", "week"], ignore_index=True)
    columns = [
        "week",
        "level_key",
        "weeks_since_launch",
        "active_retailers",
        "distributed_retailers",
        "distribution_rate",
    ]
    pd.testing.assert_frame_equal(alone[columns], full[columns])
    assert list(alone.distribution_rate) == pytest.approx([8 / 10, 7 / 8, 7 / 8, 7 / 8, 8 / 9, 8 / 9])
    assert alone.carrying_retailers.eq(0).all() and alone.ordering_retailers.eq(0).all()
    assert alone.repeat_rate.isna().all() and full.ordering_retailers.gt(0).any()


RATE_COLUMNS = ["active_retailers", "distribution_rate", "shelf_rate", "sellthrough_rate"]


@pytest.mark.parametrize("territory", ["T1", "T2"])
def test_a_territory_scope_sees_its_own_numbers(launch, territory):
    # Under a 片区 scope the city level is the territory's own total, P07's history included
    scoped = launch_uptake(launch, scope=store.Scope(territory_code=territory))
    by_territory = rows(launch_uptake(launch, level="territory"), level_key=territory)
    pd.testing.assert_frame_equal(scoped[RATE_COLUMNS], by_territory[RATE_COLUMNS])


def test_customer_manager_scopes(launch):
    c1 = launch_uptake(launch, scope=store.Scope(cm_code="C1"))
    # C1 (P01–P06). L0: reached P01–P05 = 5 of 6; visited P01–P04, P06 = 5, shelved P01,
    #   P02, P04 = 3 → 0.6; carriers 5, known P01, P02, P03, all selling → 1.
    # L1: P06's rationed order → 6 of 6; nobody visited → null; P01, P02 supplied, no sales
    #   known → null. L2: visited P01, P02, P04 all in stock → 1; carriers P01, P02, P04, P05,
    #   known 3, selling P01 → 1/3.
    assert list(c1.distribution_rate) == pytest.approx([5 / 6, 1, 1])
    assert c1.shelf_rate[0] == pytest.approx(0.6) and pd.isna(c1.shelf_rate[1]) and c1.shelf_rate[2] == 1
    assert c1.sellthrough_rate[0] == 1 and pd.isna(c1.sellthrough_rate[1])
    assert c1.sellthrough_rate[2] == pytest.approx(1 / 3)
    # C2 from L1 holds P07, whose L0 visit was C3's report (not seen under C2's scope) but
    # whose L0 order is: it stays reached. L1: P07, P11–P17 of P07, P11–P18 = 8 of 9
    c2 = launch_uptake(launch, scope=store.Scope(cm_code="C2"))
    assert list(c2.distribution_rate) == pytest.approx([7 / 8, 8 / 9, 8 / 9])
    by_cm = rows(launch_uptake(launch, level="cm"), level_key="C2")
    assert list(by_cm.distribution_rate) == list(c2.distribution_rate)


# ── the 新品牌培育 page's view ───────────────────────────────────────────────────


def test_brands_page_measures_a_territory_against_the_whole_city(launch, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(launch))
    params = {"week_from": dt.date(2026, 5, 4), "week_to": dt.date(2026, 5, 18)}
    whole = views.brands(params, store.CITY, "M1", "zh")
    t2 = views.brands(params, store.Scope(territory_code="T2"), "M1", "zh")
    # the city curve is the whole city's, not the scope's own total (15/17, not T2's 8/9)
    pd.testing.assert_frame_equal(t2.city.reset_index(drop=True), whole.city.reset_index(drop=True))
    assert list(t2.city.distribution_rate) == pytest.approx([15 / 18, 15 / 17, 15 / 17])
    city_line = t2.territories[t2.territories.series == i18n.t("series.city", "zh")]
    assert list(city_line.distribution_rate) == pytest.approx([15 / 18, 15 / 17, 15 / 17])
    # 比全市 at L2: T2 8/9 against the city's 15/17 → (8/9 − 15/17) × 100 = 0.65 → 0.7 points,
    # for 西片 and for its manager 李四 alike; under the old scope-own benchmark it was 0
    league = t2.league.set_index(i18n.t("col.level_name", "zh"))
    assert list(league.index) == ["西片", "李四"]
    assert list(league[i18n.t("col.vs_city", "zh")]) == [0.7, 0.7]
    assert list(league[i18n.t("col.distribution", "zh")]) == [88.9, 88.9]
    assert list(league[i18n.t("col.shelf", "zh")]) == [100.0, 100.0]  # P12, 1 of 1 visited
    # a customer manager's scope too: 张三 (C1) at L2 has reached 6 of 6 → (1 − 15/17) × 100
    # = 11.76 → 11.8 points above the whole city. His part of 东片 is his own retailers: the
    # league does not repeat it as a 片区 row, and its curve is named as his, not as 东片's
    c1 = views.brands(params, store.Scope(cm_code="C1"), "M1", "zh")
    pd.testing.assert_frame_equal(c1.city.reset_index(drop=True), whole.city.reset_index(drop=True))
    assert list(c1.league[i18n.t("col.level_name", "zh")]) == ["张三"]
    assert list(c1.league[i18n.t("col.vs_city", "zh")]) == [11.8]
    assert set(c1.territories.series) == {"张三的零售户(东片)", i18n.t("series.city", "zh")}
    # the key-brand share's city line is the whole city's as well: L0 key S1 4 (P06, in T1)
    # of 4 + 6 M1 → 40%, where 西片's own total would be 0 of 1
    city_share = [
        b.key_share[b.key_share.series == i18n.t("series.city", "zh")].reset_index(drop=True) for b in (whole, t2)
    ]
    pd.testing.assert_frame_equal(city_share[0], city_share[1])
    assert city_share[1].share[0] == pytest.approx(40)
    # the 周报's table shows both 铺货率 and 上柜率
    table = views.brand_table(dt.date(2026, 5, 4), {}, store.CITY, "zh").iloc[0]
    assert table[i18n.t("col.distribution", "zh")] == round(15 / 18 * 100, 1)
    assert table[i18n.t("col.shelf", "zh")] == round(11 / 13 * 100, 1)
    assert table[i18n.t("col.sellthrough", "zh")] == 100.0


# ── metrics helpers ───────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2027-01-04", dt.date(2025, 12, 29)),  # 2027-W01 → 2026-W01, which starts in 2025
        ("2026-12-28", None),  # 2026-W53: 2025 has 52 weeks
        ("2026-03-18", dt.date(2025, 3, 17)),  # a Wednesday stands for its week, 2026-W12
        ("2021-01-06", dt.date(2019, 12, 30)),  # 2021-W01 → 2020-W01, Monday 2019-12-30 (4 Jan 2020 was a Saturday)
    ],
)
def test_same_period_week(day, expected):
    assert metrics.same_period_week(day) == expected


def test_uptake_curves_put_the_city_curve_alongside(city):
    curves = metrics.uptake_curves(W3, level="territory", path=city, spec_code="N1")
    t1 = curves[curves.level_key == "T1"].set_index("weeks_since_launch")
    assert list(t1.index) == [0, 1, 2, 3]
    # city 铺货率 by week since launch: 0.2, 0.6, 1, 1 (worked out above)
    assert list(t1.city_distribution_rate) == pytest.approx([0.2, 0.6, 1, 1])
    # T1 at week 1: 2/3 against the city's 0.6
    assert t1.loc[1, "distribution_gap"] == pytest.approx(2 / 3 - 0.6)
    assert list(t1.city_repeat_rate) == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert t1.loc[2, "city_shelf_rate"] == pytest.approx(0.75)
    # a territory manager sees the whole city's curve as the benchmark by default
    scoped = metrics.uptake_curves(
        W3, level="territory", scope=store.Scope(territory_code="T2"), path=city, spec_code="N1"
    )
    assert set(scoped.level_key) == {"T2"}
    # week 1: T2 1 of 2 against the whole city's 3 of 5
    assert scoped.set_index("weeks_since_launch").loc[1, "city_distribution_rate"] == pytest.approx(0.6)
    # ... or the scope's own total when the page asks for it
    own = metrics.uptake_curves(
        W3,
        level="territory",
        scope=store.Scope(territory_code="T2"),
        benchmark_scope=store.Scope(territory_code="T2"),
        path=city,
        spec_code="N1",
    )
    assert own.set_index("weeks_since_launch").loc[1, "city_distribution_rate"] == 0.5


def test_week_kpis(city):
    cards = metrics.week_kpis("2026-03-18", path=city)
    assert cards["week"] == dt.date(2026, 3, 16)
    # W2: 43 条, 9,800 元; W1 known sales: N1 R1 3 + R2 0 = 3 → +1,333%; same period 40 条
    assert cards["sales_qty"] == 43 and cards["sales_value"] == 9800
    assert cards["wow_growth"] == pytest.approx(43 / 3 - 1)
    assert cards["same_period_week"] == dt.date(2025, 3, 17)
    assert cards["sp_growth"] == pytest.approx(43 / 40 - 1)
    assert cards["key_brand_share"] == pytest.approx(16 / 43)
    assert cards["avg_price_per_carton"] == pytest.approx(9800 / 43)
    assert cards["avg_price_sp_growth"] == pytest.approx(9800 / 43 / 175 - 1)
    # W2 orders: R2 N1 2 of 2
    assert cards["fill_rate"] == 1 and cards["fulfilment_rate"] == 1
    empty = metrics.week_kpis("2024-01-03", path=city)
    assert empty["sales_qty"] is None and empty["same_period_week"] == dt.date(2023, 1, 2)


def test_sales_structure_and_argument_checks(city):
    got = metrics.sales_structure(W2, W2, level="territory", path=city)
    t1 = got[got.level_key == "T1"].iloc[0]
    assert t1.key_brand_share == pytest.approx(10 / 37) and t1.avg_price_per_carton == pytest.approx(200)
    with pytest.raises(ValueError, match="Unknown level"):
        metrics.sales_volume(W2, W2, level="province", path=city)
    with pytest.raises(ValueError, match="Unknown product level"):
        metrics.order_fill(W2, W2, product_level="sku", path=city)
    with pytest.raises(ValueError, match="Unknown filter"):
        metrics.new_brand_uptake(W2, W2, path=city, colour="red")


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


def test_demo_city_lagging_launch_trails_the_city_curve(demo_city):
    truth = store.Reader(demo_city).sql("select * from demo_truth where kind = 'lagging_launch'").iloc[0]
    week_to = truth.last_week.date()
    curves = metrics.uptake_curves(week_to, level="territory", path=demo_city, spec_code=truth.spec_code)
    late = curves[curves.weeks_since_launch >= 8]
    gap = late.groupby("level_key").distribution_gap.mean()
    # the lagging territory is below the city's curve, and the furthest below of all territories
    assert gap[truth.territory_code] < -0.05
    assert gap.idxmin() == truth.territory_code
    final = curves[curves.week.astype(str).str[:10] == str(week_to)].set_index("level_key")
    assert (
        final.loc[truth.territory_code, "distribution_rate"] < final.loc[truth.territory_code, "city_distribution_rate"]
    )


def test_territory_trends_under_a_managers_scope_name_the_managers_retailers(launch, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(launch))
    params = {"week_from": dt.date(2026, 5, 4), "week_to": dt.date(2026, 5, 18), "spec_code": None}
    params |= dict.fromkeys(("format", "tier_band", "area_type", "brand"))
    assert views.territory_trends(params, store.Scope(territory_code="T1"), "zh").territory_name == "东片"
    # 张三's lines are his retailers' in 东片: the page names them so, not as the whole 片区
    mine = views.territory_trends(params, store.Scope(cm_code="C1"), "en")
    assert mine.territory_name == "张三's retailers (东片)"
    assert "张三's retailers (东片)" in set(mine.panels["sales"]["series"])


def test_the_brand_page_offers_the_specs_launched_in_the_52_weeks_to_the_week_newest_first():
    specs = pd.DataFrame(
        {
            "spec_code": ["OLD", "EDGE", "MID", "NOW", "LATER", "OTHER"],
            "brand": ["甲", "甲", "甲", "甲", "甲", "乙"],
            # week_to is Monday 2026-11-23: the 52 weeks run from the Monday 2025-12-01 on
            "launch_date": pd.to_datetime(
                ["2025-11-30", "2025-12-03", "2026-06-10", "2026-11-29", "2026-11-30", "2026-09-01"]
            ),
        }
    )
    week_to = dt.date(2026, 11, 23)
    assert list(views.new_specs(specs, week_to)["spec_code"]) == ["NOW", "OTHER", "MID", "EDGE"]
    assert list(views.new_specs(specs, week_to, brand="乙")["spec_code"]) == ["OTHER"]


# ── every new spec's progress (新品牌培育's first table) ─────────────────────────


def test_every_new_specs_progress_against_the_weeks_target(launch, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(launch))
    params = {"week_from": dt.date(2026, 5, 4), "week_to": dt.date(2026, 5, 18)}
    whole = views.new_spec_progress(params, store.CITY, "zh")
    m1 = whole.table.set_index("spec_code").loc["M1"]
    # M1 launched Wed 2026-05-06, week L0; at L2 it is in its week 2. The city has reached
    # 15 of 17 active retailers (its curve 15/18, 15/17, 15/17); the default target, 60 % by
    # week 26 rising evenly, is due at 60 × 2/26 = 4.615 %; reached 88.235 / 4.615 = 1,911.8 %
    assert m1.weeks_since_launch == 2
    assert m1.distribution == pytest.approx(1500 / 17)
    assert m1.curve == [83.3, 88.2, 88.2]
    assert m1.target == pytest.approx(60 * 2 / 26)
    assert m1.reached == pytest.approx((1500 / 17) / (120 / 26) * 100)
    assert m1.vs_target == pytest.approx(1500 / 17 - 120 / 26)
    assert m1.lagging == []  # 新品滞后 is judged from week 4 after launch
    assert whole.scope_label == "全市"
    # a 片区's own 铺货率, 8 of 9 (P07 moved in at L1), beside the whole city's 15/17
    t2 = views.new_spec_progress(params, store.Scope(territory_code="T2"), "zh").table.iloc[0]
    assert (t2.distribution, t2.city) == (pytest.approx(800 / 9), pytest.approx(1500 / 17))
    assert t2.curve == [87.5, 88.9, 88.9]  # 7/8, 8/9, 8/9
    # a manager's: 张三 (C1) has reached all 6 of his; his rows are his own retailers
    c1 = views.new_spec_progress(params, store.Scope(cm_code="C1"), "zh")
    assert c1.own_retailers and c1.scope_label == "张三" and c1.table.iloc[0].distribution == 100


def test_progress_names_the_lagging_territories_and_leaves_undefined_as_none():
    week = dt.date(2026, 11, 23)

    def curve(spec, rates):  # one spec's weekly 铺货率, its last week being `week`
        n = len(rates)
        return pd.DataFrame(
            {
                "spec_code": spec,
                "spec_name": f"新品{spec}",
                "brand": "甲",
                "launch_week": week - (n - 1) * metrics.WEEK,
                "week": [week - (n - 1 - i) * metrics.WEEK for i in range(n)],
                "weeks_since_launch": range(n),
                "distribution_rate": rates,
            }
        )

    own = pd.concat([curve("A", [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]), curve("B", [None])], ignore_index=True)
    lagging = pd.DataFrame({"spec_code": ["A", "A"], "territory_name": ["西片", "东片"], "severity_score": [0.2, 0.9]})
    got = views.brands_progress(own, own, lagging, week, (60.0, 26)).set_index("spec_code")
    # A in its week 5: due 60 × 5/26 = 11.538 %; 50 % reached is 433.3 % of it, 38.5 points above
    assert got.loc["A", "target"] == pytest.approx(300 / 26)
    assert got.loc["A", "reached"] == pytest.approx(50 / (300 / 26) * 100)
    assert got.loc["A", "vs_target"] == pytest.approx(50 - 300 / 26)
    assert got.loc["A", "lagging"] == ["东片", "西片"]  # the furthest behind first
    # B launched this week: nothing is due yet and nothing is known, so neither is a number
    assert got.loc["B", "target"] == 0
    assert got.loc[["B"], ["distribution", "reached", "vs_target"]].isna().all(axis=None)  # shown "—"
    assert list(got.index) == ["B", "A"]  # newest launch first


def test_lagging_launches_are_the_alerts_lagging_launch_rows_of_the_week(demo_city):
    truth = store.Reader(demo_city).sql("select * from demo_truth where kind = 'lagging_launch'").iloc[0]
    week = truth.last_week.date()
    alerts = metrics.alerts(week, week, path=demo_city)
    expected = alerts[alerts.kind == "lagging_launch"]
    got = metrics.lagging_launches(week, path=demo_city)
    assert len(expected) > 0
    key = ["spec_code", "territory_code"]
    assert sorted(map(tuple, got[key].values)) == sorted(map(tuple, expected[key].values))
    assert truth.territory_code in set(got.territory_code)
    # within a 市场部 only its own 片区 are named; another 市场部's are not
    territories = store.Reader(demo_city).sql("select territory_code, department_code from territory")
    home = territories.set_index("territory_code").loc[truth.territory_code, "department_code"]
    mine = metrics.lagging_launches(week, store.Scope(department_code=home), path=demo_city)
    assert truth.territory_code in set(mine.territory_code)
    other = next(d for d in territories.department_code.unique() if d != home)
    elsewhere = metrics.lagging_launches(week, store.Scope(department_code=other), path=demo_city)
    assert truth.territory_code not in set(elsewhere.territory_code)
    assert set(elsewhere.territory_code) <= set(territories[territories.department_code == other].territory_code)
