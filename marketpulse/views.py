"""What each page draws, gathered from the named queries: one function per page.

Pages read the sidebar, call one function here (through `ui.load`, which caches it on the
store version) and draw what comes back. Metric numbers come only from queries/*.sql via
`store.run`; the few fixed lookups here (filter options, freshness) read reference tables.
A query that is not in this release yet yields None, and the page says what the section
will show instead of failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from marketpulse import charts, i18n, store

WEEK = dt.timedelta(days=7)


# ── plumbing ──────────────────────────────────────────────────────────────────

def has(name: str) -> bool:
    """Whether this release has the named query."""
    return (store.QUERY_DIR / f"{name}.sql").exists()


def run(name: str, params: dict, scope: store.Scope = store.CITY) -> pd.DataFrame | None:
    """Run a named query with the parameters it takes (others dropped); None if absent."""
    if not has(name):
        return None
    wanted = store.query_params(name)
    return store.run(name, {k: v for k, v in params.items() if k in wanted}, scope=scope)


def same_period(week: dt.date) -> dt.date | None:
    """Monday of the same ISO week last year (同期); None when that year has no such week."""
    year, number, _ = week.isocalendar()
    try:
        return dt.date.fromisocalendar(year - 1, number, 1)
    except ValueError:
        return None


def _fixed(sql: str, params: dict | None = None, scope: store.Scope = store.CITY) -> pd.DataFrame:
    return store.reader().sql(sql, params or {}, scope)


def _growth(now, before) -> float | None:
    if now is None or before is None or pd.isna(now) or pd.isna(before) or before == 0:
        return None
    return (float(now) / float(before) - 1) * 100


def _at(frame: pd.DataFrame | None, week: dt.date | None, column: str, key: str | None = None):
    """One value of a (week, level_key) frame; None when absent."""
    if frame is None or week is None or frame.empty or column not in frame:
        return None
    rows = frame[pd.to_datetime(frame["week"]).dt.date == week]
    if key is not None and "level_key" in rows:
        rows = rows[rows["level_key"] == key]
    if rows.empty:
        return None
    value = rows[column].iloc[0]
    return None if pd.isna(value) else float(value)


# ── shared lookups ────────────────────────────────────────────────────────────

@dataclass
class Reference:
    weeks: list[dt.date]
    departments: pd.Series              # code → name
    territories: pd.DataFrame           # territory_code, territory_name, department_code, area_type
    cms: pd.DataFrame                   # cm_code, cm_name, territory_code
    specs: pd.DataFrame                 # spec_code, spec_name, brand, price_class, is_key_brand, launch_date
    formats: list[str]
    tier_bands: list[str]
    bands: pd.DataFrame                 # monitoring points


def reference() -> Reference:
    """Filter options: weeks with data, the hierarchy, specs, customer groups."""
    weeks = _fixed("select distinct week from weekly_observation order by week")
    dep = _fixed("select department_code, department_name from department order by department_code")
    return Reference(
        weeks=[pd.Timestamp(w).date() for w in weeks["week"]],
        departments=pd.Series(dep["department_name"].values, index=dep["department_code"].values),
        territories=_fixed("select territory_code, territory_name, department_code, area_type "
                           "from territory order by department_code, territory_code"),
        cms=_fixed("select cm_code, cm_name, territory_code from customer_manager order by territory_code, cm_code"),
        specs=_fixed("select spec_code, spec_name, brand, price_class, is_key_brand, launch_date "
                     "from spec order by brand, spec_code"),
        formats=list(_fixed("select distinct format from retailer order by format")["format"]),
        tier_bands=list(_fixed("select tier_band from tier_band order by tier_from")["tier_band"]),
        bands=_fixed("select * from monitoring_point order by format, tier_band, area_type"),
    )


@dataclass
class Freshness:
    latest_week: dt.date | None
    imported_at: dt.datetime | None
    by_territory: pd.DataFrame          # territory_code, territory_name, latest_week


def freshness(scope: store.Scope = store.CITY) -> Freshness:
    """Latest week reported, overall and per territory, and when the last import ran."""
    ter = _fixed(
        """select t.territory_code, t.territory_name, max(v.week) as latest_week,
                  count(distinct v.license_no) as retailers
           from territory as t left join retailer_visit as v using (territory_code)
           group by all order by t.territory_code""",
        scope=scope,
    )
    ter["latest_week"] = pd.to_datetime(ter["latest_week"]).dt.date
    ter = ter[ter["latest_week"].notna()]
    log = _fixed("select max(imported_at) as at from import_log where status = 'stored'")
    at = log["at"].iloc[0] if len(log) else None
    return Freshness(
        latest_week=max(ter["latest_week"]) if len(ter) else None,
        imported_at=None if at is None or pd.isna(at) else pd.Timestamp(at).to_pydatetime(),
        by_territory=ter.reset_index(drop=True),
    )


def city_band() -> dict:
    """The city-wide monitoring point ('*' everywhere): the bands drawn on city charts."""
    bands = _fixed("select * from monitoring_point where format = '*' and tier_band = '*' and area_type = '*'")
    if bands.empty:
        return {"ratio_low": 0.5, "ratio_high": 2.0, "index_tight": 100.0, "index_loose": 95.0}
    return bands.iloc[0].to_dict()


# ── 1 营销周报 weekly review ──────────────────────────────────────────────────

@dataclass
class Kpi:
    key: str                  # i18n key of the label
    value: float | None
    wow: float | None         # change on last week: % (or points for shares and indices)
    yoy: float | None         # change on the same period last year
    unit: str                 # qty | price | weeks | index | pct
    rag: str | None           # red | amber | green
    points: bool = False      # changes in percentage points rather than %


@dataclass
class WeeklyReview:
    week: dt.date | None
    kpis: list[Kpi] = field(default_factory=list)
    alerts: pd.DataFrame | None = None
    alerts_source: str | None = None    # 'alerts' or 'market_state' (cells out of band)
    state: pd.DataFrame | None = None   # market_state for the week, with names
    band: dict = field(default_factory=dict)


def _rag_ratio(value, band) -> str | None:
    if value is None:
        return None
    low, high = band["ratio_low"], band["ratio_high"]
    if value < low or value > high:
        return "red"
    margin = 0.1 * (high - low)
    return "amber" if value < low + margin or value > high - margin else "green"


def _rag_index(value, band) -> str | None:
    if value is None:
        return None
    if value < band["index_loose"]:
        return "red"
    return "amber" if value < band["index_loose"] + 3 else "green"


def _rag_growth(value) -> str | None:
    if value is None:
        return None
    return "red" if value < -5 else "amber" if value < 0 else "green"


def _three_weeks(name: str, params: dict, week: dt.date, scope, column: str, key: str = "city"):
    """(this week, last week, same period) of one column of a city-level metric."""
    frame = run(name, {**params, "level": "city", "product_level": "all",
                       "week_from": week - WEEK, "week_to": week}, scope)
    sp = same_period(week)
    sp_frame = run(name, {**params, "level": "city", "product_level": "all",
                          "week_from": sp, "week_to": sp}, scope) if sp else None
    return _at(frame, week, column, key), _at(frame, week - WEEK, column, key), _at(sp_frame, sp, column, key)


def _two_weeks(name: str, params: dict, week: dt.date, scope, column: str, sp_column: str):
    """(this week, last week, this week's same-period column) of a city-level metric."""
    frame = run(name, {**params, "level": "city", "product_level": "all",
                       "week_from": week - WEEK, "week_to": week}, scope)
    return _at(frame, week, column, "city"), _at(frame, week - WEEK, column, "city"), _at(frame, week, sp_column, "city")


def weekly_review(week: dt.date | None, params: dict, scope: store.Scope = store.CITY, lang: str = "zh") -> WeeklyReview:
    """Last week's KPI cards, the alert list and the market-state matrix."""
    out = WeeklyReview(week=week, band=city_band())
    if week is None:
        return out
    band = out.band
    p = {k: v for k, v in params.items() if k not in ("week_from", "week_to")}

    if has("sales_volume"):
        sv = run("sales_volume", {**p, "level": "city", "product_level": "all", "week_from": week, "week_to": week}, scope)
        row = sv.iloc[0] if len(sv) else None
        get = (lambda c: None if row is None or pd.isna(row[c]) else float(row[c]))
        qty = get("sales_qty")
        out.kpis.append(Kpi("kpi.sales", qty, _pct(get("wow_growth")), _pct(get("sp_growth")), "qty",
                            _rag_growth(_pct(get("sp_growth")))))
    if has("avg_price_per_carton"):
        now, prev, yoy = _two_weeks("avg_price_per_carton", p, week, scope, "avg_price_per_carton", "sp_growth")
        out.kpis.append(Kpi("kpi.avg_price", now, _growth(now, prev), _pct(yoy), "price", _rag_growth(_pct(yoy))))
    if has("inventory_ratio"):
        now, prev, sp = _three_weeks("inventory_ratio", p, week, scope, "ratio")
        out.kpis.append(Kpi("kpi.ratio", now, _growth(now, prev), _growth(now, sp), "weeks", _rag_ratio(now, band)))
    if has("price_index"):
        now, prev, sp = _three_weeks("price_index", p, week, scope, "price_index")
        out.kpis.append(Kpi("kpi.price_index", now, _diff(now, prev), _diff(now, sp), "index",
                            _rag_index(now, band), points=True))
    if has("key_brand_share"):
        now, prev, change = _two_weeks("key_brand_share", p, week, scope, "key_brand_share", "share_change")
        now, prev, change = (_pct(v) for v in (now, prev, change))
        out.kpis.append(Kpi("kpi.key_share", now, _diff(now, prev), change, "pct", _rag_growth(change), points=True))
    if has("new_brand_uptake"):
        out.kpis.append(_new_brand_kpi(p, week, scope))

    if has("market_state"):
        state = run("market_state", {**p, "week_from": week, "week_to": week}, scope)
        out.state = _named_cells(state)
    if has("alerts"):
        out.alerts = _alert_table(run("alerts", {**p, "week_from": week, "week_to": week}, scope), lang)
        out.alerts_source = "alerts"
    elif out.state is not None:
        out.alerts = _state_alerts(out.state, lang)
        out.alerts_source = "market_state"
    return out


def _alert_table(alerts: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The alert list as shown: most severe first, reason in the page's language."""
    spec = _fixed("select spec_code, spec_name from spec")
    ter = _fixed("select territory_code, territory_name from territory")
    cm = _fixed("select cm_code, cm_name from customer_manager")
    a = alerts.merge(spec, on="spec_code", how="left").merge(ter, on="territory_code", how="left")
    a = a.merge(cm, on="cm_code", how="left").sort_values(["severity", "kind"], ascending=[False, True])
    return pd.DataFrame({
        i18n.t("col.severity", lang): a["severity"],
        i18n.t("col.reason", lang): a["reason_zh" if lang == "zh" else "reason_en"],
        i18n.t("col.spec", lang): a["spec_name"],
        i18n.t("col.territory", lang): a["territory_name"],
        i18n.t("col.cm", lang): a["cm_name"],
        i18n.t("col.retailer", lang): a["license_no"],
        i18n.t("col.value", lang): a["value"],
        i18n.t("col.threshold", lang): a["threshold"],
        i18n.t("col.since", lang): pd.to_datetime(a["since_week"]).dt.date,
    }).reset_index(drop=True)


def _state_alerts(state: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Cells whose market state is not balanced, worst score first, with the reason in words."""
    cells = state[state["state"] != "balanced"].copy()
    if "state_score" in cells:
        cells = cells.sort_values("state_score")
    reason = [
        i18n.t("reason.state", lang, state=i18n.state(r.state, lang),
               ratio=charts.fmt(r.ratio, 2), index=charts.fmt(r.price_index, 1))
        for r in cells.itertuples()
    ]
    return pd.DataFrame({
        i18n.t("col.state", lang): [i18n.state(s, lang) for s in cells["state"]],
        i18n.t("col.reason", lang): reason,
        i18n.t("col.spec", lang): cells["spec_name"].values,
        i18n.t("col.territory", lang): cells["territory_name"].values,
        i18n.t("col.ratio", lang): cells["ratio"].round(2).values,
        i18n.t("col.price_index", lang): cells["price_index"].round(1).values,
    })


def _new_brand_kpi(p: dict, week: dt.date, scope) -> Kpi:
    """铺货率 of the specs launched in the last 52 weeks, all of them together, city level."""
    frame = run("new_brand_uptake", {**p, "level": "city", "week_from": week - WEEK, "week_to": week}, scope)
    now = prev = None
    if frame is not None and len(frame) and "distribution_rate" in frame:
        by_week = frame.groupby(pd.to_datetime(frame["week"]).dt.date)["distribution_rate"].mean() * 100
        now, prev = by_week.get(week), by_week.get(week - WEEK)
    return Kpi("kpi.new_brand", now, _diff(now, prev), None, "pct", _rag_growth(_diff(now, prev)), points=True)


def _pct(v):
    return None if v is None else v * 100


def _div(a, b):
    return None if a is None or b is None or b == 0 else a / b


def _diff(a, b):
    return None if a is None or b is None else a - b


def _named_cells(state: pd.DataFrame) -> pd.DataFrame:
    """Market-state cells with the spec and territory names beside their codes."""
    names = _fixed("select spec_code, brand from spec")
    out = state.merge(names, on="spec_code", how="left")
    return out.sort_values(["brand", "spec_code", "territory_code"]).reset_index(drop=True)


# ── 8 数据 data ──────────────────────────────────────────────────────────────

@dataclass
class DataPage:
    imports: pd.DataFrame
    quarantine: pd.DataFrame
    freshness: Freshness
    counts: pd.DataFrame


def data_page() -> DataPage:
    """Import history, held-back rows, freshness per territory, what the store holds."""
    from marketpulse import ingest

    counts = _fixed(
        "select 'visit_line' as table_name, count(*) as rows from visit_line "
        "union all select 'order_line', count(*) from order_line "
        "union all select 'retailer', count(*) from retailer "
        "union all select 'spec', count(*) from spec "
        "union all select 'weekly_observation', count(*) from weekly_observation"
    )
    return DataPage(
        imports=ingest.import_log_frame(),
        quarantine=ingest.quarantine_frame(),
        freshness=freshness(),
        counts=counts,
    )


def glossary(lang: str) -> pd.DataFrame:
    """Every metric in plain words (the Data page's glossary)."""
    return pd.DataFrame({
        i18n.t("gloss.term", lang): [i18n.t(f"gloss.{k}", lang) for k in i18n.GLOSSARY],
        i18n.t("gloss.definition", lang): [i18n.t(f"gloss.{k}.def", lang) for k in i18n.GLOSSARY],
    })


def freshness_table(lang: str) -> pd.DataFrame:
    """Latest week reported per territory, and how many weeks it is behind the newest."""
    fresh = freshness()
    ter = fresh.by_territory
    behind = [(fresh.latest_week - w).days // 7 for w in ter["latest_week"]]
    return pd.DataFrame({
        i18n.t("col.territory", lang): ter["territory_name"],
        i18n.t("data.latest_week", lang): ter["latest_week"],
        i18n.t("data.behind", lang): behind,
        i18n.t("data.retailers", lang): ter["retailers"],
    })


def contract(lang: str) -> pd.DataFrame:
    """The import files' columns, as the importer expects them."""
    from marketpulse import ingest_contract

    return ingest_contract.expected_table(lang)


def import_upload(data: bytes, file_name: str, kind: str | None, progress) -> "object":
    """Import one uploaded file; returns the importer's summary (raises ImportRefused)."""
    from marketpulse import ingest

    return ingest.import_bytes(data, file_name, kind, progress=progress)
