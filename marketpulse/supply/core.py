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

import io
import math

import numpy as np
import pandas as pd

from marketpulse import forecast, store

THRESHOLD = 0.10   # a change smaller than ±10% of the usual weekly supply is a hold

VERDICT_ZH = {"raise": "增投", "hold": "维持", "cut": "减投", "cap": "控量"}
STATE_ZH = {"tight": "紧俏", "balanced": "平衡", "loose": "宽松"}

COLUMNS = [
    "spec_code", "spec_name", "department_code", "department_name", "forecast_qty", "lo80", "hi80",
    "demand_over_cover", "current_stock", "on_order", "target_cover", "recommended_qty", "reference_qty",
    "change_pct", "ratio", "ratio_low", "ratio_high", "price_index", "index_loose", "index_tight", "state",
    "verdict", "verdict_zh", "reason_zh", "reason_en", "mase_model", "is_fallback", "made_from_week",
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


def _verdict(change: float, reference: float, recommended: float, state: str | None,
             threshold: float) -> tuple[str, float]:
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


def _fmt(v, digits=1) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.{digits}f}"


def explain(row: dict) -> tuple[str, str]:
    """The row's reason in one sentence, (Chinese, English), with its numbers."""
    ratio, low, high = row.get("ratio"), row.get("ratio_low"), row.get("ratio_high")
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        if row.get("current_stock", 0) and row.get("current_stock", 0) > 0:
            cover_zh, cover_en = "有库存但近4周无销量", "stock on hand but no sales in four weeks"
        else:
            cover_zh, cover_en = "存销比 —", "cover —"
    elif high is not None and not math.isnan(high) and ratio > high:
        cover_zh, cover_en = f"存销比 {ratio:.1f} 周高于上限 {high:.1f}", f"cover {ratio:.1f} weeks above the {high:.1f} ceiling"
    elif low is not None and not math.isnan(low) and ratio < low:
        cover_zh, cover_en = f"存销比 {ratio:.1f} 周低于下限 {low:.1f}", f"cover {ratio:.1f} weeks below the {low:.1f} floor"
    else:
        cover_zh = f"存销比 {ratio:.1f} 周在 {_fmt(low)}–{_fmt(high)} 之间"
        cover_en = f"cover {ratio:.1f} weeks within {_fmt(low)}–{_fmt(high)}"
    pi = _fmt(row.get("price_index"))
    verdict, pct = row["verdict"], row.get("change_pct")
    ref, rec = row.get("reference_qty", 0.0), row.get("recommended_qty", 0.0)
    if verdict == "raise" and (pct is None or math.isnan(pct)):
        act_zh, act_en = f"建议投放 {rec:,.0f} 条", f"supply {rec:,.0f} cartons"
    elif verdict == "raise":
        act_zh, act_en = f"建议增投 {pct:.0f}%", f"raise supply by {pct:.0f}%"
    elif verdict == "cut":
        act_zh, act_en = f"建议减投 {abs(pct):.0f}%", f"cut supply by {abs(pct):.0f}%"
    elif verdict == "cap":
        act_zh = f"建议控量,不超过近4周周均投放 {ref:,.0f} 条"
        act_en = f"cap supply at the four-week average of {ref:,.0f} cartons"
    else:
        act_zh, act_en = f"建议维持约 {rec:,.0f} 条", f"hold supply at about {rec:,.0f} cartons"
    demand = row.get("forecast_qty", 0.0)
    zh = f"预测下周需求 {demand:,.0f} 条,{cover_zh},价格指数 {pi},{act_zh}"
    en = f"Next week's demand {demand:,.0f} cartons forecast; {cover_en}, price index {pi}: {act_en}"
    return zh, en


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
        cover = 0.0 if cover is None or (isinstance(cover, float) and math.isnan(cover)) else float(cover)
        stock = float(np.nan_to_num(row.get("current_stock", 0.0) or 0.0))
        on_order = float(np.nan_to_num(row.get("on_order", 0.0) or 0.0))
        reference = float(np.nan_to_num(row.get("reference_qty", 0.0) or 0.0))
        demand = demand_over(weekly, 1 + cover)
        recommended = max(0.0, demand - stock - on_order)
        change = recommended / reference - 1 if reference > 0 else np.nan
        state = row.get("state") if isinstance(row.get("state"), str) else None
        verdict, recommended = _verdict(change, reference, recommended, state, threshold)
        change = recommended / reference - 1 if reference > 0 else np.nan
        row.update({
            "forecast_qty": float(weekly[0]) if len(weekly) else 0.0,
            "demand_over_cover": demand,
            "current_stock": stock,
            "on_order": on_order,
            "reference_qty": reference,
            "recommended_qty": recommended,
            "change_pct": 100 * change,
            "verdict": verdict,
            "verdict_zh": VERDICT_ZH[verdict],
        })
        row["reason_zh"], row["reason_en"] = explain(row)
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
    series = (fc.groupby("unique_id")["yhat"].apply(lambda s: s.to_numpy(float)).rename("weekly_forecast")
              .to_frame().join(first[["spec_code", "spec_name", "department_code", "department_name",
                                      "lo80", "hi80", "is_fallback", "made_from_week"]]).reset_index())
    accuracy = forecast.stored_accuracy(scope, path=path)[["unique_id", "mase_model"]]
    market = market.drop(columns=["spec_name", "department_name"]).rename(
        columns={"stock_qty": "current_stock", "supplied_4w": "reference_qty"})
    frame = (series.merge(market, on=["spec_code", "department_code"], how="left")
             .merge(accuracy, on="unique_id", how="left"))
    # a 市场部 without a visit in the data week has no market row: its stock is unknown (0),
    # its band the city default
    frame["target_cover"] = frame["target_cover"].fillna(_default_cover(path))
    frame = recommend(frame, threshold)
    return frame[COLUMNS].sort_values(["spec_code", "department_code"]).reset_index(drop=True)


def _default_cover(path=None) -> float:
    frame = store.reader(path).sql(
        "select target_cover from monitoring_point where format = '*' and tier_band = '*' and area_type = '*'")
    return float(frame["target_cover"].iloc[0]) if len(frame) else 1.0


# ── Excel for the supply meeting ─────────────────────────────────────────────

EXPORT = [  # column, Chinese header, English header, number format
    ("spec_code", "规格编码", "Spec code", None),
    ("spec_name", "规格", "Spec", None),
    ("department_name", "市场部", "Department", None),
    ("forecast_qty", "预测下周需求(条)", "Forecast next week (cartons)", "#,##0"),
    ("lo80", "80%区间下限", "80% low", "#,##0"),
    ("hi80", "80%区间上限", "80% high", "#,##0"),
    ("current_stock", "零售户库存(条)", "Retail stock (cartons)", "#,##0"),
    ("on_order", "已订未到(条)", "On order (cartons)", "#,##0"),
    ("target_cover", "目标存销比(周)", "Target cover (weeks)", "0.0"),
    ("recommended_qty", "建议投放(条)", "Recommended supply (cartons)", "#,##0"),
    ("reference_qty", "近4周周均投放(条)", "4-week average supply (cartons)", "#,##0"),
    ("change_pct", "变化(%)", "Change (%)", "+0.0;-0.0;0.0"),
    ("ratio", "存销比(周)", "Cover (weeks)", "0.0"),
    ("price_index", "价格指数", "Price index", "0.0"),
    ("state", "市场状态", "Market state", None),
    ("verdict", "建议", "Verdict", None),
    ("reason", "说明", "Reason", None),
    ("mase_model", "回测MASE", "Backtest MASE", "0.00"),
    ("is_fallback", "简化预测", "Fallback forecast", None),
]


def recommendations_xlsx(frame: pd.DataFrame, lang: str = "zh") -> bytes:
    """The recommendation table as an .xlsx workbook (formatted header, number formats)."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    zh = lang == "zh"
    data = frame.copy()
    data["reason"] = data["reason_zh" if zh else "reason_en"] if len(data) else []
    if zh:
        data["verdict"] = data["verdict"].map(VERDICT_ZH).fillna(data["verdict"])
        data["state"] = data["state"].map(STATE_ZH).fillna(data["state"])
        data["is_fallback"] = data["is_fallback"].map({True: "是", False: "否"})
    else:
        data["is_fallback"] = data["is_fallback"].map({True: "yes", False: "no"})
    cols = [c for c, *_ in EXPORT]
    data = data.reindex(columns=cols)
    buffer = io.BytesIO()
    import xlsxwriter

    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    sheet = book.add_worksheet("货源建议" if zh else "Supply")
    header = book.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF",
                              "text_wrap": True, "valign": "vcenter", "border": 1})
    formats = {c: book.add_format({"num_format": f}) if f else None for c, _, _, f in EXPORT}
    for j, (col, head_zh, head_en, _) in enumerate(EXPORT):
        sheet.write(0, j, head_zh if zh else head_en, header)
        width = 60 if col == "reason" else 14 if col in ("spec_name", "department_name") else 11
        sheet.set_column(j, j, width, formats[col])
    for i, row in enumerate(data.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                sheet.write_blank(i, j, None, formats[cols[j]])
            elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
                sheet.write_number(i, j, float(value), formats[cols[j]])
            else:
                sheet.write_string(i, j, str(value))
    sheet.set_row(0, 32)
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, max(len(data), 1), len(EXPORT) - 1)
    book.close()
    return buffer.getvalue()
