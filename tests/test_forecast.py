"""Demand forecasts: the frame contract, intervals, the moving Spring Festival, coherence,
fallbacks, the backtest's baselines worked by hand, and the CLI on the simulated city."""

from __future__ import annotations

import re
import shutil
from datetime import date

import numpy as np
import pandas as pd
import pytest

from marketpulse import cli, festival, forecast, store
from marketpulse.forecast import reconcile
from marketpulse.simulate import demo

# Spring Festival effect on weekly sales, by weeks from the festival week
PROFILE = {-3: 1.25, -2: 1.6, -1: 2.0, 0: 0.55, 1: 0.7, 2: 0.9}


def synthetic(n_series=2, start="2023-10-02", weeks=115, level=100.0, noise=0.05, seed=1) -> pd.DataFrame:
    """Weekly sales with a festival peak placed by the real festival dates, slight growth."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(start, periods=weeks, freq="7D")
    mult = np.array([PROFILE.get(int(k), 1.0) for k in festival.week_offset(ds)])
    parts = []
    for i in range(n_series):
        base = level * (i + 1) * 1.002 ** np.arange(weeks)
        y = np.round(base * mult * (1 + rng.normal(0, noise, weeks)))
        parts.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y}))
    return pd.concat(parts, ignore_index=True)


# ── festival dates ────────────────────────────────────────────────────────────


def test_festival_weeks_are_the_mondays_of_the_lunar_new_year():
    assert forecast.festival_weeks([2025, 2026, 2027]) == [date(2025, 1, 27), date(2026, 2, 16), date(2027, 2, 1)]


def test_aligned_lag_reaches_the_same_week_of_last_years_festival():
    weeks = pd.DatetimeIndex(["2026-02-16", "2026-01-26", "2027-02-01"])
    lag = festival.aligned_lag(weeks)
    assert list(lag) == [55, 55, 50]
    assert list(festival.week_offset(weeks - pd.to_timedelta(lag * 7, unit="D"))) == [0, -3, 0]


# ── the forecast contract ─────────────────────────────────────────────────────


def test_forecasts_start_one_week_after_each_series_and_span_h():
    frame = synthetic(n_series=2, weeks=60)
    frame = frame[~((frame["unique_id"] == "s1") & (frame["ds"] > "2024-10-07"))]  # s1 ends earlier
    out = forecast.forecast(frame, h=5)
    for uid, part in out.groupby("unique_id"):
        last = frame.loc[frame["unique_id"] == uid, "ds"].max()
        assert list(part["ds"]) == list(pd.date_range(last + pd.Timedelta(weeks=1), periods=5, freq="7D"))


def test_column_names_can_be_overridden():
    frame = synthetic(n_series=1, weeks=40).rename(columns={"unique_id": "series", "ds": "week", "y": "sales"})
    out = forecast.forecast(frame, h=2, id_col="series", time_col="week", target_col="sales")
    assert {"series", "week", "yhat"} <= set(out.columns)


@pytest.mark.parametrize("level", [0, 100, -5, 150, "high", [80, None], []])
def test_a_bad_level_raises(level):
    with pytest.raises(ValueError, match="level"):
        forecast.forecast(synthetic(n_series=1, weeks=30), h=2, level=level)


def test_intervals_nest_around_the_forecast():
    out = forecast.forecast(synthetic(n_series=2, weeks=80), h=8, level=[80, 95])
    assert (out["lo95"] <= out["lo80"]).all()
    assert (out["lo80"] <= out["yhat"]).all()
    assert (out["yhat"] <= out["hi80"]).all()
    assert (out["hi80"] <= out["hi95"]).all()
    assert (out["lo95"] >= 0).all()
    assert (out["hi95"] > out["lo95"]).all()


def test_december_forecast_puts_the_peak_in_the_festival_week_not_last_years():
    # two festivals in the history (2024-02-10, 2025-01-29), forecast made mid-December 2025
    frame = synthetic(n_series=1, start="2023-10-02", weeks=116)
    frame = frame[frame["ds"] <= "2025-12-15"]
    out = forecast.forecast(frame, h=10)
    peak = out.loc[out["yhat"].idxmax(), "ds"]
    festival_week = pd.Timestamp(festival.festival_weeks([2026])[0])
    assert peak == festival_week - pd.Timedelta(weeks=1)  # the 年货 week before 2026-02-16
    # a 52-week lag would have put the peak where it was in 2025
    assert peak - pd.Timedelta(weeks=52) != pd.Timestamp("2025-01-20")
    assert out["yhat"].max() > 1.5 * out["yhat"].iloc[0]
    assert out.loc[out["ds"] == festival_week, "yhat"].iloc[0] < out["yhat"].iloc[0]


# ── coherence ─────────────────────────────────────────────────────────────────


def test_bottom_up_city_is_the_sum_of_its_departments_with_correlated_intervals():
    ds = pd.date_range("2026-01-05", periods=2, freq="7D")
    children = pd.DataFrame(
        {
            "unique_id": ["a", "a", "b", "b"],
            "ds": list(ds) * 2,
            "yhat": [10.0, 12.0, 30.0, 33.0],
            "sd": [3.0, 3.0, 4.0, 4.0],
            "is_fallback": [False, False, False, True],
        }
    )
    weeks = pd.date_range("2025-01-06", periods=20, freq="7D")
    shock = np.sin(np.arange(20))
    resid = {"a": pd.Series(shock, index=weeks), "b": pd.Series(2 * shock, index=weeks)}  # ρ = 1
    city = reconcile.bottom_up(children, {"a": "city", "b": "city"}, [80, 95], resid)
    assert list(city["yhat"]) == [40.0, 45.0]
    assert city["sd"].iloc[0] == pytest.approx(7.0)  # perfectly correlated: sds add
    independent = reconcile.parent_sd(np.array([[3.0], [4.0]]), 0.0)
    assert independent[0] == pytest.approx(5.0)  # independent: variances add
    assert city["is_fallback"].all() and (city["n_fallback"] == 1).all()


def test_hierarchy_run_is_coherent_and_scores_both_levels():
    frame = synthetic(n_series=2, weeks=90)
    sales = frame.assign(spec_code="S1", department_code=frame["unique_id"].map({"s0": "D1", "s1": "D2"}))
    dept, city = forecast.build_panels(sales[["spec_code", "department_code", "ds", "y"]])
    result = forecast.run_hierarchy(dept, city, h=4, n_origins=3, step=4, workers=1)
    fc = result.forecasts
    bottom = fc[fc["level"] == "department"].groupby("ds")["yhat"].sum()
    top = fc[fc["level"] == "city"].set_index("ds")["yhat"]
    assert np.allclose(bottom.sort_index().values, top.sort_index().values)
    assert set(result.accuracy["level"]) == {"department", "city"}
    assert (result.accuracy["n_points"] > 0).all()


# ── fallbacks ─────────────────────────────────────────────────────────────────


def _one(y, start="2025-01-06"):
    return pd.DataFrame({"unique_id": "x", "ds": pd.date_range(start, periods=len(y), freq="7D"), "y": y})


def test_a_spec_launched_six_weeks_ago_gets_a_flat_flagged_fallback():
    out = forecast.forecast(_one([3.0, 9.0, 20.0, 31.0, 38.0, 44.0]), h=8)
    assert out["is_fallback"].all()
    assert set(out["fallback_reason"]) == {"short_history"}
    assert "6 周" in out["fallback_reason_zh"].iloc[0] and "6 weeks" in out["fallback_reason_en"].iloc[0]
    assert np.allclose(out["yhat"], np.mean([20.0, 31.0, 38.0, 44.0]))  # mean of the last 4 weeks
    width = (out["hi95"] - out["lo95"]).to_numpy()
    assert (np.diff(width) > 0).all()  # widening intervals
    assert (out["hi95"] < 5 * 44).all() and (out["lo95"] >= 0).all()  # no wild curve


def test_a_series_of_zeros_forecasts_zero():
    out = forecast.forecast(_one([0.0] * 40), h=4)
    assert out["is_fallback"].all() and set(out["fallback_reason"]) == {"all_zero"}
    assert (out[["yhat", "lo80", "hi80", "lo95", "hi95"]] == 0).all().all()


def test_a_few_gaps_are_modelled_and_mostly_gaps_fall_back():
    frame = synthetic(n_series=1, weeks=70)
    few = frame.copy()
    few.loc[[10, 11, 30, 50], "y"] = np.nan  # a few weeks without reports
    out = forecast.forecast(few.drop(index=[60]), h=4)  # and a missing row
    assert not out["is_fallback"].any() and np.isfinite(out["yhat"]).all()
    many = frame.copy()
    many.loc[many.index[-52:][::2], "y"] = np.nan  # half of the last year missing
    out = forecast.forecast(many, h=4)
    assert out["is_fallback"].all() and set(out["fallback_reason"]) == {"gaps"}
    assert np.isfinite(out["yhat"]).all() and (out["yhat"] > 0).all()


def test_a_series_that_stopped_reporting_is_flagged_stale():
    y = list(synthetic(n_series=1, weeks=40)["y"]) + [np.nan] * 6
    out = forecast.forecast(_one(y, start="2024-06-03"), h=3)
    assert set(out["fallback_reason"]) == {"stale"}


# ── the backtest's arithmetic, by hand ───────────────────────────────────────


def test_naive_baselines_read_last_year_and_last_years_festival():
    index = pd.date_range("2025-01-06", periods=60, freq="7D")  # y = week number
    y = np.arange(60, dtype=float)
    targets = pd.DatetimeIndex(["2026-02-16", "2026-02-23"])  # festival week 2026 and the week after
    seasonal, aligned = forecast.naive_baselines(index, y, targets, pd.Timestamp("2026-02-09"))
    # 52 weeks back: 2025-02-17 (week 6), 2025-02-24 (week 7)
    assert list(seasonal) == [58 - 52, 59 - 52]
    # 55 weeks back: 2025-01-27 (the 2025 festival week, week 3) and the week after
    assert list(aligned) == [3, 4]


def test_mase_and_smape_worked_by_hand():
    history = pd.DataFrame(
        {
            "unique_id": "x",
            "ds": pd.date_range("2026-01-05", periods=6, freq="7D"),
            "y": [10.0, 14.0, 12.0, 16.0, 20.0, 0.0],
        }
    )
    cv = pd.DataFrame(
        {
            "unique_id": "x",
            "cutoff": pd.Timestamp("2026-01-26"),
            "ds": pd.to_datetime(["2026-02-02", "2026-02-09"]),
            "y": [20.0, 0.0],
            "model": [18.0, 0.0],
            "seasonal_naive": [10.0, 5.0],
            "festival_naive": [25.0, 0.0],
            "is_fallback": False,
        }
    )
    row = forecast.score(cv, history).iloc[0]
    # scale: |14−10|, |12−14|, |16−12| up to the cutoff → 10/3
    assert row["mase_scale"] == pytest.approx(10 / 3)
    assert row["mase_model"] == pytest.approx(1.0 / (10 / 3))  # mean |2|, |0| = 1
    assert row["mase_seasonal_naive"] == pytest.approx(7.5 / (10 / 3))  # mean 10, 5
    assert row["mase_festival_naive"] == pytest.approx(2.5 / (10 / 3))  # mean 5, 0
    assert row["smape_model"] == pytest.approx((200 * 2 / 38 + 0) / 2)  # 0/0 counts 0
    assert row["smape_seasonal_naive"] == pytest.approx((200 * 10 / 30 + 200 * 5 / 5) / 2)
    assert row["smape_festival_naive"] == pytest.approx((200 * 5 / 45 + 0) / 2)
    # 2026-02-02 and -09 are festival weeks −2 and −1
    assert row["n_festival_points"] == 2


def test_backtest_returns_all_three_methods_per_series():
    scores = forecast.backtest(synthetic(n_series=2, weeks=90), horizon=4, n_origins=3, step=4)
    assert set(scores["unique_id"]) == {"s0", "s1"}
    for m in ("model", "seasonal_naive", "festival_naive"):
        assert scores[f"mase_{m}"].notna().all() and scores[f"smape_{m}"].notna().all()


# ── the simulated city ───────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def festival_city(tmp_path_factory):
    """The small simulated city over 80 weeks to April 2026: two festivals, a year apart."""
    path = tmp_path_factory.mktemp("festival_city") / "city.duckdb"
    demo.build(path, scale="small", seed=7, weeks=80, end_week=date(2026, 4, 13))
    return path


def test_model_beats_both_baselines_over_a_backtest_across_the_festival(festival_city):
    dept, city = forecast.load_panels(path=festival_city)
    biggest = dept.groupby("spec_code")["y"].sum().nlargest(10).index  # a few series keep it quick
    dept, city = dept[dept["spec_code"].isin(biggest)], city[city["spec_code"].isin(biggest)]
    # origins every two weeks from October 2025 to the festival week of February 2026
    result = forecast.run_hierarchy(dept, city, h=8, n_origins=11, step=2, workers=2)
    acc = result.accuracy
    assert acc["n_festival_points"].sum() > 0
    s = forecast.summary(acc)
    print(
        f"\nMASE model={s['mase_model']:.3f} seasonal_naive={s['mase_seasonal_naive']:.3f} "
        f"festival_naive={s['mase_festival_naive']:.3f}  (festival window: {s['mase_model_festival']:.3f} / "
        f"{s['mase_seasonal_naive_festival']:.3f} / {s['mase_festival_naive_festival']:.3f})"
    )
    assert s["mase_model"] < s["mase_festival_naive"] < s["mase_seasonal_naive"]
    for level in ("department", "city"):
        part = forecast.summary(acc[acc["level"] == level])
        assert part["mase_model"] < min(part["mase_seasonal_naive"], part["mase_festival_naive"])
    # the 52-week lag misses the moved festival: far worse in its window than the aligned one
    assert s["mase_seasonal_naive_festival"] > 1.5 * s["mase_festival_naive_festival"]


@pytest.fixture
def demo_copy(demo_store, tmp_path, monkeypatch):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_store, path)
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    return path


def test_cli_forecast_then_backtest_on_the_demo_store(demo_copy, capsys):
    assert cli.main(["forecast", "--origins", "2", "--workers", "2"]) == 0
    run = forecast.last_run()
    assert run["made_from_week"] == date(2026, 11, 16) and run["n_series"] > 0
    fc = forecast.stored_forecasts()
    assert set(fc["step"]) == set(range(1, 9))
    assert (fc["ds"] > pd.Timestamp(run["made_from_week"])).all()
    dept = fc[fc["level"] == "department"].groupby(["spec_code", "ds"])["yhat"].sum()
    top = fc[fc["level"] == "city"].set_index(["spec_code", "ds"])["yhat"]
    assert np.allclose(dept.sort_index().values, top.sort_index().values)  # coherent in the store
    history = forecast.stored_history(spec_code=fc["spec_code"].iloc[0])
    assert {"unique_id", "ds", "y"} <= set(history.columns)
    assert history["ds"].max() == pd.Timestamp(run["made_from_week"])
    assert set(forecast.stored_accuracy()["level"]) == {"department", "city"}
    # a 市场部 scope sees its own rows only; the city rows have no 市场部 and are hidden
    one = fc["department_code"].dropna().iloc[0]
    scoped = forecast.stored_forecasts(scope=store.Scope(department_code=one))
    assert set(scoped["department_code"]) == {one}
    capsys.readouterr()

    assert cli.main(["backtest", "--stored"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("市场部 department") for line in lines)
    assert re.fullmatch(r"MASE model=\d+\.\d{3} seasonal_naive=\d+\.\d{3} festival_naive=\d+\.\d{3}", lines[-1])
    assert sum(line.startswith("MASE ") for line in lines) == 1

    assert cli.main(["backtest", "--origins", "1", "--workers", "1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"MASE model=\S+ seasonal_naive=\S+ festival_naive=\S+", lines[-1])


def test_cli_refuses_bad_arguments(demo_copy, capsys):
    assert cli.main(["forecast", "--horizon", "0"]) == cli.EXIT_USAGE
    assert cli.main(["backtest", "--as-of", "not-a-date"]) == cli.EXIT_USAGE


def test_no_forecast_yet_reads_as_empty(db):
    assert forecast.last_run() is None
    assert forecast.stored_forecasts().empty
