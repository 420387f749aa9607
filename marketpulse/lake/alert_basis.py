"""What the lake's kept alerts (table alert_week, lake/alert_week.py) are derived from: the query,
its inputs, and a digest of their files per week, so a reader's store offers the table only while
it matches the lake (`current`)."""

from __future__ import annotations

import hashlib
import json

from marketpulse.lake import manifest as mf
from marketpulse.store.queries import query_text

TABLE = "alert_week"
QUERY = "base/alert_rows"
# the tables base/alert_rows reads (tests/test_alert_week.py checks this against its text)
INPUTS = (
    "customer_manager",
    "department",
    "launch_observation",
    "launch_order_week",
    "market_cell",
    "monitoring_point",
    "retailer",
    "retailer_visit",
    "retailer_week",
    "retailer_week_sales",
    "setting",
    "spec",
    "spec_price",
    "state_score_weight",
    "territory",
    "weekly_observation",
)
WHOLE = ""  # the basis key of the whole inputs and the query


def digests(manifest: mf.Manifest) -> dict[str, str]:
    """WHOLE → a digest of the inputs kept whole and the query's text; each week (ISO Monday) any
    input holds → a digest of the inputs' files of that week."""
    whole, by_week = [("query", hashlib.sha256(query_text(QUERY).encode()).hexdigest())], {}
    for table in INPUTS:
        spec = manifest.tables.get(table)
        for week, part in (spec.parts if spec else {"": None}).items():
            if spec is not None and spec.partitioned:
                by_week.setdefault(week, []).append((table, part.sha256))
            else:
                whole.append((table, part.sha256 if part else None))
    digest = {WHOLE: json.dumps(sorted(whole, key=str))} | {w: json.dumps(sorted(f)) for w, f in by_week.items()}
    return {key: hashlib.sha256(text.encode()).hexdigest()[:20] for key, text in sorted(digest.items())}


def current(manifest: mf.Manifest) -> bool:
    """Whether the manifest's alert_week holds the alerts of its inputs as they are."""
    spec = manifest.tables.get(TABLE)
    return spec is not None and spec.basis == digests(manifest)
