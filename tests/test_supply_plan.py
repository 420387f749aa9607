"""The supply plan (货源投放) on hand-worked numbers: whole-number 限量 per 档位, each retailer's own
限量 (its whole need up to its 档位's) summing within the available quantity, monotone in 档位,
tight first and loose capped, a spec with no stock, demand shared by recent sales, the
reasons' arithmetic, the order file's columns, the checks of an edited plan, and approval
kept with who and when."""

from __future__ import annotations

import io

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pytest

from marketpulse import i18n, supply
from marketpulse.supply import PlanInputs

POLICY = supply.make_policy(
    pd.DataFrame(
        [
            {"state": "*", "format": "*", "tier_band": "*", "area_type": "*", "target_cover": 1.0},
            {"state": "loose", "format": "*", "tier_band": "*", "area_type": "*", "target_cover": 0.5},
        ]
    ),
    pd.DataFrame([{"tier_from": 1, "tier_to": 30, "min_limit": 0, "max_limit": 100}]),
)
BIG = 10**6


# ── the arithmetic ───────────────────────────────────────────────────────────


def test_expected_orders_are_each_retailers_need_up_to_the_limit():
    # needs 4, 6 and 15 under a 限量 of 10: 4 + 6 + 10 = 20 (the ceiling would be 3 × 10 = 30)
    assert supply.expected_orders(np.array([4.0, 6.0, 15.0]), 10) == pytest.approx(20)
    assert supply.expected_orders(np.array([4.0, 6.0, 15.0]), 0) == 0


def test_a_retailers_need_is_whole_cartons_half_up_never_negative():
    # 2.4 → 2, 2.5 → 3, −3 (stock beyond the target) → 0
    assert list(supply.whole_need(np.array([2.4, 2.5, -3.0]))) == [2, 3, 0]


def test_rounding_is_taken_back_from_loose_markets_first():
    # a tight group (needs 4, 6, 15; level 10 → 限量 10) and a loose one (needs 3, 3; level 2.5 → 限量 3):
    # expected 4 + 6 + 10 = 20 and 3 + 3 = 6, 26 > 23 available. The loose line comes down first:
    # 3 → 2 (expected 2 + 2 = 4, 24 in all), 2 → 1 (1 + 1 = 2, 22 ≤ 23): stop; the tight line keeps 10
    limits = supply.fit_expected(
        np.array([10, 3]),
        np.array([10.0, 2.5]),
        [np.array([4.0, 6.0, 15.0]), np.array([3.0, 3.0])],
        np.array(["T", "L"]),
        np.array([0, 2]),  # tight, loose
        np.zeros(2),
        23,
    )
    assert list(limits) == [10, 1]


def test_taking_back_keeps_a_higher_tier_at_least_as_high():
    # one group, 档位 1 and 2 both at 3 (levels 2.9 and 2.1), needs 5, 5 and 5: expected 3 + 3 + 3 = 9 > 7.
    # 档位 2 was rounded up most (0.9 against 0.1) but lowering it to 2 would put it under 档位 1's 3,
    # so 档位 1 comes down: 2 + 2 + 3 = 7 ≤ 7
    limits = supply.fit_expected(
        np.array([3, 3]), np.array([2.9, 2.1]), [np.array([5.0, 5.0]), np.array([5.0])],
        np.array(["K", "K"]), np.array([1, 1]), np.zeros(2), 7,
    )  # fmt: skip
    assert list(limits) == [2, 3]


@pytest.mark.parametrize("available", [0, 1, 7, 20, 33, 120])
def test_rounding_never_passes_the_available_quantity_and_keeps_the_order(available):
    needs = [np.array([5.0, 0.4]), np.array([1.0, 2.5, 9.0]), np.array([9.0]), np.array([3.3, 7.0, 2.0])]
    n = np.array([len(x) for x in needs])
    levels = np.array([5.0, 1.0, 9.0, 3.3])
    limits = supply.fit_expected(
        supply.tier_limits(levels, n, np.zeros(4), np.full(4, BIG)), levels, needs,
        np.array(["K"] * 4), np.ones(4), np.zeros(4), available,
    )  # fmt: skip
    assert sum(supply.expected_orders(x, v) for x, v in zip(needs, limits)) <= available
    assert (np.diff(limits) >= 0).all() and (limits >= 0).all()


def test_a_higher_tier_never_gets_less_even_when_it_wants_less():
    limits = supply.tier_limits(np.array([6.0, 2.0, 3.5, 8.0]), np.array([1, 1, 1, 1]), np.zeros(4), np.full(4, BIG))
    # raised to the highest level below: 6, max(6, 2) = 6, max(6, 3.5) = 6, 8 — never lowered, since
    # each retailer is held to its own need and a higher 限量 only reaches those who need it
    assert list(limits) == [6, 6, 6, 8]


def test_without_a_budget_a_part_carton_rounds_up_within_min_and_max():
    limits = supply.tier_limits(
        np.array([0.3, 2.2, 50.0]), np.array([4, 2, 1]), np.array([0, 0, 0]), np.array([5, 5, 9])
    )
    assert list(limits) == [1, 3, 9]


def test_tight_markets_first_loose_capped():
    need = np.array([60.0, 50.0, 40.0])
    state = ["loose", "tight", "balanced"]
    cap = np.array([30.0, 0.0, 0.0])  # the loose market's recent weekly supply
    assert list(supply.share_out(need, state, cap, None)) == pytest.approx([30, 50, 40])  # 控量 even unconstrained
    # 100 available: tight 50 in full, balanced 40 in full, loose gets the 10 left of its 30
    assert list(supply.share_out(need, state, cap, 100.0)) == pytest.approx([10, 50, 40])
    # 70 available: tight 50, balanced 20 of 40, loose nothing
    assert list(supply.share_out(need, state, cap, 70.0)) == pytest.approx([0, 50, 20])


def test_target_cover_takes_the_most_specific_rule():
    groups = pd.DataFrame(
        {
            "state": ["loose", "tight", None],
            "format": ["超市"] * 3,
            "tier_band": ["01-05"] * 3,
            "area_type": ["农网"] * 3,
        }
    )
    assert list(supply.target_cover(groups, POLICY)) == [0.5, 1.0, 1.0]


# ── a plan on hand-made inputs ───────────────────────────────────────────────


def retailer(license_no, dept, tier, stock, sales, supplied=0.0):
    return {
        "license_no": license_no, "spec_code": "S1", "department_code": dept, "territory_code": dept + "T",
        "cm_code": dept + "C", "format": "便利店", "tier": tier, "tier_band": "06-15", "area_type": "城网",
        "stock_qty": stock, "sales_4w": 4 * sales, "weeks_known": 4, "weekly_sales": sales, "supplied_4w": supplied,
        "supplied_last": supplied, "supplied_last_year": 0.0,
    }  # fmt: skip


def inputs(extra=()):
    rows = [
        # D1 tight: three retailers, 档位 5, 5, 9; weekly sales 10, 10, 20 (shares 25 %, 25 %, 50 %)
        retailer("A", "D1", 5, 4.0, 10.0, 10.0),
        retailer("B", "D1", 5, 6.0, 10.0, 10.0),
        retailer("C", "D1", 9, 10.0, 20.0, 20.0),
        # D2 loose: one retailer, lots of stock on hand relative to its sales
        retailer("D", "D2", 9, 30.0, 10.0, 12.0),
        *extra,
    ]
    return PlanInputs(
        week=pd.Timestamp("2026-11-16"),
        retailers=pd.DataFrame(rows),
        forecasts=pd.DataFrame({"spec_code": ["S1", "S1"], "department_code": ["D1", "D2"], "yhat": [40.0, 30.0]}),
        market=pd.DataFrame({"spec_code": ["S1", "S1"], "department_code": ["D1", "D2"], "state": ["tight", "loose"]}),
        names={"S1": "甲", "D1": "城区", "D2": "县"},
    )


def test_demand_follows_recent_sales_and_need_is_forecast_plus_cover_less_stock():
    plan = supply.make_plan(inputs(), None, POLICY)
    d1 = plan.lines[plan.lines["key"] == "D1"].set_index("tier")
    # D1 forecast 40: 档位 5 has half the sales (20 of 40) → demand 20, cover 1.0 week → 20; stock 4 + 6
    assert d1.loc[5, "demand"] == pytest.approx(20) and d1.loc[5, "need"] == pytest.approx(20 + 20 - 10)
    assert d1.loc[9, "need"] == pytest.approx(20 + 20 - 10)
    # unconstrained: A needs 10 + 10 − 4 = 16, B 14: ordering up to 16 each they take the line's 30;
    # C needs 40 − 10 = 30 alone in 档位 9. B's own 限量 is its need, 14 (控量户): 16 + 14 = 30
    assert list(d1["limit_qty"]) == [16, 30] and list(d1["total_qty"]) == [30, 30]
    assert list(d1["capped"]) == [1, 0]
    own = plan.retailers.set_index("license_no")["own_limit"]
    assert list(own[["A", "B", "C", "D"]]) == [16, 14, 30, 12]
    # D2 loose: need 30 + 15 − 30 = 15, capped at its recent supply 12
    d2 = plan.lines[plan.lines["key"] == "D2"].iloc[0]
    assert d2["need"] == pytest.approx(15) and d2["granted"] == pytest.approx(12) and d2["limit_qty"] == 12
    assert not plan.constrained


def test_one_retailers_surplus_does_not_feed_anothers_need():
    # one 档位 5 line: A sells 4 a week with 3 on hand, B sells 4 with 12 on hand; forecast 8 → demand 4
    # each, cover 1.0 week. A needs 4 + 4 − 3 = 5, B 4 + 4 − 12 = −4 → 0. Netted the line would need
    # 1; per retailer it needs 5 + 0 = 5, so A's 限量 is its 5 and B, needing none, is held at 0
    given = PlanInputs(
        week=pd.Timestamp("2026-11-16"),
        retailers=pd.DataFrame([retailer("A", "D1", 5, 3.0, 4.0), retailer("B", "D1", 5, 12.0, 4.0)]),
        forecasts=pd.DataFrame({"spec_code": ["S1"], "department_code": ["D1"], "yhat": [8.0]}),
        market=pd.DataFrame({"spec_code": ["S1"], "department_code": ["D1"], "state": ["balanced"]}),
        names={"S1": "甲", "D1": "城区"},
    )
    plan = supply.make_plan(given, None, POLICY)
    line = plan.lines.iloc[0]
    assert line["need"] == 5 and line["limit_qty"] == 5 and line["total_qty"] == 5 and line["capped"] == 1
    assert list(plan.retailers.set_index("license_no")["own_limit"][["A", "B"]]) == [5, 0]
    assert "= 1 条;按户计,库存已足的户不计负数、各户取整条,需 5 条" in plan.groups["reason_zh"].iloc[0]


def test_a_short_supply_serves_the_tight_market_first_and_never_passes_it():
    plan = supply.make_plan(inputs(), {"S1": 50.0}, POLICY)
    assert plan.lines["total_qty"].sum() <= 50
    d1 = plan.lines[plan.lines["key"] == "D1"].set_index("tier")
    # tight D1 needs 60 > 50: all 50 go there, in proportion (25 each); 档位 5's 25 fills A and B up to
    # 12.5 each (both need more), 档位 9's C up to 25: rounded down to 12 and 25, 49 in all
    assert d1.loc[5, "granted"] == pytest.approx(25) and list(d1["limit_qty"]) == [12, 25]
    assert plan.lines[plan.lines["key"] == "D2"]["limit_qty"].iloc[0] == 0  # loose: nothing left
    reason = plan.groups.set_index("key").loc["D1", "reason_zh"]
    assert "预测下周 40 条 + 目标存销比 1.0 周的期末库存 40 条 − 现有库存 20 条 = 需 60 条" in reason
    # whole numbers round up to 13 and 25: expected min(16, 13) + min(14, 13) + min(30, 25) = 51 > 50, so
    # the line rounded up most (档位 5: 13 − 12.5 = 0.5, 档位 9: 0) comes down to 12: 12 + 12 + 25 = 49 ≤ 50;
    # no retailer needs less than its line's 限量, so none is limited to its need
    assert "紧俏市场优先供应" in reason and "可供 50 条,满足 83%" in reason and "5 档每户 12 条" in reason
    assert "5 档每户 12 条,9 档每户 25 条;方案合计 49 条" in reason
    assert list(d1["total_qty"]) == [24, 25] and list(d1["capped"]) == [0, 0]
    en = plan.groups.set_index("key").loc["D1", "reason_en"]
    assert "= 60 cartons needed" in en and "50 cartons available to it, 83% of the need" in en


def one_line(available):
    # D1 tight, one 档位 5 line of three retailers: weekly sales 2, 4, 10 (forecast 16 → demand 2, 4, 10),
    # stock 0, 2, 5, target cover 1.0 → own needs 2 + 2 − 0 = 4, 4 + 4 − 2 = 6, 10 + 10 − 5 = 15; line need 25
    rows = [retailer("A", "D1", 5, 0.0, 2.0), retailer("B", "D1", 5, 2.0, 4.0), retailer("C", "D1", 5, 5.0, 10.0)]
    given = PlanInputs(
        week=pd.Timestamp("2026-11-16"),
        retailers=pd.DataFrame(rows),
        forecasts=pd.DataFrame({"spec_code": ["S1"], "department_code": ["D1"], "yhat": [16.0]}),
        market=pd.DataFrame({"spec_code": ["S1"], "department_code": ["D1"], "state": ["tight"]}),
        names={"S1": "甲", "D1": "城区"},
    )
    return supply.make_plan(given, available, POLICY)


def test_the_plan_total_is_each_retailers_own_limit_within_the_available_quantity():
    plan = one_line({"S1": 20.0})
    line = plan.lines.iloc[0]
    # 20 available for a need of 25: at a 限量 of 10, A and B (needs 4 and 6) are limited to their
    # need and C to the 10: 4 + 6 + 10 = 20, within the 20 (3 × 10 = 30 would not be)
    assert line["limit_qty"] == 10 and line["total_qty"] == 20 and line["capped"] == 2
    assert list(plan.retailers.set_index("license_no")["own_limit"][["A", "B", "C"]]) == [4, 6, 10]
    reason = plan.groups["reason_zh"].iloc[0]
    assert "5 档每户 10 条;其中 2 户库存已足,按自身需求定量;方案合计 20 条" in reason
    en = plan.groups["reason_en"].iloc[0]
    assert "2 retailers already stocked are limited to their own need; the plan's total 20 cartons" in en
    assert supply.check(supply.recompute(plan.lines, plan.lines), {"S1": 20.0}, POLICY) == []
    # a 限量 of 11 gives 4 + 6 + 11 = 21 > 20: the check says so
    edited = supply.recompute(plan.lines.assign(limit_qty=[11]), plan.lines)
    assert edited["total_qty"].iloc[0] == 21
    assert [k for k, _ in supply.check(edited, {"S1": 20.0}, POLICY)] == ["plan.check.total"]


def test_a_spec_with_no_stock_gets_no_limit():
    plan = supply.make_plan(inputs(), {"S1": 0.0}, POLICY)
    assert (plan.lines["limit_qty"] == 0).all() and plan.lines["total_qty"].sum() == 0
    assert all("下周无此规格货源" in r for r in plan.groups["reason_zh"])
    # a spec missing from the available quantities gets none either
    assert supply.make_plan(inputs(), {"OTHER": 99.0}, POLICY).lines["total_qty"].sum() == 0


def test_totals_set_the_plan_beside_last_weeks_supply():
    plan = supply.make_plan(inputs(), None, POLICY)
    totals = supply.totals(plan).set_index("department_code")
    # A 16 + B 14 (its need) + C 30 + D 12 (its line's 限量 below its need 15)
    assert totals.loc["", "planned"] == plan.lines["total_qty"].sum() == 16 + 14 + 30 + 12
    assert totals.loc["", "supplied_last"] == 52 and totals.loc["D1", "forecast"] == pytest.approx(40)


def test_totals_set_the_plan_beside_the_same_week_last_year():
    # 同期: A, B and C (D1) were supplied 8, 8 and 15 条 in that week last year, D (D2) 12
    given = inputs()
    given.retailers["supplied_last_year"] = [8.0, 8.0, 15.0, 12.0]
    totals = supply.totals(supply.make_plan(given, None, POLICY)).set_index("department_code")
    assert totals.loc["D1", "supplied_last_year"] == 8 + 8 + 15
    assert totals.loc["", "supplied_last_year"] == 8 + 8 + 15 + 12


def test_a_line_is_filled_to_its_retailers_own_needs():
    # needs 2, 5 and 9 and a grant of 10: an even split (3.3) would leave the 5 and the 9 short;
    # at a 限量 of 4 they order 2 + 4 + 4 = 10
    assert supply.fill_level(np.array([5.0, 2.0, 9.0]), 10) == pytest.approx(4.0)
    assert supply.fill_level(np.array([5.0, 2.0, 9.0]), 16) == pytest.approx(9.0)
    assert supply.fill_level(np.array([1.0]), 0) == 0


def test_the_key_follows_the_allocation_type():
    tier_only = supply.make_policy(POLICY.cover, pd.DataFrame([{"tier_from": 1, "tier_to": 30, "min_limit": 0,
                                                                "max_limit": 100}]), "tier")  # fmt: skip
    plan = supply.make_plan(inputs(), {"S1": 1000.0}, tier_only)
    assert set(plan.lines["key"]) == {""} and list(plan.lines["tier"]) == [5, 9]
    assert list(plan.lines["retailers"]) == [2, 2]


# ── export, edits, approval ──────────────────────────────────────────────────


def test_the_order_file_has_one_row_per_spec_tier_and_key_with_its_limit():
    plan = supply.make_plan(inputs(), None, POLICY)
    frame = supply.order_frame(plan.lines, plan.plan_week, "zh")
    assert list(frame.columns) == [
        "投放周",
        "规格编码",
        "规格",
        "档位",
        "分组编码",
        "分组",
        "户数",
        "限量(条/户)",
        "控量户(按需定量)",
        "合计(条,各户限量之和)",
    ]
    assert len(frame) == 3 and list(frame["限量(条/户)"]) == [16, 30, 12]
    # totals min(16, 16) + min(14, 16) = 30, min(30, 30) = 30, min(15, 12) = 12; B (14 < 16) is capped
    assert list(frame["合计(条,各户限量之和)"]) == [30, 30, 12] and list(frame["控量户(按需定量)"]) == [1, 0, 0]
    assert supply.order_csv(plan.lines, plan.plan_week).startswith("\ufeff投放周".encode())
    # the 控量户: B alone, its 档位 5 limit 16 and its own 14
    capped = supply.retailer_frame(plan.lines, plan.plan_week, "zh")
    assert list(capped.columns[-3:]) == ["许可证号", "档位限量(条/户)", "本户限量(条)"]
    assert capped.iloc[:, -3:].values.tolist() == [["B", 16, 14]]
    book = openpyxl.load_workbook(io.BytesIO(supply.order_xlsx(plan.lines, plan.plan_week, "en")))
    sheet, own = book.worksheets
    assert [c.value for c in sheet[1]][:4] == ["Week supplied", "Spec code", "Spec", "Tier"]
    assert sheet.max_row == 4 and own.max_row == 2 and [c.value for c in own[2]][-3:] == ["B", 16, 14]


def test_an_edit_recomputes_totals_and_is_checked():
    plan = supply.make_plan(inputs(), {"S1": 50.0}, POLICY)
    edited = supply.recompute(plan.lines.assign(limit_qty=[20, 10, 200]), plan.lines)
    # A and B (needs 16, 14) under 20 → 30, both capped; C (need 30) under 10 → 10; D (need 15) under
    # 200 → 15, capped: 55 in all, above the 50 available
    assert list(edited["total_qty"]) == [30, 10, 15] and list(edited["capped"]) == [2, 0, 1]
    assert edited["edited"].all()
    keys = [k for k, _ in supply.check(edited, {"S1": 50.0}, POLICY)]
    assert keys == ["plan.check.max", "plan.check.monotone", "plan.check.total"]
    for key, values in supply.check(edited, {"S1": 50.0}, POLICY):
        assert i18n.t(key, "zh", **values) and i18n.t(key, "en", **values)
    assert supply.check(plan.lines, {"S1": 50.0}, POLICY) == []


def test_the_tables_edits_are_applied_and_totalled():
    plan = supply.make_plan(inputs(), None, POLICY)
    # the page's editor reports row 0 set to 20 and row 2 cleared: limits 20, 30, 0
    edited = supply.apply_edits(plan.lines, {"0": {"limit_qty": 20}, 2: {"limit_qty": None}})
    assert list(edited["limit_qty"]) == [20, 30, 0] and list(edited["edited"]) == [True, False, True]
    # A 16 + B 14 (both below 20, both capped), C 30, D none
    assert list(edited["total_qty"]) == [30, 30, 0] and list(edited["capped"]) == [2, 0, 0]
    assert supply.apply_edits(plan.lines, None)["total_qty"].tolist() == plan.lines["total_qty"].tolist()


def test_an_approved_plan_keeps_who_and_when(db):
    plan = supply.make_plan(inputs(), None, POLICY)
    lines = supply.recompute(plan.lines, plan.lines)
    plan_id = supply.approve(lines, plan.plan_week, plan.week, "tier_department", "center", path=db)
    kept = supply.approved_plans(path=db)
    assert list(kept["plan_id"]) == [plan_id] and kept["approved_by"].iloc[0] == "center"
    # 30 + 30 + 12 (see the totals above)
    assert kept["total_qty"].iloc[0] == 72 and pd.notna(kept["approved_at"].iloc[0])
    with duckdb.connect(str(db), read_only=True) as con:
        own = con.execute("select license_no, limit_qty from supply_plan_retailer where plan_id = ?", [plan_id])
        assert own.fetchall() == [("B", 14)]
    with pytest.raises(ValueError):
        supply.approve(lines, plan.plan_week, plan.week, "tier", "", path=db)


def test_the_shipped_policy_reads_and_is_monotone(db):
    policy = supply.load_policy(db)
    assert policy.allocation_type in supply.ALLOCATION_TYPES
    assert (np.diff(policy.max_limit) >= 0).all() and (np.diff(policy.min_limit) >= 0).all()


def test_a_reasons_sum_adds_up_as_written():
    """575 + 632 − 648 would be written for 574.6 + 631.6 − 648 = 558.2: whole cartons of the
    parts that do not give the whole result get a decimal, and the need is said in whole cartons."""
    from marketpulse.supply.reasons import group_reason

    g = {"demand": 574.6, "target_cover": 1.1, "cover_qty": 631.6, "stock": 648.0, "need": 558.0,
         "state": "balanced", "asked": 558.0, "available": 0.0, "granted": 0.0, "capped": 0, "total_qty": 0.0}  # fmt: skip
    zh = group_reason(g, [], "zh", constrained=False)
    # 574.6 + 631.6 − 648.0 = 558.2, then 558 whole cartons
    assert "预测下周 574.6 条 + 目标存销比 1.1 周的期末库存 631.6 条 − 现有库存 648.0 条 = 558.2 条" in zh
    assert "需 558 条" in zh
    # parts whose whole cartons add up keep whole cartons: 40 + 40 − 20 = 60
    g.update(demand=40.2, cover_qty=40.2, stock=20.0, need=60.0)
    assert "预测下周 40 条 + 目标存销比 1.1 周的期末库存 40 条 − 现有库存 20 条 = 需 60 条" in group_reason(
        g, [], "zh", constrained=False
    )


def test_a_lines_reason_counts_retailers_in_good_english():
    from marketpulse.supply import reasons

    line = {"tier": 5, "retailers": 1, "share": 0.25, "need": 12, "granted": 12, "level": 12.0}
    line |= {"limit_qty": 12, "capped": 1, "total_qty": 12}
    text = reasons.line_reason(line, "en")
    assert text.startswith("tier 5, 1 retailer, 25.0% of recent sales") and "1 retailer needing less" in text
    assert "1 户需求低于限量" in reasons.line_reason(line, "zh")
