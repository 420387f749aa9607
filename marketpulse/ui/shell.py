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

from marketpulse import auth, i18n, store, views
from marketpulse.ui import prepared, signin
from marketpulse.ui.language import language, uploader_words

ROOT = Path(__file__).resolve().parents[2]
# a local file: a material-icon page_icon makes the browser fetch the tab icon from Google's font CDN
FAVICON = Path(__file__).resolve().parent / "favicon.png"
_HOMED = "mp_home_opened"  # the session's first page has been chosen (_open_home)
DEFAULT_WEEKS = 13  # the sidebar's default range: the last 13 weeks with data
_STATE = "mp_filters"
_DRILL = "mp_drill"
_URL = "mp_url"  # the hand-kept filters as this session last wrote them into the URL

PAGES = [  # file, title key, url path, icon, section key
    ("app_pages/1_weekly_review.py", "page.weekly", "weekly", ":material/summarize:", "nav.review"),
    ("app_pages/2_inventory.py", "page.inventory", "inventory", ":material/inventory_2:", "nav.review"),
    ("app_pages/3_prices.py", "page.prices", "prices", ":material/price_change:", "nav.review"),
    ("app_pages/4_brands.py", "page.brands", "brands", ":material/trending_up:", "nav.review"),
    ("app_pages/5_territory.py", "page.territory", "territory", ":material/map:", "nav.people"),
    ("app_pages/6_customer_managers.py", "page.managers", "managers", ":material/badge:", "nav.people"),
    ("app_pages/7_supply.py", "page.supply", "supply", ":material/local_shipping:", "nav.plan"),
    ("app_pages/8_data.py", "page.data", "data", ":material/database:", "nav.plan"),
    ("app_pages/9_map.py", "page.map", "map", ":material/location_on:", "nav.people"),
    ("app_pages/10_route.py", "page.route", "route", ":material/route:", "nav.people"),
    ("app_pages/11_accounts.py", "page.accounts", "accounts", ":material/manage_accounts:", "nav.admin"),
    ("app_pages/12_audit.py", "page.audit", "audit", ":material/history:", "nav.admin"),
    ("app_pages/13_delivery.py", "page.delivery", "delivery", ":material/forward_to_inbox:", "nav.admin"),
]
# url path → action (auth.allowed) a page needs; any other page needs "view". Delivery
# recipients are accounts' e-mail addresses and robot secrets: admins only.
NEEDS = {
    "data": "import",
    "accounts": "accounts",
    "audit": "audit",
    "delivery": "accounts",
}  # url path → action (auth.allowed); else view

CSS = "<style>" + (Path(__file__).resolve().parent / "dashboard.css").read_text(encoding="utf-8") + "</style>"


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
    ceiling: store.Scope = store.CITY  # the signed-in account's scope: no choice widens it

    def scope(self) -> store.Scope:
        chosen = store.Scope(department_code=self.department, territory_code=self.territory, cm_code=self.cm)
        return auth.narrow(self.ceiling, chosen, strict=False)

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

    def key(self, name: str) -> str:
        """A widget key of its own at each drill level: a clicked table or chart is a new widget
        one level down, so its old selection cannot fire again (the browser resends it)."""
        return "_".join([name, *(v or "" for v in (self.department, self.territory, self.cm, self.spec))])


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
    st.set_page_config(page_title="市场脉搏 MarketPulse", page_icon=str(FAVICON), layout="wide")
    st.markdown(CSS, unsafe_allow_html=True)
    lang = language()
    st.markdown(uploader_words(lang), unsafe_allow_html=True)
    if not store.db_path().exists():
        store.ensure_current()
        st.info(i18n.t("store.created", lang))
    prepared.watch(load, default_params)  # the center's 周报 computed ahead of each new store version
    me = signin.gate(lang)  # None: nobody is signed in and the sign-in form is drawn
    sections: dict[str, list] = {}
    for path, title, url, icon, section in PAGES:
        # not the account's to use: out of the menu but kept at its address, where its first line refuses
        shown = "visible" if me is None or offers(me, url) else "hidden"
        label = i18n.t(title, lang)
        page = st.Page(ROOT / path, title=label, url_path=url, icon=icon, default=url == "weekly", visibility=shown)
        sections.setdefault(i18n.t(section, lang), []).append(page)
    page = st.navigation(sections, position="sidebar" if me else "hidden")
    if me is None:
        st.stop()  # the address stays as it came: after sign-in the same link opens its view
    _open_home(me, page)
    sidebar(lang)
    return page


def _open_home(me: auth.User, page) -> None:
    """A session's first page, when it is the bare root address, is where the account's work
    starts (auth.home: a customer manager's route). The 周报 keeps the root (links to it carry
    filters there) and stays in everyone's menu; only the first page of a session is redirected."""
    if st.session_state.get(_HOMED):
        return
    st.session_state[_HOMED] = True
    home = auth.home(me)
    if home != "weekly" and page.url_path == "" and not set(st.query_params) - {"lang"}:
        lang = st.query_params.get("lang")
        st.switch_page(
            ROOT / next(p for p, _, url, _, _ in PAGES if url == home), query_params={"lang": lang} if lang else None
        )


def offers(me: auth.User, url: str) -> bool:
    """Whether the menu offers the page at `url` to account `me`."""
    return auth.allowed(me, NEEDS.get(url, "view"))


def user() -> auth.User | None:
    """The signed-in user of this run."""
    return signin.current()


def may(action: str) -> bool:
    """Whether the signed-in user may do `action` (to disable a control such as approving a plan)."""
    return auth.allowed(user(), action)


def rules_hint(f: Filters) -> str:
    """Where a rule shown in a caption is edited, for those who may edit the rules; else nothing."""
    return f.t("rules.editable") if may("rules") else ""


def require(action: str) -> auth.User:
    """First line of a page some roles may not use: refuse unless the user may do `action`."""
    return signin.require(action, filters().lang)


def drill(source: str | None = None, page: str | None = None, **selection) -> None:
    """Open the same page (or the page file `page`) one level down, filtered to `selection`
    (sidebar keys → codes).

    `source` is the key of the table or chart that was clicked: its selection is cleared,
    or it would fire again on the next level and skip a level per click. The new filter goes
    into the URL as one new browser-history entry, so the back button returns.
    """
    if source is not None:
        st.session_state.pop(source, None)
    st.session_state[_DRILL] = selection
    if page is not None:  # the language goes along (a switch to a page drops the address's query)
        lang = st.query_params.get("lang")
        st.switch_page(page, query_params={"lang": lang} if lang else None)
    st.rerun()


_BELOW = {"dep": ("ter", "cm"), "ter": ("cm",), "brand": ("spec",)}


def _labels(ref) -> dict[str, dict[str, str]]:
    """How the hierarchy pickers show (and the URL carries) each code."""
    cms = ref.cms
    return {
        "dep": ref.departments.to_dict(),
        "ter": dict(zip(ref.territories["territory_code"], ref.territories["territory_name"])),
        "cm": dict(zip(cms["cm_code"], cms["cm_name"] + " (" + cms["cm_code"] + ")")),
        "brand": {b: b for b in ref.specs["brand"]},
        "spec": dict(zip(ref.specs["spec_code"], ref.specs["spec_name"])),
    }


def _apply_drill() -> None:
    """A click asked for another filter: set it, and clear the levels below it, before the widgets exist."""
    selection = st.session_state.pop(_DRILL, None) or {}
    for key, value in selection.items():
        st.session_state[key] = value
        for deeper in _BELOW.get(key, ()):
            if deeper not in selection:
                st.session_state[deeper] = None  # set, not dropped: the browser keeps a dropped value


def _read_url(labels: dict[str, dict[str, str]]) -> None:
    """The URL changed from outside (a shared link, the back or forward button): its filters win.

    The URL is compared with what this session last wrote there; a difference means the
    browser brought another address, and the pickers follow it before they are drawn."""
    written = st.session_state.setdefault(_URL, {})
    for key in _HAND_KEYS:
        wanted = st.query_params.get(key)
        if wanted == written.get(key):
            written[key] = wanted
            continue  # the URL says what this session wrote (or nothing, as on a first visit)
        names = labels[key]
        code = next((c for c, n in names.items() if n == wanted or c == wanted), None) if wanted else None
        if code is None:
            st.session_state[key] = None
        else:
            st.session_state[key] = code
        written[key] = wanted


def _write_url(chosen: dict[str, str | None], labels: dict[str, dict[str, str]]) -> None:
    """Put the hand-kept filters into the URL: one change of address per run, so one history entry."""
    written = st.session_state.setdefault(_URL, {})
    wanted = {k: (labels[k].get(v, v) if v else None) for k, v in chosen.items()}
    if all(st.query_params.get(k) == v for k, v in wanted.items()):
        written.update(wanted)
        return
    for key in [k for k, v in wanted.items() if v is None and k in st.query_params]:
        del st.query_params[key]
    added = {k: v for k, v in wanted.items() if v is not None and st.query_params.get(k) != v}
    if added:
        st.query_params.update(added)
    written.update(wanted)


def filters() -> Filters:
    """The filters app.py drew for this run (app.py always runs before the page)."""
    return st.session_state.get(_STATE) or Filters()


# ── sidebar ──────────────────────────────────────────────────────────────────


def _select(label: str, options: list, names: dict, key: str, lang: str) -> str | None:
    if key in st.session_state and st.session_state[key] not in options:
        st.session_state[key] = None  # a parent filter changed: this choice no longer applies
    if key in _HAND_KEYS:
        return _hand_select(label, options, names, key, lang)
    return st.selectbox(
        label,
        options,
        index=None,
        key=key,
        bind="query-params",
        format_func=lambda code: names.get(code, code),
        placeholder=i18n.t("filter.all", lang),
    )


_HAND_KEYS = ("dep", "ter", "cm", "brand", "spec")  # pickers a click can set: kept in the URL by hand


def _hand_select(label: str, options: list, names: dict, key: str, lang: str) -> str | None:
    """A picker a drill can set from code (a widget bound to the URL cannot be written from
    code); `_read_url` and `_write_url` keep it in the URL instead."""
    return st.selectbox(
        label,
        options,
        index=None,
        key=key,
        format_func=lambda code: names.get(code, code),
        placeholder=i18n.t("filter.all", lang),
    )


def default_params(weeks: list[dt.date]) -> dict | None:
    """The parameters of a view when nothing is chosen: the last DEFAULT_WEEKS weeks with data
    (`weeks`), no filter; None on an empty store."""
    if not weeks:
        return None
    return Filters(week_from=weeks[max(0, len(weeks) - DEFAULT_WEEKS)], week_to=weeks[-1]).params()


def _weeks(ref, t) -> tuple[dt.date | None, dt.date | None]:
    """The week range, by default the last DEFAULT_WEEKS weeks with data; none on an empty store."""
    weeks = [w.isoformat() for w in ref.weeks]
    if not weeks:
        return None, None
    default_from = default_params(ref.weeks)["week_from"].isoformat()
    week_from = st.selectbox(
        t("filter.week_from"), weeks, index=weeks.index(default_from), key="from", bind="query-params"
    )
    week_to = st.selectbox(t("filter.week_to"), weeks, index=len(weeks) - 1, key="to", bind="query-params")
    if week_from > week_to:
        week_from, week_to = week_to, week_from
    return dt.date.fromisoformat(week_from), dt.date.fromisoformat(week_to)


def sidebar(lang: str) -> Filters:
    """Draw the shared filters; every one is in the URL so a copied link opens the same view."""
    ref = load(views.reference)
    labels = _labels(ref)
    _read_url(labels)
    _apply_drill()
    fixed = signin.fixed_levels(user(), ref)  # the account's own 市场部/片区/manager: no URL or click moves them
    if any(st.session_state.get(k) not in (None, v) for k, v in fixed.items()):  # a link asked for another
        st.toast(i18n.t("scope.clamped", lang), icon=":material/lock:")
    st.session_state.update(fixed)
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    ter_names = dict(zip(ref.territories["territory_code"], ref.territories["territory_name"]))
    spec_names = dict(zip(ref.specs["spec_code"], ref.specs["spec_name"]))
    with st.sidebar:
        st.markdown(f"**{t('filter.heading')}**")
        week_from, week_to = _weeks(ref, t)
        ter = ref.territories
        deps = [c for c in ref.departments.index if c == fixed.get("dep", c)]
        dep = _select(t("filter.department"), deps, labels["dep"], "dep", lang)
        if dep:
            ter = ter[ter["department_code"] == dep]
        if "ter" in fixed:
            ter = ter[ter["territory_code"] == fixed["ter"]]
        territory = _select(t("filter.territory"), list(ter["territory_code"]), ter_names, "ter", lang)
        cms = ref.cms[ref.cms["territory_code"].isin(ter["territory_code"])]
        if territory:
            cms = cms[cms["territory_code"] == territory]
        if "cm" in fixed:
            cms = cms[cms["cm_code"] == fixed["cm"]]
        cm = _select(t("filter.cm"), list(cms["cm_code"]), labels["cm"], "cm", lang)
        dep, territory, cm = (fixed.get(k, v) for k, v in (("dep", dep), ("ter", territory), ("cm", cm)))
        brand = _select(t("filter.brand"), list(dict.fromkeys(ref.specs["brand"])), {}, "brand", lang)
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
    _write_url({"dep": dep, "ter": territory, "cm": cm, "brand": brand, "spec": spec}, labels)
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
    f = dataclasses.replace(f, ceiling=user().scope if user() else store.CITY)
    st.session_state[_STATE] = f
    return f
