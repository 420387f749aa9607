"""存销比 (weeks of cover): stock against the trailing four weeks' sales, per level key × week."""

from __future__ import annotations

import pandas as pd

from marketpulse import store
from marketpulse.metrics.api import query


def inventory_ratio(week_from, week_to, level="city", scope=store.CITY, path=None, **filters) -> pd.DataFrame:
    """存销比: stock ÷ mean weekly sales of the trailing four weeks, per level key × week."""
    params = {"week_from": week_from, "week_to": week_to, "level": level, **filters}
    return query("inventory_ratio", params, scope, path)
