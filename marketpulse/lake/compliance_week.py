"""The price compliance the lake keeps: base/compliance_rows (price_compliance at the setting's
tolerance, unfiltered, at the city, each 市场部, 片区 and customer manager) for the whole city,
one partition per week (table compliance_week), so the price page reads it instead of going
through every price observation of its weeks on each view.

A week's rows read that week's price observations alone: a write evaluates again the weeks
whose inputs changed, and everything when an input kept whole (the tolerance setting, specs and
their prices, places) or the query changed (lake/keep.py). The serving store offers the table
only while it matches the lake (kept_basis.COMPLIANCE.current); without it
metrics.price_compliance evaluates.
"""

from __future__ import annotations

from pathlib import Path

from marketpulse.lake import keep as keeping
from marketpulse.lake import manifest as mf
from marketpulse.lake.kept_basis import COMPLIANCE

TABLE = COMPLIANCE.table
# bound to the setting's tolerance (None), the band the kept rows hold
_evaluate = keeping.week_by_week(COMPLIANCE, {"tolerance": None})


def keep(lake: Path, manifest: mf.Manifest, stage: Path) -> list[tuple[str, str]] | None:
    """Bring `manifest`'s compliance_week up to date with its inputs (lake/keep.py, week
    by week): the partitions it replaced; None when it was up to date."""
    return keeping.keep(lake, manifest, stage, COMPLIANCE, _evaluate)
