"""`python -m bench lake-writes --scale town|city [--store FILE] [--lake DIR] [--json FILE]`.

Imports into the lake (`python -m marketpulse import FILE --lake DIR`), against the scale
targets (README, Performance), each in a fresh process on a fresh copy of the lake:
- a new week's visits (the lake's last week's lines a week later) as UTF-8 and as GB18030
  CSV: seconds, lines per second, peak RSS of the process (VmHWM);
- a one-row correction of a visit line in the middle of history (a changed stock whose next
  visit's sales follow from it, so the weeks after it change too);
then one summary line per target: met, or missed by how much. The lake is `--lake` (never
changed; copied), else exported from `--store` (default data/bench-<scale>.duckdb, built with
the demo when missing); `--compare` also imports each file into a copy of that store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from bench import province
from bench.pages import TARGET_IMPORT, TARGET_PROVINCE, child
from marketpulse import lake
from marketpulse.simulate import demo

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = "cm_code, license_no, spec_code, stock_qty, retail_price, on_shelf, sales_qty, notes"


def write_files(lake_dir: Path, work: Path) -> dict:
    """The new week (UTF-8, GB18030) and the one-row correction, cut from the lake's visit lines."""
    manifest = lake.load(lake_dir)
    weeks = sorted(manifest.tables["visit_line"].parts)
    last, middle = weeks[-1], weeks[len(weeks) // 2]
    utf8, gb, one = work / "week_utf8.csv", work / "week_gb18030.csv", work / "correction.csv"
    part = {w: str(lake_dir / manifest.tables["visit_line"].parts[w].file) for w in (last, middle)}
    with duckdb.connect() as con:
        con.execute(
            f"copy (select visit_date + 7 as visit_date, {COLUMNS} from read_parquet('{part[last]}') order by all) "
            f"to '{utf8}' (header)"
        )
        con.execute(
            f"copy (select visit_date, {COLUMNS.replace('stock_qty', 'stock_qty + 1 as stock_qty')} "
            f"from read_parquet('{part[middle]}') where sales_qty is null order by all limit 1) to '{one}' (header)"
        )
    with open(utf8, encoding="utf-8") as src, open(gb, "w", encoding="gb18030") as dst:
        shutil.copyfileobj(src, dst)
    new_week = dt.date.fromisoformat(last) + dt.timedelta(days=7)
    return {
        "files": {"import_utf8": utf8, "import_gb18030": gb, "correction": one},
        "new_week": new_week.isoformat(),
        "correction_week": middle,
        "lines": sum(1 for _ in open(utf8, encoding="utf-8")) - 1,
        "today": (new_week + dt.timedelta(days=6)).isoformat(),
    }


def measure(lake_dir: Path, work: Path, store_path: Path | None = None) -> dict:
    """Each import in a fresh process, on its own copy of the lake (and of the store, when given)."""
    cut = write_files(lake_dir, work)
    out = {k: v for k, v in cut.items() if k != "files"}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MARKETPULSE_LAKE", None)
    for name, file in cut["files"].items():
        copy = work / f"lake-{name}"
        shutil.copytree(lake_dir, copy)
        lake.build_serving(copy)  # its views for the new place, as `cp -r` and a first write would
        lake.keep_template(copy)  # as any import after the lake's first has it
        code = (
            "import json, time, datetime as dt\nfrom marketpulse import lake\n"
            # the moment the data is published (readers see it), before what the lake keeps of it follows
            "from marketpulse.lake import kept\npublished = []\nkeep_tables = kept.publish\n"
            "def timed(*a):\n    published.append(time.perf_counter() - t0)\n    keep_tables(*a)\n"
            "kept.publish = timed\n"
            f"t0 = time.perf_counter()\ns = lake.import_into_lake({str(copy)!r}, {str(file)!r}, 'visits', "
            f"today=dt.date.fromisoformat({cut['today']!r}))\n"
            "print(json.dumps({'s': time.perf_counter() - t0, 'published_s': published[0], 'mb': hwm(), "
            "'rows': s.rows_stored, 'replaced': s.rows_replaced}))\n"
        )
        try:
            got = child(code, env)
        except RuntimeError as exc:  # e.g. out of memory: said in the summary, the other writes still run
            out[name] = {"error": str(exc).strip().splitlines()[-1][:300]}
            print(f"{name:16s} FAILED: {out[name]['error']}", flush=True)
            shutil.rmtree(copy, ignore_errors=True)
            continue
        got["lines_per_s"] = round(got["rows"] / got["s"]) if got["s"] else None
        out[name] = got
        print(
            f"{name:16s} {got['s']:7.2f} s  {got['rows']:8d} rows  {got['lines_per_s'] or 0:9,d} lines/s  "
            f"{got['mb']:7.0f} MB peak  (data published at {got['published_s']:.2f} s, then what the lake keeps of it)",
            flush=True,
        )
        shutil.rmtree(copy, ignore_errors=True)
        if store_path is not None:  # the same file through the store's import, for comparison
            copy_db = work / "store.duckdb"
            shutil.copyfile(store_path, copy_db)
            code = (
                "import json, time, datetime as dt\nfrom marketpulse import ingest\n"
                f"t0 = time.perf_counter()\ns = ingest.import_file({str(file)!r}, 'visits', db={str(copy_db)!r}, "
                f"today=dt.date.fromisoformat({cut['today']!r}))\n"
                "print(json.dumps({'s': time.perf_counter() - t0, 'mb': hwm(), 'rows': s.rows_stored}))\n"
            )
            got = child(code, env)
            out[f"store_{name}"] = got
            print(
                f"{'  (store)':16s} {got['s']:7.2f} s  {got['rows']:8d} rows  {'':19s}{got['mb']:7.0f} MB peak",
                flush=True,
            )
            copy_db.unlink(missing_ok=True)
    return out


def summary(result: dict) -> list[str]:
    """One line per target: met, or missed by how much (as bench/pages.py words them)."""
    lines = []

    def line(what: str, value: float | None, target: float, unit: str) -> None:
        if value is None:
            lines.append(f"FAILED {what} (target ≤ {target:g}{unit}): the write did not finish")
            return
        met = value <= target
        by = "" if met else f", missed by ×{value / target:.1f}"
        lines.append(f"{'met   ' if met else 'MISSED'} {what}: {value:.3g}{unit} (target ≤ {target:g}{unit}{by})")

    writes = result["writes"]
    import_s = TARGET_PROVINCE["import_s"] if result["scale"] == "province" else TARGET_IMPORT["import_s"]
    for name in ("import_utf8", "import_gb18030"):
        got = writes[name]
        if "published_s" in got:  # the data, then the alerts and uptake kept of it (lake/kept.py)
            line(f"lake week import {name[7:]}, its data published", got["published_s"], import_s, " s")
        what = ", with its kept tables" if "published_s" in got else ""
        line(f"lake week import {name[7:]}{what}", got.get("s"), import_s, " s")
        line(
            f"lake week import {name[7:]} peak RSS",
            got["mb"] / 1024 if "mb" in got else None,
            TARGET_IMPORT["import_gb"],
            " GB",
        )
    got = writes["correction"]
    if "published_s" in got:
        line("lake one-row correction, published", got["published_s"], TARGET_IMPORT["correction_s"], " s")
    what = ", with its kept tables" if "published_s" in got else ""
    line(f"lake one-row correction{what}", got.get("s"), TARGET_IMPORT["correction_s"], " s")
    if result["scale"] not in ("city", "province"):
        lines.append(f"note: measured at {result['scale']} scale; the targets are the city's")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench lake-writes")
    parser.add_argument("--scale", choices=["town", "city", "province"], default="town")
    parser.add_argument("--store", help="export this store (default data/bench-<scale>.duckdb, built if missing)")
    parser.add_argument("--lake", help="start from this exported lake (copied, never changed)")
    parser.add_argument("--compare", action="store_true", help="also import each file into a copy of the store")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    result: dict = {"scale": args.scale, "started": dt.datetime.now().isoformat(timespec="seconds")}
    work = Path(tempfile.mkdtemp(prefix="mp-bench-lake-"))
    try:
        path = Path(args.store) if args.store else ROOT / "data" / f"bench-{args.scale}.duckdb"
        if args.lake or args.scale == "province":  # the province is a lake (bench/province.py)
            lake_dir = Path(args.lake).resolve() if args.lake else province.LAKE
            if args.scale == "province" and not (lake_dir / "manifest.json").exists():
                result["build"] = province.build(lake_dir)
        else:
            if not path.exists():
                demo.build(path, scale=args.scale)
            lake_dir = work / "lake"
            t0 = time.perf_counter()
            lake.export_lake(lake_dir, path)
            result["export_s"] = round(time.perf_counter() - t0, 1)
        manifest = lake.load(lake_dir)
        result["visit_lines"] = sum(p.rows for p in manifest.tables["visit_line"].parts.values())
        result["lake_mb"] = round(sum(f.stat().st_size for f in lake_dir.rglob("*.parquet")) / 1e6)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        result["writes"] = measure(lake_dir, work, path if args.compare else None)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["summary"] = summary(result)
    for line in result["summary"]:
        print(line)
    text = json.dumps(result, indent=2, ensure_ascii=False, default=str)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"lake-writes-{args.scale}-{dt.datetime.now():%Y%m%d-%H%M%S}.json").write_text(text, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    return 0
