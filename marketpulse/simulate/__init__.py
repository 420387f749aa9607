"""The simulated city behind the demo store: reference data, seasons, assortment, planted events, weekly facts.
May import store and rollup (to load the demo store) and the leaf modules; never views, report, ui or cli.
"""

from marketpulse.simulate.city import City, Progress, simulate
from marketpulse.simulate.demo import build
from marketpulse.simulate.events import EVENT_KINDS
from marketpulse.simulate.files import write_files
from marketpulse.simulate.prices import PRICE_CHANGE
from marketpulse.simulate.redraw import REDRAW
from marketpulse.simulate.scale import MIN_WEEKS, SCALES, Scale
from marketpulse.simulate.seasons import last_complete_week, spring_festivals

__all__ = [
    "EVENT_KINDS",
    "MIN_WEEKS",
    "PRICE_CHANGE",
    "REDRAW",
    "SCALES",
    "City",
    "Progress",
    "Scale",
    "build",
    "last_complete_week",
    "simulate",
    "spring_festivals",
    "write_files",
]
