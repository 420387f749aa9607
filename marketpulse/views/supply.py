"""货源建议 Supply: next week's recommendations as shown, one spec's history and forecast
with the festival weeks, and the backtest accuracy of the latest forecast refresh."""

from __future__ import annotations

import dataclasses
import functools
import logging
from dataclasses import dataclass

import pandas as pd

from marketpulse import forecast, i18n, metrics, numbers, store
from marketpulse import supply as supply_plan
from marketpulse.simulate import plan_eval
from marketpulse.supply import reconcile
from marketpulse.views.base import scope_name

logger = logging.getLogger(__name__)


@dataclass
class Supply:
    run: dict | None  # the latest forecast refresh, None before the first
    table: pd.DataFrame | None  # recommendations as shown
    raw: pd.DataFrame | None  # recommendations as supply.recommendations returns them
    specs: pd.DataFrame | None  # spec_code, spec_name with forecasts
    spec: str | None
    history: pd.DataFrame | None  # the spec's history at `level`: ds, y
    forecast: pd.DataFrame | None  # the spec's forecast at `level`: ds, yhat, lo/hi 80/95
    accuracy: pd.DataFrame | None  # per level: median MASE of the model and the baselines
    spec_accuracy: dict | None
    festivals: list
    level: str = "city"  # the series charted: the city's, or within a scope its 市场部's
    level_name: str = ""  # the 市场部 charted under a scope


def forecast_run(scope: store.Scope = store.CITY) -> dict | None:
    """The latest forecast refresh, or None before the first."""
    return forecast.last_run(scope)


# backtest origins of a forecast made from the page: the first start's (`make run`), minutes not tens
PAGE_ORIGINS = 6


def make_forecasts(progress) -> dict | None:
    """Forecast and backtest every series now, as `python -m marketpulse forecast --origins 6`
    would, into the store or lake the pages read; `progress(done, total)` per spec."""
    return forecast.refresh(n_origins=PAGE_ORIGINS, progress=progress)


def supply_page(scope: store.Scope, spec: str | None, lang: str, available: tuple | None = None) -> Supply:
    """Next week's recommendations beside the plan's total (with `available`, as supply_plan_page
    computes it) and why they differ, one spec's history and forecast, and backtest accuracy."""
    run = forecast.last_run(scope)
    if run is None:
        return Supply(None, None, None, None, None, None, None, None, None, [])
    # Supply is planned per spec × 市场部: within a 片区 or a manager's scope the plan shown is
    # that of the scope's 市场部 as a whole, never a 市场部 forecast set against one 片区's stock.
    raw = supply_plan.recommendations(_plan_scope(scope))
    plan = city_plan(store.store_version(), available).departments
    raw = reconcile.against_plan(raw, plan) if plan is not None else raw.assign(planned=float("nan"))
    # Forecasts are made per spec × 市场部 and for the city. Within a scope the city series is
    # not the scope's to see: chart the series of the scope's 市场部 (the scope's own rows).
    level = "city" if scope.is_city else "department"
    fc = forecast.stored_forecasts(scope=scope)
    series = fc[fc["level"] == level]
    if level == "department" and series["department_code"].nunique() > 1:
        first = sorted(series["department_code"].unique())[0]
        series = series[series["department_code"] == first]
    level_name = "" if series.empty or level == "city" else str(series["department_name"].iloc[0])
    department = None if series.empty or level == "city" else series["department_code"].iloc[0]
    specs = series.drop_duplicates("spec_code")[["spec_code", "spec_name"]]
    specs = specs.sort_values("spec_name").reset_index(drop=True)
    volume = series[series["step"] == 1].sort_values("yhat", ascending=False)
    spec = spec if spec in set(specs["spec_code"]) else (volume["spec_code"].iloc[0] if len(volume) else None)
    history = forecast.stored_history(spec_code=spec, department_code=department, scope=scope)
    history = history[history["level"] == level]
    accuracy = forecast.stored_accuracy(scope)
    one = accuracy[(accuracy["spec_code"] == spec) & (accuracy["level"] == level)]
    if department is not None and "department_code" in one:
        one = one[one["department_code"] == department]
    years = sorted({d.year for d in pd.to_datetime(history["ds"])} | {d.year for d in pd.to_datetime(series["ds"])})
    return Supply(
        run,
        _table(raw, lang),
        raw,
        specs,
        spec,
        history[["ds", "y"]],
        series[series["spec_code"] == spec][["ds", "yhat", "lo80", "hi80", "lo95", "hi95", "is_fallback"]],
        _accuracy(accuracy, lang),
        one.iloc[0].to_dict() if len(one) else None,
        forecast.festival_weeks(years),
        level,
        level_name,
    )


def span(*weeks: pd.Series) -> str:
    """ "2025-01-06–2027-01-25": the first and last of the weeks given, as a chart's subtitle says them."""
    every = pd.concat([pd.to_datetime(w) for w in weeks]).dropna()
    return f"{every.min().date()}–{every.max().date()}" if len(every) else ""


def _plan_scope(scope: store.Scope) -> store.Scope:
    """The scope the supply plan is computed in: the city, or the 市场部 the scope lies in."""
    if scope.is_city or not (scope.territory_code or scope.cm_code):
        return scope
    own = metrics.lookup("territories", scope=scope)
    return store.Scope(department_code=own["department_code"].iloc[0]) if len(own) else scope


def _accuracy(accuracy: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per level: how many series, and the median MASE of the model and of the two naive baselines."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    summary = (
        accuracy.groupby("level")
        .agg(
            series=("unique_id", "size"),
            model=("mase_model", "median"),
            seasonal=("mase_seasonal_naive", "median"),
            festival=("mase_festival_naive", "median"),
        )
        .reset_index()
    )
    return pd.DataFrame(
        {
            t("col.level"): [t(f"level.{x}") for x in summary["level"]],
            t("col.series"): summary["series"],
            t("col.mase_model"): summary["model"].round(2),
            t("col.mase_seasonal"): summary["seasonal"].round(2),
            t("col.mase_festival"): summary["festival"].round(2),
        }
    )


def _table(raw: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The recommendations as shown: verdict and reason in words, the 80% interval as text."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return pd.DataFrame(
        {
            t("col.spec"): raw["spec_name"],
            t("col.department"): raw["department_name"],
            t("col.verdict"): raw["verdict"].map(lambda v: t(f"verdict.{v}")),
            t("col.recommended"): raw["recommended_qty"].round(0),
            t("col.change"): raw["change_pct"].round(1),
            t("col.plan_total"): raw["planned"],
            t("col.vs_plan"): [reconcile.difference_text(row, lang) for _, row in raw.iterrows()],
            t("col.forecast"): raw["forecast_qty"].round(0),
            t("col.interval80"): [f"{lo:,.0f} – {hi:,.0f}" for lo, hi in zip(raw["lo80"], raw["hi80"])],
            t("col.mase"): raw["mase_model"].round(2),
            t("col.stock"): raw["current_stock"].round(0),
            t("col.ratio"): raw["ratio"].round(2),
            t("col.price_index"): raw["price_index"].round(1),
            t("col.reason"): raw["reason_zh" if lang == "zh" else "reason_en"],
            t("col.fallback"): raw["is_fallback"].map(lambda b: t("word.yes") if b else t("word.no")),
        }
    )


@dataclass
class SupplyPlan:
    """Next week's plan as the page draws it: lines to edit, reasons, totals, the replay's figures."""

    plan: supply_plan.Plan
    lines: pd.DataFrame  # the plan lines within the scope (all columns, codes kept)
    groups: pd.DataFrame  # spec × key with its reason, as shown
    totals: pd.DataFrame  # the city and the 市场部s (only the scope's under a scope), as shown
    scope_share: dict | None  # the scope's planned and last week's supply beside the city's
    reasons: pd.DataFrame  # spec_code, key_name, reason: each spec × key's arithmetic in `lang`
    replay: pd.DataFrame  # the latest plan-eval per policy, as shown (empty before the first)
    replay_note: dict | None  # its weeks replayed, first and last origin and when it ran (None before the first)
    licenses: frozenset | None = None  # the scope's retailers now; None: the whole city's
    unlisted: tuple = ()  # specs with a need that the available-quantity file leaves out (planned at 0)


def supply_plan_page(scope: store.Scope, lang: str, available: tuple | None = None) -> SupplyPlan:
    """The city's plan (the center plans for the whole city), shown within `scope`: a narrower
    scope sees the lines that hold its own retailers (each line's 限量, 户数 and 合计 stay the
    line's, as the center plans them); who the 控量户 are is for own_retailers to cut."""
    plan = city_plan(store.store_version(), available)
    lines, groups, licenses = plan.lines, plan.groups, None
    totals = supply_plan.totals(plan)
    if not scope.is_city:
        licenses = frozenset(metrics.lookup("retailers", scope=scope)["license_no"])
        lines = lines[[not licenses.isdisjoint(held) for held in lines["licenses"]]]
        kept = set(zip(lines["spec_code"], lines["key"]))
        groups = groups[[pair in kept for pair in zip(groups["spec_code"], groups["key"])]]
        departments = set(metrics.lookup("territories", scope=scope)["department_code"])
        totals = totals[(totals["department_code"] == "") | totals["department_code"].isin(departments)]
    return SupplyPlan(
        plan,
        lines.reset_index(drop=True),
        _groups_shown(groups, lang),
        _totals_shown(totals, plan.groups, lang),
        _scope_share(plan, scope, lang) if not scope.is_city else None,
        groups[["spec_code", "key_name", f"reason_{lang}"]]
        .rename(columns={f"reason_{lang}": "reason"})
        .assign(key_name=lambda g: g["key_name"].map(lambda v: i18n.value(v, lang)))
        .reset_index(drop=True),
        *_replay(lang),
        licenses,
        _unlisted(plan, available),
    )


def _unlisted(plan: supply_plan.Plan, available: tuple | None) -> tuple:
    """The names of the specs with a need that `available` does not name: a spec missing from the
    file gets none next week, which a partial file would otherwise do without a word."""
    if available is None:
        return ()
    given = {code for code, _ in available}
    need = plan.lines.groupby(["spec_code", "spec_name"], sort=False)["need"].sum()
    return tuple(name for (code, name), n in need.items() if n > 0 and code not in given)


def own_retailers(lines: pd.DataFrame, licenses: frozenset | None) -> pd.DataFrame:
    """`lines` with each line's 控量户 (licenses, and their needs beside them) cut to `licenses`,
    for the files that name retailers; None keeps them all."""
    if licenses is None:
        return lines
    keep = [[i for i, license_no in enumerate(held) if license_no in licenses] for held in lines["licenses"]]
    return lines.assign(
        licenses=[tuple(held[i] for i in k) for held, k in zip(lines["licenses"], keep)],
        needs=[tuple(need[i] for i in k) for need, k in zip(lines["needs"], keep)],
    )


SCOPE_KEYS = ["department_code", "territory_code", "cm_code"]
SCOPE_SUMS = ["demand", "limit_qty", "own_limit", "supplied_last", "supplied_4w", "supplied_last_year", "stock_qty"]


@functools.lru_cache(maxsize=4)
def city_plan(version: str, available: tuple | None = None) -> supply_plan.Plan:
    """The city's plan, computed once per store version (`version`) and available quantity and
    shared by every scope and language (the center plans for the whole city). What it keeps of
    the retailers is summed per 市场部 × 片区 × 客户经理 — all the totals and scope shares read."""
    quantities = dict(available) if available is not None else None
    logger.info("supply plan for store %s", version)
    plan = supply_plan.make_plan(supply_plan.plan_inputs(), quantities, supply_plan.load_policy())
    kept = plan.retailers.assign(limit_qty=plan.retailers["limit_qty"].fillna(0))
    kept = kept.groupby(SCOPE_KEYS, dropna=False)[SCOPE_SUMS].sum().reset_index()
    return dataclasses.replace(plan, retailers=kept)


def _scope_share(plan: supply_plan.Plan, scope: store.Scope, lang: str) -> dict:
    """The scope's plan (its retailers' own 限量, each its need up to its line's) and last week's
    supply against the city's."""
    r = plan.retailers
    mine = r
    for column, code in (
        ("department_code", scope.department_code),
        ("territory_code", scope.territory_code),
        ("cm_code", scope.cm_code),
    ):
        if code:
            mine = mine[mine[column] == code]
    city = float(r["own_limit"].sum())
    planned = float(mine["own_limit"].sum())
    return {
        "scope": scope_name(scope, lang),
        "planned": numbers.show(planned, "qty", lang, with_unit=False),
        "share": numbers.fmt(100 * planned / city if city else None, 1),
        "last": numbers.show(float(mine["supplied_last"].sum()), "qty", lang, with_unit=False),
    }


def _groups_shown(groups: pd.DataFrame, lang: str) -> pd.DataFrame:
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return pd.DataFrame(
        {
            t("col.spec"): groups["spec_name"],
            t("plan.col.key_name"): groups["key_name"].map(lambda v: i18n.value(v, lang)),
            t("col.state"): groups["state"].map(lambda s: i18n.state(s, lang) if isinstance(s, str) else "—"),
            t("plan.col.capped"): groups["capped"],
            t("plan.col.total"): groups["total_qty"],
            t("col.reason"): groups[f"reason_{lang}"],
        }
    )


def _totals_shown(totals: pd.DataFrame, groups: pd.DataFrame, lang: str) -> pd.DataFrame:
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    names = metrics.lookup("departments").set_index("department_code")["department_name"].to_dict()
    return pd.DataFrame(
        {
            t("col.department"): [names.get(c, c) if c else t("plan.city") for c in totals["department_code"]],
            t("plan.col.forecast"): totals["forecast"].round(0),
            t("plan.col.planned"): totals["planned"].round(0),
            t("plan.col.supplied_last"): totals["supplied_last"].round(0),
            t("plan.col.supplied_4w"): totals["supplied_4w"].round(0),
            t("plan.col.supplied_last_year"): totals["supplied_last_year"].round(0),
            t("plan.col.change"): totals["change_pct"].round(1),
        }
    )


def _replay(lang: str) -> tuple[pd.DataFrame, dict | None]:
    """The latest plan-eval as shown (the plan first, then the baselines and what was actually
    supplied) and what it covers: weeks replayed, first and last origin, when it ran."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    replay = plan_eval.latest()
    if replay.empty:
        return pd.DataFrame(), None
    order = {p: i for i, p in enumerate((*plan_eval.POLICIES, "actual"))}
    replay = replay.sort_values("policy", key=lambda p: p.map(order)).reset_index(drop=True)
    shown = pd.DataFrame(
        {
            t("plan.col.policy"): replay["policy"].map(lambda p: t(f"plan.policy.{p}")),
            t("plan.col.stockout"): replay["stockout"],
            t("plan.col.overstock"): replay["overstock"],
        }
    )
    first = replay.iloc[0]
    note = {
        "n": int(first["origins"]),
        "first": str(pd.Timestamp(first["first_origin"]).date()),
        "last": str(pd.Timestamp(first["last_origin"]).date()),
        "at": str(pd.Timestamp(replay["run_at"].max()))[:16],
    }
    return shown, note


def calibration_text(lang: str) -> str | None:
    """The latest refresh's interval calibration in one sentence (None before the first)."""
    table = forecast.stored_calibration()
    if table.empty:
        return None
    rows = table.set_index("level")
    pct = lambda level, col: numbers.fmt(rows[col].get(level), 1)  # noqa: E731
    widened = ""
    if rows["widened"].any():
        widened = i18n.t(
            "plan.coverage_widened", lang, c80=pct("80", "coverage_after"), c95=pct("95", "coverage_after")
        )
    return i18n.t("plan.coverage", lang, c80=pct("80", "coverage"), c95=pct("95", "coverage"), widened=widened)
