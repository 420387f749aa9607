"""存销比 (inventory_ratio) on a hand-made city, expected values worked out by hand."""

from __future__ import annotations

import pytest

from marketpulse import cli, metrics, rollup, store

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
