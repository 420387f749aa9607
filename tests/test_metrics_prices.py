"""价格指数, 价格执行率, 零售毛利率 and the chained index on hand-made stores.

Expected values are worked out by hand in the comments, not by calling the code.
"""

from __future__ import annotations

import pytest

from marketpulse import cli, metrics, rollup, store

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
