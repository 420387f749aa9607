"""What each page draws: one module per page, each returning plain frames and records.

May import metrics, forecast, supply, rules, ingest, store, i18n and numbers; never ui or Streamlit.
"""

from marketpulse.views.core import *  # noqa: F401,F403
