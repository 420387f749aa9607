"""Page being built: says so in words."""

import streamlit as st

from marketpulse import ui

f = ui.filters()
ui.header(f, "managers.title", "managers.lead")
st.info(f.t("page.building"))
