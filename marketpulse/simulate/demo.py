"""Build the demo store from the simulated city, or write it out as import files.

`python -m marketpulse demo --scale small|town|city [--seed N] [--weeks N] [--to-files DIR]`
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from marketpulse import rollup, store
from marketpulse.simulate import geo, redraw
from marketpulse.simulate.city import City, Progress, simulate

REFERENCE_TABLES = ("department", "territory", "customer_manager", "retailer", "spec")
MEMORY_LIMIT = "4GB"  # DuckDB spills to disk beyond this
WEEKS_PER_INSERT = 13  # facts go in a quarter at a time, which keeps the memory peak low


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
        # the roll-ups' window functions do not spill: at city scale they need more than the load did
        con.execute("reset memory_limit")
        rollup.rebuild(con)
        t3 = time.perf_counter()
        counts = {
            table: con.execute(f"select count(*) from {table}").fetchone()[0]
            for table in (
                *REFERENCE_TABLES,
                "visit_line",
                "order_line",
                "demo_truth",
                "weekly_observation",
                "retailer_visit",
            )
        }
        tell(0.95, "保存 / saving")
    t4 = time.perf_counter()
    tell(1.0, "完成 / done")
    counts.update(
        {
            "simulate_s": round(t1 - t0, 2),
            "load_s": round(t2 - t1, 2),
            "rollup_s": round(t3 - t2, 2),
            "publish_s": round(t4 - t3, 2),
            "total_s": round(t4 - t0, 2),
        }
    )
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
    positions = geo.positions(city.retailer, city.territory, city.seed).assign(license_no=city.retailer["license_no"])
    con.register("frame", positions)
    con.execute("insert into retailer_position by name select * from frame")  # where the shops stand, for the map
    con.unregister("frame")
    con.execute(
        """
        insert into retailer_assignment
        select license_no, date '1900-01-01', null, territory_code, cm_code, format, tier
        from retailer
        """
    )
    con.register("frame", city.spec_price)
    con.execute("insert into spec_price by name select * from frame")  # the prices' periods: the planted 调价
    con.unregister("frame")
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
    redraw.record(con, city.moves)  # the planted 片区 redraw: assignment history, visits by the old manager
    con.register("frame", city.truth)
    con.execute("insert into demo_truth by name select * from frame")
    con.unregister("frame")
