"""Who carries what: each retailer's specs and their weekly volume, launches included.

A retailer carries more specs the bigger it is, leaning to 一类/二类 in town, bigger shops
and 烟酒商店, to 四类/五类 in the country. New specs spread along a logistic S-curve whose
speed depends on the territory and on the diligence of the customer manager.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from marketpulse.simulate.reference import FORMAT_PREMIUM, FORMAT_VOLUME, Character, RetailerArrays


@dataclass(frozen=True)
class Established:
    """Retailer × established spec pairs carried from the start, and each shop's appetite."""

    r: np.ndarray  # retailer index of each pair
    s: np.ndarray  # spec index of each pair
    mu: np.ndarray  # mean weekly sales of each pair
    appeal: np.ndarray  # retailers × specs: how much a shop's customers want a spec
    total: np.ndarray  # each retailer's weekly volume over all specs
    denom: np.ndarray  # each retailer's sum of appeal ** 0.6 over the specs it carries


@dataclass(frozen=True)
class Pairs:
    """Every retailer × spec pair ever carried in the window, sorted by retailer, then spec."""

    r: np.ndarray  # retailer index (int32)
    s: np.ndarray  # spec index (int16)
    mu: np.ndarray  # mean weekly sales
    first_w: np.ndarray  # first week on the shelf (the launch uptake or the shop's opening)
    end_w: np.ndarray  # first week off it (the shop's closing, else the window's end)

    def __len__(self) -> int:
        return len(self.r)


def established(rng: np.random.Generator, spec: pd.DataFrame, ra: RetailerArrays) -> Established:
    """Choose each retailer's established specs, weighted by appeal, and their weekly volume."""
    n_r = len(ra)
    tier = ra.tier
    beta = 0.25 * ~ra.rural - 0.2 * ra.rural + 0.025 * (tier - 8) + FORMAT_PREMIUM[ra.fmt] + rng.normal(0, 0.1, n_r)
    cls = spec["cls"].to_numpy()
    appeal = spec["weight"].to_numpy()[None, :] * np.exp(beta[:, None] * (2 - cls[None, :]))
    total = 10 * np.exp(0.11 * (tier - 1)) * FORMAT_VOLUME[ra.fmt] * rng.lognormal(0, 0.2, n_r)
    est = np.flatnonzero(spec["launch_w"].to_numpy() < 0)
    # bigger shops carry more specs, and more of them where the catalog is longer
    k_want = np.round(6 + (1.9 * tier**0.95 + rng.normal(0, 2, n_r)) * (len(est) / 100) ** 0.9)
    k_max = min(len(est), max(6, int(0.85 * len(est))))
    k_r = np.clip(np.minimum(k_want, total / 1.1), 6, k_max).astype(int)
    # weighted sampling without replacement: the k_r largest of log(weight) + Gumbel noise
    keys = np.log(appeal[:, est]) - np.log(-np.log(rng.random((n_r, len(est)))))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    carried = rank < k_r[:, None]
    pr, ps_local = np.nonzero(carried)
    ps = est[ps_local]
    flat = appeal[pr, ps] ** 0.6
    denom = np.bincount(pr, weights=flat, minlength=n_r)
    mu = np.maximum(total[pr] * flat / denom[pr], 0.8)  # a spec a shop stocks sells most weeks
    return Established(r=pr, s=ps, mu=mu, appeal=appeal, total=total, denom=denom)


def with_launches(
    rng: np.random.Generator,
    est: Established,
    spec: pd.DataFrame,
    ra: RetailerArrays,
    weeks: int,
    character: Character,
    lagging: tuple[int, int],
) -> Pairs:
    """Add the launched specs' adopters to the established pairs; `lagging` = (spec, territory)
    where the planted lagging launch spreads slowly."""
    n_r = len(ra)
    lag_spec, lag_ter = lagging
    tier_reach = 0.45 + 0.5 * np.minimum(1, ra.tier / 14)
    new = np.flatnonzero(spec["launch_w"].to_numpy() >= 0)
    pr, ps, mu = est.r, est.s, est.mu
    pstart = np.zeros(len(pr), dtype=np.int32)
    new_pr, new_ps, new_mu, new_start = [], [], [], []
    for j in new:
        lw = int(spec["launch_w"].iloc[j])
        reach = 0.8 * tier_reach * np.minimum(1, est.appeal[:, j] / np.median(est.appeal[:, j])) ** 0.3
        speed = character.territory_speed[ra.ter] * character.cm_diligence[ra.cm]
        if j == lag_spec:
            lags = ra.ter == lag_ter
            speed = np.where(lags, speed * 0.3, speed)
            reach = np.where(lags, reach * 0.35, reach)
        # adoption week: a draw from the logistic curve with rate k and midpoint t0, cut at 0
        k = 0.45 * speed
        t0 = 7.0 / speed
        f0 = 1 / (1 + np.exp(k * t0))
        u = f0 + rng.random(n_r) * (1 - f0)
        t_adopt = np.maximum(0, t0 + np.log(u / (1 - u)) / k)
        adopt_w = lw + np.floor(t_adopt).astype(int)
        takes = (rng.random(n_r) < reach) & (adopt_w < weeks)
        idx = np.flatnonzero(takes)
        new_pr.append(idx)
        new_ps.append(np.full(len(idx), j))
        new_mu.append(np.maximum(est.total[idx] * est.appeal[idx, j] ** 0.6 / est.denom[idx] * 1.1, 0.8))
        new_start.append(adopt_w[idx])
    if len(new):
        pr = np.concatenate([pr, *new_pr])
        ps = np.concatenate([ps, *new_ps])
        mu = np.concatenate([mu, *new_mu])
        pstart = np.concatenate([pstart, *new_start]).astype(np.int32)
    order = np.lexsort((ps, pr))
    pr, ps, mu, pstart = pr[order].astype(np.int32), ps[order].astype(np.int16), mu[order], pstart[order]
    return Pairs(r=pr, s=ps, mu=mu, first_w=np.maximum(pstart, ra.open_w[pr]), end_w=ra.close_w[pr])
