"""How numbers read: undefined is "—", 万/亿 for large totals, each unit its precision.

A leaf module (besides i18n for the unit words): views, figures, exports and the 周报 format
through it, so a metric reads the same on a card, in a table, on an axis and on paper.
"""

from __future__ import annotations

import math

from marketpulse import i18n

UNDEFINED = "—"

# Digits per unit, stated once: cartons are whole, 存销比 to 0.01 周, indices to 0.1, rates to
# 0.1 %, changes of a rate in 个百分点 ("points") and of an index in 点 ("index_points") to 0.1, prices to 0.1 元/条.
DIGITS = {
    "qty": 0,
    "count": 0,
    "money": 0,
    "price": 1,
    "weeks": 2,
    "index": 1,
    "pct": 1,
    "points": 1,
    "index_points": 1,
    "avg_qty": 1,  # an average in cartons (per store, per week): a tenth still tells
    "ratio": 2,  # a unitless ratio such as MASE (below 1: better than the naive forecast)
}

# The unit of each metric the product shows; a view's column or a KPI names its metric here.
METRIC_UNITS = {
    "sales": "qty",
    "stock": "qty",
    "orders": "qty",
    "supplied": "qty",
    "forecast": "qty",
    "recommended": "qty",
    "cover": "weeks",
    "stock_sales_ratio": "weeks",
    "price_index": "index",
    "price_index_fixed": "index",
    "avg_price": "price",
    "suggested_price": "price",
    "price": "price",
    "amount": "money",
    "distribution_rate": "pct",
    "shelf_rate": "pct",
    "sell_through_rate": "pct",
    "fulfilment_rate": "pct",
    "visit_rate": "pct",
    "retailers": "count",
    "visits": "count",
    "avg_weekly_sales": "avg_qty",
    "sales_per_store": "avg_qty",
    "state_score": "index",
}

SEPARATED = ("qty", "count", "money", "avg_qty")  # units whose table cells carry thousands separators


def value_of(value) -> float | None:
    """The value as a finite float, or None when it is missing, NaN, infinite or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) or math.isinf(v) else v


def fmt(value, digits: int = 1, suffix: str = "") -> str:
    """A number with thousands separators and fixed digits; None/NaN/inf become "—"."""
    if value is None:
        return UNDEFINED
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v) or math.isinf(v):
        return UNDEFINED
    if round(v, digits) == 0:  # -0.04 to one digit is "0.0", not "-0.0"
        v = 0.0
    return f"{v:,.{digits}f}{suffix}"


def large(value, lang: str = "zh", digits: int = 0) -> str:
    """A total the Chinese way: 7.4万, 1.25亿 from 1万 up (English: 74,000 and 1.25M from a million)."""
    v = value_of(value)
    if v is None:
        return UNDEFINED
    if lang == "zh":
        if abs(v) >= 1e8:
            return f"{v / 1e8:,.2f}亿"
        if abs(v) >= 1e4:
            return f"{v / 1e4:,.1f}万"
    elif abs(v) >= 1e6:
        return f"{v / 1e6:,.2f}M"
    return fmt(v, digits)


def show(value, unit: str, lang: str = "zh", with_unit: bool = True) -> str:
    """A value in its unit's precision, large totals in 万/亿, with the unit word: "1.14 周",
    "100.5", "7.4万条", "73.4%", "+1.5个百分点", "+0.4点"; "—" when undefined."""
    v = value_of(value)
    if v is None:
        return UNDEFINED
    digits = DIGITS.get(unit, 1)
    text = large(v, lang, digits) if unit in ("qty", "money", "count") else fmt(v, digits)
    if not with_unit:
        return text
    word = i18n.TEXT.get(f"unit.{unit}")
    word = word[0 if lang == "zh" else 1].strip() if word else ""
    if not word:
        return text
    if lang == "en" and word.endswith("s") and text == "1":  # 1 retailer, 1 carton (but 1.00 weeks)
        word = word[:-1]
    if unit == "pct" or (lang == "zh" and unit in ("qty", "money", "points", "index_points", "count")):
        return text + word
    return f"{text} {word}"


def metric(value, name: str, lang: str = "zh", with_unit: bool = True) -> str:
    """A metric's value in the format its unit gives it (METRIC_UNITS); unknown metrics get 0.1."""
    return show(value, METRIC_UNITS.get(name, ""), lang, with_unit)


def change(value, lang: str = "zh", unit: str = "pct") -> str:
    """A signed change: +3.2% for a ratio of totals, +1.5个百分点 for a rate, +0.4点 for an index."""
    v = value_of(value)
    if v is None:
        return UNDEFINED
    sign = "+" if round(v, DIGITS.get(unit, 1)) > 0 else ""  # what rounds to zero carries no sign
    return sign + show(v, unit, lang)


def tidy(value, unit: str):
    """The value, or 0.0 when it rounds to zero in its unit's precision: a spreadsheet would
    show -0.04 点 as "-0.0点", which reads as a fall. Missing values stay as they are."""
    v = value_of(value)
    if v is None:
        return value
    return 0.0 if round(v, DIGITS.get(unit, 1)) == 0 else value


def column_format(unit: str, signed: bool = False) -> str:
    """The printf format a table column of `unit` shows with (the header names the unit):
    "%,.0f" for cartons, "%.2f" for 存销比, "%.1f%%" for a rate; `signed` puts "+" on changes."""
    digits = DIGITS.get(unit, 1)
    flags = ("+" if signed else "") + ("," if unit in SEPARATED else "")
    return f"%{flags}.{digits}f" + ("%%" if unit == "pct" else "")
