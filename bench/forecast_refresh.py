"""`python -m bench.forecast_refresh [--scale town|city] [--store FILE]`: the weekly forecast refresh.

Times the whole refresh the way `python -m marketpulse forecast` runs it — every
spec × 市场部 series fitted and backtested, the city reconciled, the results written
in one writer block — on a simulated city, and reports:
- seconds and milliseconds per series (department series, the ones that are fitted);
- the ratio against a seasonal-naive refresh of the same series in the same run (the
  same panels, the same forecast and the same backtest origins, with last year's value
  as the forecast): the machines are shared, so the ratio says more than the seconds;
- the backtest's accuracy line, so a speed-up that costs accuracy shows.
Results go to bench/results/forecast-<scale>-<time>.json and a table on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))

from marketpulse import forecast, store  # noqa: E402
from marketpulse.simulate import demo  # noqa: E402


def naive_refresh(dept: pd.DataFrame, city: pd.DataFrame, h: int, cutoffs: list) -> float:
    """Seconds for the seasonal-naive equivalent of the refresh: forecasts and baselines only."""
    started = time.perf_counter()
    for panel in (dept, city):
        for _, part in panel.groupby("unique_id", sort=True):
            index = pd.DatetimeIndex(part["ds"])
            y = part["y"].to_numpy(float)
            future = pd.DatetimeIndex(index[-1] + forecast.WEEK * np.arange(1, h + 1))
            forecast.naive_baselines(index, y, future, index[-1])
            forecast.cv_series("x", index, y, h, cutoffs, None)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.forecast_refresh")
    parser.add_argument("--scale", choices=["small", "town", "city"], default="city")
    parser.add_argument("--store", help="an existing store to copy instead of building the simulated city")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--origins", type=int, default=13)
    parser.add_argument("--step", type=int, default=4)
    parser.add_argument("--horizon", type=int, default=8)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="mp-forecast-bench-"))
    path = work / "bench.duckdb"
    try:
        t0 = time.perf_counter()
        if args.store:
            shutil.copyfile(args.store, path)
        else:
            demo.build(path, scale=args.scale)
        build_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        dept, city = forecast.load_panels(path=path)
        load_s = time.perf_counter() - t0
        cutoffs = forecast.cutoffs_for(dept["ds"].max(), args.horizon, args.origins, args.step)

        naive_s = naive_refresh(dept, city, args.horizon, cutoffs)
        with tqdm(desc="预测 / forecasting", unit="spec", file=sys.stderr) as bar:

            def tick(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            result = forecast.run_hierarchy(
                dept, city, h=args.horizon, n_origins=args.origins, step=args.step, workers=args.workers, progress=tick
            )
        t0 = time.perf_counter()
        with store.writer(path) as con:
            forecast.write_result(con, result, h=args.horizon, n_origins=args.origins, model=forecast.DEFAULT_MODEL)
        write_s = time.perf_counter() - t0

        n_dept = int(dept["unique_id"].nunique())
        n_city = int(city["unique_id"].nunique())
        total = load_s + result.seconds + write_s
        summary = forecast.summary(result.accuracy) if len(result.accuracy) else {}
        record = {
            "when": dt.datetime.now().isoformat(timespec="seconds"),
            "scale": args.store or args.scale,
            "workers": args.workers,
            "origins": args.origins,
            "step": args.step,
            "horizon": args.horizon,
            "department_series": n_dept,
            "city_series": n_city,
            "weeks": int(dept["ds"].nunique()),
            "build_s": round(build_s, 1),
            "load_s": round(load_s, 2),
            "fit_and_backtest_s": round(result.seconds, 1),
            "write_s": round(write_s, 2),
            "refresh_s": round(total, 1),
            "ms_per_department_series": round(1000 * result.seconds / max(n_dept, 1), 1),
            "seasonal_naive_refresh_s": round(naive_s, 2),
            "ratio_vs_seasonal_naive": round(result.seconds / naive_s, 1) if naive_s else None,
            "fallback_series": int(result.forecasts.drop_duplicates("unique_id")["is_fallback"].sum()),
            **{k: round(v, 3) if isinstance(v, float) else v for k, v in summary.items()},
        }
        RESULTS.mkdir(exist_ok=True)
        label = record["scale"] if not args.store else "store"
        out = RESULTS / f"forecast-{label}-{time.strftime('%Y%m%d-%H%M%S')}.json"
        out.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
        width = max(len(k) for k in record)
        for key, value in record.items():
            print(f"{key:{width}s}  {value}")
        if summary:
            print(
                f"MASE model={summary['mase_model']:.3f} seasonal_naive={summary['mase_seasonal_naive']:.3f} "
                f"festival_naive={summary['mase_festival_naive']:.3f}"
            )
        print(f"→ {out.relative_to(ROOT)}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
