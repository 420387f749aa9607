"""The province scale of the benchmarks: ten prefectures' copies of the simulated city in one lake
(marketpulse/simulate/province.py), built once in a child process whose time, peak memory and
lake size are recorded; the city store and its lake are built first when missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from marketpulse.lake import manifest as mf

ROOT = Path(__file__).resolve().parent.parent
LAKE = ROOT / "data" / "bench-province-lake"
CITY_STORE = ROOT / "data" / "bench-city.duckdb"
CITY_LAKE = ROOT / "data" / "bench-city-lake"

BUILD = """
import json, time
from pathlib import Path
from marketpulse import lake
from marketpulse.simulate import demo, province
t0 = time.perf_counter()
store, city_lake, out = Path({store!r}), Path({city_lake!r}), Path({lake!r})
if not (city_lake / "manifest.json").exists():
    if not store.exists():
        demo.build(store, scale="city")
    lake.export_lake(city_lake, store)
city_s = time.perf_counter() - t0
province.build_province(city_lake, out)
mb = 0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        mb = int(line.split()[1]) / 1024
print(json.dumps({{"s": time.perf_counter() - t0, "city_s": city_s, "mb": mb}}))
"""


def lake_facts(lake: Path) -> dict:
    """The lake's size on disk and its rows of the tables pages read most."""
    manifest = mf.load(lake)
    rows = {
        t: sum(p.rows for p in manifest.tables[t].parts.values())
        for t in ("visit_line", "order_line", "weekly_observation", "market_cell", "spec_group_week")
        if t in manifest.tables
    }
    size = sum(f.stat().st_size for f in lake.rglob("*") if f.is_file())
    return {"lake_gb": round(size / 1e9, 2), "rows": rows}


def build(lake: Path = LAKE, store: Path = CITY_STORE, city_lake: Path = CITY_LAKE) -> dict:
    """Build the province lake at `lake` in a fresh process: seconds (the city's share apart), peak RSS, size."""
    code = BUILD.format(store=str(store), city_lake=str(city_lake), lake=str(lake))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MARKETPULSE_LAKE", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    got = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "build_s": round(got["s"], 1),
        "city_build_s": round(got["city_s"], 1),
        "peak_mb": round(got["mb"]),
        **lake_facts(lake),
    }
