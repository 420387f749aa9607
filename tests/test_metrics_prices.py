"""价格指数, 价格执行率, 零售毛利率 and the chained index on hand-made stores.

Expected values are worked out by hand in the comments, not by calling the code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from marketpulse import cli, i18n, ingest, metrics, numbers, report, rollup, store

W0, W1, W2, W3, W4 = "2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22", "2025-09-29"

RETAILERS = [("R1", "T1", "C1"), ("R2", "T1", "C1"), ("R3", "T2", "C2"), ("R4", "T3", "C3")]

# S1 中华: wholesale 400, suggested 450.  S2 红塔山: wholesale 90, suggested 100.
# (visit date, retailer, spec, actual retail price, sales reported)
VISITS = [
    (W0, "R1", "S1", 450, 10),
    (W0, "R2", "S1", 450, 30),
    (W0, "R1", "S2", 100, 40),
    (W1, "R1", "S1", 459, 10),  # +2%: on the compliance bound
    (W1, "R2", "S1", 441, 30),  # −2%: on the bound
    (W1, "R3", "S1", 400, 0),  # priced but nothing sold: out of the index, in compliance (below)
    (W1, "R4", "S1", 470, 20),  # +4.4%
    (W1, "R1", "S2", 100, 50),
    (W1, "R3", "S2", 90, 10),  # −10%
]


def add_reference(con, specs):
    con.execute("insert into department values ('D1', '城区市场部'), ('D2', '县区市场部')")
    con.execute(
        "insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网'), "
        "('T3', '北乡', 'D2', '农网')"
    )
    con.execute("insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T2'), ('C3', '王五', 'T3')")
    for lic, ter, cm in RETAILERS:
        con.execute(
            "insert into retailer values (?, ?, '食杂店', 8, ?, ?, null, null, null)", [lic, "店" + lic, ter, cm]
        )
        con.execute(
            "insert into retailer_assignment values (?, date '1900-01-01', null, ?, ?, '食杂店', 8)", [lic, ter, cm]
        )
    for code, name, brand, pclass, wholesale, suggested in specs:
        con.execute(
            "insert into spec values (?, ?, ?, ?, ?, ?, false, date '2020-01-01')",
            [code, name, brand, pclass, wholesale, suggested],
        )


def add_visits(con, visits):
    cm_of = {lic: cm for lic, _, cm in RETAILERS}
    for day, lic, spec, price, sales in visits:
        con.execute(
            "insert into visit_line values (?, ?, ?, ?, 10, ?, true, ?, null, 1)",
            [day, cm_of[lic], lic, spec, price, sales],
        )


@pytest.fixture
def city(db):
    with store.writer(db) as con:
        add_reference(
            con, [("S1", "中华(硬)", "中华", "一类", 400, 450), ("S2", "红塔山(经典)", "红塔山", "三类", 90, 100)]
        )
        add_visits(con, VISITS)
        rollup.rebuild(con)
    return db


def by_key(frame, column, week=W1):
    frame = frame[frame["week"].astype(str) == week]
    return dict(zip(frame["level_key"], frame[column]))


# ── price index (cross-section) ──────────────────────────────────────────────


def test_price_index_is_sales_weighted(city):
    # S1 in W1: Σ p·q = 459·10 + 441·30 + 470·20 = 4590 + 13230 + 9400 = 27220 (R3 sold nothing)
    #           Σ ps·q = 450 · 60 = 27000 → 100.8148
    # The unweighted mean of the retailers' indices would be (102 + 98 + 104.444) / 3 = 101.48.
    # S2: (100·50 + 90·10) / (100·60) = 5900 / 6000 → 98.3333
    # City: (27220 + 5900) / (27000 + 6000) = 33120 / 33000 → 100.3636
    got = by_key(metrics.price_index(W1, W1, level="spec"), "price_index")
    assert got == pytest.approx({"S1": 100 * 27220 / 27000, "S2": 100 * 5900 / 6000})
    assert got["S1"] != pytest.approx((102 + 98 + 100 * 470 / 450) / 3)
    assert by_key(metrics.price_index(W1, W1), "price_index") == pytest.approx({"city": 100 * 33120 / 33000})


def test_price_index_by_territory_and_brand(city):
    # T1: R1·S1, R2·S1, R1·S2 → (4590 + 13230 + 5000) / (4500 + 13500 + 5000) = 22820 / 23000
    # T2: only R3·S2 sold → 900 / 1000;  T3: R4·S1 → 9400 / 9000
    got = by_key(metrics.price_index(W1, W1, level="territory"), "price_index")
    assert got == pytest.approx({"T1": 100 * 22820 / 23000, "T2": 90.0, "T3": 100 * 9400 / 9000})
    assert by_key(metrics.price_index(W1, W1, level="brand"), "price_index")["红塔山"] == pytest.approx(
        100 * 5900 / 6000
    )
    weights = by_key(metrics.price_index(W1, W1, level="territory"), "sales_qty")
    assert weights == {"T1": 90, "T2": 10, "T3": 20}


def test_price_index_over_a_week_range_and_filter(city):
    # W0: everything at the suggested price → 100; spec filter S2 over W0..W1: 100, 98.33
    frame = metrics.price_index(W0, W1, spec_code="S2")
    assert list(frame["week"].astype(str)) == [W0, W1]
    assert list(frame["price_index"]) == pytest.approx([100, 100 * 5900 / 6000])


# ── price compliance ─────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "tolerance, compliant, above, below",
    [
        # 459 and 441 sit exactly on ±2% (±9 of 450) and count as compliant; 470 above;
        # 400 (S1) and 90 (S2) below; 100 (S2) compliant → 3 of 6
        (0.02, 3, 1, 2),
        # ±5% = ±22.5 on S1, ±5 on S2: 470 is now in; 400 and 90 still below → 4 of 6
        (0.05, 4, 0, 2),
        # ±1% = ±4.5 on S1: 459 above, 441 below → only S2 at 100 → 1 of 6
        (0.01, 1, 2, 3),
    ],
)
def test_price_compliance_tolerance_is_a_parameter(city, tolerance, compliant, above, below):
    row = metrics.price_compliance(W1, W1, tolerance=tolerance).iloc[0]
    assert (row["observations"], row["compliant"], row["above"], row["below"]) == (6, compliant, above, below)
    assert row["compliance_rate"] == pytest.approx(compliant / 6)


def test_price_compliance_default_tolerance_is_the_setting(city):
    assert metrics.price_compliance(W1, W1).iloc[0]["compliance_rate"] == pytest.approx(3 / 6)
    with store.writer(city) as con:
        con.execute("update setting set value = 0.05 where key = 'price_tolerance'")
    assert metrics.price_compliance(W1, W1).iloc[0]["compliance_rate"] == pytest.approx(4 / 6)


def test_price_compliance_by_territory(city):
    # T1: 459, 441, 100 all in → 1.0; T2: 400, 90 both below → 0.0; T3: 470 above → 0.0
    got = by_key(metrics.price_compliance(W1, W1, level="territory", tolerance=0.02), "compliance_rate")
    assert got == {"T1": 1.0, "T2": 0.0, "T3": 0.0}


# ── retail margin ────────────────────────────────────────────────────────────


def test_retail_margin_is_a_ratio_of_sums(city):
    # S1: (59·10 + 41·30 + 70·20) = 590 + 1230 + 1400 = 3220 over 27220 → 0.118295
    # S2: (10·50 + 0·10) = 500 over 5900 → 0.084746
    # City: 3720 / 33120 → 0.112319 (the mean of the two specs' margins would be 0.101521)
    assert by_key(metrics.retail_margin(W1, W1, level="spec"), "retail_margin") == pytest.approx(
        {"S1": 3220 / 27220, "S2": 500 / 5900}
    )
    city_margin = metrics.retail_margin(W1, W1).iloc[0]["retail_margin"]
    assert city_margin == pytest.approx(3720 / 33120)
    assert city_margin != pytest.approx((3220 / 27220 + 500 / 5900) / 2)
    assert by_key(metrics.retail_margin(W1, W1, level="territory"), "retail_margin")["T2"] == 0.0


# ── chained index ────────────────────────────────────────────────────────────


def test_chained_index_base_and_city_link(city):
    # City spec prices (sales-weighted within the city):
    #   W0: S1 450 (q 40), S2 100 (q 40)    W1: S1 27220/60 (q 60), S2 5900/60 (q 60)
    # Laspeyres link = 40·(27220/60 + 5900/60) / (40·450 + 40·100) = 40·552 / 22000 = 1.0036364
    # Paasche link   = (27220 + 5900) / (60·450 + 60·100) = 33120 / 33000 = 1.0036364 (same:
    # equal quantities within each week), so Fisher is 1.0036364 too.
    frame = metrics.chained_price_index(W0, W1)
    assert list(frame["price_index"]) == pytest.approx([100, 100 * 33120 / 33000])
    assert list(frame["matched_specs"]) == [0, 2]
    assert list(frame["formula"]) == ["fisher", "fisher"]
    # starting the range at W1 makes W1 the base
    assert list(metrics.chained_price_index(W1, W1)["price_index"]) == [100]


def test_chained_index_unknown_formula_is_refused(city):
    with pytest.raises(ValueError, match="tornqvist"):
        metrics.chained_price_index(W0, W1, formula="walsh")


# The ILO/IMF CPI Manual (2004) artificial data set, ch. 19 tables 19.1–19.2, as six specs sold
# by one retailer over five weeks; the manual's chained indices (table 19.4), worked out in
# tests/test_index_formulas.py: Fisher 140.11, 131.85, 126.89, 122.26 and so on.
CPI_PRICES = [
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    [1.2, 3.0, 1.3, 0.7, 1.4, 0.8],
    [1.0, 1.0, 1.5, 0.5, 1.7, 0.6],
    [0.8, 0.5, 1.6, 0.3, 1.9, 0.4],
    [1.0, 1.0, 1.6, 0.1, 2.0, 0.2],
]
CPI_QUANTITIES = [
    [1.0, 1.0, 2.0, 1.0, 4.5, 0.5],
    [0.8, 0.9, 1.9, 1.3, 4.7, 0.6],
    [1.0, 1.1, 1.8, 3.0, 5.0, 0.8],
    [1.2, 1.2, 1.9, 6.0, 5.6, 1.3],
    [0.9, 1.2, 2.0, 12.0, 6.5, 2.5],
]
CPI_CHAINED = {
    "laspeyres": [100, 142.00, 136.46, 133.51, 133.06],
    "paasche": [100, 138.24, 127.40, 120.60, 112.34],
    "fisher": [100, 140.11, 131.85, 126.89, 122.26],
    "tornqvist": [100, 140.52, 131.12, 126.24, 122.24],
}


@pytest.fixture
def cpi_manual(db):
    with store.writer(db) as con:
        add_reference(con, [(f"G{i}", f"商品{i}", "样本", "一类", 0.5, 1.0) for i in range(6)])
        visits = []
        for week, prices, quantities in zip([W0, W1, W2, W3, W4], CPI_PRICES, CPI_QUANTITIES):
            for i, (p, q) in enumerate(zip(prices, quantities)):
                # good 0's sales split over two retailers at one price: the spec's price is
                # unchanged and its quantity is the sum
                if i == 0:
                    visits += [(week, "R1", "G0", p, q / 2), (week, "R2", "G0", p, q / 2)]
                else:
                    visits.append((week, "R1", f"G{i}", p, q))
        add_visits(con, visits)
        rollup.rebuild(con)
    return db


@pytest.mark.parametrize("formula", sorted(CPI_CHAINED))
def test_chained_index_matches_the_cpi_manual(cpi_manual, formula):
    frame = metrics.chained_price_index(W0, W4, formula=formula)
    assert list(frame["price_index"]) == pytest.approx(CPI_CHAINED[formula], abs=0.01)
    assert list(frame[formula]) == pytest.approx(CPI_CHAINED[formula], abs=0.01)
    assert list(frame["matched_specs"]) == [0, 6, 6, 6, 6]


def test_chained_index_per_spec_is_its_price_relative(cpi_manual):
    # G1's prices 1.0, 3.0, 1.0, 0.5, 1.0 → 100, 300, 100, 50, 100 whatever the formula
    frame = metrics.chained_price_index(W0, W4, level="spec", formula="paasche")
    g1 = frame[frame["level_key"] == "G1"]
    assert list(g1["price_index"]) == pytest.approx([100, 300, 100, 50, 100])
    assert list(g1["fisher"]) == pytest.approx([100, 300, 100, 50, 100])


def test_a_week_without_common_specs_carries_the_index_forward(db):
    # R1 sells S1 in W0 (450) and only S2 in W1 (100) and W2 (110): no link W0→W1, +10% W1→W2
    with store.writer(db) as con:
        add_reference(
            con, [("S1", "中华(硬)", "中华", "一类", 400, 450), ("S2", "红塔山(经典)", "红塔山", "三类", 90, 100)]
        )
        add_visits(con, [(W0, "R1", "S1", 450, 5), (W1, "R1", "S2", 100, 5), (W2, "R1", "S2", 110, 5)])
        rollup.rebuild(con)
    frame = metrics.chained_price_index(W0, W2)
    assert list(frame["price_index"]) == pytest.approx([100, 100, 110])
    assert list(frame["matched_specs"]) == [0, 0, 1]


# ── scope and command line ───────────────────────────────────────────────────


@pytest.mark.parametrize("name", ["price_index", "price_compliance", "retail_margin", "price_index_chained"])
def test_scoped_run_sees_nothing_outside_its_scope(city, name):
    params = {"week_from": W0, "week_to": W1}
    params.update({"tolerance": None} if name == "price_compliance" else {})
    params.update({"formula": None} if name == "price_index_chained" else {})
    scope = store.Scope(territory_code="T2")
    for level, outside in [("territory", {"T1", "T3"}), ("retailer", {"R1", "R2", "R4"}), ("cm", {"C1", "C3"})]:
        keys = set(metrics.query(name, {**params, "level": level}, scope)["level_key"])
        assert keys and not keys & outside, (level, keys)
    # the city seen from 片区 T2 is T2: its price index is 90 (R3's S2 at 90)
    if name == "price_index":
        assert by_key(metrics.query(name, {**params, "level": "city"}, scope), "price_index") == {"city": 90.0}


@pytest.mark.parametrize(
    "name, extra, expect",
    [
        ("price_index", [], "T2,西片,90.0"),
        ("price_compliance", ["tolerance=0.02"], "T1,东片,1.0"),
        ("retail_margin", [], "T2,西片,0.0"),
        ("price_index_chained", ["formula=laspeyres"], "laspeyres,100.0"),
    ],
)
def test_cli_runs_each_price_query(city, capsys, name, extra, expect):
    args = ["query", name, "--format", "csv"]
    for pair in ["level=territory", f"week_from={W1}", f"week_to={W1}", *extra]:
        args += ["--param", pair]
    assert cli.main(args) == 0
    assert expect in capsys.readouterr().out


# ══ 市场零售价格指数: last year's commercial sales as fixed weights (price_index_fixed) ══
#
# Specs A (suggested 100) and B (suggested 200), on the market since 2020. The weights of
# weeks in 2025 come from ISO year 2024: commercial sales (supplied to retailers), as an
# average over the weeks of 2024 the store holds:
#   2024-03-04  R1 (T1) A 200, R2 (T1) B 100;   2024-10-07  R3 (T2) A 100
#   city: A 300, B 100 over 2 weeks → Q_A = 150, Q_B = 50 a week (the ratio 3 : 1 of the totals)
#   片区 T1 (and its customer manager C1): A 200, B 100 over its 1 week; T2: A 100 over 1 week
# C (suggested 50) is new, launched 2025-03-03: supplied 65 in its launch week and 65 in its
# 13th week (2025-05-26), 1000 in its 14th (2025-06-02, outside) → Q_C = 130 / 13 = 10.
# D (suggested 50), launched 2025-08-18, supplied 40 then: weighted 40 / 13 from its 14th
# week (2025-11-17) on, unweighted before.
FIXED_SPECS = [
    ("A", "甲(硬)", "甲", "二类", 90, 100),
    ("B", "乙(硬)", "乙", "一类", 180, 200),
    ("C", "丙(细支)", "丙", "三类", 45, 50),
    ("D", "丁(中支)", "丁", "三类", 45, 50),
]
FIXED_ORDERS = [  # (order date, retailer, spec, supplied)
    ("2024-03-04", "R1", "A", 200),
    ("2024-03-04", "R2", "B", 100),
    ("2024-10-07", "R3", "A", 100),
    ("2025-03-03", "R1", "C", 65),
    ("2025-05-26", "R1", "C", 65),
    ("2025-06-02", "R1", "C", 1000),
    ("2025-08-18", "R1", "D", 40),
]
D12, D13 = "2025-11-10", "2025-11-17"  # D's 13th week since launch, and its 14th
FIXED_VISITS = [  # (visit date, retailer, spec, actual price, sales; None = unknown)
    (W0, "R1", "A", 110, 10),
    (W0, "R2", "B", 190, 90),
    (W0, "R1", "C", 55, 20),
    (W0, "R1", "D", 60, 5),
    (W1, "R1", "A", 110, 10),  # the worked example
    (W1, "R2", "B", 190, 90),
    (W2, "R1", "A", 110, 90),  # the same prices, the sales mix turned round
    (W2, "R2", "B", 190, 10),
    (W3, "R1", "A", 110, 10),
    (W3, "R2", "B", 190, 90),
    (W3, "R3", "A", 80, None),  # a first visit: sales unknown, its price still observed
    (W4, "R1", "A", 110, 10),  # B not observed this week
    (W4, "R4", "A", 120, 5),  # R4 (T3) was not supplied A last year
    (D12, "R1", "D", 60, 5),
    (D13, "R1", "D", 60, 5),
]


@pytest.fixture
def fixed_city(db):
    with store.writer(db) as con:
        add_reference(con, FIXED_SPECS)
        con.execute("update spec set launch_date = date '2025-03-03' where spec_code = 'C'")
        con.execute("update spec set launch_date = date '2025-08-18' where spec_code = 'D'")
        for day, lic, spec, supplied in FIXED_ORDERS:
            con.execute("insert into order_line values (?, ?, ?, ?, ?, 1)", [day, lic, spec, supplied, supplied])
        add_visits(con, FIXED_VISITS)
        rollup.rebuild(con)
    return db


def fixed(week, level="city", scope=store.CITY, **filters):
    return metrics.prices.fixed_price_index(week, week, level, scope, **filters)


def test_fixed_index_weighs_by_last_years_commercial_sales(fixed_city):
    # fixed:   (110·150 + 190·50) / (100·150 + 200·50) × 100 = 26000 / 25000 × 100 = 104.0,
    #          the brief's (110·300 + 190·100) / (100·300 + 200·100) = 52000 / 50000 with the totals
    # current: (110·10 + 190·90) / (100·10 + 200·90) × 100 = 18200 / 19000 × 100 = 95.79
    row = fixed(W1).iloc[0]
    assert row["price_index"] == pytest.approx(100 * 52000 / 50000)
    assert (row["retail_value"], row["suggested_value"], row["weight_qty"]) == pytest.approx((26000, 25000, 200))
    assert (row["weight_year"], row["weight_weeks"], row["specs"], row["new_specs"]) == (2024, 2, 2, 0)
    assert (row["unweighted_specs"], row["observations"]) == (0, 2)
    assert metrics.price_index(W1, W1).iloc[0]["price_index"] == pytest.approx(100 * 18200 / 19000)


def test_a_change_of_sales_mix_alone_leaves_the_fixed_index_unchanged(fixed_city):
    # W2: the same prices, sales A 90, B 10. Fixed: 104.0 again.
    # current: (110·90 + 190·10) / (100·90 + 200·10) × 100 = 11800 / 11000 × 100 = 107.27
    assert fixed(W2).iloc[0]["price_index"] == pytest.approx(104.0)
    assert metrics.price_index(W2, W2).iloc[0]["price_index"] == pytest.approx(100 * 11800 / 11000)


def test_the_actual_price_is_the_mean_of_the_weeks_observations(fixed_city):
    # W3: A observed at R1 110 (sales 10) and R3 80 (sales unknown): p̄_A = (110 + 80) / 2 = 95
    # fixed: (95·150 + 190·50) / 25000 × 100 = 23750 / 25000 × 100 = 95.0
    # current: R3 has no known sales and stays out → 18200 / 19000 as in W1
    row = fixed(W3).iloc[0]
    assert row["price_index"] == pytest.approx(95.0)
    assert row["observations"] == 3
    assert metrics.price_index(W3, W3).iloc[0]["price_index"] == pytest.approx(100 * 18200 / 19000)


def test_a_spec_not_observed_drops_out_of_both_sums(fixed_city):
    # W4: only A, at R1 110 and R4 120 → p̄_A = 115; fixed: 115·150 / (100·150) × 100 = 115.0
    # current: (110·10 + 120·5) / (100·15) × 100 = 1700 / 1500 × 100 = 113.33
    row = fixed(W4).iloc[0]
    assert row["price_index"] == pytest.approx(115.0)
    assert (row["suggested_value"], row["specs"]) == pytest.approx((100 * 150, 1))
    assert metrics.price_index(W4, W4).iloc[0]["price_index"] == pytest.approx(100 * 1700 / 1500)
    # R4 itself was not supplied A in 2024: observed, unweighted, no index of its own
    r4 = fixed(W4, "retailer").set_index("level_key").loc["R4"]
    assert r4["price_index"] is None or r4["price_index"] != r4["price_index"]
    assert (r4["specs"], r4["unweighted_specs"]) == (0, 1)


def test_a_new_spec_weighs_by_its_first_13_weeks(fixed_city):
    # W0: A 110, B 190, C 55 (new: Q_C = 130 / 13 = 10; the 1000 of its 14th week not counted),
    # D 60 (in its 3rd week since launch: no weight yet, out of the fixed index)
    # fixed: (110·150 + 190·50 + 55·10) / (100·150 + 200·50 + 50·10) × 100 = 26550 / 25500 × 100 = 104.12
    # current (D is in): (1100 + 17100 + 55·20 + 60·5) / (1000 + 18000 + 50·20 + 50·5) = 19600 / 20250 → 96.79
    row = fixed(W0).iloc[0]
    assert row["price_index"] == pytest.approx(100 * 26550 / 25500)
    assert (row["specs"], row["new_specs"], row["unweighted_specs"]) == (3, 1, 1)
    assert metrics.price_index(W0, W0).iloc[0]["price_index"] == pytest.approx(100 * 19600 / 20250)
    spec = fixed(W0, "spec").set_index("level_key")
    assert spec.loc["C", "weight_qty"] == pytest.approx(10)
    assert spec.loc["C", "price_index"] == pytest.approx(110.0)  # 55 / 50
    assert spec.loc["D", "unweighted_specs"] == 1


def test_a_new_spec_is_weighted_from_its_14th_week(fixed_city):
    # D launched 2025-08-18: 2025-11-10 is its 13th week (no weight yet), 2025-11-17 its 14th:
    # Q_D = 40 / 13, and with D alone 60 / 50 × 100 = 120.0
    before, after = fixed(D12).iloc[0], fixed(D13).iloc[0]
    assert before["price_index"] is None or before["price_index"] != before["price_index"]
    assert (before["specs"], before["unweighted_specs"]) == (0, 1)
    assert after["price_index"] == pytest.approx(120.0)
    assert (after["weight_qty"], after["new_specs"]) == pytest.approx((40 / 13, 1))


def test_scoped_fixed_index_weighs_by_the_scopes_own_sales(fixed_city):
    # 片区 T1 (R1, R2) holds 2024-03-04 only: Q_A = 200, Q_B = 100.
    # W1: (110·200 + 190·100) / (100·200 + 200·100) × 100 = 41000 / 40000 × 100 = 102.5
    # (the city's weights would give 104.0); its customer manager C1 has the same retailers.
    # 片区 T2 (R3) in W3: A at 80, Q_A = 100 → 80·100 / (100·100) × 100 = 80.0
    for scope in (store.Scope(territory_code="T1"), store.Scope(cm_code="C1")):
        row = fixed(W1, scope=scope).iloc[0]
        assert (row["price_index"], row["weight_weeks"]) == pytest.approx((102.5, 1))
    assert fixed(W3, scope=store.Scope(territory_code="T2")).iloc[0]["price_index"] == pytest.approx(80.0)
    # the city, by territory, shows each 片区 the figure its own scope shows
    assert by_key(fixed(W3, "territory"), "price_index", W3) == pytest.approx({"T1": 102.5, "T2": 80.0})
    # also beside a new spec, weighed by 13 weeks whatever the weeks held: T1 in W0, where R1's
    # C (at 55, Q_C = 130 / 13 = 10) is observed beside A and B, by T1's own 1 week of 2024:
    #   (110·200 + 190·100 + 55·10) / (100·200 + 200·100 + 50·10) × 100 = 41550 / 40500 × 100
    # (by the city's 2 weeks, Q_A = 100 and Q_B = 50: 21050 / 20500 × 100 = 102.68)
    t1 = fixed(W0, scope=store.Scope(territory_code="T1")).iloc[0]
    assert (t1["price_index"], t1["weight_weeks"]) == pytest.approx((41550 / 40500 * 100, 1))
    by_territory = fixed(W0, "territory").set_index("level_key")
    assert by_territory.loc["T1", "price_index"] == pytest.approx(41550 / 40500 * 100)
    assert by_territory.loc["T1", "weight_weeks"] == 1
    assert fixed(W0).iloc[0]["weight_weeks"] == 2  # the city holds both weeks
    assert by_key(fixed(W1, "cm"), "price_index") == pytest.approx({"C1": 102.5})
    # a scope sees nothing outside it
    keys = set(fixed(W3, "retailer", store.Scope(territory_code="T2"))["level_key"])
    assert keys == {"R3"}


def test_fixed_index_follows_the_filters(fixed_city):
    # brand 乙 (B only): 190·50 / (200·50) × 100 = 95.0 in W1
    assert fixed(W1, brand="乙").iloc[0]["price_index"] == pytest.approx(95.0)
    assert by_key(fixed(W1, "brand"), "price_index") == pytest.approx({"甲": 110.0, "乙": 95.0})


def test_fixed_index_takes_the_suggested_price_in_force_each_week(fixed_city):
    # 调价: A's suggested price 100 → 110 from W4. W4: p̄_A = (110 + 120) / 2 = 115;
    # 115·150 / (110·150) × 100 = 104.545; W1 keeps the old price: 104.0.
    with store.writer(fixed_city) as con:
        con.execute("delete from spec_price where spec_code = 'A'")
        con.execute(
            "insert into spec_price values ('A', date '1900-01-01', ?, 90, 100), ('A', ?, null, 99, 110)", [W4, W4]
        )
    assert fixed(W4).iloc[0]["price_index"] == pytest.approx(100 * 115 / 110)
    assert fixed(W1).iloc[0]["price_index"] == pytest.approx(104.0)


def test_cli_runs_the_fixed_index(fixed_city, capsys):
    args = ["query", "price_index_fixed", "--format", "csv"]
    for pair in ["level=city", f"week_from={W1}", f"week_to={W1}"]:
        args += ["--param", pair]
    assert cli.main(args) == 0
    assert "city,全市,104.0" in capsys.readouterr().out


# The prices page and the 周报 on the small simulated city: both weightings shown, the
# numbers equal to the named queries', the weight year stated. Its weight year is 2025, of
# which the store holds 13 weeks; 利群(西湖恋细支) (launched 2025-12-08) is weighted by its
# first 13 weeks.


def demo_week(demo_store):
    return store.reader(demo_store).sql("select max(week) as w from weekly_observation")["w"][0].date()


def test_prices_page_shows_both_weightings_and_the_fixed_weights(demo_store, monkeypatch, signed_in):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    week = demo_week(demo_store)
    at = signed_in(AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=90))
    at.session_state["weighting"] = "fixed"
    at.run()
    at.switch_page("app_pages/3_prices.py").run()
    assert not at.exception, [e.value for e in at.exception]
    params = {"level": "city", "week_from": week, "week_to": week}
    current = store.run("price_index", params, path=demo_store)["price_index"][0]
    fixed_row = store.run("price_index_fixed", params, path=demo_store).iloc[0]
    shown = {m.label: m.value for m in at.metric}
    assert shown[i18n.t("weighting.current", "zh")] == numbers.fmt(current, 1)
    assert shown[i18n.t("weighting.fixed", "zh")] == numbers.fmt(fixed_row["price_index"], 1)
    assert fixed_row["weight_year"] == 2025
    assert "2025 年" in " ".join(c.value for c in at.caption)
    weights = next(d.value for d in at.dataframe if i18n.t("col.weight_rule", "zh") in d.value.columns)
    assert i18n.t("weight_rule.first_13_weeks", "zh") in set(weights[i18n.t("col.weight_rule", "zh")])
    assert len(weights) == fixed_row["specs"] + fixed_row["unweighted_specs"]
    # the bars follow the control: by territory, the fixed-weight index
    by_territory = store.run("price_index_fixed", {**params, "level": "territory"}, path=demo_store)
    table = next(d.value for d in at.dataframe if i18n.t("col.compliance", "zh") in d.value.columns)
    got = table.set_index(i18n.t("col.territory", "zh"))[i18n.t("col.price_index", "zh")]
    for name, index in zip(by_territory["level_name"], by_territory["price_index"]):
        assert got[name] == pytest.approx(round(index, 1))


def test_weekly_report_has_both_indices_with_the_weight_year(demo_store, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    week = demo_week(demo_store)
    kpis = report.sections(week, {}, store.CITY, "zh")["kpis"]
    names = list(kpis[i18n.t("report.metric", "zh")])
    fixed_name = i18n.t("kpi.price_index_fixed", "zh", year=2025)
    assert "2025 年" in fixed_name
    # the fixed-weight row sits right after the current-weight 价格指数
    assert names.index(fixed_name) == names.index(i18n.t("kpi.price_index", "zh")) + 1
    row = kpis.set_index(i18n.t("report.metric", "zh")).loc[fixed_name]
    params = {"level": "city", "week_from": week - metrics.WEEK, "week_to": week}
    both = store.run("price_index_fixed", params, path=demo_store)["price_index"]
    assert row[i18n.t("report.value", "zh")] == pytest.approx(both.iloc[1])
    assert row[i18n.t("report.wow", "zh")] == pytest.approx(both.iloc[1] - both.iloc[0])
    # the same week of 2025 has no weights in the store (it holds no 2024): no 同期
    assert row[i18n.t("report.yoy", "zh")] != row[i18n.t("report.yoy", "zh")]


# ══ 调价: prices in force in each week (spec_price, the 生效日期 column) ══════════════════
#
# Imported through the real import path. A city of two 片区: T1 (C1: R1, R2), T2 (C2: R3).
# P1 黄鹤楼(硬): wholesale 180, suggested 200 until a price list filed in week 6 (Wednesday
# 2025-10-08) says wholesale 190, suggested 220 from 生效日期 2025-09-22 (week 4's Monday).
# P2 红塔山(经典): wholesale 90, suggested 100; the same file raises its wholesale to 95 from
# 2025-09-29 (week 5), its suggested price unchanged.
V2, V4, V5, V6 = "2025-09-08", "2025-09-22", "2025-09-29", "2025-10-06"
SPEC_HEADER = "卷烟编码,卷烟名称,品牌,价类,批发价,建议零售价,重点品牌,上市日期"
VISITS_HEADER = "visit_date,cm_code,license_no,spec_code,stock_qty,retail_price,on_shelf,sales_qty,notes"
PRICE_VISITS = [  # (visit date, retailer, spec, actual price, sales)
    (V2, "R1", "P1", 204, 10),
    (V2, "R2", "P1", 198, 20),
    (V2, "R3", "P1", 196, 10),
    (V2, "R1", "P2", 100, 20),
    (V4, "R1", "P1", 220, 10),
    (V4, "R1", "P2", 100, 10),
    (V5, "R1", "P1", 222, 10),
    (V5, "R2", "P1", 218, 20),
    (V5, "R3", "P1", 216, 10),
    (V5, "R1", "P2", 100, 20),
    (V6, "R1", "P1", 230, 10),
]


def _file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _import(db, data: bytes, name: str, today: str):
    summary = ingest.import_bytes(data, name, db=db, today=dt.date.fromisoformat(today))
    assert summary.rows_quarantined == 0, summary.text("en")
    return summary


@pytest.fixture
def price_change_city(db):
    _import(
        db,
        _file("市场部编码,市场部,片区编码,片区,城乡类型", "D1,城区市场部,T1,东片,城网", "D1,,T2,西片,城网"),
        "t.csv",
        "2025-09-03",
    )
    _import(db, _file("客户经理编码,客户经理,片区编码", "C1,张三,T1", "C2,李四,T2"), "c.csv", "2025-09-03")
    _import(
        db,
        _file(
            "许可证号,零售户名称,业态,档位,片区编码,客户经理编码",
            "R1,东门便利店,便利店,8,T1,C1",
            "R2,西街食杂店,食杂店,12,T1,C1",
            "R3,北关超市,超市,20,T2,C2",
        ),
        "r.csv",
        "2025-09-03",
    )
    _import(
        db,
        _file(
            SPEC_HEADER,
            "P1,黄鹤楼(硬),黄鹤楼,二类,180,200,是,2020-01-01",
            "P2,红塔山(经典),红塔山,三类,90,100,否,2020-01-01",
        ),
        "specs.csv",
        "2025-09-03",
    )
    cm_of = {"R1": "C1", "R2": "C1", "R3": "C2"}
    lines = [f"{d},{cm_of[r]},{r},{s},10,{p},是,{q}," for d, r, s, p, q in PRICE_VISITS]
    _import(db, _file(VISITS_HEADER, *lines), "visits.csv", "2025-10-08")
    _import(
        db,
        _file(
            SPEC_HEADER + ",生效日期",
            "P1,黄鹤楼(硬),黄鹤楼,二类,190,220,是,2020-01-01,2025-09-22",
            "P2,红塔山(经典),红塔山,三类,95,100,否,2020-01-01,2025/9/29",
        ),
        "调价.csv",
        "2025-10-08",
    )
    return db


def weekly(frame, column, level_key="city"):
    frame = frame[frame["level_key"] == level_key]
    return dict(zip(frame["week"].astype(str), frame[column]))


def test_price_index_reads_the_suggested_price_in_force_each_week(price_change_city):
    # week 2 at 200: Σ p·q = 204·10 + 198·20 + 196·10 + 100·20 = 2040 + 3960 + 1960 + 2000 = 9960
    #                Σ ps·q = 200·40 + 100·20 = 10000 → 99.6   (at today's 220 it would read
    #                10800 → 92.22: the re-import must not rewrite the past)
    # week 4 at 220: (220·10 + 100·10) / (220·10 + 100·10) → 100.0
    # week 5 at 220: Σ p·q = 222·10 + 218·20 + 216·10 + 100·20 = 2220 + 4360 + 2160 + 2000 = 10740
    #                Σ ps·q = 220·40 + 100·20 = 10800 → 99.444
    got = weekly(metrics.price_index(V2, V5), "price_index")
    assert got == pytest.approx({V2: 100 * 9960 / 10000, V4: 100.0, V5: 100 * 10740 / 10800})
    assert weekly(metrics.price_index(V2, V5), "suggested_value") == pytest.approx({V2: 10000, V4: 3200, V5: 10800})
    # by 片区, week 2: T1 (2040 + 3960 + 2000) / (200·30 + 2000) = 8000 / 8000; T2 1960 / 2000
    # week 5: T1 (2220 + 4360 + 2000) / (220·30 + 2000) = 8580 / 8600; T2 2160 / 2200
    by_t = metrics.price_index(V2, V5, level="territory")
    assert weekly(by_t, "price_index", "T1") == pytest.approx({V2: 100.0, V4: 100.0, V5: 100 * 8580 / 8600})
    assert weekly(by_t, "price_index", "T2") == pytest.approx({V2: 98.0, V5: 100 * 2160 / 2200})


def test_price_compliance_reads_the_suggested_price_in_force_each_week(price_change_city):
    # ±2% of 200 in week 2 is 196 … 204: P1's 204, 198 and 196 are in (two on the bound), P2's
    # 100 too → 4 of 4 (against 220 all three P1 prices would be below: 1 of 4).
    # ±2% of 220 in week 5 is 215.6 … 224.4: 222, 218, 216 in, P2 100 in → 4 of 4.
    frame = metrics.price_compliance(V2, V5, tolerance=0.02)
    assert weekly(frame, "compliance_rate") == {V2: 1.0, V4: 1.0, V5: 1.0}
    assert weekly(frame, "below") == {V2: 0, V4: 0, V5: 0}


def test_a_wholesale_change_moves_margin_and_average_price_from_its_week_on(price_change_city):
    # 毛利率 = Σ (p − wholesale in force)·q ÷ Σ p·q
    # week 2 (P1 180, P2 90): (24·10 + 18·20 + 16·10 + 10·20) / 9960 = (240 + 360 + 160 + 200) / 9960 = 960 / 9960
    # week 4 (P1 190 from 09-22, P2 still 90): (30·10 + 10·10) / (2200 + 1000) = 400 / 3200
    # week 5 (P1 190, P2 95 from 09-29): (32·10 + 28·20 + 26·10 + 5·20) / 10740 = (320 + 560 + 260 + 100) / 10740
    margin = weekly(metrics.retail_margin(V2, V5), "retail_margin")
    assert margin == pytest.approx({V2: 960 / 9960, V4: 400 / 3200, V5: 1240 / 10740})
    # 单条均价 = Σ q · wholesale in force ÷ Σ q
    # week 2: (180·40 + 90·20) / 60 = 9000 / 60 = 150;  week 4: (190·10 + 90·10) / 20 = 140
    # week 5: (190·40 + 95·20) / 60 = 9500 / 60 = 158.33 (at today's prices week 2 would read 158.33 too)
    avg = weekly(metrics.avg_price_per_carton(V2, V5), "avg_price_per_carton")
    assert avg == pytest.approx({V2: 150.0, V4: 140.0, V5: 9500 / 60})
    # P2's suggested price did not change: its own index stays where it was
    assert weekly(metrics.price_index(V2, V5, level="spec"), "price_index", "P2") == pytest.approx(
        {V2: 100.0, V4: 100.0, V5: 100.0}
    )


def test_market_state_reads_the_prices_in_force(price_change_city):
    # 片区 T2, P1: week 2 R3 sold 10 at 196 against 200 → 98.0, margin (196 − 180) / 196;
    # week 5: 216 against 220 → 98.18, margin (216 − 190) / 216
    cells = metrics.market_state(V2, V5)
    p1 = cells[(cells["spec_code"] == "P1") & (cells["territory_code"] == "T2")]
    weeks = list(p1["week"].astype(str))
    assert dict(zip(weeks, p1["price_index"])) == pytest.approx({V2: 98.0, V5: 100 * 216 / 220})
    assert dict(zip(weeks, p1["margin"])) == pytest.approx({V2: 16 / 196, V5: 26 / 216})


def test_a_price_list_without_a_date_holds_from_the_import_weeks_monday(price_change_city):
    # filed Wednesday 2025-10-08 without 生效日期: P1 at 230 from Monday 2025-10-06 (week 6);
    # week 5 keeps 220 (99.444 as above); week 6: R1 sold 10 at 230 → 230·10 / (230·10) = 100
    # (against 220 it would read 104.55)
    _import(
        price_change_city, _file(SPEC_HEADER, "P1,黄鹤楼(硬),黄鹤楼,二类,190,230,是,2020-01-01"), "s.csv", "2025-10-08"
    )
    got = weekly(metrics.price_index(V5, V6), "price_index")
    assert got == pytest.approx({V5: 100 * 10740 / 10800, V6: 100.0})


@pytest.mark.parametrize(
    "scope, key",
    [(store.Scope(territory_code="T2"), "T2"), (store.Scope(cm_code="C2"), "C2")],
    ids=["territory", "cm"],
)
def test_scoped_price_index_reads_the_prices_in_force(price_change_city, scope, key):
    # seen from 片区 T2 (or its customer manager C2) the city is R3: week 2 196 / 200 → 98.0,
    # week 5 216 / 220 → 98.18; the level key of the scope reads the same
    level = "territory" if key.startswith("T") else "cm"
    city = metrics.price_index(V2, V5, scope=scope)
    assert weekly(city, "price_index") == pytest.approx({V2: 98.0, V5: 100 * 216 / 220})
    own = metrics.price_index(V2, V5, level=level, scope=scope)
    assert set(own["level_key"]) == {key}
    assert weekly(own, "price_index", key) == pytest.approx({V2: 98.0, V5: 100 * 216 / 220})
    margin = metrics.retail_margin(V2, V5, level=level, scope=scope)
    assert weekly(margin, "retail_margin", key) == pytest.approx({V2: 16 / 196, V5: 26 / 216})


# ── a retailer move filed late (生效日期 in the past) ──────────────────────────


def _move_r2(db, effective: str | None, today: str = "2025-10-08"):
    header = "许可证号,零售户名称,业态,档位,片区编码,客户经理编码" + (",生效日期" if effective else "")
    row = "R2,西街食杂店,食杂店,12,T2,C2" + (f",{effective}" if effective else "")
    return _import(db, _file(header, row), "moved.csv", today)


def test_a_move_filed_late_changes_both_territories_from_its_date(price_change_city):
    # R2 moved from T1/C1 to T2/C2 on 2025-09-22 (week 4); filed in week 6.
    # sales by 片区, week 2 (R2 still in T1): T1 10 + 20 + 20 = 50, T2 10
    # week 5 (R2 in T2): T1 R1's 10 + 20 = 30, T2 R2's 20 + R3's 10 = 30
    before = metrics.sales_volume(V2, V5, level="territory")
    assert weekly(before, "sales_qty", "T1") == {V2: 50, V4: 20, V5: 50}
    _move_r2(price_change_city, "2025-09-22")
    after = metrics.sales_volume(V2, V5, level="territory")
    assert weekly(after, "sales_qty", "T1") == {V2: 50, V4: 20, V5: 30}
    assert weekly(after, "sales_qty", "T2") == {V2: 10, V5: 30}
    # price index week 5: T1 (222·10 + 100·20) / (220·10 + 100·20) = 4220 / 4200
    #                     T2 (218·20 + 216·10) / (220·30) = 6520 / 6600; week 2 as before
    index = metrics.price_index(V2, V5, level="territory")
    assert weekly(index, "price_index", "T1") == pytest.approx({V2: 100.0, V4: 100.0, V5: 100 * 4220 / 4200})
    assert weekly(index, "price_index", "T2") == pytest.approx({V2: 98.0, V5: 100 * 6520 / 6600})
    # a 片区 scope and a customer-manager scope see the move the same way
    for scope in (store.Scope(territory_code="T2"), store.Scope(cm_code="C2")):
        assert weekly(metrics.sales_volume(V2, V5, scope=scope), "sales_qty") == {V2: 10, V5: 30}
    assert weekly(metrics.sales_volume(V2, V5, scope=store.Scope(cm_code="C1")), "sales_qty") == {
        V2: 50,
        V4: 20,
        V5: 30,
    }
    _assert_rollups_equal_rebuild(price_change_city)


def test_a_move_without_a_date_starts_on_the_import_weeks_monday(price_change_city):
    # filed Wednesday 2025-10-08 without 生效日期: R2 is in T2 from Monday 2025-10-06, so
    # weeks 2 and 5 stay with T1 (50 and 50)
    _move_r2(price_change_city, None)
    after = metrics.sales_volume(V2, V5, level="territory")
    assert weekly(after, "sales_qty", "T1") == {V2: 50, V4: 20, V5: 50}
    assert weekly(after, "sales_qty", "T2") == {V2: 10, V5: 10}
    _assert_rollups_equal_rebuild(price_change_city)


def _assert_rollups_equal_rebuild(path):
    tables = ["weekly_observation", "retailer_visit", "retailer_week", "market_cell"]
    with duckdb.connect(str(path), read_only=True) as con:
        before = {t: con.execute(f"select * from {t} order by all").fetchall() for t in tables}
    with store.writer(path) as con:
        rollup.rebuild(con)
    with duckdb.connect(str(path), read_only=True) as con:
        assert {t: con.execute(f"select * from {t} order by all").fetchall() for t in tables} == before


def test_the_demo_citys_planted_price_change_shows_from_its_week(demo_store):
    # the small city's 调价 (demo_truth kind price_change): one spec's suggested and wholesale
    # prices cut from a Monday ten weeks before the end; shops relabel on the day
    reader = store.reader(demo_store)
    row = reader.sql("select * from demo_truth where kind = 'price_change'").iloc[0]
    spec, week = row.spec_code, row.first_week.date()
    periods = reader.sql(
        "select valid_from, valid_to, wholesale_price::double as w, suggested_retail_price::double as s "
        "from spec_price where spec_code = $s order by valid_from",
        {"s": spec},
    )
    assert [d.date() for d in periods.valid_from] == [dt.date(1900, 1, 1), week]
    (old_w, new_w), (old_s, new_s) = periods.w.tolist(), periods.s.tolist()
    assert new_s < old_s and new_w / new_s < old_w / old_s  # cheaper, with a wider margin for the shops
    before, last = week - dt.timedelta(weeks=2), week + dt.timedelta(weeks=1)
    # read at the price in force, the index stays near 100 on both sides of the change
    index = metrics.price_index(before, last, level="spec", spec_code=spec, path=demo_store)
    assert len(index) == 4 and index["price_index"].between(97, 104).all()
    # the actual prices step down with the list: the chained index's link at the change week
    link = metrics.chained_price_index(
        week - dt.timedelta(weeks=1), week, level="spec", spec_code=spec, path=demo_store
    )["link"]
    assert link.iloc[-1] == pytest.approx(new_s / old_s, abs=0.02)
    # 单条均价 of the spec alone is its wholesale price in force: the old one, then the new one
    avg = metrics.avg_price_per_carton(before, last, product_level="spec", spec_code=spec, path=demo_store)
    assert list(avg["avg_price_per_carton"]) == pytest.approx([old_w, old_w, new_w, new_w])
    margin = metrics.retail_margin(before, last, level="spec", spec_code=spec, path=demo_store)["retail_margin"]
    assert margin.iloc[2:].min() > margin.iloc[:2].max()
