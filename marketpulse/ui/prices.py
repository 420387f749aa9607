"""The prices page's own pieces: where an index stands against the band (legend words,
colours, a value range around 100) and the per-territory compliance table."""

from __future__ import annotations

import pandas as pd

from marketpulse.ui import figures
from marketpulse.ui.shell import Filters


def positions(data, f: Filters) -> tuple[dict, dict, tuple[float, float]]:
    """Legend words for price-index bars (above, near, below the suggested price), their
    colours, and a value range that shows the differences around 100."""
    band = data.band
    states = {
        "tight": f.t("pricepos.tight", v=f"{band['index_tight']:g}"),
        "balanced": f.t("pricepos.balanced", lo=f"{band['index_loose']:g}", hi=f"{band['index_tight']:g}"),
        "loose": f.t("pricepos.loose", v=f"{band['index_loose']:g}"),
    }
    colors = {states[k]: figures.STATE_COLORS[k] for k in figures.STATE_ORDER}
    values = pd.concat([data.by_brand["price_index"], data.by_territory["price_index"]]).dropna()
    low = min(band["index_loose"] - 2, float(values.min()) - 1) if len(values) else 90
    high = max(band["index_tight"] + 2, float(values.max()) + 1) if len(values) else 105
    return states, colors, (low, high)


def compliance_table(compliance: pd.DataFrame, index: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Per territory: price index, compliance and the observations above and below the band."""
    merged = compliance.merge(index[["level_key", "price_index"]], on="level_key", how="left")
    return pd.DataFrame(
        {
            f.t("col.territory"): merged["level_name"],
            f.t("col.price_index"): merged["price_index"].round(1),
            f.t("col.compliance"): (merged["compliance_rate"] * 100).round(1),
            f.t("col.observations"): merged["observations"],
            f.t("col.above"): merged["above"],
            f.t("col.below"): merged["below"],
        }
    )
