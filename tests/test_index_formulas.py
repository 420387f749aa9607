"""Price index formulas against worked examples (numbers worked by hand, not by the code)."""

from __future__ import annotations

import math

import pytest

from marketpulse.metrics import index_formulas as f

# Two goods, worked by hand:
#   A: p0 = 1, p1 = 2, q0 = 10, q1 = 5        B: p0 = 1, p1 = 1, q0 = 10, q1 = 20
#   Laspeyres = (2·10 + 1·10) / (1·10 + 1·10) = 30 / 20 = 1.5
#   Paasche   = (2·5 + 1·20) / (1·5 + 1·20)   = 30 / 25 = 1.2
#   Fisher    = √(1.5 · 1.2) = √1.8           = 1.3416408
#   Törnqvist: shares s0 = (½, ½), s1 = (10/30, 20/30) = (⅓, ⅔);
#              weight of A = ½(½ + ⅓) = 5/12, B's price did not move, so
#              T = 2^(5/12) = e^(0.6931472 · 5/12) = e^0.2888113 = 1.3348399
TWO_GOODS = ({"A": 1, "B": 1}, {"A": 2, "B": 1}, {"A": 10, "B": 10}, {"A": 5, "B": 20})


@pytest.mark.parametrize(
    "formula, expected",
    [("laspeyres", 1.5), ("paasche", 1.2), ("fisher", 1.3416408), ("tornqvist", 1.3348399)],
)
def test_two_goods_worked_by_hand(formula, expected):
    assert f.link(formula, *TWO_GOODS) == pytest.approx(expected, abs=1e-7)


# The artificial data set of the ILO/IMF Consumer Price Index Manual (2004), ch. 19,
# tables 19.1 (prices) and 19.2 (quantities): six goods over five periods.
PRICES = [
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    [1.2, 3.0, 1.3, 0.7, 1.4, 0.8],
    [1.0, 1.0, 1.5, 0.5, 1.7, 0.6],
    [0.8, 0.5, 1.6, 0.3, 1.9, 0.4],
    [1.0, 1.0, 1.6, 0.1, 2.0, 0.2],
]
QUANTITIES = [
    [1.0, 1.0, 2.0, 1.0, 4.5, 0.5],
    [0.8, 0.9, 1.9, 1.3, 4.7, 0.6],
    [1.0, 1.1, 1.8, 3.0, 5.0, 0.8],
    [1.2, 1.2, 1.9, 6.0, 5.6, 1.3],
    [0.9, 1.2, 2.0, 12.0, 6.5, 2.5],
]
PERIODS = [({f"g{i}": p[i] for i in range(6)}, {f"g{i}": q[i] for i in range(6)}) for p, q in zip(PRICES, QUANTITIES)]

# Link sums worked by hand (Σ p1q0, Σ p0q0, Σ p1q1, Σ p0q1), periods t → t+1:
#   1→2: 14.20, 10.00, 14.10, 10.20   e.g. Σ p2q1 = 1.2 + 3.0 + 2.6 + 0.7 + 6.3 + 0.4 = 14.2
#   2→3: 13.55, 14.10, 15.28, 16.58
#   3→4: 14.95, 15.28, 17.56, 18.55
#   4→5: 17.50, 17.56, 20.00, 21.47
# Chained Laspeyres = 1.42 · (13.55/14.10) · (14.95/15.28) · (17.50/17.56)
#                   = 1.42 · 0.960993 · 0.978403 · 0.996583 = 1.4200, 1.3646, 1.3351, 1.3306
# Chained Paasche   = (14.1/10.2) · (15.28/16.58) · (17.56/18.55) · (20/21.47)
#                   = 1.382353 · 0.921592 · 0.946631 · 0.931532 = 1.3824, 1.2740, 1.2060, 1.1234
# Chained Fisher = √(L·P) link by link: 1.4011, 1.3185, 1.2689, 1.2226, and chained
# Törnqvist 1.4052, 1.3112, 1.2624, 1.2224: the values the manual prints (table 19.4).
CHAINED = {
    "laspeyres": [100, 142.00, 136.46, 133.51, 133.06],
    "paasche": [100, 138.24, 127.40, 120.60, 112.34],
    "fisher": [100, 140.11, 131.85, 126.89, 122.26],
    "tornqvist": [100, 140.52, 131.12, 126.24, 122.24],
}


@pytest.mark.parametrize("formula", sorted(CHAINED))
def test_chained_indices_match_the_cpi_manual(formula):
    assert f.chain(PERIODS, formula) == pytest.approx(CHAINED[formula], abs=0.01)


def test_fixed_base_laspeyres_matches_the_manual():
    # Table 19.3 of the manual: 1.4200, 1.3450, 1.3550, 1.4400 (expenditure at base = 10)
    p0, q0 = PERIODS[0]
    got = [f.laspeyres(p0, p, q0, q) for p, q in PERIODS[1:]]
    assert got == pytest.approx([1.42, 1.345, 1.355, 1.44], abs=1e-9)


@pytest.mark.parametrize("formula", ["fisher", "tornqvist"])
def test_superlative_indices_pass_the_time_reversal_test(formula):
    (p0, q0), (p1, q1) = PERIODS[0], PERIODS[3]
    assert f.link(formula, p0, p1, q0, q1) * f.link(formula, p1, p0, q1, q0) == pytest.approx(1.0)


def test_one_item_gives_its_price_relative_whatever_the_formula():
    for formula in f.FORMULAS:
        assert f.link(formula, {"x": 400}, {"x": 420}, {"x": 3}, {"x": 9}) == pytest.approx(1.05)


def test_only_items_in_both_periods_are_compared():
    # "new" has no price in period 0: it is left out, not treated as a jump from zero
    p0, p1 = {"a": 10}, {"a": 11, "new": 50}
    q0, q1 = {"a": 2}, {"a": 2, "new": 7}
    assert f.link("fisher", p0, p1, q0, q1) == pytest.approx(1.1)


def test_a_period_without_matched_items_carries_the_index_forward():
    periods = [({"a": 10}, {"a": 1}), ({"b": 5}, {"b": 1}), ({"b": 6}, {"b": 1})]
    assert f.chain(periods) == pytest.approx([100, 100, 120])


def test_unknown_formula_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="fisher"):
        f.link("walsh", {"a": 1}, {"a": 1}, {"a": 1}, {"a": 1})
    assert math.isclose(f.link("fisher", {"a": 1}, {"a": 1}, {"a": 1}, {"a": 1}), 1.0)
