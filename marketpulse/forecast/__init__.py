"""Demand forecasts per spec × 市场部 and the city: models, panel API, backtest, hierarchy, storage.

May import store, i18n, festival and errors; forecast/ modules import only those and each other.
"""

from marketpulse.festival import festival_weeks
from marketpulse.forecast import reconcile
from marketpulse.forecast.backtest import (
    METHODS,
    backtest,
    cross_validation,
    cutoffs_for,
    cv_series,
    naive_baselines,
    score,
    summary,
)
from marketpulse.forecast.calibration import calibrate, conformal_factor, coverage, widen
from marketpulse.forecast.festivals import gift_regressors
from marketpulse.forecast.hierarchy import Progress, Result, build_panels, run_hierarchy, series_id
from marketpulse.forecast.models import DEFAULT_MODEL, MODELS, WEEK, SeriesForecast, forecast_series
from marketpulse.forecast.panel import HORIZON, LEVELS, forecast
from marketpulse.forecast.storage import (
    last_run,
    load_panels,
    refresh,
    stored_accuracy,
    stored_calibration,
    stored_forecasts,
    stored_history,
    write_result,
)

__all__ = [
    "DEFAULT_MODEL",
    "HORIZON",
    "LEVELS",
    "METHODS",
    "MODELS",
    "WEEK",
    "Progress",
    "Result",
    "SeriesForecast",
    "backtest",
    "build_panels",
    "calibrate",
    "conformal_factor",
    "coverage",
    "cross_validation",
    "cutoffs_for",
    "cv_series",
    "festival_weeks",
    "forecast",
    "forecast_series",
    "gift_regressors",
    "last_run",
    "load_panels",
    "naive_baselines",
    "reconcile",
    "refresh",
    "run_hierarchy",
    "score",
    "series_id",
    "stored_accuracy",
    "stored_calibration",
    "stored_forecasts",
    "stored_history",
    "summary",
    "widen",
    "write_result",
]
