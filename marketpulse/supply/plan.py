"""Next week's supply plan (货源投放): per spec × 档位 (× the allocation type's key) the number
of retailers, a whole-number 限量 per retailer and the total, within the available quantity.

The arithmetic, per spec × 市场部 × key × 档位 (a row):

    demand   = the spec's forecast for the 市场部 next week × the row's share of the
               市场部's recent weekly sales of the spec (not an even split)
    need     = Σ over the row's retailers of max(0, demand + target cover × demand − stock),
               each in whole 条 (target cover per market state and customer group: policy rule
               data); a retailer's surplus does not cover another's shortage
    granted  = the row's share of the available quantity (allocate.share_out: a loose
               market asks at most loose_cap × its recent weekly supply; tight first)
    level    = the 限量 at which the row's retailers, each ordering its own need (its share of
               the demand + cover − its stock) up to the 限量, order the grant (fill_level)
    限量     = the levels made non-decreasing in 档位, within the 档位's min/max, rounded up
               to whole numbers; then, per spec, lowered one 条 at a time (loose markets
               first, tight last) until Σ min(need, 限量) fits the available quantity

Rows of the same spec × key × 档位 are one plan line: its 限量 is the 档位's. Each retailer's
own 限量 is its need in whole 条 up to its line's (按户定量): a retailer whose stock already
covers next week gets its need, not the 档位's 限量 (控量户, listed beside the line in the
order file). So the line's total, Σ its retailers' own 限量 = Σ min(need, 限量), is what its
retailers can order, and per spec it never passes the available quantity. Without an
available quantity the plan is unconstrained and says so. Inputs are read from the store (`plan_inputs`) or handed in
(the replay builds them for past weeks); `make_plan` is pure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from marketpulse import forecast, metrics, store
from marketpulse.supply import reasons
from marketpulse.supply.allocate import (
    PRIORITY,
    expected_orders,
    fill_level,
    fit_expected,
    share_out,
    tier_limits,
    whole_need,
)
from marketpulse.supply.policy import Policy, load_policy, target_cover

WEEK = pd.Timedelta(weeks=1)
LINE_COLUMNS = [
    "spec_code", "spec_name", "key", "key_name", "tier", "retailers", "share", "demand", "cover_qty",
    "stock", "need", "granted", "state", "limit_qty", "capped", "total_qty", "needs", "licenses", "reason_zh",
    "reason_en",
]  # fmt: skip


@dataclass
class PlanInputs:
    """What a plan is computed from: one data week's retailers, forecasts and market states."""

    week: pd.Timestamp  # the data week; the plan is for the week after
    retailers: pd.DataFrame  # supply_retailers rows
    forecasts: pd.DataFrame  # spec_code, department_code, yhat (next week)
    market: pd.DataFrame  # spec_code, department_code, state
    names: dict = field(default_factory=dict)  # spec and department codes → names


@dataclass
class Plan:
    """A computed plan: its lines, its groups (spec × key) and the totals beside recent supply."""

    week: pd.Timestamp  # the data week
    policy: Policy
    lines: pd.DataFrame  # one row per spec × key × 档位 (LINE_COLUMNS)
    groups: pd.DataFrame  # one row per spec × key, with its reason
    retailers: pd.DataFrame  # each retailer × spec: its line's 限量 (limit_qty), its need and own 限量 (own_limit)
    available: dict | None  # spec → quantity; None: unconstrained
    # per spec × 市场部: the plan's forecast, cover, stock, need and planned (Σ own 限量) —
    # what sets it beside the 市场部-level recommendation (supply.reconcile)
    departments: pd.DataFrame | None = None

    @property
    def plan_week(self) -> pd.Timestamp:
        return self.week + WEEK

    @property
    def constrained(self) -> bool:
        return self.available is not None


def read_supply(path) -> dict[str, float]:
    """An available-quantity file (CSV: spec_code, quantity) as spec → quantity."""
    frame = pd.read_csv(path, dtype={"spec_code": str})
    missing = {"spec_code", "quantity"} - set(frame.columns)
    if missing:
        raise ValueError(f"货源文件缺少列 / supply file lacks column(s): {', '.join(sorted(missing))}")
    quantity = pd.to_numeric(frame["quantity"], errors="coerce")
    bad = frame.index[quantity.isna() | (quantity < 0)]
    if len(bad):  # line numbers as a spreadsheet shows them: the header is line 1
        lines = ", ".join(str(i + 2) for i in bad[:5]) + (" …" if len(bad) > 5 else "")
        raise ValueError(
            f"货源文件第 {lines} 行的数量不是非负数 / supply file line(s) {lines}: quantity is not a number ≥ 0"
        )
    return dict(zip(frame["spec_code"], quantity.astype(float)))


def forecasts_for(week, path=None, workers: int = 1, cache: Path | None = None) -> pd.DataFrame:
    """Next week's forecast per spec × 市场部 made from data up to `week`: the stored refresh when
    it was made from that week, else fitted now (no backtest). With a `cache` folder a fit is
    kept there under the week and a fingerprint of the sales it was fitted on, and reused
    while those sales and the model are unchanged (plan-eval replays the same weeks again)."""
    week = pd.Timestamp(week)
    run = forecast.last_run(path=path)
    if run is not None and pd.Timestamp(run["made_from_week"]) == week:
        fc = forecast.stored_forecasts(path=path)
    else:
        sales = store.run("forecast_input", {"as_of": week.date().isoformat()}, path=path)
        kept = None
        if cache is not None and not sales.empty:
            digest = hashlib.sha1(pd.util.hash_pandas_object(sales, index=False).to_numpy().tobytes())
            digest.update(forecast.DEFAULT_MODEL.encode())
            kept = Path(cache) / f"forecast-{week.date()}-{digest.hexdigest()[:16]}.parquet"
            if kept.exists():
                return pd.read_parquet(kept)
        dept, city = forecast.build_panels(sales, week) if not sales.empty else forecast.build_panels(sales)
        if dept.empty:
            return pd.DataFrame(columns=["spec_code", "department_code", "yhat"])
        fc = forecast.run_hierarchy(dept, city, h=1, n_origins=0, workers=workers).forecasts
        fc["step"] = 1
        fc = fc[(fc["level"] == "department") & (fc["step"] == 1)]
        fc = fc[["spec_code", "department_code", "yhat"]].reset_index(drop=True)
        if kept is not None:
            kept.parent.mkdir(parents=True, exist_ok=True)
            fc.to_parquet(kept, index=False)
        return fc
    fc = fc[(fc["level"] == "department") & (fc["step"] == 1)]
    return fc[["spec_code", "department_code", "yhat"]].reset_index(drop=True)


def plan_inputs(
    week=None, path=None, forecasts: pd.DataFrame | None = None, workers: int = 1, cache: Path | None = None
) -> PlanInputs:
    """Read a data week's inputs (default: the week of the latest forecast refresh, else the latest week)."""
    if week is None:
        run = forecast.last_run(path=path)
        week = run["made_from_week"] if run else metrics.lookup("weeks", path=path)["week"].max()
    week = pd.Timestamp(week) - pd.Timedelta(days=pd.Timestamp(week).weekday())
    day = week.date().isoformat()
    retailers = store.run("supply_retailers", {"week": day}, path=path)
    market = store.run("supply_recommendation", {"week_from": day, "week_to": day}, path=path)
    fc = forecasts if forecasts is not None else forecasts_for(week, path, workers, cache)
    names = {
        **dict(zip(market["spec_code"], market["spec_name"])),
        **dict(zip(market["department_code"], market["department_name"])),
    }
    specs = metrics.lookup("specs", path=path)
    names.update(dict(zip(specs["spec_code"], specs["spec_name"])))
    return PlanInputs(week, retailers, fc, market[["spec_code", "department_code", "state"]], names)


def _rows(inputs: PlanInputs, policy: Policy) -> pd.DataFrame:
    """Each retailer × spec with its demand, target cover and the row (spec × 市场部 × key × 档位) it falls in."""
    r = inputs.retailers.copy()
    r["key"] = r[policy.key].astype(str) if policy.key else ""
    r = r.merge(inputs.market, on=["spec_code", "department_code"], how="left")
    r = r.merge(inputs.forecasts, on=["spec_code", "department_code"], how="left")
    dept_sales = r.groupby(["spec_code", "department_code"])["weekly_sales"].transform("sum")
    dept_n = r.groupby(["spec_code", "department_code"])["weekly_sales"].transform("size")
    r["share"] = np.where(dept_sales > 0, r["weekly_sales"] / dept_sales.where(dept_sales > 0, 1), 1 / dept_n)
    # a 市场部 without a forecast series of the spec: its recent weekly sales stand in
    r["yhat"] = r["yhat"].fillna(dept_sales)
    r["demand"] = r["yhat"].clip(lower=0) * r["share"]
    r["target_cover"] = target_cover(r, policy)
    r["cover_qty"] = r["target_cover"] * r["demand"]
    r["need_qty"] = whole_need(r["demand"] + r["cover_qty"] - r["stock_qty"])
    return r


def make_plan(inputs: PlanInputs, available: dict | None = None, policy: Policy | None = None) -> Plan:
    """The plan from its inputs; `available` maps spec → quantity (a spec not in it gets none)."""
    policy = policy or load_policy()
    r = _rows(inputs, policy)
    keys = ["spec_code", "department_code", "key", "tier"]
    rows = (
        r.groupby(keys, sort=True)
        .agg(
            retailers=("license_no", "size"),
            demand=("demand", "sum"),
            cover_qty=("cover_qty", "sum"),
            stock=("stock_qty", "sum"),
            supplied_4w=("supplied_4w", "sum"),
            state=("state", "first"),
        )
        .reset_index()
    )
    # a row's need is its retailers' own whole needs summed: one retailer's surplus stock does not
    # feed another's shortage, so an overstocked shop cannot average a short one's need away
    rows["need"] = r.groupby(keys, sort=True)["need_qty"].sum().to_numpy()
    rows["granted"] = 0.0
    for spec, part in rows.groupby("spec_code", sort=False):
        quantity = None if available is None else float(available.get(spec, 0.0))
        cap = policy.loose_cap * part["supplied_4w"].to_numpy()
        rows.loc[part.index, "granted"] = share_out(part["need"].to_numpy(), list(part["state"]), cap, quantity)
    lines = _lines(rows, r, policy, available)
    retailers = r.merge(lines[["spec_code", "key", "tier", "limit_qty"]], on=["spec_code", "key", "tier"], how="left")
    retailers["own_limit"] = np.minimum(retailers["need_qty"], retailers["limit_qty"].fillna(0))
    lines, groups = reasons.explain(lines, rows, inputs.names, policy, available)
    departments = (
        retailers.groupby(["spec_code", "department_code"], sort=True)
        .agg(
            forecast=("demand", "sum"),
            cover_qty=("cover_qty", "sum"),
            stock=("stock_qty", "sum"),
            need=("need_qty", "sum"),
            planned=("own_limit", "sum"),
        )
        .reset_index()
    )
    return Plan(inputs.week, policy, lines[LINE_COLUMNS], groups, retailers, available, departments)


def _lines(rows: pd.DataFrame, r: pd.DataFrame, policy: Policy, available: dict | None) -> pd.DataFrame:
    """Plan lines (spec × key × 档位) with their 限量.

    A line's level is where its retailers' own needs, each ordering up to the 限量, add up to
    what the line was granted (fill_level); each key's levels become whole-number 限量
    (tier_limits), and per spec they are lowered until Σ min(need, 限量) fits the available
    quantity (fit_expected). `needs` keeps each line's retailers' whole needs (rising) and
    `licenses` the retailers in the same order, so an edited 限量's total and its 控量户 are
    recomputed without the retailers."""
    share = r.groupby(["spec_code", "key", "tier"])["weekly_sales"].sum()
    lines = (
        rows.assign(weight=rows["demand"])
        .groupby(["spec_code", "key", "tier"], sort=True)
        .agg(
            retailers=("retailers", "sum"),
            demand=("demand", "sum"),
            cover_qty=("cover_qty", "sum"),
            stock=("stock", "sum"),
            need=("need", "sum"),
            granted=("granted", "sum"),
            supplied_4w=("supplied_4w", "sum"),
        )
        .reset_index()
    )
    lines["state"] = _main_state(rows, lines)
    total = share.groupby(level=["spec_code", "key"]).transform("sum")
    lines["share"] = (
        (share / total.where(total > 0, np.nan))
        .reindex(pd.MultiIndex.from_frame(lines[["spec_code", "key", "tier"]]))
        .to_numpy()
    )
    ranked = r.sort_values(["spec_code", "key", "tier", "need_qty", "license_no"], kind="stable")
    by_line = ranked.groupby(["spec_code", "key", "tier"], sort=False)
    needs = by_line["need_qty"].agg(tuple)
    licenses = by_line["license_no"].agg(tuple)
    at = pd.MultiIndex.from_frame(lines[["spec_code", "key", "tier"]])
    lines["level"] = [fill_level(np.asarray(needs[k]), g) for k, g in zip(at, lines["granted"])]
    lines["needs"] = [needs[k] for k in at]
    lines["licenses"] = [licenses[k] for k in at]
    lines["limit_qty"] = 0
    for spec, spec_lines in lines.groupby("spec_code", sort=False):
        quantity = None if available is None else float(available.get(spec, 0.0))
        limit = np.zeros(len(spec_lines), dtype=np.int64)
        at_spec = 0
        for _key, part in spec_lines.groupby("key", sort=False):
            tiers = part["tier"].to_numpy() - 1
            limit[at_spec : at_spec + len(part)] = tier_limits(
                part["level"].to_numpy(), part["retailers"].to_numpy(), policy.min_limit[tiers], policy.max_limit[tiers]
            )
            at_spec += len(part)
        if quantity is not None and quantity <= 0:
            limit[:] = 0  # a spec without stock next week: 0, whatever the 档位's minimum
        elif quantity is not None:
            limit = fit_expected(
                limit,
                spec_lines["level"].to_numpy(),
                [np.asarray(x) for x in spec_lines["needs"]],
                spec_lines["key"].to_numpy(),
                np.array([PRIORITY.get(s, 1) for s in spec_lines["state"]]),
                policy.min_limit[spec_lines["tier"].to_numpy() - 1],
                quantity,
            )
        lines.loc[spec_lines.index, "limit_qty"] = limit
    lines["limit_qty"] = lines["limit_qty"].astype(int)
    return line_totals(lines)


def line_totals(lines: pd.DataFrame) -> pd.DataFrame:
    """Each line's total (Σ its retailers' own 限量, min(need, 限量)) and 控量户 (retailers whose
    need is below the 限量), from its `needs`."""
    lines["total_qty"] = [int(expected_orders(x, v)) for x, v in zip(lines["needs"], lines["limit_qty"])]
    lines["capped"] = [int((np.asarray(x) < v).sum()) for x, v in zip(lines["needs"], lines["limit_qty"])]
    return lines


def _main_state(rows: pd.DataFrame, lines: pd.DataFrame) -> list:
    """Each line's state: that of its row (市场部) with the largest demand among those with a
    known state (the only one under 档位 × 区县); None when none is known."""
    keys = ["spec_code", "key", "tier"]
    known = rows[rows["state"].notna()].sort_values("demand", ascending=False, kind="stable")
    first = known.drop_duplicates(keys).set_index(keys)["state"]
    state = first.reindex(pd.MultiIndex.from_frame(lines[keys]))
    return [s if isinstance(s, str) else None for s in state]


def totals(plan: Plan) -> pd.DataFrame:
    """The city and each 市场部: forecast, the plan (Σ its retailers' own 限量), last week's
    supply, the 4-week average supply and 同期 (the plan week's same week last year); the
    change is the plan against last week."""
    r = plan.retailers
    by = (
        r.groupby("department_code")
        .agg(
            forecast=("demand", "sum"),
            planned=("own_limit", "sum"),
            supplied_last=("supplied_last", "sum"),
            supplied_4w=("supplied_4w", "sum"),
            supplied_last_year=("supplied_last_year", "sum"),
            stock=("stock_qty", "sum"),
        )
        .reset_index()
    )
    city = by.drop(columns="department_code").sum().to_frame().T.assign(department_code="")
    out = pd.concat([city, by], ignore_index=True)
    out["change_pct"] = 100 * (out["planned"] / out["supplied_last"].where(out["supplied_last"] > 0) - 1)
    return out
