"""Page being built: says so in words."""

import streamlit as st

from marketpulse import ui

f = ui.filters()
ui.header(f, "inventory.title", "inventory.lead")
st.info(f.t("page.building"))
