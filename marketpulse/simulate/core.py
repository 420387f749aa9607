"""The simulated city: reference data, weekly visits and orders, and planted events.

Everything is generated in bulk with numpy: reference tables once, then one pass per
week over all retailer × spec pairs at once. The model, in the terms a marketer uses:

- 市场部 → 片区 → 客户经理 → 零售户; urban departments are 城网, county ones 农网.
- A retailer's weekly volume grows with its 档位; it carries more specs the bigger it is,
  leaning to 一类/二类 in town, bigger shops and 烟酒商店, to 四类/五类 in the country.
- Each week the retailer orders up to its target cover (about one week of sales); the
  company supplies it (a few tight specs are rationed); sales come out of what is on hand;
  stock = previous + supplied − sales. The customer manager visits once a week, counts
  stock, notes the price (sticky, drifting around the suggested price), sometimes
  reports sales since the previous visit, sometimes writes a note.
- Spring Festival on its lunar date (the `holidays` package) is the peak of the year;
  民工回流 lifts the 农网 territories around it and a dip follows. Mid-Autumn and
  National Day bring small gift peaks; 一/二类 grow slowly, 四/五类 shrink.
- New specs spread along a logistic S-curve whose speed depends on the territory and on
  the diligence of the customer manager.
- Planted events (ground truth in `truth`): overstock, discounting, stockout,
  copy_counts, missed_visits, lagging_launch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

import holidays
import numpy as np
import pandas as pd

from marketpulse.simulate import catalog as cat

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Scale:
    name: str
    urban_departments: tuple[int, ...]   # 片区 per urban 市场部
    county_departments: tuple[int, ...]  # 片区 per county 市场部
    cms_per_territory: int
    retailers: int
    specs: int                           # including launches
    launches: int
    weeks: int


SCALES = {
    "small": Scale("small", (2,), (2,), 2, 120, 25, 2, 60),
    "town": Scale("town", (4, 2), (3, 3), 2, 2000, 80, 5, 104),
    "city": Scale("city", (6, 4, 3), (4, 4, 3, 3, 3), 3, 8000, 120, 8, 104),
}

MIN_WEEKS = 40
EVENT_KINDS = ("overstock", "discounting", "stockout", "copy_counts", "missed_visits", "lagging_launch")

# Spring Festival: city-wide sales factor by weeks from the festival's week, with a
# stronger gift peak for the upper 价类; 民工回流 lifts 农网 and thins out 城网 meanwhile.
SF_CITY = {-4: 1.05, -3: 1.12, -2: 1.28, -1: 1.5, 0: 1.75, 1: 1.15, 2: 0.82, 3: 0.88, 4: 0.94}
SF_CLASS_GAIN = np.array([1.4, 1.2, 1.0, 0.9, 0.8])
SF_RURAL = {-3: 1.08, -2: 1.2, -1: 1.3, 0: 1.32, 1: 1.3, 2: 1.18, 3: 0.9, 4: 0.9, 5: 0.93}
SF_URBAN = {0: 0.95, 1: 0.9, 2: 0.93}
CLASS_GROWTH = np.array([0.05, 0.03, 0.01, -0.03, -0.06])  # per year, by 价类


@dataclass
class City:
    """One simulated city: reference frames, fact frames (integer-coded) and ground truth."""

    scale: Scale
    seed: int
    start: date                     # Monday of the first simulated week
    weeks: int
    department: pd.DataFrame
    territory: pd.DataFrame
    customer_manager: pd.DataFrame
    retailer: pd.DataFrame          # row i is retailer index i in the fact frames
    spec: pd.DataFrame              # row j is spec index j in the fact frames
    truth: pd.DataFrame
    visits: pd.DataFrame            # w, day, r, s, stock, price (0 = none), on_shelf, sales (-1 = none), note (-1 = none)
    orders: pd.DataFrame            # w, day, r, s, demand, supplied
    notes: tuple[str, ...] = cat.ALL_NOTES
    spring_festivals: list[date] = field(default_factory=list)

    @property
    def end(self) -> date:
        return self.start + timedelta(weeks=self.weeks - 1)

    def monday(self, w: int) -> date:
        return self.start + timedelta(weeks=int(w))


def last_complete_week(today: date | None = None) -> date:
    """Monday of the last ISO week that has fully ended before `today`."""
    today = today or date.today()
    return today - timedelta(days=today.weekday() + 7)


def spring_festivals(first: date, last: date) -> list[date]:
    """First day of each Spring Festival between two dates, from the holidays package."""
    cn = holidays.country_holidays("CN", years=range(first.year - 1, last.year + 2), observed=False)
    days = sorted(cn.get_named("Spring Festival", lookup="icontains"))
    firsts = [d for d in days if d - timedelta(days=1) not in days]
    return [d for d in firsts if first <= d <= last + timedelta(days=6)]


def _holiday_dates(name: str, first: date, last: date) -> list[date]:
    cn = holidays.country_holidays("CN", years=range(first.year, last.year + 1), observed=False)
    days = sorted(cn.get_named(name, lookup="icontains"))
    return [d for d in days if d - timedelta(days=1) not in days]


# ── reference data ────────────────────────────────────────────────────────────

def _person_names(rng: np.random.Generator, n: int) -> list[str]:
    surnames = rng.choice(list(cat.SURNAMES), n)
    two = rng.random(n) < 0.7
    first = rng.choice(list(cat.GIVEN), n)
    second = rng.choice(list(cat.GIVEN), n)
    return [s + f + (g if t else "") for s, f, g, t in zip(surnames, first, second, two)]


def _geography(rng: np.random.Generator, scale: Scale):
    deps, ters = [], []
    urban_names = iter(cat.URBAN_TERRITORIES)
    rural_names = iter(cat.RURAL_TERRITORIES)
    plan = [(name, n, "城网") for name, n in zip(cat.URBAN_DEPARTMENTS, scale.urban_departments)]
    plan += [(name, n, "农网") for name, n in zip(cat.COUNTY_DEPARTMENTS, scale.county_departments)]
    for d, (dep_name, n_ter, area) in enumerate(plan, start=1):
        dep_code = f"D{d:02d}"
        deps.append({"department_code": dep_code, "department_name": dep_name})
        for t in range(1, n_ter + 1):
            ters.append({
                "territory_code": f"T{d:02d}{t:02d}",
                "territory_name": next(urban_names if area == "城网" else rural_names),
                "department_code": dep_code,
                "area_type": area,
            })
    department = pd.DataFrame(deps)
    territory = pd.DataFrame(ters)
    n_cm = len(territory) * scale.cms_per_territory
    cm = pd.DataFrame({
        "cm_code": [f"KH{i:03d}" for i in range(1, n_cm + 1)],
        "cm_name": _person_names(rng, n_cm),
        "territory_code": np.repeat(territory["territory_code"].to_numpy(), scale.cms_per_territory),
    })
    return department, territory, cm


FORMAT_P = {  # 业态 mix by area
    "城网": [0.36, 0.24, 0.10, 0.15, 0.07, 0.08],
    "农网": [0.58, 0.12, 0.09, 0.10, 0.04, 0.07],
}
FORMAT_TIER_SHIFT = np.array([0, 2, 4, 5, 1, -1])     # 档位 lean by 业态
FORMAT_VOLUME = np.array([1.0, 1.05, 1.2, 1.3, 0.7, 0.6])
FORMAT_PREMIUM = np.array([-0.1, 0.05, 0.15, 0.35, 0.25, 0.0])
FORMAT_MARKUP = np.array([0.0, 0.005, -0.01, 0.01, 0.04, 0.0])


def _retailers(rng, scale: Scale, territory, cm, start: date, weeks: int):
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
        license_no[m] = [f"{a}{s:06d}" for a, s in zip(area_code[m], serial)]
    # openings and closings inside the window; the rest opened years ago
    open_w = np.zeros(n, dtype=np.int32)
    close_w = np.full(n, weeks, dtype=np.int32)
    u = rng.random(n)
    opens = u < 0.04
    closes = (u > 0.97)
    opens[:n_ter * 2] = False  # keep the first retailers of each list steady
    open_w[opens] = rng.integers(1, max(2, weeks - 8), opens.sum())
    close_w[closes] = rng.integers(8, weeks, closes.sum())
    days_before = rng.integers(30, 8000, n)
    opened_on = np.array([start - timedelta(days=int(d)) for d in days_before], dtype=object)
    opened_on[opens] = [start + timedelta(weeks=int(w), days=-int(k)) for w, k in zip(open_w[opens], rng.integers(1, 6, opens.sum()))]
    opened_on[(rng.random(n) < 0.08) & ~opens] = None
    closed_on = np.full(n, None, dtype=object)
    close_k = rng.integers(1, 4, closes.sum())  # closed on the Friday, Saturday or Sunday before
    closed_on[closes] = [start + timedelta(weeks=int(w), days=-int(k)) for w, k in zip(close_w[closes], close_k)]
    last_day = np.full(n, 6, dtype=np.int8)       # weekday of the last visit in the last open week
    last_day[closes] = 7 - close_k
    retailer = pd.DataFrame({
        "license_no": license_no.astype(str),
        "retailer_name": names,
        "format": np.array(cat.FORMATS)[fmt],
        "tier": tier.astype(np.int32),
        "territory_code": ter_codes[ter_idx],
        "cm_code": cm["cm_code"].to_numpy()[cm_idx],
        "area_type": area,
        "opened_on": pd.array(opened_on, dtype="object"),
        "closed_on": pd.array(closed_on, dtype="object"),
    })
    attrs = {
        "ter": ter_idx.astype(np.int32), "cm": cm_idx, "fmt": fmt, "tier": tier,
        "rural": area == "农网", "route": route, "open_w": open_w, "close_w": close_w,
        "last_day": last_day,
    }
    return retailer, attrs


CATALOG_MIX = (0.18, 0.24, 0.26, 0.18, 0.14)  # share of specs by 价类 in a catalog


def _choose_established(n: int) -> list[dict]:
    """The n best-selling established specs, with every 价类 represented in proportion."""
    by_class = {c: sorted((s for s in cat.established_specs() if s["price_class"] == c),
                          key=lambda s: -s["popularity"]) for c in cat.PRICE_CLASSES}
    quota = [min(len(by_class[c]), int(round(n * share))) for c, share in zip(cat.PRICE_CLASSES, CATALOG_MIX)]
    chosen = [s for c, k in zip(cat.PRICE_CLASSES, quota) for s in by_class[c][:k]]
    rest = sorted((s for c, k in zip(cat.PRICE_CLASSES, quota) for s in by_class[c][k:]),
                  key=lambda s: -s["popularity"] * cat.CLASS_VOLUME_SHARE[s["price_class"]])
    chosen = (chosen + rest)[:n] if len(chosen) < n else chosen[:n]
    return sorted(chosen, key=lambda s: (cat.PRICE_CLASSES.index(s["price_class"]), -s["popularity"]))


def _catalog(rng, scale: Scale, start: date, weeks: int):
    chosen = _choose_established(scale.specs - scale.launches)
    launches = cat.new_specs()[: scale.launches]
    launch_w = np.linspace(10, weeks - 14, scale.launches).round().astype(int) if scale.launches else []
    rows = []
    for s in chosen:
        d = start - timedelta(days=int(rng.integers(400, 7000)))
        rows.append({**s, "launch_date": d, "launch_w": -1})
    for s, w in zip(launches, launch_w):
        rows.append({**s, "launch_date": start + timedelta(weeks=int(w)), "launch_w": int(w)})
    spec = pd.DataFrame(rows)
    brands = sorted(spec["brand"].unique())
    brand_no = spec["brand"].map({b: i for i, b in enumerate(brands)})
    spec["spec_code"] = [f"69010{b:02d}{100000 + 37 * i:06d}" for i, b in enumerate(brand_no)]
    cls = spec["price_class"].map({c: i for i, c in enumerate(cat.PRICE_CLASSES)}).to_numpy()
    spec["wholesale_price"] = (spec["suggested_retail_price"] * (1 - spec["price_class"].map(cat.CLASS_MARGIN))).round(2)
    spec["is_key_brand"] = spec["brand"].isin(cat.KEY_BRANDS)
    # volume weight: class share split by popularity inside the class
    pop = spec["popularity"].to_numpy()
    class_total = np.bincount(cls, weights=pop, minlength=5)
    share = np.array([cat.CLASS_VOLUME_SHARE[c] for c in cat.PRICE_CLASSES])
    spec["weight"] = pop / class_total[cls] * share[cls]
    spec["cls"] = cls
    return spec


# ── calendar ──────────────────────────────────────────────────────────────────

def _calendar(start: date, weeks: int, urban_growth: np.ndarray):
    """Weekly demand factors: by 价类 (weeks × 5), by area (weeks × 2), by territory."""
    mondays = [start + timedelta(weeks=w) for w in range(weeks)]
    end = mondays[-1] + timedelta(days=6)
    festivals = spring_festivals(start - timedelta(weeks=8), end + timedelta(weeks=8))
    sf_weeks = [(f - timedelta(days=f.weekday()) - start).days // 7 for f in festivals]
    w = np.arange(weeks)
    doy = np.array([m.timetuple().tm_yday for m in mondays])
    base = 1 + 0.03 * np.sin(2 * np.pi * (doy - 80) / 365.25)
    by_class = np.repeat(base[:, None], 5, axis=1) * (1 + CLASS_GROWTH[None, :]) ** (w[:, None] / 52)
    rural = np.ones(weeks)
    urban = np.ones(weeks)
    for sw in sf_weeks:
        for k, f in SF_CITY.items():
            if 0 <= sw + k < weeks:
                by_class[sw + k] *= 1 + (f - 1) * SF_CLASS_GAIN
        for k, f in SF_RURAL.items():
            if 0 <= sw + k < weeks:
                rural[sw + k] *= f
        for k, f in SF_URBAN.items():
            if 0 <= sw + k < weeks:
                urban[sw + k] *= f
    for name, gain in (("Mid-Autumn", 0.08), ("National Day", 0.06)):
        for d in _holiday_dates(name, start, end):
            k = (d - timedelta(days=d.weekday()) - start).days // 7 - (1 if d.weekday() < 2 else 0)
            if 0 <= k < weeks:
                by_class[k] *= 1 + gain * SF_CLASS_GAIN
    area = np.stack([urban, rural], axis=1)
    trend = (1 + urban_growth[None, :]) ** (w[:, None] / 52)
    # days on which nobody visits: 除夕 and the first three days of the festival
    blocked = {}
    for f in festivals:
        for d in (f - timedelta(days=1), f, f + timedelta(days=1), f + timedelta(days=2)):
            k = (d - start).days // 7
            if 0 <= k < weeks:
                blocked.setdefault(k, set()).add(d.weekday())
    return by_class, area, trend, festivals, sf_weeks, blocked


# ── the city ──────────────────────────────────────────────────────────────────

def simulate(
    scale: str | Scale = "town",
    seed: int = 7,
    weeks: int | None = None,
    end_week: date | None = None,
    progress: Progress | None = None,
) -> City:
    """Simulate a city; `end_week` (a Monday) defaults to the last complete ISO week."""
    scale = SCALES[scale] if isinstance(scale, str) else scale
    weeks = int(weeks or scale.weeks)
    if weeks < MIN_WEEKS:
        raise ValueError(
            f"模拟周数至少为 {MIN_WEEKS}(给出 {weeks})/ weeks must be at least {MIN_WEEKS} so that the planted "
            f"events and launches fit (got {weeks})"
        )
    end_week = end_week or last_complete_week()
    end_week = end_week - timedelta(days=end_week.weekday())
    start = end_week - timedelta(weeks=weeks - 1)
    rng = np.random.default_rng(seed)
    tell = progress or (lambda f, m: None)

    tell(0.0, "参考数据 / reference data")
    department, territory, cm = _geography(rng, scale)
    retailer, ra = _retailers(rng, scale, territory, cm, start, weeks)
    spec = _catalog(rng, scale, start, weeks)
    n_r, n_s, n_t, n_c = len(retailer), len(spec), len(territory), len(cm)
    urban_t = (territory["area_type"] == "城网").to_numpy()

    # territory character: uptake speed, growth; customer managers' diligence and habits
    ter_speed = rng.uniform(0.8, 1.25, n_t)
    ter_growth = rng.normal(0.0, 0.015, n_t)
    ter_price = rng.normal(0.0, 0.006, n_t)
    cm_diligence = rng.uniform(0.6, 1.2, n_c)
    cm_reports_sales = rng.uniform(0.15, 0.75, n_c)
    inflow_t = int(rng.choice(np.flatnonzero(urban_t)))  # a territory drawing newcomers
    ter_growth[inflow_t] = 0.12

    by_class, area_f, trend, festivals, sf_weeks, blocked = _calendar(start, weeks, ter_growth)

    # ── who carries what ──
    tier = ra["tier"]
    beta = (0.25 * ~ra["rural"] - 0.2 * ra["rural"] + 0.025 * (tier - 8) + FORMAT_PREMIUM[ra["fmt"]]
            + rng.normal(0, 0.1, n_r))
    cls = spec["cls"].to_numpy()
    w_rs = spec["weight"].to_numpy()[None, :] * np.exp(beta[:, None] * (2 - cls[None, :]))
    total = 10 * np.exp(0.11 * (tier - 1)) * FORMAT_VOLUME[ra["fmt"]] * rng.lognormal(0, 0.2, n_r)
    est = np.flatnonzero(spec["launch_w"].to_numpy() < 0)
    new = np.flatnonzero(spec["launch_w"].to_numpy() >= 0)
    # bigger shops carry more specs, and more of them where the catalog is longer
    k_want = np.round(6 + (1.9 * tier ** 0.95 + rng.normal(0, 2, n_r)) * (len(est) / 100) ** 0.9)
    k_max = min(len(est), max(6, int(0.85 * len(est))))
    k_r = np.clip(np.minimum(k_want, total / 1.1), 6, k_max).astype(int)
    keys = np.log(w_rs[:, est]) - np.log(-np.log(rng.random((n_r, len(est)))))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    carried = rank < k_r[:, None]
    pr, ps_local = np.nonzero(carried)
    ps = est[ps_local]
    flat = w_rs[pr, ps] ** 0.6
    denom = np.bincount(pr, weights=flat, minlength=n_r)
    mu = np.maximum(total[pr] * flat / denom[pr], 0.8)  # a spec a shop stocks sells most weeks
    pstart = np.zeros(len(pr), dtype=np.int32)

    # ── planted events: where and when ──
    truth, ev = _plan_events(rng, weeks, territory, cm, spec, ra, pr, ps, mu, new)

    # ── launches along an S-curve ──
    tier_reach = 0.45 + 0.5 * np.minimum(1, tier / 14)
    new_pr, new_ps, new_mu, new_start = [], [], [], []
    for j in new:
        lw = int(spec["launch_w"].iloc[j])
        reach = 0.8 * tier_reach * np.minimum(1, w_rs[:, j] / np.median(w_rs[:, j])) ** 0.3
        speed = ter_speed[ra["ter"]] * cm_diligence[ra["cm"]]
        if j == ev["lag_spec"]:
            lagging = ra["ter"] == ev["lag_ter"]
            speed = np.where(lagging, speed * 0.3, speed)
            reach = np.where(lagging, reach * 0.35, reach)
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
        new_mu.append(np.maximum(total[idx] * w_rs[idx, j] ** 0.6 / denom[idx] * 1.1, 0.8))
        new_start.append(adopt_w[idx])
    if len(new):
        pr = np.concatenate([pr, *new_pr])
        ps = np.concatenate([ps, *new_ps])
        mu = np.concatenate([mu, *new_mu])
        pstart = np.concatenate([pstart, *new_start]).astype(np.int32)
    order = np.lexsort((ps, pr))
    pr, ps, mu, pstart = pr[order].astype(np.int32), ps[order].astype(np.int16), mu[order], pstart[order]
    pstart = np.maximum(pstart, ra["open_w"][pr])
    pend = ra["close_w"][pr]
    launch_w = spec["launch_w"].to_numpy()
    tell(0.05, f"{len(pr):,} 个零售户×规格 / retailer × spec pairs")

    visits, orders = _run_weeks(
        rng, weeks, start, spec, ra, pr, ps, mu, pstart, pend, launch_w, by_class, area_f, trend,
        blocked, sf_weeks, ter_price, cm_reports_sales, ev, inflow_t, tell,
    )
    truth = pd.DataFrame(truth)
    truth["first_week"] = [start + timedelta(weeks=int(w)) for w in truth.pop("first_w")]
    truth["last_week"] = [start + timedelta(weeks=int(w)) for w in truth.pop("last_w")]
    spec_out = spec[["spec_code", "spec_name", "brand", "price_class", "wholesale_price",
                     "suggested_retail_price", "is_key_brand", "launch_date"]].copy()
    return City(
        scale=scale, seed=seed, start=start, weeks=weeks, department=department, territory=territory,
        customer_manager=cm, retailer=retailer, spec=spec_out, truth=truth, visits=visits, orders=orders,
        spring_festivals=[f for f in festivals if start <= f <= start + timedelta(weeks=weeks, days=-1)],
    )


def _plan_events(rng, weeks, territory, cm, spec, ra, pr, ps, mu, new):
    """Choose the territory, spec, customer manager and weeks of each planted event."""
    urban = np.flatnonzero((territory["area_type"] == "城网").to_numpy())
    rural = np.flatnonzero((territory["area_type"] == "农网").to_numpy())
    u = rng.permutation(urban)
    r = rng.permutation(rural)
    over_t, disc_t = int(u[0]), int(u[1 % len(u)])
    lag_t = int(r[0])
    stock_t = int(r[1 % len(r)]) if len(urban) < 3 else int(u[2])
    cls = spec["cls"].to_numpy()
    tight = spec["tight"].to_numpy()
    pair_ter = ra["ter"][pr]

    def widely_carried(t, classes, exclude):
        vol = np.bincount(ps[pair_ter == t], weights=mu[pair_ter == t], minlength=len(spec))
        ok = np.isin(cls, classes) & ~tight & (spec["launch_w"].to_numpy() < 0)
        ok[list(exclude)] = False
        return int(np.argmax(np.where(ok, vol, -1)))

    over_s = widely_carried(over_t, [1, 2], [])
    disc_s = widely_carried(disc_t, [1, 2], [over_s])
    stock_s = widely_carried(stock_t, [0], [over_s, disc_s])
    # the launch that is between half a year and a year old at the end, else the first
    launches = sorted(new, key=lambda j: spec["launch_w"].iloc[j])
    lag_s = next((j for j in launches if spec["launch_w"].iloc[j] >= weeks - 50), launches[0])

    used = {over_t, lag_t, stock_t}
    cm_ter = cm["territory_code"].map({c: i for i, c in enumerate(territory["territory_code"])}).to_numpy()
    free = [t for t in rng.permutation(len(territory)) if t not in used] or [disc_t]
    copy_c = int(np.flatnonzero(cm_ter == free[0])[0])
    missed_pool = [t for t in free[1:]] or [stock_t]
    missed_c = int(np.flatnonzero(cm_ter == missed_pool[0])[-1])

    w = weeks
    codes = territory["territory_code"].to_numpy()
    sc = spec["spec_code"].to_numpy()
    cmc = cm["cm_code"].to_numpy()
    truth = [
        {"kind": "overstock", "spec_code": sc[over_s], "territory_code": codes[over_t], "cm_code": None,
         "first_w": w - 8, "last_w": w - 1},
        {"kind": "discounting", "spec_code": sc[disc_s], "territory_code": codes[disc_t], "cm_code": None,
         "first_w": w - 20, "last_w": w - 13},
        {"kind": "stockout", "spec_code": sc[stock_s], "territory_code": codes[stock_t], "cm_code": None,
         "first_w": w - 5, "last_w": w - 1},
        {"kind": "copy_counts", "spec_code": None, "territory_code": codes[cm_ter[copy_c]], "cm_code": cmc[copy_c],
         "first_w": w - 26, "last_w": w - 1},
        {"kind": "missed_visits", "spec_code": None, "territory_code": codes[cm_ter[missed_c]], "cm_code": cmc[missed_c],
         "first_w": w - 30, "last_w": w - 1},
        {"kind": "lagging_launch", "spec_code": sc[lag_s], "territory_code": codes[lag_t], "cm_code": None,
         "first_w": int(spec["launch_w"].iloc[lag_s]), "last_w": w - 1},
    ]
    ev = {
        "over": (over_t, over_s, w - 8, w - 1),
        "disc": (disc_t, disc_s, w - 20, w - 13),
        "stock": (stock_t, stock_s, w - 5, w - 1),
        "copy": (copy_c, w - 26, w - 1),
        "missed": (missed_c, w - 30, w - 1),
        "lag_spec": lag_s,
        "lag_ter": lag_t,
    }
    return truth, ev


def _visit_plan(rng, weeks, ra, ev, blocked):
    """Retailer × week: visit weekday, visited?, stock counts copied?"""
    n_r = len(ra["tier"])
    w = np.arange(weeks)[:, None]
    active = (w >= ra["open_w"][None, :]) & (w < ra["close_w"][None, :])
    shift = rng.choice([-1, 0, 1], size=(weeks, n_r), p=[0.05, 0.8, 0.15])
    day = np.clip(ra["route"][None, :] + shift, 0, 5).astype(np.int8)
    for k, days in blocked.items():
        free = [d for d in range(6) if d not in days]
        if free:
            table = np.array([min(free, key=lambda f: (abs(f - d), f)) for d in range(6)], dtype=np.int8)
            day[k] = table[day[k]]
    closing = np.flatnonzero(ra["close_w"] < weeks)
    last = ra["close_w"][closing] - 1
    day[last, closing] = np.minimum(day[last, closing], ra["last_day"][closing])
    miss_p = np.full((weeks, n_r), 0.012)
    c, a, b = ev["missed"]
    miss_p[a:b + 1, ra["cm"] == c] = 1 / 3
    visited = active & (rng.random((weeks, n_r)) >= miss_p)
    copy = np.zeros((weeks, n_r), dtype=bool)
    c, a, b = ev["copy"]
    mine = ra["cm"] == c
    copy[a:b + 1, mine] = rng.random((b + 1 - a, mine.sum())) < 0.92
    return active, day, visited, copy


def _run_weeks(rng, weeks, start, spec, ra, pr, ps, mu, pstart, pend, launch_w, by_class, area_f, trend,
               blocked, sf_weeks, ter_price, cm_reports_sales, ev, inflow_t, tell):
    n_p = len(pr)
    n_notes = len(cat.ALL_NOTES)
    note_base = {}
    offset = 0
    for name in ("GENERIC", "COUNTERFEIT", "MIGRANT", "INFLOW", "STOCKOUT", "OVERSTOCK", "DISCOUNT", "NEW_SPEC"):
        group = getattr(cat, f"NOTE_{name}")
        note_base[name] = (offset, len(group))
        offset += len(group)
    assert offset == n_notes

    def note_codes(name, n):
        o, k = note_base[name]
        return (o + rng.integers(0, k, n)).astype(np.int16)

    active_r, day_r, visited_r, copy_r = _visit_plan(rng, weeks, ra, ev, blocked)
    cls_p = spec["cls"].to_numpy()[ps]
    sugg_p = spec["suggested_retail_price"].to_numpy()[ps]
    tight_p = spec["tight"].to_numpy()[ps]
    ter_p = ra["ter"][pr]
    cm_p = ra["cm"][pr]
    rural_p = ra["rural"][pr].astype(int)
    cover_r = rng.uniform(0.7, 1.2, len(ra["tier"])) + 0.2 * ra["rural"]
    cover_p = cover_r[pr]
    report_r = rng.random((weeks, len(ra["tier"]))) < cm_reports_sales[ra["cm"]][None, :]
    # retailer's "lead" line, where visit-level notes are written
    lead = np.full(len(ra["tier"]), -1)
    lead[pr[::-1]] = np.arange(n_p)[::-1]

    # prices: sticky, drifting around the suggested price
    markup = (rng.normal(0.004, 0.012, len(ra["tier"])) + FORMAT_MARKUP[ra["fmt"]] - 0.004 * ra["rural"])[pr]
    markup += ter_price[ter_p] + 0.03 * tight_p + rng.normal(0, 0.004, n_p)
    drift = np.zeros(len(spec))
    price_level = 1 + markup

    over_t, over_s, over_a, over_b = ev["over"]
    disc_t, disc_s, disc_a, disc_b = ev["disc"]
    stock_t, stock_s, stock_a, stock_b = ev["stock"]
    over_m = (ter_p == over_t) & (ps == over_s)
    disc_m = (ter_p == disc_t) & (ps == disc_s)
    stock_m = (ter_p == stock_t) & (ps == stock_s)
    disc_cut = rng.uniform(0.88, 0.92, n_p)
    inflow_m = ter_p == inflow_t

    S = np.zeros(n_p, dtype=np.int64)
    acc = np.zeros(n_p, dtype=np.int64)
    rep_last = np.full(n_p, -1, dtype=np.int64)
    sf_rel = np.full(weeks, 99)
    for sw in sf_weeks:
        for k in range(-4, 6):
            if 0 <= sw + k < weeks:
                sf_rel[sw + k] = k
    v_parts, o_parts = [], []
    for w in range(weeks):
        act = np.flatnonzero((pstart <= w) & (pend > w))
        r = pr[act]
        drift = 0.95 * drift + rng.normal(0, 0.004, len(spec))
        mean = (mu[act] * by_class[w, cls_p[act]] * area_f[w, rural_p[act]] * trend[w, ter_p[act]])
        age = w - pstart[act]
        is_new = launch_w[ps[act]] >= 0
        mean = np.where(is_new, mean * np.minimum(1, 0.5 + 0.08 * age), mean)
        plan = mean.copy()  # what the retailer expects to sell
        if over_a <= w <= over_b:
            m = over_m[act]
            mean[m] *= 0.6  # 卖不动
        if disc_a <= w <= disc_b:
            mean[disc_m[act]] *= 1.12
        target = np.maximum(1, np.round(plan * (1 + cover_p[act])))
        S_prev = S[act]
        demand = np.maximum(0, target - S_prev).astype(np.int64)
        supplied = demand.copy()
        rationed = tight_p[act] & (demand >= 3)
        supplied[rationed] -= np.floor(demand[rationed] * 0.2).astype(np.int64)
        if stock_a <= w <= stock_b:
            m = stock_m[act]
            demand[m] = np.maximum(demand[m], np.round(plan[m] * 1.5)).astype(np.int64)
            supplied[m] = np.floor(demand[m] * (0.1 if w > stock_a else 0)).astype(np.int64)  # 停供, then a trickle
        if over_a <= w <= over_a + 2:
            m = over_m[act]
            push = np.round(plan[m] * 1.5).astype(np.int64)  # 压货: the retailer is talked into more
            demand[m] += push
            supplied[m] += push
        lam = mean * rng.gamma(10, 0.1, len(act))
        sales = np.minimum(rng.poisson(lam), S_prev + supplied)
        S_now = S_prev + supplied - sales
        S[act] = S_now
        acc[act] += sales

        # orders: placed on or up to three days before the visit day
        od = day_r[w, r].astype(np.int16) - rng.integers(0, 4, len(act))
        od = np.maximum(od, 0).astype(np.int8)
        if w in blocked:
            bad = np.isin(od, list(blocked[w]))
            od[bad] = day_r[w, r][bad]
        has_order = demand > 0
        o_parts.append(pd.DataFrame({
            "w": np.full(has_order.sum(), w, dtype=np.int16), "day": od[has_order],
            "r": r[has_order], "s": ps[act][has_order],
            "demand": demand[has_order].astype(np.int32), "supplied": supplied[has_order].astype(np.int32),
        }))

        # visits
        vis = visited_r[w, r]
        va = act[vis]
        vr = r[vis]
        copying = copy_r[w, vr] & (rep_last[va] >= 0)
        stock_rep = np.where(copying, rep_last[va], S_now[vis])
        rep_last[va] = stock_rep
        sales_rep = np.where(report_r[w, vr] & ~copying, acc[va], -1)
        acc[va] = 0
        # price: reprice now and then to the drifting level; events move it at once
        reprice = rng.random(len(va)) < 0.12
        price_level[va[reprice]] = 1 + markup[va[reprice]] + drift[ps[va[reprice]]]
        mult = np.ones(len(va))
        if sf_rel[w] in (-2, -1, 0):
            mult[cls_p[va] == 0] *= 1.02
        if disc_a <= w <= disc_b:
            m = disc_m[va]
            mult[m] *= disc_cut[va[m]]
        if stock_a <= w <= stock_b:
            m = stock_m[va]
            mult[m] *= 1 + min(0.1, 0.05 + 0.02 * (w - stock_a))
        if over_a <= w <= over_b:
            mult[over_m[va]] *= 0.975
        price = np.round(sugg_p[va] * price_level[va] * mult * (1 + rng.normal(0, 0.004, len(va))))
        price[rng.random(len(va)) < 0.03] = 0  # not noted
        on_shelf = (stock_rep > 0) & (rng.random(len(va)) > 0.01)

        note = np.full(len(va), -1, dtype=np.int16)
        vr_rural = ra["rural"][vr]
        is_lead = lead[vr] == va
        roll = rng.random(len(va))
        pick = is_lead & (roll < 0.012)
        note[pick] = note_codes("GENERIC", pick.sum())
        pick = is_lead & (roll > 0.9985)
        note[pick] = note_codes("COUNTERFEIT", pick.sum())
        if -2 <= sf_rel[w] <= 1:
            pick = is_lead & vr_rural & (roll > 0.05) & (roll < 0.22)
            note[pick] = note_codes("MIGRANT", pick.sum())
        pick = is_lead & inflow_m[va] & (roll > 0.95) & (roll < 0.985)
        note[pick] = note_codes("INFLOW", pick.sum())
        pick = (pstart[va] == w) & (launch_w[ps[va]] >= 0) & (roll < 0.3)
        note[pick] = note_codes("NEW_SPEC", pick.sum())
        if stock_a <= w <= stock_b:
            pick = stock_m[va] & (roll < 0.35)
            note[pick] = note_codes("STOCKOUT", pick.sum())
        if over_a <= w <= over_b:
            pick = over_m[va] & (roll < 0.25)
            note[pick] = note_codes("OVERSTOCK", pick.sum())
        if disc_a <= w <= disc_b:
            pick = disc_m[va] & (roll < 0.25)
            note[pick] = note_codes("DISCOUNT", pick.sum())

        v_parts.append(pd.DataFrame({
            "w": np.full(len(va), w, dtype=np.int16), "day": day_r[w, vr], "r": vr, "s": ps[va],
            "stock": stock_rep.astype(np.int32), "price": price.astype(np.int32), "on_shelf": on_shelf,
            "sales": sales_rep.astype(np.int32), "note": note,
        }))
        if w % 4 == 3 or w == weeks - 1:
            tell(0.05 + 0.45 * (w + 1) / weeks, f"模拟第 {w + 1}/{weeks} 周 / simulating week {w + 1} of {weeks}")
    visits = pd.concat(v_parts, ignore_index=True)
    orders = pd.concat(o_parts, ignore_index=True)
    return visits, orders

