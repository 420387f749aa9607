"""The one reader of the `setting` table: single-valued rules such as price ratios and targets."""

from __future__ import annotations

from pathlib import Path

import duckdb

from marketpulse.store.reader import reader

SETTING_SQL = "select value from setting where key = $k"


def setting(
    key: str,
    default: float | None = None,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    path: Path | str | None = None,
) -> float | None:
    """The value of setting `key`, or `default` if the table has no such row.

    Read on `con` when given (e.g. a writer's connection, which sees its own changes),
    else on the live store at `path` (default: the configured store).
    """
    if con is not None:
        rows = con.execute(SETTING_SQL, {"k": key}).fetchall()
        return float(rows[0][0]) if rows else default
    frame = reader(path).sql(SETTING_SQL, {"k": key})
    return float(frame["value"].iloc[0]) if len(frame) else default
