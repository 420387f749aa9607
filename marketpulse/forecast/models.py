"""The models that forecast one weekly series, and the fallback for series they cannot serve.

Each model is a small object with an `alias` (the name its forecasts are stored under) and
`fit_predict(index, y, h) -> (mean, sd, resid)`; `forecast_series` picks one by alias,
checks the series first and hands what a model cannot serve to `fallback`.

`sarimax_festival` (the default): SARIMAX(0,1,1) — exponential smoothing of the level, as
a state-space model — with one 0/1 regressor per week around the Spring Festival
(festival.WINDOW, weeks −3 … +2) and one for each gift holiday's buying week (Mid-Autumn,
National Day: festivals.py). The festival regressors are estimated from the
history, not tuned by hand, and because they are placed by the festival's date a
forecast made in December puts the 年货 peak in the right week. Regression coefficients
sit in the state vector (`mle_regression=False`) and the scale is concentrated out, so
only the MA coefficient is searched (bounded 1-D): a fit takes about ten likelihood
evaluations, some 10–20 ms. For comparison: `ar1_festival` (AR(1) around a constant,
same regressors) and `ets` (damped-trend ETS without festival knowledge; slow, and it
shows what the regressors are worth).

Series a model cannot serve — too short (a spec launched weeks ago), all zeros, mostly
gaps, or a fit that fails or runs away — get the mean of their last weeks with
intervals widening like a random walk, flagged with the reason.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.statespace.sarimax import SARIMAX

from marketpulse import festival
from marketpulse.forecast.festivals import gift_regressors

WEEK = np.timedelta64(7, "D")
MIN_WEEKS = 26  # fewer observed weeks than this: fallback
RECENT_WEEKS = 4  # the fallback's mean is over this many last observed weeks
MAX_GAP_SHARE = 0.25  # more of the last year missing than this: fallback


@dataclass
class SeriesForecast:
    """One series' forecast per step, the alias that made it, and why it fell back (if it did)."""

    mean: np.ndarray
    sd: np.ndarray
    model: str
    reason: str | None = None
    detail: dict | None = None
    resid: pd.Series | None = None  # one-step in-sample residuals (model fits only)


def future_weeks(index: pd.DatetimeIndex, h: int) -> pd.DatetimeIndex:
    """The `h` weeks after the last week of `index`."""
    return pd.DatetimeIndex(index[-1] + WEEK * np.arange(1, h + 1))


class SarimaxFestival:
    """SARIMAX(0,1,1) with the festival-window regressors; only the MA coefficient is searched."""

    alias = "sarimax_festival"
    order = (0, 1, 1)
    constant = False

    def fit_predict(self, index: pd.DatetimeIndex, y: np.ndarray, h: int):
        past, ahead = _festival_exog(index, future_weeks(index, h), y)
        if self.constant:
            past = np.column_stack([np.ones(len(past)), past])
            ahead = np.column_stack([np.ones(len(ahead)), ahead])
        # fitted on a unit scale; every state starts approximately diffuse (much faster
        # than the default mix with a stationary block, and the first k_states weeks are
        # left out of the likelihood as burn-in)
        unit = float(np.nanstd(y)) or 1.0
        mod = SARIMAX(
            y / unit,
            exog=past if past.shape[1] else None,
            order=self.order,
            concentrate_scale=True,
            mle_regression=False,
        )
        mod.ssm.initialize_approximate_diffuse(1e6)
        mod.loglikelihood_burn = mod.k_states
        # one free parameter (the MA or AR coefficient): a bounded 1-D search is robust
        # and takes about ten likelihood evaluations, where a quasi-Newton fit on
        # numerical gradients can take a hundred and still stop unconverged
        best = minimize_scalar(
            lambda v: -mod.loglike(np.array([v])), bounds=(-0.98, 0.98), method="bounded", options={"xatol": 2e-3}
        )
        res = mod.filter(np.array([best.x]))
        pred = res.get_forecast(h, exog=ahead if ahead.shape[1] else None)
        mean = np.asarray(pred.predicted_mean) * unit
        sd = np.sqrt(np.asarray(pred.var_pred_mean)) * unit
        resid = pd.Series(np.asarray(res.resid) * unit, index=index).iloc[mod.k_states :]
        return mean, sd, resid


class AR1Festival(SarimaxFestival):
    """AR(1) around a constant with the same festival regressors."""

    alias = "ar1_festival"
    order = (1, 0, 0)
    constant = True


class DampedETS:
    """Damped-trend ETS without festival knowledge: the reference that shows what the regressors are worth."""

    alias = "ets"

    def fit_predict(self, index: pd.DatetimeIndex, y: np.ndarray, h: int):
        filled = pd.Series(y, index=pd.DatetimeIndex(index, freq="7D")).interpolate(limit_direction="both")
        res = ETSModel(filled, error="add", trend="add", damped_trend=True).fit(disp=False)
        pred = res.get_prediction(start=len(y), end=len(y) + h - 1)
        mean = np.asarray(pred.predicted_mean)
        sd = np.sqrt(np.asarray(pred.var_pred_mean))
        return mean, sd, pd.Series(np.asarray(res.resid), index=index)


MODELS = {m.alias: m for m in (SarimaxFestival(), AR1Festival(), DampedETS())}
DEFAULT_MODEL = SarimaxFestival.alias


def _festival_exog(index: pd.DatetimeIndex, future: pd.DatetimeIndex, y: np.ndarray):
    """Festival regressors (Spring Festival weeks, Mid-Autumn and National Day buying weeks) for
    history and future, keeping only those seen in the history and not a copy of another there
    (the two gift holidays can share a buying week)."""
    weeks = index.append(future)
    both = np.column_stack([festival.regressors(weeks).values, gift_regressors(weeks).values])
    past, ahead = both[: len(index)], both[len(index) :]
    observed = past[~np.isnan(y)]
    keep = []
    for j in range(both.shape[1]):
        if (observed[:, j] != 0).any() and not any((observed[:, j] == observed[:, k]).all() for k in keep):
            keep.append(j)
    return past[:, keep], ahead[:, keep]


def diagnose(y: np.ndarray, min_weeks: int = MIN_WEEKS) -> tuple[str | None, dict]:
    """Why a series needs the fallback (reason code and its numbers), or (None, {})."""
    observed = np.flatnonzero(~np.isnan(y))
    k = RECENT_WEEKS
    if len(observed) == 0:
        return "no_data", {}
    recent = y[observed[-max(2 * k, 8) :]]
    if np.nansum(np.abs(recent)) == 0:
        return "all_zero", {}
    trailing = len(y) - 1 - observed[-1]
    if trailing >= k:
        return "stale", {"n": int(trailing), "k": k}
    if len(observed) < min_weeks:
        return "short_history", {"n": int(len(observed)), "min": min_weeks, "k": k}
    last_year = y[-52:]
    share = float(np.isnan(last_year).mean())
    if share > MAX_GAP_SHARE:
        return "gaps", {"share": share, "k": k}
    return None, {}


def fallback(y: np.ndarray, h: int, reason: str, detail: dict | None = None) -> SeriesForecast:
    """Mean of the last observed weeks; sd of recent weeks growing with √step. Zeros stay zero."""
    observed = y[~np.isnan(y)]
    if reason in ("all_zero", "no_data") or len(observed) == 0:
        return SeriesForecast(np.zeros(h), np.zeros(h), "fallback_zero", reason, detail or {})
    level = float(np.mean(observed[-RECENT_WEEKS:]))
    recent = observed[-2 * RECENT_WEEKS :]
    spread = float(np.std(recent, ddof=1)) if len(recent) >= 2 else 0.0
    spread = max(spread, 0.25 * abs(level))  # a few flat weeks do not make a certain future
    sd = spread * np.sqrt(np.arange(1, h + 1))
    return SeriesForecast(
        np.full(h, max(level, 0.0)), sd, "fallback_mean", reason, {"k": RECENT_WEEKS, **(detail or {})}
    )


def forecast_series(
    index: pd.DatetimeIndex, y: np.ndarray, h: int, model: str = DEFAULT_MODEL, min_weeks: int = MIN_WEEKS
) -> SeriesForecast:
    """Forecast one regular weekly series (NaN = gap), falling back where the model cannot serve."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    reason, detail = diagnose(y, min_weeks)
    if reason:
        return fallback(y, h, reason, detail)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mean, sd, resid = MODELS[model].fit_predict(index, y, h)
    except Exception:  # noqa: BLE001 — any numerical failure of one series falls back
        return fallback(y, h, "fit_failed")
    top = float(np.nanmax(y))
    if (
        not (np.isfinite(mean).all() and np.isfinite(sd).all())
        or mean.max() > 3 * top + 1
        or (mean + 2 * sd).max() > 10 * top + 1
    ):
        return fallback(y, h, "unstable")
    return SeriesForecast(np.maximum(mean, 0.0), sd, model, resid=resid)
