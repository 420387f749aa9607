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

from marketpulse import forecast, i18n, ingest, numbers, store, supply
from marketpulse import rules as rule_tables
from marketpulse.ingest import contract as ingest_contract

WEEK = dt.timedelta(days=7)
ALERT_LOOKBACK_WEEKS = 12   # how far back an alert's run of weeks is traced (始于 / 持续周数)


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
    ranking: pd.DataFrame | None = None # the tightest and loosest cells by state_score, as shown
    weights: dict | None = None         # state_score weights in % of their sum: cover, price, margin


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
        out.weights = score_weights(out.state)
        out.ranking = state_ranking(out.state, lang)
    if has("alerts"):
        # the query finds runs within week_from … week_to: look back, so "since" is the run's real start
        alerts = run("alerts", {**p, "week_from": week - ALERT_LOOKBACK_WEEKS * WEEK, "week_to": week}, scope)
        out.alerts = _alert_table(alerts[pd.to_datetime(alerts["week"]).dt.date == week], lang)
        out.alerts_source = "alerts"
    elif out.state is not None:
        out.alerts = _state_alerts(out.state, lang)
        out.alerts_source = "market_state"
    return out


def _alert_table(alerts: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The alert list as shown: most severe first, kind and reason in the page's language."""
    a = alerts.sort_values("severity_score", ascending=False)
    zh = lang == "zh"
    out = pd.DataFrame({
        i18n.t("col.severity", lang): [i18n.t(f"severity.{x}", lang) for x in a["severity"]],
        i18n.t("col.kind", lang): a["kind_zh" if zh else "kind_en"],
        # how long it has lasted comes before the long reason, so it shows on a laptop
        i18n.t("col.since", lang): pd.to_datetime(a["since_week"]).dt.date,
        i18n.t("col.weeks_running", lang): a["weeks_running"],
        i18n.t("col.reason", lang): a["reason_zh" if zh else "reason_en"],
        i18n.t("col.spec", lang): a["spec_name"],
        i18n.t("col.territory", lang): a["territory_name"],
        i18n.t("col.cm", lang): a["cm_name"],
        i18n.t("col.retailer", lang): a["retailer_name"],
        i18n.t("col.value", lang): a["value"].round(2),
        i18n.t("col.threshold", lang): a["threshold"].round(2),
    }).reset_index(drop=True)
    text = [c for c in out.columns if out[c].dtype == object or pd.api.types.is_string_dtype(out[c])]
    out[text] = out[text].fillna("")
    return out


RANKED_CELLS = 10   # the state-score table shows this many tightest and this many loosest cells


def score_weights(state: pd.DataFrame) -> dict | None:
    """The weights behind state_score as % of their sum (the score divides by it): cover, price, margin."""
    columns = {"cover": "cover_weight", "price": "price_weight", "margin": "margin_weight"}
    if state.empty or not set(columns.values()) <= set(state.columns):
        return None
    raw = {k: float(state[c].iloc[0]) for k, c in columns.items()}
    total = sum(raw.values())
    return {k: (v / total * 100 if total else 0.0) for k, v in raw.items()}


def state_ranking(state: pd.DataFrame, lang: str, n: int = RANKED_CELLS) -> pd.DataFrame | None:
    """The n tightest and n loosest cells by state_score, highest score first, with its components."""
    if "state_score" not in state:
        return None
    scored = state[state["state_score"].notna()].sort_values("state_score", ascending=False, kind="stable")
    tight = scored.head(n)
    loose = scored.iloc[len(tight):].tail(n)
    cells = pd.concat([tight, loose])
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    rank = ([t("rank.tight", n=i + 1) for i in range(len(tight))]
            + [t("rank.loose", n=len(loose) - i) for i in range(len(loose))])
    return pd.DataFrame({
        t("col.rank"): rank, t("col.spec"): cells["spec_name"].values, t("col.territory"): cells["territory_name"].values,
        t("col.state"): [i18n.state(s, lang) for s in cells["state"]],
        t("col.score"): cells["state_score"].round(1).values,
        t("col.cover_score"): cells["cover_score"].round(1).values,
        t("col.price_score"): cells["price_score"].round(1).values,
        t("col.margin_score"): cells["margin_score"].round(1).values,
        t("col.ratio"): cells["ratio"].round(2).values, t("col.price_index"): cells["price_index"].round(1).values,
    })


def _state_alerts(state: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Cells whose market state is not balanced, worst score first, with the reason in words."""
    cells = state[state["state"] != "balanced"].copy()
    if "state_score" in cells:
        cells = cells.sort_values("state_score")
    reason = [
        i18n.t("reason.state", lang, state=i18n.state(r.state, lang),
               ratio=numbers.fmt(r.ratio, 2), index=numbers.fmt(r.price_index, 1))
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


def data_page(lang: str = "zh") -> DataPage:
    """Import history, held-back rows, freshness per territory, what the store holds."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    counts = _fixed(
        "select 'visit_line' as table_name, count(*) as rows from visit_line "
        "union all select 'order_line', count(*) from order_line "
        "union all select 'retailer', count(*) from retailer "
        "union all select 'spec', count(*) from spec "
        "union all select 'weekly_observation', count(*) from weekly_observation"
    )
    counts = pd.DataFrame({t("data.table"): [t(f"table.{n}") for n in counts["table_name"]], t("data.rows"): counts["rows"]})
    log = ingest.import_log_frame()
    imports = pd.DataFrame({
        t("col.import_id"): log["import_id"], t("col.file"): log["file_name"],
        t("col.file_kind"): [ingest.KINDS[k].label(lang) if k in ingest.KINDS else k for k in log["kind"]],
        t("col.imported_at"): pd.to_datetime(log["imported_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        t("col.rows_read"): log["rows_read"], t("col.rows_stored"): log["rows_stored"],
        t("col.rows_replaced"): log["rows_replaced"], t("col.rows_quarantined"): log["rows_quarantined"],
        t("col.import_status"): [t(f"import.{x}") for x in log["status"]],
    })
    held = ingest.quarantine_frame()
    quarantine = pd.DataFrame({
        t("col.import_id"): held["import_id"], t("col.file"): held["file_name"], t("col.row"): held["row_number"],
        t("col.reason"): held["reason_zh" if lang == "zh" else "reason_en"], t("col.raw"): held["raw"],
    })
    return DataPage(imports=imports, quarantine=quarantine, freshness=freshness(), counts=counts)


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
    return ingest_contract.expected_table(lang)


def import_upload(data: bytes, file_name: str, kind: str | None, progress) -> "object":
    """Import one uploaded file; returns the importer's summary (raises ImportRefused)."""
    return ingest.import_bytes(data, file_name, kind, progress=progress)


# ── levels and drill-down ─────────────────────────────────────────────────────

NEXT_LEVEL = {"city": "department", "department": "territory", "territory": "cm", "cm": "retailer"}
LEVEL_FILTER = {"department": "dep", "territory": "ter", "cm": "cm"}   # sidebar key a click sets


def focus(department: str | None, territory: str | None, cm: str | None) -> str:
    """The level the sidebar has narrowed to; pages show the level below it."""
    return "cm" if cm else "territory" if territory else "department" if department else "city"


def group_band(params: dict) -> dict:
    """The monitoring point of the filtered customer group: the most specific match."""
    bands = _fixed("select * from monitoring_point")
    wanted = {"format": params.get("format"), "tier_band": params.get("tier_band"), "area_type": params.get("area_type")}
    best, best_score = None, -1
    for row in bands.to_dict("records"):
        if all(row[k] == "*" or row[k] == v for k, v in wanted.items()):
            score = sum(row[k] != "*" for k in wanted)
            if score > best_score:
                best, best_score = row, score
    return best or city_band()


def _status(ratio, low, high) -> str:
    if ratio is None or pd.isna(ratio):
        return "undefined"
    return "low" if ratio < low else "high" if ratio > high else "ok"


def _latest(frame: pd.DataFrame) -> tuple[pd.DataFrame, dt.date | None]:
    if frame is None or frame.empty:
        return frame, None
    week = pd.to_datetime(frame["week"]).max().date()
    return frame[pd.to_datetime(frame["week"]).dt.date == week].copy(), week


# ── 2 存销比监控 inventory ────────────────────────────────────────────────────

@dataclass
class Inventory:
    level: str
    series: pd.DataFrame          # week, level_key, level_name, ratio, with the focus's own line
    latest: pd.DataFrame          # one row per level key, last week: numbers and status
    out_of_band: pd.DataFrame | None
    band: dict
    week: dt.date | None


def inventory(params: dict, scope: store.Scope, focus_level: str, lang: str) -> Inventory:
    """存销比 over time at the level below the focus, its own line, the bands and the cells out of band."""
    level = NEXT_LEVEL.get(focus_level, "retailer")
    band = group_band(params)
    parts = run("inventory_ratio", {**params, "level": level}, scope)
    whole = run("inventory_ratio", {**params, "level": "city"}, scope)
    whole_name = i18n.t("inventory.focus_line", lang)
    whole = whole.assign(level_key="__focus__", level_name=whole_name)
    series = pd.concat([whole, parts], ignore_index=True)
    latest, week = _latest(parts)
    if latest is not None and len(latest):
        latest = latest.assign(status=[_status(r, band["ratio_low"], band["ratio_high"]) for r in latest["ratio"]])
        latest = latest.sort_values("ratio", ascending=False, na_position="last").reset_index(drop=True)
    cells = None
    if week is not None and has("market_state"):
        state = run("market_state", {**params, "week_from": week, "week_to": week}, scope)
        off = state[(state["ratio"] < state["ratio_low"]) | (state["ratio"] > state["ratio_high"])
                    | (state["ratio"].isna() & (state["stock_qty"] > 0))]
        cells = pd.DataFrame({
            i18n.t("col.spec", lang): off["spec_name"], i18n.t("col.territory", lang): off["territory_name"],
            i18n.t("col.ratio", lang): off["ratio"].round(2),
            i18n.t("col.band", lang): [f"{lo:.2f} – {hi:.2f}" for lo, hi in zip(off["ratio_low"], off["ratio_high"])],
            i18n.t("col.status", lang): [i18n.t(f"status.{_status(r, lo, hi) if pd.notna(r) else 'high'}", lang)
                                          for r, lo, hi in zip(off["ratio"], off["ratio_low"], off["ratio_high"])],
            i18n.t("col.stock", lang): off["stock_qty"].round(0),
            i18n.t("col.avg_sales", lang): off["avg_weekly_sales_4w"].round(1),
        }).reset_index(drop=True)
    return Inventory(level, series, latest, cells, band, week)


# ── 3 价格指数 prices ─────────────────────────────────────────────────────────

@dataclass
class Prices:
    week: dt.date | None
    by_brand: pd.DataFrame | None
    by_territory: pd.DataFrame | None
    chained: pd.DataFrame | None
    compliance: pd.DataFrame | None
    compliance_latest: pd.DataFrame | None
    spread: pd.DataFrame | None      # spec_name, retailer index (price ÷ suggested × 100)
    band: dict


SPREAD_SPECS = 8


def prices(params: dict, scope: store.Scope, formula: str, lang: str) -> Prices:
    """Cross-section index by brand and territory, the chained index, compliance, price spread."""
    band = group_band(params)
    week = params.get("week_to")
    one_week = {**params, "week_from": week, "week_to": week}
    by_brand = run("price_index", {**one_week, "level": "brand"}, scope)
    by_territory = run("price_index", {**one_week, "level": "territory"}, scope)
    chained = run("price_index_chained", {**params, "level": "city", "formula": formula}, scope)
    compliance = run("price_compliance", {**params, "level": "city", "tolerance": None}, scope)
    compliance_latest = run("price_compliance", {**one_week, "level": "territory", "tolerance": None}, scope)
    spec = run("price_index", {**one_week, "level": "spec"}, scope)
    spread = None
    if spec is not None and len(spec):
        top = spec.sort_values("sales_qty", ascending=False).head(SPREAD_SPECS)
        frames = [run("price_index", {**one_week, "level": "retailer", "spec_code": code}, scope).assign(spec_name=name)
                  for code, name in zip(top["level_key"], top["level_name"])]
        spread = pd.concat(frames, ignore_index=True) if frames else None
    by_brand, by_territory = _price_position(by_brand, band), _price_position(by_territory, band)
    return Prices(week, by_brand, by_territory, chained, compliance, compliance_latest, spread, band)


def _price_position(frame: pd.DataFrame | None, band: dict) -> pd.DataFrame | None:
    """Mark each index against the tight and loose lines; highest first."""
    if frame is None or frame.empty:
        return frame
    state = ["tight" if v >= band["index_tight"] else "loose" if v < band["index_loose"] else "balanced"
             for v in frame["price_index"].fillna(100)]
    return frame.assign(state=state).sort_values("price_index", ascending=False, ignore_index=True)


# ── 5 片区趋势 territory trends ───────────────────────────────────────────────

@dataclass
class TerritoryTrends:
    territory: str | None
    territory_name: str
    panels: dict[str, pd.DataFrame]      # metric → long frame: week, series, value
    signals: pd.DataFrame | None


def territory_trends(params: dict, scope: store.Scope, lang: str) -> TerritoryTrends:
    """One territory of the sidebar's scope against the city and the same period last year.

    The territory is the chosen 片区, else the chosen manager's, else the first one within
    the chosen 市场部 (else the city's first). Its lines are computed within the scope (a
    chosen manager narrows them to that manager's retailers)."""
    names = _fixed("select territory_code, territory_name from territory order by territory_code")
    territory = scope.territory_code
    if territory is None and scope.cm_code:
        own = _fixed("select territory_code from customer_manager where cm_code = $c", {"c": scope.cm_code})
        territory = own["territory_code"].iloc[0] if len(own) else None
    if territory is None:
        within = _fixed("select territory_code from territory order by territory_code", scope=scope)
        territory = within["territory_code"].iloc[0] if len(within) else None
    if territory is None:
        return TerritoryTrends(None, "", {}, None)
    name = dict(zip(names["territory_code"], names["territory_name"]))[territory]
    city, last_year = i18n.t("series.city", lang), i18n.t("series.last_year", lang, name=name)
    panels = {}

    def pair(query, column, sp_column=None, scale=1.0, extra=None):
        p = {**params, "product_level": "all", **(extra or {})}
        ter = run(query, {**p, "level": "territory"}, scope)
        whole = run(query, {**p, "level": "city"}, store.CITY)  # the benchmark: always the whole city
        if ter is None:
            return None
        ter = ter[ter["level_key"] == territory]
        parts = [ter.assign(series=name, value=ter[column] * scale), whole.assign(series=city, value=whole[column] * scale)]
        if sp_column:
            parts.append(ter.assign(series=last_year, value=ter[sp_column] * scale))
        return pd.concat(parts, ignore_index=True)[["week", "series", "value"]]

    panels["sales"] = pair("sales_volume", "sales_qty", "sp_sales_qty")
    if panels["sales"] is not None:  # the city's volume dwarfs a territory's: compare growth instead
        panels["sales"] = panels["sales"][panels["sales"]["series"] != city]
    panels["avg_price"] = pair("avg_price_per_carton", "avg_price_per_carton", "sp_avg_price_per_carton")
    panels["key_share"] = pair("key_brand_share", "key_brand_share", "sp_key_brand_share", 100)
    panels["ratio"] = pair("inventory_ratio", "ratio")
    panels["price_index"] = pair("price_index", "price_index")
    signals = run("notes_signals", {**params, "level": "territory"}, scope)
    if signals is not None:
        signals = signals[signals["level_key"] == territory].assign(
            signal_label=lambda s: s["signal_zh" if lang == "zh" else "signal_en"])
    return TerritoryTrends(territory, name, {k: v for k, v in panels.items() if v is not None}, signals)


# ── 6 客户经理 customer managers ──────────────────────────────────────────────

@dataclass
class Managers:
    scorecard: pd.DataFrame | None
    cm: str | None
    cm_name: str
    visits: pd.DataFrame | None           # cm_visits rows
    weekly: pd.DataFrame | None           # week, visited share
    unvisited: pd.DataFrame | None
    copy_suspect: pd.DataFrame | None


def scorecard_table(week_from, week_to, params: dict, scope: store.Scope, lang: str) -> pd.DataFrame | None:
    """The scorecard as shown and exported: one row per customer manager, rates in %."""
    p = {**params, "week_from": week_from, "week_to": week_to}
    card = run("cm_scorecard", {**p, "level": "cm"}, scope)
    if card is None:
        return None
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    pct = lambda col: (card[col] * 100).round(1)  # noqa: E731
    return pd.DataFrame({
        t("col.cm_code"): card["level_key"], t("col.cm"): card["level_name"],
        t("col.retailers"): card["retailers"],
        t("col.visit_rate"): pct("visit_rate"), t("col.unvisited_2w"): card["unvisited_2w"],
        t("col.on_time_rate"): pct("on_time_rate"), t("col.copy_rate"): pct("copy_suspect_rate"),
        t("col.sales"): card["sales_qty"].round(0), t("col.sales_growth"): pct("sales_growth"),
        t("col.new_brand_dist"): pct("new_brand_distribution"), t("col.fill_rate"): pct("order_fill_rate"),
    })


def managers(params: dict, scope: store.Scope, cm: str | None, lang: str) -> Managers:
    """The scorecard with weekly-sales sparklines, and one manager's visits in detail."""
    peers = store.Scope(department_code=scope.department_code, territory_code=scope.territory_code)
    card = scorecard_table(params["week_from"], params["week_to"], params, peers, lang)  # the manager among peers
    if card is not None and has("sales_volume"):
        weekly = run("sales_volume", {**params, "level": "cm", "product_level": "all"}, peers)
        spark = weekly.sort_values("week").groupby("level_key")["sales_qty"].apply(lambda s: [float(v) for v in s.fillna(0)])
        card.insert(2, i18n.t("col.trend", lang), [spark.get(code, []) for code in card[i18n.t("col.cm_code", lang)]])
    names = _fixed("select cm_code, cm_name from customer_manager")
    name = dict(zip(names["cm_code"], names["cm_name"])).get(cm, "")
    out = Managers(card, cm, name, None, None, None, None)
    if cm and has("cm_visits"):
        visits = run("cm_visits", {**params, "cm_code": cm}, scope)
        out.visits = visits
        out.weekly = visits.groupby("week", as_index=False).agg(
            visited=("visited", "sum"), planned=("visited", "size"), copy=("copy_suspect_visits", "sum"))
        out.weekly["share"] = out.weekly["visited"] / out.weekly["planned"] * 100
        last = visits[pd.to_datetime(visits["week"]) == pd.to_datetime(visits["week"]).max()]
        t = lambda key: i18n.t(key, lang)  # noqa: E731
        gone = last[last["unvisited_2w"]]
        out.unvisited = pd.DataFrame({
            t("col.license"): gone["level_key"], t("col.retailer"): gone["level_name"],
            t("col.last_visit"): pd.to_datetime(gone["last_visit_date"]).dt.date,
            t("col.weeks_unvisited"): gone["weeks_unvisited"],
        }).reset_index(drop=True)
        copied = visits[visits["copy_suspect_visits"] > 0]
        out.copy_suspect = pd.DataFrame({
            t("col.week"): pd.to_datetime(copied["week"]).dt.date, t("col.license"): copied["level_key"],
            t("col.retailer"): copied["level_name"], t("col.spec_lines"): copied["spec_lines"],
            t("col.copy_dates"): copied["copy_suspect_dates"],
        }).reset_index(drop=True)
    return out


# ── 4 新品牌培育 brand cultivation ────────────────────────────────────────────

TARGET_DISTRIBUTION = 0.6     # default target: 铺货率 reached by TARGET_WEEKS after launch,
TARGET_WEEKS = 26             # overridden by settings new_brand_target_distribution / _weeks


@dataclass
class Brands:
    specs: pd.DataFrame | None          # new specs: spec_code, spec_name, brand, launch_week
    spec: str | None
    spec_name: str
    city: pd.DataFrame | None           # the spec's city curve by weeks since launch
    territories: pd.DataFrame | None    # distribution curve per territory (+ city)
    target: pd.DataFrame | None         # weeks_since_launch, target distribution (%)
    target_text: tuple[float, int]
    lag_ratio: float
    league: pd.DataFrame | None         # territories and customer managers at week_to
    key_share: pd.DataFrame | None      # key-brand share by territory over time (+ city)


def _setting(key: str, default: float) -> float:
    row = _fixed("select value from setting where key = $k", {"k": key})
    return float(row["value"].iloc[0]) if len(row) else default


def brands(params: dict, scope: store.Scope, spec: str | None, lang: str) -> Brands:
    """Uptake curves of one new spec, territories against the city and the target, a league
    table, and the key-brand share by territory."""
    week_to = params["week_to"]
    target_share = _setting("new_brand_target_distribution", TARGET_DISTRIBUTION)
    target_weeks = int(_setting("new_brand_target_weeks", TARGET_WEEKS))
    lag = _setting("alert_uptake_lag_ratio", 0.7)
    if week_to is None:  # a store without weeks: nothing to draw
        return Brands(None, None, "", None, None, None, (target_share * 100, target_weeks), lag, None, None)
    full = {**params, "week_from": week_to - 51 * WEEK, "spec_code": None}
    city = run("new_brand_uptake", {**full, "level": "city"}, scope)
    key_share = _key_share_lines(params, scope, lang)
    out = Brands(None, None, "", None, None, None, (target_share * 100, target_weeks), lag, None, key_share)
    if city is None or city.empty:
        return out
    out.specs = (city.sort_values("launch_week", ascending=False)
                 .drop_duplicates("spec_code")[["spec_code", "spec_name", "brand", "launch_week"]].reset_index(drop=True))
    if spec not in set(out.specs["spec_code"]):
        return out  # not a spec launched in the 52 weeks (or filtered away): nothing to draw
    out.spec = spec
    out.spec_name = out.specs.set_index("spec_code").loc[out.spec, "spec_name"]
    one = {**full, "spec_code": out.spec}
    curve = city[city["spec_code"] == out.spec].sort_values("weeks_since_launch")
    out.city = curve
    weeks = range(0, int(curve["weeks_since_launch"].max()) + 1)
    out.target = pd.DataFrame({"weeks_since_launch": list(weeks),
                               "target": [target_share * 100 * min(1.0, w / max(1, target_weeks)) for w in weeks]})
    ter = run("new_brand_uptake", {**one, "level": "territory"}, scope)
    city_label = i18n.t("series.city", lang)
    out.territories = pd.concat([ter.assign(series=ter["level_name"]), curve.assign(series=city_label)], ignore_index=True)
    out.league = _league(one, scope, curve, week_to, lang)
    return out


def _league(params: dict, scope, city_curve: pd.DataFrame, week_to: dt.date, lang: str) -> pd.DataFrame:
    """Territories and customer managers ranked by 铺货率 in the last week, with the gap to the city."""
    last = {**params, "week_from": week_to}
    frames = []
    for level in ("territory", "cm"):
        f = run("new_brand_uptake", {**last, "level": level}, scope)
        frames.append(f.assign(level_label=i18n.t(f"level.{level}", lang)))
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[pd.to_datetime(rows["week"]).dt.date == week_to]
    city_now = city_curve[pd.to_datetime(city_curve["week"]).dt.date == week_to]["distribution_rate"]
    city_rate = float(city_now.iloc[0]) if len(city_now) else float("nan")
    pct = lambda s: (s * 100).round(1)  # noqa: E731
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = rows.sort_values(["level_label", "distribution_rate"], ascending=[False, False])
    return pd.DataFrame({
        t("col.level"): rows["level_label"], t("col.level_name"): rows["level_name"],
        t("col.distribution"): pct(rows["distribution_rate"]),
        t("col.vs_city"): ((rows["distribution_rate"] - city_rate) * 100).round(1),
        t("col.sellthrough"): pct(rows["sellthrough_rate"]), t("col.repeat"): pct(rows["repeat_rate"]),
        t("col.weekly_repeat"): pct(rows["weekly_repeat_rate"]),
        t("col.per_store"): rows["sales_per_stocking_retailer"].round(1),
        t("col.carrying"): rows["carrying_retailers"], t("col.active"): rows["active_retailers"],
    }).reset_index(drop=True)


def _key_share_lines(params: dict, scope, lang: str) -> pd.DataFrame | None:
    ter = run("key_brand_share", {**params, "level": "territory", "product_level": "all"}, scope)
    city = run("key_brand_share", {**params, "level": "city", "product_level": "all"}, scope)
    if ter is None or city is None:
        return None
    frame = pd.concat([ter.assign(series=ter["level_name"]), city.assign(series=i18n.t("series.city", lang))],
                      ignore_index=True)
    return frame.assign(share=frame["key_brand_share"] * 100)


def brand_table(week: dt.date, params: dict, scope: store.Scope, lang: str) -> pd.DataFrame | None:
    """For the 周报: every new spec's city uptake in the report week."""
    frame = run("new_brand_uptake", {**params, "level": "city", "week_from": week, "week_to": week}, scope)
    if frame is None:
        return None
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    pct = lambda s: (s * 100).round(1)  # noqa: E731
    frame = frame.sort_values("launch_week", ascending=False)
    return pd.DataFrame({
        t("col.spec"): frame["spec_name"], t("col.brand"): frame["brand"],
        t("col.launch_week"): pd.to_datetime(frame["launch_week"]).dt.date,
        t("col.weeks_since_launch"): frame["weeks_since_launch"],
        t("col.distribution"): pct(frame["distribution_rate"]), t("col.sellthrough"): pct(frame["sellthrough_rate"]),
        t("col.repeat"): pct(frame["repeat_rate"]), t("col.weekly_repeat"): pct(frame["weekly_repeat_rate"]),
        t("col.per_store"): frame["sales_per_stocking_retailer"].round(1),
    }).reset_index(drop=True)


# ── 7 货源建议 supply ─────────────────────────────────────────────────────────

@dataclass
class Supply:
    run: dict | None                   # the latest forecast refresh, None before the first
    table: pd.DataFrame | None         # recommendations as shown
    raw: pd.DataFrame | None           # recommendations as supply.recommendations returns them
    specs: pd.DataFrame | None         # spec_code, spec_name with forecasts
    spec: str | None
    history: pd.DataFrame | None       # the spec's city history: ds, y
    forecast: pd.DataFrame | None      # the spec's city forecast: ds, yhat, lo/hi 80/95
    accuracy: pd.DataFrame | None      # per level: median MASE of the model and the baselines
    spec_accuracy: dict | None
    festivals: list


def forecast_run(scope: store.Scope = store.CITY) -> dict | None:
    """The latest forecast refresh, or None before the first."""
    return forecast.last_run(scope) if has("forecast_run") else None


def supply_page(scope: store.Scope, spec: str | None, lang: str) -> Supply:
    """Next week's recommendations, one spec's history and forecast, and backtest accuracy."""
    run = forecast.last_run(scope) if has("forecast_run") else None
    if run is None:
        return Supply(None, None, None, None, None, None, None, None, None, [])
    raw = supply.recommendations(scope)
    fc = forecast.stored_forecasts(scope=scope)
    city = fc[fc["level"] == "city"]
    specs = city.drop_duplicates("spec_code")[["spec_code", "spec_name"]].sort_values("spec_name").reset_index(drop=True)
    volume = city[city["step"] == 1].sort_values("yhat", ascending=False)
    spec = spec if spec in set(specs["spec_code"]) else (volume["spec_code"].iloc[0] if len(volume) else None)
    history = forecast.stored_history(spec_code=spec, scope=scope)
    history = history[history["level"] == "city"]
    accuracy = forecast.stored_accuracy(scope)
    one = accuracy[(accuracy["spec_code"] == spec) & (accuracy["level"] == "city")]
    years = sorted({d.year for d in pd.to_datetime(history["ds"])} | {d.year for d in pd.to_datetime(city["ds"])})
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    summary = accuracy.groupby("level").agg(
        series=("unique_id", "size"), model=("mase_model", "median"),
        seasonal=("mase_seasonal_naive", "median"), festival=("mase_festival_naive", "median")).reset_index()
    summary = pd.DataFrame({
        t("col.level"): [t(f"level.{x}") for x in summary["level"]], t("col.series"): summary["series"],
        t("col.mase_model"): summary["model"].round(2), t("col.mase_seasonal"): summary["seasonal"].round(2),
        t("col.mase_festival"): summary["festival"].round(2),
    })
    zh = lang == "zh"
    table = pd.DataFrame({
        t("col.spec"): raw["spec_name"], t("col.department"): raw["department_name"],
        t("col.verdict"): raw["verdict"].map(lambda v: t(f"verdict.{v}")),
        t("col.recommended"): raw["recommended_qty"].round(0), t("col.change"): raw["change_pct"].round(1),
        t("col.forecast"): raw["forecast_qty"].round(0),
        t("col.interval80"): [f"{lo:,.0f} – {hi:,.0f}" for lo, hi in zip(raw["lo80"], raw["hi80"])],
        t("col.mase"): raw["mase_model"].round(2), t("col.stock"): raw["current_stock"].round(0),
        t("col.ratio"): raw["ratio"].round(2), t("col.price_index"): raw["price_index"].round(1),
        t("col.reason"): raw["reason_zh" if zh else "reason_en"],
        t("col.fallback"): raw["is_fallback"].map(lambda b: t("word.yes") if b else t("word.no")),
    })
    return Supply(run, table, raw, specs, spec, history[["ds", "y"]],
                  city[city["spec_code"] == spec][["ds", "yhat", "lo80", "hi80", "lo95", "hi95", "is_fallback"]],
                  summary, one.iloc[0].to_dict() if len(one) else None, forecast.festival_weeks(years))


# ── 8 数据: business rules ───────────────────────────────────────────────────

def rules(table: str) -> pd.DataFrame:
    """One rule table as the marketing center edits it."""
    return rule_tables.rules_frame(table)


def save_rules(table: str, frame: pd.DataFrame) -> int:
    """Replace a rule table with the edited rows; all or nothing (raises RuleError)."""
    return rule_tables.replace_rules_frame(table, frame)
