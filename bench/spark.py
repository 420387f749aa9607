"""`python -m bench spark [--scale small|town|city|province ...] [--store FILE | --lake DIR] [--master URL] [--json FILE]`:
the roll-up build and the named queries on DuckDB (the store, and the lake's serving store)
and on Spark over the lake, side by side, per scale, with where the figures say Spark would
start to pay.

For each scale: the lake export, the full roll-up build from the lake's facts on DuckDB and
on Spark (`rollup --engine duckdb|spark`, per builder file), Spark's session start, and each
query's median wall time (after one warm-up run) on the three. The crossover is read from a
straight line per engine (fixed cost + cost per visit line) through the scales run.
`province` among the scales is estimated from those lines. `--lake DIR` measures the queries on a
lake as it is (DuckDB over its serving store against Spark over its files, no export and no
roll-up build): the province lake of bench/province.py (`--lake data/bench-province-lake`) runs
the province's queries for real, on both engines. `--lake DIR --build` times the full roll-up
build of that lake instead, on DuckDB then on Spark, each on a copy of it (hours at province: the
figures are written to the JSON file as each engine finishes).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from marketpulse import lake, rollup, store
from marketpulse import spark as mp_spark
from marketpulse.simulate import demo

RESULTS = Path(__file__).resolve().parent / "results"
END_WEEK = dt.date(2026, 11, 16)
# the province of issue 12: ten cities of 8,000 retailers (18.75M visit lines and a 3.7 GB store each)
PROVINCE = {"visit_lines": 187_500_000, "store_gb": 37.0, "cities": 10}
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


@contextlib.contextmanager
def timed_rollup_files(seconds: dict) -> Iterator[None]:
    """Record the wall time of each builder file rollup.refresh runs on DuckDB."""
    execute, execute_file = rollup._execute, rollup.store.execute_file

    def timed(fn, name_of):
        def run(con, name, *args):
            start = time.perf_counter()
            fn(con, name, *args)
            seconds[name_of(name)] = time.perf_counter() - start

        return run

    rollup._execute = timed(execute, str)
    rollup.store.execute_file = timed(execute_file, lambda path: Path(path).stem)
    try:
        yield
    finally:
        rollup._execute, rollup.store.execute_file = execute, execute_file


def measure(scale: str, store_path: Path | None, work: Path, master: str, repeat: int) -> dict:
    if store_path is None:
        store_path = work / f"{scale}.duckdb"
        demo.build(store_path, scale=scale, seed=7, end_week=END_WEEK)
    lines = int(store.reader(store_path).sql("select count(*) as n from visit_line")["n"][0])
    lake_dir = work / f"{scale}-lake"
    start = time.perf_counter()
    lake.export_lake(lake_dir, store_path)
    export_s = time.perf_counter() - start
    lake_mb = sum(p.stat().st_size for p in lake_dir.rglob("*.parquet")) / 1e6
    duck_files: dict[str, float] = {}
    start = time.perf_counter()
    with timed_rollup_files(duck_files):
        lake.build_rollups(lake_dir)
    duck_build_s = time.perf_counter() - start
    start = time.perf_counter()
    session = mp_spark.session(master)
    session_s = time.perf_counter() - start
    spark_files: dict[str, float] = {}
    start = time.perf_counter()
    mp_spark.build_rollups_on_spark(session, lake_dir, spark_files)
    spark_build_s = time.perf_counter() - start
    engine = mp_spark.SparkEngine(lake_dir, session)
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
        "store_mb": store_path.stat().st_size / 1e6,
        "lake_mb": lake_mb,
        "export_lake_s": export_s,
        "duckdb_rollup_build_s": duck_build_s,
        "spark_rollup_build_s": spark_build_s,
        "rollup_files": {
            name: {"duckdb_s": duck_files.get(name), "spark_s": spark_files.get(name)} for name in lake.ROLLUP_FILES
        },
        "spark_read_lake_s": spark_files.get("tables"),
        "spark_session_s": session_s,
        "python_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # not Spark's JVM
        "queries": queries,
    }


def measure_lake(lake_dir: Path, master: str, repeat: int) -> dict:
    """The named queries on an existing lake: DuckDB over its serving store, Spark over its files."""
    manifest = lake.load(lake_dir)
    lines = sum(p.rows for p in manifest.tables["visit_line"].parts.values())
    start = time.perf_counter()
    session = mp_spark.session(master)
    session_s = time.perf_counter() - start
    engine = mp_spark.SparkEngine(lake_dir, session)
    served = store.Reader(lake_dir / "serving.duckdb")
    week = served.sql("select max(week) as w from weekly_observation")["w"][0].date()
    weeks = {"week_from": week - dt.timedelta(weeks=12), "week_to": week, "as_of": week}
    queries = {}
    for name, extra in QUERIES:
        params = {k: v for k, v in {**weeks, **extra}.items() if k in store.query_params(name)}
        queries[name] = {
            "duckdb_lake_s": timed(lambda n=name, p=params: served.query(n, p), repeat),
            "spark_s": timed(lambda n=name, p=params: engine.query(n, p), repeat),
        }
        print(f"{name:24s} {queries[name]['duckdb_lake_s']:11.3f}s {queries[name]['spark_s']:11.3f}s", flush=True)
    return {
        "lake": str(lake_dir),
        "visit_lines": lines,
        "lake_mb": sum(p.stat().st_size for p in lake_dir.rglob("*.parquet")) / 1e6,
        "spark_session_s": session_s,
        "queries": queries,
    }


def measure_lake_build(lake_dir: Path, master: str, out: Path, done: list[dict]) -> dict:
    """The full roll-up build of the lake at `lake_dir` on DuckDB, then on Spark, each on its own
    copy (next to the lake, removed after), per builder file; `out` rewritten after each engine
    with the runs `done` before and this one."""
    manifest = lake.load(lake_dir)
    run = {
        "lake": str(lake_dir),
        "visit_lines": sum(p.rows for p in manifest.tables["visit_line"].parts.values()),
        "lake_mb": sum(p.stat().st_size for p in lake_dir.rglob("*.parquet")) / 1e6,
        "started": dt.datetime.now().isoformat(timespec="seconds"),
    }
    for engine in ("duckdb", "spark"):
        copy = lake_dir.parent / f".{lake_dir.name}-build-{engine}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(lake_dir, copy, ignore=shutil.ignore_patterns(".staging-*", "*.lock"))
        files: dict[str, float] = {}
        start = time.perf_counter()
        try:
            if engine == "duckdb":
                with timed_rollup_files(files):
                    lake.build_rollups(copy)
            else:
                session_start = time.perf_counter()
                session = mp_spark.session(master)
                run["spark_session_s"] = time.perf_counter() - session_start
                start = time.perf_counter()
                mp_spark.build_rollups_on_spark(session, copy, files)
            run[f"{engine}_rollup_build_s"] = time.perf_counter() - start
        except Exception as exc:  # noqa: BLE001 — a build that fails (out of memory) is reported, not lost
            run[f"{engine}_rollup_build_s"] = None
            run[f"{engine}_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        finally:
            shutil.rmtree(copy, ignore_errors=True)
        run[f"{engine}_files"] = files
        run["python_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{engine:8s} roll-up build: {run[f'{engine}_rollup_build_s'] or 'FAILED'} s", flush=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"runs": [*done, run]}, indent=1), encoding="utf-8")
    done.append(run)
    return run


def _line(a: dict, b: dict, key) -> tuple[float, float]:
    """Fixed cost and cost per visit line of `key(run)` through runs a and b."""
    d = b["visit_lines"] - a["visit_lines"] or 1
    slope = (key(b) - key(a)) / d
    return key(a) - slope * a["visit_lines"], slope


def province(runs: list[dict]) -> list[str]:
    """The province's roll-up build and query times, extrapolated along each engine's line."""
    if len(runs) < 2:
        return ["province: run two scales or more (e.g. --scale small town province) to extrapolate"]
    a, b = runs[0], runs[-1]
    lines = PROVINCE["visit_lines"]
    out = [f"province (estimated, not run): {lines:,} visit lines, a {PROVINCE['store_gb']:.0f} GB store"]
    per_line_mb = b["lake_mb"] / b["visit_lines"]
    out.append(f"  lake ≈ {per_line_mb * lines / 1e3:.1f} GB of Parquet (from {b['scale']}'s {b['lake_mb']:.0f} MB)")
    for label, key in (
        ("DuckDB roll-up build", lambda r: r["duckdb_rollup_build_s"]),
        ("Spark local roll-up build", lambda r: r["spark_rollup_build_s"]),
        ("DuckDB queries (sum)", lambda r: sum(q["duckdb_store_s"] for q in r["queries"].values())),
        ("Spark queries (sum)", lambda r: sum(q["spark_s"] for q in r["queries"].values())),
    ):
        fixed, slope = _line(a, b, key)
        out.append(f"  {label}: ≈ {fixed + slope * lines:,.0f} s")
    return out


def crossover(runs: list[dict], duck_key: str = "duckdb_store_s") -> list[str]:
    """Where a line through each engine's time meets the other's, in visit lines: queries (DuckDB's
    time under `duck_key`: the store's, or the lake's serving store's) and roll-up build."""
    if len(runs) < 2:
        return ["crossover: run two scales or more to fit a line per engine"]
    runs = sorted(runs, key=lambda r: r["visit_lines"])
    out = []
    for label, duck, spark in (
        (
            "queries",
            lambda r: sum(q[duck_key] for q in r["queries"].values()),
            lambda r: sum(q["spark_s"] for q in r["queries"].values()),
        ),
        ("roll-up build", lambda r: r["duckdb_rollup_build_s"], lambda r: r["spark_rollup_build_s"]),
    ):
        have = [r for r in runs if _has(r, duck) and _has(r, spark)]
        if len(have) < 2:
            out.append(f"crossover ({label}): not measured at two scales")
            continue
        a, b = have[0], have[-1]
        duck_0, duck_slope = _line(a, b, duck)
        spark_0, spark_slope = _line(a, b, spark)
        span = f"{a['visit_lines']:,} → {b['visit_lines']:,} visit lines"
        if duck_slope <= spark_slope:
            out.append(
                f"crossover ({label}, {span}): none — DuckDB's cost per line is not above Spark local's on this machine"
            )
        else:
            lines = (spark_0 - duck_0) / (duck_slope - spark_slope)
            out.append(
                f"crossover ({label}, {span}): Spark local would overtake DuckDB at about {lines:,.0f} visit lines"
            )
    return out


def _has(run: dict, key) -> bool:
    try:
        return key(run) is not None
    except (KeyError, TypeError):
        return False


def combine(files: list[Path]) -> list[dict]:
    """The runs of earlier result files, those of one lake (its queries, its build) merged into one."""
    merged: dict[str, dict] = {}
    for file in files:
        for run in json.loads(file.read_text(encoding="utf-8"))["runs"]:
            merged.setdefault(run.get("lake") or run["scale"], {}).update(run)
    return sorted(merged.values(), key=lambda r: r["visit_lines"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench spark")
    parser.add_argument("--scale", nargs="+", default=["small", "town"], choices=["small", "town", "city", "province"])
    parser.add_argument("--store", type=Path, help="measure this store instead of building the (single) scale")
    parser.add_argument("--lake", type=Path, nargs="+", help="measure the queries on these lakes as they are")
    parser.add_argument("--build", action="store_true", help="with --lake: time its full roll-up build instead")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--combine", type=Path, nargs="+", help="the crossover from these result files' runs")
    args = parser.parse_args(argv)
    if args.combine:
        runs = combine(args.combine)
        for run in runs:
            print(f"{run.get('lake') or run['scale']}: {run['visit_lines']:,} visit lines")
        print("\n".join(crossover(runs, "duckdb_lake_s")))
        return 0
    if args.lake and args.build:
        out = args.json or RESULTS / f"spark-lake-build-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
        runs: list[dict] = []
        for lake_dir in args.lake:
            measure_lake_build(lake_dir, args.master, out, runs)
        for run in runs:
            duck, spark = run.get("duckdb_rollup_build_s"), run.get("spark_rollup_build_s")
            if duck and spark:
                print(
                    f"{run['visit_lines']:,} visit lines: roll-up build DuckDB {duck:,.0f} s, Spark local {spark:,.0f} s"
                )
        print(f"→ {out}")
        return 0 if all(r.get("duckdb_rollup_build_s") and r.get("spark_rollup_build_s") for r in runs) else 1
    if args.lake:
        print(f"{'query':24s} {'DuckDB lake':>12s} {'Spark local':>12s}")
        runs = [measure_lake(lake_dir, args.master, args.repeat) for lake_dir in args.lake]
        summary = []
        for run in runs:
            total = [sum(q[k] for q in run["queries"].values()) for k in ("duckdb_lake_s", "spark_s")]
            summary += [
                f"{run['visit_lines']:,} visit lines, lake {run['lake_mb']:,.0f} MB, Spark session "
                f"{run['spark_session_s']:.1f} s; queries (sum of medians): DuckDB {total[0]:.1f} s, "
                f"Spark local {total[1]:.1f} s (Spark/DuckDB {total[1] / total[0]:.1f}×)"
            ]
        summary += crossover(runs, "duckdb_lake_s")
        print("\n" + "\n".join(summary))
        out = args.json or RESULTS / f"spark-lake-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"runs": runs, "summary": summary}, indent=1), encoding="utf-8")
        print(f"→ {out}")
        return 0
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        for scale in args.scale:
            if scale != "province":
                runs.append(measure(scale, args.store, Path(tmp), args.master, args.repeat))
    for run in runs:
        print(
            f"\n{run['scale']}: {run['visit_lines']:,} visit lines, store {run['store_mb']:.0f} MB, "
            f"lake {run['lake_mb']:.0f} MB; export-lake {run['export_lake_s']:.1f} s, "
            f"Spark session {run['spark_session_s']:.1f} s, Spark reading the lake {run['spark_read_lake_s']:.1f} s"
        )
        print(f"{'roll-up build':24s} {'DuckDB':>10s} {'Spark local':>12s} {'Spark/DuckDB':>13s}")
        for name, t in [*run["rollup_files"].items(), ("total (with publish)", None)]:
            duck, spark = (
                (run["duckdb_rollup_build_s"], run["spark_rollup_build_s"])
                if t is None
                else (t["duckdb_s"], t["spark_s"])
            )
            ratio = f"{spark / duck:12.1f}×" if duck and spark else f"{'–':>13s}"
            print(f"{name:24s} {duck or 0:9.2f}s {spark or 0:11.2f}s {ratio}")
        print(f"{'query':24s} {'DuckDB store':>13s} {'DuckDB lake':>12s} {'Spark local':>12s} {'Spark/DuckDB':>13s}")
        for name, q in run["queries"].items():
            ratio = q["spark_s"] / q["duckdb_store_s"] if q["duckdb_store_s"] else float("inf")
            times = f"{q['duckdb_store_s']:12.3f}s {q['duckdb_lake_s']:11.3f}s {q['spark_s']:11.3f}s"
            print(f"{name:24s} {times} {ratio:12.1f}×")
    summary = crossover(runs) + (province(runs) if "province" in args.scale else [])
    print("\n" + "\n".join(summary))
    out = args.json or RESULTS / f"spark-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"runs": runs, "summary": summary}, indent=1), encoding="utf-8")
    print(f"→ {out}")
    return 0
