"""`python -m bench pages --scale town|city|province [--store FILE | --lake DIR] [--scope ter=CODE] [--repeat N] [--json FILE]`.

In one run on one machine, against the scale targets (README, Performance):
- each page's whole query set (the view function the page calls, marketpulse/views/*, no
  Streamlit cache), cold (a fresh process per call) and warm: median and p95;
- the same views the way many Streamlit apps do it: weekly_observation loaded into pandas
  once, then filtered and grouped per view (bench/pandas_pages.py), with the ratio per page
  and the peak memory of both (each in a fresh process, VmHWM);
- a week's import (UTF-8 and GB18030 CSV), a one-row correction and a full roll-up rebuild,
  on a copy of the store, each in a fresh process (seconds, lines/s, peak RSS);
- one summary line per target: met, or missed by how much.
The store is `--store`, else data/bench-<scale>.duckdb, built with the demo when missing. With
`--lake DIR` the pages read that lake (MARKETPULSE_LAKE) and the writes are left to `bench
lake-writes`; the province scale is always a lake (bench/province.py builds it when missing and
records its build time, peak memory and size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import province
from marketpulse import store, views
from marketpulse.metrics.api import forget_city_reads
from marketpulse.simulate import demo
from marketpulse.store import queries
from marketpulse.views.base import focus

if os.environ.get("BENCH_QUERY_DIR"):  # --queries: measure another version of queries/ (e.g. before a change)
    queries.QUERY_DIR = Path(os.environ["BENCH_QUERY_DIR"])

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
TARGET = {"warm_p95_s": 0.100, "cold_s": 1.0, "speedup": 20.0, "memory": 5.0}
TARGET_IMPORT = {"import_s": 5.0, "import_gb": 2.0, "correction_s": 1.0, "rebuild_s": 30.0}
TARGET_PROVINCE = {"warm_p95_s": 0.300, "import_s": 10.0}  # ten cities on this one machine
PAGE_WEEKS = 13  # the sidebar's default range

# --scope: whose pages are timed, as `dep=CODE`, `ter=CODE` or `cm=CODE` (the sidebar's keys);
# nothing = the whole city. Children read it from the environment, as they read --queries.
SCOPE_KEYS = {"dep": "department_code", "ter": "territory_code", "cm": "cm_code"}


def scope_of(text: str) -> store.Scope:
    """The scope `--scope` names: '' is the city, else `dep=`, `ter=` or `cm=` and a code."""
    if not text:
        return store.CITY
    key, _, code = text.partition("=")
    if key not in SCOPE_KEYS or not code:
        raise SystemExit(f"--scope {text!r}: give dep=CODE, ter=CODE or cm=CODE")
    return store.Scope(**{SCOPE_KEYS[key]: code})


def set_scope(text: str) -> None:
    """Time the pages within the scope `text` names (scope_of), here and in every child."""
    global SCOPE, FOCUS
    os.environ["BENCH_SCOPE"] = text
    SCOPE = scope_of(text)
    FOCUS = focus(SCOPE.department_code, SCOPE.territory_code, SCOPE.cm_code)  # the sidebar's level


SCOPE, FOCUS = store.CITY, "city"
set_scope(os.environ.get("BENCH_SCOPE", ""))

# page → how the page calls its view: the same arguments the app passes with the default sidebar
PAGES = {
    "weekly_review": lambda c: views.weekly_review(c["week_to"], c, SCOPE, "zh"),
    "inventory": lambda c: views.inventory(c, SCOPE, FOCUS, "zh"),
    "prices": lambda c: views.prices(c, SCOPE, "fisher", "zh", "current", FOCUS),
    "brands": lambda c: (
        views.new_spec_progress(c, SCOPE, "zh"),  # every new spec's progress, on top
        views.brands(c, SCOPE, newest_spec(c["week_to"]), "zh"),
    ),
    "territory": lambda c: views.territory_trends(c, SCOPE, "zh"),
    "managers": lambda c: views.managers(c, SCOPE, SCOPE.cm_code, "zh"),
}


@functools.cache
def newest_spec(week_to: dt.date) -> str | None:
    """The spec the brand page opens on: the newest launched in the 52 weeks to week_to (the app
    reads the catalogue once, through its cache)."""
    new = views.new_specs(views.reference().specs, week_to)
    return new["spec_code"].iloc[0] if len(new) else None


HWM = """
def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 1024
"""


def page_params(path: Path) -> dict:
    """The sidebar's defaults: the last PAGE_WEEKS weeks with data, no filter."""
    last = store.reader(path).sql("select max(week) as w from weekly_observation")["w"][0].date()
    return {
        "week_from": last - dt.timedelta(weeks=PAGE_WEEKS - 1),
        "week_to": last,
        **dict.fromkeys(("format", "tier_band", "area_type", "brand", "spec_code")),
    }


def stats(times: list[float]) -> dict:
    """Median and p95 (nearest rank) of `times`, seconds."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]
    return {"median_s": round(statistics.median(ordered), 4), "p95_s": round(p95, 4), "n": len(ordered)}


def child(code: str, env: dict) -> dict:
    """Run `code` in a fresh Python; it prints one JSON line last, which is returned."""
    out = subprocess.run(
        [sys.executable, "-c", HWM + code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def cold_and_memory(page: str, params: dict, env: dict) -> dict:
    """One cold call of `page` in a fresh process: its seconds and the process's peak RSS."""
    code = (
        "import json, time, datetime as dt\n"
        "from bench import pages\n" + _params_code(params) + "t0 = time.perf_counter()\n"
        f"pages.PAGES[{page!r}](params)\n"
        "print(json.dumps({'s': time.perf_counter() - t0, 'mb': hwm()}))\n"
    )
    return child(code, env)


def pandas_child(page: str | None, params: dict, env: dict, repeat: int) -> dict:
    """The pandas way in a fresh process: load once, then `page`'s views `repeat` times."""
    code = (
        "import json, time, datetime as dt\n"
        "from bench import pandas_pages as pp\n"
        + _params_code(params)
        + "t0 = time.perf_counter(); data = pp.load(); load_s = time.perf_counter() - t0\n"
        "times = []\n"
        f"for _ in range({repeat if page else 0}):\n"
        "    t0 = time.perf_counter()\n"
        f"    pp.PAGES[{page!r}](data, params)\n"
        "    times.append(time.perf_counter() - t0)\n"
        "print(json.dumps({'load_s': load_s, 'times': times, 'mb': hwm()}))\n"
    )
    return child(code, env)


def _params_code(params: dict) -> str:
    """The line of a child's code that sets `params` (dates as text in between)."""
    plain = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in params.items()}
    return f"params = {{k: (dt.date.fromisoformat(v) if k.startswith('week') else v) for k, v in {plain!r}.items()}}\n"


def measure_pages(path: Path, repeat: int, cold_repeat: int, pandas_repeat: int, lake: Path | None = None) -> dict:
    """Warm and cold seconds of each page, the pandas way beside them (pandas_repeat 0: left out),
    peak memory of both; on the lake at `lake` when given (`path` is then its serving store)."""
    env = {**os.environ, "MARKETPULSE_DB": str(path), "PYTHONPATH": str(ROOT)}
    os.environ["MARKETPULSE_DB"] = str(path)
    if lake is not None:
        env["MARKETPULSE_LAKE"] = os.environ["MARKETPULSE_LAKE"] = str(lake)
    params = page_params(path)
    out = {}
    for page, call in PAGES.items():
        call(params)  # warm-up: the reader attached, the files read once
        warm = []
        for _ in range(repeat):
            forget_city_reads()  # no Streamlit cache, nor the city figures kept across scopes
            t0 = time.perf_counter()
            call(params)
            warm.append(time.perf_counter() - t0)
        colds = [cold_and_memory(page, params, env) for _ in range(cold_repeat)]
        row = {
            "warm": stats(warm),
            "cold": stats([c["s"] for c in colds]),
            "peak_mb": round(max(c["mb"] for c in colds)),
        }
        text = (
            f"{page:14s} warm {row['warm']['median_s']:7.3f} / p95 {row['warm']['p95_s']:7.3f} s   "
            f"cold {row['cold']['median_s']:6.2f} / {row['cold']['p95_s']:6.2f} s   {row['peak_mb']:6d} MB"
        )
        if pandas_repeat:
            panda = pandas_child(page, params, env, pandas_repeat)
            row["pandas_warm"] = stats(panda["times"])
            row["pandas_load_s"] = round(panda["load_s"], 2)
            row["pandas_peak_mb"] = round(panda["mb"])
            row["speedup"] = round(row["pandas_warm"]["median_s"] / max(row["warm"]["median_s"], 1e-9), 2)
            row["memory_ratio"] = round(row["pandas_peak_mb"] / max(row["peak_mb"], 1), 2)
            text += (
                f"   pandas {row['pandas_warm']['median_s']:7.3f} s {row['pandas_peak_mb']:6d} MB   "
                f"×{row['speedup']:.1f} faster ×{row['memory_ratio']:.1f} less memory"
            )
        out[page] = row
        print(text, flush=True)
    return out


def measure_writes(path: Path, work: Path) -> dict:
    """A week's import (UTF-8, GB18030), a one-row correction, a full rebuild, as they are today."""
    copy = work / "write.duckdb"
    shutil.copyfile(path, copy)
    env = {**os.environ, "MARKETPULSE_DB": str(copy), "PYTHONPATH": str(ROOT)}
    last = store.reader(copy).sql("select max(visit_date) as d from visit_line")["d"][0].date()
    week = last - dt.timedelta(days=last.weekday())
    utf8, gb, one = work / "week_utf8.csv", work / "week_gb18030.csv", work / "correction.csv"
    columns = "visit_date, cm_code, license_no, spec_code, stock_qty, retail_price, on_shelf, sales_qty, notes"
    with store.writer(copy) as con:  # also brings the copy to the current schema first
        con.execute(
            f"copy (select {columns} from visit_line where visit_date >= $w order by all) to '{utf8}' (header)",
            {"w": week},
        )
        con.execute(
            f"copy (select {columns.replace('stock_qty', 'stock_qty + 1 as stock_qty')} from visit_line "
            f"where visit_date >= $w order by all limit 1) to '{one}' (header)",
            {"w": week},
        )
    with open(utf8, encoding="utf-8") as src, open(gb, "w", encoding="gb18030") as dst:
        shutil.copyfileobj(src, dst)
    lines = sum(1 for _ in open(utf8, encoding="utf-8")) - 1
    out = {"week": week.isoformat(), "lines": lines}
    for name, file in (("import_utf8", utf8), ("import_gb18030", gb), ("correction", one)):
        code = (
            "import json, time\nfrom marketpulse import ingest\n"
            f"t0 = time.perf_counter(); s = ingest.import_file({str(file)!r}, 'visits', db={str(copy)!r}, force=True)\n"
            "print(json.dumps({'s': time.perf_counter() - t0, 'mb': hwm(), 'rows': s.rows_stored}))\n"
        )
        got = child(code, env)
        got["lines_per_s"] = round(got["rows"] / got["s"]) if got["s"] else None
        out[name] = got
        print(f"{name:16s} {got['s']:7.2f} s  {got['rows']:8d} rows  {got['mb']:7.0f} MB peak", flush=True)
    code = (
        "import json, time\nfrom marketpulse import rollup, store\n"
        f"t0 = time.perf_counter()\nwith store.writer({str(copy)!r}) as con:\n    rollup.rebuild(con)\n"
        "print(json.dumps({'s': time.perf_counter() - t0, 'mb': hwm()}))\n"
    )
    out["rebuild"] = child(code, env)
    print(f"{'rebuild':16s} {out['rebuild']['s']:7.2f} s  {out['rebuild']['mb']:7.0f} MB peak", flush=True)
    return out


def summary(result: dict) -> list[str]:
    """One line per target: met, or missed by how much."""
    lines = []

    def line(what: str, value: float, target: float, unit: str, higher_is_better: bool = False) -> None:
        met = value >= target if higher_is_better else value <= target
        by = "" if met else f", missed by ×{(target / value if higher_is_better else value / target):.1f}"
        op = "≥" if higher_is_better else "≤"
        lines.append(f"{'met   ' if met else 'MISSED'} {what}: {value:.3g}{unit} (target {op} {target:g}{unit}{by})")

    warm_p95 = TARGET_PROVINCE["warm_p95_s"] if result["scale"] == "province" else TARGET["warm_p95_s"]
    within = "" if result.get("scope", "city") == "city" else f" ({result['scope']})"
    for page, row in result.get("pages", {}).items():
        line(f"{page}{within} warm p95", row["warm"]["p95_s"], warm_p95, " s")
        line(f"{page}{within} cold", row["cold"]["p95_s"], TARGET["cold_s"], " s")
        if "speedup" not in row:  # --skip-pandas: a target not measured is neither met nor missed
            why = "--skip-pandas" if not within else "the pandas views are the city's"
            lines.append(f"NOT MEASURED {page}{within} vs pandas speed and memory ({why})")
            continue
        line(f"{page} vs pandas speed", row["speedup"], TARGET["speedup"], "×", True)
        line(f"{page} vs pandas memory", row["memory_ratio"], TARGET["memory"], "×", True)
    writes = result.get("writes")
    if writes:
        for name in ("import_utf8", "import_gb18030"):
            line(f"week import {name[7:]}", writes[name]["s"], TARGET_IMPORT["import_s"], " s")
            line(f"week import {name[7:]} peak RSS", writes[name]["mb"] / 1024, TARGET_IMPORT["import_gb"], " GB")
        line("one-row correction", writes["correction"]["s"], TARGET_IMPORT["correction_s"], " s")
        line("full rebuild", writes["rebuild"]["s"], TARGET_IMPORT["rebuild_s"], " s")
    lines.append("a page in Chromium: `python -m bench browser` (bench/browser.py)")
    if result["scale"] not in ("city", "province"):
        lines.append(f"note: measured at {result['scale']} scale; the targets are the city's")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pages")
    parser.add_argument("--scale", choices=["town", "city", "province"], default="town")
    parser.add_argument("--store", help="measure this store (default data/bench-<scale>.duckdb, built if missing)")
    parser.add_argument(
        "--lake", help="measure the pages on this lake (province: default data/bench-province-lake, built if missing)"
    )
    parser.add_argument("--repeat", type=int, default=10, help="warm calls per page (default 10)")
    parser.add_argument("--cold", type=int, default=3, help="fresh processes per page (default 3)")
    parser.add_argument("--pandas-repeat", type=int, default=3, help="pandas calls per page (default 3)")
    parser.add_argument(
        "--skip-pandas",
        action="store_true",
        help="leave out the pandas comparison (it loads weekly_observation whole: ~4 GB at town, more than "
        "a shared 24 GB machine spares at city)",
    )
    parser.add_argument("--queries", help="read the named queries from this copy of queries/ (a before/after run)")
    parser.add_argument(
        "--scope",
        default="",
        help="time the pages as this scope sees them: dep=CODE, ter=CODE or cm=CODE (default the whole city; "
        "the pandas comparison, which the city's views define, is then left out)",
    )
    parser.add_argument("--skip-writes", action="store_true", help="leave out import, correction and rebuild")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    if args.queries:
        os.environ["BENCH_QUERY_DIR"] = str(Path(args.queries).resolve())
        queries.QUERY_DIR = Path(os.environ["BENCH_QUERY_DIR"])
    set_scope(args.scope)
    if args.scope:
        args.skip_pandas = True
    result: dict = {
        "scale": args.scale,
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "queries": str(queries.QUERY_DIR),
        "scope": args.scope or "city",
    }
    lake = Path(args.lake) if args.lake else province.LAKE if args.scale == "province" else None
    if lake is not None:
        if not (lake / "manifest.json").exists():
            if args.scale != "province":
                raise SystemExit(f"{lake}: no lake (python -m marketpulse export-lake {lake})")
            print(f"province: building {lake} …", flush=True)
            result["build"] = province.build(lake)
        result["lake"] = str(lake)
        result |= province.lake_facts(lake)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        pandas = 0 if args.skip_pandas else args.pandas_repeat
        result["pages"] = measure_pages(lake / "serving.duckdb", args.repeat, args.cold, pandas, lake)
        result["writes_note"] = f"writes on a lake: python -m bench lake-writes --lake {lake}"
        return _finish(result, args)
    path = Path(args.store) if args.store else ROOT / "data" / f"bench-{args.scale}.duckdb"
    if not path.exists():
        t0 = time.perf_counter()
        demo.build(path, scale=args.scale)
        result["build_s"] = round(time.perf_counter() - t0, 1)
    result["store_gb"] = round(path.stat().st_size / 1e9, 2)
    reader = store.reader(path)
    result["rows"] = {
        t: int(reader.sql(f"select count(*) as n from {t}")["n"][0])
        for t in (
            "visit_line",
            "weekly_observation",
            "spec_group_week",
            "spec_cm_week",
            "cover_cm_week",
            "order_cm_week",
        )
        if t in set(reader.sql("select table_name from duckdb_tables()")["table_name"])
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    result["pages"] = measure_pages(path, args.repeat, args.cold, 0 if args.skip_pandas else args.pandas_repeat)
    if not args.skip_writes:
        work = Path(tempfile.mkdtemp(prefix="mp-bench-"))
        try:
            result["writes"] = measure_writes(path, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return _finish(result, args)


def _finish(result: dict, args) -> int:
    result["summary"] = summary(result) if "pages" in result else []
    for line in result["summary"]:
        print(line)
    text = json.dumps(result, indent=2, ensure_ascii=False, default=str)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"pages-{args.scale}-{dt.datetime.now():%Y%m%d-%H%M%S}.json").write_text(text, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    return 0
