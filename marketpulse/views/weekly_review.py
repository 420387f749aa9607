"""营销周报 Weekly review: last week's KPI cards, the alert list and the market-state matrix
with its ranking; the 周报 workbook is built from the same records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from marketpulse import i18n, metrics, store
from marketpulse.metrics.api import city_read
from marketpulse.views.base import city_band, filters_of, group_band, own_names
from marketpulse.views.brands import LAG_RATIO

# the alert list first looks this far back; a run that reaches it is traced further, as far as
# it goes (metrics.alerts), so 始于 / 持续周数 are the run's own
ALERT_LOOKBACK_WEEKS = 12
RANKED_CELLS = 10  # the state-score table shows at most this many tight and this many loose cells
RECENT_WEEKS = 8  # a 片区's market-state grid shows its specs over this many weeks
ACTIONS = {  # alert kind → the i18n key of the action it asks for
    "overstock": "action.overstock",
    "stockout": "action.stockout",
    "discounting": "action.discounting",
    "lagging_launch": "action.lagging_launch",
    "copy_suspect": "action.copy_suspect",
    "missed_visits": "action.missed_visits",
    "retailer_outlier": "action.retailer_outlier",
}


@dataclass
class Kpi:
    key: str  # i18n key of the label
    value: float | None
    wow: float | None  # change on last week: % (or points for shares and indices)
    yoy: float | None  # change on the same period last year
    unit: str  # qty | price | weeks | index | pct
    rag: str | None  # red | amber | green
    points: bool = False  # changes in percentage points rather than %
    cumulative: bool = False  # has a year to date (年累计): sums do, levels (存销比, 铺货率) do not
    ytd: float | None = None  # 年累计, in the card's unit
    ytd_yoy: float | None = None  # 累计同比: change on the same ISO weeks last year, % or points
    city: float | None = None  # the whole city's value, beside a 市场部's, 片区's or manager's


@dataclass
class WeeklyReview:
    week: dt.date | None
    kpis: list[Kpi] = field(default_factory=list)
    alerts: pd.DataFrame | None = None  # the alert list as shown, most severe first
    state: pd.DataFrame | None = None  # market_state for the week, with names
    alert_codes: pd.DataFrame | None = None  # spec_code, territory_code, cm_code, kind of each alert row, for drilling
    recent: pd.DataFrame | None = None  # a 片区's or manager's cells over the last RECENT_WEEKS weeks
    band: dict = field(default_factory=dict)
    ranking: pd.DataFrame | None = None  # the tightest and loosest cells by state_score, as shown
    weights: dict | None = None  # state_score weights in % of their sum: cover, price, margin
    ytd_year: str | None = None  # the ISO year of the year to date
    ytd_weeks: int | None = None  # its weeks, 1 … the report week's ISO week number
    ytd_compared: bool = False  # last year's same weeks are held in full: 累计同比 has a base


def weekly_review(
    week: dt.date | None, params: dict, scope: store.Scope = store.CITY, lang: str = "zh"
) -> WeeklyReview:
    """Last week's KPI cards, the alert list and the market-state matrix."""
    out = WeeklyReview(week=week, band=city_band())
    if week is None:
        return out
    filters = filters_of(params)
    narrow = bool(scope.territory_code or scope.cm_code)
    figures, whole, state, recent, alerts = store.side_by_side(
        lambda: city_read(metrics.week_kpis, week, "city", "city", scope, **filters),
        # a territory reads its numbers against the whole city's
        lambda: (
            city_read(metrics.week_kpis, week, "city", "city", store.CITY, **filters) if scope != store.CITY else None
        ),
        lambda: metrics.market_state(week, week, scope, **filters),
        lambda: (
            metrics.market_state(week - (RECENT_WEEKS - 1) * metrics.WEEK, week, scope, **filters) if narrow else None
        ),
        lambda: metrics.alerts(week, week, scope, trace_weeks=ALERT_LOOKBACK_WEEKS, **filters),
    )
    out.kpis = kpi_cards(figures, out.band)
    if whole is not None:
        lag = store.setting("alert_uptake_lag_ratio", LAG_RATIO)
        for kpi, city in zip(out.kpis, kpi_cards(whole, out.band)):
            kpi.city = city.value
            if kpi.key == "kpi.new_brand":  # a scope's new brands stand against the city's
                kpi.rag = rag_beside_city(kpi.value, city.value, kpi.rag, lag)
    out.ytd_year, out.ytd_weeks = figures["ytd_year"], week.isocalendar()[1]
    out.ytd_compared = figures["ytd_sp_sales_qty"] is not None
    out.state = _named_cells(own_names(state, scope, lang))
    out.weights = score_weights(out.state)
    out.ranking = state_ranking(out.state, lang)
    if narrow:
        out.recent = _named_cells(own_names(recent, scope, lang))
    out.alerts = _alert_table(alerts, lang, scope.cm_code)
    order = alerts.sort_values("severity_score", ascending=False, kind="stable")
    out.alert_codes = order[["spec_code", "territory_code", "cm_code", "kind"]].reset_index(drop=True)
    return out


def kpi_cards(k: dict, band: dict) -> list[Kpi]:
    """The cards from metrics.week_kpis: changes in % or points, each with its traffic light, and
    the year to date with its 累计同比 where the figure is a sum or a ratio of sums."""
    sales_yoy = _pct(k["sp_growth"])
    price_yoy = _pct(k["avg_price_sp_growth"])
    share, share_prev, share_change = (_pct(k[c]) for c in ("key_brand_share", "prev_key_brand_share", "share_change"))
    brand, brand_prev = _pct(k["new_brand_distribution"]), _pct(k["prev_new_brand_distribution"])
    price, ratio, index = k["avg_price_per_carton"], k["ratio"], k["price_index"]
    return [
        Kpi(
            "kpi.sales",
            k["sales_qty"],
            _pct(k["wow_growth"]),
            sales_yoy,
            "qty",
            _rag_growth(sales_yoy),
            cumulative=True,
            ytd=k["ytd_sales_qty"],
            ytd_yoy=_pct(k["ytd_sp_growth"]),
        ),
        Kpi(
            "kpi.avg_price",
            price,
            _growth(price, k["prev_avg_price_per_carton"]),
            price_yoy,
            "price",
            _rag_growth(price_yoy),
            cumulative=True,
            ytd=k["ytd_avg_price_per_carton"],
            ytd_yoy=_pct(k["ytd_avg_price_sp_growth"]),
        ),
        Kpi(
            "kpi.ratio",
            ratio,
            _growth(ratio, k["prev_ratio"]),
            _growth(ratio, k["sp_ratio"]),
            "weeks",
            _rag_ratio(ratio, band),
        ),
        Kpi(
            "kpi.price_index",
            index,
            _diff(index, k["prev_price_index"]),
            _diff(index, k["sp_price_index"]),
            "index",
            _rag_index(index, band),
            points=True,
            cumulative=True,
            ytd=k["ytd_price_index"],
            ytd_yoy=k["ytd_price_index_change"],
        ),
        Kpi(
            "kpi.key_share",
            share,
            _diff(share, share_prev),
            share_change,
            "pct",
            _rag_growth(share_change),
            points=True,
            cumulative=True,
            ytd=_pct(k["ytd_key_brand_share"]),
            ytd_yoy=_pct(k["ytd_share_change"]),
        ),
        Kpi(
            "kpi.new_brand",
            brand,
            _diff(brand, brand_prev),
            None,
            "pct",
            _rag_growth(_diff(brand, brand_prev)),
            points=True,
        ),
    ]


def _pct(v):
    return None if v is None else v * 100


def _diff(a, b):
    return None if a is None or b is None else a - b


def _growth(now, before) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return (float(now) / float(before) - 1) * 100


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


def rag_beside_city(value, city, rag: str | None, lag: float) -> str | None:
    """A scope's 新品铺货率 light beside the city's: red below `lag` × the city's (where 新品滞后
    is raised), amber below the city's, else its own trend's light."""
    if value is None or city is None:
        return rag
    if value < lag * city:
        return "red"
    return "amber" if value < city else rag


def _rag_growth(value) -> str | None:
    if value is None:
        return None
    return "red" if value < -5 else "amber" if value < 0 else "green"


def _named_cells(state: pd.DataFrame) -> pd.DataFrame:
    """Market-state cells with each spec's brand beside its code, by brand, spec and territory."""
    names = metrics.lookup("specs")[["spec_code", "brand"]]
    out = state.merge(names, on="spec_code", how="left")
    return out.sort_values(["brand", "spec_code", "territory_code"]).reset_index(drop=True)


def _owners(alerts: pd.DataFrame, cm_code: str | None = None) -> list[str]:
    """Who owns each alert: its customer manager, else the managers of its 片区; under one manager's
    scope every alert is that manager's own (its numbers are only the manager's retailers)."""
    cms = metrics.lookup("customer_managers")
    if cm_code:
        name = dict(zip(cms["cm_code"], cms["cm_name"])).get(cm_code, cm_code)
        return [name] * len(alerts)
    by_territory = cms.groupby("territory_code")["cm_name"].apply("、".join).to_dict()
    return [
        cm if isinstance(cm, str) and cm else by_territory.get(ter, "")
        for cm, ter in zip(alerts["cm_name"], alerts["territory_code"])
    ]


def _alert_table(alerts: pd.DataFrame, lang: str, cm_code: str | None = None) -> pd.DataFrame:
    """The alert list as shown: most severe first, kind, reason and action in the page's language,
    with the 片区 and customer managers who own it (`cm_code`: the manager whose scope it is)."""
    a = alerts.sort_values("severity_score", ascending=False, kind="stable")
    zh = lang == "zh"
    out = pd.DataFrame(
        {
            i18n.t("col.severity", lang): [i18n.t(f"severity.{x}", lang) for x in a["severity"]],
            i18n.t("col.kind", lang): a["kind_zh" if zh else "kind_en"],
            # how long it has lasted comes before the long reason, so it shows on a laptop
            i18n.t("col.since", lang): pd.to_datetime(a["since_week"]).dt.date,
            i18n.t("col.weeks_running", lang): a["weeks_running"],
            i18n.t("col.reason", lang): a["reason_zh" if zh else "reason_en"],
            i18n.t("col.spec", lang): a["spec_name"],
            i18n.t("col.territory", lang): a["territory_name"],
            i18n.t("col.cm", lang): _owners(a, cm_code) if len(a) else a["cm_name"],
            i18n.t("col.action", lang): [i18n.t(ACTIONS.get(k, "action.check"), lang) for k in a["kind"]],
            i18n.t("col.retailer", lang): a["retailer_name"],
            i18n.t("col.value", lang): a["value"].round(2),
            i18n.t("col.threshold", lang): a["threshold"].round(2),
            i18n.t("col.severity_score", lang): a["severity_score"].round(2),
        }
    ).reset_index(drop=True)
    text = [c for c in out.columns if out[c].dtype == object or pd.api.types.is_string_dtype(out[c])]
    out[text] = out[text].fillna("")
    return out


def score_weights(state: pd.DataFrame) -> dict | None:
    """The weights behind state_score as % of their sum (the score divides by it): cover, price, margin."""
    columns = {"cover": "cover_weight", "price": "price_weight", "margin": "margin_weight"}
    if state.empty or not set(columns.values()) <= set(state.columns):
        return None
    raw = {k: float(state[c].iloc[0]) for k, c in columns.items()}
    total = sum(raw.values())
    return {k: (v / total * 100 if total else 0.0) for k, v in raw.items()}


def state_ranking(state: pd.DataFrame, lang: str, n: int = RANKED_CELLS) -> pd.DataFrame | None:
    """The tightest tight cells (highest state_score first) and the loosest loose cells (lowest
    first), at most n of each, with the score's components; a balanced cell is in neither list."""
    if "state_score" not in state:
        return None
    scored = state[state["state_score"].notna()]
    tight = scored[scored["state"] == "tight"].sort_values("state_score", ascending=False, kind="stable").head(n)
    loose = scored[scored["state"] == "loose"].sort_values("state_score", ascending=True, kind="stable").head(n)
    cells = pd.concat([tight, loose])
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    rank = [t("rank.tight", n=i + 1) for i in range(len(tight))] + [t("rank.loose", n=i + 1) for i in range(len(loose))]
    return pd.DataFrame(
        {
            t("col.rank"): rank,
            t("col.spec"): cells["spec_name"].values,
            t("col.territory"): cells["territory_name"].values,
            t("col.state"): [i18n.state(s, lang) for s in cells["state"]],
            t("col.score"): cells["state_score"].round(1).values,
            t("col.cover_score"): cells["cover_score"].round(1).values,
            t("col.price_score"): cells["price_score"].round(1).values,
            t("col.margin_score"): cells["margin_score"].round(1).values,
            t("col.ratio"): cells["ratio"].round(2).values,
            t("col.price_index"): cells["price_index"].round(1).values,
        }
    )


def cell_retailers(week: dt.date, params: dict, scope: store.Scope, lang: str) -> pd.DataFrame:
    """The retailers behind one spec × 片区 cell (the sidebar's spec within its scope) in the
    week: cover, status against the customer group's band, stock and sales; out of band first."""
    band = group_band(params)
    rows = metrics.inventory_ratio(week, week, "retailer", scope, **filters_of(params))
    low, high = band["ratio_low"], band["ratio_high"]
    status = ["undefined" if pd.isna(r) else "low" if r < low else "high" if r > high else "ok" for r in rows["ratio"]]
    rows = rows.assign(status=status, order=[{"high": 0, "low": 1, "undefined": 2}.get(x, 3) for x in status])
    rows = rows.sort_values(["order", "ratio"], ascending=[True, False], na_position="last")
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return pd.DataFrame(
        {
            t("col.retailer"): rows["level_name"],
            t("col.license"): rows["level_key"],
            t("col.ratio"): rows["ratio"].round(2),
            t("col.status"): [t(f"status.{x}") for x in rows["status"]],
            t("col.stock"): rows["stock_qty"].round(0),
            t("col.avg_sales"): rows["avg_weekly_sales_4w"].round(1),
        }
    ).reset_index(drop=True)
