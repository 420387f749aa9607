"""The supply plan (货源投放) on hand-worked numbers: whole-number 限量 per 档位, totals within
the available quantity, monotone in 档位, tight first and loose capped, a spec with no stock,
demand shared by recent sales, the reasons' arithmetic, the order file's columns, the checks
of an edited plan, and approval kept with who and when."""

from __future__ import annotations

import io

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


def test_monotone_pools_violators_and_keeps_the_weighted_total():
    out = supply.monotone(np.array([4.0, 2.0, 6.0]), np.array([1, 3, 2]))
    # 4 and 2 pool to (4·1 + 2·3) / 4 = 2.5
    assert list(out) == pytest.approx([2.5, 2.5, 6.0])
    assert (out * [1, 3, 2]).sum() == pytest.approx(4 + 6 + 12)


def test_limits_never_exceed_the_budget_and_hand_back_what_rounding_left():
    # wanted per retailer 2.6, 3.4, 5.9 for 10, 5, 2 retailers: 26 + 17 + 11.8 = 54.8 wanted, budget 50
    limits = supply.tier_limits(np.array([2.6, 3.4, 5.9]), np.array([10, 5, 2]), np.zeros(3), np.full(3, BIG), 50)
    # scaled by 50/54.8 → 2.372, 3.102, 5.383 → floor 2, 3, 5 = 20 + 15 + 10 = 45; 5 left:
    # tier 3 +1 (2 条, 3 left), tier 2 +1 (5 条 > 3 left: no), tier 1 (10 > 3: no)
    assert list(limits) == [2, 3, 6]
    assert (limits * [10, 5, 2]).sum() == 47 <= 50


@pytest.mark.parametrize("budget", [0, 1, 7, 33, 120])
def test_rounding_never_passes_the_budget_and_keeps_the_order(budget):
    n = np.array([3, 7, 1, 4])
    limits = supply.tier_limits(np.array([5.0, 1.0, 9.0, 3.3]), n, np.zeros(4), np.full(4, BIG), budget)
    assert (n * limits).sum() <= budget
    assert (np.diff(limits) >= 0).all()


def test_a_higher_tier_never_gets_less_even_when_it_wants_less():
    limits = supply.tier_limits(np.array([6.0, 2.0]), np.array([1, 1]), np.zeros(2), np.full(2, BIG))
    assert list(limits) == [4, 4]  # pooled (6 + 2) / 2


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
    # C needs 40 − 10 = 30 alone in 档位 9
    assert list(d1["limit_qty"]) == [16, 30] and list(d1["total_qty"]) == [32, 30]
    assert list(d1["expected_qty"]) == pytest.approx([30, 30])
    # D2 loose: need 30 + 15 − 30 = 15, capped at its recent supply 12
    d2 = plan.lines[plan.lines["key"] == "D2"].iloc[0]
    assert d2["need"] == pytest.approx(15) and d2["granted"] == pytest.approx(12) and d2["limit_qty"] == 12
    assert not plan.constrained


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
    assert "紧俏市场优先供应" in reason and "可供 50 条,满足 83%" in reason and "5 档每户 12 条" in reason
    assert "合计 49 条" in reason
    en = plan.groups.set_index("key").loc["D1", "reason_en"]
    assert "= 60 cartons needed" in en and "50 cartons available to it, 83% of the need" in en


def test_a_spec_with_no_stock_gets_no_limit():
    plan = supply.make_plan(inputs(), {"S1": 0.0}, POLICY)
    assert (plan.lines["limit_qty"] == 0).all() and plan.lines["total_qty"].sum() == 0
    assert all("下周无此规格货源" in r for r in plan.groups["reason_zh"])
    # a spec missing from the available quantities gets none either
    assert supply.make_plan(inputs(), {"OTHER": 99.0}, POLICY).lines["total_qty"].sum() == 0


def test_totals_set_the_plan_beside_last_weeks_supply():
    plan = supply.make_plan(inputs(), None, POLICY)
    totals = supply.totals(plan).set_index("department_code")
    assert totals.loc["", "planned"] == plan.lines["total_qty"].sum() == 32 + 30 + 12
    assert totals.loc["", "expected"] == pytest.approx(30 + 30 + 12)
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
        "合计(条)",
    ]
    assert len(frame) == 3 and list(frame["限量(条/户)"]) == [16, 30, 12]
    assert supply.order_csv(plan.lines, plan.plan_week).startswith("\ufeff投放周".encode())
    sheet = openpyxl.load_workbook(io.BytesIO(supply.order_xlsx(plan.lines, plan.plan_week, "en"))).active
    assert [c.value for c in sheet[1]][:4] == ["Week supplied", "Spec code", "Spec", "Tier"]
    assert sheet.max_row == 4


def test_an_edit_recomputes_totals_and_is_checked():
    plan = supply.make_plan(inputs(), {"S1": 80.0}, POLICY)
    edited = supply.recompute(plan.lines.assign(limit_qty=[20, 10, 200]), plan.lines)
    assert list(edited["total_qty"]) == [40, 10, 200] and edited["edited"].all()
    keys = [k for k, _ in supply.check(edited, {"S1": 80.0}, POLICY)]
    assert keys == ["plan.check.max", "plan.check.monotone", "plan.check.total"]
    for key, values in supply.check(edited, {"S1": 80.0}, POLICY):
        assert i18n.t(key, "zh", **values) and i18n.t(key, "en", **values)
    assert supply.check(plan.lines, {"S1": 80.0}, POLICY) == []


def test_an_approved_plan_keeps_who_and_when(db):
    plan = supply.make_plan(inputs(), None, POLICY)
    lines = supply.recompute(plan.lines, plan.lines)
    plan_id = supply.approve(lines, plan.plan_week, plan.week, "tier_department", "center", path=db)
    kept = supply.approved_plans(path=db)
    assert list(kept["plan_id"]) == [plan_id] and kept["approved_by"].iloc[0] == "center"
    assert kept["total_qty"].iloc[0] == 74 and pd.notna(kept["approved_at"].iloc[0])
    with pytest.raises(ValueError):
        supply.approve(lines, plan.plan_week, plan.week, "tier", "", path=db)


def test_the_shipped_policy_reads_and_is_monotone(db):
    policy = supply.load_policy(db)
    assert policy.allocation_type in supply.ALLOCATION_TYPES
    assert (np.diff(policy.max_limit) >= 0).all() and (np.diff(policy.min_limit) >= 0).all()
