"""plan-eval: the supply plan against "as last year" and "recent average" on replayed weeks.

For each origin (a past data week of the simulated city in the store) three policies set
each retailer × spec's 限量 for the week after: the MarketPulse plan (made from the store's
data up to the data week, with the available quantity set to what the city actually
supplied that week: each retailer its own 限量, its 档位's for a retailer the plan did not see); last year's same-week supply per retailer; each retailer's mean weekly
supply of the last four weeks. The replay plays the week under each and counts stock-out
and overstock retailer × spec weeks; under every policy a spec's orders beyond what the city
supplied of it are rationed alike (replay.ration), so none delivers more than the city had.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from marketpulse import lake, metrics, rules, store, supply
from marketpulse.errors import UsageError
from marketpulse.simulate import replay
from marketpulse.simulate.city import Blueprint, blueprint

logger = logging.getLogger(__name__)
POLICIES = ("plan", "last_year", "recent_average")


def city_of(path, scale: str, seed: int) -> Blueprint:
    """The simulated city behind the store at `path`, rebuilt from its scale and seed."""
    weeks = pd.to_datetime(metrics.lookup("weeks", path=path)["week"])
    first, last = weeks.min(), weeks.max()
    n = int((last - first) / pd.Timedelta(weeks=1)) + 1
    b = blueprint(scale, seed, weeks=n, end_week=last.date())
    if pd.Timestamp(b.start) != first:
        raise UsageError(f"数据库不是 {scale}/{seed} 的模拟城市 / the store is not the simulated city {scale}/{seed}")
    return b


def forecast_cache(path=None) -> Path:
    """Where plan-eval keeps the forecasts it fitted per replayed week: beside the store."""
    db = Path(path or store.db_path())
    return db.with_name(db.name + ".plan-eval")


def _high_band(attrs: pd.DataFrame, points: pd.DataFrame) -> np.ndarray:
    """Each row's high cover band: its most specific monitoring point (as market_state picks it)."""
    high = np.full(len(attrs), np.inf)
    fields = ("format", "tier_band", "area_type")
    named = points[list(fields)] != "*"
    ranked = points.assign(_rank=list(zip(named.sum(axis=1), *(named[f] for f in fields)))).sort_values("_rank")
    for row in ranked.to_dict("records"):
        match = np.ones(len(attrs), dtype=bool)
        for f in fields:
            if row[f] != "*":
                match &= (attrs[f] == row[f]).to_numpy()
        high[match] = float(row["ratio_high"])
    return high


def _pair_frame(b: Blueprint, week: replay.Week, retailers: pd.DataFrame) -> pd.DataFrame:
    """The active pairs with their codes and customer group (as the plan's rows have them)."""
    pairs = b.world.pairs
    frame = pd.DataFrame(
        {
            "license_no": b.retailer["license_no"].to_numpy()[pairs.r[week.act]],
            "spec_code": b.spec["spec_code"].to_numpy()[pairs.s[week.act]],
        }
    )
    attrs = retailers.drop_duplicates("license_no").drop(columns=["spec_code"])
    return frame.merge(attrs, on="license_no", how="left")


def evaluate_origin(b: Blueprint, origin: replay.Origin, path, policy: supply.Policy, workers: int = 1) -> list[dict]:
    """Scores of the three policies on the week after one origin."""
    data_week = pd.Timestamp(b.start) + pd.Timedelta(weeks=origin.week)
    inputs = supply.plan_inputs(week=data_week, path=path, workers=workers, cache=forecast_cache(path))
    week = replay.next_week(b, origin)
    pairs = _pair_frame(b, week, inputs.retailers)
    available = pairs.assign(q=week.supplied).groupby("spec_code")["q"].sum().to_dict()
    plan = supply.make_plan(inputs, available, policy)
    pairs["key"] = pairs[policy.key].astype(str) if policy.key else ""
    lines = plan.lines.set_index(["spec_code", "key", "tier"])["limit_qty"]
    index = pd.MultiIndex.from_arrays([pairs["spec_code"], pairs["key"], pairs["tier"].fillna(0).astype(int)])
    own = inputs.retailers.set_index(["license_no", "spec_code"])
    at = pd.MultiIndex.from_frame(pairs[["license_no", "spec_code"]])
    line = lines.reindex(index).fillna(0).to_numpy()
    own_limit = plan.retailers.set_index(["license_no", "spec_code"])["own_limit"].reindex(at).to_numpy()
    limits = {
        "plan": np.where(np.isnan(own_limit), line, own_limit),
        "last_year": own["supplied_last_year"].reindex(at).fillna(0).to_numpy(),
        "recent_average": np.floor(own["supplied_4w"].reindex(at).fillna(0).to_numpy() + 0.5),
    }
    high = _high_band(pairs, rules.rules_frame("monitoring_point", path))
    rows = []
    for name in POLICIES:
        counts = replay.score(replay.play(week, limits[name], high))
        rows.append({"origin": data_week.date(), "policy": name, **counts})
    actual = replay.score(replay.play(week, week.supplied, high))
    rows.append({"origin": data_week.date(), "policy": "actual", **actual})
    logger.info("plan-eval origin %s done", data_week.date())
    return rows


def evaluate(path=None, n_origins: int = 4, scale: str = "town", seed: int = 7, workers: int = 1) -> pd.DataFrame:
    """One row per origin × policy: stock-out and overstock retailer × spec weeks, supplied and sales."""
    if n_origins < 1:
        raise UsageError("--origins 至少为 1 / --origins must be at least 1")
    b = city_of(path, scale, seed)
    data_weeks = [b.weeks - 2 - k for k in range(n_origins)][::-1]
    policy = supply.load_policy(path)
    rows = []
    for origin in replay.origins(b, data_weeks):
        rows.extend(evaluate_origin(b, origin, path, policy, workers))
    return pd.DataFrame(rows)


def eval_line(frame: pd.DataFrame) -> str:
    """The one-line summary: stock-out and overstock retailer × spec weeks per policy over all origins."""
    sums = frame.groupby("policy")[["stockout", "overstock"]].sum()
    part = lambda col: " ".join(f"{p}={int(sums.loc[p, col])}" for p in POLICIES)  # noqa: E731
    return f"EVAL stockout_retailer_weeks {part('stockout')} overstock_retailer_weeks {part('overstock')}"


def save(frame: pd.DataFrame, path=None) -> None:
    """Keep the latest plan-eval where the supply page reads it (the store, or the lake that serves it)."""
    if path is None:
        lake.write_tables(["supply_eval"], lambda db: _keep(frame, db))
    else:
        _keep(frame, path)


def _keep(frame: pd.DataFrame, path) -> None:
    """Write the plan-eval into the store at `path` (None: the default store)."""
    with store.writer(path) as con:
        con.execute("delete from supply_eval")
        con.register("incoming", frame.assign(run_at=pd.Timestamp.now().floor("s")))
        con.execute("insert into supply_eval by name select * from incoming")
        con.unregister("incoming")


def latest(path=None) -> pd.DataFrame:
    """The latest plan-eval summed per policy (empty before the first)."""
    return store.run("supply_eval", {}, path=path)
