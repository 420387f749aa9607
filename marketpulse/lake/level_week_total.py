"""The week sums the lake keeps: base/level_week_rows (each week's sales, values, orders and
priced sales at the city, each 市场部, 片区 and customer manager, all products, unfiltered) for
the whole city, one partition per week (table level_week_total), so the 月/季/年累计 of the 周报
and the 片区 page read a level's weeks instead of every cell of two years on each view.

A week's rows read that week's cells alone: a write evaluates again the weeks whose inputs
changed, and everything when an input kept whole (specs and their prices, places) or the code
changed (lake/keep.py). The serving store offers the table only while it matches the lake
(kept_basis.WEEK_SUMS.current); without it metrics.period_totals evaluates.
"""

from __future__ import annotations

from pathlib import Path

from marketpulse.lake import keep as keeping
from marketpulse.lake import manifest as mf
from marketpulse.lake.kept_basis import WEEK_SUMS

TABLE = WEEK_SUMS.table
_evaluate = keeping.week_by_week(WEEK_SUMS, {})


def keep(lake: Path, manifest: mf.Manifest, stage: Path) -> list[tuple[str, str]] | None:
    """Bring `manifest`'s level_week_total up to date with its inputs (lake/keep.py, week
    by week): the partitions it replaced; None when it was up to date."""
    return keeping.keep(lake, manifest, stage, WEEK_SUMS, _evaluate)
