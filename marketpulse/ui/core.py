"""Shared page furniture: the sidebar filters (kept in the URL), language, freshness line,
tables with CSV/Excel downloads, KPI cards, empty states and cached data access.

Pages call `ui.filters()` for what the user chose and `ui.load(view, ...)` for data; the
cache key includes the store version, so a new import shows at once and a rerun that
changes nothing does not query again.
"""

from __future__ import annotations

import dataclasses
import importlib
import datetime as dt
import io
from pathlib import Path
from typing import Callable

import pandas as pd
import streamlit as st

from marketpulse import i18n, numbers, store, views
from marketpulse.ui import figures as charts

LANG_KEY = "lang"
FILTER_KEYS = ("from", "to", "dep", "ter", "cm", "brand", "spec", "fmt", "band", "area")
DEFAULT_WEEKS = 13
_STATE = "mp_filters"
_DRILL = "mp_drill"


@dataclasses.dataclass(frozen=True)
class Filters:
    """What the sidebar selected; hashable, so it can key the data cache."""

    lang: str = "zh"
    week_from: dt.date | None = None
    week_to: dt.date | None = None
    department: str | None = None
    territory: str | None = None
    cm: str | None = None
    brand: str | None = None
    spec: str | None = None
    format: str | None = None
    tier_band: str | None = None
    area_type: str | None = None
    desc: str = ""          # the selection in words, for chart subtitles

    def scope(self) -> store.Scope:
        return store.Scope(department_code=self.department, territory_code=self.territory, cm_code=self.cm)

    def params(self) -> dict:
        """The bound parameters every metric query accepts."""
        return {
            "week_from": self.week_from, "week_to": self.week_to,
            "format": self.format, "tier_band": self.tier_band, "area_type": self.area_type,
            "brand": self.brand, "spec_code": self.spec,
        }

    def replace(self, **changes) -> "Filters":
        return dataclasses.replace(self, **changes)

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)


# ── data access ───────────────────────────────────────────────────────────────

@st.cache_data(max_entries=128, show_spinner=False)
def _cached(module: str, name: str, version: str, args: tuple, kwargs: tuple):
    return getattr(importlib.import_module(module), name)(*args, **dict(kwargs))


def load(view: Callable, *args, **kwargs):
    """Call a marketpulse.views function through the cache, keyed on the store version."""
    return _cached(view.__module__, view.__name__, store.store_version(), args, tuple(sorted(kwargs.items())))


def clear_cache() -> None:
    _cached.clear()


# ── language and sidebar ─────────────────────────────────────────────────────

def language() -> str:
    """The language switch (top of the sidebar), bound to ?lang=."""
    with st.sidebar:
        choice = st.segmented_control(
            "语言 / Language", list(i18n.LANGS), default="zh", key=LANG_KEY,
            format_func=lambda code: i18n.LANG_NAMES[code], bind="query-params",
            label_visibility="collapsed", required=True,
        )
    return choice or "zh"


def _apply_drill() -> None:
    """A click elsewhere asked for another filter: set it before the widgets exist."""
    drill = st.session_state.pop(_DRILL, None)
    if not drill:
        return
    for key, value in drill.items():
        st.session_state[key] = value


def drill(**selection) -> None:
    """Open the same page filtered to `selection` (sidebar keys → option labels)."""
    st.session_state[_DRILL] = selection
    st.rerun()


def _select(label: str, options: list, names: dict, key: str, lang: str) -> str | None:
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]  # a parent filter changed: this choice no longer applies
    return st.selectbox(
        label, options, index=None, key=key, bind="query-params",
        format_func=lambda code: names.get(code, code), placeholder=i18n.t("filter.all", lang),
    )


def sidebar(lang: str) -> Filters:
    """Draw the shared filters; every one is in the URL so a copied link opens the same view."""
    _apply_drill()
    ref = load(views.reference)
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    week_from = week_to = None
    with st.sidebar:
        st.markdown(f"**{t('filter.heading')}**")
        weeks = [w.isoformat() for w in ref.weeks]
        if weeks:
            default_from = weeks[max(0, len(weeks) - DEFAULT_WEEKS)]
            week_from = st.selectbox(t("filter.week_from"), weeks, index=weeks.index(default_from),
                                     key="from", bind="query-params")
            week_to = st.selectbox(t("filter.week_to"), weeks, index=len(weeks) - 1,
                                   key="to", bind="query-params")
            if week_from > week_to:
                week_from, week_to = week_to, week_from
            week_from, week_to = dt.date.fromisoformat(week_from), dt.date.fromisoformat(week_to)
        ter = ref.territories
        dep = _select(t("filter.department"), list(ref.departments.index), ref.departments.to_dict(), "dep", lang)
        if dep:
            ter = ter[ter["department_code"] == dep]
        territory = _select(t("filter.territory"), list(ter["territory_code"]),
                            dict(zip(ter["territory_code"], ter["territory_name"])), "ter", lang)
        cms = ref.cms[ref.cms["territory_code"].isin(ter["territory_code"])]
        if territory:
            cms = cms[cms["territory_code"] == territory]
        cm = _select(t("filter.cm"), list(cms["cm_code"]),
                     dict(zip(cms["cm_code"], cms["cm_name"] + " (" + cms["cm_code"] + ")")), "cm", lang)
        brand = _select(t("filter.brand"), sorted(ref.specs["brand"].unique()), {}, "brand", lang)
        specs = ref.specs if not brand else ref.specs[ref.specs["brand"] == brand]
        spec = _select(t("filter.spec"), list(specs["spec_code"]),
                       dict(zip(specs["spec_code"], specs["spec_name"])), "spec", lang)
        with st.expander(t("filter.customer_group"), expanded=False):
            fmt = _select(t("filter.format"), ref.formats, {f: i18n.value(f, lang) for f in ref.formats}, "fmt", lang)
            band = _select(t("filter.tier_band"), ref.tier_bands, {}, "band", lang)
            area = _select(t("filter.area_type"), ["城网", "农网"],
                           {a: i18n.value(a, lang) for a in ("城网", "农网")}, "area", lang)
    names = {
        "dep": ref.departments.get(dep), "ter": dict(zip(ref.territories["territory_code"], ref.territories["territory_name"])).get(territory),
        "cm": dict(zip(ref.cms["cm_code"], ref.cms["cm_name"])).get(cm), "spec": dict(zip(ref.specs["spec_code"], ref.specs["spec_name"])).get(spec),
    }
    parts = [f"{week_from}–{week_to}" if week_from else t("filter.no_weeks")]
    parts += [v for v in (names["dep"], names["ter"], names["cm"], brand, names["spec"],
                          i18n.value(fmt, lang) if fmt else None, band and t("filter.band_label", band=band),
                          i18n.value(area, lang) if area else None) if v]
    if len(parts) == 1:
        parts.append(t("filter.whole_city"))
    f = Filters(lang, week_from, week_to, dep, territory, cm, brand, spec, fmt, band, area, " · ".join(parts))
    st.session_state[_STATE] = f
    return f


def filters() -> Filters:
    """The filters app.py drew for this run (app.py always runs before the page)."""
    return st.session_state.get(_STATE) or Filters()


PAGES = [  # file, title key, url path, icon, section key
    ("app_pages/1_weekly_review.py", "page.weekly", "weekly", ":material/summarize:", "nav.review"),
    ("app_pages/2_inventory.py", "page.inventory", "inventory", ":material/inventory_2:", "nav.review"),
    ("app_pages/3_prices.py", "page.prices", "prices", ":material/price_change:", "nav.review"),
    ("app_pages/4_brands.py", "page.brands", "brands", ":material/trending_up:", "nav.review"),
    ("app_pages/5_territory.py", "page.territory", "territory", ":material/map:", "nav.people"),
    ("app_pages/6_customer_managers.py", "page.managers", "managers", ":material/badge:", "nav.people"),
    ("app_pages/7_supply.py", "page.supply", "supply", ":material/local_shipping:", "nav.plan"),
    ("app_pages/8_data.py", "page.data", "data", ":material/database:", "nav.plan"),
]


def shell():
    """Page config, language switch, navigation and sidebar filters; returns the navigation."""
    st.set_page_config(page_title="市场脉搏 MarketPulse", page_icon=":material/monitor_heart:", layout="wide")
    style_page()
    lang = language()
    sections: dict[str, list] = {}
    root = Path(__file__).resolve().parents[2]
    for path, title, url, icon, section in PAGES:
        sections.setdefault(i18n.t(section, lang), []).append(
            st.Page(root / path, title=i18n.t(title, lang), url_path=url, icon=icon, default=(url == "weekly"))
        )
    nav = st.navigation(sections)
    if not store.db_path().exists():
        store.ensure_current()
        st.info(i18n.t("store.created", lang))
    sidebar(lang)
    return nav


# ── page furniture ───────────────────────────────────────────────────────────

def header(f: Filters, title_key: str, lead_key: str | None = None) -> None:
    """Page title, one-line purpose, and how fresh the data is."""
    st.title(f.t(title_key))
    if lead_key:
        st.caption(f.t(lead_key))
    fresh = load(views.freshness, f.scope())
    if fresh.latest_week is None:
        st.caption(f.t("fresh.none"))
        return
    line = f.t("fresh.latest", week=fresh.latest_week.isoformat())
    if fresh.imported_at is not None:
        line += f.t("fresh.imported", at=fresh.imported_at.strftime("%Y-%m-%d %H:%M"))
    lagging = fresh.by_territory[fresh.by_territory["latest_week"] < fresh.latest_week]
    if len(lagging):
        line += f.t("fresh.lagging", items="、".join(
            f"{r.territory_name} {r.latest_week.isoformat()}" for r in lagging.itertuples()))
    st.caption(":material/schedule: " + line)


def empty(f: Filters, key: str = "empty.week") -> None:
    """Say in words that there is nothing to show."""
    st.info(f.t(key))


def number(value, lang: str, digits: int = 1) -> str:
    """A total for display: 万 for large counts in Chinese, thousands separators in English."""
    text = numbers.fmt(value, digits)
    if text == numbers.UNDEFINED:
        return text
    v = float(value)
    if lang == "zh" and abs(v) >= 1e4:
        return f"{v / 1e4:,.{max(digits, 1)}f}万"
    if lang != "zh" and abs(v) >= 1e6:
        return f"{v / 1e6:,.2f}M"
    return text


def change(value, lang: str, points: bool = False) -> str:
    """A week-on-week or same-period change: +3.2% or +1.5 pts; "—" when undefined."""
    text = numbers.fmt(value, 1)
    if text == numbers.UNDEFINED:
        return text
    sign = "+" if float(value) > 0 else ""
    return f"{sign}{text}{i18n.t('unit.points', lang) if points else '%'}"


def kpi_cards(cards: list[dict], lang: str) -> None:
    """Headline numbers: value, week-on-week, same period, coloured by their traffic light."""
    cols = st.columns(len(cards))
    for col, card in zip(cols, cards):
        colour = charts.RAG_COLORS.get(card.get("rag"), "#BBB")
        col.markdown(
            f"""<div class="mp-kpi" style="border-left:5px solid {colour}">
            <div class="mp-kpi-label">{card['label']}</div>
            <div class="mp-kpi-value">{card['value']}</div>
            <div class="mp-kpi-delta">{i18n.t('kpi.wow', lang)} {card['wow']}<br>{i18n.t('kpi.yoy', lang)} {card['yoy']}</div>
            </div>""",
            unsafe_allow_html=True,
        )


CSS = """
<style>
.mp-kpi {background:#fff;border:1px solid #e6e6e6;border-radius:6px;padding:8px 10px;min-height:104px}
.mp-kpi-label {font-size:13px;color:#555;line-height:1.25;min-height:1.25em}
.mp-kpi-value {font-size:22px;font-weight:600;color:#1F2D3D;line-height:1.35;white-space:nowrap}
.mp-kpi-delta {font-size:12px;color:#666}
[data-testid="stSidebar"] [data-testid="stVerticalBlock"] {gap:0.45rem}
</style>
"""


def style_page() -> None:
    st.markdown(CSS, unsafe_allow_html=True)


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Frames as one Excel workbook, one sheet each, header bold and columns sized."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        head = xw.book.add_format({"bold": True, "bg_color": "#E8EEF6", "border": 1})
        for name, frame in sheets.items():
            frame = _plain(frame)
            sheet = name[:31]
            frame.to_excel(xw, sheet_name=sheet, index=False)
            ws = xw.sheets[sheet]
            for i, column in enumerate(frame.columns):
                ws.write(0, i, str(column), head)
                ws.set_column(i, i, max(10, min(40, len(str(column)) * 2 + 2)))
            ws.freeze_panes(1, 0)
    return buf.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV with a byte-order mark, so Chinese Excel opens it with the right encoding."""
    return _plain(frame).to_csv(index=False).encode("utf-8-sig")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    return out


def table(frame: pd.DataFrame, f: Filters, name: str, key: str, height: int | None = None,
          column_config: dict | None = None, selectable: bool = False, static: bool = False):
    """A table with CSV and Excel download buttons; returns the selection when selectable.

    `static` draws a plain table whose long texts wrap (the glossary)."""
    if frame is None or frame.empty:
        empty(f)
        return None
    if static:
        st.table(frame.set_index(frame.columns[0]))
        event = None
    else:
        event = st.dataframe(
            frame, hide_index=True, width="stretch", height=height or min(460, 38 + 35 * len(frame)), key=key,
            column_config=column_config, on_select="rerun" if selectable else "ignore",
            selection_mode="single-row" if selectable else "multi-row",
        )
    row = st.container(horizontal=True)
    stem = f"{name}_{f.week_to or 'all'}"
    row.download_button(f.t("download.csv"), csv_bytes(frame), f"{stem}.csv", "text/csv",
                       key=f"{key}_csv", icon=":material/download:")
    row.download_button(f.t("download.xlsx"), xlsx_bytes({name: frame}), f"{stem}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"{key}_xlsx", icon=":material/table_view:")
    return event if selectable else None


def chart(fig, key: str, clickable: bool = False, pick: str = "customdata") -> list:
    """Draw a plotly figure; when clickable, return `pick` ("x", "y", "customdata") of clicked points."""
    event = st.plotly_chart(fig, width="stretch", key=key, on_select="rerun" if clickable else "ignore",
                            selection_mode=("points",) if clickable else ("points", "box", "lasso"),
                            config={"displaylogo": False})
    if not clickable or not event:
        return []
    points = (event.get("selection") or {}).get("points") or []
    picked = [p.get(pick) for p in points if p.get(pick) is not None]
    return [v[0] if isinstance(v, list) and v else v for v in picked]


def kpi_view(kpis, lang: str) -> list[dict]:
    """KPI records from views as card texts: value in its unit, changes, traffic light."""
    digits = {"qty": 0, "price": 1, "weeks": 2, "index": 1, "pct": 1}
    cards = []
    for k in kpis:
        value = number(k.value, lang, digits[k.unit]) if k.unit == "qty" else numbers.fmt(k.value, digits[k.unit])
        unit = i18n.t(f"unit.{k.unit}", lang)
        if value != numbers.UNDEFINED and unit:
            value += f" <span style='font-size:14px;color:#666'>{unit}</span>"
        cards.append({"label": i18n.t(k.key, lang), "value": value, "rag": k.rag,
                      "wow": change(k.wow, lang, k.points), "yoy": change(k.yoy, lang, k.points)})
    return cards


def state_matrix(state: pd.DataFrame, f: Filters):
    """The spec × territory market-state grid for one week (territory names on the x axis)."""
    tips = [i18n.t("weekly.state_hover", f.lang, ratio=numbers.fmt(r, 2), index=numbers.fmt(i, 1))
            for r, i in zip(state["ratio"], state["price_index"])]
    weights = views.score_weights(state)
    if weights is not None and "state_score" in state:
        tips = [tip + "<br>" + i18n.t("weekly.score_hover", f.lang, score=numbers.fmt(r.state_score, 1),
                                      cover=numbers.fmt(r.cover_score, 0), price=numbers.fmt(r.price_score, 0),
                                      margin=numbers.fmt(r.margin_score, 0), cw=f"{weights['cover']:.0f}",
                                      pw=f"{weights['price']:.0f}", mw=f"{weights['margin']:.0f}")
                for tip, r in zip(tips, state.itertuples())]
    cells = state.assign(spec_label=state["spec_name"], tip=tips)
    # a city carries a hundred specs: the grid keeps every spec with a tight or loose cell,
    # then the best sellers, so it stays readable; the ranking table below has the rest
    subtitle = f.desc
    if cells["spec_code"].nunique() > MATRIX_ROWS:
        flagged = set(cells.loc[cells["state"].isin(["tight", "loose"]), "spec_code"])
        by_sales = cells.groupby("spec_code")["sales_qty"].sum().sort_values(ascending=False).index
        keep = list(dict.fromkeys([c for c in by_sales if c in flagged] + list(by_sales)))[:max(MATRIX_ROWS, len(flagged))]
        cells = cells[cells["spec_code"].isin(keep)]
        subtitle = f"{f.desc} · {f.t('weekly.state_rows', n=len(keep))}"
    labels = {s: i18n.state(s, f.lang) for s in charts.STATE_ORDER}
    return charts.state_matrix(cells, "spec_label", "territory_name", "state", labels, "tip",
                               f.t("weekly.state_title"), subtitle)


MATRIX_ROWS = 30


def state_ranking(data, f: Filters) -> None:
    """The tightest and loosest cells by state score, the weights of the score in the caption."""
    if data.ranking is None or data.ranking.empty:
        return
    st.markdown(f"**{f.t('weekly.ranking')}**")
    if data.weights:
        w = {k: f"{v:.3g}" for k, v in data.weights.items()}
        st.caption(f.t("weekly.score_formula", cover=w["cover"], price=w["price"], margin=w["margin"]))
    table(data.ranking, f, "state_score_ranking", key="state_ranking", height=38 + 35 * len(data.ranking))


def missing(f: Filters, what_key: str) -> None:
    """A section whose data source is not in this store yet: say what it will show."""
    st.info(f.t("missing.section", what=f.t(what_key)))


def inventory_table(latest: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The inventory page's table: one row per level key, status in words."""
    return pd.DataFrame({
        f.t("col.code"): latest["level_key"], f.t("col.level_name"): latest["level_name"],
        f.t("col.ratio"): latest["ratio"].round(2), f.t("col.status"): [f.t(f"status.{s}") for s in latest["status"]],
        f.t("col.stock"): latest["stock_qty"].round(0), f.t("col.avg_sales"): latest["avg_weekly_sales_4w"].round(1),
    })


def price_table(compliance: pd.DataFrame, index: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Per territory: price index, compliance and the observations above and below the band."""
    merged = compliance.merge(index[["level_key", "price_index"]], on="level_key", how="left")
    return pd.DataFrame({
        f.t("col.territory"): merged["level_name"], f.t("col.price_index"): merged["price_index"].round(1),
        f.t("col.compliance"): (merged["compliance_rate"] * 100).round(1),
        f.t("col.observations"): merged["observations"], f.t("col.above"): merged["above"], f.t("col.below"): merged["below"],
    })


def price_positions(data, f: Filters) -> tuple[dict, dict, tuple[float, float]]:
    """Legend words for price-index bars (above, near, below the suggested price), their
    colours, and a value range that shows the differences around 100."""
    band = data.band
    states = {
        "tight": f.t("pricepos.tight", v=f"{band['index_tight']:g}"),
        "balanced": f.t("pricepos.balanced", lo=f"{band['index_loose']:g}", hi=f"{band['index_tight']:g}"),
        "loose": f.t("pricepos.loose", v=f"{band['index_loose']:g}"),
    }
    colors = {states[k]: charts.STATE_COLORS[k] for k in charts.STATE_ORDER}
    values = pd.concat([data.by_brand["price_index"], data.by_territory["price_index"]]).dropna()
    low = min(band["index_loose"] - 2, float(values.min()) - 1) if len(values) else 90
    high = max(band["index_tight"] + 2, float(values.max()) + 1) if len(values) else 105
    return states, colors, (low, high)


def uptake_chart(data, f: Filters):
    """The new spec's city curves by weeks since launch, with the distribution target."""
    curve = data.city
    target = f.t("brands.target", share=f"{data.target_text[0]:g}", weeks=data.target_text[1])
    long = pd.concat([
        pd.DataFrame({"weeks_since_launch": curve["weeks_since_launch"], "value": curve[col] * 100,
                      "series": f.t(f"metric.{name}")})
        for col, name in (("distribution_rate", "distribution"), ("sellthrough_rate", "sellthrough"),
                          ("repeat_rate", "repeat"))
    ] + [pd.DataFrame({"weeks_since_launch": data.target["weeks_since_launch"], "value": data.target["target"],
                       "series": target})],
        ignore_index=True)
    fig = charts.lines(long, "weeks_since_launch", "value", "series", f.t("brands.curves", spec=data.spec_name),
                       f.desc, f.t("axis.weeks_since_launch"), f.t("axis.rate"), height=380)
    fig.update_xaxes(tick0=0, dtick=4)
    fig.for_each_trace(lambda tr: tr.update(line={"dash": "dash", "color": "#999"}, marker={"size": 1})
                       if tr.name == target else None)
    return fig


def territory_uptake_chart(data, f: Filters):
    """Distribution by territory against the city, with the alert line (city × lag ratio)."""
    ter = data.territories.assign(value=data.territories["distribution_rate"] * 100)
    city = data.city
    lag = pd.DataFrame({"weeks_since_launch": city["weeks_since_launch"],
                        "value": city["distribution_rate"] * 100 * data.lag_ratio,
                        "series": f.t("brands.lag_line", ratio=f"{data.lag_ratio:g}")})
    long = pd.concat([ter[["weeks_since_launch", "value", "series"]], lag], ignore_index=True)
    fig = charts.lines(long, "weeks_since_launch", "value", "series", f.t("brands.territories", spec=data.spec_name),
                       f.desc, f.t("axis.weeks_since_launch"), f.t("axis.rate"), height=380)
    fig.update_xaxes(tick0=0, dtick=4)
    city_name, lag_name = f.t("series.city"), lag["series"].iloc[0] if len(lag) else ""
    fig.for_each_trace(lambda tr: tr.update(line={"width": 4, "color": "#222"}) if tr.name == city_name else
                       tr.update(line={"dash": "dot", "color": "#D9534F"}, marker={"size": 1}) if tr.name == lag_name else None)
    return fig


def state_summary(state: pd.DataFrame, f: Filters) -> None:
    """How many spec × territory cells are tight, balanced and loose, and what decides it."""
    counts = state["state"].value_counts()
    for code in charts.STATE_ORDER:
        colour = charts.STATE_COLORS[code]
        st.markdown(
            f"<div class='mp-kpi' style='border-left:5px solid {colour};min-height:0;margin-bottom:8px'>"
            f"<div class='mp-kpi-label'>{i18n.state(code, f.lang)}</div>"
            f"<div class='mp-kpi-value'>{int(counts.get(code, 0))}</div></div>",
            unsafe_allow_html=True,
        )
    st.caption(f.t("weekly.state_rule"))


def new_spec_picker(f: Filters) -> str | None:
    """Choose one spec launched within the 52 weeks ending at the last week (bound to the URL)."""
    if f.week_to is None:
        return None
    specs = load(views.reference).specs
    launch = pd.to_datetime(specs["launch_date"]).dt.date
    monday = launch.map(lambda d: d - dt.timedelta(days=d.weekday()))
    new = specs[(monday <= f.week_to) & (monday > f.week_to - dt.timedelta(weeks=52))
                & ((specs["brand"] == f.brand) if f.brand else True)]
    new = new.assign(monday=monday[new.index]).sort_values("monday", ascending=False)
    if new.empty:
        return None
    names = dict(zip(new["spec_code"], new["spec_name"] + " · " + new["brand"]))
    default = f.spec if f.spec in names else next(iter(names))
    return st.selectbox(f.t("brands.pick"), list(names), index=list(names).index(default), key="new_spec",
                        format_func=names.get, bind="query-params")
