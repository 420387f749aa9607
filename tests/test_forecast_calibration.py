"""Mid-Autumn and National Day regressors placed by their dates, and interval calibration from
the backtest (coverage, conformal widening) on hand-worked numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from marketpulse import forecast


def test_gift_holidays_mark_their_buying_weeks():
    weeks = pd.date_range("2024-09-02", "2026-10-26", freq="7D")
    reg = forecast.gift_regressors(weeks)
    marked = {c: [d.date().isoformat() for d in weeks[reg[c].to_numpy() == 1]] for c in reg.columns}
    # Mid-Autumn 2024-09-17 is a Tuesday: bought the week before; 2025-10-06 a Monday: the week before;
    # 2026-09-25 a Friday: its own week. National Day on Oct 1: Tue 2024 (week before), Wed 2025, Thu 2026.
    assert marked["mid_autumn"] == ["2024-09-09", "2025-09-29", "2026-09-21"]
    assert marked["national_day"] == ["2024-09-23", "2025-09-29", "2026-09-28"]


def cv(errors, sd=1.0):
    errors = np.asarray(errors, dtype=float)
    return pd.DataFrame({"y": 100 + errors, "model": 100.0, "sd": sd})


def test_coverage_counts_actuals_inside_the_interval():
    z80 = 1.2815515655446004
    frame = cv([0.0, 1.0, -1.2, 1.3, -2.0])  # inside ±1.28: 0, 1, −1.2
    assert forecast.coverage(frame, 80) == pytest.approx(60.0)
    assert forecast.coverage(frame, 80, factor=2.0 / z80) == pytest.approx(100.0)


def test_conformal_factor_puts_the_nominal_share_inside():
    frame = cv(np.linspace(-3, 3, 101))  # |error| spread evenly up to 3 sd
    factor = forecast.conformal_factor(frame, 80)
    assert forecast.coverage(frame, 80, factor) >= 80
    assert forecast.coverage(frame, 80, factor * 0.95) < 80


def test_a_level_off_by_more_than_five_points_is_widened_and_shown_after():
    frame = cv(np.linspace(-3, 3, 101))
    table = forecast.calibrate(frame, [80, 95]).set_index("level")
    assert table.loc["80", "coverage"] == pytest.approx(100 * 43 / 101)  # 43 of 101 errors within ±1.28
    assert table.loc["80", "widened"] and table.loc["80", "coverage_after"] >= 80
    fc = pd.DataFrame({"yhat": [10.0], "sd": [1.0], "lo80": [0.0], "hi80": [0.0], "lo95": [7.0], "hi95": [13.0]})
    wide = forecast.widen(fc, table.reset_index())
    z80 = 1.2815515655446004
    assert wide["hi80"].iloc[0] == pytest.approx(10 + z80 * table.loc["80", "factor"])
    calm = forecast.calibrate(cv(np.zeros(20)), [80])  # all inside: 100 % is off too, narrowed to fit
    assert bool(calm["widened"].iloc[0]) and calm["coverage_after"].iloc[0] >= 80
