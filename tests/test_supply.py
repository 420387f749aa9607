"""Supply recommendation: the arithmetic and verdict rules on hand-made numbers, the
sentences, the Excel file, and the whole path on the simulated city."""

from __future__ import annotations

import io
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest

from marketpulse import forecast, i18n, store, supply


@pytest.mark.parametrize(
    "weekly, weeks, expected",
    [
        ([10, 20, 30], 1.0, 10),
        ([10, 20, 30], 2.5, 10 + 20 + 15),
        ([10, 20, 30], 3.0, 60),
        ([10], 2.5, 10 + 10 + 5),  # beyond the horizon the last week repeats
        ([10, 20], 0.0, 0),
    ],
)
def test_demand_over_the_cover_horizon(weekly, weeks, expected):
    assert supply.demand_over(np.array(weekly, dtype=float), weeks) == pytest.approx(expected)


def row(**kw):
    base = {
        "weekly_forecast": [100.0] * 8,
        "target_cover": 0.0,
        "current_stock": 0.0,
        "on_order": 0.0,
        "reference_qty": 100.0,
        "state": "balanced",
        "ratio": 1.0,
        "ratio_low": 0.5,
        "ratio_high": 2.0,
        "price_index": 100.0,
    }
    base.update(kw)
    return base


def test_recommended_supply_is_demand_over_cover_less_stock_and_orders():
    out = supply.recommend(pd.DataFrame([row(target_cover=1.5, current_stock=60.0, on_order=20.0)])).iloc[0]
    assert out["demand_over_cover"] == pytest.approx(100 + 100 + 50)  # next week + 1.5 weeks
    assert out["recommended_qty"] == pytest.approx(250 - 60 - 20)
    assert out["change_pct"] == pytest.approx(70.0)
    assert out["verdict"] == "raise" and out["verdict_zh"] == "增投"


def test_recommended_supply_is_floored_at_zero():
    out = supply.recommend(pd.DataFrame([row(current_stock=500.0)])).iloc[0]
    assert out["recommended_qty"] == 0 and out["change_pct"] == pytest.approx(-100.0)
    assert out["verdict"] == "cut"


@pytest.mark.parametrize(
    "state, next_week, reference, verdict, recommended",
    [
        ("balanced", 105.0, 100.0, "hold", 105.0),  # within ±10%
        ("balanced", 80.0, 100.0, "cut", 80.0),
        ("balanced", 130.0, 100.0, "raise", 130.0),
        ("balanced", 40.0, 0.0, "raise", 40.0),  # nothing supplied lately, demand now
        ("loose", 130.0, 100.0, "cap", 100.0),  # loose: no more than the usual supply
        ("loose", 105.0, 100.0, "cap", 100.0),
        ("loose", 82.0, 100.0, "cut", 82.0),
        ("tight", 70.0, 100.0, "hold", 100.0),  # tight: no cut while shelves run short
        ("tight", 130.0, 100.0, "raise", 130.0),
        (None, 95.0, 100.0, "hold", 95.0),  # state unknown: the arithmetic decides
    ],
)
def test_verdict_weighs_the_market_state(state, next_week, reference, verdict, recommended):
    out = supply.recommend(
        pd.DataFrame([row(weekly_forecast=[next_week] * 8, reference_qty=reference, state=state)])
    ).iloc[0]
    assert out["verdict"] == verdict
    assert out["recommended_qty"] == pytest.approx(recommended)
    assert out["verdict_zh"] == i18n.t(f"verdict.{verdict}", "zh")


def test_each_row_explains_itself_with_its_numbers():
    out = supply.recommend(
        pd.DataFrame([row(weekly_forecast=[82.0] * 8, state="loose", ratio=2.6, ratio_high=2.0, price_index=93.5)])
    ).iloc[0]
    assert "存销比 2.6 周高于上限 2.0,价格指数 93.5,建议减投 18%" in out["reason_zh"]
    assert "cover 2.6 weeks above the 2.0 ceiling, price index 93.5: cut supply by 18%" in out["reason_en"]
    assert out["reason_zh"].startswith("预测下周需求 82 条")

    cap = supply.recommend(
        pd.DataFrame([row(weekly_forecast=[130.0] * 8, state="loose", ratio=1.2, price_index=92.0)])
    ).iloc[0]
    assert "价格指数 92.0" in cap["reason_zh"] and "控量" in cap["reason_zh"] and "100 条" in cap["reason_zh"]
    low = supply.recommend(pd.DataFrame([row(ratio=0.3, ratio_low=0.5, price_index=None)])).iloc[0]
    assert "低于下限 0.5" in low["reason_zh"] and "价格指数 —" in low["reason_zh"]
    assert "below the 0.5 floor" in low["reason_en"]


def test_excel_has_a_formatted_header_and_number_formats():
    frame = supply.recommend(
        pd.DataFrame(
            [
                row(weekly_forecast=[130.0] * 8),
                row(weekly_forecast=[82.0] * 8, state="loose"),
            ]
        ).assign(
            spec_code=["S1", "S2"],
            spec_name=["甲", "乙"],
            department_code="D1",
            department_name="城区",
            lo80=1.0,
            hi80=2.0,
            target_cover=1.0,
            mase_model=0.8,
            is_fallback=False,
            made_from_week=None,
            index_loose=95.0,
            index_tight=100.0,
        )
    )
    for lang, head, verdict in (("zh", "规格编码", "增投"), ("en", "Spec code", "raise")):
        book = openpyxl.load_workbook(io.BytesIO(supply.recommendations_xlsx(frame, lang=lang)))
        sheet = book.active
        assert sheet.cell(1, 1).value == head and sheet.cell(1, 1).font.bold
        assert sheet.max_row == 3
        headers = [c.value for c in sheet[1]]
        rec = headers.index("建议投放(条)" if lang == "zh" else "Recommended supply (cartons)") + 1
        assert sheet.cell(2, rec).number_format == "#,##0"
        assert isinstance(sheet.cell(2, rec).value, (int, float))
        assert verdict in [c.value for c in sheet[2]]
    with pytest.raises(ValueError):
        supply.recommendations_xlsx(frame, lang="fr")


# ── on the simulated city ────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def forecast_store(demo_store, tmp_path_factory):
    path = tmp_path_factory.mktemp("supply") / "demo.duckdb"
    shutil.copyfile(demo_store, path)
    forecast.refresh(path, n_origins=1, workers=2)
    return path


def test_no_forecast_no_recommendation(db):
    frame = supply.recommendations()
    assert frame.empty and list(frame.columns) == supply.COLUMNS


def test_recommendations_on_the_simulated_city(forecast_store):
    frame = supply.recommendations(path=forecast_store)
    assert list(frame.columns) == supply.COLUMNS
    assert len(frame) > 0 and frame["department_code"].notna().all()
    assert set(frame["verdict"]) <= {"raise", "hold", "cut", "cap"}
    assert (frame["recommended_qty"] >= 0).all()
    assert frame["reason_zh"].str.contains("建议").all() and frame["reason_en"].str.len().gt(20).all()
    plain = frame[~frame["verdict"].isin(["cap"]) & ~((frame["state"] == "tight") & (frame["verdict"] == "hold"))]
    expected = np.maximum(plain["demand_over_cover"] - plain["current_stock"] - plain["on_order"], 0)
    assert np.allclose(plain["recommended_qty"], expected)
    # next week's forecast is the stored step-1 forecast
    fc = forecast.stored_forecasts(path=forecast_store)
    first = fc[(fc["level"] == "department") & (fc["step"] == 1)].set_index(["spec_code", "department_code"])["yhat"]
    assert np.allclose(
        frame.set_index(["spec_code", "department_code"])["forecast_qty"],
        first.loc[frame.set_index(["spec_code", "department_code"]).index],
    )


def test_cover_matches_the_inventory_ratio_query(forecast_store):
    frame = supply.recommendations(path=forecast_store)
    week = forecast.last_run(path=forecast_store)["made_from_week"].isoformat()
    pick = frame.dropna(subset=["ratio"]).iloc[0]
    ratio = store.run(
        "inventory_ratio",
        {"level": "department", "week_from": week, "week_to": week, "spec_code": pick["spec_code"]},
        path=forecast_store,
    )
    ours = ratio.set_index("level_key")["ratio"][pick["department_code"]]
    assert pick["ratio"] == pytest.approx(ours, rel=1e-6)


def test_a_department_scope_sees_its_own_rows(forecast_store):
    city = supply.recommendations(path=forecast_store)
    one = city["department_code"].iloc[0]
    scoped = supply.recommendations(scope=store.Scope(department_code=one), path=forecast_store)
    assert set(scoped["department_code"]) == {one}
    pd.testing.assert_frame_equal(
        scoped.reset_index(drop=True), city[city["department_code"] == one].reset_index(drop=True)
    )


def test_price_index_matches_the_price_index_query_on_every_row(forecast_store):
    # the 市场部's index is its own ratio of sums, not a mix of its 片区 indices
    frame = supply.recommendations(path=forecast_store).dropna(subset=["price_index"])
    week = forecast.last_run(path=forecast_store)["made_from_week"].isoformat()
    assert len(frame) > 10
    for row in frame.head(12).itertuples():
        index = store.run(
            "price_index",
            {"level": "department", "week_from": week, "week_to": week, "spec_code": row.spec_code},
            path=forecast_store,
        )
        expected = index.set_index("level_key")["price_index"][row.department_code]
        assert row.price_index == pytest.approx(expected, rel=1e-9)
