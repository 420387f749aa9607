"""The 市场部-level recommendation beside the plan: why 建议量 and the plan's total differ.

Per spec × 市场部, with R the recommendation — u = D − S − O (demand over the cover horizon D,
its target cover from the monitoring points; stock S; on order O), floored at 0, then capped
(控量) or held (维持) at the recent weekly supply by the market state — and the plan's sums
(forecast F, closing stock for the policy's target cover C, need N = Σ each retailer's whole
need, planned P = Σ each retailer's own 限量):

    verdict   max(0, u) − R  what the market-state rule changed (控量, 维持; else 0)
    floor     u − max(0, u)  the recommendation is never negative; the plan starts from u
    cover     (F + C) − D    the policy's target cover over next week's forecast, against
                             the monitoring point's cover horizon over the weekly forecasts
    on order  + O            the plan leaves what is on order to the ordering system
    per shop  N − (F + C − S)  each retailer's need on its own stock, in whole 条: one shop's
                             surplus does not cover another's shortage
    limits    P − N          the 档位 限量 and the available quantity

so that R + verdict + floor + cover + on order + per shop + limits = P.
"""

from __future__ import annotations

import pandas as pd

from marketpulse import i18n
from marketpulse.numbers import fmt

PARTS = ("verdict", "floor", "cover", "on_order", "per_shop", "limits")


def against_plan(recommended: pd.DataFrame, departments: pd.DataFrame) -> pd.DataFrame:
    """`recommended` (supply.recommendations rows) with the plan's `planned` total and the
    parts of the difference (`part_<name>` for each of PARTS) beside each spec × 市场部; NaN
    where the plan has no row."""
    out = recommended.merge(departments.drop(columns=["stock"]), on=["spec_code", "department_code"], how="left")
    held = out["planned"].notna()
    unfloored = out["demand_over_cover"] - out["current_stock"] - out["on_order"]
    floored = unfloored.clip(lower=0)
    parts = {
        "verdict": floored - out["recommended_qty"],
        "floor": unfloored - floored,
        "cover": out["forecast"] + out["cover_qty"] - out["demand_over_cover"],
        "on_order": out["on_order"],
        # the stock is the recommendation's: where the plan's retailers hold a little more or less
        # (a shop closed since), the difference is among the per-shop counting
        "per_shop": out["need"] - (out["forecast"] + out["cover_qty"] - out["current_stock"]),
        "limits": out["planned"] - out["need"],
    }
    return out.assign(**{f"part_{name}": value.where(held) for name, value in parts.items()})


def written(start: float, end: float, values: list[float]) -> tuple[int, list[float]]:
    """The digits and the parts as written so that start + parts = end reads true: whole 条
    when their rounding adds up, else tenths, the last tenth of difference given to the largest part."""
    for digits in (0, 1):
        shown = [round(v, digits) for v in values]
        gap = round(round(end, digits) - round(start, digits) - sum(shown), digits)
        if gap == 0:
            return digits, shown
    largest = max(range(len(values)), key=lambda i: abs(values[i]))
    shown[largest] = round(shown[largest] + gap, 1)
    return 1, shown


def difference_text(row, lang: str) -> str | None:
    """ "162 → 143: 目标存销比 1.2→0.9 周 −53 · 按户计需 +34" for one row of against_plan, its
    parts adding up as written; None without a plan."""
    if pd.isna(row["planned"]):
        return None
    start, end = float(row["recommended_qty"]), float(row["planned"])
    digits, values = written(start, end, [float(row[f"part_{p}"]) for p in PARTS])
    # the two target covers, in weeks: the monitoring point's, and the policy's over the forecast
    policy = row["cover_qty"] / row["forecast"] if row["forecast"] > 0 else None
    words = {
        "band": fmt(row["target_cover"], 1),
        "policy": fmt(policy, 1),
        "verdict": i18n.t(f"verdict.{row['verdict']}", lang),
    }
    parts = [
        i18n.t(f"reconcile.{p}", lang, value=("+" if v >= 0 else "−") + fmt(abs(v), digits), **words)
        for p, v in zip(PARTS, values)
        if v != 0
    ]
    head = f"{fmt(start, digits)} → {fmt(end, digits)}"
    return head + (": " if lang == "en" else ":") + (" · ".join(parts) if parts else i18n.t("reconcile.same", lang))
