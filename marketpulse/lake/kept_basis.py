"""What the lake's kept tables (alert_week, uptake_week, compliance_week, fixed_weight_year,
level_week_total) are derived from: a query, its inputs, and a digest of their files per week, so a reader's store
offers a kept table only while it matches the lake (`Basis.current`), and a write knows which
weeks to evaluate again."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import duckdb

from marketpulse.lake import manifest as mf
from marketpulse.store.kept_code import kept_digest

WHOLE = ""  # the basis key of the whole inputs and the query
LAUNCH_WEEKS = 52  # a spec is new for its launch week and the 51 after (base/new_spec)
LEVELS = ("city", "department", "territory", "cm")  # the levels kept by level: the sidebar's


@dataclass(frozen=True)
class Basis:
    """A kept table: `query` evaluated for the whole city, unfiltered, from `inputs` (the tables
    its text reads, checked in the tests); `launch_inputs` are the inputs kept by week that a
    launch's reach so far reads (new_brand_uptake), and `launch_rows` the SQL condition, on an
    old row `o`, of the rows that reach back to the launch rather than a few weeks."""

    table: str
    query: str
    inputs: tuple[str, ...]
    launch_inputs: tuple[str, ...]
    launch_rows: str

    def digests(self, manifest: mf.Manifest) -> dict[str, str]:
        """WHOLE → a digest of the inputs kept whole and the code (store.kept_digest); each week (ISO Monday)
        any input holds → `<digest of its inputs' files>/<digest of those of launch_inputs>`."""
        whole, by_week = [("query", kept_digest(self.table, self.query))], {}
        for table in self.inputs:
            spec = manifest.tables.get(table)
            for week, part in (spec.parts if spec else {"": None}).items():
                if spec is not None and spec.partitioned:
                    by_week.setdefault(week, []).append((table, part.sha256))
                else:
                    whole.append((table, part.sha256 if part else None))
        out = {WHOLE: _digest(sorted(whole, key=str))}
        for week, files in sorted(by_week.items()):
            launch = sorted(f for f in files if f[0] in self.launch_inputs)
            out[week] = _digest(sorted(files)) + "/" + _digest(launch)
        return out

    def current(self, manifest: mf.Manifest) -> bool:
        """Whether the manifest's kept table holds what its inputs give as they are."""
        spec = manifest.tables.get(self.table)
        return spec is not None and spec.basis == self.digests(manifest)


def changed_weeks(before: dict[str, str], now: dict[str, str]) -> tuple[list[str], list[str]]:
    """The weeks whose inputs differ between two digests of the same whole inputs, and those of them
    whose launch inputs differ."""
    weeks = sorted(w for w in set(before) | set(now) if w != WHOLE and before.get(w) != now.get(w))
    launch = [w for w in weeks if (before.get(w) or "/").split("/")[1] != (now.get(w) or "/").split("/")[1]]
    return weeks, launch


def _digest(files: list) -> str:
    return hashlib.sha256(json.dumps(files).encode()).hexdigest()[:20]


def launch_years(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> list[tuple[dt.date, list, dt.date]]:
    """The launch years reaching from `start` (up to `end`, the last week), grouped by their last
    week: (that week, the specs whose year ends there, their first launch week). A spec is new for
    the 52 weeks from its launch week reckoned back from an evaluation's last week
    (base/new_spec), so its rows are evaluated up to the end of its launch year and kept from
    the evaluation ending there: each week's rows as an evaluation ending that week gives them."""
    year_end = f"least((date_trunc('week', launch_date) + interval {LAUNCH_WEEKS - 1} weeks)::date, $end::date)"
    return con.execute(
        f"select {year_end} as year_end, list(spec_code order by spec_code), min(date_trunc('week', launch_date))::date "
        f"from spec where {year_end} >= $start group by all order by 1",
        {"start": start, "end": end},
    ).fetchall()


ALERTS = Basis(
    table="alert_week",
    query="base/alert_rows",
    inputs=(
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
    ),
    # 新品滞后 reads new_brand_uptake (a launch's reach so far); a week's other inputs reach four weeks
    launch_inputs=("launch_observation", "launch_order_week", "retailer_week"),
    launch_rows="o.kind = 'lagging_launch'",
)

UPTAKE = Basis(
    table="uptake_week",
    query="base/uptake_rows",
    inputs=(
        "customer_manager",
        "department",
        "launch_observation",
        "launch_order_week",
        "retailer",
        "retailer_week",
        "spec",
        "territory",
    ),
    launch_inputs=("launch_observation", "launch_order_week", "retailer_week"),
    launch_rows="true",
)

COMPLIANCE = Basis(
    table="compliance_week",
    query="base/compliance_rows",
    inputs=(
        "customer_manager",
        "department",
        "retailer",
        "setting",
        "spec",
        "spec_price",
        "territory",
        "weekly_observation",
    ),
    launch_inputs=(),  # a week's rows read that week alone
    launch_rows="false",
)

FIXED_WEIGHTS = Basis(
    table="fixed_weight_year",
    query="base/fixed_weight_rows",
    inputs=("spec", "spec_cm_week", "spec_group_week", "spec_price", "territory", "weekly_observation"),
    launch_inputs=(),  # a weight year's rows read its year and first quarters (lake/fixed_weight_year.py)
    launch_rows="false",
)

WEEK_SUMS = Basis(
    table="level_week_total",
    query="base/level_week_rows",
    inputs=("spec", "spec_cm_week", "spec_group_week", "spec_price", "territory", "weekly_observation"),
    launch_inputs=(),  # a week's rows read that week alone
    launch_rows="false",
)

KEPT = (ALERTS, UPTAKE, COMPLIANCE, FIXED_WEIGHTS, WEEK_SUMS)
