"""The 市场部-level recommendation beside the plan's total: the difference, part by part.

R = max(0, D − S − O) is the recommendation; the plan's sums are forecast F, closing stock for
its target cover C, need N (each shop's own, whole 条) and planned P (Σ own 限量). The parts:
floor (D − S − O) − R, cover (F + C) − D, on order + O, per shop N − (F + C − S), limits P − N.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_supply_page import forecasted  # noqa: F401

from marketpulse import store, views
from marketpulse.supply import reconcile

REC = ["spec_code", "department_code", "demand_over_cover", "current_stock", "on_order", "recommended_qty"]


def frames(*rows):
    rec = pd.DataFrame([r[0] for r in rows], columns=[*REC, "target_cover"])
    plan = pd.DataFrame(
        [r[1] for r in rows],
        columns=["spec_code", "department_code", "forecast", "cover_qty", "stock", "need", "planned"],
    )
    return reconcile.against_plan(rec, plan)


def test_the_parts_are_worked_out_and_add_up_to_the_plan():
    got = frames(
        # D 300, S 120, O 10 → R 170 (target cover 1.5 weeks); the plan: F 120, C 108 (0.9 weeks),
        # its retailers' stock 118, N 130, P 125
        (("A", "D1", 300.0, 120.0, 10.0, 170.0, 1.5), ("A", "D1", 120.0, 108.0, 118.0, 130.0, 125.0)),
        # D 100 under S 150: R is floored at 0; F 60, C 54, N 20, P 20
        (("B", "D1", 100.0, 150.0, 0.0, 0.0, 1.5), ("B", "D1", 60.0, 54.0, 150.0, 20.0, 20.0)),
    ).set_index("spec_code")
    a, b = got.loc["A"], got.loc["B"]
    assert a.floor == 0  # 300 − 120 − 10 = 170, not floored
    assert a.cover == pytest.approx(120 + 108 - 300)  # −72
    assert a.on_order == 10
    assert a.per_shop == pytest.approx(130 - (120 + 108 - 120))  # +22 (the stock is the recommendation's)
    assert a.limits == pytest.approx(125 - 130)  # −5
    assert 170 - 72 + 10 + 22 - 5 == 125
    assert (
        reconcile.difference_text(a, "zh")
        == "170 → 125:目标存销比 1.5→0.9 周 −72 · 在途不扣 +10 · 按户计需 +22 · 限量与可供量 −5"
    )
    # B: floor 100 − 150 − 0 − 0 = −50; cover 60 + 54 − 100 = +14; per shop 20 − (114 − 150) = +56;
    # limits 0 (not written): 0 − 50 + 14 + 56 = 20
    assert (b.floor, b.cover, b.per_shop, b.limits) == pytest.approx((-50, 14, 56, 0))
    assert reconcile.difference_text(b, "en") == (
        "0 → 20: floored at 0 −50 · target cover 1.5→0.9 weeks +14 · each shop's own need +56"
    )


def test_parts_carry_a_decimal_where_whole_cartons_would_not_add_up_and_no_plan_is_none():
    got = frames(
        # R 100.4; cover 100 + 90.4 − 200.4 = −10 → written −10.0; per shop 80 − (190.4 − 100) = −10.4;
        # limits 0 → P 80: whole cartons 100 − 10 − 10 = 80 does add up, so no decimals …
        (("A", "D1", 200.4, 100.0, 0.0, 100.4, 1.0), ("A", "D1", 100.0, 90.4, 100.0, 80.0, 80.0)),
        # … here they would not: R 10.4, cover −0.6 (10 + 0 − 10.6), per shop 5 − (10 − 0.2) = −4.8,
        # P 5: 10 − 1 − 5 = 4 ≠ 5, so one decimal: 10.4 − 0.6 − 4.8 = 5.0
        (("B", "D1", 10.6, 0.2, 0.0, 10.4, 1.0), ("B", "D1", 10.0, 0.0, 0.2, 5.0, 5.0)),
    ).set_index("spec_code")
    assert reconcile.difference_text(got.loc["A"], "zh") == "100 → 80:目标存销比 1.0→0.9 周 −10 · 按户计需 −10"
    assert reconcile.difference_text(got.loc["B"], "zh") == "10.4 → 5.0:目标存销比 1.0→0.0 周 −0.6 · 按户计需 −4.8"
    none = frames((("C", "D9", 1.0, 0.0, 0.0, 1.0, 1.0), ("X", "D1", 1.0, 0.0, 0.0, 1.0, 1.0))).iloc[0]
    assert reconcile.difference_text(none, "zh") is None


def test_the_supply_page_sets_each_recommendation_beside_the_plans_total(forecasted, monkeypatch):  # noqa: F811
    monkeypatch.setenv("MARKETPULSE_DB", str(forecasted))
    raw = views.supply_page(store.CITY, None, "zh").raw
    plan = views.supply_plan_page(store.CITY, "zh").plan
    # the plan column is Σ each retailer's own 限量 per spec × 市场部 …
    own = plan.departments.set_index(["spec_code", "department_code"])["planned"]
    assert plan.departments["planned"].sum() == pytest.approx(plan.lines["total_qty"].sum())
    shown = raw.set_index(["spec_code", "department_code"])
    assert shown["planned"].to_dict() == pytest.approx(own.reindex(shown.index).to_dict())
    # … and every row's parts take the recommendation there
    parts = shown[list(reconcile.PARTS)].sum(axis=1)
    assert (shown["recommended_qty"] + parts).to_list() == pytest.approx(shown["planned"].to_list())
