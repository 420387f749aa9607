"""Weekly demand forecasts with intervals, a rolling backtest against two naive baselines,
and the stored results the Supply page reads.

Frames are long: one row per series × week, columns `unique_id, ds, y` (names
overridable), `ds` the Monday of the week. Forecasts come back as
`unique_id, ds, yhat, lo80, hi80, lo95, hi95, sd, model, is_fallback, fallback_reason`
(+ `fallback_reason_zh/_en`, the sentence a page shows).

The model (`sarimax_festival`): SARIMAX(0,1,1) — exponential smoothing of the level, as
a state-space model — with one 0/1 regressor per week around the Spring Festival
(festival.WINDOW, weeks −3 … +2). The festival regressors are estimated from the
history, not tuned by hand, and because they are placed by the festival's date (from
the `holidays` package) a forecast made in December puts the 年货 peak in the right
week. Regression coefficients sit in the state vector (`mle_regression=False`) and the
scale is concentrated out, so only the MA coefficient is searched (bounded 1-D): a fit
takes about ten likelihood evaluations, some 10–20 ms. Alternatives for comparison:
`ar1_festival` (AR(1) around a constant, same regressors) and `ets` (damped-trend ETS
without festival knowledge; slow, and it shows what the regressors are worth).

Series a model cannot serve — too short (a spec launched weeks ago), all zeros, mostly
gaps, or a fit that fails or runs away — get the mean of their last weeks with
intervals widening like a random walk, flagged `is_fallback` with the reason.

Accuracy (`backtest`): per series MASE and sMAPE over rolling origins for the model and
for two baselines, seasonal naive (the same ISO week last year, lag 52) and
festival-aligned naive (the week at the same distance from last year's festival). MASE
is scaled by the in-sample mean absolute week-on-week change of the history before the
first origin, the same scale for all three methods of a series; only weeks where the
actual and all three forecasts exist are scored. `*_festival` columns repeat MASE on
the festival window alone: that is where a 52-week lag puts the peak in the wrong week.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from marketpulse import festival, store
from marketpulse.forecast import reconcile
from marketpulse.forecast.intervals import check_levels, interval_columns  # noqa: F401  (part of the API)

MODELS = ("sarimax_festival", "ar1_festival", "ets")
DEFAULT_MODEL = "sarimax_festival"
LEVELS = (80, 95)
HORIZON = 8
MIN_WEEKS = 26          # fewer observed weeks than this: fallback
RECENT_WEEKS = 4        # the fallback's mean is over this many last observed weeks
MAX_GAP_SHARE = 0.25    # more of the last year missing than this: fallback
WEEK = np.timedelta64(7, "D")

FALLBACK_TEXT = {
    "short_history": ("仅有 {n} 周历史(少于 {min} 周),按近 {k} 周均值预测",
                      "only {n} weeks of history (fewer than {min}): mean of the last {k} weeks"),
    "all_zero": ("近期销量全为 0,预测为 0", "no sales in recent weeks: forecast 0"),
    "no_data": ("没有可用的销量数据,预测为 0", "no usable sales data: forecast 0"),
    "gaps": ("近一年缺报 {share:.0%},按近 {k} 周均值预测",
             "{share:.0%} of the last year missing: mean of the last {k} weeks"),
    "stale": ("已有 {n} 周没有数据,按最后 {k} 周均值预测",
              "no data for the last {n} weeks: mean of the last {k} observed weeks"),
    "fit_failed": ("模型拟合失败,按近 {k} 周均值预测", "model fit failed: mean of the last {k} weeks"),
    "unstable": ("模型外推异常,按近 {k} 周均值预测", "model extrapolation implausible: mean of the last {k} weeks"),
}


# ── level and frame checks ────────────────────────────────────────────────────

def _series(frame: pd.DataFrame, id_col: str, time_col: str, target_col: str):
    """Yield (unique_id, weekly DatetimeIndex without holes, values with NaN for gaps)."""
    missing = {id_col, time_col, target_col} - set(frame.columns)
    if missing:
        raise ValueError(f"frame lacks column(s) {sorted(missing)}")
    data = frame[[id_col, time_col, target_col]].copy()
    data[time_col] = pd.to_datetime(data[time_col]).dt.normalize()
    data[target_col] = pd.to_numeric(data[target_col], errors="coerce").astype(float)
    for uid, part in data.groupby(id_col, sort=True):
        part = part.sort_values(time_col)
        if part[time_col].duplicated().any():
            raise ValueError(f"series {uid!r} has more than one row for a week")
        ds = part[time_col].values.astype("datetime64[D]")
        steps = (ds - ds[0]) / WEEK
        if np.any(steps != np.round(steps)):
            raise ValueError(f"series {uid!r} is not weekly: dates must be whole weeks apart")
        index = pd.DatetimeIndex(np.arange(ds[0], ds[-1] + WEEK, WEEK))
        y = pd.Series(part[target_col].values, index=pd.DatetimeIndex(ds)).reindex(index).values
        yield uid, index, y.astype(float)


# ── one series ────────────────────────────────────────────────────────────────

@dataclass
class SeriesForecast:
    mean: np.ndarray
    sd: np.ndarray
    model: str
    reason: str | None = None
    detail: dict | None = None
    resid: pd.Series | None = None   # one-step in-sample residuals (model fits only)


def diagnose(y: np.ndarray, min_weeks: int = MIN_WEEKS) -> tuple[str | None, dict]:
    """Why a series needs the fallback (reason code and its numbers), or (None, {})."""
    observed = np.flatnonzero(~np.isnan(y))
    k = RECENT_WEEKS
    if len(observed) == 0:
        return "no_data", {}
    recent = y[observed[-max(2 * k, 8):]]
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
    recent = observed[-2 * RECENT_WEEKS:]
    spread = float(np.std(recent, ddof=1)) if len(recent) >= 2 else 0.0
    spread = max(spread, 0.25 * abs(level))  # a few flat weeks do not make a certain future
    sd = spread * np.sqrt(np.arange(1, h + 1))
    return SeriesForecast(np.full(h, max(level, 0.0)), sd, "fallback_mean", reason,
                          {"k": RECENT_WEEKS, **(detail or {})})


def _festival_exog(index: pd.DatetimeIndex, future: pd.DatetimeIndex, y: np.ndarray):
    """Festival regressors for history and future, keeping only offsets seen in the history."""
    both = festival.regressors(index.append(future)).values
    past, ahead = both[: len(index)], both[len(index):]
    seen = (past[~np.isnan(y)] != 0).any(axis=0)
    return past[:, seen], ahead[:, seen]


def _fit(index: pd.DatetimeIndex, y: np.ndarray, h: int, model: str):
    future = pd.DatetimeIndex(index[-1] + WEEK * np.arange(1, h + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "ets":
            from statsmodels.tsa.exponential_smoothing.ets import ETSModel

            # no festival regressors: the reference that shows what they are worth
            filled = pd.Series(y, index=pd.DatetimeIndex(index, freq="7D")).interpolate(limit_direction="both")
            res = ETSModel(filled, error="add", trend="add", damped_trend=True).fit(disp=False)
            pred = res.get_prediction(start=len(y), end=len(y) + h - 1)
            mean = np.asarray(pred.predicted_mean)
            sd = np.sqrt(np.asarray(pred.var_pred_mean))
            return mean, sd, pd.Series(np.asarray(res.resid), index=index)
        from scipy.optimize import minimize_scalar
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        past, ahead = _festival_exog(index, future, y)
        if model == "ar1_festival":
            past = np.column_stack([np.ones(len(past)), past])
            ahead = np.column_stack([np.ones(len(ahead)), ahead])
            order = (1, 0, 0)
        else:
            order = (0, 1, 1)
        # fitted on a unit scale; every state starts approximately diffuse (much faster
        # than the default mix with a stationary block, and the first k_states weeks are
        # left out of the likelihood as burn-in)
        unit = float(np.nanstd(y)) or 1.0
        mod = SARIMAX(y / unit, exog=past if past.shape[1] else None, order=order,
                      concentrate_scale=True, mle_regression=False)
        mod.ssm.initialize_approximate_diffuse(1e6)
        mod.loglikelihood_burn = mod.k_states
        # one free parameter (the MA or AR coefficient): a bounded 1-D search is robust
        # and takes about ten likelihood evaluations, where a quasi-Newton fit on
        # numerical gradients can take a hundred and still stop unconverged
        best = minimize_scalar(lambda v: -mod.loglike(np.array([v])), bounds=(-0.98, 0.98),
                               method="bounded", options={"xatol": 2e-3})
        res = mod.filter(np.array([best.x]))
        pred = res.get_forecast(h, exog=ahead if ahead.shape[1] else None)
        mean = np.asarray(pred.predicted_mean) * unit
        sd = np.sqrt(np.asarray(pred.var_pred_mean)) * unit
        resid = pd.Series(np.asarray(res.resid) * unit, index=index).iloc[mod.k_states:]
        return mean, sd, resid


def forecast_series(index: pd.DatetimeIndex, y: np.ndarray, h: int = HORIZON,
                    model: str = DEFAULT_MODEL, min_weeks: int = MIN_WEEKS) -> SeriesForecast:
    """Forecast one regular weekly series (NaN = gap), falling back where a model cannot serve."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    reason, detail = diagnose(y, min_weeks)
    if reason:
        return fallback(y, h, reason, detail)
    try:
        mean, sd, resid = _fit(index, y, h, model)
    except Exception:  # noqa: BLE001 — any numerical failure of one series falls back
        return fallback(y, h, "fit_failed")
    top = float(np.nanmax(y))
    if (not (np.isfinite(mean).all() and np.isfinite(sd).all())
            or mean.max() > 3 * top + 1 or (mean + 2 * sd).max() > 10 * top + 1):
        return fallback(y, h, "unstable")
    return SeriesForecast(np.maximum(mean, 0.0), sd, model, resid=resid)


def _reason_text(reason: str | None, detail: dict | None) -> tuple[str | None, str | None]:
    if not reason:
        return None, None
    zh, en = FALLBACK_TEXT[reason]
    detail = detail or {}
    return zh.format(**detail), en.format(**detail)


def _rows(uid, future: pd.DatetimeIndex, fc: SeriesForecast, levels) -> pd.DataFrame:
    zh, en = _reason_text(fc.reason, fc.detail)
    return pd.DataFrame({
        "unique_id": uid,
        "ds": future,
        "yhat": fc.mean,
        **interval_columns(fc.mean, fc.sd, levels),
        "sd": fc.sd,
        "model": fc.model,
        "is_fallback": fc.reason is not None,
        "fallback_reason": fc.reason,
        "fallback_reason_zh": zh,
        "fallback_reason_en": en,
    })


# ── panel API ─────────────────────────────────────────────────────────────────

def forecast(frame: pd.DataFrame, h: int = HORIZON, level: Iterable = LEVELS, *,
             model: str = DEFAULT_MODEL, min_weeks: int = MIN_WEEKS,
             id_col: str = "unique_id", time_col: str = "ds", target_col: str = "y") -> pd.DataFrame:
    """Forecast every series of a long weekly panel `h` weeks past its own last week.

    Returns one row per series × future week: `unique_id, ds, yhat, lo<l>, hi<l> …, sd,
    model, is_fallback, fallback_reason, fallback_reason_zh, fallback_reason_en` (the id
    and date columns keep the caller's names).
    """
    levels = check_levels(level)
    if int(h) != h or h < 1:
        raise ValueError(f"h must be a positive whole number of weeks, got {h!r}")
    parts = []
    for uid, index, y in _series(frame, id_col, time_col, target_col):
        fc = forecast_series(index, y, int(h), model, min_weeks)
        future = pd.DatetimeIndex(index[-1] + WEEK * np.arange(1, int(h) + 1))
        parts.append(_rows(uid, future, fc, levels))
    out = pd.concat(parts, ignore_index=True) if parts else _rows("", pd.DatetimeIndex([]), SeriesForecast(
        np.zeros(0), np.zeros(0), model), levels).iloc[0:0]
    return out.rename(columns={"unique_id": id_col, "ds": time_col})


# ── backtest ──────────────────────────────────────────────────────────────────

def naive_baselines(index: pd.DatetimeIndex, y: np.ndarray, targets: pd.DatetimeIndex,
                    cutoff: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Seasonal naive (52 weeks back) and festival-aligned naive for `targets`, knowing only up to `cutoff`."""
    history = pd.Series(y, index=index)
    history = history[history.index <= cutoff]
    seasonal_at = targets - pd.Timedelta(weeks=52)
    aligned_at = targets - pd.to_timedelta(festival.aligned_lag(targets) * 7, unit="D")
    return (history.reindex(seasonal_at).values.astype(float),
            history.reindex(aligned_at).values.astype(float))


def cutoffs_for(last_ds, horizon: int, n_origins: int, step: int = 1, last_cutoff=None) -> list[pd.Timestamp]:
    """Forecast origins (the last week a forecast may see), oldest first."""
    end = pd.Timestamp(last_cutoff) if last_cutoff is not None else pd.Timestamp(last_ds) - pd.Timedelta(weeks=horizon)
    return [end - pd.Timedelta(weeks=step * k) for k in range(n_origins)][::-1]


def cv_series(uid, index: pd.DatetimeIndex, y: np.ndarray, horizon: int, cutoffs, model: str | None,
              min_weeks: int = MIN_WEEKS, only_scorable: bool = True) -> pd.DataFrame:
    """Rolling-origin forecasts of one series: one row per cutoff × target week.

    `model=None` computes the baselines only (used for levels forecast bottom-up).
    `only_scorable` skips origins with no week that could be scored (no actual, or no
    baseline yet because the series is younger than a year there), saving their fits.
    """
    rows = []
    for cutoff in cutoffs:
        train = index <= cutoff
        if not train.any():
            continue
        targets = index[(index > cutoff) & (index <= cutoff + pd.Timedelta(weeks=horizon))]
        if len(targets) == 0:
            continue
        seasonal, aligned = naive_baselines(index, y, targets, cutoff)
        actual = pd.Series(y, index=index).reindex(targets).values
        if only_scorable and not np.any(~np.isnan(actual) & ~np.isnan(seasonal) & ~np.isnan(aligned)):
            continue
        part = {
            "unique_id": uid, "cutoff": cutoff, "ds": targets, "y": actual,
            "seasonal_naive": seasonal, "festival_naive": aligned,
        }
        if model is not None:
            fc = forecast_series(index[train], y[train], horizon, model, min_weeks)
            part["model"] = fc.mean[: len(targets)]
            part["is_fallback"] = fc.reason is not None
        rows.append(pd.DataFrame(part))
    columns = ["unique_id", "cutoff", "ds", "y", "model", "seasonal_naive", "festival_naive", "is_fallback"]
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.concat(rows, ignore_index=True).reindex(columns=columns)


def cross_validation(frame: pd.DataFrame, horizon: int = HORIZON, n_origins: int = 8, *, step: int = 1,
                     last_cutoff=None, model: str = DEFAULT_MODEL, min_weeks: int = MIN_WEEKS,
                     id_col: str = "unique_id", time_col: str = "ds", target_col: str = "y") -> pd.DataFrame:
    """Forecasts from `n_origins` rolling origins `step` weeks apart, the last `horizon` weeks
    before the panel's last week (or at `last_cutoff`), with both baselines beside them."""
    series = list(_series(frame, id_col, time_col, target_col))
    if not series:
        raise ValueError("frame has no series")
    last = max(index[-1] for _, index, _ in series)
    cutoffs = cutoffs_for(last, horizon, n_origins, step, last_cutoff)
    parts = [cv_series(uid, index, y, horizon, cutoffs, model, min_weeks) for uid, index, y in series]
    return pd.concat(parts, ignore_index=True)


METHODS = ("model", "seasonal_naive", "festival_naive")


def smape(actual: np.ndarray, pred: np.ndarray) -> float:
    """Symmetric MAPE in percent (0–200); a week where both are 0 counts as 0."""
    den = np.abs(actual) + np.abs(pred)
    terms = np.where(den == 0, 0.0, 200 * np.abs(actual - pred) / np.where(den == 0, 1, den))
    return float(np.mean(terms)) if len(terms) else np.nan


def mase_scale(y: np.ndarray) -> float:
    """Mean absolute week-on-week change of a history (observed consecutive pairs only)."""
    diffs = np.abs(np.diff(np.asarray(y, dtype=float)))
    diffs = diffs[~np.isnan(diffs)]
    return float(diffs.mean()) if len(diffs) else np.nan


def score(cv: pd.DataFrame, history: pd.DataFrame, *, id_col: str = "unique_id", time_col: str = "ds",
          target_col: str = "y") -> pd.DataFrame:
    """Per-series MASE and sMAPE of the model and both baselines from `cross_validation` output.

    `history` is the panel the forecasts were made from: each series' MASE scale is its
    mean absolute week-on-week change up to its first cutoff.
    """
    hist = {uid: (index, y) for uid, index, y in _series(history, id_col, time_col, target_col)}
    window = set(range(festival.WINDOW[0], festival.WINDOW[1] + 1))
    out = []
    for uid, part in cv.groupby("unique_id", sort=True):
        index, y = hist.get(uid, (pd.DatetimeIndex([]), np.zeros(0)))
        first = part["cutoff"].min()
        scale = mase_scale(y[index <= first])
        ok = part[["y", *METHODS]].notna().all(axis=1)
        part = part[ok]
        actual = part["y"].to_numpy(float)
        in_window = np.isin(festival.week_offset(pd.DatetimeIndex(part["ds"])), list(window))
        row = {"unique_id": uid, "n_points": int(len(part)), "n_festival_points": int(in_window.sum()),
               "mase_scale": scale}
        for m in METHODS:
            pred = part[m].to_numpy(float)
            err = np.abs(actual - pred)
            good = len(err) and scale and np.isfinite(scale) and scale > 0
            row[f"mase_{m}"] = float(err.mean() / scale) if good else np.nan
            row[f"smape_{m}"] = smape(actual, pred)
            row[f"mase_{m}_festival"] = (float(err[in_window].mean() / scale)
                                         if good and in_window.any() else np.nan)
        if "is_fallback" in part:
            row["share_fallback"] = float(part["is_fallback"].astype(float).mean()) if len(part) else np.nan
        out.append(row)
    return pd.DataFrame(out)


def backtest(frame: pd.DataFrame, horizon: int = HORIZON, n_origins: int = 8, *, step: int = 1,
             last_cutoff=None, model: str = DEFAULT_MODEL, min_weeks: int = MIN_WEEKS,
             id_col: str = "unique_id", time_col: str = "ds", target_col: str = "y") -> pd.DataFrame:
    """Per-series MASE and sMAPE of the model, seasonal naive and festival-aligned naive
    over a rolling-origin backtest (see the module docstring for the exact definitions)."""
    cv = cross_validation(frame, horizon, n_origins, step=step, last_cutoff=last_cutoff, model=model,
                          min_weeks=min_weeks, id_col=id_col, time_col=time_col, target_col=target_col)
    return score(cv, frame, id_col=id_col, time_col=time_col, target_col=target_col)


def summary(scores: pd.DataFrame) -> dict:
    """Mean MASE / sMAPE per method over the series that have one."""
    out = {}
    for m in METHODS:
        out[f"mase_{m}"] = float(scores[f"mase_{m}"].mean())
        out[f"smape_{m}"] = float(scores[f"smape_{m}"].mean())
        out[f"mase_{m}_festival"] = float(scores[f"mase_{m}_festival"].mean())
    out["n_series"] = int(scores["mase_model"].notna().sum())
    return out


# ── the hierarchy: spec × 市场部 series and their city sums ───────────────────

CITY_CODE = "CITY"


def series_id(spec_code: str, department_code: str | None) -> str:
    """unique_id of a stored series: 'S001:D01', or 'S001:CITY' for the city."""
    return f"{spec_code}:{department_code or CITY_CODE}"


def build_panels(sales: pd.DataFrame, made_from_week=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Department and city panels (`unique_id, spec_code, department_code, ds, y`) from
    weekly sales rows `spec_code, department_code, ds, y`.

    Every series runs from its first reported week to `made_from_week` (default: the last
    week in `sales`); weeks without a usable report are rows with y = NaN, so every
    forecast starts the week after the data week. The city's y is the sum of its
    市场部s' y (NaN only when none of them reported).
    """
    sales = sales.assign(ds=pd.to_datetime(sales["ds"]).dt.normalize())
    sales = sales[sales["ds"] <= pd.Timestamp(made_from_week)] if made_from_week is not None else sales
    if sales.empty:
        empty = pd.DataFrame(columns=["unique_id", "spec_code", "department_code", "ds", "y"])
        return empty, empty.copy()
    last = pd.Timestamp(made_from_week) if made_from_week is not None else sales["ds"].max()

    def regular(keys: list[str], data: pd.DataFrame) -> pd.DataFrame:
        parts = []
        for key, part in data.groupby(keys, sort=True):
            index = pd.date_range(part["ds"].min(), last, freq="7D")
            y = part.groupby("ds")["y"].sum(min_count=1).reindex(index)
            frame = pd.DataFrame({"ds": index, "y": y.to_numpy(float)})
            for k, v in zip(keys, key if isinstance(key, tuple) else (key,)):
                frame[k] = v
            parts.append(frame)
        return pd.concat(parts, ignore_index=True)

    dept = regular(["spec_code", "department_code"], sales)
    dept["unique_id"] = [series_id(s, d) for s, d in zip(dept["spec_code"], dept["department_code"])]
    city = regular(["spec_code"], sales)
    city["department_code"] = None
    city["unique_id"] = [series_id(s, None) for s in city["spec_code"]]
    cols = ["unique_id", "spec_code", "department_code", "ds", "y"]
    return dept[cols], city[cols]


def _spec_task(payload: dict) -> dict:
    """Fit one spec: each 市场部 series (forecast + backtest) and the city's baselines.

    Runs in a worker process; returns plain frames and residual series.
    """
    h, levels, model = payload["h"], payload["levels"], payload["model"]
    cutoffs, min_weeks = payload["cutoffs"], payload["min_weeks"]
    uid, ds, y = payload["parent"]
    # the city decides which origins are worth fitting; every 市场部 is then fitted at all
    # of them, so that the city's bottom-up sum at an origin has all its parts
    parent_cv = cv_series(uid, pd.DatetimeIndex(ds), y, h, cutoffs, None, min_weeks) if cutoffs else None
    useful = ([pd.Timestamp(c) for c in sorted(parent_cv["cutoff"].unique())]
              if parent_cv is not None and len(parent_cv) else [])
    fc_parts, cv_parts, resid = [], [], {}
    for uid, ds, y in payload["children"]:
        index = pd.DatetimeIndex(ds)
        fc = forecast_series(index, y, h, model, min_weeks)
        future = pd.DatetimeIndex(index[-1] + WEEK * np.arange(1, h + 1))
        fc_parts.append(_rows(uid, future, fc, levels))
        resid[uid] = fc.resid
        if useful:
            cv_parts.append(cv_series(uid, index, y, h, useful, model, min_weeks, only_scorable=False))
    return {
        "spec_code": payload["spec_code"],
        "forecast": pd.concat(fc_parts, ignore_index=True),
        "cv": pd.concat(cv_parts, ignore_index=True) if cv_parts else None,
        "parent_cv": parent_cv,
        "resid": resid,
    }


@dataclass
class Result:
    """Everything one refresh computes: forecasts, history and accuracy of both levels."""

    forecasts: pd.DataFrame
    history: pd.DataFrame
    accuracy: pd.DataFrame
    made_from_week: pd.Timestamp | None
    seconds: float


def run_hierarchy(dept: pd.DataFrame, city: pd.DataFrame, *, h: int = HORIZON, level: Iterable = LEVELS,
                  n_origins: int = 13, step: int = 4, model: str = DEFAULT_MODEL,
                  min_weeks: int = MIN_WEEKS, workers: int = 2, progress: bool = False) -> Result:
    """Forecast and backtest every spec × 市场部 series; the city series bottom-up.

    Backtest origins: `n_origins` cutoffs `step` weeks apart ending `h` weeks before the
    data week (default 13 × 4 weeks: the whole last year, festival included); origins
    whose weeks have no baseline yet (less than a year of history) are skipped.
    Specs are fitted in `workers` processes.
    """
    started = time.perf_counter()
    levels = check_levels(level)
    if dept.empty:
        empty = pd.DataFrame()
        return Result(empty, empty, empty, None, time.perf_counter() - started)
    last = dept["ds"].max()
    cutoffs = cutoffs_for(last, h, n_origins, step) if n_origins else []
    payloads = []
    for spec_code, part in dept.groupby("spec_code", sort=True):
        parent = city[city["spec_code"] == spec_code]
        payloads.append({
            "spec_code": spec_code, "h": h, "levels": levels, "model": model,
            "cutoffs": cutoffs, "min_weeks": min_weeks,
            "children": [(uid, p["ds"].to_numpy(), p["y"].to_numpy(float))
                         for uid, p in part.groupby("unique_id", sort=True)],
            "parent": (series_id(spec_code, None), parent["ds"].to_numpy(), parent["y"].to_numpy(float)),
        })
    if workers > 1:  # import once here, so forked workers inherit it instead of each importing it
        import statsmodels.tsa.statespace.sarimax  # noqa: F401
    results = _map(_spec_task, payloads, workers, progress)

    meta = pd.concat([dept, city])[["unique_id", "spec_code", "department_code"]].drop_duplicates("unique_id")
    parent_of = dept.drop_duplicates("unique_id").set_index("unique_id")["spec_code"].map(lambda s: series_id(s, None))
    child_fc = pd.concat([r["forecast"] for r in results], ignore_index=True)
    resid = {k: v for r in results for k, v in r["resid"].items()}
    city_fc = reconcile.bottom_up(child_fc, parent_of, levels, resid)
    n_fb = city_fc["n_fallback"].to_numpy()
    city_fc["fallback_reason"] = np.where(n_fb > 0, "children", None)
    city_fc["fallback_reason_zh"] = [f"{f}/{n} 个市场部为简化预测" if f else None
                                     for f, n in zip(n_fb, city_fc["n_children"])]
    city_fc["fallback_reason_en"] = [f"{f} of {n} 市场部 series use the fallback" if f else None
                                     for f, n in zip(n_fb, city_fc["n_children"])]
    forecasts = pd.concat([child_fc.assign(level="department"),
                           city_fc.drop(columns=["rho", "n_children", "n_fallback"]).assign(level="city")],
                          ignore_index=True)
    forecasts = forecasts.merge(meta, on="unique_id", how="left")
    forecasts["step"] = ((forecasts["ds"] - last) / pd.Timedelta(weeks=1)).round().astype(int)

    accuracy = pd.DataFrame()
    cvs = [r["cv"] for r in results if r["cv"] is not None and len(r["cv"])]
    if cvs:
        child_cv = pd.concat(cvs, ignore_index=True)
        child_cv["parent"] = child_cv["unique_id"].map(parent_of)
        summed = (child_cv.groupby(["parent", "cutoff", "ds"])
                  .agg(model=("model", "sum"), is_fallback=("is_fallback", "any")).reset_index()
                  .rename(columns={"parent": "unique_id"}))
        parent_cv = pd.concat([r["parent_cv"] for r in results if r["parent_cv"] is not None
                               and len(r["parent_cv"])], ignore_index=True)
        for frame in (parent_cv, summed):
            frame["cutoff"] = pd.to_datetime(frame["cutoff"])
            frame["ds"] = pd.to_datetime(frame["ds"])
        parent_cv = parent_cv.drop(columns=["model", "is_fallback"]).merge(
            summed, on=["unique_id", "cutoff", "ds"], how="left")
        accuracy = pd.concat([
            score(child_cv, dept).assign(level="department"),
            score(parent_cv, city).assign(level="city"),
        ], ignore_index=True).merge(meta, on="unique_id", how="left")
    history = pd.concat([dept.assign(level="department"), city.assign(level="city")], ignore_index=True)
    return Result(forecasts, history, accuracy, last, time.perf_counter() - started)


def _map(func, payloads: list, workers: int, progress: bool) -> list:
    """Run `func` over payloads, in `workers` processes when more than one; results in input order."""
    from tqdm import tqdm

    bar = tqdm(total=len(payloads), desc="预测 / forecasting", unit="spec", disable=not progress,
               file=__import__("sys").stderr)
    out: list = [None] * len(payloads)
    try:
        if workers <= 1 or len(payloads) <= 1:
            for i, p in enumerate(payloads):
                out[i] = func(p)
                bar.update()
            return out
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(func, p): i for i, p in enumerate(payloads)}
            for fut in as_completed(futures):
                out[futures[fut]] = fut.result()
                bar.update()
        return out
    finally:
        bar.close()


# ── the store: refresh and stored results ────────────────────────────────────

def refresh(path=None, *, as_of=None, h: int = HORIZON, n_origins: int = 13, step: int = 4,
            model: str = DEFAULT_MODEL, workers: int = 2, progress: bool = False) -> dict:
    """Forecast and backtest every series from the store's weekly sales; publish the results.

    The sales are read from the live store, the models fitted without holding the write
    lock (imports are not kept waiting), then forecasts, their history and accuracy are
    written in one writer block, stamped with the data week they were made from. Returns
    the new `forecast_run` row as a dict (None when the store has no sales yet).
    """
    dept, city = load_panels(as_of, path)
    if dept.empty:
        return None
    result = run_hierarchy(dept, city, h=h, n_origins=n_origins, step=step, model=model,
                           workers=workers, progress=progress)
    with store.writer(path) as con:
        run = write_result(con, result, h=h, n_origins=n_origins, model=model)
    return run


def load_panels(as_of=None, path=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Department and city panels from the store's weekly sales up to the data week
    (the week of `as_of`, else the latest week with known sales)."""
    sales = store.run("forecast_input", {"as_of": as_of}, path=path)
    if sales.empty:
        return build_panels(sales)
    made_from = (pd.Timestamp(as_of) - pd.Timedelta(days=pd.Timestamp(as_of).weekday())
                 if as_of is not None else pd.Timestamp(sales["ds"].max()))
    return build_panels(sales, made_from)


def write_result(con, result: Result, *, h: int, n_origins: int, model: str) -> dict:
    """Insert one refresh into the forecast tables; keep only this run's fitted history."""
    run_id = con.execute("select coalesce(max(run_id), 0) + 1 from forecast_run").fetchone()[0]
    made = result.made_from_week.date()
    fc = result.forecasts
    run = {
        "run_id": int(run_id), "made_from_week": made, "run_at": pd.Timestamp.now().floor("s"),
        "n_series": int(fc["unique_id"].nunique()),
        "n_fallback": int(fc.drop_duplicates("unique_id")["is_fallback"].sum()),
        "horizon": int(h), "n_origins": int(n_origins), "model": model, "seconds": float(result.seconds),
    }
    con.execute(
        "insert into forecast_run values ($run_id, $made_from_week, $run_at, $n_series, $n_fallback, "
        "$horizon, $n_origins, $model, $seconds)", run)
    frames = {
        "forecast": fc.assign(run_id=run_id, made_from_week=made),
        "forecast_history": result.history.assign(run_id=run_id),
        "forecast_accuracy": result.accuracy.assign(run_id=run_id),
    }
    for table, frame in frames.items():
        if frame.empty:
            continue
        cols = [c for c in con.execute(f"select * from {table} limit 0").df().columns if c in frame.columns]
        con.register("incoming", frame[cols])
        con.execute(f"insert into {table} by name select * from incoming")
        con.unregister("incoming")
    con.execute("delete from forecast_history where run_id <> $r", {"r": run_id})
    return run


def _query(name: str, params: dict, scope, path) -> pd.DataFrame:
    return store.run(name, params, scope=scope, path=path)


def stored_forecasts(spec_code: str | None = None, department_code: str | None = None, scope: store.Scope = store.CITY,
                     path=None) -> pd.DataFrame:
    """Forecasts of the latest refresh (both levels; city rows carry department_code null)."""
    return _query("forecast_latest", {"spec_code": spec_code, "department_code": department_code}, scope, path)


def stored_history(spec_code: str | None = None, department_code: str | None = None, scope: store.Scope = store.CITY,
                   path=None) -> pd.DataFrame:
    """The weekly sales the latest forecasts were fitted on: `unique_id, ds, y` (+ level, codes)."""
    return _query("forecast_history", {"spec_code": spec_code, "department_code": department_code}, scope, path)


def stored_accuracy(scope: store.Scope = store.CITY, path=None) -> pd.DataFrame:
    """Backtest accuracy of the latest refresh, one row per series."""
    return _query("forecast_accuracy", {}, scope, path)


def last_run(scope: store.Scope = store.CITY, path=None) -> dict | None:
    """The latest refresh (made_from_week, run_at, n_series, …), or None before the first."""
    frame = _query("forecast_run", {}, scope, path)
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    row["made_from_week"] = pd.Timestamp(row["made_from_week"]).date()
    return row


def festival_weeks(years) -> list:
    """Monday of each Spring Festival week (for marking charts)."""
    return festival.festival_weeks(years)


# ── command line ─────────────────────────────────────────────────────────────
