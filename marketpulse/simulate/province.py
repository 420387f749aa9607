"""A province for the scale benchmarks: one simulated city's lake copied into ten cities, each
under its own codes, merged into one lake (`python -m marketpulse demo --scale province`).

Ten separately simulated cities would each draw their own catalogue and 调价, which one
province's single price list cannot hold, and would take ten city builds (about 7 minutes and
11 GB each). So every city of the province is the same simulated city under its own prefecture:
license numbers take the prefecture's region code in place of their first four digits, and
every 市场部, 片区 and customer-manager code is prefixed with it, every 市场部 and 片区 name with
the prefecture's name. The rows are the city's, ten times over; the roll-ups stay exact (each is
keyed by customer manager, 片区 or retailer, so a union of disjoint cities is the province's),
and tables without codes (the catalogue, prices, rules) are the city's once.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import duckdb

from marketpulse.lake import kept
from marketpulse.lake import manifest as mf
from marketpulse.lake.export import lake_lock, staging
from marketpulse.lake.files import publish_file
from marketpulse.lake.serving import build_serving

log = logging.getLogger(__name__)

# Hunan's prefectures (region code, name): the simulated city's license numbers begin 4311 (永州)
PREFECTURES = (
    ("4311", "永州"),
    ("4301", "长沙"),
    ("4302", "株洲"),
    ("4303", "湘潭"),
    ("4304", "衡阳"),
    ("4305", "邵阳"),
    ("4306", "岳阳"),
    ("4307", "常德"),
    ("4308", "张家界"),
    ("4309", "益阳"),
)
CITIES = len(PREFECTURES)
# a column → its value in the prefecture with region code `region` and name `place`
RENAMED = {
    "license_no": "region || substr(license_no, 5)",
    "department_code": "region || department_code",
    "territory_code": "region || territory_code",
    "cm_code": "region || cm_code",
    "department_name": "place || department_name",
    "territory_name": "place || territory_name",
}


# a city file's own columns: a partition's leave out the week its directory names
CITY_ROWS = "read_parquet($f, hive_partitioning = false)"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def province_select(columns: list[str], cities: int) -> str | None:
    """The SELECT that turns one city's rows (the Parquet file $f) into `cities` prefectures' rows;
    None when the table has no code or place name (the city's rows are the province's)."""
    renamed = [c for c in columns if c in RENAMED]
    if not renamed:
        return None
    values = ", ".join(f"('{region}', '{place}')" for region, place in PREFECTURES[:cities])
    outputs = ", ".join(f"{RENAMED[c]} as {_ident(c)}" if c in RENAMED else _ident(c) for c in columns)
    return f"select {outputs} from {CITY_ROWS} cross join (values {values}) as prefecture(region, place)"


def build_province(city_lake: Path | str, lake: Path | str, cities: int = CITIES) -> mf.Manifest:
    """Write the province of `cities` copies of the lake at `city_lake` as a new lake at `lake`."""
    if not 1 <= cities <= CITIES:
        raise ValueError(f"1 … {CITIES} 个城市 / 1 to {CITIES} cities (got {cities})")
    city_lake, lake = Path(city_lake).resolve(), Path(lake).resolve()
    source = mf.load(city_lake)
    if (lake / mf.MANIFEST).exists():
        raise FileExistsError(f"{lake} 已有数据湖 / {lake} already holds a lake")
    manifest = mf.Manifest(schema_version=source.schema_version)
    with lake_lock(lake), staging(lake) as stage, duckdb.connect(":memory:") as con:
        con.execute("set preserve_insertion_order = false")
        for table, spec in sorted(source.tables.items()):
            if table in kept.TABLES:  # they name the city's places: evaluated afresh below
                continue
            parts = {}
            for key, part in sorted(spec.parts.items()):
                written = stage / f"{table}-{key or 'whole'}.parquet"
                f = {"f": str(city_lake / part.file)}
                columns = [d[0] for d in con.execute(f"select * from {CITY_ROWS} limit 0", f).description]
                select = province_select(columns, cities)
                if select is None:
                    shutil.copyfile(city_lake / part.file, written)
                else:
                    con.execute(f"copy ({select}) to $out (format parquet)", f | {"out": str(written)})
                parts[key] = publish_file(lake, con, table, key, written)
            manifest.tables[table] = mf.Table(columns=list(spec.columns), week_of=spec.week_of, parts=parts)
            log.info("province: %s written (%d partitions)", table, len(parts))
        mf.save(lake, manifest)
        build_serving(lake, manifest)
        kept.publish(lake, manifest, stage)
    return manifest
