"""The frame around every page: page config, language switch, navigation, the sidebar filters
(kept in the URL, so a copied link opens the same view) and cached access to the views.

app.py calls `start()` once per run, before the chosen page; pages read `filters()` for what
the user chose and call `load(views.x, ...)` for data. The cache key holds the store version,
so a new import shows at once and a rerun that changes nothing does not query again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from marketpulse import i18n, store, views

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WEEKS = 13  # the sidebar's default range: the last 13 weeks with data
_STATE = "mp_filters"
_DRILL = "mp_drill"

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

CSS = """
<style>
.mp-kpi {background:#fff;border:1px solid #e6e6e6;border-radius:6px;padding:8px 10px;min-height:104px}
.mp-kpi-label {font-size:13px;color:#555;line-height:1.25;min-height:1.25em}
.mp-kpi-value {font-size:22px;font-weight:600;color:#1F2D3D;line-height:1.35;white-space:nowrap}
.mp-kpi-delta {font-size:12px;color:#666}
[data-testid="stSidebar"] [data-testid="stVerticalBlock"] {gap:0.45rem}
</style>
"""


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
    desc: str = ""  # the selection in words, for chart subtitles

    def scope(self) -> store.Scope:
        return store.Scope(department_code=self.department, territory_code=self.territory, cm_code=self.cm)

    def params(self) -> dict:
        """The bound parameters every metric query accepts."""
        return {
            "week_from": self.week_from,
            "week_to": self.week_to,
            "format": self.format,
            "tier_band": self.tier_band,
            "area_type": self.area_type,
            "brand": self.brand,
            "spec_code": self.spec,
        }

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)


# ── data access ───────────────────────────────────────────────────────────────


@st.cache_data(max_entries=128, show_spinner=False)
def _cached(module: str, name: str, version: str, args: tuple, kwargs: tuple):
    return getattr(importlib.import_module(module), name)(*args, **dict(kwargs))


def load(view: Callable, *args, **kwargs):
    """Call a view (or any function of plain arguments) through the cache, keyed on the store version."""
    return _cached(view.__module__, view.__name__, store.store_version(), args, tuple(sorted(kwargs.items())))


# ── the frame ────────────────────────────────────────────────────────────────


def start():
    """Page config, language switch, navigation and sidebar filters; returns the page to run."""
    st.set_page_config(page_title="市场脉搏 MarketPulse", page_icon=":material/monitor_heart:", layout="wide")
    st.markdown(CSS, unsafe_allow_html=True)
    lang = language()
    sections: dict[str, list] = {}
    for path, title, url, icon, section in PAGES:
        sections.setdefault(i18n.t(section, lang), []).append(
            st.Page(ROOT / path, title=i18n.t(title, lang), url_path=url, icon=icon, default=(url == "weekly"))
        )
    page = st.navigation(sections)
    if not store.db_path().exists():
        store.ensure_current()
        st.info(i18n.t("store.created", lang))
    sidebar(lang)
    return page


def language() -> str:
    """The language switch (top of the sidebar), bound to ?lang=."""
    with st.sidebar:
        choice = st.segmented_control(
            "语言 / Language",
            list(i18n.LANGS),
            default="zh",
            key="lang",
            format_func=lambda code: i18n.LANG_NAMES[code],
            bind="query-params",
            label_visibility="collapsed",
            required=True,
        )
    return choice or "zh"


def drill(source: str | None = None, **selection) -> None:
    """Open the same page one level down, filtered to `selection` (sidebar keys → codes).

    `source` is the key of the table or chart that was clicked: its selection is cleared,
    or it would fire again on the next level and skip a level per click.
    """
    if source is not None:
        st.session_state.pop(source, None)
    st.session_state[_DRILL] = selection
    st.rerun()


_BELOW = {"dep": ("ter", "cm"), "ter": ("cm",)}


def _labels(ref) -> dict[str, dict[str, str]]:
    """How the hierarchy pickers show (and the URL carries) each code."""
    cms = ref.cms
    return {
        "dep": ref.departments.to_dict(),
        "ter": dict(zip(ref.territories["territory_code"], ref.territories["territory_name"])),
        "cm": dict(zip(cms["cm_code"], cms["cm_name"] + " (" + cms["cm_code"] + ")")),
    }


def _apply_drill() -> None:
    """A click asked for another filter: set it, and clear the levels below it, before the widgets exist."""
    for key, value in (st.session_state.pop(_DRILL, None) or {}).items():
        st.session_state[key] = value
        for deeper in _BELOW.get(key, ()):
            st.session_state.pop(deeper, None)


def filters() -> Filters:
    """The filters app.py drew for this run (app.py always runs before the page)."""
    return st.session_state.get(_STATE) or Filters()


# ── sidebar ──────────────────────────────────────────────────────────────────


def _select(label: str, options: list, names: dict, key: str, lang: str) -> str | None:
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]  # a parent filter changed: this choice no longer applies
    if key in _HIERARCHY:
        return _hierarchy_select(label, options, names, key, lang)
    return st.selectbox(
        label,
        options,
        index=None,
        key=key,
        bind="query-params",
        format_func=lambda code: names.get(code, code),
        placeholder=i18n.t("filter.all", lang),
    )


_HIERARCHY = ("dep", "ter", "cm")


def _hierarchy_select(label: str, options: list, names: dict, key: str, lang: str) -> str | None:
    """A 市场部/片区/客户经理 picker kept in the URL by hand, not by the widget binding: a drill
    sets it from code, and a bound parameter cannot be written from code."""
    if key not in st.session_state and key in st.query_params:  # a shared link: its label or code
        wanted = st.query_params[key]
        st.session_state[key] = next((c for c in options if names.get(c, c) == wanted or c == wanted), None)
    choice = st.selectbox(
        label,
        options,
        index=None,
        key=key,
        format_func=lambda code: names.get(code, code),
        placeholder=i18n.t("filter.all", lang),
    )
    if choice is None:
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != names.get(choice, choice):
        st.query_params[key] = names.get(choice, choice)
    return choice


def _weeks(ref, t) -> tuple[dt.date | None, dt.date | None]:
    """The week range, by default the last DEFAULT_WEEKS weeks with data; none on an empty store."""
    weeks = [w.isoformat() for w in ref.weeks]
    if not weeks:
        return None, None
    default_from = weeks[max(0, len(weeks) - DEFAULT_WEEKS)]
    week_from = st.selectbox(
        t("filter.week_from"), weeks, index=weeks.index(default_from), key="from", bind="query-params"
    )
    week_to = st.selectbox(t("filter.week_to"), weeks, index=len(weeks) - 1, key="to", bind="query-params")
    if week_from > week_to:
        week_from, week_to = week_to, week_from
    return dt.date.fromisoformat(week_from), dt.date.fromisoformat(week_to)


def sidebar(lang: str) -> Filters:
    """Draw the shared filters; every one is in the URL so a copied link opens the same view."""
    _apply_drill()
    ref = load(views.reference)
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    ter_names = dict(zip(ref.territories["territory_code"], ref.territories["territory_name"]))
    spec_names = dict(zip(ref.specs["spec_code"], ref.specs["spec_name"]))
    with st.sidebar:
        st.markdown(f"**{t('filter.heading')}**")
        week_from, week_to = _weeks(ref, t)
        ter = ref.territories
        dep = _select(t("filter.department"), list(ref.departments.index), _labels(ref)["dep"], "dep", lang)
        if dep:
            ter = ter[ter["department_code"] == dep]
        territory = _select(t("filter.territory"), list(ter["territory_code"]), ter_names, "ter", lang)
        cms = ref.cms[ref.cms["territory_code"].isin(ter["territory_code"])]
        if territory:
            cms = cms[cms["territory_code"] == territory]
        cm = _select(
            t("filter.cm"),
            list(cms["cm_code"]),
            _labels(ref)["cm"],
            "cm",
            lang,
        )
        brand = _select(t("filter.brand"), sorted(ref.specs["brand"].unique()), {}, "brand", lang)
        specs = ref.specs if not brand else ref.specs[ref.specs["brand"] == brand]
        spec = _select(t("filter.spec"), list(specs["spec_code"]), spec_names, "spec", lang)
        with st.expander(t("filter.customer_group"), expanded=False):
            fmt = _select(t("filter.format"), ref.formats, {f: i18n.value(f, lang) for f in ref.formats}, "fmt", lang)
            band = _select(t("filter.tier_band"), ref.tier_bands, {}, "band", lang)
            area = _select(
                t("filter.area_type"),
                ["城网", "农网"],
                {a: i18n.value(a, lang) for a in ("城网", "农网")},
                "area",
                lang,
            )
    parts = [f"{week_from}–{week_to}" if week_from else t("filter.no_weeks")]
    parts += [
        v
        for v in (
            ref.departments.get(dep),
            ter_names.get(territory),
            dict(zip(ref.cms["cm_code"], ref.cms["cm_name"])).get(cm),
            brand,
            spec_names.get(spec),
            i18n.value(fmt, lang) if fmt else None,
            band and t("filter.band_label", band=band),
            i18n.value(area, lang) if area else None,
        )
        if v
    ]
    if len(parts) == 1:
        parts.append(t("filter.whole_city"))
    f = Filters(lang, week_from, week_to, dep, territory, cm, brand, spec, fmt, band, area, " · ".join(parts))
    st.session_state[_STATE] = f
    return f
