"""`forecast` and `backtest`: refresh the demand forecasts, and measure them against baselines."""

from __future__ import annotations

import sys

import pandas as pd
from tqdm import tqdm

from marketpulse.errors import UsageError
from marketpulse.forecast import last_run, load_panels, refresh, run_hierarchy, stored_accuracy, summary


def _check_args(args) -> None:
    for name in ("horizon", "workers"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name} 必须至少为 1 / --{name} must be at least 1")
    if args.origins < 0 or args.step < 1:
        raise UsageError("--origins 不能为负,--step 至少为 1 / --origins must be ≥ 0 and --step ≥ 1")
    if args.as_of:
        try:
            pd.Timestamp(args.as_of)
        except ValueError:
            raise UsageError(f"--as-of 不是日期:{args.as_of!r} / --as-of is not a date: {args.as_of!r}") from None


def _progress_bar(desc: str):
    """A terminal bar the forecast calls as (specs done, specs in all)."""
    bar = tqdm(desc=desc, unit="spec", file=sys.stderr, disable=None, leave=False)

    def tick(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return bar, tick


def forecast_main(args) -> int:
    """`python -m marketpulse forecast`: refresh every forecast into the store."""
    _check_args(args)
    bar, tick = _progress_bar("预测 / forecasting")
    with bar:
        run = refresh(
            as_of=args.as_of,
            h=args.horizon,
            n_origins=args.origins,
            step=args.step,
            model=args.model,
            workers=args.workers,
            progress=tick,
        )
    if run is None:
        print("数据库里还没有销量数据,未生成预测。 / No sales in the store yet; no forecasts made.")
        return 1
    print(
        f"已预测 {run['n_series']} 个序列(其中 {run['n_fallback']} 个为简化预测),"
        f"数据截至 {run['made_from_week']} 当周,用时 {run['seconds']:.1f} 秒。 / "
        f"Forecast {run['n_series']} series ({run['n_fallback']} by the fallback) from data up to "
        f"the week of {run['made_from_week']} in {run['seconds']:.1f} s."
    )
    return 0


LEVEL_NAMES = {"department": "市场部 department", "city": "全市 city"}


def accuracy_report(accuracy: pd.DataFrame) -> list[str]:
    """Lines of the per-level accuracy table; the last one is the overall MASE line."""
    lines = [
        f"{'level':18s} {'series':>6s} {'MASE model':>10s} {'seasonal':>9s} {'festival':>9s}   "
        f"{'sMAPE model':>11s} {'seasonal':>9s} {'festival':>9s}   "
        f"{'festival-window MASE model / seasonal / festival':>48s}"
    ]
    for level in ("department", "city"):
        part = accuracy[accuracy["level"] == level] if "level" in accuracy else accuracy.iloc[0:0]
        if part.empty:
            continue
        s = summary(part)
        lines.append(
            f"{LEVEL_NAMES[level]:18s} {s['n_series']:6d} {s['mase_model']:10.3f} {s['mase_seasonal_naive']:9.3f} "
            f"{s['mase_festival_naive']:9.3f}   {s['smape_model']:11.1f} {s['smape_seasonal_naive']:9.1f} "
            f"{s['smape_festival_naive']:9.1f}   {s['mase_model_festival']:16.3f} / "
            f"{s['mase_seasonal_naive_festival']:.3f} / {s['mase_festival_naive_festival']:.3f}"
        )
    s = summary(accuracy)
    lines.append(
        f"MASE model={s['mase_model']:.3f} seasonal_naive={s['mase_seasonal_naive']:.3f} "
        f"festival_naive={s['mase_festival_naive']:.3f}"
    )
    return lines


def backtest_main(args) -> int:
    """`python -m marketpulse backtest`: per-level accuracy of model and baselines, then one MASE line."""
    _check_args(args)
    if args.stored:
        accuracy = stored_accuracy()
        run = last_run()
        if run is None or accuracy.empty:
            print(
                "还没有刷新过预测;先运行 `python -m marketpulse forecast`。 / "
                "No forecast refresh yet; run `python -m marketpulse forecast` first."
            )
            return 1
        print(
            f"最近一次刷新:数据截至 {run['made_from_week']} 当周 / latest refresh: data up to the week of "
            f"{run['made_from_week']}"
        )
    else:
        dept, city = load_panels(args.as_of)
        if dept.empty:
            print("数据库里还没有销量数据。 / No sales in the store yet.")
            return 1
        bar, tick = _progress_bar("回测 / backtest")
        with bar:
            result = run_hierarchy(
                dept,
                city,
                h=args.horizon,
                n_origins=args.origins,
                step=args.step,
                model=args.model,
                workers=args.workers,
                progress=tick,
            )
        accuracy = result.accuracy
        if accuracy.empty or accuracy["n_points"].sum() == 0:
            print(
                "历史不足一年,无法与同期基准比较。 / Less than a year of history: nothing to compare "
                "with last year's baselines."
            )
            return 1
        print(
            f"回测:{args.origins} 个起点,间隔 {args.step} 周,预测 {args.horizon} 周;数据截至 "
            f"{result.made_from_week.date()} 当周,用时 {result.seconds:.1f} 秒 / backtest: {args.origins} origins "
            f"{args.step} weeks apart, {args.horizon} weeks ahead, data up to the week of "
            f"{result.made_from_week.date()}, {result.seconds:.1f} s"
        )
    for line in accuracy_report(accuracy):
        print(line)
    return 0
