"""Forecasts in the store: the weekly refresh that publishes them, and the stored results pages read.

A refresh reads the live store's weekly sales, fits without holding the write lock, and
writes forecasts, their history and accuracy in one writer block, stamped with the data
week they were made from.
"""

from __future__ import annotations

import pandas as pd

from marketpulse import lake, store
from marketpulse.forecast.hierarchy import Progress, Result, build_panels, run_hierarchy
from marketpulse.forecast.models import DEFAULT_MODEL
from marketpulse.forecast.panel import HORIZON

FORECAST_TABLES = ["forecast_run", "forecast", "forecast_history", "forecast_accuracy", "forecast_calibration"]


def refresh(
    path=None,
    *,
    as_of=None,
    h: int = HORIZON,
    n_origins: int = 13,
    step: int = 4,
    model: str = DEFAULT_MODEL,
    workers: int = 2,
    progress: bool | Progress = False,
) -> dict | None:
    """Forecast and backtest every series from the store's weekly sales; publish the results.

    The models are fitted without holding the write lock (imports are not kept waiting).
    Returns the new `forecast_run` row as a dict (None when the store has no sales yet).
    """
    dept, city = load_panels(as_of, path)
    if dept.empty:
        return None
    result = run_hierarchy(
        dept, city, h=h, n_origins=n_origins, step=step, model=model, workers=workers, progress=progress
    )

    def publish(db):
        with store.writer(db) as con:
            return write_result(con, result, h=h, n_origins=n_origins, model=model)

    # the default store is where the pages read: the store, or the lake that serves them
    return publish(path) if path is not None else lake.write_tables(FORECAST_TABLES, publish)


def load_panels(as_of=None, path=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Department and city panels from the store's weekly sales up to the data week
    (the week of `as_of`, else the latest week with known sales)."""
    sales = store.run("forecast_input", {"as_of": as_of}, path=path)
    if sales.empty:
        return build_panels(sales)
    made_from = (
        pd.Timestamp(as_of) - pd.Timedelta(days=pd.Timestamp(as_of).weekday())
        if as_of is not None
        else pd.Timestamp(sales["ds"].max())
    )
    return build_panels(sales, made_from)


def write_result(con, result: Result, *, h: int, n_origins: int, model: str) -> dict:
    """Insert one refresh into the forecast tables; keep only this run's fitted history."""
    run_id = con.execute("select coalesce(max(run_id), 0) + 1 from forecast_run").fetchone()[0]
    made = result.made_from_week.date()
    fc = result.forecasts
    run = {
        "run_id": int(run_id),
        "made_from_week": made,
        "run_at": pd.Timestamp.now().floor("s"),
        "n_series": int(fc["unique_id"].nunique()),
        "n_fallback": int(fc.drop_duplicates("unique_id")["is_fallback"].sum()),
        "horizon": int(h),
        "n_origins": int(n_origins),
        "model": model,
        "seconds": float(result.seconds),
    }
    con.execute(
        "insert into forecast_run values ($run_id, $made_from_week, $run_at, $n_series, $n_fallback, "
        "$horizon, $n_origins, $model, $seconds)",
        run,
    )
    frames = {
        "forecast": fc.assign(run_id=run_id, made_from_week=made),
        "forecast_history": result.history.assign(run_id=run_id),
        "forecast_accuracy": result.accuracy.assign(run_id=run_id),
        "forecast_calibration": result.calibration.assign(run_id=run_id),
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


def stored_forecasts(
    spec_code: str | None = None, department_code: str | None = None, scope: store.Scope = store.CITY, path=None
) -> pd.DataFrame:
    """Forecasts of the latest refresh (both levels; city rows carry department_code null)."""
    return store.run(
        "forecast_latest", {"spec_code": spec_code, "department_code": department_code}, scope=scope, path=path
    )


def stored_history(
    spec_code: str | None = None, department_code: str | None = None, scope: store.Scope = store.CITY, path=None
) -> pd.DataFrame:
    """The weekly sales the latest forecasts were fitted on: `unique_id, ds, y` (+ level, codes)."""
    return store.run(
        "forecast_history", {"spec_code": spec_code, "department_code": department_code}, scope=scope, path=path
    )


def stored_accuracy(scope: store.Scope = store.CITY, path=None) -> pd.DataFrame:
    """Backtest accuracy of the latest refresh, one row per series."""
    return store.run("forecast_accuracy", {}, scope=scope, path=path)


def last_run(scope: store.Scope = store.CITY, path=None) -> dict | None:
    """The latest refresh (made_from_week, run_at, n_series, …), or None before the first."""
    frame = store.run("forecast_run", {}, scope=scope, path=path)
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    row["made_from_week"] = pd.Timestamp(row["made_from_week"]).date()
    return row


def stored_calibration(path=None) -> pd.DataFrame:
    """Interval calibration of the latest refresh: backtest coverage per level, and any widening."""
    return store.run("forecast_calibration", {}, path=path)
