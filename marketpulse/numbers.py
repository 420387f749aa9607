"""How numbers read: undefined is "—", thousands separators, fixed digits.

A leaf module (no marketpulse imports): views, figures, exports and the 周报 format through it.
"""

from __future__ import annotations

import math

UNDEFINED = "—"


def fmt(value, digits: int = 1, suffix: str = "") -> str:
    """A number for display; None/NaN/inf become "—"."""
    if value is None:
        return UNDEFINED
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v) or math.isinf(v):
        return UNDEFINED
    return f"{v:,.{digits}f}{suffix}"
