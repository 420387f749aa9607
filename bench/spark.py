"""`python -m bench spark [--scale small|town ...] [--store FILE] [--master URL] [--json FILE]`:
the named queries on DuckDB (the store, and the lake's serving store) and on Spark over the
lake, side by side, per scale, with where the figures say Spark would start to pay.

For each scale: the lake export, DuckDB's full roll-up rebuild, Spark's session start, and
each query's median wall time (after one warm-up run) on the three. The crossover is read
from a straight line per engine (fixed cost + cost per visit line) through the scales run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from marketpulse import lake, rollup, store
from marketpulse import spark as mp_spark
from marketpulse.simulate import demo

RESULTS = Path(__file__).resolve().parent / "results"
END_WEEK = dt.date(2026, 11, 16)
WEEKS = {"week_from": "2026-08-24", "week_to": "2026-11-16", "as_of": "2026-11-16"}
QUERIES = [
    ("inventory_ratio", {"level": "territory"}),
    ("price_index", {"level": "territory"}),
    ("sales_volume", {"level": "territory", "product_level": "all"}),
    ("market_state", {}),
    ("cm_scorecard", {"level": "cm"}),
    ("alerts", {}),
]


def timed(fn, repeat: int) -> float:
    fn()  # warm-up: caches, JIT, file footers
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _params(name: str, extra: dict) -> dict:
    takes = store.query_params(name)
    return {k: v for k, v in {**WEEKS, **extra}.items() if k in takes}


def measure(scale: str, store_path: Path | None, work: Path, master: str, repeat: int) -> dict:
    if store_path is None:
        store_path = work / f"{scale}.duckdb"
        demo.build(store_path, scale=scale, seed=7, end_week=END_WEEK)
    lines = int(store.reader(store_path).sql("select count(*) as n from visit_line")["n"][0])
    lake_dir = work / f"{scale}-lake"
    start = time.perf_counter()
    lake.export_lake(lake_dir, store_path)
    export_s = time.perf_counter() - start
    copy = work / f"{scale}-rebuild.duckdb"
    shutil.copy(store_path, copy)
    start = time.perf_counter()
    with store.writer(copy) as con:
        rollup.rebuild(con)
    rebuild_s = time.perf_counter() - start
    start = time.perf_counter()
    engine = mp_spark.SparkEngine(lake_dir, mp_spark.session(master))
    session_s = time.perf_counter() - start
    served = store.Reader(lake_dir / "serving.duckdb")
    direct = store.Reader(store_path)
    queries = {}
    for name, extra in QUERIES:
        params = _params(name, extra)
        queries[name] = {
            "duckdb_store_s": timed(lambda n=name, p=params: direct.query(n, p), repeat),
            "duckdb_lake_s": timed(lambda n=name, p=params: served.query(n, p), repeat),
            "spark_s": timed(lambda n=name, p=params: engine.query(n, p), repeat),
        }
    return {
        "scale": scale,
        "visit_lines": lines,
        "export_lake_s": export_s,
        "duckdb_rollup_rebuild_s": rebuild_s,
        "spark_rollup_build_s": None,  # Spark builds no roll-ups yet: they come from the export
        "spark_session_s": session_s,
        "queries": queries,
    }


def crossover(runs: list[dict]) -> str:
    """Where a line through each engine's total query time meets the other's, in visit lines."""
    if len(runs) < 2:
        return "crossover: run two scales or more to fit a line per engine"
    a, b = runs[0], runs[-1]

    def total(run, key):
        return sum(q[key] for q in run["queries"].values())

    d = b["visit_lines"] - a["visit_lines"] or 1
    duck_slope = (total(b, "duckdb_store_s") - total(a, "duckdb_store_s")) / d
    spark_slope = (total(b, "spark_s") - total(a, "spark_s")) / d
    duck_0 = total(a, "duckdb_store_s") - duck_slope * a["visit_lines"]
    spark_0 = total(a, "spark_s") - spark_slope * a["visit_lines"]
    if duck_slope <= spark_slope:
        return "crossover: none in sight — DuckDB's cost per line is not above Spark's on this machine"
    lines = (spark_0 - duck_0) / (duck_slope - spark_slope)
    return f"crossover: Spark's queries would overtake DuckDB's at about {lines:,.0f} visit lines on this machine"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench spark")
    parser.add_argument("--scale", nargs="+", default=["small", "town"], choices=["small", "town", "city"])
    parser.add_argument("--store", type=Path, help="measure this store instead of building the (single) scale")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        for scale in args.scale:
            runs.append(measure(scale, args.store, Path(tmp), args.master, args.repeat))
    for run in runs:
        print(
            f"\n{run['scale']}: {run['visit_lines']:,} visit lines; export-lake {run['export_lake_s']:.1f} s, "
            f"DuckDB roll-up rebuild {run['duckdb_rollup_rebuild_s']:.1f} s, Spark session {run['spark_session_s']:.1f} s"
        )
        print(f"{'query':24s} {'DuckDB store':>13s} {'DuckDB lake':>12s} {'Spark local':>12s} {'Spark/DuckDB':>13s}")
        for name, q in run["queries"].items():
            ratio = q["spark_s"] / q["duckdb_store_s"] if q["duckdb_store_s"] else float("inf")
            print(
                f"{name:24s} {q['duckdb_store_s']:12.3f}s {q['duckdb_lake_s']:11.3f}s {q['spark_s']:11.3f}s {ratio:12.1f}×"
            )
    summary = crossover(runs)
    print("\n" + summary)
    out = args.json or RESULTS / f"spark-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"runs": runs, "summary": summary}, indent=1), encoding="utf-8")
    print(f"→ {out}")
    return 0
