"""Next week's supply recommendations (货源投放) from the forecasts and the market state.

May import store, metrics, forecast and errors.
"""

from marketpulse.supply.core import *  # noqa: F401,F403
