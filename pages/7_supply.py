"""Page being built: says so in words."""

import streamlit as st

from marketpulse import ui

f = ui.filters()
ui.header(f, "supply.title", "supply.lead")
st.info(f.t("page.building"))
