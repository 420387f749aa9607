"""Next week's supply recommendations (货源投放) from the stored forecasts and the market state.

May import store, metrics, forecast, export, i18n, numbers and errors.
"""

from marketpulse.supply.recommend import COLUMNS, THRESHOLD, demand_over, recommend, recommendations
from marketpulse.supply.workbook import recommendations_xlsx

__all__ = ["COLUMNS", "THRESHOLD", "demand_over", "recommend", "recommendations", "recommendations_xlsx"]
