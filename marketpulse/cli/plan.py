"""`plan` and `plan-eval`: next week's supply plan as an order file, and the plan on replay."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from marketpulse import supply
from marketpulse.errors import UsageError
from marketpulse.simulate import plan_eval


def add_plan_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--week", help="投放周(周一),默认最近数据周的下一周 / week supplied (Monday)")
    p.add_argument("--supply", metavar="FILE.csv", help="货源总量 spec_code,quantity / available quantity per spec")
    p.add_argument("--out", required=True, metavar="FILE", help="输出 .csv 或 .xlsx / output .csv or .xlsx")
    p.add_argument(
        "--retailers-out",
        metavar="FILE.csv",
        help="控量户 CSV(默认 FILE-retailers.csv;.xlsx 时在第二张表)/ retailers limited to their need "
        "(default FILE-retailers.csv; in .xlsx, the second sheet)",
    )
    p.add_argument("--allocation", choices=list(supply.ALLOCATION_TYPES), help="分配方式 / allocation type")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="语言 / language")
    p.add_argument("--workers", type=int, default=1, help="预测进程数 / forecast worker processes")


def add_eval_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--origins", type=int, default=4, help="回放周数 / replayed weeks (default 4)")
    p.add_argument("--scale", choices=["small", "town", "city"], default="town", help="模拟城市规模 / demo scale")
    p.add_argument("--seed", type=int, default=7, help="模拟城市种子 / demo seed")
    p.add_argument("--workers", type=int, default=2, help="预测进程数 / forecast worker processes (default 2)")


def plan_main(args) -> int:
    """`python -m marketpulse plan --week W [--supply FILE] --out FILE`: the order file (CSV or .xlsx)."""
    try:
        week = pd.Timestamp(args.week) - pd.Timedelta(weeks=1) if args.week else None
    except ValueError:
        raise UsageError(f"--week 不是日期:{args.week!r} / --week is not a date: {args.week!r}") from None
    available = supply.read_supply(args.supply) if args.supply else None
    policy = supply.load_policy(allocation_type=args.allocation)
    plan = supply.make_plan(supply.plan_inputs(week, workers=args.workers), available, policy)
    out = Path(args.out)
    written = [out]
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(supply.order_xlsx(plan.lines, plan.plan_week, args.lang))
    else:
        out.write_bytes(supply.order_csv(plan.lines, plan.plan_week, args.lang))
    if out.suffix.lower() != ".xlsx" or args.retailers_out:
        capped = Path(args.retailers_out or out.with_name(out.stem + "-retailers.csv"))
        capped.write_bytes(supply.retailer_csv(plan.lines, plan.plan_week, args.lang))
        written.append(capped)
    totals = supply.totals(plan).iloc[0]
    n_capped = int(plan.lines["capped"].sum())
    state = "受货源总量约束 / within the available quantity" if plan.constrained else "不受约束 / unconstrained"
    files = ", ".join(map(str, written))
    print(
        f"{plan.plan_week.date()} 当周投放方案:{len(plan.lines)} 行,方案合计 {totals['planned']:,.0f} 条"
        f"(预测 {totals['forecast']:,.0f},上周投放 {totals['supplied_last']:,.0f}),控量户 {n_capped:,} 户次,"
        f"{state} → {files} / plan for the week of {plan.plan_week.date()}: {len(plan.lines)} lines, "
        f"{totals['planned']:,.0f} cartons in all (forecast {totals['forecast']:,.0f}, last week's supply "
        f"{totals['supplied_last']:,.0f}), {n_capped:,} retailer × spec limited to their need"
    )
    return 0


def plan_eval_main(args) -> int:
    """`python -m marketpulse plan-eval [--origins N]`: a table per origin and policy, then one EVAL line."""
    frame = plan_eval.evaluate(n_origins=args.origins, scale=args.scale, seed=args.seed, workers=args.workers)
    print(frame.to_string(index=False))
    plan_eval.save(frame)
    print(plan_eval.eval_line(frame))
    return 0
