"""The supply plan's policy as rule data: target cover per market state and customer group,
minimum and maximum 限量 per 档位, the allocation type and the loose-market cap.

Read from the rule tables supply_cover, supply_limit and supply_policy (the shipped
defaults in data/reference/ while a table is empty); checked when read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from marketpulse import rules
from marketpulse.errors import RuleError

NO_MAX = 10**6  # a 档位 without a maximum
# allocation type → the retailer column of its second key (None: by 档位 alone). 区县 is the
# 市场部 here (urban districts and counties); 城乡 is read as 城网/农网.
ALLOCATION_TYPES = {
    "tier": None,
    "tier_department": "department_code",
    "tier_area": "area_type",
    "tier_format": "format",
}
GROUP_FIELDS = ("state", "format", "tier_band", "area_type")  # tie-break order of named fields


@dataclass(frozen=True)
class Policy:
    """What the center decides once and the plan applies every week."""

    cover: pd.DataFrame  # state, format, tier_band, area_type, target_cover ('*' = any)
    min_limit: np.ndarray  # per 档位 1–30 (index 0 = 档位 1)
    max_limit: np.ndarray
    allocation_type: str = "tier_department"
    loose_cap: float = 1.0  # a loose market gets at most this × its recent weekly supply

    @property
    def key(self) -> str | None:
        """The retailer column of the allocation type's second key, None for 档位 alone."""
        return ALLOCATION_TYPES[self.allocation_type]


def make_policy(
    cover: pd.DataFrame, limits: pd.DataFrame, allocation_type: str = "tier_department", loose_cap: float = 1.0
) -> Policy:
    """A checked policy from a cover table, a limit table (tier_from, tier_to, min_limit, max_limit) and settings."""
    if allocation_type not in ALLOCATION_TYPES:
        raise RuleError(
            f"未知的分配方式 {allocation_type!r} / unknown allocation type {allocation_type!r}; "
            f"choose one of {', '.join(ALLOCATION_TYPES)}"
        )
    cover = cover.assign(target_cover=pd.to_numeric(cover["target_cover"]))[[*GROUP_FIELDS, "target_cover"]]
    lo, hi = np.zeros(30, dtype=np.int64), np.full(30, NO_MAX, dtype=np.int64)
    for row in limits.itertuples():
        first, last = int(row.tier_from), int(row.tier_to)
        lo[first - 1 : last] = int(row.min_limit)
        hi[first - 1 : last] = int(row.max_limit)
    if (np.diff(lo) < 0).any() or (np.diff(hi) < 0).any() or (lo > hi).any():
        raise RuleError(
            "各档位限量的上下限须随档位不减且下限不高于上限 / min and max 限量 must not fall as the 档位 rises, "
            "and min must not exceed max"
        )
    return Policy(cover, lo, hi, allocation_type, float(loose_cap))


def load_policy(path=None, allocation_type: str | None = None) -> Policy:
    """The policy in the store (or shipped), optionally with another allocation type."""
    settings = dict(rules.rules_or_shipped("supply_policy", path)[["key", "value"]].itertuples(index=False))
    return make_policy(
        rules.rules_or_shipped("supply_cover", path),
        rules.rules_or_shipped("supply_limit", path),
        allocation_type or settings.get("allocation_type", "tier_department"),
        float(settings.get("loose_cap", 1.0)),
    )


def target_cover(groups: pd.DataFrame, policy: Policy) -> np.ndarray:
    """Target cover of each row of `groups` (state, format, tier_band, area_type): its most
    specific matching rule — most named fields, then a named state, 业态, 档位 band, 城网/农网."""
    out = np.full(len(groups), np.nan)
    cover = policy.cover.copy()
    named = cover[list(GROUP_FIELDS)] != "*"
    cover["_rank"] = list(zip(named.sum(axis=1), *(named[f] for f in GROUP_FIELDS)))
    state = groups["state"].fillna("balanced")
    values = {"state": state, **{f: groups[f] for f in GROUP_FIELDS[1:]}}
    for row in cover.sort_values("_rank").to_dict("records"):  # least specific first: the last match wins
        match = np.ones(len(groups), dtype=bool)
        for f in GROUP_FIELDS:
            if row[f] != "*":
                match &= (values[f] == row[f]).to_numpy()
        out[match] = row["target_cover"]
    return np.nan_to_num(out, nan=1.0)
