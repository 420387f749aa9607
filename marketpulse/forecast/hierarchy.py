"""The hierarchy: spec × 市场部 series forecast and backtested, the city of each spec bottom-up.

Specs are independent, so they are fitted in a pool of worker processes; the city's
forecast of a spec is the sum of its 市场部 forecasts (reconcile.bottom_up), and its
backtest sums the 市场部 backtests at the same origins.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from marketpulse import i18n
from marketpulse.forecast import reconcile
from marketpulse.forecast.backtest import cutoffs_for, cv_series, score
from marketpulse.forecast.calibration import COLUMNS as CAL_COLUMNS
from marketpulse.forecast.calibration import calibrate, widen
from marketpulse.forecast.intervals import check_levels
from marketpulse.forecast.models import DEFAULT_MODEL, MIN_WEEKS, forecast_series, future_weeks
from marketpulse.forecast.panel import HORIZON, LEVELS, forecast_rows

logger = logging.getLogger(__name__)

CITY_CODE = "CITY"
SERIES_COLUMNS = ["unique_id", "spec_code", "department_code", "ds", "y"]

Progress = Callable[[int, int], None]  # (specs done, specs in all)


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
        empty = pd.DataFrame(columns=SERIES_COLUMNS)
        return empty, empty.copy()
    last = pd.Timestamp(made_from_week) if made_from_week is not None else sales["ds"].max()
    dept = _regular(["spec_code", "department_code"], sales, last)
    dept["unique_id"] = [series_id(s, d) for s, d in zip(dept["spec_code"], dept["department_code"])]
    city = _regular(["spec_code"], sales, last)
    city["department_code"] = None
    city["unique_id"] = [series_id(s, None) for s in city["spec_code"]]
    return dept[SERIES_COLUMNS], city[SERIES_COLUMNS]


def _regular(keys: list[str], sales: pd.DataFrame, last: pd.Timestamp) -> pd.DataFrame:
    """Weekly sums per `keys`, every week from the first reported one to `last` (NaN when unreported)."""
    parts = []
    for key, part in sales.groupby(keys, sort=True):
        index = pd.date_range(part["ds"].min(), last, freq="7D")
        y = part.groupby("ds")["y"].sum(min_count=1).reindex(index)
        frame = pd.DataFrame({"ds": index, "y": y.to_numpy(float)})
        for k, v in zip(keys, key if isinstance(key, tuple) else (key,)):
            frame[k] = v
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


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
    useful = (
        [pd.Timestamp(c) for c in sorted(parent_cv["cutoff"].unique())]
        if parent_cv is not None and len(parent_cv)
        else []
    )
    fc_parts, cv_parts, resid = [], [], {}
    for uid, ds, y in payload["children"]:
        index = pd.DatetimeIndex(ds)
        fc = forecast_series(index, y, h, model, min_weeks)
        fc_parts.append(forecast_rows(uid, future_weeks(index, h), fc, levels))
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
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)  # per level: backtest coverage, factor


def run_hierarchy(
    dept: pd.DataFrame,
    city: pd.DataFrame,
    *,
    h: int = HORIZON,
    level: Iterable = LEVELS,
    n_origins: int = 13,
    step: int = 4,
    model: str = DEFAULT_MODEL,
    min_weeks: int = MIN_WEEKS,
    workers: int = 2,
    progress: bool | Progress = False,
) -> Result:
    """Forecast and backtest every spec × 市场部 series; the city series bottom-up.

    Backtest origins: `n_origins` cutoffs `step` weeks apart ending `h` weeks before the
    data week (default 13 × 4 weeks: the whole last year, festival included); origins
    whose weeks have no baseline yet (less than a year of history) are skipped.
    Specs are fitted in `workers` processes; `progress` is called as (done, total) after
    each spec (`True`: progress goes to the log).
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
        payloads.append(
            {
                "spec_code": spec_code,
                "h": h,
                "levels": levels,
                "model": model,
                "cutoffs": cutoffs,
                "min_weeks": min_weeks,
                "children": [
                    (uid, p["ds"].to_numpy(), p["y"].to_numpy(float)) for uid, p in part.groupby("unique_id", sort=True)
                ],
                "parent": (series_id(spec_code, None), parent["ds"].to_numpy(), parent["y"].to_numpy(float)),
            }
        )
    results = _map(_spec_task, payloads, workers, _ticker(progress, len(payloads)))

    meta = pd.concat([dept, city])[["unique_id", "spec_code", "department_code"]].drop_duplicates("unique_id")
    parent_of = dept.drop_duplicates("unique_id").set_index("unique_id")["spec_code"].map(lambda s: series_id(s, None))
    child_fc = pd.concat([r["forecast"] for r in results], ignore_index=True)
    resid = {k: v for r in results for k, v in r["resid"].items()}
    forecasts = pd.concat(
        [child_fc.assign(level="department"), _city_forecasts(child_fc, parent_of, levels, resid)], ignore_index=True
    )
    forecasts = forecasts.merge(meta, on="unique_id", how="left")
    forecasts["step"] = ((forecasts["ds"] - last) / pd.Timedelta(weeks=1)).round().astype(int)
    accuracy = _accuracy(results, dept, city, parent_of, meta)
    # intervals checked against the backtest's 市场部 forecasts, widened when they miss by > 5 points
    cvs = [r["cv"] for r in results if r["cv"] is not None and len(r["cv"])]
    calibration = calibrate(pd.concat(cvs, ignore_index=True), levels) if cvs else pd.DataFrame(columns=CAL_COLUMNS)
    forecasts = widen(forecasts, calibration)
    history = pd.concat([dept.assign(level="department"), city.assign(level="city")], ignore_index=True)
    seconds = time.perf_counter() - started
    logger.info("forecast %d specs (%d series) in %.1f s", len(payloads), len(meta), seconds)
    return Result(forecasts, history, accuracy, last, seconds, calibration)


def _city_forecasts(child_fc: pd.DataFrame, parent_of: pd.Series, levels, resid: dict) -> pd.DataFrame:
    """The city rows: bottom-up sums, flagged with how many of their 市场部s fell back."""
    city_fc = reconcile.bottom_up(child_fc, parent_of, levels, resid)
    n_fb = city_fc["n_fallback"].to_numpy()
    city_fc["fallback_reason"] = np.where(n_fb > 0, "children", None)
    for lang in i18n.LANGS:
        city_fc[f"fallback_reason_{lang}"] = [
            i18n.t("forecast.fallback.children", lang, f=f, n=n) if f else None
            for f, n in zip(n_fb, city_fc["n_children"])
        ]
    return city_fc.drop(columns=["rho", "n_children", "n_fallback"]).assign(level="city")


def _accuracy(
    results: list[dict], dept: pd.DataFrame, city: pd.DataFrame, parent_of: pd.Series, meta: pd.DataFrame
) -> pd.DataFrame:
    """Scores of both levels; the city's model forecast at an origin is the sum of its 市场部s'."""
    cvs = [r["cv"] for r in results if r["cv"] is not None and len(r["cv"])]
    if not cvs:
        return pd.DataFrame()
    child_cv = pd.concat(cvs, ignore_index=True)
    child_cv["parent"] = child_cv["unique_id"].map(parent_of)
    summed = (
        child_cv.groupby(["parent", "cutoff", "ds"])
        .agg(model=("model", "sum"), is_fallback=("is_fallback", "any"))
        .reset_index()
        .rename(columns={"parent": "unique_id"})
    )
    parent_cv = pd.concat(
        [r["parent_cv"] for r in results if r["parent_cv"] is not None and len(r["parent_cv"])], ignore_index=True
    )
    for frame in (parent_cv, summed):
        frame["cutoff"] = pd.to_datetime(frame["cutoff"])
        frame["ds"] = pd.to_datetime(frame["ds"])
    parent_cv = parent_cv.drop(columns=["model", "is_fallback"]).merge(
        summed, on=["unique_id", "cutoff", "ds"], how="left"
    )
    return pd.concat(
        [
            score(child_cv, dept).assign(level="department"),
            score(parent_cv, city).assign(level="city"),
        ],
        ignore_index=True,
    ).merge(meta, on="unique_id", how="left")


def _ticker(progress: bool | Progress, total: int) -> Callable[[int], None]:
    """What to do after each spec: call the caller's `progress`, log every tenth for `True`, or nothing."""
    every = max(1, total // 10)

    def tick(done: int) -> None:
        if callable(progress):
            progress(done, total)
        elif progress and (done % every == 0 or done == total):
            logger.info("forecast: %d/%d specs", done, total)

    return tick


def _map(func, payloads: list, workers: int, tick: Callable[[int], None]) -> list:
    """Run `func` over payloads, in `workers` processes when more than one; results in input order."""
    out: list = [None] * len(payloads)
    if workers <= 1 or len(payloads) <= 1:
        for i, p in enumerate(payloads):
            out[i] = func(p)
            tick(i + 1)
        return out
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(func, p): i for i, p in enumerate(payloads)}
        for done, fut in enumerate(as_completed(futures), start=1):
            out[futures[fut]] = fut.result()
            tick(done)
    return out
