"""What the 周报 says, whatever it is printed on: the weekly review's KPIs (with the city as the
benchmark for a territory), alerts, market-state exceptions, brand cultivation against target,
the scorecard's exceptions, and the small tables its charts draw.

Everything comes from the views the pages draw and the metrics API, through the reader's Scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from marketpulse import i18n, metrics, numbers, store, views
from marketpulse.views.base import filters_of, own_names, scope_name
from marketpulse.views.prices import fixed_index_kpi
from marketpulse.views.weekly_review import kpi_cards

TOP_ALERTS = 14  # the most severe alerts printed (PDF page, Excel print area); the sheet holds all
TREND_WEEKS = 13  # the sales chart: a quarter of weeks against the same weeks a year before
STATE_ORDER = {"tight": 0, "loose": 1, "balanced": 2}
SALES_DROP = -5.0  # 同期增长 below this (%) puts a customer manager on the attention list (the KPIs' red)


@dataclass
class Weekly:
    """The 周报's content in one language: frames with shown headers, plus chart tables."""

    week: dt.date
    lang: str
    title: str
    scope_name: str
    scoped: bool  # a territory's or manager's report: the city is the benchmark
    kpis: pd.DataFrame  # one row per KPI, numbers (each row's unit and change unit in `units`)
    units: list[tuple[str, str]]  # (value unit, change unit) per KPI row, numbers.DIGITS keys
    alerts: pd.DataFrame  # every alert, most severe first
    state: pd.DataFrame  # every cell, exceptions (tight, loose) first
    state_raw: pd.DataFrame  # the same cells with codes (state, spec_name, territory_name …)
    exceptions: int  # how many cells are not 平衡
    brands: pd.DataFrame  # new specs with target (and the city for a scope)
    target: tuple[float, int]  # target distribution (%) and the week since launch it is due
    scorecard: pd.DataFrame  # every customer manager, those needing attention first
    flagged: int  # how many need attention
    sales_trend: pd.DataFrame  # week label, this year, same period
    cover: pd.DataFrame  # 片区, 存销比, low, high (+ the city for a scope)
    band: dict
    headline: str = ""  # what needs attention, in counts: the first line of the report


def headline(doc: Weekly) -> str:
    """The report's first line: how many alerts (how many high), exceptions, brands behind target, people."""
    t = lambda key: i18n.t(key, doc.lang)  # noqa: E731
    severity = doc.alerts[t("col.severity")] if len(doc.alerts) else pd.Series(dtype=object)
    behind = doc.brands[t("report.col.vs_target")] < 0 if len(doc.brands) else pd.Series(dtype=bool)
    return i18n.t(
        "report.headline",
        doc.lang,
        alerts=len(doc.alerts),
        high=int((severity == t("severity.high")).sum()),
        exceptions=doc.exceptions,
        behind=int(behind.sum()),
        flagged=doc.flagged,
    )


def weekly(week: dt.date, params: dict | None = None, scope: store.Scope = store.CITY, lang: str = "zh") -> Weekly:
    """The 周报 for `week` over `scope`, in `lang`."""
    params = params or {}
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    review = views.weekly_review(week, params, scope, lang)
    scoped = not scope.is_city
    city = (
        kpi_cards(metrics.week_kpis(week, "city", "city", store.CITY, **filters_of(params)), review.band)
        if scoped
        else None
    )
    kpis, units = _kpi_table(review.kpis, city, lang)
    city_fixed = fixed_index_kpi(week, params, store.CITY)["value"] if scoped else None
    kpis, units = _with_fixed_index(kpis, units, fixed_index_kpi(week, params, scope), lang, city_fixed)
    state_raw = review.state.assign(_order=review.state["state"].map(STATE_ORDER).fillna(3))
    if "state_score" in state_raw:  # tightest first among the tight, loosest first among the loose
        state_raw = state_raw.assign(
            _score=state_raw["state_score"].where(state_raw["state"] != "loose", -state_raw["state_score"])
        )
        state_raw = state_raw.sort_values(["_order", "_score"], ascending=[True, False], kind="stable")
    else:
        state_raw = state_raw.sort_values("_order", kind="stable")
    state_raw = state_raw.drop(columns=[c for c in ("_order", "_score") if c in state_raw]).reset_index(drop=True)
    card, flagged = _scorecard(week, params, scope, lang)
    target_share = store.setting("new_brand_target_distribution", views.TARGET_DISTRIBUTION) * 100
    target_weeks = int(store.setting("new_brand_target_weeks", views.TARGET_WEEKS))
    doc = Weekly(
        week=week,
        lang=lang,
        title=t("report.title", week=week.isoformat(), iso=week.isocalendar()[1]),
        scope_name=scope_name(scope, lang),
        scoped=scoped,
        kpis=kpis,
        units=units,
        alerts=review.alerts,
        state=_state_table(state_raw, lang),
        state_raw=state_raw,
        exceptions=int((state_raw["state"] != "balanced").sum()),
        brands=_brands(week, params, scope, lang, (target_share, target_weeks)),
        target=(target_share, target_weeks),
        scorecard=card,
        flagged=flagged,
        sales_trend=_sales_trend(week, params, scope, lang),
        cover=_cover(week, params, scope, review.band, lang),
        band=review.band,
    )
    doc.headline = headline(doc)
    return doc


def _kpi_table(kpis: list, city: list | None, lang: str) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The KPI rows: this week, 环比, 同期, 年累计 and 累计同比, signal; the city's value beside a scope's."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    units = [(k.unit, ("index_points" if k.unit == "index" else "points") if k.points else "pct") for k in kpis]
    frame = pd.DataFrame(
        {
            t("report.metric"): [t(k.key) for k in kpis],
            t("report.value"): [k.value for k in kpis],
            t("report.wow"): [k.wow for k in kpis],
            t("report.yoy"): [k.yoy for k in kpis],
            # 年累计 in the value's unit, 累计同比 in the change unit; empty for levels (存销比, 铺货率)
            t("report.ytd"): [k.ytd if k.cumulative else None for k in kpis],
            t("report.ytd_yoy"): [k.ytd_yoy if k.cumulative else None for k in kpis],
            t("report.light"): [t(f"rag.{k.rag}") if k.rag else numbers.UNDEFINED for k in kpis],
        }
    )
    for column in (t("report.ytd"), t("report.ytd_yoy")):
        frame[column] = pd.to_numeric(frame[column])
    if city is not None:
        by_key = {k.key: k.value for k in city}
        frame.insert(2, t("report.col.city"), [by_key.get(k.key) for k in kpis])
    return frame, units


def _with_fixed_index(
    kpis: pd.DataFrame, units: list, kpi: dict, lang: str, city: float | None = None
) -> tuple[pd.DataFrame, list]:
    """The KPI table with the fixed-weight 价格指数 (市场零售价格指数) after the current-weight
    one, its weight year in its name, the whole city's beside a scope's (`city`); columns it has
    no value for stay empty."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    number = lambda v: float("nan") if v is None else v  # noqa: E731  (keeps the columns numeric)
    row = {
        t("report.metric"): t("kpi.price_index_fixed", year=kpi["weight_year"]),
        t("report.value"): number(kpi["value"]),
        t("report.wow"): number(kpi["wow"]),
        t("report.yoy"): number(kpi["yoy"]),
        t("report.light"): numbers.UNDEFINED,
    }
    if t("report.col.city") in kpis:
        row[t("report.col.city")] = number(city)
    names = list(kpis[t("report.metric")])
    at = names.index(t("kpi.price_index")) + 1 if t("kpi.price_index") in names else len(names)
    out = pd.concat([kpis.iloc[:at], pd.DataFrame([row]), kpis.iloc[at:]], ignore_index=True)
    return out, [*units[:at], ("index", "index_points"), *units[at:]]


def _state_table(s: pd.DataFrame, lang: str) -> pd.DataFrame:
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return pd.DataFrame(
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


def _brands(week, params, scope, lang, target: tuple[float, int]) -> pd.DataFrame:
    """New specs in the report week with the target due at their week since launch and, for a
    scope, the city's 铺货率 beside theirs."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    frame = views.brand_table(week, params, scope, lang)
    share, weeks = target
    due = [round(views.target_due(w, share, weeks), 1) for w in frame[t("col.weeks_since_launch")]]
    at = frame.columns.get_loc(t("col.distribution")) + 1
    frame.insert(at, t("report.col.target"), due)
    frame.insert(
        at + 1, t("report.col.vs_target"), (frame[t("col.distribution")] - frame[t("report.col.target")]).round(1)
    )
    if not scope.is_city:
        city = views.brand_table(week, params, store.CITY, lang).set_index(t("col.spec"))[t("col.distribution")]
        frame.insert(at + 2, t("report.col.city_distribution"), frame[t("col.spec")].map(city))
    return frame


def _scorecard(week, params, scope, lang) -> tuple[pd.DataFrame, int]:
    """Every customer manager, those who need attention first with the reasons; how many they are."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    card = views.scorecard_table(week, week, params, scope, lang)
    floor = (1 - store.setting("alert_missed_visit_rate", 0.2)) * 100
    copy = store.setting("alert_copy_suspect_rate", 0.3) * 100
    checks = (
        ("visits", t("col.visit_rate"), lambda v: v < floor),
        ("on_time", t("col.on_time_rate"), lambda v: v < floor),  # reporting held to the visits' floor
        ("copy", t("col.copy_rate"), lambda v: v >= copy),
        ("unvisited", t("col.unvisited"), lambda v: v > 0),
        ("sales", t("col.sales_growth"), lambda v: v < SALES_DROP),
    )
    sep = "、" if lang == "zh" else ", "
    flags = [
        sep.join(t(f"report.flag.{name}") for name, column, bad in checks if pd.notna(row[column]) and bad(row[column]))
        for _, row in card.iterrows()
    ]
    card.insert(2, t("report.col.flags"), flags)
    card = card.assign(_ok=[not f for f in flags]).sort_values("_ok", kind="stable").drop(columns="_ok")
    return card.reset_index(drop=True), sum(1 for f in flags if f)


def _sales_trend(week, params, scope, lang) -> pd.DataFrame:
    """销量 of the last TREND_WEEKS weeks and of the same weeks a year before."""
    start = week - (TREND_WEEKS - 1) * metrics.WEEK
    s = metrics.sales_volume(start, week, "city", "all", scope, **filters_of(params)).sort_values("week")
    return pd.DataFrame(
        {
            i18n.t("col.week", lang): [pd.Timestamp(w).strftime("%m-%d") for w in s["week"]],
            i18n.t("report.series.this_year", lang): s["sales_qty"].astype(float).values,
            i18n.t("report.series.same_period", lang): s["sp_sales_qty"].astype(float).values,
        }
    )


def _cover(week, params, scope, band, lang) -> pd.DataFrame:
    """存销比 of each 片区 in scope (and the city for a scope) with the monitoring band."""
    filters = filters_of(params)
    ter = metrics.inventory_ratio(week, week, "territory", scope, **filters).sort_values("level_key")
    names = list(own_names(ter, scope, lang, "level_name")["level_name"])
    ratios = list(ter["ratio"].astype(float))
    city = metrics.inventory_ratio(week, week, "city", store.CITY, **filters)
    if len(city):
        names.append(i18n.t("report.benchmark", lang))
        ratios.append(float(city["ratio"].iloc[0]))
    return pd.DataFrame(
        {
            i18n.t("col.territory", lang): names,
            i18n.t("kpi.ratio", lang): ratios,
            i18n.t("report.series.low", lang): band["ratio_low"],
            i18n.t("report.series.high", lang): band["ratio_high"],
        }
    )
