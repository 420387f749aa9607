"""`python -m bench [--scale town|city] [--store FILE]`: speed and memory of the store path.

`python -m bench pages ...` measures the pages against the scale targets instead (bench/pages.py);
`python -m bench spark ...` the named queries on DuckDB and on Spark side by side (bench/spark.py);
`python -m bench browser ...` each page in Chromium until its charts are drawn (bench/browser.py);
`python -m bench lake-writes ...` imports into the lake against the write targets (bench/lake_writes.py).

Every figure is a ratio against a baseline measured in the same run on the same machine,
since the machines are shared and absolute seconds mean little:
- build: demo build of the simulated city (absolute seconds, for the record);
- import: one week of visit lines through the import contract ÷ pandas.read_csv of the
  same file (what "just reading it" costs);
- rebuild: full roll-up rebuild ÷ the import above;
- queries: each metric query over 13 weeks ÷ the same 存销比 computed in pandas from
  weekly_observation already in memory (the "load it all into pandas" design; one
  baseline for all, since 存销比 is the cheapest metric to write in pandas);
- memory: peak RSS growth of the query run ÷ that of loading weekly_observation into pandas.
Results go to bench/results/<scale>-<time>.json and a table on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench import browser, lake_writes, pages, spark
from marketpulse import ingest, metrics, rollup, store
from marketpulse.simulate import demo

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"

METRIC_QUERIES = [
    ("inventory_ratio", {"level": "territory"}),
    ("price_index", {"level": "territory"}),
    ("price_index_chained", {"level": "city", "formula": "fisher"}),
    ("price_compliance", {"level": "territory", "tolerance": None}),
    ("retail_margin", {"level": "territory"}),
    ("market_state", {}),
    ("new_brand_uptake", {"level": "territory"}),
    ("sales_volume", {"level": "territory", "product_level": "all"}),
    ("key_brand_share", {"level": "territory", "product_level": "all"}),
    ("avg_price_per_carton", {"level": "territory", "product_level": "all"}),
    ("order_fill", {"level": "territory", "product_level": "all"}),
    ("notes_signals", {"level": "territory"}),
    ("cm_scorecard", {"level": "cm"}),
    ("alerts", {}),
]


def timed(fn, repeat=3):
    """Median wall time of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def child_peak_rss_mb(code: str, env: dict) -> float:
    """Peak resident memory growth (MB) of a fresh Python process running `code`.

    Read from /proc's VmHWM, which starts afresh at exec (ru_maxrss would carry over the
    parent's high-water mark through fork).
    """
    probe = (
        "def hwm():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1])\n"
        "base = hwm()\n" + code + "\nprint(hwm() - base)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def pandas_inventory_ratio(obs, week_from, week_to):
    """The 存销比 of queries/inventory_ratio.sql by territory, in pandas (the baseline)."""
    known = obs[obs.sales_qty.notna()]
    weekly = known.groupby(["territory_code", "week"], as_index=False)[["stock_qty", "sales_qty"]].sum()
    weekly = weekly.sort_values(["territory_code", "week"])
    weekly["avg4"] = (
        weekly.set_index("week").groupby("territory_code").sales_qty.rolling("28D").mean().reset_index(drop=True).values
    )
    weekly["ratio"] = weekly.stock_qty / weekly.avg4.where(weekly.avg4 > 0)
    return weekly[(weekly.week >= week_from) & (weekly.week <= week_to)]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["pages"]:
        return pages.main(argv[1:])
    if argv[:1] == ["spark"]:
        return spark.main(argv[1:])
    if argv[:1] == ["browser"]:
        return browser.main(argv[1:])
    if argv[:1] == ["lake-writes"]:
        return lake_writes.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", choices=["small", "town", "city"], default="town")
    parser.add_argument("--store", help="use this store instead of building one")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="mp-bench-"))
    results: dict = {
        "scale": args.scale,
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
    }
    try:
        path = work / "bench.duckdb"
        if args.store:
            shutil.copyfile(args.store, path)
        else:
            t0 = time.perf_counter()
            counts = demo.build(path, scale=args.scale)
            results["build_s"] = round(time.perf_counter() - t0, 1)
            results["build_counts"] = {k: v for k, v in counts.items() if not k.endswith("_s")}
        os.environ["MARKETPULSE_DB"] = str(path)
        reader = store.reader(path)
        last = reader.sql("select max(week) as w from weekly_observation")["w"][0].date()
        first = last - dt.timedelta(weeks=12)
        results["visit_lines"] = int(reader.sql("select count(*) as n from visit_line")["n"][0])

        # import: the last week's visit lines as a contract file, re-imported with --force
        week_csv = work / "visits_last_week.csv"
        reader.cursor().execute(
            "copy (select visit_date, cm_code, license_no, spec_code, stock_qty, retail_price, "
            "on_shelf, sales_qty, notes from visit_line where visit_date >= $w) to "
            f"'{week_csv}' (header, delimiter ',')",
            {"w": last},
        )
        read_s, frame = timed(lambda: pd.read_csv(week_csv, dtype=str), repeat=3)
        t0 = time.perf_counter()
        summary = ingest.import_file(week_csv, "visits", db=path, force=True)
        import_s = time.perf_counter() - t0
        results["import"] = {
            "rows": summary.rows_read,
            "seconds": round(import_s, 2),
            "pandas_read_csv_seconds": round(read_s, 3),
            "ratio_vs_read_csv": round(import_s / read_s, 1),
        }

        t0 = time.perf_counter()
        with store.writer(path) as con:
            rollup.rebuild(con)
        rebuild_s = time.perf_counter() - t0
        results["rebuild"] = {"seconds": round(rebuild_s, 1), "ratio_vs_week_import": round(rebuild_s / import_s, 1)}

        # queries against the pandas baseline
        obs_s, obs = timed(lambda: reader.sql("select * from weekly_observation"), repeat=1)
        base_s, _ = timed(lambda: pandas_inventory_ratio(obs, pd.Timestamp(first), pd.Timestamp(last)))
        results["pandas_baseline"] = {
            "load_weekly_observation_s": round(obs_s, 2),
            "inventory_ratio_s": round(base_s, 3),
        }
        rows = []
        for name, extra in METRIC_QUERIES:
            params = {"week_from": first, "week_to": last, **extra}
            seconds, frame = timed(lambda name=name, params=params: metrics.query(name, params, path=path))
            rows.append(
                {
                    "query": name,
                    "seconds": round(seconds, 3),
                    "rows": len(frame),
                    "ratio_vs_pandas_inventory_ratio": round(seconds / base_s, 2),
                    "ratio_vs_pandas_load_and_compute": round(seconds / (obs_s + base_s), 3),
                }
            )
        results["queries"] = rows

        env = {**os.environ, "MARKETPULSE_DB": str(path)}
        queries_code = (
            "from marketpulse import store\n"
            f"for name, extra in {METRIC_QUERIES!r}:\n"
            f"    store.run(name, {{'week_from': '{first}', 'week_to': '{last}', **extra}})\n"
        )
        pandas_code = "from marketpulse import store\nframe = store.reader().sql('select * from weekly_observation')\n"
        q_mb = child_peak_rss_mb(queries_code, env)
        p_mb = child_peak_rss_mb(pandas_code, env)
        results["memory"] = {
            "all_queries_mb": round(q_mb),
            "pandas_load_mb": round(p_mb),
            "ratio": round(q_mb / p_mb, 2),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)

    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{args.scale}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items() if k != "queries"}, indent=2, default=str))
    print(f"{'query':24s} {'seconds':>8s} {'rows':>8s} {'÷pandas ratio':>14s} {'÷pandas load+ratio':>19s}")
    for r in results["queries"]:
        print(
            f"{r['query']:24s} {r['seconds']:8.3f} {r['rows']:8d} {r['ratio_vs_pandas_inventory_ratio']:14.2f} "
            f"{r['ratio_vs_pandas_load_and_compute']:19.3f}"
        )
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
