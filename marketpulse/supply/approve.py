"""Edit and approve a plan: the planner's 限量 changes are checked (whole numbers within the
档位's min/max, non-decreasing in 档位, the spec's total within its available quantity), and an
approved plan is kept in the store — its lines and its 控量户 — with who approved it and when."""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketpulse import lake, store
from marketpulse.numbers import fmt
from marketpulse.supply.order_file import capped_retailers
from marketpulse.supply.plan import line_totals
from marketpulse.supply.policy import Policy

PLAN_LINE_COLUMNS = ["spec_code", "tier", "key", "retailers", "limit_qty", "capped", "total_qty", "edited"]
PLAN_RETAILER_COLUMNS = ["spec_code", "tier", "key", "license_no", "limit_qty"]
PLAN_TABLES = ["supply_plan", "supply_plan_line", "supply_plan_retailer"]


def recompute(lines: pd.DataFrame, original: pd.DataFrame | None = None) -> pd.DataFrame:
    """Totals after an edit — from each line's retailers' whole needs, Σ min(need, 限量) and its
    控量户 — each line flagged when its 限量 differs from `original`."""
    out = lines.copy()
    out["limit_qty"] = pd.to_numeric(out["limit_qty"], errors="coerce").fillna(0).round().astype(int)
    out = line_totals(out)
    out["edited"] = False if original is None else (out["limit_qty"].to_numpy() != original["limit_qty"].to_numpy())
    return out


def apply_edits(lines: pd.DataFrame, edits: dict | None) -> pd.DataFrame:
    """`lines` with the planner's edited 限量 (row position → {"limit_qty": value}, as the page's
    table reports them; a cleared cell counts as 0) and their totals recomputed."""
    limits = lines["limit_qty"].to_numpy().astype(float)
    for row, change in (edits or {}).items():
        if "limit_qty" in change and 0 <= int(row) < len(limits):
            value = change["limit_qty"]
            limits[int(row)] = 0 if value is None else value
    return recompute(lines.assign(limit_qty=limits), lines)


def check(lines: pd.DataFrame, available: dict | None, policy: Policy) -> list[tuple[str, dict]]:
    """What is wrong with (edited) lines, as i18n keys with their values; empty when all is well."""
    problems: list[tuple[str, dict]] = []
    tiers = lines["tier"].to_numpy() - 1
    limit = lines["limit_qty"].to_numpy()
    bad = (limit < 0) | (limit > policy.max_limit[tiers])
    for row in lines[bad].itertuples():
        problems.append(
            ("plan.check.max", {"spec": row.spec_name, "tier": row.tier, "limit": row.limit_qty,
                                "max": int(policy.max_limit[row.tier - 1])})
        )  # fmt: skip
    for (_spec, key), part in lines.sort_values("tier").groupby(["spec_code", "key"], sort=False):
        if (np.diff(part["limit_qty"].to_numpy()) < 0).any():
            problems.append(
                ("plan.check.monotone", {"spec": part["spec_name"].iloc[0], "group": part["key_name"].iloc[0] or key})
            )
    if available is not None:
        for spec, part in lines.groupby("spec_code", sort=False):
            total, quantity = float(part["total_qty"].sum()), float(available.get(spec, 0.0))
            if total > quantity + 1e-6:
                problems.append(
                    (
                        "plan.check.total",
                        {"spec": part["spec_name"].iloc[0], "total": fmt(total, 0), "available": quantity},
                    )
                )
    return problems


def approve(lines: pd.DataFrame, plan_week, made_from_week, allocation_type: str, approver: str, path=None) -> int:
    """Keep an approved plan (its lines as they stand and their 控量户' own 限量) with its approver
    and the time; returns its id."""
    if not approver:
        raise ValueError("an approved plan needs the name of who approved it")
    if path is None:  # where the pages read: the store, or the lake that serves them
        return lake.write_tables(
            PLAN_TABLES, lambda db: _keep(lines, plan_week, made_from_week, allocation_type, approver, db)
        )
    return _keep(lines, plan_week, made_from_week, allocation_type, approver, path)


def _keep(lines: pd.DataFrame, plan_week, made_from_week, allocation_type: str, approver: str, path) -> int:
    """Write the approved plan into the store at `path` (None: the default store)."""
    frame = lines.reindex(columns=PLAN_LINE_COLUMNS).rename(columns={"key": "key_value"})
    frame["edited"] = frame["edited"].fillna(False).astype(bool)
    own = capped_retailers(lines).reindex(columns=PLAN_RETAILER_COLUMNS).rename(columns={"key": "key_value"})
    with store.writer(path) as con:
        store.execute_file(
            con,
            "plan/approve.sql",
            {
                "plan_week": pd.Timestamp(plan_week).date(),
                "made_from_week": pd.Timestamp(made_from_week).date(),
                "allocation_type": allocation_type,
                "approved_by": approver,
                "lines": len(frame),
                "total_qty": float(frame["total_qty"].sum()),
                "edited_lines": int(frame["edited"].sum()),
            },
        )
        con.register("incoming", frame)
        store.execute_file(con, "plan/approve_lines.sql")
        con.unregister("incoming")
        con.register("incoming", own)
        store.execute_file(con, "plan/approve_retailers.sql")
        con.unregister("incoming")
    return int(approved_plans(path)["plan_id"].iloc[0])


def approved_plans(path=None) -> pd.DataFrame:
    """Approved plans, newest first: week, who approved it and when, lines, total."""
    return store.run("supply_plans", {}, path=path)
