"""Business rules that ship as data (data/reference/*.csv) and are edited as data.

Monitoring points, 档位 bands, score weights, note keywords and thresholds live in store
tables seeded from these files; the marketing center edits the tables, not the code.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
TABLES = ("tier_band", "monitoring_point", "state_score_weight", "setting", "note_keyword")


def seed_missing(con: duckdb.DuckDBPyConnection) -> None:
    """Fill each rule table that is still empty from its shipped CSV, and add new settings."""
    for table in TABLES:
        path = REFERENCE_DIR / f"{table}.csv"
        if table == "setting":
            # a release that adds a setting brings its default; edited values stay
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


def setting(con: duckdb.DuckDBPyConnection, key: str) -> float:
    """One numeric rule from the `setting` table."""
    row = con.execute("select value from setting where key = $k", {"k": key}).fetchone()
    if row is None:
        raise KeyError(key)
    return row[0]
