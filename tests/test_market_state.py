"""市场状态 (market_state) on a hand-made city: bands, states and scores worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from marketpulse import cli, metrics, rollup, store

W0, W1, W2, W3 = "2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22"

RETAILERS = [
    # license, territory, cm, 业态, 档位 → customer group (业态, band, 城网/农网 from the 片区)
    ("R1", "T1", "C1", "食杂店", 8),  # 食杂店 · 06-15 · 城网 → point *,*,*  (0.5–2.0)
    ("R2", "T1", "C4", "超市", 3),  # 超市 · 01-05 · 城网   → point 超市,*,* (0.6–2.5)
    ("R3", "T2", "C2", "便利店", 20),  # 便利店 · 16-25 · 城网 → point *,*,*
    ("R4", "T3", "C3", "食杂店", 8),  # 食杂店 · 06-15 · 农网 → point *,*,农网 (0.6–2.4)
]

# S1: wholesale 400, suggested 450; S2: wholesale 90, suggested 100.
# Every week W0..W3 alike: (retailer, spec, stock, price, sales)
WEEKLY = [
    ("R1", "S1", 30, 450, 30),
    ("R2", "S1", 30, 450, 10),
    ("R3", "S1", 2, 468, 10),
    ("R4", "S1", 10, 423, 10),
    ("R4", "S2", 20, 100, 0),
    ("R2", "S2", 9, 100, 3),
]


def build_city(con):
    con.execute("insert into department values ('D1', '城区市场部'), ('D2', '县区市场部')")
    con.execute(
        "insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网'), "
        "('T3', '北乡', 'D2', '农网')"
    )
    con.execute(
        "insert into customer_manager values ('C1', '张三', 'T1'), ('C4', '赵六', 'T1'), "
        "('C2', '李四', 'T2'), ('C3', '王五', 'T3')"
    )
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
    for week in (W0, W1, W2, W3):
        for lic, spec, stock, price, sales in WEEKLY:
            con.execute(
                "insert into visit_line values (?, ?, ?, ?, ?, ?, true, ?, null, 1)",
                [week, cm_of[lic], lic, spec, stock, price, sales],
            )
    rollup.rebuild(con)


@pytest.fixture
def city(db):
    with store.writer(db) as con:
        build_city(con)
    return db


def cells(scope=store.CITY, week_from=W3, **filters):
    frame = metrics.market_state(week_from, week_from, scope=scope, **filters)
    return {(row.spec_code, row.territory_code): row for row in frame.itertuples()}


def test_a_mixed_cell_takes_the_sales_weighted_band(city):
    # S1 × T1: R1 sold 30 a week (120 in four weeks) on band 0.5–2.0; R2 sold 10 (40) on
    # 超市's 0.6–2.5. Weights 3 : 1 → low (3·0.5 + 0.6) / 4 = 0.525, high (3·2.0 + 2.5) / 4 = 2.125.
    # Stock 30 + 30 = 60 over mean sales 40 → ratio 1.5: balanced; price index 100.
    a = cells()[("S1", "T1")]
    assert (a.ratio_low, a.ratio_high, a.index_tight, a.index_loose) == pytest.approx((0.525, 2.125, 100, 95))
    assert a.ratio == pytest.approx(1.5) and a.price_index == pytest.approx(100)
    assert a.state == "balanced"
    # cover 100·(2.125 − 1.5)/(2.125 − 0.525) = 39.0625; price 100·(100 − 95)/5 = 100;
    # margin 50/450 = 0.11111 → 100·(0.11111 − 0.06)/0.12 = 42.5926;
    # score 0.4·39.0625 + 0.4·100 + 0.2·42.5926 = 15.625 + 40 + 8.5185 = 64.1435
    assert (a.cover_score, a.price_score, a.margin_score) == pytest.approx((39.0625, 100, 42.5926), abs=1e-4)
    assert a.state_score == pytest.approx(64.1435, abs=1e-4)
    assert (a.cover_weight, a.price_weight, a.margin_weight) == (0.4, 0.4, 0.2)


def test_without_sales_the_groups_weigh_by_stock_and_failing_that_equally(city):
    # R5 (超市 · 01-05 · 农网, in T3 beside R4): 超市,*,* beats *,*,农网 and *,01-05,* on the
    # tie of one named field → 0.6–2.5; R4 (食杂店 · 06-15 · 农网) takes *,*,农网 → 0.6–2.4.
    with store.writer(city) as con:
        con.execute("insert into retailer values ('R5', '店R5', '超市', 3, 'T3', 'C3', null, null, null)")
        con.execute("insert into retailer_assignment values ('R5', date '1900-01-01', null, 'T3', 'C3', '超市', 3)")
        con.execute("insert into spec values ('S3', '玉溪(软)', '玉溪', '二类', 200, 230, false, date '2020-01-01')")
        for week in (W0, W1, W2, W3):
            for lic, spec, stock in (("R5", "S2", 5), ("R4", "S3", 0), ("R5", "S3", 0)):
                con.execute(
                    "insert into visit_line values (?, 'C3', ?, ?, ?, null, true, 0, null, 1)", [week, lic, spec, stock]
                )
        rollup.rebuild(con)
    got = cells()
    # S2 × T3: nothing sold in four weeks; stock R4 20, R5 5 → weights 20 : 5,
    # high (20·2.4 + 5·2.5) / 25 = (48 + 12.5) / 25 = 2.42, low 0.6 (both 0.6), target 1.5
    b = got[("S2", "T3")]
    assert (b.ratio_low, b.ratio_high, b.target_cover) == pytest.approx((0.6, 2.42, 1.5))
    assert (b.stock_qty, b.state) == (25, "loose")
    # S3 × T3: no sales and no stock → each group weighs 1: high (2.4 + 2.5) / 2 = 2.45
    c = got[("S3", "T3")]
    assert (c.ratio_low, c.ratio_high, c.index_tight, c.index_loose) == pytest.approx((0.6, 2.45, 100, 95))
    assert pd.isna(c.ratio) and pd.isna(c.state)  # no cover, no price: no state


def test_tight_loose_and_undefined_cover(city):
    got = cells()
    # S1 × T2: stock 2 over sales 10 → 0.2 < 0.5 and index 468/450 = 104 ≥ 100 → tight;
    # cover 100, price 100, margin 68/468 = 0.145299 → 71.0826; score 40 + 40 + 14.2165
    b = got[("S1", "T2")]
    assert (b.state, b.ratio, b.price_index) == ("tight", pytest.approx(0.2), pytest.approx(104))
    assert b.state_score == pytest.approx(94.2165, abs=1e-4)
    # S1 × T3 (农网 band 0.6–2.4): cover 1.0 is fine but index 423/450 = 94 < 95 → loose;
    # cover 100·(2.4 − 1.0)/1.8 = 77.7778, price 0, margin 23/423 = 0.0544 → 0; score 0.4·77.7778
    c = got[("S1", "T3")]
    assert (c.state, c.ratio_low, c.ratio_high, c.price_index) == ("loose", 0.6, 2.4, pytest.approx(94))
    assert (c.cover_score, c.price_score, c.margin_score) == pytest.approx((77.7778, 0, 0), abs=1e-4)
    assert c.state_score == pytest.approx(31.1111, abs=1e-4)
    # S2 × T3: 20 in stock, nothing sold in four weeks: ratio undefined (null), yet loose;
    # price and margin unknown → the score is the cover score alone: 0
    d = got[("S2", "T3")]
    assert d.ratio != d.ratio and d.price_index != d.price_index  # null
    assert (d.state, d.cover_score, d.state_score) == ("loose", 0, 0)


def test_a_threshold_row_edited_as_data_changes_the_state(city):
    assert cells()[("S1", "T1")].state == "balanced"
    with store.writer(city) as con:  # no rebuild: bands are read when the query runs
        con.execute(
            "update monitoring_point set ratio_high = 1.0 where format = '*' and tier_band = '*' and area_type = '*'"
        )
    # high (3·1.0 + 2.5) / 4 = 1.375 < ratio 1.5 → loose
    a = cells()[("S1", "T1")]
    assert a.ratio_high == pytest.approx(1.375)
    assert a.state == "loose" and a.cover_score == 0


def test_a_weight_edited_as_data_changes_the_score(city):
    with store.writer(city) as con:
        con.execute("update state_score_weight set weight = 0 where signal = 'price_index'")
    # (0.4·39.0625 + 0.2·42.5926) / 0.6 = (15.625 + 8.5185) / 0.6 = 40.2392
    a = cells()[("S1", "T1")]
    assert a.price_weight == 0
    assert a.state_score == pytest.approx(40.2392, abs=1e-4)


def test_the_most_specific_monitoring_point_wins(city):
    # S2 × T1 holds only R2 (超市 · 01-05 · 城网): stock 9, sales 3 a week → ratio 3.0, index 100
    def band():
        e = cells()[("S2", "T1")]
        assert e.ratio == pytest.approx(3.0)
        return round(e.ratio_high, 9), e.state

    with store.writer(city) as con:
        # one named field each: 超市,*,* (high 2.5) and *,01-05,* (made 3.5): 业态 wins the tie
        con.execute("update monitoring_point set ratio_high = 3.5 where format = '*' and tier_band = '01-05'")
    assert band() == (2.5, "loose")
    with store.writer(city) as con:  # two named fields beat one
        con.execute("insert into monitoring_point values ('超市', '01-05', '*', 0.6, 3.2, 100, 95, 1.5)")
    assert band() == (3.2, "balanced")
    with store.writer(city) as con:  # two against two: 业态 named beats 城网/农网 named
        con.execute("insert into monitoring_point values ('*', '01-05', '城网', 0.6, 2.8, 100, 95, 1.5)")
    assert band() == (3.2, "balanced")
    with store.writer(city) as con:  # all three named: the most specific of all
        con.execute("insert into monitoring_point values ('超市', '01-05', '城网', 0.6, 2.9, 100, 95, 1.5)")
    assert band() == (2.9, "loose")


def test_signals_agree_with_their_own_queries(city):
    for spec in ("S1", "S2"):
        state = metrics.market_state(W3, W3, spec_code=spec).set_index("territory_code")
        ratio = metrics.inventory_ratio(W3, W3, level="territory", spec_code=spec).set_index("level_key")
        index = metrics.price_index(W3, W3, level="territory", spec_code=spec).set_index("level_key")
        margin = metrics.retail_margin(W3, W3, level="territory", spec_code=spec).set_index("level_key")
        assert state["stock_qty"].to_dict() == ratio["stock_qty"].to_dict()
        assert state["ratio"].dropna().to_dict() == pytest.approx(ratio["ratio"].dropna().to_dict())
        assert state["price_index"].dropna().to_dict() == pytest.approx(index["price_index"].to_dict())
        assert state["margin"].dropna().to_dict() == pytest.approx(margin["retail_margin"].to_dict())


def test_a_customer_group_filter_keeps_its_retailers_and_their_band(city):
    # 食杂店 only: S1 × T1 is R1 alone: 30 / 30 = 1.0 on *,*,* (0.5–2.0)
    a = cells(format="食杂店")[("S1", "T1")]
    assert (a.ratio, a.ratio_low, a.ratio_high) == pytest.approx((1.0, 0.5, 2.0))
    assert ("S1", "T2") not in cells(format="食杂店")


def test_a_product_filter_keeps_its_specs_cells_as_they_are(city):
    everything = cells()
    # 中华 is S1's brand, 三类 S2's 价类: their cells, unchanged (a cell is one spec's)
    for filters, spec in (({"brand": "中华"}, "S1"), ({"price_class": "三类"}, "S2"), ({"spec_code": "S2"}, "S2")):
        got = cells(**filters)
        assert set(got) == {key for key in everything if key[0] == spec}, filters
        assert all(
            got[key].state_score == everything[key].state_score for key in got if not pd.isna(got[key].state_score)
        )
    assert cells(brand="中华", price_class="三类") == {}


@pytest.mark.parametrize(
    "scope, territories",
    [(store.Scope(territory_code="T2"), {"T2"}), (store.Scope(department_code="D2"), {"T3"})],
)
def test_scoped_run_sees_nothing_outside_its_scope(city, scope, territories):
    assert {t for _, t in cells(scope=scope)} == territories


def test_a_customer_manager_sees_cells_of_their_retailers_only(city):
    # C1 has R1 only: S1 × T1 is 30 / 30 = 1.0 on band 0.5–2.0 (R2 of C4 left out)
    mine = cells(scope=store.Scope(cm_code="C1"))
    assert set(mine) == {("S1", "T1")}
    assert (mine[("S1", "T1")].ratio, mine[("S1", "T1")].ratio_high) == pytest.approx((1.0, 2.0))


def test_incremental_refresh_of_market_cells_equals_rebuild(city):
    with store.writer(city) as con:
        con.execute("insert into visit_line values ('2025-09-29', 'C2', 'R3', 'S1', 1, 470, true, 4, null, 2)")
        con.execute("insert into visit_line values ('2025-09-23', 'C1', 'R1', 'S1', 28, 450, true, 5, null, 2)")
        con.execute(
            "create temp table new_rows as select * from (values ('R3', 'S1', date '2025-09-29'), "
            "('R1', 'S1', date '2025-09-23')) as t(license_no, spec_code, from_date)"
        )
        rollup.refresh(con, "new_rows")
        incremental = con.execute("select * from market_cell order by all").fetchall()
        rollup.rebuild(con)
        assert con.execute("select * from market_cell order by all").fetchall() == incremental
        # one row per cell key (the table has no primary key; the builder groups by it)
        assert con.execute(
            "select count(*) = count(distinct (week, spec_code, territory_code, cm_code, format, tier_band, area_type)) "
            "from market_cell"
        ).fetchone()[0]
        # R1's two visits in W3: sales 30 + 5, stock of the last one 28
        assert con.execute(
            "select stock_qty, sales_qty from market_cell where week = ? and cm_code = 'C1'", [W3]
        ).fetchone() == (28, 35)


def test_cli_runs_market_state(city, capsys):
    code = cli.main(
        [
            "query",
            "market_state",
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
    assert out.splitlines()[0].startswith("week,spec_code,spec_name,territory_code,territory_name")
    assert ",tight," in out and ",loose," in out and ",balanced," in out


def test_low_cover_alone_makes_a_cell_tight_when_no_price_was_observed(city):
    # S1 × T2 is R3 alone: stock 2 over sales 10 a week → ratio 0.2 < 0.5. With no price
    # written down in W3 the price index is unknown: low cover alone makes the cell tight.
    # Score: cover 100 is the only known signal (margin needs a price too) → 100.
    with store.writer(city) as con:
        con.execute(f"update visit_line set retail_price = null where license_no = 'R3' and visit_date = '{W3}'")
        rollup.rebuild(con)
    b = cells()[("S1", "T2")]
    assert b.price_index != b.price_index and b.margin != b.margin  # null
    assert (b.ratio, b.state, b.cover_score, b.state_score) == (pytest.approx(0.2), "tight", 100, 100)
    # a price observed below index_tight (445 / 450 = 98.9 < 100, yet ≥ 95) is evidence
    # against tightness: balanced
    with store.writer(city) as con:
        con.execute(f"update visit_line set retail_price = 445 where license_no = 'R3' and visit_date = '{W3}'")
        rollup.rebuild(con)
    b = cells()[("S1", "T2")]
    assert b.price_index == pytest.approx(100 * 445 / 450)
    assert b.state == "balanced"


# ── a retailer that changes 片区 ─────────────────────────────────────────────

M1, M2, M3, M4 = W0, W1, W2, W3


@pytest.fixture
def moving_city(db):
    """片区 T1 (C1) and T2 (C2), 城网, S1 at 450 every week (index 100). RA (食杂店 · 06-15, band
    0.5–2.0) stays in T1, RB (食杂店 · 06-15) in T2; RM (超市 · 01-05, band 0.6–2.5) is in T1
    for weeks 1–3 and moves to T2 (and C2) from week 4. Weekly stock and sales: RA 20 and 10,
    RB 12 and 4, RM 15 and 2, 4, 6, 8."""
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '城区市场部')")
        con.execute("insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网')")
        con.execute("insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T2')")
        con.execute(
            "insert into retailer values ('RA', '店RA', '食杂店', 8, 'T1', 'C1', null, null, null), "
            "('RB', '店RB', '食杂店', 8, 'T2', 'C2', null, null, null), "
            "('RM', '店RM', '超市', 3, 'T2', 'C2', null, null, null)"
        )
        con.execute(
            "insert into retailer_assignment values "
            "('RA', date '1900-01-01', null, 'T1', 'C1', '食杂店', 8), "
            "('RB', date '1900-01-01', null, 'T2', 'C2', '食杂店', 8), "
            f"('RM', date '1900-01-01', date '{M4}', 'T1', 'C1', '超市', 3), "
            f"('RM', date '{M4}', null, 'T2', 'C2', '超市', 3)"
        )
        con.execute("insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01')")
        for week, rm_sales in ((M1, 2), (M2, 4), (M3, 6), (M4, 8)):
            for lic, cm, stock, sales in (
                ("RA", "C1", 20, 10),
                ("RB", "C2", 12, 4),
                ("RM", "C1" if week < M4 else "C2", 15, rm_sales),
            ):
                con.execute(
                    "insert into visit_line values (?, ?, ?, 'S1', ?, 450, true, ?, null, 1)",
                    [week, cm, lic, stock, sales],
                )
        rollup.rebuild(con)
    return db


def test_after_a_move_cover_and_bands_follow_the_retailers_of_the_week(moving_city):
    # Week 4, each retailer's own trailing sales (weeks 1–4): RA 40, RB 16, RM 2+4+6+8 = 20.
    # S1 × T2 = RB + RM: ratio (12 + 15) / ((16 + 20) / 4) = 27 / 9 = 3.0. Its band weighs the
    # groups by those own sales, 16 : 20 → low (16·0.5 + 20·0.6) / 36 = 0.5556, high
    # (16·2.0 + 20·2.5) / 36 = 2.2778; 3.0 > 2.2778 → loose, cover score 0.
    # (Over T2's credited weeks alone RM's group would weigh 8 and the ratio be 27 / 6 = 4.5.)
    got = cells(week_from=M4)
    b = got[("S1", "T2")]
    assert (b.stock_qty, b.avg_weekly_sales_4w, b.ratio) == (27, 9, 3.0)
    assert (b.ratio_low, b.ratio_high) == pytest.approx((20 / 36, 82 / 36))
    assert (b.state, b.cover_score) == ("loose", 0)
    # S1 × T1 = RA alone: 20 / 10 = 2.0 on 0.5–2.0 (not above the high point), index 100 → balanced
    a = got[("S1", "T1")]
    assert (a.ratio, a.ratio_low, a.ratio_high, a.state) == (2.0, 0.5, 2.0, "balanced")
    # the same cover as 存销比's
    ratio = metrics.inventory_ratio(M4, M4, level="territory", spec_code="S1").set_index("level_key")
    assert {t: got[("S1", t)].ratio for t in ("T1", "T2")} == pytest.approx(ratio["ratio"].to_dict())


@pytest.mark.parametrize(
    "scope, cell, expected",
    [
        (store.Scope(territory_code="T2"), ("S1", "T2"), (3.0, 82 / 36)),
        (store.Scope(cm_code="C2"), ("S1", "T2"), (3.0, 82 / 36)),
        (store.Scope(cm_code="C1"), ("S1", "T1"), (2.0, 2.0)),
    ],
)
def test_a_move_under_a_scope(moving_city, scope, cell, expected):
    got = cells(scope=scope, week_from=M4)
    assert set(got) == {cell}
    assert (got[cell].ratio, got[cell].ratio_high) == pytest.approx(expected)


# ── market signals in notes ──────────────────────────────────────────────────

NOTES = [
    # (week, retailer, spec, notes)
    (W3, "R1", "S1", "民工回流明显,返乡的多"),  # two keywords of one signal: one mention
    (W3, "R2", "S1", "隔壁搞促销"),  # the same note on two spec lines of one
    (W3, "R2", "S2", "隔壁搞促销"),  # visit: one mention
    (W2, "R2", "S1", "竞品促销"),
    (W3, "R3", "S1", "有假烟,乱渠道"),
    (W3, "R4", "S1", "民工回流"),
]


@pytest.fixture
def noted(city):
    with store.writer(city) as con:
        for week, lic, spec, text in NOTES:
            con.execute(
                "update visit_line set notes = ? where visit_date = ? and license_no = ? and spec_code = ?",
                [text, week, lic, spec],
            )
    return city


def signals(level, scope=store.CITY, week_from=W3, week_to=W3):
    frame = metrics.notes_signals(week_from, week_to, level=level, scope=scope)
    return {(str(r.week)[:10], r.level_key, r.signal): (r.mentions, r.retailers) for r in frame.itertuples()}


def test_notes_signals_by_territory(noted):
    assert signals("territory") == {
        (W3, "T1", "competitor_promo"): (1, 1),
        (W3, "T1", "migrant_return"): (1, 1),
        (W3, "T2", "counterfeit"): (1, 1),
        (W3, "T3", "migrant_return"): (1, 1),
    }
    frame = metrics.notes_signals(W3, W3, level="territory")
    row = frame[frame["signal"] == "counterfeit"].iloc[0]
    assert (row["level_name"], row["signal_zh"], row["signal_en"]) == (
        "西片",
        "假烟/乱渠道",
        "Counterfeits / grey channel",
    )


def test_notes_signals_over_weeks_for_the_city(noted):
    assert signals("city", week_from=W2) == {
        (W2, "city", "competitor_promo"): (1, 1),
        (W3, "city", "competitor_promo"): (1, 1),
        (W3, "city", "counterfeit"): (1, 1),
        (W3, "city", "migrant_return"): (2, 2),  # R1 in T1 and R4 in T3
    }


def test_a_keyword_added_as_data_is_counted(noted):
    with store.writer(noted) as con:
        con.execute("insert into note_keyword values ('隔壁', 'neighbour', '邻店动态', 'Neighbouring shops')")
    assert signals("cm")[(W3, "C4", "neighbour")] == (1, 1)


@pytest.mark.parametrize(
    "scope, expected",
    [
        (store.Scope(territory_code="T2"), {(W3, "T2", "counterfeit")}),
        (store.Scope(cm_code="C4"), {(W3, "T1", "competitor_promo")}),
    ],
)
def test_notes_signals_scoped_run_sees_nothing_outside_its_scope(noted, scope, expected):
    assert set(signals("territory", scope=scope)) == expected


def test_cli_runs_notes_signals(noted, capsys):
    code = cli.main(
        [
            "query",
            "notes_signals",
            "--param",
            "level=territory",
            "--param",
            f"week_from={W3}",
            "--param",
            f"week_to={W3}",
            "--format",
            "csv",
        ]
    )
    assert code == 0
    assert "T3,北乡,migrant_return,民工回流,Migrant workers returning,1,1" in capsys.readouterr().out


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


def test_demo_city_planted_market_events_show_in_market_state(demo_city):
    reader = store.Reader(demo_city)
    truth = reader.sql("select * from demo_truth where kind in ('overstock', 'discounting', 'stockout')")
    assert set(truth.kind) == {"overstock", "discounting", "stockout"}
    span = reader.sql("select min(week) as first, max(week) as last from weekly_observation").iloc[0]
    cells = metrics.market_state(span["first"], span["last"], path=demo_city)
    cells["planted"] = False
    for event in truth.itertuples():
        spell = (
            (cells.spec_code == event.spec_code)
            & (cells.territory_code == event.territory_code)
            & cells.week.between(event.first_week, event.last_week)
        )
        cells.loc[spell, "planted"] = True
        got = cells[spell]
        assert len(got) > 0, event
        if event.kind == "discounting":  # the discounting spell: price index below 95, loose
            assert (got.price_index < 95).all() and (got.state == "loose").all()
            index = metrics.price_index(
                event.first_week, event.last_week, level="territory", spec_code=event.spec_code, path=demo_city
            )
            assert (index[index.level_key == event.territory_code].price_index < 95).all()
        elif event.kind == "overstock":  # stock piles up beyond the high band: loose
            assert (got.ratio > got.ratio_high).all() and (got.state == "loose").all()
        else:  # stock-out: cover below the low band, prices up: tight
            assert (got.ratio < got.ratio_low).all() and (got.state == "tight").all()
    # the quiet rest of the city (after the first four weeks, which lack a full average)
    quiet = cells[~cells.planted & (cells.week >= span["first"] + pd.Timedelta(days=21))]
    flagged = (quiet.state != "balanced").mean()
    print(f"\nmarket_state on the quiet cells: {flagged:.1%} of {len(quiet)} cells tight or loose")
    assert flagged < 0.05


def test_a_band_all_groups_share_is_that_value_exactly(demo_city):
    # A cell's band is its groups' bands weighted by sales; where the groups with a say share a
    # value (0.6 floor, 2.5 ceiling, ...), the average is that value itself, not 0.6 give or take
    # the last bit of a floating-point sum, so a cell exactly on a line is judged as on it.
    reader = store.Reader(demo_city)
    points = reader.sql("select * from monitoring_point")
    span = reader.sql("select min(week) as first, max(week) as last from weekly_observation").iloc[0]
    cells = metrics.market_state(span["first"], span["last"], path=demo_city)
    for band in ("ratio_low", "ratio_high", "index_tight", "index_loose", "target_cover"):
        values = sorted(set(points[band]))
        near = cells[cells[band].map(lambda v, values=values: any(abs(v - x) < 1e-9 for x in values))]
        assert len(near) > 20, band  # cells whose groups share the value
        assert near[band].isin(values).all(), (band, near[~near[band].isin(values)][band].head())


def test_the_same_question_gets_the_same_states_every_time(demo_city):
    # The bands are sums over many rows; summed in decimals they do not depend on the order a
    # parallel sum meets the rows, so a cell exactly on a line is judged the same on every run.
    reader = store.Reader(demo_city)
    span = reader.sql("select min(week) as first, max(week) as last from weekly_observation").iloc[0]
    first = metrics.market_state(span["first"], span["last"], path=demo_city, tier_band="06-15")
    for _ in range(3):
        again = metrics.market_state(span["first"], span["last"], path=demo_city, tier_band="06-15")
        pd.testing.assert_frame_equal(again, first, check_exact=True)
