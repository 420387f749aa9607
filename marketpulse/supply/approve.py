"""Edit and approve a plan: the planner's 限量 changes are checked (whole numbers within the
档位's min/max, non-decreasing in 档位, the spec's expected orders within its available
quantity), and an approved plan is kept in the store with who approved it and when."""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketpulse import store
from marketpulse.numbers import fmt
from marketpulse.supply.allocate import expected_orders
from marketpulse.supply.policy import Policy

PLAN_LINE_COLUMNS = ["spec_code", "tier", "key", "retailers", "limit_qty", "total_qty", "edited"]


def recompute(lines: pd.DataFrame, original: pd.DataFrame | None = None) -> pd.DataFrame:
    """Totals after an edit — the ceiling (retailers × 限量) and, from each line's retailers' own
    needs, the expected orders Σ min(need, 限量) — each line flagged when its 限量 differs from `original`."""
    out = lines.copy()
    out["limit_qty"] = pd.to_numeric(out["limit_qty"], errors="coerce").fillna(0).round().astype(int)
    out["total_qty"] = out["retailers"] * out["limit_qty"]
    if "needs" in out:
        out["expected_qty"] = [expected_orders(x, v) for x, v in zip(out["needs"], out["limit_qty"])]
    out["edited"] = False if original is None else (out["limit_qty"].to_numpy() != original["limit_qty"].to_numpy())
    return out


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
            ordered = part["expected_qty"] if "expected_qty" in part else part["total_qty"]
            total, quantity = float(ordered.sum()), float(available.get(spec, 0.0))
            if total > quantity + 1e-6:
                problems.append(
                    (
                        "plan.check.total",
                        {"spec": part["spec_name"].iloc[0], "total": fmt(total, 0), "available": quantity},
                    )
                )
    return problems


def approve(lines: pd.DataFrame, plan_week, made_from_week, allocation_type: str, approver: str, path=None) -> int:
    """Keep an approved plan (its lines as they stand) with its approver and the time; returns its id."""
    if not approver:
        raise ValueError("an approved plan needs the name of who approved it")
    frame = lines.reindex(columns=PLAN_LINE_COLUMNS).rename(columns={"key": "key_value"})
    frame["edited"] = frame["edited"].fillna(False).astype(bool)
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
    return int(approved_plans(path)["plan_id"].iloc[0])


def approved_plans(path=None) -> pd.DataFrame:
    """Approved plans, newest first: week, who approved it and when, lines, total."""
    return store.run("supply_plans", {}, path=path)
