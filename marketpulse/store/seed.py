"""Seed the business-rule tables from the CSVs that ship with the product (data/reference/).

Run by the schema migration on a new or upgraded store: an empty rule table is filled,
and a release that adds a setting brings its default while edited values stay.
"""

from __future__ import annotations

import duckdb

from marketpulse.store.paths import ROOT

REFERENCE_DIR = ROOT / "data" / "reference"
TABLES = (
    "tier_band",
    "monitoring_point",
    "state_score_weight",
    "setting",
    "note_keyword",
    "supply_cover",
    "supply_limit",
    "supply_policy",
)


def seed_missing(con: duckdb.DuckDBPyConnection) -> None:
    """Fill each rule table that is still empty from its shipped CSV, and add new settings."""
    for table in TABLES:
        path = REFERENCE_DIR / f"{table}.csv"
        if table == "setting":
            con.execute(
                "insert into setting by name select * from read_csv($p, header = true, all_varchar = true) "
                "where key not in (select key from setting)",
                {"p": str(path)},
            )
            continue
        if con.execute(f"select count(*) from {table}").fetchone()[0]:
            continue
        con.execute(
            f"insert into {table} by name select * from read_csv($p, header = true, all_varchar = true)",
            {"p": str(path)},
        )
