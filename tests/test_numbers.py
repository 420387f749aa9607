"""Each unit reads one way everywhere: its precision, 万/亿 for large totals, "—" when undefined."""

from __future__ import annotations

import math

import pytest

from marketpulse import numbers


@pytest.mark.parametrize(
    ("value", "unit", "lang", "expected"),
    [
        (1.1412, "weeks", "zh", "1.14 周"),  # 存销比 to 0.01 周
        (100.54, "index", "zh", "100.5"),  # 价格指数 to 0.1, no unit word
        (74_123, "qty", "zh", "7.4万条"),  # 74123 / 10^4 = 7.41 → 7.4万
        (9_999, "qty", "zh", "9,999条"),  # below 1万: whole cartons with separators
        (15_218.2, "qty", "zh", "1.5万条"),
        (130_000_000, "money", "zh", "1.30亿元"),  # 1.3 × 10^8
        (28_998, "qty", "en", "28,998 cartons"),
        (2_500_000, "qty", "en", "2.50M cartons"),
        (73.44, "pct", "zh", "73.4%"),
        (230.45, "price", "zh", "230.4 元/条"),  # 230.45 is stored as 230.449…: rounds down
        (None, "qty", "zh", "—"),
        (math.nan, "weeks", "zh", "—"),
        (math.inf, "index", "en", "—"),
    ],
)
def test_a_value_reads_in_its_units_precision(value, unit, lang, expected):
    assert numbers.show(value, unit, lang) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1.53, "points", "+1.5个百分点"),  # a rate moves in 个百分点
        (0.4, "index_points", "+0.4点"),  # an index moves in 点
        (-3.25, "pct", "-3.2%"),  # a ratio of totals moves in %
        (0.0, "pct", "0.0%"),
        (-0.04, "index_points", "0.0点"),  # rounds to zero: no sign, never "-0.0点"
        (0.04, "points", "0.0个百分点"),
        (-0.0, "pct", "0.0%"),
        (-0.05001, "index_points", "-0.1点"),
        (None, "pct", "—"),
    ],
)
def test_a_change_carries_its_sign_and_unit(value, unit, expected):
    assert numbers.change(value, "zh", unit) == expected


def test_a_metric_is_formatted_by_its_unit():
    assert numbers.metric(1.14, "cover") == "1.14 周"
    assert numbers.metric(100.5, "price_index") == "100.5"
    assert numbers.metric(74_000, "sales") == "7.4万条"


@pytest.mark.parametrize(
    ("value", "unit", "lang", "expected"),
    [
        (-0.004, "weeks", "zh", "0.00 周"),
        (-0.04, "index", "zh", "0.0"),
        (-0.3, "qty", "zh", "0条"),
        (-0.04, "pct", "en", "0.0%"),
    ],
)
def test_a_value_that_rounds_to_zero_has_no_sign(value, unit, lang, expected):
    assert numbers.show(value, unit, lang) == expected
    assert numbers.fmt(-0.0, 1) == "0.0"


def test_tidy_zeroes_what_rounds_to_zero_for_spreadsheets():
    assert numbers.tidy(-0.04, "index_points") == 0.0 and str(numbers.tidy(-0.04, "index_points")) == "0.0"
    assert numbers.tidy(-0.06, "index_points") == -0.06  # a real change keeps its value
    assert numbers.tidy(-0.004, "weeks") == 0.0
    assert numbers.tidy(None, "pct") is None and math.isnan(numbers.tidy(math.nan, "pct"))


def test_english_units_agree_with_one():
    assert numbers.show(1, "count", "en") == "1 retailer"
    assert numbers.show(2, "count", "en") == "2 retailers"
    assert numbers.show(1, "qty", "en") == "1 carton" and numbers.show(1, "weeks", "en") == "1.00 weeks"
    assert numbers.show(1.4, "weeks", "en") == "1.40 weeks"
    assert numbers.show(377, "price", "en") == "377.0 CNY/carton"
    assert numbers.show(1, "count", "zh") == "1户"
