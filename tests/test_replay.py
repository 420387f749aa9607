"""The replay: a two-retailer, two-week case worked by hand, and the simulated city's own week
reproduced when the policy lets every retailer order what it wanted."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from marketpulse import forecast, store, supply
from marketpulse.simulate import plan_eval, replay


def week(before, wanted, shoppers, past):
    n = len(before)
    return replay.Week(
        week=1,
        act=np.arange(n),
        before=np.array(before),
        wanted=np.array(wanted),
        supplied=np.array(wanted),
        shoppers=np.array(shoppers),
        past_sales=np.array(past, dtype=float),
    )


def test_two_retailers_two_weeks_by_hand():
    high = np.array([2.0, 2.0])
    # week 1: A has 2 on hand, wants 8, may order 5 → 7 on hand; 9 shoppers → sells 7, runs out
    #         B has 10, wants 2, may order 5 → 12; 3 shoppers → closes at 9; mean sales (3+3+3+3)/4 = 3,
    #         cover 9 / 3 = 3 > 2: overstock
    one = replay.play(week([2, 10], [8, 2], [9, 3], [[6, 6, 6], [3, 3, 3]]), np.array([5, 5]), high)
    assert list(one["supplied"]) == [5, 2] and list(one["sales"]) == [7, 3] and list(one["closing"]) == [0, 9]
    assert list(one["stockout"]) == [True, False] and list(one["overstock"]) == [False, True]
    # week 2 starts from week 1's closing stock; A wants 6 and gets 6 (limit 8), 4 shoppers → closes at 2,
    # mean sales (6+6+7+4)/4 = 5.75, cover 0.35; B wants 0, 2 shoppers → 7, mean (3+3+3+2)/4 = 2.75, cover 2.55
    two = replay.play(week(one["closing"], [6, 0], [4, 2], [[6, 6, 7], [3, 3, 3]]), np.array([8, 8]), high)
    assert list(two["supplied"]) == [6, 0] and list(two["closing"]) == [2, 7]
    assert list(two["stockout"]) == [False, False] and list(two["overstock"]) == [False, True]
    total = [replay.score(r) for r in (one, two)]
    assert sum(s["stockout"] for s in total) == 1 and sum(s["overstock"] for s in total) == 2


def test_the_replay_reproduces_the_simulated_week(demo_store):
    b = plan_eval.city_of(demo_store, "small", 7)
    origin = replay.origins(b, [b.weeks - 2])[0]
    w = replay.next_week(b, origin)
    last = pd.Timestamp(b.start) + pd.Timedelta(weeks=b.weeks - 1)
    stored = store.reader(demo_store).sql(
        "select sum(supplied_qty) as q from weekly_observation where week = $w", {"w": last.date()}
    )
    assert w.supplied.sum() == stored["q"].iloc[0]
    # a policy whose 限量 is what the simulation supplied reproduces that supply exactly
    assert replay.play(w, w.supplied, np.full(len(w.act), 2.0))["supplied"].sum() == stored["q"].iloc[0]


def test_plan_eval_line_and_store(demo_store, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_store, path)
    frame = plan_eval.evaluate(path, n_origins=1, scale="small", seed=7)
    assert set(frame["policy"]) == {"plan", "last_year", "recent_average", "actual"}
    line = plan_eval.eval_line(frame)
    assert line.startswith("EVAL stockout_retailer_weeks plan=") and "overstock_retailer_weeks plan=" in line
    plan_eval.save(frame, path)
    latest = plan_eval.latest(path)
    assert set(latest["policy"]) == set(frame["policy"])
    assert (latest["first_origin"] == latest["last_origin"]).all() and (latest["origins"] == 1).all()


def test_plan_eval_reuses_the_forecasts_it_fitted(demo_store, tmp_path, monkeypatch):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_store, path)
    b = plan_eval.city_of(path, "small", 7)
    week = pd.Timestamp(b.start) + pd.Timedelta(weeks=b.weeks - 2)
    cache = plan_eval.forecast_cache(path)
    fitted = supply.forecasts_for(week, path, cache=cache)
    assert len(list(cache.glob("forecast-*.parquet"))) == 1
    # the same week again is read from the cache: no model is fitted
    monkeypatch.setattr(forecast, "run_hierarchy", lambda *a, **k: pytest.fail("refitted"))
    pd.testing.assert_frame_equal(supply.forecasts_for(week, path, cache=cache), fitted, check_dtype=False)
