"""MarketPulse entry point: shows what the store holds until the pages arrive."""

import streamlit as st

from marketpulse import store

st.set_page_config(page_title="市场脉搏 MarketPulse", layout="wide")
st.title("市场脉搏 MarketPulse")
counts = store.reader().sql(
    "select 'visit_line' as 表, count(*) as 行数 from visit_line "
    "union all select 'order_line', count(*) from order_line "
    "union all select 'retailer', count(*) from retailer "
    "union all select 'weekly_observation', count(*) from weekly_observation"
)
st.dataframe(counts, hide_index=True)
