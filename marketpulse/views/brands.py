"""新品牌培育 Brand cultivation: one new spec's uptake curves, its territories against the
city and the target, a league of territories and customer managers, the key-brand share
by territory; and for the 周报, every new spec's city uptake in the report week.

The city lines and "比全市" are the whole city's (store.CITY) whatever the scope: a 片区
is measured against the city, not against its own total."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from marketpulse import i18n, metrics, store
from marketpulse.metrics.api import city_read
from marketpulse.views.base import filters_of, own_names, scope_name, within_scope_name

TARGET_DISTRIBUTION = 0.6  # default target: 铺货率 reached by TARGET_WEEKS after launch,
TARGET_WEEKS = 26  # overridden by settings new_brand_target_distribution / _weeks
LAG_RATIO = 0.7  # default of setting alert_uptake_lag_ratio


@dataclass
class Brands:
    specs: pd.DataFrame | None  # new specs: spec_code, spec_name, brand, launch_week
    spec: str | None
    spec_name: str
    city: pd.DataFrame | None  # the spec's whole-city curve by weeks since launch
    territories: pd.DataFrame | None  # distribution curve per territory (+ city)
    target: pd.DataFrame | None  # weeks_since_launch, target distribution (%)
    target_text: tuple[float, int]
    lag_ratio: float
    league: pd.DataFrame | None  # territories and customer managers at week_to
    key_share: pd.DataFrame | None  # key-brand share by territory over time (+ city)


@dataclass
class Progress:
    """Every new spec in the last week against its target (progress()), for the page's first table."""

    table: pd.DataFrame | None  # PROGRESS_COLUMNS; None on a store without weeks
    scope_label: str  # whose 铺货率 it gives: 全市, a 市场部, a 片区, a manager
    target_text: tuple[float, int]  # the target: 铺货率 % by week n after launch
    lag_ratio: float  # 新品滞后 below this × the city's
    own_retailers: bool = False  # a customer manager's scope: its "片区" rows are the manager's retailers


def target_due(weeks_since_launch: int, share: float, weeks: int) -> float:
    """The 铺货率 (in the unit of `share`) due `weeks_since_launch` weeks after launch: the
    target rises in a straight line from launch to `share` at week `weeks`, then holds."""
    return share * min(1.0, weeks_since_launch / max(1, weeks))


def new_specs(specs: pd.DataFrame, week_to: dt.date, brand: str | None = None) -> pd.DataFrame:
    """The specs (of `brand`) launched within the 52 weeks ending at week_to, newest first, with
    the Monday of their launch: what the brand page offers, opening on the first."""
    launch = pd.to_datetime(specs["launch_date"]).dt.date
    monday = launch.map(lambda d: d - dt.timedelta(days=d.weekday()))
    new = specs[
        (monday <= week_to)
        & (monday > week_to - dt.timedelta(weeks=52))
        & ((specs["brand"] == brand) if brand else True)
    ]
    return new.assign(monday=monday[new.index]).sort_values("monday", ascending=False)


def brands(params: dict, scope: store.Scope, spec: str | None, lang: str) -> Brands:
    """Uptake curves of one new spec, the scope's territories against the whole city and the
    target, a league table, and the key-brand share by territory."""
    week_to = params["week_to"]
    target_share = store.setting("new_brand_target_distribution", TARGET_DISTRIBUTION)
    target_weeks = int(store.setting("new_brand_target_weeks", TARGET_WEEKS))
    lag = store.setting("alert_uptake_lag_ratio", LAG_RATIO)
    target_text = (target_share * 100, target_weeks)
    if week_to is None:  # a store without weeks: nothing to draw
        return Brands(None, None, "", None, None, None, target_text, lag, None, None)
    filters = filters_of(params)
    week_from = week_to - (metrics.NEW_SPEC_WEEKS - 1) * metrics.WEEK
    one = {**filters, "spec_code": spec}
    # the spec's curves per 片区 (its 52 weeks) and per customer manager (the last week) are read
    # alongside every new spec's city curves, which they are then set against
    city, key_share, ter, cms = store.side_by_side(
        lambda: _city_curves(params),
        lambda: _key_share_lines(params, scope, lang),
        lambda: metrics.new_brand_uptake(week_from, week_to, "territory", scope, **one) if spec else None,
        lambda: metrics.new_brand_uptake(week_to, week_to, "cm", scope, **one) if spec else None,
    )
    out = Brands(None, None, "", None, None, None, target_text, lag, None, key_share)
    if city.empty:
        return out
    latest_first = city.sort_values("launch_week", ascending=False).drop_duplicates("spec_code")
    out.specs = latest_first[["spec_code", "spec_name", "brand", "launch_week"]].reset_index(drop=True)
    if spec not in set(out.specs["spec_code"]):
        return out  # not a spec launched in the 52 weeks (or filtered away): nothing to draw
    out.spec = spec
    out.spec_name = out.specs.set_index("spec_code").loc[spec, "spec_name"]
    curve = city[city["spec_code"] == spec].sort_values("weeks_since_launch")
    out.city = curve
    weeks = range(0, int(curve["weeks_since_launch"].max()) + 1)
    out.target = pd.DataFrame(
        {"weeks_since_launch": list(weeks), "target": [target_due(w, *target_text) for w in weeks]}
    )
    ter, cms = metrics.against_city(ter, city), metrics.against_city(cms, city)
    city_label = i18n.t("series.city", lang)
    lines = ter[list(curve.columns)]
    own = [within_scope_name(scope, name, lang) for name in lines["level_name"]]
    out.territories = pd.concat([lines.assign(series=own), curve.assign(series=city_label)], ignore_index=True)
    # under a manager's scope its 片区 row holds only that manager's retailers: the manager's row, twice
    out.league = _league(ter.iloc[0:0] if scope.cm_code else ter, cms, week_to, lang)
    return out


def _city_curves(params: dict) -> pd.DataFrame:
    """Every new spec's whole-city curves over the 52 weeks to week_to (read once per store version)."""
    week_to = params["week_to"]
    week_from = week_to - (metrics.NEW_SPEC_WEEKS - 1) * metrics.WEEK
    every = {**filters_of(params), "spec_code": None}
    return city_read(metrics.new_brand_uptake, week_from, week_to, "city", store.CITY, **every)


def new_spec_progress(params: dict, scope: store.Scope, lang: str) -> Progress:
    """Every new spec over the scope's retailers in week_to against the target due, beside the
    whole city, and the 片区 of the scope where 新品滞后 holds it back; a view of its own, so
    picking a spec below does not compute it again."""
    target = (store.setting("new_brand_target_distribution", TARGET_DISTRIBUTION) * 100,)
    target += (int(store.setting("new_brand_target_weeks", TARGET_WEEKS)),)
    out = Progress(None, scope_name(scope, lang), target, store.setting("alert_uptake_lag_ratio", LAG_RATIO))
    out.own_retailers = scope.cm_code is not None
    week_to = params["week_to"]
    if week_to is None:
        return out
    week_from = week_to - (metrics.NEW_SPEC_WEEKS - 1) * metrics.WEEK
    every = {**filters_of(params), "spec_code": None}
    city, own, lagging = store.side_by_side(
        lambda: _city_curves(params),
        lambda: metrics.new_brand_uptake(week_from, week_to, "city", scope, **every) if not scope.is_city else None,
        lambda: metrics.lagging_launches(week_to, scope, **every),
    )
    lagging = own_names(lagging, scope, lang, "territory_name")
    out.table = progress(city if own is None else own, city, lagging, week_to, target)
    return out


def progress(
    own: pd.DataFrame, city: pd.DataFrame, lagging: pd.DataFrame, week_to: dt.date, target: tuple[float, int]
) -> pd.DataFrame:
    """Every new spec in week_to, newest first: its 铺货率 over `own` (the scope's curves, in %)
    and its curve since launch, the target due at its week since launch and how much of it is
    reached, the whole city's 铺货率, and the 片区 where `lagging` (新品滞后) holds it back."""
    rows = []
    for code, curve in own.sort_values("weeks_since_launch").groupby("spec_code", sort=False):
        last = curve[pd.to_datetime(curve["week"]).dt.date == week_to]
        if last.empty:
            continue
        now = last.iloc[0]
        weeks = int(now["weeks_since_launch"])
        rate = None if pd.isna(now["distribution_rate"]) else float(now["distribution_rate"]) * 100
        due = target_due(weeks, *target)
        whole = city[(city["spec_code"] == code) & (pd.to_datetime(city["week"]).dt.date == week_to)]
        behind = lagging[lagging["spec_code"] == code].sort_values("severity_score", ascending=False)
        rows.append(
            {
                "spec_code": code,
                "spec_name": now["spec_name"],
                "brand": now["brand"],
                "launch_week": pd.Timestamp(now["launch_week"]).date(),
                "weeks_since_launch": weeks,
                "distribution": rate,
                "curve": [None if pd.isna(v) else round(float(v) * 100, 1) for v in curve["distribution_rate"]],
                "target": due,
                "reached": rate / due * 100 if rate is not None and due > 0 else None,
                "vs_target": rate - due if rate is not None else None,
                "city": float(whole["distribution_rate"].iloc[0]) * 100
                if len(whole) and pd.notna(whole["distribution_rate"].iloc[0])
                else None,
                "lagging": list(dict.fromkeys(behind["territory_name"])),
            }
        )
    frame = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    return frame.sort_values(["launch_week", "spec_code"], ascending=[False, True], ignore_index=True)


PROGRESS_COLUMNS = [
    "spec_code",
    "spec_name",
    "brand",
    "launch_week",
    "weeks_since_launch",
    "distribution",
    "curve",
    "target",
    "reached",
    "vs_target",
    "city",
    "lagging",
]


def _league(territories: pd.DataFrame, cms: pd.DataFrame, week_to: dt.date, lang: str) -> pd.DataFrame:
    """Territories and customer managers ranked by 铺货率 in the last week, with the gap to the whole city."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = pd.concat(
        [territories.assign(level_label=t("level.territory")), cms.assign(level_label=t("level.cm"))], ignore_index=True
    )
    rows = rows[pd.to_datetime(rows["week"]).dt.date == week_to]
    pct = lambda s: (s * 100).round(1)  # noqa: E731
    rows = rows.sort_values(["level_label", "distribution_rate"], ascending=[False, False])
    return pd.DataFrame(
        {
            t("col.level"): rows["level_label"],
            t("col.level_name"): rows["level_name"],
            t("col.distribution"): pct(rows["distribution_rate"]),
            t("col.vs_city"): (rows["distribution_gap"] * 100).round(1),
            t("col.shelf"): pct(rows["shelf_rate"]),
            t("col.sellthrough"): pct(rows["sellthrough_rate"]),
            t("col.repeat"): pct(rows["repeat_rate"]),
            t("col.weekly_repeat"): pct(rows["weekly_repeat_rate"]),
            t("col.per_store"): rows["sales_per_stocking_retailer"].round(1),
            t("col.distributed"): rows["distributed_retailers"],
            t("col.active"): rows["active_retailers"],
        }
    ).reset_index(drop=True)


def _key_share_lines(params: dict, scope: store.Scope, lang: str) -> pd.DataFrame:
    """重点品牌比重 per territory of the scope over the sidebar's weeks, with the whole city's line
    and the scope's 同期 (its share in the same ISO weeks a year before, drawn at this year's weeks)."""
    weeks, filters = (params["week_from"], params["week_to"]), filters_of(params)
    ter = metrics.key_brand_share(*weeks, "territory", "all", scope, **filters)
    city = city_read(metrics.key_brand_share, *weeks, "city", "all", store.CITY, **filters)
    own = i18n.t("series.city" if scope.is_city else "inventory.focus_line", lang)
    frame = pd.concat(
        [
            ter.assign(series=own_names(ter, scope, lang, "level_name")["level_name"]),
            city.assign(series=i18n.t("series.city", lang)),
            _same_period_share(weeks, scope, filters).assign(series=i18n.t("series.last_year", lang, name=own)),
        ],
        ignore_index=True,
    )
    return frame.assign(share=frame["key_brand_share"] * 100)


def _same_period_share(weeks: tuple, scope: store.Scope, filters: dict) -> pd.DataFrame:
    """The scope's 重点品牌比重 in the same ISO weeks a year before, at this year's weeks (week 53 has none)."""
    if any(w is None or pd.isna(w) for w in weeks):  # a store without weeks
        return pd.DataFrame(columns=["week", "key_brand_share"])
    start, end = (pd.Timestamp(w).date() for w in weeks)
    first = metrics.same_period_week(start) or start - 52 * metrics.WEEK
    last = metrics.same_period_week(end) or end - 52 * metrics.WEEK
    before = metrics.key_brand_share(first, last, "city", "all", scope, **filters)
    by_week = dict(zip(pd.to_datetime(before["week"]).dt.date, before["key_brand_share"]))
    this_year = [start + i * metrics.WEEK for i in range((end - start).days // 7 + 1)]
    rows = [(pd.Timestamp(w), by_week.get(metrics.same_period_week(w))) for w in this_year]
    return pd.DataFrame([r for r in rows if r[1] is not None and pd.notna(r[1])], columns=["week", "key_brand_share"])


def brand_table(week: dt.date, params: dict, scope: store.Scope, lang: str) -> pd.DataFrame:
    """For the 周报: every new spec's uptake in the report week, over the scope (铺货率 and 上柜率 both)."""
    frame = metrics.new_brand_uptake(week, week, "city", scope, **filters_of(params))
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    pct = lambda s: (s * 100).round(1)  # noqa: E731
    frame = frame.sort_values("launch_week", ascending=False)
    return pd.DataFrame(
        {
            t("col.spec"): frame["spec_name"],
            t("col.brand"): frame["brand"],
            t("col.launch_week"): pd.to_datetime(frame["launch_week"]).dt.date,
            t("col.weeks_since_launch"): frame["weeks_since_launch"],
            t("col.distribution"): pct(frame["distribution_rate"]),
            t("col.shelf"): pct(frame["shelf_rate"]),
            t("col.sellthrough"): pct(frame["sellthrough_rate"]),
            t("col.repeat"): pct(frame["repeat_rate"]),
            t("col.weekly_repeat"): pct(frame["weekly_repeat_rate"]),
            t("col.per_store"): frame["sales_per_stocking_retailer"].round(1),
        }
    ).reset_index(drop=True)
