"""The simulated city behind the demo store: catalog, retailers, weekly visits and orders.

May import store, rollup, ingest and festival; used by the CLI's demo command and tests.
"""

from marketpulse.simulate.core import *  # noqa: F401,F403
