"""Every plan line and group (spec × key) explains its arithmetic in Chinese and in English:
forecast + closing stock for the target cover − stock on hand = need; what is available and
the share of the need it meets; the 限量 per run of 档位; the retailers limited to their own
need (控量户) and the total (Σ each retailer's own 限量)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketpulse import i18n, numbers
from marketpulse.numbers import fmt
from marketpulse.supply.policy import Policy

GROUP_KEYS = ["spec_code", "key"]


def _qty(v) -> str:
    return fmt(v, 0)


def tier_runs(tiers, limits) -> list[tuple[int, int, int]]:
    """(first 档位, last 档位, 限量) for each run of consecutive lines with the same 限量."""
    runs: list[list[int]] = []
    for tier, limit in zip(tiers, limits):
        if runs and runs[-1][2] == limit:
            runs[-1][1] = int(tier)
        else:
            runs.append([int(tier), int(tier), int(limit)])
    return [tuple(r) for r in runs]


def _tiers_text(runs, lang: str) -> str:
    parts = []
    for first, last, limit in runs:
        tiers = f"{first}" if first == last else f"{first}–{last}"
        parts.append(i18n.t("plan.reason.tiers", lang, tiers=tiers, limit=limit))
    return i18n.t("plan.reason.join", lang).join(parts)


def group_reason(g: dict, runs, lang: str, constrained: bool) -> str:
    """One spec × key in one sentence with its numbers."""
    raw = g["demand"] + g["cover_qty"] - g["stock"]
    # the sum as written must add up: when the whole cartons of its parts do not give its whole
    # result (575 + 632 − 648 written for 574.6 + 631.6 − 648 = 558.2), the parts carry a decimal
    whole = [round(float(g[k])) for k in ("demand", "cover_qty", "stock")]
    digits = 0 if whole[0] + whole[1] - whole[2] == round(float(raw)) else 1
    values = {
        "forecast": fmt(g["demand"], digits),
        "cover": fmt(g["target_cover"], 1),
        "cover_qty": fmt(g["cover_qty"], digits),
        "stock": fmt(g["stock"], digits),
        "raw": fmt(raw, digits),
        "need": _qty(g["need"]),
    }
    # with decimals the whole cartons of the need are said in words (need_floor)
    exact = digits == 0 and abs(raw - g["need"]) < 0.5
    parts = [i18n.t("plan.reason.need" if exact else "plan.reason.need_floor", lang, **values)]
    if g["state"] == "loose" and g["asked"] < g["need"] - 0.5:
        parts.append(i18n.t("plan.reason.loose_cap", lang, cap=_qty(g["asked"])))
    elif g["state"] == "tight":
        parts.append(i18n.t("plan.reason.tight", lang))
    if not constrained:
        parts.append(i18n.t("plan.reason.unconstrained", lang))
    elif g["available"] <= 0:
        parts.append(i18n.t("plan.reason.no_stock", lang))
    else:
        pct = 100 * g["granted"] / g["asked"] if g["asked"] > 0 else 100.0
        parts.append(i18n.t("plan.reason.available", lang, granted=_qty(g["granted"]), pct=fmt(pct, 0)))
    totals = {"capped": int(g["capped"]), "total": _qty(g["total_qty"])}
    total_key = "plan.reason.total" if totals["capped"] else "plan.reason.total_none"
    parts.append(_tiers_text(runs, lang) + i18n.t(total_key, lang, **totals))
    return i18n.t("plan.reason.sep", lang).join(parts)


def line_reason(line: dict, lang: str) -> str:
    """One plan line: its share, need, what it was granted, per retailer and the 限量."""
    per = line.get("level", line["granted"] / line["retailers"] if line["retailers"] else 0.0)
    return i18n.t(
        "plan.reason.line",
        lang,
        tier=int(line["tier"]),
        n=_retailers(int(line["retailers"]), lang),
        share=fmt(100 * line["share"], 1) if pd.notna(line["share"]) else "—",
        need=_qty(line["need"]),
        granted=_qty(line["granted"]),
        per=fmt(per, 1),
        limit=int(line["limit_qty"]),
        capped=_retailers(int(line["capped"]), lang),
        total=_qty(line["total_qty"]),
    )


def _retailers(n: int, lang: str) -> str:
    """A count of retailers as the sentence needs it: "3" before 户, "1 retailer", "3 retailers"."""
    return str(n) if lang == "zh" else numbers.show(n, "count", lang)


def explain(
    lines: pd.DataFrame, rows: pd.DataFrame, names: dict, policy: Policy, available: dict | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lines with names and reasons, and the groups (spec × key) with theirs."""
    constrained = available is not None
    lines = lines.copy()
    lines["spec_name"] = lines["spec_code"].map(names).fillna(lines["spec_code"])
    lines["key_name"] = lines["key"].map(lambda k: str(i18n.value(names.get(k, k), "zh")) if k else "")
    cap = np.where(rows["state"] == "loose", policy.loose_cap * rows["supplied_4w"], np.inf)
    asked = rows.assign(asked=np.minimum(rows["need"], cap)).groupby(GROUP_KEYS)["asked"].sum()
    groups = (
        lines.groupby(GROUP_KEYS, sort=True)
        .agg(
            spec_name=("spec_name", "first"),
            key_name=("key_name", "first"),
            retailers=("retailers", "sum"),
            demand=("demand", "sum"),
            cover_qty=("cover_qty", "sum"),
            stock=("stock", "sum"),
            need=("need", "sum"),
            granted=("granted", "sum"),
            total_qty=("total_qty", "sum"),
            capped=("capped", "sum"),
            supplied_4w=("supplied_4w", "sum"),
            state=("state", "first"),
        )
        .reset_index()
    )
    groups["asked"] = asked.reindex(pd.MultiIndex.from_frame(groups[GROUP_KEYS])).to_numpy()
    groups["target_cover"] = groups["cover_qty"] / groups["demand"].where(groups["demand"] > 0)
    groups["available"] = [np.nan if not constrained else float(available.get(s, 0.0)) for s in groups["spec_code"]]
    runs = {k: tier_runs(p["tier"], p["limit_qty"]) for k, p in lines.groupby(GROUP_KEYS, sort=False)}
    for lang in i18n.LANGS:
        groups[f"reason_{lang}"] = [
            group_reason(g, runs[(g["spec_code"], g["key"])], lang, constrained) for g in groups.to_dict("records")
        ]
        lines[f"reason_{lang}"] = [line_reason(x, lang) for x in lines.to_dict("records")]
    return lines, groups
