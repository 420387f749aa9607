"""MarketPulse (市场脉搏) entry point: navigation, language and the shared sidebar filters."""

import streamlit as st

from marketpulse import i18n, store, ui

st.set_page_config(page_title="市场脉搏 MarketPulse", page_icon=":material/monitor_heart:", layout="wide")
ui.style_page()

lang = ui.language()
t = lambda key: i18n.t(key, lang)  # noqa: E731
PAGES = [
    ("pages/1_weekly_review.py", "page.weekly", "weekly", ":material/summarize:", "nav.review"),
    ("pages/2_inventory.py", "page.inventory", "inventory", ":material/inventory_2:", "nav.review"),
    ("pages/3_prices.py", "page.prices", "prices", ":material/price_change:", "nav.review"),
    ("pages/4_brands.py", "page.brands", "brands", ":material/trending_up:", "nav.review"),
    ("pages/5_territory.py", "page.territory", "territory", ":material/map:", "nav.people"),
    ("pages/6_customer_managers.py", "page.managers", "managers", ":material/badge:", "nav.people"),
    ("pages/7_supply.py", "page.supply", "supply", ":material/local_shipping:", "nav.plan"),
    ("pages/8_data.py", "page.data", "data", ":material/database:", "nav.plan"),
]
sections: dict[str, list] = {}
for path, title, url, icon, section in PAGES:
    sections.setdefault(t(section), []).append(
        st.Page(path, title=t(title), url_path=url, icon=icon, default=(url == "weekly"))
    )
nav = st.navigation(sections)

if not store.db_path().exists():
    store.ensure_current()
    st.info(t("store.created"))
ui.sidebar(lang)
nav.run()
