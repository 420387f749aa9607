"""The replay: two-retailer, two-week cases worked by hand (one with orders rationed within the
spec's supply), and the simulated city's own week reproduced when the policy lets every
retailer order what it wanted."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from marketpulse import forecast, store, supply
from marketpulse.simulate import plan_eval, replay


def week(before, wanted, shoppers, past, supplied=None):
    """One replayed week of one spec; what the city supplied (the available quantity) defaults to what was wanted."""
    n = len(before)
    return replay.Week(
        week=1,
        act=np.arange(n),
        before=np.array(before),
        wanted=np.array(wanted),
        supplied=np.array(wanted if supplied is None else supplied),
        shoppers=np.array(shoppers),
        past_sales=np.array(past, dtype=float),
        spec=np.zeros(n, dtype=np.int64),
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


def test_orders_beyond_the_supply_are_rationed_pro_rata_in_whole_cartons():
    # 6 available for orders of 5 and 3: 5 × 6/8 = 3.75 and 3 × 6/8 = 2.25 → 3 and 2, the 条 left goes to the
    # larger remainder (0.75); another spec (1) ordered 4 + 2 within its 10 is delivered in full
    got = replay.ration(np.array([5, 3, 4, 2]), np.array([0, 0, 1, 1]), np.array([6.0, 10.0]))
    assert list(got) == [4, 2, 4, 2]
    # a tie (7 and 3 for 5: 3.5 and 1.5 → 3 and 1) goes to the retailer listed first
    assert list(replay.ration(np.array([7, 3]), np.array([0, 0]), np.array([5.0]))) == [4, 1]
    # never more than ordered nor than is available
    assert list(replay.ration(np.array([1, 1, 1]), np.array([0, 0, 0]), np.array([2.0]))) == [1, 1, 0]


def test_two_retailers_two_weeks_rationed_by_hand():
    high = np.array([2.0, 2.0])
    # week 1: the city supplied 4 + 2 = 6 of the spec. A (0 on hand) wants 6, B (1 on hand) 3; under a 限量 of
    # 5 they order 5 and 3 = 8 > 6: rationed to 3.75 → 4 and 2.25 → 2. A: 4 on hand, 5 shoppers → sells 4,
    # runs out. B: 3 on hand, 2 shoppers → closes at 1; mean sales (2+2+2+2)/4 = 2, cover 0.5: not overstocked
    one = replay.play(week([0, 1], [6, 3], [5, 2], [[4, 4, 4], [2, 2, 2]], supplied=[4, 2]), np.array([5, 5]), high)
    assert list(one["supplied"]) == [4, 2] and list(one["sales"]) == [4, 2] and list(one["closing"]) == [0, 1]
    assert list(one["stockout"]) == [True, False] and list(one["overstock"]) == [False, False]
    # week 2: 7 supplied; A wants 5, B 2, orders 5 + 2 = 7 within it: no rationing. A: 5 on hand, 3 shoppers
    # → closes at 2, mean (4+4+4+3)/4 = 3.75, cover 0.53; B: 1 + 2 = 3, 1 shopper → 2, mean (2+2+2+1)/4 = 1.75,
    # cover 1.14: no stock-out, no overstock
    two = replay.play(
        week(one["closing"], [5, 2], [3, 1], [[4, 4, 4], [2, 2, 2]], supplied=[5, 2]), np.array([5, 5]), high
    )
    assert list(two["supplied"]) == [5, 2] and list(two["closing"]) == [2, 2]
    assert not two["stockout"].any() and not two["overstock"].any()
    # a baseline letting each order 10 is rationed the same way in week 1: 6 and 3 for 6 → 4 and 2
    base = replay.play(week([0, 1], [6, 3], [5, 2], [[4, 4, 4], [2, 2, 2]], supplied=[4, 2]), np.array([10, 10]), high)
    assert list(base["supplied"]) == [4, 2]
    total = [replay.score(r) for r in (one, two)]
    assert sum(s["stockout"] for s in total) == 1 and sum(s["overstock"] for s in total) == 0


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
