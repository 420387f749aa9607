"""`python -m bench.import_throughput [--rows N]`: import throughput and peak memory, side by side.

For one visits file of N rows written as UTF-8 CSV, GB18030 CSV and XLSX, each measured in
a fresh process: the reading step of the previous reader (bench/previous_read.py, as the
code was before) against today's (marketpulse.ingest.read), in rows per second and peak
resident memory growth, and the whole import of today's path for the record. Results go to
bench/results/import-<time>.json and a table on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import xlsxwriter

from marketpulse import ingest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
RESULTS = Path(__file__).resolve().parent / "results"
HEADER = ["拜访日期", "客户经理编码", "许可证号", "卷烟编码", "库存", "实际零售价", "是否上柜", "销量", "备注"]
PRICES = {"S1": 450, "S2": 230, "S3": 110}
NOTES = ["", "周末走货快", '顾客说"太贵"', "货架#2 缺货,已补", "民工回流,外地人多了"]

PROBE = """
import json, sys, time
from pathlib import Path
def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1])
{imports}
base = hwm()
t0 = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - t0, "rows": rows, "peak_mb": (hwm() - base) / 1024}}))
"""
PREVIOUS = (
    "from bench import previous_read as r",
    "raw = r.read(Path(sys.argv[1]).read_bytes(), Path(sys.argv[1]).name)\nrows = raw.rows",
)
TODAY = (
    "from marketpulse.ingest import read",
    "with read.open_source(Path(sys.argv[1]), Path(sys.argv[1]).name) as s:\n"
    "    rows = sum(p.raw.rows for p in s.parts)",
)
IMPORT = (
    "from marketpulse import ingest",
    "rows = ingest.import_file(sys.argv[1], db=sys.argv[2], today=__import__('datetime').date(2025, 12, 31)).rows_read",
)


def rows_of(n: int) -> list[list]:
    """N distinct visit rows over the test fixtures' retailers and specs."""
    out = []
    for i in range(n):
        spec = f"S{i % 3 + 1}"
        day = dt.date(2000, 1, 1) + dt.timedelta(days=i // 12)
        out.append([day.isoformat(), "C1", f"R{(i % 12) // 3 + 1}", spec, i % 97, PRICES[spec], "是", "", NOTES[i % 5]])
    return out


def write_files(rows: list[list], folder: Path) -> dict[str, Path]:
    text = "\n".join(",".join(_quote(v) for v in row) for row in [HEADER, *rows]) + "\n"
    files = {"csv_utf8": folder / "visits-utf8.csv", "csv_gb18030": folder / "visits-gb18030.csv"}
    files["csv_utf8"].write_text(text, encoding="utf-8")
    files["csv_gb18030"].write_text(text, encoding="gb18030")
    files["xlsx"] = folder / "visits.xlsx"
    book = xlsxwriter.Workbook(files["xlsx"], {"constant_memory": True})
    sheet = book.add_worksheet("拜访")
    for r, row in enumerate([HEADER, *rows]):
        sheet.write_row(r, 0, row)
    book.close()
    return files


def _quote(v) -> str:
    s = str(v)
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s


def measure(code: tuple[str, str], *args: str, repeat: int = 3, fresh=None) -> dict:
    """The median run of `repeat` fresh processes (the machine is shared: one run says little)."""
    probe = PROBE.format(imports=code[0], body=code[1])
    runs = []
    for _ in range(repeat):
        if fresh:
            fresh()
        done = subprocess.run(
            [sys.executable, "-c", probe, *args], cwd=ROOT, capture_output=True, text=True, check=True, env=os.environ
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    result = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    result["rows_per_s"] = round(result["rows"] / result["seconds"])
    result["seconds"], result["peak_mb"] = round(result["seconds"], 3), round(result["peak_mb"], 1)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_throughput")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="mp-bench-import-"))
    results: dict = {"rows": args.rows, "started": dt.datetime.now().isoformat(timespec="seconds")}
    try:
        reference = work / "reference.duckdb"
        for name in ["territories.csv", "customer_managers.csv", "retailers.csv", "specs.csv"]:
            ingest.import_file(DATA / name, db=reference, today=dt.date(2025, 12, 31))
        files = write_files(rows_of(args.rows), work)
        for fmt, path in files.items():
            store = work / f"{fmt}.duckdb"
            shutil.copyfile(reference, store)
            previous, today = measure(PREVIOUS, str(path)), measure(TODAY, str(path))
            whole = measure(IMPORT, str(path), str(store), fresh=lambda s=store: shutil.copyfile(reference, s))
            # the same import with the previous reader in place of today's
            before = whole["seconds"] - today["seconds"] + previous["seconds"]
            results[fmt] = {
                "previous_read": previous,
                "read": today,
                "read_speed_vs_previous": round(today["rows_per_s"] / previous["rows_per_s"], 2),
                "read_memory_vs_previous": round(today["peak_mb"] / max(previous["peak_mb"], 0.1), 2),
                "whole_import": whole,
                "whole_import_speed_vs_previous_reader": round(before / whole["seconds"], 2),
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"import-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(
        f"{'file':12s} {'previous rows/s':>16s} {'today rows/s':>13s} {'speed ×':>8s} {'prev MB':>8s} {'today MB':>9s}"
    )
    for fmt in ("csv_utf8", "csv_gb18030", "xlsx"):
        r = results[fmt]
        print(
            f"{fmt:12s} {r['previous_read']['rows_per_s']:16,d} {r['read']['rows_per_s']:13,d} "
            f"{r['read_speed_vs_previous']:8.2f} {r['previous_read']['peak_mb']:8.1f} {r['read']['peak_mb']:9.1f}"
            f"   whole import {r['whole_import']['rows_per_s']:,d} rows/s "
            f"(× {r['whole_import_speed_vs_previous_reader']:.2f} vs the previous reader)"
        )
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
