"""Build the demo store from the simulated city, or write it out as import files.

`python -m marketpulse demo --scale small|town|city [--seed N] [--weeks N] [--to-files DIR]`
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from marketpulse import rollup, store
from marketpulse.simulate import files as simulate_files
from marketpulse.simulate.core import MIN_WEEKS, SCALES, City, Progress, simulate

REFERENCE_TABLES = ("department", "territory", "customer_manager", "retailer", "spec")
MEMORY_LIMIT = "4GB"      # DuckDB spills to disk beyond this
WEEKS_PER_INSERT = 13     # facts go in a quarter at a time, which keeps the memory peak low


def build(
    path: Path | str | None = None,
    scale: str = "town",
    seed: int = 7,
    weeks: int | None = None,
    end_week: date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Build a fresh store at `path` (default: the live store) from a simulated city.

    Returns row counts per table and the seconds each phase took (keys ending in `_s`).
    """
    tell = progress or (lambda f, m: None)
    t0 = time.perf_counter()
    city = simulate(scale, seed=seed, weeks=weeks, end_week=end_week, progress=lambda f, m: tell(0.7 * f, m))
    t1 = time.perf_counter()
    with store.writer(path, fresh=True) as con:
        # the city scale would otherwise take most of the machine's memory while indexing
        con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
        tell(0.35, "写入数据库 / loading the store")
        _load(con, city, progress=lambda f, m: tell(0.35 + 0.25 * f, m))
        t2 = time.perf_counter()
        tell(0.6, "计算周汇总 / building weekly roll-ups")
        rollup.rebuild(con)
        t3 = time.perf_counter()
        counts = {
            table: con.execute(f"select count(*) from {table}").fetchone()[0]
            for table in (*REFERENCE_TABLES, "visit_line", "order_line", "demo_truth",
                          "weekly_observation", "retailer_visit")
        }
        tell(0.95, "保存 / saving")
    t4 = time.perf_counter()
    tell(1.0, "完成 / done")
    counts.update({
        "simulate_s": round(t1 - t0, 2), "load_s": round(t2 - t1, 2),
        "rollup_s": round(t3 - t2, 2), "publish_s": round(t4 - t3, 2), "total_s": round(t4 - t0, 2),
    })
    return counts


def _load(con: duckdb.DuckDBPyConnection, city: City, progress: Progress | None = None) -> None:
    """Insert the city into an empty store: reference tables, facts, ground truth."""
    retailer = city.retailer.assign(
        opened_on=pd.to_datetime(city.retailer["opened_on"]).dt.date,
        closed_on=pd.to_datetime(city.retailer["closed_on"]).dt.date,
    )
    frames = {
        "department": city.department,
        "territory": city.territory,
        "customer_manager": city.customer_manager,
        "retailer": retailer,
        "spec": city.spec,
    }
    for table, frame in frames.items():
        con.register("frame", frame)
        con.execute(f"insert into {table} by name select * from frame")
        con.unregister("frame")
    con.execute(
        """
        insert into retailer_assignment
        select license_no, date '1900-01-01', null, territory_code, cm_code, format, tier
        from retailer
        """
    )
    con.execute(
        "insert into import_log values (0, 'demo', 'demo', 'demo', now(), $n, $n, 0, 0, 'stored')",
        {"n": len(city.visits) + len(city.orders)},
    )
    # integer-coded facts are joined to their codes inside DuckDB, never row by row in Python
    con.register("retailer_key", city.retailer[["license_no", "cm_code"]].reset_index(names="r"))
    con.register("spec_key", city.spec[["spec_code"]].reset_index(names="s"))
    con.register("note_key", pd.DataFrame({"note": range(len(city.notes)), "text": list(city.notes)}))
    con.register("visits", city.visits)
    con.register("orders", city.orders)
    tell = progress or (lambda f, m: None)
    for first in range(0, city.weeks, WEEKS_PER_INSERT):
        params = {"start": city.start, "first": first, "last": first + WEEKS_PER_INSERT - 1}
        con.execute(
            """
            insert into visit_line
            select
                $start::date + (v.w * 7 + v.day)::integer as visit_date,
                rk.cm_code,
                rk.license_no,
                sk.spec_code,
                v.stock,
                nullif(v.price, 0),
                v.on_shelf,
                case when v.sales >= 0 then v.sales end,
                nk.text,
                0,
            from visits as v
            join retailer_key as rk using (r)
            join spec_key as sk using (s)
            left join note_key as nk using (note)
            where v.w between $first and $last
            """,
            params,
        )
        con.execute(
            """
            insert into order_line
            select
                $start::date + (o.w * 7 + o.day)::integer as order_date,
                rk.license_no,
                sk.spec_code,
                o.demand,
                o.supplied,
                0,
            from orders as o
            join retailer_key as rk using (r)
            join spec_key as sk using (s)
            where o.w between $first and $last
            """,
            params,
        )
        done = min(city.weeks, first + WEEKS_PER_INSERT)
        tell(done / city.weeks, f"写入第 {done}/{city.weeks} 周 / loaded week {done} of {city.weeks}")
    for name in ("retailer_key", "spec_key", "note_key", "visits", "orders"):
        con.unregister(name)
    con.register("frame", city.truth)
    con.execute("insert into demo_truth by name select * from frame")
    con.unregister("frame")


def main(args) -> int:
    """CLI entry: build the store (or write files) with a progress bar on the terminal."""
    from tqdm import tqdm

    if args.weeks is not None and args.weeks < MIN_WEEKS:
        print(
            f"--weeks 至少为 {MIN_WEEKS} / --weeks must be at least {MIN_WEEKS} "
            "(so that the planted events and launches fit)",
            file=sys.stderr,
        )
        return 2
    with tqdm(total=100, unit="%", disable=None, bar_format="{l_bar}{bar}| {elapsed}") as bar:
        def progress(fraction: float, message: str) -> None:
            bar.set_description(message)
            bar.update(max(0, round(fraction * 100) - bar.n))

        if args.to_files:
            written = simulate_files.write(
                args.to_files, scale=args.scale, seed=args.seed, weeks=args.weeks, progress=progress
            )
        else:
            path = store.db_path()
            counts = build(path, scale=args.scale, seed=args.seed, weeks=args.weeks, progress=progress)
    if args.to_files:
        for name, rows in written.items():
            print(f"{name}: {rows:,} 行 / rows")
        print(f"已写出导入文件到 {args.to_files} / Import files written to {args.to_files}")
    else:
        scale = SCALES[args.scale]
        print(
            f"已建成模拟城市({scale.name}):{counts['retailer']:,} 个零售户,{counts['spec']} 个规格,"
            f"{counts['visit_line']:,} 条拜访记录,用时 {counts['total_s']:.0f} 秒 → {path} / "
            f"Simulated city ({scale.name}) built: {counts['retailer']:,} retailers, {counts['spec']} specs, "
            f"{counts['visit_line']:,} visit lines in {counts['total_s']:.0f} s → {path}"
        )
    sys.stdout.flush()
    return 0
