"""The tables the lake keeps derived from its data, for pages to read rather than evaluate: the
alerts (alert_week), the new-spec uptake (uptake_week), the price compliance (compliance_week),
the fixed weights of the 市场零售价格指数 (fixed_weight_year) and the week sums of the periods to
date (level_week_total). Every lake write calls `publish` once its own manifest is saved, still
under the writer lock: readers see its data at once, and what is kept of it a moment later (a
write killed in between leaves that to the next)."""

from __future__ import annotations

import logging
from pathlib import Path

from marketpulse.lake import alert_week, compliance_week, fixed_weight_year, level_week_total, uptake_week
from marketpulse.lake import manifest as mf
from marketpulse.lake.kept_basis import KEPT
from marketpulse.lake.serving import build_serving

log = logging.getLogger(__name__)

TABLES = tuple(basis.table for basis in KEPT)
KEEPERS = (alert_week.keep, uptake_week.keep, compliance_week.keep, fixed_weight_year.keep, level_week_total.keep)


def publish(lake: Path, manifest: mf.Manifest, stage: Path) -> None:
    """After a write has published its manifest: bring the kept tables up to date with it, then
    publish them as well (until then the serving store leaves a stale one out, and pages evaluate
    what it would hold)."""
    replaced, kept_anew = [], False
    for basis, keep in zip(KEPT, KEEPERS):
        try:
            done = keep(lake, manifest, stage)
        except Exception:  # the write itself is published: this is evaluated until the next write
            log.exception("lake: %s not brought up to date; pages evaluate it", basis.table)
            continue
        if done is not None:
            replaced, kept_anew = replaced + done, True
    if not kept_anew:
        return
    mf.save(lake, manifest)
    build_serving(lake, manifest)
    mf.remove_replaced(lake, manifest, replaced)
