"""Import of CSV/XLSX files into the store: the contract, reading, row checks, loading.

May import store, rollup, errors and i18n; nothing here knows pages or the CLI.
"""

from marketpulse.ingest.contract import *  # noqa: F401,F403
from marketpulse.ingest.load import *  # noqa: F401,F403
from marketpulse.errors import ImportRefused  # noqa: F401
