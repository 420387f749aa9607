"""Next week's supply (货源投放) per spec × 市场部, from the stored forecasts and the market state.

The arithmetic, per spec × 市场部, from the data week the forecasts were made from:

    cover horizon       = next week + target_cover weeks (target_cover from the monitoring
                          points, the 市场部's band)
    demand over cover   = forecast weekly sales summed over the cover horizon (a fractional
                          last week counts pro rata)
    recommended supply  = max(0, demand over cover − current retail stock − already on order)
    change              = recommended ÷ reference − 1, the reference being the mean weekly
                          supply of the last four weeks

The verdict weighs the market state (存销比 against its band, 价格指数 against its
thresholds; state as in market_state.sql) with the arithmetic:

    loose (cover above the ceiling, stock without sales, or price index below index_loose):
        change ≤ −threshold  → 减投 cut
        otherwise            → 控量 cap: no more than the reference, whatever the forecast says
    tight (cover below the floor and price index ≥ index_tight):
        change ≤ −threshold  → 维持 hold at the reference (no cut while shelves run short)
        change ≥ +threshold  → 增投 raise
        otherwise            → 维持 hold
    balanced or unknown:
        change ≥ +threshold  → 增投 raise  (also: nothing supplied lately, something needed)
        change ≤ −threshold  → 减投 cut
        otherwise            → 维持 hold

Every row explains itself in one sentence in Chinese and in English with its numbers.
Nothing here fits a model: it reads stored forecasts and named queries only.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from marketpulse import forecast, i18n, metrics, store
from marketpulse.numbers import fmt

THRESHOLD = 0.10  # a change smaller than ±10% of the usual weekly supply is a hold

COLUMNS = [
    "spec_code",
    "spec_name",
    "department_code",
    "department_name",
    "forecast_qty",
    "lo80",
    "hi80",
    "demand_over_cover",
    "current_stock",
    "on_order",
    "target_cover",
    "recommended_qty",
    "reference_qty",
    "change_pct",
    "ratio",
    "ratio_low",
    "ratio_high",
    "price_index",
    "index_loose",
    "index_tight",
    "state",
    "verdict",
    "verdict_zh",
    "reason_zh",
    "reason_en",
    "mase_model",
    "is_fallback",
    "made_from_week",
]


def demand_over(weekly: np.ndarray, weeks: float) -> float:
    """Sum of weekly rates over `weeks` weeks from the first; a partial last week pro rata.

    Beyond the forecast horizon the last forecast week repeats.
    """
    weekly = np.asarray(weekly, dtype=float)
    if len(weekly) == 0 or not weeks or weeks <= 0:
        return 0.0
    full = int(math.floor(weeks))
    frac = weeks - full
    if full + 1 > len(weekly):
        weekly = np.concatenate([weekly, np.full(full + 1 - len(weekly), weekly[-1])])
    return float(weekly[:full].sum() + frac * weekly[full])


def _verdict(
    change: float, reference: float, recommended: float, state: str | None, threshold: float
) -> tuple[str, float]:
    """(verdict, recommended after the market-state rule)."""
    up = (reference <= 0 and recommended > 0) or (reference > 0 and change >= threshold)
    down = reference > 0 and change <= -threshold
    if state == "loose":
        if down:
            return "cut", recommended
        return "cap", min(recommended, reference)
    if state == "tight" and down:
        return "hold", reference
    if up:
        return "raise", recommended
    if down:
        return "cut", recommended
    return "hold", recommended


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _cover(row: dict) -> tuple[str, dict]:
    """The i18n key and values of the cover clause: against the band, or why there is no cover."""
    ratio, low, high = row.get("ratio"), row.get("ratio_low"), row.get("ratio_high")
    if _missing(ratio):
        stock = row.get("current_stock", 0)
        return ("supply.cover.stock_no_sales" if stock and stock > 0 else "supply.cover.unknown"), {}
    if high is not None and not math.isnan(high) and ratio > high:
        return "supply.cover.above", {"ratio": f"{ratio:.1f}", "high": f"{high:.1f}"}
    if low is not None and not math.isnan(low) and ratio < low:
        return "supply.cover.below", {"ratio": f"{ratio:.1f}", "low": f"{low:.1f}"}
    return "supply.cover.within", {"ratio": f"{ratio:.1f}", "low": fmt(low), "high": fmt(high)}


def _action(row: dict) -> tuple[str, dict]:
    """The i18n key and values of the advice clause."""
    verdict, pct = row["verdict"], row.get("change_pct")
    reference, recommended = row.get("reference_qty", 0.0), row.get("recommended_qty", 0.0)
    if verdict == "raise" and _missing(pct):
        return "supply.action.supply", {"qty": f"{recommended:,.0f}"}
    if verdict == "raise":
        return "supply.action.raise", {"pct": f"{pct:.0f}"}
    if verdict == "cut":
        return "supply.action.cut", {"pct": f"{abs(pct):.0f}"}
    if verdict == "cap":
        return "supply.action.cap", {"qty": f"{reference:,.0f}"}
    return "supply.action.hold", {"qty": f"{recommended:,.0f}"}


def explain(row: dict, lang: str) -> str:
    """The row's reason in one sentence in `lang`, with its numbers."""
    (cover, cover_values), (action, action_values) = _cover(row), _action(row)
    return i18n.t(
        "supply.reason",
        lang,
        demand=f"{row.get('forecast_qty', 0.0):,.0f}",
        cover=i18n.t(cover, lang, **cover_values),
        price_index=fmt(row.get("price_index")),
        action=i18n.t(action, lang, **action_values),
    )


def recommend(frame: pd.DataFrame, threshold: float = THRESHOLD) -> pd.DataFrame:
    """Apply the arithmetic and the verdict rules to input rows.

    `frame` needs: `weekly_forecast` (array of forecast weekly sales, next week first),
    `target_cover`, `current_stock`, `on_order`, `reference_qty`, `state`, and for the
    sentence `ratio, ratio_low, ratio_high, price_index`. Adds `forecast_qty,
    demand_over_cover, recommended_qty, change_pct, verdict, verdict_zh, reason_zh, reason_en`.
    """
    out = []
    for row in frame.to_dict("records"):
        weekly = np.asarray(row["weekly_forecast"], dtype=float)
        cover = row.get("target_cover")
        cover = 0.0 if _missing(cover) else float(cover)
        stock = float(np.nan_to_num(row.get("current_stock", 0.0) or 0.0))
        on_order = float(np.nan_to_num(row.get("on_order", 0.0) or 0.0))
        reference = float(np.nan_to_num(row.get("reference_qty", 0.0) or 0.0))
        demand = demand_over(weekly, 1 + cover)
        recommended = max(0.0, demand - stock - on_order)
        change = recommended / reference - 1 if reference > 0 else np.nan
        state = row.get("state") if isinstance(row.get("state"), str) else None
        verdict, recommended = _verdict(change, reference, recommended, state, threshold)
        change = recommended / reference - 1 if reference > 0 else np.nan
        row.update(
            {
                "forecast_qty": float(weekly[0]) if len(weekly) else 0.0,
                "demand_over_cover": demand,
                "current_stock": stock,
                "on_order": on_order,
                "reference_qty": reference,
                "recommended_qty": recommended,
                "change_pct": 100 * change,
                "verdict": verdict,
                "verdict_zh": i18n.t(f"verdict.{verdict}", "zh"),
            }
        )
        row["reason_zh"], row["reason_en"] = explain(row, "zh"), explain(row, "en")
        out.append(row)
    return pd.DataFrame(out)


def recommendations(scope: store.Scope = store.CITY, threshold: float = THRESHOLD, path=None) -> pd.DataFrame:
    """Next week's supply recommendation per spec × 市场部 in `scope`, from stored results."""
    run = forecast.last_run(scope, path=path)
    if run is None:
        return pd.DataFrame(columns=COLUMNS)
    week = run["made_from_week"].isoformat()
    market = store.run("supply_recommendation", {"week_from": week, "week_to": week}, scope=scope, path=path)
    fc = forecast.stored_forecasts(scope=scope, path=path)
    fc = fc[fc["level"] == "department"].sort_values(["unique_id", "step"])
    if fc.empty:
        return pd.DataFrame(columns=COLUMNS)
    first = fc[fc["step"] == 1].set_index("unique_id")
    series = (
        fc.groupby("unique_id")["yhat"]
        .apply(lambda s: s.to_numpy(float))
        .rename("weekly_forecast")
        .to_frame()
        .join(
            first[
                [
                    "spec_code",
                    "spec_name",
                    "department_code",
                    "department_name",
                    "lo80",
                    "hi80",
                    "is_fallback",
                    "made_from_week",
                ]
            ]
        )
        .reset_index()
    )
    accuracy = forecast.stored_accuracy(scope, path=path)[["unique_id", "mase_model"]]
    market = market.drop(columns=["spec_name", "department_name"]).rename(
        columns={"stock_qty": "current_stock", "supplied_4w": "reference_qty"}
    )
    frame = series.merge(market, on=["spec_code", "department_code"], how="left").merge(
        accuracy, on="unique_id", how="left"
    )
    # a 市场部 without a visit in the data week has no market row: its stock is unknown (0),
    # its band the city default
    frame["target_cover"] = frame["target_cover"].fillna(_default_cover(path))
    frame = recommend(frame, threshold)
    return frame[COLUMNS].sort_values(["spec_code", "department_code"]).reset_index(drop=True)


def _default_cover(path=None) -> float:
    """The city-wide monitoring point's target cover (1 week when none is set)."""
    frame = metrics.lookup("group_band", path=path)  # no customer group: the city-wide point
    return float(frame["target_cover"].iloc[0]) if len(frame) else 1.0
