"""存销比 (inventory_ratio) on a hand-made city, expected values worked out by hand."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from marketpulse import cli, ingest, metrics, rollup, store

W_BEFORE, W0, W1, W2, W3 = "2025-08-25", "2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22"

# Departments D1 (片区 T1, T2, 城网) and D2 (T3, 农网); one customer manager per 片区.
RETAILERS = [
    # license, territory, cm, 业态, 档位
    ("R1", "T1", "C1", "食杂店", 8),
    ("R2", "T1", "C1", "超市", 3),
    ("R3", "T2", "C2", "便利店", 20),
    ("R4", "T3", "C3", "食杂店", 8),
]

# (visit date, retailer, spec, stock, sales reported; None = unknown)
VISITS = [
    # R1 × S1: sales 4, 8, 12, 16 → mean 10; stock 20 → ratio 2.0. The 100 sold in the
    # week before W0 is outside the four weeks W0..W3 and must not count.
    (W_BEFORE, "R1", "S1", 30, 100),
    (W0, "R1", "S1", 30, 4),
    (W1, "R1", "S1", 30, 8),
    (W2, "R1", "S1", 25, 12),
    (W3, "R1", "S1", 20, 16),
    # R2 × S1: sales 1 a week, stock 10 → ratio 10.0
    (W0, "R2", "S1", 10, 1),
    (W1, "R2", "S1", 10, 1),
    (W2, "R2", "S1", 10, 1),
    (W3, "R2", "S1", 10, 1),
    # R3 × S1: nothing sold for four weeks, 5 in stock → ratio undefined (null)
    (W0, "R3", "S1", 5, 0),
    (W1, "R3", "S1", 5, 0),
    (W2, "R3", "S1", 5, 0),
    (W3, "R3", "S1", 5, 0),
    # R4 × S1: first visit in W1 (sales unknown), then 6 and 2 → mean over the two known
    # weeks = 4; stock 4 → ratio 1.0
    (W1, "R4", "S1", 9, None),
    (W2, "R4", "S1", 5, 6),
    (W3, "R4", "S1", 4, 2),
    # R1 × S2 (another brand): 5 a week, stock 50 → ratio 10.0
    (W0, "R1", "S2", 50, 5),
    (W1, "R1", "S2", 50, 5),
    (W2, "R1", "S2", 50, 5),
    (W3, "R1", "S2", 50, 5),
]


def build_city(con):
    con.execute("insert into department values ('D1', '城区市场部'), ('D2', '县区市场部')")
    con.execute(
        "insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网'), "
        "('T3', '北乡', 'D2', '农网')"
    )
    con.execute("insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T2'), ('C3', '王五', 'T3')")
    for lic, ter, cm, fmt, tier in RETAILERS:
        con.execute(
            "insert into retailer values (?, ?, ?, ?, ?, ?, null, null, null)", [lic, "店" + lic, fmt, tier, ter, cm]
        )
        con.execute(
            "insert into retailer_assignment values (?, date '1900-01-01', null, ?, ?, ?, ?)", [lic, ter, cm, fmt, tier]
        )
    con.execute(
        "insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01'), "
        "('S2', '红塔山(经典)', '红塔山', '三类', 90, 100, false, date '2020-01-01')"
    )
    cm_of = {lic: cm for lic, _, cm, _, _ in RETAILERS}
    for day, lic, spec, stock, sales in VISITS:
        con.execute(
            "insert into visit_line values (?, ?, ?, ?, ?, null, true, ?, null, 1)",
            [day, cm_of[lic], lic, spec, stock, sales],
        )
    rollup.rebuild(con)


@pytest.fixture
def city(db):
    with store.writer(db) as con:
        build_city(con)
    return db


def ratio(level, scope=store.CITY, week_from=W3, week_to=W3, **filters):
    frame = metrics.inventory_ratio(week_from, week_to, level=level, scope=scope, **filters)
    return {row.level_key: row for row in frame.itertuples()}


def test_territory_ratio_is_a_ratio_of_sums_not_a_mean_of_ratios(city):
    # T1 = R1 + R2: weekly sales 5, 9, 13, 17 → mean 11; stock 20 + 10 = 30 → 30/11 = 2.7273.
    # The mean of its retailers' ratios would be (2.0 + 10.0) / 2 = 6.0.
    by_retailer = ratio("retailer", spec_code="S1")
    assert by_retailer["R1"].ratio == pytest.approx(2.0)
    assert by_retailer["R2"].ratio == pytest.approx(10.0)
    t1 = ratio("territory", spec_code="S1")["T1"]
    assert (t1.stock_qty, t1.avg_weekly_sales_4w) == (30, 11)
    assert t1.ratio == pytest.approx(30 / 11)
    assert t1.ratio != pytest.approx((2.0 + 10.0) / 2)
    assert t1.level_name == "东片"


def test_four_week_average_reads_the_weeks_before_week_from(city):
    # Only W3 is asked for, yet its average covers W0..W3; the week before W0 (100 sold) is out.
    # With W3 alone the average would be 17 and the ratio 30/17.
    rows = metrics.inventory_ratio(W3, W3, level="territory", spec_code="S1")
    assert set(rows["week"].astype(str)) == {W3}
    t1 = rows.set_index("level_key").loc["T1"]
    assert t1["weeks_in_average"] == 4
    assert t1["avg_weekly_sales_4w"] == pytest.approx(11)


def test_only_weeks_with_known_sales_enter_the_average(city):
    # R4's first visit (W1) has unknown sales: the mean is over W2, W3 only: (6 + 2) / 2 = 4
    t3 = ratio("territory", spec_code="S1")["T3"]
    assert (t3.weeks_in_average, t3.avg_weekly_sales_4w, t3.ratio) == (2, 4, 1.0)


def test_ratio_is_null_when_nothing_sold(city):
    t2 = ratio("territory", spec_code="S1")["T2"]
    assert t2.stock_qty == 5 and t2.avg_weekly_sales_4w == 0
    assert t2.ratio is None or t2.ratio != t2.ratio  # null (NaN in the frame), never ∞ or 0


def test_parent_levels(city):
    # D1 = T1 + T2: stock 35, sales 5, 9, 13, 17 → 35/11 = 3.1818
    # City: stock 20+10+5+4 = 39; sales W0 4+1+0 = 5, W1 8+1+0 = 9 (R4 unknown), W2 12+1+0+6 = 19,
    # W3 16+1+0+2 = 19 → mean 52/4 = 13 → ratio 3.0
    assert ratio("department", spec_code="S1")["D1"].ratio == pytest.approx(35 / 11)
    assert ratio("city", spec_code="S1")["city"].ratio == pytest.approx(3.0)
    assert ratio("city", spec_code="S1")["city"].level_name == "全市"
    # Both specs: stock 39 + 50 = 89, mean sales 13 + 5 = 18
    assert ratio("city")["city"].ratio == pytest.approx(89 / 18)
    by_spec = ratio("spec")
    assert by_spec["S1"].ratio == pytest.approx(3.0) and by_spec["S2"].ratio == pytest.approx(10.0)
    assert ratio("brand")["红塔山"].ratio == pytest.approx(10.0)
    assert ratio("cm", spec_code="S1")["C1"].ratio == pytest.approx(30 / 11)


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"spec_code": "S1", "format": "超市"}, 10.0),  # R2 only
        ({"spec_code": "S1", "area_type": "农网"}, 1.0),  # R4 only
        # R1 + R4 (档位 8): W0 4, W1 8 (R4 unknown), W2 12+6, W3 16+2 → mean 48/4 = 12;
        # stock 20 + 4 = 24 → 2.0
        ({"spec_code": "S1", "tier_band": "06-15"}, 2.0),
        ({"brand": "中华"}, 3.0),  # = S1 at city level
        ({"price_class": "三类"}, 10.0),  # = S2
    ],
)
def test_filters(city, filters, expected):
    assert ratio("city", **filters)["city"].ratio == pytest.approx(expected)


@pytest.mark.parametrize(
    "scope, keys",
    [
        (store.Scope(territory_code="T2"), {"T2"}),
        (store.Scope(department_code="D1"), {"T1", "T2"}),
        (store.Scope(cm_code="C3"), {"T3"}),
    ],
)
def test_scoped_run_sees_nothing_outside_its_scope(city, scope, keys):
    assert set(ratio("territory", scope=scope)) == keys
    retailers = set(ratio("retailer", scope=scope))
    outside = {lic for lic, ter, *_ in RETAILERS if ter not in keys}
    assert retailers and not retailers & outside


def test_scoped_city_level_is_the_scope_total(city):
    # city level within 片区 T1 is T1 itself
    assert ratio("city", scope=store.Scope(territory_code="T1"), spec_code="S1")["city"].ratio == pytest.approx(30 / 11)


def test_unknown_level_or_filter_is_refused(city):
    with pytest.raises(ValueError, match="level"):
        metrics.inventory_ratio(W3, W3, level="galaxy")
    with pytest.raises(ValueError, match="colour"):
        metrics.inventory_ratio(W3, W3, colour="red")


def test_any_day_stands_for_its_week(city):
    # Wednesday 2025-09-24 is in the week of Monday W3
    frame = metrics.inventory_ratio("2025-09-24", "2025-09-24", level="territory", spec_code="S1")
    assert set(frame["week"].astype(str)) == {W3}
    assert metrics.week_of("2025-09-28").isoformat() == W3


def test_cli_runs_the_query(city, capsys):
    code = cli.main(
        [
            "query",
            "inventory_ratio",
            "--param",
            "level=territory",
            "--param",
            f"week_from={W3}",
            "--param",
            f"week_to={W3}",
            "--param",
            "spec_code=S1",
            "--format",
            "csv",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("week,level_key,level_name,stock_qty")
    assert "T1,东片,30.0" in out


# ── a retailer that changes 片区 ─────────────────────────────────────────────

M1, M2, M3, M4, M5 = "2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22", "2025-09-29"

# 片区 A = T1 (customer manager C1), B = T2 (C2), both in D1. RA stays in A, RB in B; RM is
# in A for weeks 1–3 and moves to B (and to C2) from week 4 (M4): its sales of weeks 1–3
# are credited to A in weekly_observation. Every week: (retailer, stock, sales reported).
MOVE_WEEKS = {
    M1: [("RA", 20, 10), ("RB", 12, 4), ("RM", 15, 2)],
    M2: [("RA", 20, 10), ("RB", 12, 4), ("RM", 15, 4)],
    M3: [("RA", 20, 10), ("RB", 12, 4), ("RM", 15, 6)],
    M4: [("RA", 20, 10), ("RB", 12, 4), ("RM", 15, 8)],
    M5: [("RA", 20, 10), ("RB", 12, 4), ("RM", 15, 10)],
}
MOVE_CM = {"RA": "C1", "RB": "C2"}


def build_moving_city(con):
    con.execute("insert into department values ('D1', '城区市场部')")
    con.execute("insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网')")
    con.execute("insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T2')")
    for lic, ter, cm in (("RA", "T1", "C1"), ("RB", "T2", "C2"), ("RM", "T2", "C2")):
        con.execute(
            "insert into retailer values (?, ?, '食杂店', 8, ?, ?, null, null, null)", [lic, "店" + lic, ter, cm]
        )
    con.execute(
        "insert into retailer_assignment values "
        "('RA', date '1900-01-01', null, 'T1', 'C1', '食杂店', 8), "
        "('RB', date '1900-01-01', null, 'T2', 'C2', '食杂店', 8), "
        f"('RM', date '1900-01-01', date '{M4}', 'T1', 'C1', '食杂店', 8), "
        f"('RM', date '{M4}', null, 'T2', 'C2', '食杂店', 8)"
    )
    con.execute("insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01')")
    for week, lines in MOVE_WEEKS.items():
        for lic, stock, sales in lines:
            cm = MOVE_CM.get(lic, "C1" if week < M4 else "C2")  # the manager of the week visits
            con.execute(
                "insert into visit_line values (?, ?, ?, 'S1', ?, 450, true, ?, null, 1)", [week, cm, lic, stock, sales]
            )
    rollup.rebuild(con)


@pytest.fixture
def moving_city(db):
    with store.writer(db) as con:
        build_moving_city(con)
    return db


def test_weeks_before_a_move_stay_credited_to_the_old_territory(moving_city):
    # sales_volume and weekly_observation keep each week where it was: RM's week 3 is A's
    reader = store.Reader(moving_city)
    got = reader.sql("select week::varchar as w, territory_code from weekly_observation where license_no = 'RM'")
    assert dict(zip(got.w, got.territory_code, strict=True)) == {M1: "T1", M2: "T1", M3: "T1", M4: "T2", M5: "T2"}


def test_after_a_move_both_sides_cover_the_retailers_of_the_week(moving_city):
    # Week 4, own trailing four weeks (weeks 1–4, all known):
    #   RA: sales 10+10+10+10 = 40 → 10 a week, stock 20
    #   RB: sales  4+ 4+ 4+ 4 = 16 →  4 a week, stock 12
    #   RM: sales  2+ 4+ 6+ 8 = 20 →  5 a week, stock 15 (weeks 1–3 credited to A)
    # A (RA only): 20 ÷ 10 = 2.0
    # B (RB + RM): (stock_B + stock_RM) ÷ (avg_B + avg_RM) = (12 + 15) ÷ (4 + 5) = 27 / 9 = 3.0
    # Under the old window over each 片区's credited weeks, A's average would have kept RM's
    # weeks 1–3: (12 + 14 + 16 + 10) / 4 = 13 → 20 / 13 = 1.54, and B's would have missed
    # them: (4 + 4 + 4 + 12) / 4 = 6 → 27 / 6 = 4.5.
    w4 = ratio("territory", week_from=M4, week_to=M4)
    assert (w4["T1"].stock_qty, w4["T1"].avg_weekly_sales_4w, w4["T1"].ratio) == (20, 10, 2.0)
    assert (w4["T2"].stock_qty, w4["T2"].avg_weekly_sales_4w) == (12 + 15, 4 + 5)
    assert w4["T2"].ratio == pytest.approx(27 / 9)
    assert (w4["T1"].sales_qty, w4["T2"].sales_qty) == (10, 4 + 8)  # the week's own sales: where credited
    assert w4["T1"].weeks_in_average == w4["T2"].weeks_in_average == 4
    # the same at the customer managers (RM moved from C1 to C2)
    by_cm = ratio("cm", week_from=M4, week_to=M4)
    assert (by_cm["C1"].ratio, by_cm["C2"].ratio) == (pytest.approx(2.0), pytest.approx(3.0))
    # Week 5 (weeks 2–5): RM 4+6+8+10 = 28 → 7; RB 4; B = 27 / (4 + 7) = 2.4545
    w5 = ratio("territory", week_from=M5, week_to=M5)
    assert w5["T2"].ratio == pytest.approx(27 / 11)
    assert w5["T1"].ratio == pytest.approx(2.0)
    # the city and the retailer itself never depended on the 片区: (20+12+15) / (10+4+5) = 47/19; RM 15/5
    assert ratio("city", week_from=M4, week_to=M4)["city"].ratio == pytest.approx(47 / 19)
    assert ratio("retailer", week_from=M4, week_to=M4)["RM"].ratio == pytest.approx(3.0)


def test_before_the_move_the_retailer_counts_in_its_old_territory(moving_city):
    # Week 3 (weeks 1–3 known): A = RA + RM: (20 + 15) ÷ ((30 + 12) / 3) = 35 / 14 = 2.5;
    # B = RB: 12 ÷ 4 = 3.0
    w3 = ratio("territory", week_from=M3, week_to=M3)
    assert (w3["T1"].weeks_in_average, w3["T1"].ratio) == (3, pytest.approx(2.5))
    assert w3["T2"].ratio == pytest.approx(3.0)


@pytest.mark.parametrize(
    "scope, level, key, expected",
    [
        # B's own scope sees RM's weeks 1–3 through its week-4 row: 27 / 9
        (store.Scope(territory_code="T2"), "territory", "T2", 3.0),
        (store.Scope(territory_code="T2"), "city", "city", 3.0),
        # the customer manager RM moved to sees the same, the one it left RA alone: 20 / 10
        (store.Scope(cm_code="C2"), "cm", "C2", 3.0),
        (store.Scope(cm_code="C1"), "cm", "C1", 2.0),
        (store.Scope(territory_code="T1"), "city", "city", 2.0),
    ],
)
def test_a_move_under_a_scope(moving_city, scope, level, key, expected):
    got = ratio(level, scope=scope, week_from=M4, week_to=M4)
    assert set(got) == {key}
    assert got[key].ratio == pytest.approx(expected)
    if scope.territory_code == "T1":  # RM is no longer A's in week 4
        assert "RM" not in ratio("retailer", scope=scope, week_from=M4, week_to=M4)


def test_a_move_with_weeks_of_unknown_sales(moving_city):
    # RM first counted in week 2, no sales reported (unknown then): its trailing sum at week 4 is
    # 6 + 8 = 14. B's retailers have known sales in all four weeks (RB), so the mean is
    # over 4 weeks, as the header's rule says: B = 27 ÷ ((16 + 14) / 4) = 27 / 7.5 = 3.6.
    with store.writer(moving_city) as con:
        con.execute(f"delete from visit_line where license_no = 'RM' and visit_date = '{M1}'")
        con.execute(f"update visit_line set sales_qty = null where license_no = 'RM' and visit_date = '{M2}'")
        rollup.rebuild(con)
    b = ratio("territory", week_from=M4, week_to=M4)["T2"]
    assert (b.weeks_in_average, b.avg_weekly_sales_4w) == (4, 7.5)
    assert b.ratio == pytest.approx(3.6)
    # RM alone: known weeks 3 and 4 only → (6 + 8) / 2 = 7 → 15 / 7
    rm = ratio("retailer", week_from=M4, week_to=M4)["RM"]
    assert (rm.weeks_in_average, rm.ratio) == (2, pytest.approx(15 / 7))


def test_imports_around_a_move_give_the_tables_a_rebuild_gives(db):
    # The real import path: weeks 1–3, then a retailer file moving R4 from T1 to T2 in week 4
    # (its assignment changes from that Monday), then week 4, then a corrected week 2 (R4
    # sold 5, not 4: it reaches T2's week 4 through R4's own trailing sales). Every roll-up
    # after the incremental refreshes equals a full rebuild. Week 4, as worked out above:
    # T1 = R1 alone 20 / 10 = 2.0; T2 = (12 + 15) / (4 + (2 + 5 + 6 + 8) / 4) = 27 / 9.25.
    data = Path(__file__).parent / "data"
    later = dt.date(2025, 12, 31)
    for name in ("territories.csv", "customer_managers.csv", "retailers.csv", "specs.csv"):
        ingest.import_file(data / name, db=db, today=later)
    header = "visit_date,cm_code,license_no,spec_code,stock_qty,retail_price,on_shelf,sales_qty,notes"

    def visits(week, lines):
        rows = [f"{week},{cm},{lic},S1,{stock},450,是,{sales}," for lic, cm, stock, sales in lines]
        summary = ingest.import_bytes(("\n".join([header, *rows]) + "\n").encode(), f"v{week}.csv", db=db, today=later)
        assert summary.rows_stored == len(rows)

    for week, r4_sales in ((M1, 2), (M2, 4), (M3, 6)):
        visits(week, [("R1", "C1", 20, 10), ("R2", "C2", 12, 4), ("R4", "C1", 15, r4_sales)])
    moved = (
        (data / "retailers.csv")
        .read_text(encoding="utf-8")
        .replace("R4,南关烟酒店,烟酒店,26,T1,C1", "R4,南关烟酒店,烟酒店,26,T2,C2")
    )
    ingest.import_bytes(moved.encode(), "retailers-moved.csv", db=db, today=dt.date(2025, 9, 24))
    visits(M4, [("R1", "C1", 20, 10), ("R2", "C2", 12, 4), ("R4", "C2", 15, 8)])
    visits(M2, [("R4", "C1", 15, 5)])

    tables = ("weekly_observation", "retailer_visit", "retailer_week", "trailing_sales", "market_cell")
    reader = store.Reader(db)
    incremental = {t: reader.sql(f"select * from {t} order by all") for t in tables}
    with store.writer(db) as con:
        rollup.rebuild(con)
    reader = store.Reader(db)
    for t in tables:
        pd.testing.assert_frame_equal(reader.sql(f"select * from {t} order by all"), incremental[t], obj=t)
    w4 = ratio("territory", week_from=M4, week_to=M4)
    assert (w4["T1"].ratio, w4["T2"].ratio) == (pytest.approx(2.0), pytest.approx(27 / 9.25))
    state = metrics.market_state(M4, M4).set_index("territory_code")
    assert state.loc["T2", "ratio"] == pytest.approx(27 / 9.25)


def test_the_demo_citys_planted_redraw_reads_each_retailers_own_sales(demo_store):
    # The small city's 片区 redraw (demo_truth kind territory_redraw): shops swap between two
    # 片区 from a Monday six weeks before the end. In the weeks after it, each 片区's 存销比 is
    # recomputed here from weekly_observation and the assignments: the retailers assigned in
    # week w, their stock of week w and their own known sales of w−3 .. w wherever credited,
    # averaged over the weeks in which any of them has known sales.
    reader = store.Reader(demo_store)
    row = reader.sql("select * from demo_truth where kind = 'territory_redraw'").iloc[0]
    first = row.first_week.date()
    moves = reader.sql("select * from retailer_assignment where valid_from = $w", {"w": first})
    pair = {row.territory_code, *moves.territory_code}
    assert len(pair) == 2 and len(moves) >= 6
    assert set(moves.territory_code) == pair  # shops moved both ways
    obs = reader.sql(
        """select o.week, o.license_no, o.stock_qty::double as stock, o.sales_qty::double as sales,
                  a.territory_code as territory_then
           from weekly_observation as o
           asof join retailer_assignment as a on a.license_no = o.license_no and o.week >= a.valid_from
           where o.sales_qty is not null and o.week >= $f::date - 21""",
        {"f": first},
    )
    weeks = [first + dt.timedelta(weeks=k) for k in range(4)]
    got = metrics.inventory_ratio(weeks[0], weeks[-1], level="territory", path=demo_store)
    got = got[got.level_key.isin(pair)]
    got = got.set_index(["level_key", got.week.dt.date])
    differs = False
    for week in weeks:
        assigned = reader.sql(
            "select license_no, territory_code from retailer_assignment "
            "where valid_from <= $w and (valid_to is null or valid_to > $w)",
            {"w": week},
        ).set_index("license_no")["territory_code"]
        span = obs[(obs.week.dt.date <= week) & (obs.week.dt.date > week - dt.timedelta(weeks=4))]
        span = span.assign(territory_now=span.license_no.map(assigned))
        for ter in pair:
            mine = span[span.territory_now == ter]
            stock = mine[mine.week.dt.date == week].stock.sum()
            expected = stock / (mine.sales.sum() / mine.week.nunique())
            assert got.loc[(ter, week), "ratio"] == pytest.approx(expected)
            credited = span[span.territory_then == ter]  # the 片区 each week was credited to
            differs |= not math.isclose(expected, stock / (credited.sales.sum() / credited.week.nunique()))
    assert differs  # the redraw matters: over credited weeks the ratio would have been another


def test_upgrading_an_older_store_fills_the_trailing_sales(moving_city):
    # A store of schema version 7 holds weekly_observation but no trailing sales: the upgrade
    # fills trailing_sales and market_cell as a rebuild would, so 存销比 shows at once.
    with store.writer(moving_city) as con:
        con.execute("drop table trailing_sales")
        con.execute("alter table market_cell drop column sales_4w")
        con.execute("alter table market_cell drop column weeks_known")
        con.execute("delete from schema_version where version >= 8")
    with store.writer(moving_city) as con:  # migrates
        upgraded = {
            t: con.execute(f"select * from {t} order by all").fetchall() for t in ("trailing_sales", "market_cell")
        }
        rollup.rebuild(con)
        assert {t: con.execute(f"select * from {t} order by all").fetchall() for t in upgraded} == upgraded
    assert ratio("territory", week_from=M4, week_to=M4)["T2"].ratio == pytest.approx(3.0)
