"""Demand forecasts per spec × 市场部 and the city: models, backtest, reconciliation, storage.

May import store, metrics, festival and errors.
"""

from marketpulse.forecast.core import *  # noqa: F401,F403
