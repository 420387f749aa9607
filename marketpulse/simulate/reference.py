"""The simulated city's reference data: 市场部 → 片区 → 客户经理 → 零售户, and its spec catalog.

Urban departments are 城网, county ones 农网. A retailer's 档位 leans on its 业态 and area;
the catalog keeps every 价类 in proportion and adds the specs launched in the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from marketpulse.simulate import catalog as cat
from marketpulse.simulate.scale import Scale

FORMAT_P = {  # 业态 mix by area
    "城网": [0.36, 0.24, 0.10, 0.15, 0.07, 0.08],
    "农网": [0.58, 0.12, 0.09, 0.10, 0.04, 0.07],
}
FORMAT_TIER_SHIFT = np.array([0, 2, 4, 5, 1, -1])  # 档位 lean by 业态
FORMAT_VOLUME = np.array([1.0, 1.05, 1.2, 1.3, 0.7, 0.6])
FORMAT_PREMIUM = np.array([-0.1, 0.05, 0.15, 0.35, 0.25, 0.0])
FORMAT_MARKUP = np.array([0.0, 0.005, -0.01, 0.01, 0.04, 0.0])
CATALOG_MIX = (0.18, 0.24, 0.26, 0.18, 0.14)  # share of specs by 价类 in a catalog


@dataclass(frozen=True)
class RetailerArrays:
    """The retailers as integer-coded arrays; entry i is row i of the retailer frame."""

    ter: np.ndarray  # territory index
    cm: np.ndarray  # customer manager index
    fmt: np.ndarray  # index into catalog.FORMATS
    tier: np.ndarray  # 档位 1–30
    rural: np.ndarray  # 农网?
    route: np.ndarray  # usual visit weekday, 0 = Monday
    open_w: np.ndarray  # first open week (0 if open before the window)
    close_w: np.ndarray  # first closed week (weeks if still open)
    last_day: np.ndarray  # latest visit weekday in the last open week

    def __len__(self) -> int:
        return len(self.tier)


@dataclass(frozen=True)
class Character:
    """What sets territories and customer managers apart."""

    territory_speed: np.ndarray  # how fast launches spread
    territory_growth: np.ndarray  # yearly demand growth
    territory_price: np.ndarray  # price level above the suggested price
    cm_diligence: np.ndarray  # how fast launches spread in the customer manager's shops
    cm_reports_sales: np.ndarray  # share of visits on which sales are reported
    inflow_territory: int  # the territory drawing newcomers


def _person_names(rng: np.random.Generator, n: int) -> list[str]:
    surnames = rng.choice(list(cat.SURNAMES), n)
    two = rng.random(n) < 0.7
    first = rng.choice(list(cat.GIVEN), n)
    second = rng.choice(list(cat.GIVEN), n)
    return [s + f + (g if t else "") for s, f, g, t in zip(surnames, first, second, two, strict=True)]


def geography(rng: np.random.Generator, scale: Scale) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Departments, territories and customer managers (with names)."""
    deps, ters = [], []
    urban_names = iter(cat.URBAN_TERRITORIES)
    rural_names = iter(cat.RURAL_TERRITORIES)
    plan = [(name, n, "城网") for name, n in zip(cat.URBAN_DEPARTMENTS, scale.urban_departments, strict=False)]
    plan += [(name, n, "农网") for name, n in zip(cat.COUNTY_DEPARTMENTS, scale.county_departments, strict=False)]
    for d, (dep_name, n_ter, area) in enumerate(plan, start=1):
        dep_code = f"D{d:02d}"
        deps.append({"department_code": dep_code, "department_name": dep_name})
        for t in range(1, n_ter + 1):
            ters.append(
                {
                    "territory_code": f"T{d:02d}{t:02d}",
                    "territory_name": next(urban_names if area == "城网" else rural_names),
                    "department_code": dep_code,
                    "area_type": area,
                }
            )
    department = pd.DataFrame(deps)
    territory = pd.DataFrame(ters)
    n_cm = len(territory) * scale.cms_per_territory
    cm = pd.DataFrame(
        {
            "cm_code": [f"KH{i:03d}" for i in range(1, n_cm + 1)],
            "cm_name": _person_names(rng, n_cm),
            "territory_code": np.repeat(territory["territory_code"].to_numpy(), scale.cms_per_territory),
        }
    )
    return department, territory, cm


def retailers(
    rng: np.random.Generator, scale: Scale, territory: pd.DataFrame, cm: pd.DataFrame, start: date, weeks: int
) -> tuple[pd.DataFrame, RetailerArrays]:
    """The retailer frame and the same retailers as arrays; a few open or close inside the window."""
    n = scale.retailers
    n_ter = len(territory)
    urban = (territory["area_type"] == "城网").to_numpy()
    weight = np.where(urban, 1.15, 0.9) * rng.gamma(20, 1 / 20, n_ter)
    ter_idx = np.sort(rng.choice(n_ter, n, p=weight / weight.sum()))
    ter_idx[:n_ter] = np.arange(n_ter)  # every 片区 has retailers
    ter_idx = np.sort(ter_idx)
    area = np.where(urban[ter_idx], "城网", "农网")
    # customer manager: balanced round robin inside the territory
    cm_of_ter = cm.groupby("territory_code", sort=False).indices
    ter_codes = territory["territory_code"].to_numpy()
    cm_idx = np.empty(n, dtype=np.int32)
    route = np.empty(n, dtype=np.int8)
    for t in range(n_ter):
        members = np.flatnonzero(ter_idx == t)
        cms = cm_of_ter[ter_codes[t]]
        order = rng.permutation(len(members))
        cm_idx[members[order]] = np.asarray(cms)[np.arange(len(members)) % len(cms)]
        # each customer manager's route spreads his retailers over Monday–Friday
        for c in cms:
            mine = members[cm_idx[members] == c]
            route[mine] = np.arange(len(mine)) % 5
    fmt = np.empty(n, dtype=np.int8)
    for a in ("城网", "农网"):
        m = area == a
        fmt[m] = rng.choice(len(cat.FORMATS), m.sum(), p=FORMAT_P[a])
    tier = 1 + np.floor(29 * rng.beta(1.4, 3.4, n)).astype(int) + FORMAT_TIER_SHIFT[fmt] - 2 * (area == "农网")
    tier = np.clip(tier, 1, 30)
    # names
    words = rng.choice(cat.NAME_WORDS, n)
    surnames = rng.choice(list(cat.SURNAMES), n)
    names = []
    pick = rng.random(n)
    for i in range(n):
        patterns = cat.NAME_PATTERNS[cat.FORMATS[fmt[i]]]
        names.append(patterns[int(pick[i] * len(patterns))].format(surname=surnames[i], word=words[i]))
    # 许可证号: 6-digit area code of the 市场部 + 6-digit serial
    dep_no = territory["department_code"].str[1:].astype(int).to_numpy()[ter_idx]
    area_code = np.where(urban[ter_idx], 431100 + dep_no + 1, 431120 + dep_no)
    license_no = np.empty(n, dtype=object)
    for d in np.unique(dep_no):
        m = np.flatnonzero(dep_no == d)
        serial = 100 + np.cumsum(rng.integers(1, 40, len(m)))
        license_no[m] = [f"{a}{s:06d}" for a, s in zip(area_code[m], serial, strict=True)]
    # openings and closings inside the window; the rest opened years ago
    open_w = np.zeros(n, dtype=np.int32)
    close_w = np.full(n, weeks, dtype=np.int32)
    u = rng.random(n)
    opens = u < 0.04
    closes = u > 0.97
    opens[: n_ter * 2] = False  # keep the first retailers of each list steady
    open_w[opens] = rng.integers(1, max(2, weeks - 8), opens.sum())
    close_w[closes] = rng.integers(8, weeks, closes.sum())
    days_before = rng.integers(30, 8000, n)
    opened_on = np.array([start - timedelta(days=int(d)) for d in days_before], dtype=object)
    open_k = rng.integers(1, 6, opens.sum())  # opened a few days before its first week
    opened_on[opens] = [
        start + timedelta(weeks=int(w), days=-int(k)) for w, k in zip(open_w[opens], open_k, strict=True)
    ]
    opened_on[(rng.random(n) < 0.08) & ~opens] = None
    closed_on = np.full(n, None, dtype=object)
    close_k = rng.integers(1, 4, closes.sum())  # closed on the Friday, Saturday or Sunday before
    closed_on[closes] = [
        start + timedelta(weeks=int(w), days=-int(k)) for w, k in zip(close_w[closes], close_k, strict=True)
    ]
    last_day = np.full(n, 6, dtype=np.int8)  # weekday of the last visit in the last open week
    last_day[closes] = 7 - close_k
    retailer = pd.DataFrame(
        {
            "license_no": license_no.astype(str),
            "retailer_name": names,
            "format": np.array(cat.FORMATS)[fmt],
            "tier": tier.astype(np.int32),
            "territory_code": ter_codes[ter_idx],
            "cm_code": cm["cm_code"].to_numpy()[cm_idx],
            "area_type": area,
            "opened_on": pd.array(opened_on, dtype="object"),
            "closed_on": pd.array(closed_on, dtype="object"),
        }
    )
    arrays = RetailerArrays(
        ter=ter_idx.astype(np.int32),
        cm=cm_idx,
        fmt=fmt,
        tier=tier,
        rural=area == "农网",
        route=route,
        open_w=open_w,
        close_w=close_w,
        last_day=last_day,
    )
    return retailer, arrays


def _choose_established(n: int) -> list[dict]:
    """The n best-selling established specs, with every 价类 represented in proportion."""
    by_class = {
        c: sorted((s for s in cat.established_specs() if s["price_class"] == c), key=lambda s: -s["popularity"])
        for c in cat.PRICE_CLASSES
    }
    quota = [
        min(len(by_class[c]), int(round(n * share))) for c, share in zip(cat.PRICE_CLASSES, CATALOG_MIX, strict=True)
    ]
    chosen = [s for c, k in zip(cat.PRICE_CLASSES, quota, strict=True) for s in by_class[c][:k]]
    rest = sorted(
        (s for c, k in zip(cat.PRICE_CLASSES, quota, strict=True) for s in by_class[c][k:]),
        key=lambda s: -s["popularity"] * cat.CLASS_VOLUME_SHARE[s["price_class"]],
    )
    chosen = (chosen + rest)[:n] if len(chosen) < n else chosen[:n]
    return sorted(chosen, key=lambda s: (cat.PRICE_CLASSES.index(s["price_class"]), -s["popularity"]))


def catalog(rng: np.random.Generator, scale: Scale, start: date, weeks: int) -> pd.DataFrame:
    """The specs on sale: established ones, then launches spread over the window (`launch_w` ≥ 0).

    Besides the contract columns: `cls` (价类 index), `weight` (share of the city's volume),
    `tight` (rationed) and `launch_w` (−1 for established specs).
    """
    chosen = _choose_established(scale.specs - scale.launches)
    launches = cat.new_specs()[: scale.launches]
    launch_w = np.linspace(10, weeks - 14, scale.launches).round().astype(int) if scale.launches else []
    rows = []
    for s in chosen:
        d = start - timedelta(days=int(rng.integers(400, 7000)))
        rows.append({**s, "launch_date": d, "launch_w": -1})
    for s, w in zip(launches, launch_w, strict=False):
        rows.append({**s, "launch_date": start + timedelta(weeks=int(w)), "launch_w": int(w)})
    spec = pd.DataFrame(rows)
    brands = sorted(spec["brand"].unique())
    brand_no = spec["brand"].map({b: i for i, b in enumerate(brands)})
    spec["spec_code"] = [f"69010{b:02d}{100000 + 37 * i:06d}" for i, b in enumerate(brand_no)]
    cls = spec["price_class"].map({c: i for i, c in enumerate(cat.PRICE_CLASSES)}).to_numpy()
    margin = spec["price_class"].map(cat.CLASS_MARGIN)
    spec["wholesale_price"] = (spec["suggested_retail_price"] * (1 - margin)).round(2)
    spec["is_key_brand"] = spec["brand"].isin(cat.KEY_BRANDS)
    # volume weight: class share split by popularity inside the class
    pop = spec["popularity"].to_numpy()
    class_total = np.bincount(cls, weights=pop, minlength=5)
    share = np.array([cat.CLASS_VOLUME_SHARE[c] for c in cat.PRICE_CLASSES])
    spec["weight"] = pop / class_total[cls] * share[cls]
    spec["cls"] = cls
    return spec


def character(rng: np.random.Generator, territory: pd.DataFrame, n_cm: int) -> Character:
    """Territories' uptake speed, growth and price level; customer managers' diligence and habits."""
    n_t = len(territory)
    urban = (territory["area_type"] == "城网").to_numpy()
    speed = rng.uniform(0.8, 1.25, n_t)
    growth = rng.normal(0.0, 0.015, n_t)
    price = rng.normal(0.0, 0.006, n_t)
    diligence = rng.uniform(0.6, 1.2, n_cm)
    reports_sales = rng.uniform(0.15, 0.75, n_cm)
    inflow = int(rng.choice(np.flatnonzero(urban)))
    growth[inflow] = 0.12
    return Character(
        territory_speed=speed,
        territory_growth=growth,
        territory_price=price,
        cm_diligence=diligence,
        cm_reports_sales=reports_sales,
        inflow_territory=inflow,
    )
