"""Where things are: the project root, the queries/ folder and the live store file."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUERY_DIR = ROOT / "queries"
DEFAULT_DB = ROOT / "data" / "marketpulse.duckdb"

# Readers and the version probe attach the live file read-only under this name.
ATTACH_ALIAS = "s"


def db_path() -> Path:
    """Where the live store is: $MARKETPULSE_DB, else data/marketpulse.duckdb."""
    return Path(os.environ.get("MARKETPULSE_DB") or DEFAULT_DB)
