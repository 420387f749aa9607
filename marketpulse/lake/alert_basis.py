"""What the lake's kept alerts (table alert_week, lake/alert_week.py) are derived from: the query,
its inputs, and a digest of their files per week, so a reader's store offers the table only while
it matches the lake (`current`)."""

from __future__ import annotations

import hashlib
import json

from marketpulse.lake import manifest as mf
from marketpulse.store.queries import text_digest

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
# the inputs kept by week that 新品滞后 reads (new_brand_uptake: a launch's reach so far), checked
# against the query's text in tests/test_alert_week.py; a week's other inputs reach four weeks only
LAUNCH_INPUTS = ("launch_observation", "launch_order_week", "retailer_week")
WHOLE = ""  # the basis key of the whole inputs and the query


def digests(manifest: mf.Manifest) -> dict[str, str]:
    """WHOLE → a digest of the inputs kept whole and the query's text; each week (ISO Monday) any
    input holds → `<digest of its inputs' files>/<digest of those of LAUNCH_INPUTS>`."""
    whole, by_week = [("query", text_digest(QUERY))], {}
    for table in INPUTS:
        spec = manifest.tables.get(table)
        for week, part in (spec.parts if spec else {"": None}).items():
            if spec is not None and spec.partitioned:
                by_week.setdefault(week, []).append((table, part.sha256))
            else:
                whole.append((table, part.sha256 if part else None))
    out = {WHOLE: _digest(sorted(whole, key=str))}
    for week, files in sorted(by_week.items()):
        out[week] = _digest(sorted(files)) + "/" + _digest(sorted(f for f in files if f[0] in LAUNCH_INPUTS))
    return out


def changed_weeks(before: dict[str, str], now: dict[str, str]) -> tuple[list[str], list[str]]:
    """The weeks whose inputs differ between two digests of the same whole inputs, and those of them
    whose LAUNCH_INPUTS differ."""
    weeks = sorted(w for w in set(before) | set(now) if w != WHOLE and before.get(w) != now.get(w))
    launch = [w for w in weeks if (before.get(w) or "/").split("/")[1] != (now.get(w) or "/").split("/")[1]]
    return weeks, launch


def _digest(files: list) -> str:
    return hashlib.sha256(json.dumps(files).encode()).hexdigest()[:20]


def current(manifest: mf.Manifest) -> bool:
    """Whether the manifest's alert_week holds the alerts of its inputs as they are."""
    spec = manifest.tables.get(TABLE)
    return spec is not None and spec.basis == digests(manifest)
