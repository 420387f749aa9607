"""The Monday meeting's 周报: one Excel workbook, a sheet per section of the weekly review.

Sheets: KPIs (关键指标), alerts (预警), market state (市场状态), brand cultivation
(新品牌培育) and the customer-manager scorecard (客户经理). Built from the same views
the dashboard draws, so the file and the page show the same numbers. The page offers it
as a download; `python -m marketpulse report --week YYYY-MM-DD --out FILE.xlsx` writes it
from a shell.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd

from marketpulse import i18n, numbers, store, views
from marketpulse.ui import figures as charts

SHEETS = ("kpis", "alerts", "state", "brands", "scorecard")
SHEET_NAMES = {
    "kpis": ("关键指标", "KPIs"),
    "alerts": ("预警", "Alerts"),
    "state": ("市场状态", "Market state"),
    "brands": ("新品牌培育", "Brand cultivation"),
    "scorecard": ("客户经理", "Scorecard"),
}


def sheet_name(section: str, lang: str) -> str:
    zh, en = SHEET_NAMES[section]
    return zh if lang == "zh" else en


def sections(week: dt.date, params: dict | None = None, scope: store.Scope = store.CITY,
             lang: str = "zh") -> dict[str, pd.DataFrame]:
    """Each sheet's table, in the report's language."""
    params = params or {}
    review = views.weekly_review(week, params, scope, lang)
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    kpis = pd.DataFrame({
        t("report.metric"): [t(k.key) for k in review.kpis],
        t("report.value"): [k.value for k in review.kpis],
        t("report.unit"): [t(f"unit.{k.unit}") for k in review.kpis],
        t("report.wow"): [k.wow for k in review.kpis],
        t("report.yoy"): [k.yoy for k in review.kpis],
        t("report.change_unit"): [t("unit.points") if k.points else "%" for k in review.kpis],
        t("report.light"): [t(f"rag.{k.rag}") if k.rag else numbers.UNDEFINED for k in review.kpis],
    })
    out = {"kpis": kpis}
    out["alerts"] = review.alerts if review.alerts is not None else _note(t("report.not_available"), lang)
    if review.state is not None:
        s = review.state
        out["state"] = pd.DataFrame({
            t("col.spec"): s["spec_name"], t("col.brand"): s["brand"], t("col.territory"): s["territory_name"],
            t("col.state"): [i18n.state(x, lang) for x in s["state"]],
            t("col.ratio"): s["ratio"], t("col.price_index"): s["price_index"],
            **({t("col.score"): s["state_score"]} if "state_score" in s else {}),
        })
    else:
        out["state"] = _note(t("report.not_available"), lang)
    brands = views.brand_table(week, params, scope, lang)
    out["brands"] = brands if brands is not None else _note(t("report.not_available"), lang)
    card = views.scorecard_table(week, week, params, scope, lang)
    out["scorecard"] = card if card is not None else _note(t("report.not_available"), lang)
    return out


def _note(text: str, lang: str) -> pd.DataFrame:
    return pd.DataFrame({i18n.t("report.note", lang): [text]})


def workbook(week: dt.date, params: dict | None = None, scope: store.Scope = store.CITY, lang: str = "zh") -> bytes:
    """The 周报 as .xlsx bytes: formatted headers, number formats, coloured states and lights."""
    tables = sections(week, params, scope, lang)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        book = xw.book
        fmt = {
            "title": book.add_format({"bold": True, "font_size": 14, "font_name": "Microsoft YaHei"}),
            "sub": book.add_format({"italic": True, "font_color": "#666666"}),
            "head": book.add_format({"bold": True, "bg_color": "#1F5FA8", "font_color": "#FFFFFF",
                                     "border": 1, "text_wrap": True, "valign": "vcenter"}),
            "num0": book.add_format({"num_format": "#,##0"}),
            "num1": book.add_format({"num_format": "#,##0.0"}),
            "num2": book.add_format({"num_format": "0.00"}),
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        }
        fills = {name: book.add_format({"bg_color": colour, "font_color": "#FFFFFF"})
                 for name, colour in {**charts.STATE_COLORS, **charts.RAG_COLORS}.items()}
        title = i18n.t("report.title", lang, week=week.isoformat(), iso=week.isocalendar()[1])
        for section in SHEETS:
            frame = _excel_ready(tables[section])
            name = sheet_name(section, lang)
            frame.to_excel(xw, sheet_name=name, index=False, startrow=2)
            ws = xw.sheets[name]
            ws.write(0, 0, title, fmt["title"])
            ws.write(1, 0, i18n.t(f"report.about.{section}", lang), fmt["sub"])
            for i, column in enumerate(frame.columns):
                ws.write(2, i, str(column), fmt["head"])
                width = max(10, min(48, max([len(str(column)) * 2] + [len(str(v)) * 1.6 for v in frame[column].head(50)])))
                ws.set_column(i, i, width, _number_format(frame[column], fmt))
            ws.freeze_panes(3, 0)
            if len(frame):
                ws.autofilter(2, 0, 2 + len(frame), len(frame.columns) - 1)
                _colour(ws, frame, lang, fills)
    return buf.getvalue()


def _excel_ready(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    return out


def _number_format(column: pd.Series, fmt: dict):
    if pd.api.types.is_integer_dtype(column):
        return fmt["num0"]
    if pd.api.types.is_float_dtype(column):
        big = column.abs().max()
        return fmt["num0"] if pd.notna(big) and big >= 1000 else fmt["num2"] if pd.notna(big) and big < 10 else fmt["num1"]
    if pd.api.types.is_datetime64_any_dtype(column):
        return fmt["date"]
    return None


def _colour(ws, frame: pd.DataFrame, lang: str, fills: dict) -> None:
    """Conditional colours: market-state labels and traffic lights keep their dashboard colours."""
    groups = [{i18n.state(s, lang): s for s in charts.STATE_ORDER},
              {i18n.t(f"rag.{r}", lang): r for r in charts.RAG_COLORS}]
    last = 2 + len(frame)
    for i, column in enumerate(frame.columns):
        values = set(frame[column].dropna().astype(str)) - {numbers.UNDEFINED}
        for words in groups:
            if values and values <= set(words):
                for word, key in words.items():
                    ws.conditional_format(3, i, last, i, {"type": "cell", "criteria": "==",
                                                          "value": f'"{word}"', "format": fills[key]})


def write(week: dt.date, out: Path | str, scope: store.Scope = store.CITY, lang: str = "zh") -> Path:
    """Write the 周报 for `week` to `out`."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(workbook(week, {}, scope, lang))
    return out
