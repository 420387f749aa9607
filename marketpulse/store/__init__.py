"""The store: DuckDB connections, schema migrations, scopes and named queries from queries/.

The bottom layer: imports only errors and its own modules; every other package reads and
writes through it.
"""

from marketpulse.store.core import *  # noqa: F401,F403
from marketpulse.store.core import _apply_scope, _strip_comments_and_strings  # noqa: F401
