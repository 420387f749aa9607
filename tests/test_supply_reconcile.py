"""The 市场部-level recommendation beside the plan's total: the difference, part by part.

R is the recommendation: u = D − S − O floored at 0, then capped (控量) or held (维持) at the
recent supply; the plan's sums are forecast F, closing stock for its target cover C, need N
(each shop's own, whole 条) and planned P (Σ own 限量). The parts: verdict max(0, u) − R,
floor u − max(0, u), cover (F + C) − D, on order + O, per shop N − (F + C − S), limits P − N.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_supply_page import forecasted  # noqa: F401

from marketpulse import store, views
from marketpulse.supply import reconcile

REC = ["spec_code", "department_code", "demand_over_cover", "current_stock", "on_order", "recommended_qty"]


def frames(*rows, verdict="raise"):
    rec = pd.DataFrame([r[0] for r in rows], columns=[*REC, "target_cover"]).assign(verdict=verdict)
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
    assert a.part_verdict == 0 and a.part_floor == 0  # 300 − 120 − 10 = 170, neither floored nor capped
    assert a.part_cover == pytest.approx(120 + 108 - 300)  # −72
    assert a.part_on_order == 10 and a.on_order == 10  # the recommendation's own column kept
    assert a.part_per_shop == pytest.approx(130 - (120 + 108 - 120))  # +22 (the stock is the recommendation's)
    assert a.part_limits == pytest.approx(125 - 130)  # −5
    assert 170 - 72 + 10 + 22 - 5 == 125
    assert (
        reconcile.difference_text(a, "zh")
        == "170 → 125:目标存销比 1.5→0.9 周 −72 · 在途不扣 +10 · 按户计需 +22 · 限量与可供量 −5"
    )
    # B: floor 100 − 150 − 0 − 0 = −50; cover 60 + 54 − 100 = +14; per shop 20 − (114 − 150) = +56;
    # limits 0 (not written): 0 − 50 + 14 + 56 = 20
    assert (b.part_floor, b.part_cover, b.part_per_shop, b.part_limits) == pytest.approx((-50, 14, 56, 0))
    assert reconcile.difference_text(b, "en") == (
        "0 → 20: floored at 0 −50 · target cover 1.5→0.9 weeks +14 · each shop's own need +56"
    )


def test_a_capped_or_held_recommendation_names_its_verdict_not_the_floor():
    # 控量 in a loose market: u = 300 − 100 − 0 = 200, capped at the recent average 100; the plan:
    # F 80, C 40, N 60, P 60. verdict 200 − 100 = +100; cover 80 + 40 − 300 = −180;
    # per shop 60 − (120 − 100) = +40: 100 + 100 − 180 + 40 = 60
    capped = frames(
        (("A", "D1", 300.0, 100.0, 0.0, 100.0, 1.5), ("A", "D1", 80.0, 40.0, 100.0, 60.0, 60.0)), verdict="cap"
    ).iloc[0]
    assert (capped.part_verdict, capped.part_floor) == (100, 0)
    assert (
        reconcile.difference_text(capped, "zh")
        == "100 → 60:控量(按近 4 周均量)+100 · 目标存销比 1.5→0.5 周 −180 · 按户计需 +40"
    )
    # 维持 in a tight market with a cut computed: u = 40, held at the recent 90 → verdict 40 − 90 = −50
    held = frames(
        (("B", "D1", 100.0, 60.0, 0.0, 90.0, 1.0), ("B", "D1", 50.0, 50.0, 60.0, 40.0, 40.0)), verdict="hold"
    ).iloc[0]
    assert held.part_verdict == -50
    assert reconcile.difference_text(held, "en").startswith("90 → 40: Hold at the recent average −50")


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
    parts = shown[[f"part_{p}" for p in reconcile.PARTS]].sum(axis=1)
    assert (shown["recommended_qty"] + parts).to_list() == pytest.approx(shown["planned"].to_list())


def test_tenths_that_would_not_add_up_give_the_last_tenth_to_the_largest_part():
    # 0 + 0.46 + 0.46 = 0.92 → 0.9: whole 条 (0 + 0 + 0 ≠ 1) and tenths (0.5 + 0.5 ≠ 0.9) both miss,
    # so the largest part (the first of equals) carries the tenth: 0.4 + 0.5 = 0.9
    assert reconcile.written(0.0, 0.92, [0.46, 0.46]) == (1, [0.4, 0.5])
    assert reconcile.written(0.0, 1.0, [0.46, 0.54]) == (0, [0, 1])


def test_a_supply_file_with_a_bad_quantity_is_refused_in_both_languages(tmp_path):
    from marketpulse import supply

    path = tmp_path / "货源.csv"
    path.write_text("spec_code,quantity\nS1,100\nS2,abc\nS3,-4\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第 3, 4 行.*line\\(s\\) 3, 4"):
        supply.read_supply(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(ValueError):  # empty: refused as well, and the page shows it (a ValueError)
        supply.read_supply(path)


def test_a_charts_span_is_its_first_and_last_week():
    history, forecast = pd.Series(["2025-01-06", "2026-11-23"]), pd.Series(["2027-01-25", "2026-11-30"])
    assert views.span(history, forecast) == "2025-01-06–2027-01-25"
    assert views.span(pd.Series([], dtype=object)) == ""


def test_a_partial_supply_file_names_the_specs_it_leaves_at_zero(forecasted, monkeypatch):  # noqa: F811
    monkeypatch.setenv("MARKETPULSE_DB", str(forecasted))
    whole = views.supply_plan_page(store.CITY, "zh").plan.lines
    need = whole.groupby(["spec_code", "spec_name"], sort=False)["need"].sum()
    needed = [(code, name) for (code, name), n in need.items() if n > 0]
    listed = tuple(sorted((code, 100.0) for code, _ in needed[:2]))  # a file with two of them
    page = views.supply_plan_page(store.CITY, "zh", listed)
    assert page.unlisted == tuple(name for _, name in needed[2:])
    assert views.supply_plan_page(store.CITY, "zh").unlisted == ()  # no file: nothing is left out
    assert views.words_in("第 2 行不是数字 / line 2 is not a number", "en") == "line 2 is not a number"
