"""The Monday meeting's 周报: one Excel workbook, a sheet per section of the weekly review.

Sheets: KPIs (关键指标), alerts (预警), market state (市场状态), brand cultivation
(新品牌培育) and the customer-manager scorecard (客户经理). Built from the same views
the dashboard draws, so the file and the page show the same numbers, and written by the
one Excel writer (marketpulse.export). The page offers it as a download;
`python -m marketpulse report --week YYYY-MM-DD --out FILE.xlsx` writes it from a shell.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from marketpulse import export, i18n, numbers, store, views
from marketpulse.ui import figures
from marketpulse.views.prices import fixed_index_kpi

SHEETS = ("kpis", "alerts", "state", "brands", "scorecard")


def sheet_name(section: str, lang: str) -> str:
    return i18n.t(f"report.sheet.{section}", lang)


def sections(
    week: dt.date, params: dict | None = None, scope: store.Scope = store.CITY, lang: str = "zh"
) -> dict[str, pd.DataFrame]:
    """Each sheet's table, in the report's language."""
    params = params or {}
    review = views.weekly_review(week, params, scope, lang)
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    kpis = pd.DataFrame(
        {
            t("report.metric"): [t(k.key) for k in review.kpis],
            t("report.value"): [k.value for k in review.kpis],
            t("report.unit"): [t(f"unit.{k.unit}") for k in review.kpis],
            t("report.wow"): [k.wow for k in review.kpis],
            t("report.yoy"): [k.yoy for k in review.kpis],
            # 年累计 in the value's unit, 累计同比 in the change unit; empty for levels (存销比, 铺货率)
            t("report.ytd"): [k.ytd if k.cumulative else None for k in review.kpis],
            t("report.ytd_yoy"): [k.ytd_yoy if k.cumulative else None for k in review.kpis],
            t("report.change_unit"): [t("unit.points") if k.points else "%" for k in review.kpis],
            t("report.light"): [t(f"rag.{k.rag}") if k.rag else numbers.UNDEFINED for k in review.kpis],
        }
    )
    kpis = _with_fixed_index(kpis, fixed_index_kpi(week, params, scope), lang)
    s = review.state
    state = pd.DataFrame(
        {
            t("col.spec"): s["spec_name"],
            t("col.brand"): s["brand"],
            t("col.territory"): s["territory_name"],
            t("col.state"): [i18n.state(x, lang) for x in s["state"]],
            t("col.ratio"): s["ratio"],
            t("col.price_index"): s["price_index"],
            **({t("col.score"): s["state_score"]} if "state_score" in s else {}),
        }
    )
    return {
        "kpis": kpis,
        "alerts": review.alerts,
        "state": state,
        "brands": views.brand_table(week, params, scope, lang),
        "scorecard": views.scorecard_table(week, week, params, scope, lang),
    }


def _with_fixed_index(kpis: pd.DataFrame, kpi: dict, lang: str) -> pd.DataFrame:
    """The KPI table with the fixed-weight 价格指数 (市场零售价格指数) after the current-weight
    one, its weight year in its name; columns it has no value for stay empty."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    number = lambda v: float("nan") if v is None else v  # noqa: E731  (keeps the columns numeric)
    row = {
        t("report.metric"): t("kpi.price_index_fixed", year=kpi["weight_year"]),
        t("report.value"): number(kpi["value"]),
        t("report.unit"): t("unit.index"),
        t("report.wow"): number(kpi["wow"]),
        t("report.yoy"): number(kpi["yoy"]),
        t("report.change_unit"): t("unit.points"),
        t("report.light"): numbers.UNDEFINED,
    }
    names = list(kpis[t("report.metric")])
    at = names.index(t("kpi.price_index")) + 1 if t("kpi.price_index") in names else len(names)
    return pd.concat([kpis.iloc[:at], pd.DataFrame([row]), kpis.iloc[at:]], ignore_index=True)


# Columns whose words take their dashboard colour: the KPI signal and the market state.
COLOURED = {"kpis": "report.light", "state": "col.state"}


def workbook(week: dt.date, params: dict | None = None, scope: store.Scope = store.CITY, lang: str = "zh") -> bytes:
    """The 周报 as .xlsx bytes: title, formatted headers, number formats, coloured states and lights."""
    tables = sections(week, params, scope, lang)
    title = i18n.t("report.title", lang, week=week.isoformat(), iso=week.isocalendar()[1])
    fills = {
        **{i18n.state(s, lang): figures.STATE_COLORS[s] for s in figures.STATE_ORDER},
        **{i18n.t(f"rag.{r}", lang): colour for r, colour in figures.RAG_COLORS.items()},
    }
    sheets = []
    for section in SHEETS:
        coloured = {"fills": fills, "fill_columns": (i18n.t(COLOURED[section], lang),)} if section in COLOURED else {}
        sheets.append(
            export.Sheet(
                sheet_name(section, lang),
                tables[section],
                title=title,
                subtitle=i18n.t(f"report.about.{section}", lang),
                **coloured,
            )
        )
    return export.xlsx_bytes(sheets)


def write(week: dt.date, out: Path | str, scope: store.Scope = store.CITY, lang: str = "zh") -> Path:
    """Write the 周报 for `week` to `out`."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(workbook(week, {}, scope, lang))
    return out
