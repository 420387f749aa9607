"""The 市场部-level recommendation beside the plan: why 建议量 and the plan's total differ.

Per spec × 市场部, with R the recommendation, max(0, D − S − O) (demand over the cover
horizon D, its target cover from the monitoring points; stock S; on order O), and the plan's
sums (forecast F, closing stock for the policy's target cover C, need N = Σ each retailer's
whole need, planned P = Σ each retailer's own 限量):

    floor     (D − S − O) − R  the recommendation is never negative; the plan starts from
                               the unfloored sum
    cover     (F + C) − D    the policy's target cover over next week's forecast, against
                             the monitoring point's cover horizon over the weekly forecasts
    on order  + O            the plan leaves what is on order to the ordering system
    per shop  N − (F + C − S)  each retailer's need on its own stock, in whole 条: one shop's
                             surplus does not cover another's shortage
    limits    P − N          the 档位 限量 and the available quantity

so that R + floor + cover + on order + per shop + limits = P.
"""

from __future__ import annotations

import pandas as pd

from marketpulse import i18n
from marketpulse.numbers import fmt

PARTS = ("floor", "cover", "on_order", "per_shop", "limits")


def against_plan(recommended: pd.DataFrame, departments: pd.DataFrame) -> pd.DataFrame:
    """`recommended` (supply.recommendations rows) with the plan's `planned` total and the
    parts of the difference (PARTS) beside each spec × 市场部; NaN where the plan has no row."""
    plan = departments.drop(columns=["stock"])
    out = recommended.merge(plan, on=["spec_code", "department_code"], how="left")
    held = out["planned"].notna()
    unfloored = out["demand_over_cover"] - out["current_stock"] - out["on_order"]
    out["floor"] = (unfloored - out["recommended_qty"]).where(held)
    out["cover"] = out["forecast"] + out["cover_qty"] - out["demand_over_cover"]
    out["on_order"] = out["on_order"].where(held)
    # the stock is the recommendation's: where the plan's retailers hold a little more or less
    # (a shop closed since), the difference is among the per-shop counting
    out["per_shop"] = out["need"] - (out["forecast"] + out["cover_qty"] - out["current_stock"])
    out["limits"] = out["planned"] - out["need"]
    return out


def difference_text(row, lang: str) -> str | None:
    """ "162 → 143: 目标存销比 −53 · 在途 +0 · 按户计 +34 · 限量 −0" for one row of against_plan,
    its parts adding up as written (a decimal where whole 条 would not); None without a plan."""
    if pd.isna(row["planned"]):
        return None
    values = [float(row[p]) for p in PARTS]
    start, end = float(row["recommended_qty"]), float(row["planned"])
    digits = 0 if round(start) + sum(round(v) for v in values) == round(end) else 1
    # the two target covers, in weeks: the monitoring point's, and the policy's over the forecast
    policy = row["cover_qty"] / row["forecast"] if row["forecast"] > 0 else None
    covers = {"band": fmt(row["target_cover"], 1), "policy": fmt(policy, 1)}
    parts = [
        i18n.t(f"reconcile.{p}", lang, value=("+" if v >= 0 else "−") + fmt(abs(v), digits), **covers)
        for p, v in zip(PARTS, values)
        if round(v, digits) != 0
    ]
    head = f"{fmt(start, digits)} → {fmt(end, digits)}"
    return head + (": " if lang == "en" else ":") + (" · ".join(parts) if parts else i18n.t("reconcile.same", lang))
