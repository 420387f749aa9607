"""The one metrics API that pages, the 周报, the CLI and the tests call.

Each function binds one named query from queries/ (where the definitions live); may
import store and errors only.
"""

from marketpulse.metrics.brand import *  # noqa: F401,F403
from marketpulse.metrics.core import *  # noqa: F401,F403
